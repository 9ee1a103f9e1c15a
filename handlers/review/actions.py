"""The review buttons: compile, approve, send back, edit, remind, publish,
reopen, settings, download, and the owner's Update after a send-back.

Every button is acknowledged at once; the work runs as a lazy listener. The
clicked value is a claim (cycle, draft, entry) re-checked on the server; a
button from an older draft says so and offers the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import ids, kit
from bot.blocks import review as rb
from bot.blocks.text import Mrkdwn
from bot.delivery.digest import area_coordinators
from bot.delivery.reminders import remind_now
from bot.delivery.review import (
    compile_and_send,
    dm_channel,
    resend_draft,
    review_texts,
    upload,
)
from bot.errors import InvalidState, WorkflowError
from bot.review import MissingAnswers, StaleDraft, approve, publish
from bot.review.common import check_draft, require_coordinator
from bot.review.documents import approved_documents
from bot.review.sendback import check_sent_back
from bot.review.states import state_label
from bot.review.txn import run_once
from bot.runtime import Deps
from bot.workflow import audit
from handlers.common import Refusal, client_id
from handlers.review.commands import published_text
from handlers.review.common import (
    Reviewer,
    action_value,
    cycle_from,
    post_dm,
    refresh_home,
    reply,
    reviewer,
    say,
)
from handlers.review.views import entry_form, open_view, settings_view
from storage.db import session_scope
from storage.models import Area, CycleState, Document, Entry, Initiative, Track

REVIEWABLE = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)


def _ack(ack: Ack) -> None:
    ack()


@dataclass
class Outcome:
    """What to tell whom once the transaction is committed."""

    reply: dict[str, Any] | None = None
    dms: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    uploads: list[tuple[str, list[int], str]] = field(default_factory=list)  # user, doc ids


def _deliver(client: WebClient, body: dict[str, Any], factory: Any, outcome: Outcome) -> None:
    if outcome.reply:
        reply(client, body, outcome.reply)
    for user_id, message in outcome.dms:
        post_dm(client, user_id, message)
    for user_id, doc_ids, comment in outcome.uploads:
        with factory() as session:
            docs = list(session.scalars(select(Document).where(Document.id.in_(doc_ids))))
            docs.sort(key=lambda d: doc_ids.index(d.id))
            upload(client, dm_channel(client, user_id), docs, comment)


def register(app: App, deps: Deps) -> None:
    def guarded(work: Any) -> Any:
        """Run ``work(body, client, session, reviewer)``; refusals and broken rules
        are told to the clicker, nothing is stored."""

        def listener(body: dict[str, Any], client: WebClient) -> None:
            with session_scope(deps.session_factory) as session:
                r = reviewer(session, deps, body)
                try:
                    work(body, client, session, r)
                except Refusal as refusal:
                    session.rollback()
                    say(client, body, refusal.message)
                except StaleDraft as exc:
                    session.rollback()
                    reply(
                        client,
                        body,
                        rb.stale_notice(exc.message, exc.cycle_id, exc.current_draft, r._),
                    )
                except WorkflowError as exc:
                    session.rollback()
                    say(client, body, r.error_text(exc))

        return listener

    def ref_of(body: dict[str, Any]) -> rb.Ref | None:
        return rb.decode_ref(action_value(body))

    # -------------------------------------------------------------- compile

    def compile_(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        cycle = cycle_from(session, r, ref_of(body))
        if (body.get("container") or {}).get("type") == "message":
            say(client, body, r._("Compiling a draft of {area}…").format(area=cycle.area.name))
        progress: dict[str, Any] = {}

        def save(values: dict[str, Any]) -> None:
            progress.update(values)
            session.commit()

        compile_and_send(
            client,
            session,
            deps.settings,
            cycle_id=cycle.id,
            person=r.person(),
            now=deps.clock.now(),
            progress=progress,
            save=save,
        )
        refresh_home(deps, client, session, body)

    def resend(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        ref = ref_of(body)
        cycle = cycle_from(session, r, ref)
        draft = ref.draft if ref and ref.draft else cycle.draft_number
        if not resend_draft(client, session, deps.settings, r.person(), cycle, draft):
            raise Refusal(r._("There is no compiled draft to show yet."))

    # -------------------------------------------------------------- approve

    def approve_with(with_missing: bool) -> Any:
        def work(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
            ref = ref_of(body)
            cycle_from(session, r, ref)  # refuses strangers before anything else
            assert ref is not None
            user_id = r.who.user_id

            def act(s: Session) -> Outcome:
                rr = reviewer(s, deps, body)
                cycle = cycle_from(s, rr, ref)
                try:
                    result = approve(
                        s,
                        cycle_id=cycle.id,
                        actor=rr.actor(),
                        now=deps.clock.now(),
                        with_missing=with_missing,
                        draft_number=ref.draft,
                        locale=rr.locale,
                        report_locale=deps.settings.locale,
                    )
                except MissingAnswers as exc:
                    return Outcome(
                        reply=rb.missing_confirmation(cycle.id, exc.missing, exc.message, rr._)
                    )
                area = cycle.area.name
                if result.approved and not result.changed:
                    return Outcome(
                        reply=rb.notice(rr._("{area}: already approved.").format(area=area))
                    )
                if not result.changed:
                    return Outcome(
                        reply=rb.notice(
                            rr._("You have already approved; waiting for {n} more.").format(
                                n=result.waiting_for
                            )
                        )
                    )
                if result.approved:
                    docs = [d.id for d in result.documents]
                    return Outcome(
                        dms=[
                            (user_id, rb.approved_message(area, cycle.id, result.approvers, rr._))
                        ],
                        uploads=[(user_id, docs, rr._("Approved: {area}").format(area=area))],
                    )
                others = [
                    (p.slack_user_id, p)
                    for p in area_coordinators(s, cycle.area_id)
                    if p.slack_user_id and p.slack_user_id != user_id
                ]
                return Outcome(
                    reply=rb.waiting_message(
                        area, cycle.id, result.approvers, result.waiting_for, rr._
                    ),
                    dms=[
                        (
                            uid,
                            rb.second_approval_request(
                                area,
                                cycle.id,
                                cycle.draft_number,
                                rr.person().label,
                                _texts_for(p),
                            ),
                        )
                        for uid, p in others
                    ],
                )

            session.rollback()
            outcome = run_once(deps.session_factory, act)
            _deliver(client, body, deps.session_factory, outcome)
            refresh_home(deps, client, session, body)

        return work

    def _texts_for(person: Any) -> rb.Gettext:
        return review_texts(person, deps.settings)

    # ---------------------------------------------------- send back / edit

    def reviewable(session: Session, r: Reviewer, body: dict[str, Any]) -> tuple[Any, rb.Ref]:
        ref = ref_of(body)
        cycle = cycle_from(session, r, ref)
        assert ref is not None
        if cycle.state not in REVIEWABLE:
            raise InvalidState(
                r._("The report is {state}; reopen it first.").format(
                    state=state_label(cycle.state, r._)
                )
            )
        check_draft(cycle, ref.draft, r._)
        return cycle, ref

    def choices(session: Session, cycle_id: int) -> list[rb.EntryChoice]:
        rows = session.execute(
            select(Entry.id, Initiative.title, Initiative.track_id, Initiative.position)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Entry.cycle_id == cycle_id, Entry.withdrawn_at.is_(None))
        ).all()
        tracks = {
            t.id: (t.position, t.name)
            for t in session.scalars(
                select(Track).where(Track.id.in_({row.track_id for row in rows}))
            )
        }
        ordered = sorted(rows, key=lambda row: (tracks[row.track_id][0], row.position, row.id))
        return [rb.EntryChoice(row.id, tracks[row.track_id][1], row.title) for row in ordered]

    def open_send_back(
        body: dict[str, Any], client: WebClient, session: Session, r: Reviewer
    ) -> None:
        cycle, ref = reviewable(session, r, body)
        view = rb.send_back_modal(ref, cycle.area.name, choices(session, cycle.id), r._)
        open_view(client, body["trigger_id"], view)

    def open_edit(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        cycle, ref = reviewable(session, r, body)
        view = rb.edit_pick_modal(ref, cycle.area.name, choices(session, cycle.id), r._)
        open_view(client, body["trigger_id"], view)

    def open_owner_update(
        body: dict[str, Any], client: WebClient, session: Session, r: Reviewer
    ) -> None:
        ref = ref_of(body)
        entry = session.get(Entry, ref.entry_id) if ref and ref.entry_id else None
        if entry is None or ref is None or entry.cycle_id != ref.cycle_id:
            raise Refusal(r._("This button does not belong to any initiative I know."))
        check_sent_back(session, entry, r.actor(), r._)
        view = rb.owner_update_modal(entry_form(session, entry), ref, r.who._)
        open_view(client, body["trigger_id"], view)

    # ------------------------------------------------------ the other buttons

    def remind(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        cycle = cycle_from(session, r, ref_of(body))
        if cycle.state != CycleState.COLLECTING:
            raise Refusal(r._("This report no longer takes answers, so nobody is reminded."))
        now = deps.clock.now()
        count = remind_now(session, cycle, now)
        audit.record(
            session,
            r.actor(),
            "review.remind",
            area_id=cycle.area_id,
            cycle_id=cycle.id,
            now=now,
            people=count,
        )
        session.commit()
        if count:
            say(client, body, r._("Reminders are on their way to {n} people.").format(n=count))
        else:
            say(client, body, r._("Everyone has answered; nobody needs a reminder."))

    def publish_(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        ref = ref_of(body)
        cycle_from(session, r, ref)
        assert ref is not None
        session.rollback()

        def act(s: Session) -> str:
            rr = reviewer(s, deps, body)
            result = publish(
                s, cycle_id=ref.cycle_id, actor=rr.actor(), now=deps.clock.now(), locale=rr.locale
            )
            return published_text(result, rr._)

        text = run_once(deps.session_factory, act)
        reply(client, body, kit.message(Mrkdwn(text), [kit.section(text)]))
        refresh_home(deps, client, session, body)

    def open_reopen(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        ref = ref_of(body)
        cycle = cycle_from(session, r, ref)
        open_view(
            client, body["trigger_id"], rb.reopen_modal(rb.Ref(cycle.id), cycle.area.name, r._)
        )

    def open_settings(
        body: dict[str, Any], client: WebClient, session: Session, r: Reviewer
    ) -> None:
        area_id = client_id(action_value(body))
        area = session.get(Area, area_id) if area_id else None
        if area is None:
            raise Refusal(r._("This button does not belong to any area I know."))
        require_coordinator(session, r.actor(), area, r._)
        view = settings_view(session, area, deps.clock.now(), r._, r.locale)
        open_view(client, body["trigger_id"], view)

    def download(body: dict[str, Any], client: WebClient, session: Session, r: Reviewer) -> None:
        cycle = cycle_from(session, r, ref_of(body))
        docs = approved_documents(session, cycle.id)
        if not docs:
            raise Refusal(r._("This report has no approved document yet."))
        upload(
            client,
            dm_channel(client, r.who.user_id),
            docs,
            r._("Approved report of {area} as of {as_of}").format(
                area=cycle.area.name, as_of=cycle.as_of.isoformat()
            ),
        )

    # The owner's Update after a send-back is opened within the trigger window too.
    for action_id, work in (
        (rb.COMPILE, compile_),
        (rb.RESEND, resend),
        (rb.APPROVE, approve_with(False)),
        (rb.APPROVE_MISSING, approve_with(True)),
        (rb.SEND_BACK, open_send_back),
        (rb.EDIT, open_edit),
        (rb.UPDATE, open_owner_update),
        (rb.REMIND, remind),
        (rb.PUBLISH, publish_),
        (rb.REOPEN, open_reopen),
        (rb.SETTINGS, open_settings),
        (rb.DOWNLOAD, download),
    ):
        app.action(ids.action_pattern(action_id))(ack=_ack, lazy=[guarded(work)])
