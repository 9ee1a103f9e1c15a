"""Recording an answer that arrived outside Slack, on the owner's behalf.

The answer is the named coordinator's revision under the same rules as an
edit in Slack (:func:`bot.review.edit.coordinator_edit`: refused once the
report is approved, an unchanged text stores nothing, a compiled draft goes
out of date); the owner and delegate are told through the outbox, so the
command line needs no Slack connection.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.answers.lookup import check_not_withdrawn, initiative_number
from bot.answers.texts import t
from bot.blocks.modals import PHASES, phase_label
from bot.delivery.refresh import queue_followups
from bot.errors import InvalidInput
from bot.i18n import SUPPORTED, translator
from bot.review.edit import EditResult, coordinator_edit
from bot.workflow.actor import Actor
from bot.workflow.entries import clean_answer_fields
from storage import outbox
from storage.models import Entry, Revision
from storage.richtext import MAX_BLOCK_CHARS, MAX_BLOCKS, StatusText

ENTERED_JOB = "entry_entered"  # delivered by bot.delivery.entered


def parse_status(markup: str) -> StatusText:
    """A status typed in a file or a cell; :class:`InvalidInput` when empty or too long."""
    try:
        status = StatusText.from_markup(markup)
    except ValidationError:
        raise InvalidInput(
            t(
                "The text is too long for one status (at most {blocks} paragraphs of "
                "{chars} characters each).",
                blocks=MAX_BLOCKS,
                chars=MAX_BLOCK_CHARS,
            ),
            field="status",
        ) from None
    if not status:
        raise InvalidInput(t("The status text is empty."), field="status")
    return status


def phase_labels() -> dict[str, str]:
    """Every way a phase may be written (id and its name in each language,
    casefolded) → the phase id."""
    names = {p: p for p in PHASES}
    for locale in SUPPORTED:
        gettext = translator("slack", locale).gettext
        names.update({phase_label(p, gettext).casefold(): p for p in PHASES})
    return names


def parse_phase(text: str | None) -> str | None:
    """A phase by id (``in_progress``) or name (``I gang``, ``In progress``);
    None for empty; :class:`InvalidInput` (the workflow's message) otherwise."""
    value = " ".join((text or "").split())
    if not value:
        return None
    phase, _note = clean_answer_fields(phase_labels().get(value.casefold(), value), None)
    return phase


def record_answer(
    session: Session,
    *,
    entry: Entry,
    status: StatusText,
    phase: str | None,
    actor: Actor,
    via: str,
    now: datetime,
    locale: str | None = None,
    expected_version: int | None = None,
) -> EditResult:
    """Store ``status`` as ``actor``'s revision of ``entry`` and queue the
    owner's notice; ``via`` (``cli``, ``spreadsheet``) is audited. With
    ``expected_version``, an entry changed since then is refused; so is an
    entry withdrawn from its round."""
    check_not_withdrawn(entry)
    owner = entry.initiative.owner
    result = coordinator_edit(
        session,
        entry_id=entry.id,
        status=status,
        phase=phase,
        actor=actor,
        now=now,
        locale=locale,
        expected_version=expected_version,
        audit_action="entry.set",
        how={
            "via": via,
            "nr": initiative_number(entry.initiative),
            "on_behalf_of": owner.label if owner is not None else None,
        },
    )
    if result.changed:
        _queue_notices(session, entry, result, actor, now)
    return result


def _queue_notices(
    session: Session, entry: Entry, result: EditResult, actor: Actor, now: datetime
) -> None:
    revision = int(
        session.scalar(select(func.max(Revision.number)).where(Revision.entry_id == entry.id)) or 0
    )
    team_id = entry.cycle.area.team_id
    outbox.enqueue(
        session,
        ENTERED_JOB,
        {
            "entry_id": entry.id,
            "revision": revision,
            "coordinator_id": actor.person_id,
            "recipients": [p.id for p in result.recipients],
        },
        due_at=now,
        dedupe_key=f"{ENTERED_JOB}:{entry.id}:{revision}",
        cycle_id=entry.cycle_id,
        team_id=team_id,
    )
    # Owner's and delegate's prompts show the item as answered, as after an answer in Slack.
    queue_followups(session, entry, now, team_id=team_id)
