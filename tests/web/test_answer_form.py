"""The answer form behind an e-mailed link: what GET shows, preview, submit,
validation, and that answers are stored exactly like Slack answers."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from bot.delivery.refresh import REFRESH_KIND
from bot.runtime import Deps
from bot.web.answering import AUDIT_ACTION
from bot.web.links import issue_link
from storage.models import AccessLink, AuditEvent, Entry, EntrySource, Job, Revision
from tests.web.web_world import EARLIER, TITLES, World, form_fields


def _revisions(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Revision)) or 0)


def _answer(world: World, html_text: str, **changes: str) -> dict[str, str]:
    """The page's form as a browser would post it, with ``changes``."""
    data = form_fields(html_text)
    for entry, text in zip(world.entries, EARLIER, strict=True):
        data[f"choice-{entry.id}"] = "update"
        data[f"status-{entry.id}"] = text
        data[f"phase-{entry.id}"] = "in_progress"
        data[f"note-{entry.id}"] = ""
    data.update(changes)
    data.setdefault("action", "submit")
    return data


def test_get_shows_every_item_prefilled_by_track_and_changes_nothing(
    client: Client, world: World, session: Session
) -> None:
    before = _revisions(session)
    response = client.get(f"/answer/{world.token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page  # the owner's locale
    assert '<form method="post"' in page
    # grouped by track, in report order; titles escaped
    assert (
        page.index("Organisering")
        < page.index(html.escape(TITLES[0]))
        < page.index(html.escape(TITLES[1]))
        < page.index("Faglighed")
        < page.index(html.escape(TITLES[2]))
    )
    assert "<&>" not in page.split("<main>")[1]
    for entry, text in zip(world.entries, EARLIER, strict=True):
        box = re.search(rf'<textarea id="status-{entry.id}"[^>]*>\n(.*?)</textarea>', page, re.S)
        assert box is not None and html.unescape(box.group(1)) == text  # the markup
        assert f'<select id="phase-{entry.id}" name="phase-{entry.id}"' in page
        assert f'name="choice-{entry.id}" value="same"' in page  # "No change"
    assert '<option value="in_progress" selected>I gang</option>' in page
    assert "Fælles faglig metode" not in page  # not hers
    assert form_fields(page)["csrf"]
    assert _revisions(session) == before
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "answer")) == 0


def test_preview_marks_changes_red_and_underlined_and_stores_nothing(
    client: Client, world: World, session: Session
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    first = world.entries[0]
    data = _answer(
        world,
        page,
        action="preview",
        **{f"status-{first.id}": "Fagchefen er **ansat** pr. 1. marts."},
    )
    response = client.post(f"/answer/{world.token}", data=data)
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    preview = shown.split('id="preview-heading"')[1].split("<form")[0]
    assert '<ins class="chg">marts.</ins>' in preview  # the report's own change mark
    assert "<strong>ansat</strong>" in preview
    assert "ins.chg{color:#b00000;text-decoration:underline" in shown
    # the form keeps what was typed
    assert "Fagchefen er **ansat** pr. 1. marts." in shown
    assert _revisions(session) == 0


def test_submit_stores_like_slack_audits_the_channel_and_redirects_to_a_receipt(
    client: Client, world: World, session: Session, deps: Deps
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    first, shared, third = world.entries
    data = _answer(
        world,
        page,
        **{
            f"status-{first.id}": "Fagchefen er *tiltrådt*.",
            f"phase-{first.id}": "completed",
            f"note-{first.id}": "Ring hvis der er spørgsmål",
            f"choice-{shared.id}": "same",
            f"choice-{third.id}": "later",
        },
    )
    response = client.post(f"/answer/{world.token}", data=data)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == f"/answer/{world.token}/receipt?saved=2"
    session.expire_all()
    stored = session.get(Entry, first.id)
    assert stored is not None
    assert stored.status is not None and stored.status.to_markup() == "Fagchefen er *tiltrådt*."
    assert (stored.phase, stored.note, stored.source) == (
        "completed",
        "Ring hvis der er spørgsmål",
        EntrySource.ANSWER,
    )
    assert stored.answered_by_id == world.owner.id
    carried = session.get(Entry, shared.id)
    assert carried is not None and carried.source == EntrySource.CARRY_FORWARD
    untouched = session.get(Entry, third.id)
    assert untouched is not None and untouched.source == EntrySource.PENDING
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION))
    assert sorted(event.detail["entry_ids"]) == [first.id, shared.id]
    assert event.detail["carried_forward"] == [shared.id]
    assert event.detail["channel"] == "email" and event.actor_id == world.owner.id
    # the same follow-ups as a Slack answer: prompts refreshed (draft/notice jobs queued)
    kinds = set(session.scalars(select(Job.kind)))
    assert REFRESH_KIND in kinds
    receipt = client.get(location)
    assert receipt.status_code == 200
    text = receipt.get_data(as_text=True)
    assert "2 svar blev gemt" in text
    assert "ikke besvaret endnu" in text  # the third
    # submitting the same page again stores no second copy
    again = client.post(f"/answer/{world.token}", data=data)
    assert again.status_code == 303
    assert _revisions(session) == 2


def test_validation_errors_stand_next_to_the_field_and_keep_the_text(
    client: Client, world: World, session: Session
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    first, shared, _third = world.entries
    data = _answer(
        world,
        page,
        **{
            f"status-{first.id}": "   ",
            f"status-{shared.id}": "Mit nye **udkast** som ikke må gå tabt",
            f"note-{shared.id}": "x" * 3001,
        },
    )
    response = client.post(f"/answer/{world.token}", data=data)
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    status_box = shown.split(f'id="status-error-{first.id}"')[1].split("</p>")[0]
    assert "Skriv status her" in status_box
    assert f'aria-describedby="status-help-{first.id} status-error-{first.id}"' in shown
    note_error = shown.split(f'id="note-error-{shared.id}"')[1].split("</p>")[0]
    assert "3" in note_error and "000" in note_error  # the workflow's limit, in Danish
    assert "Mit nye **udkast** som ikke må gå tabt" in shown
    assert f'href="#status-{first.id}"' in shown  # the summary links to the field
    assert _revisions(session) == 0


def test_a_link_for_someone_else_does_not_show_their_items(
    client: Client, world: World, session: Session
) -> None:
    token = issue_link(session, person_id=world.slacker.id, cycle_id=world.cycle.id)
    session.commit()
    page = client.get(f"/answer/{token}").get_data(as_text=True)
    assert "Fælles faglig metode" in page
    assert html.escape(TITLES[0]) not in page  # Eva's own


def test_get_does_not_touch_the_link(client: Client, world: World, session: Session) -> None:
    before = session.scalars(select(AccessLink)).one()
    snapshot = (before.revoked_at, before.created_at, before.token_hash)
    for _ in range(3):
        assert client.get(f"/answer/{world.token}").status_code == 200
    session.expire_all()
    after = session.scalars(select(AccessLink)).one()
    assert (after.revoked_at, after.created_at, after.token_hash) == snapshot
