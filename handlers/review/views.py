"""The review modals' submissions, and the data the coordinator's App Home shows.

Validation and the stored change happen before the acknowledgement, so every
problem goes back as ``response_action: errors`` next to its field; messages
to other people (owners, other coordinators) go out afterwards (lazy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.blocks import ids
from bot.blocks import review as rb
from bot.blocks.modals import UpdateForm, read_update, state_values_of
from bot.committee import blocks as committee_blocks
from bot.committee.settings import read_committee, update_committee
from bot.delivery.review import review_texts
from bot.delivery.surfaces import refresh_prompts
from bot.errors import WorkflowError
from bot.review import approvals_needed, coordinator_edit, reopen, send_back, update_settings
from bot.review.approve import round_approvers
from bot.review.sendback import revise_sent_back
from bot.review.states import state_label
from bot.runtime import Deps
from bot.workflow.cycles import current_cycle, progress
from bot.workflow.entries import previous_entry
from handlers.common import Refusal, client_id, log
from handlers.review.common import Reviewer, cycle_from, post_dm, reviewer
from handlers.submissions import Replayed, stored_once, submission_key
from storage.db import session_scope
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Document,
    DocumentKind,
    Entry,
    Person,
    ReviewRequest,
)
from storage.richtext import StatusText

NOTIFY_KEY = "statusbot_review_notify"
# A field's error goes here; the status's (and any other) to the form's status box.
_ENTRY_FIELDS = {"phase": ids.PHASE_BLOCK, "note": ids.NOTE_BLOCK}
# Stores a checked status form (session, reviewer, the form's ref, the form).
_Store = Callable[[Session, Reviewer, "rb.Ref | None", Any], Any]
_SETTING_FIELDS = {
    "report_channel": rb.CHANNEL_BLOCK,
    "intro": rb.INTRO_BLOCK,
    "approvals_required": rb.APPROVALS_BLOCK,
    "remind": rb.REMIND_BLOCK,
}


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))


def settings_view(
    session: Session, area: Area, now: datetime, _: rb.Gettext, locale: str
) -> dict[str, Any]:
    """The area settings modal, with the committee's agenda-item settings."""
    view = rb.settings_modal(area_home(session, area, now, _), _)
    view["blocks"] += committee_blocks.settings_inputs(read_committee(session, area.id), locale)
    return view


def entry_form(session: Session, entry: Entry) -> UpdateForm:
    source = entry if entry.status else previous_entry(session, entry) or entry
    initiative = entry.initiative
    return UpdateForm(
        entry_id=entry.id,
        cycle_id=entry.cycle_id,
        initiative=initiative.title,
        track=initiative.track.name,
        area=entry.cycle.area.name,
        markup=source.status.to_markup() if source.status else "",
        phase=entry.phase or source.phase,
        note=None,
    )


def area_home(session: Session, area: Area, now: datetime, _: rb.Gettext) -> rb.AreaHome:
    cycle = current_cycle(session, area.id)
    history_rows = session.scalars(
        select(Cycle)
        .where(
            Cycle.area_id == area.id,
            Cycle.state.in_([CycleState.APPROVED, CycleState.PUBLISHED]),
            Cycle.id != (cycle.id if cycle else -1),
        )
        .order_by(Cycle.as_of.desc(), Cycle.id.desc())
        .limit(5)
    ).all()
    history = tuple(
        rb.HistoryLine(
            cycle_id=c.id,
            as_of=c.as_of,
            state=state_label(c.state, _),
            approved_at=c.approved_at,
            has_documents=bool(
                session.scalar(
                    select(
                        exists().where(
                            Document.cycle_id == c.id, Document.kind == DocumentKind.APPROVED
                        )
                    )
                )
            ),
        )
        for c in history_rows
    )
    base: dict[str, Any] = {
        "area_id": area.id,
        "area": area.name,
        "history": history,
        "report_channel": area.report_channel,
        "approvals_required": area.approvals_required or 1,
        "default_reminders": area.default_reminders or "",
        "intro": area.intro,
    }
    if cycle is None:
        return rb.AreaHome(**base)
    result = progress(session, cycle.id)
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_([o.person_id for o in result.per_owner]))
        )
    }
    owners = tuple(
        rb.OwnerLine(
            label=o.label,
            slack_user=people[o.person_id].slack_user_id if o.person_id in people else None,
            answered=len(o.answered),
            missing=len(o.missing),
        )
        for o in result.per_owner
    )
    return rb.AreaHome(
        **base,
        cycle_id=cycle.id,
        state=cycle.state,
        state_label=state_label(cycle.state, _),
        deadline=cycle.deadline,
        total=result.total,
        answered=result.answered,
        owners=owners,
        draft_number=cycle.draft_number,
        approvals=len(round_approvers(session, cycle)),
        approvals_needed=approvals_needed(session, cycle),
    )


def _state_values(body: dict[str, Any]) -> dict[str, Any]:
    return state_values_of(body.get("view"))


def _meta_ref(body: dict[str, Any]) -> rb.Ref | None:
    return rb.decode_ref((body.get("view") or {}).get("private_metadata"))


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    """One input's state; ``{}`` when the client sent something else."""
    block_state = values.get(block)
    found = block_state.get(rb.VALUE) if isinstance(block_state, dict) else None
    return found if isinstance(found, dict) else {}


def register(app: App, deps: Deps) -> None:
    def submit_send_back(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        values = _state_values(body)
        options = _value(values, rb.ENTRIES_BLOCK).get("selected_options")
        chosen = [
            client_id(o.get("value"))
            for o in (options if isinstance(options, list) else [])
            if isinstance(o, dict) and client_id(o.get("value"))
        ]
        comment = _value(values, rb.COMMENT_BLOCK).get("value") or ""
        seen = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            now = deps.clock.now()
            try:
                with stored_once(session, seen, now):
                    ref = _meta_ref(body)
                    cycle = cycle_from(session, r, ref)
                    result = send_back(
                        session,
                        cycle_id=cycle.id,
                        entry_ids=chosen,
                        comment=comment,
                        actor=r.actor(),
                        now=now,
                        draft_number=ref.draft if ref else None,
                        locale=r.locale,
                    )
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={rb.ENTRIES_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                block = rb.COMMENT_BLOCK if exc.field == "comment" else rb.ENTRIES_BLOCK
                ack(response_action="errors", errors={block: r.error_text(exc)})
                return
            context[NOTIFY_KEY] = [item.request_id for item in result.items]
        ack()

    def notify_sent_back(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        request_ids = context.get(NOTIFY_KEY) or []
        if not request_ids:
            return
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            coordinator = r.person().label
            titles = []
            for request in session.scalars(
                select(ReviewRequest).where(ReviewRequest.id.in_(request_ids))
            ):
                entry = session.get(Entry, request.entry_id)
                assert entry is not None
                initiative = entry.initiative
                titles.append(initiative.title)
                for person in dict.fromkeys(
                    p for p in (initiative.owner, initiative.delegate) if p is not None
                ):
                    message = rb.sent_back_message(
                        area=entry.cycle.area.name,
                        title=initiative.title,
                        comment=request.comment,
                        coordinator=coordinator,
                        cycle_id=entry.cycle_id,
                        entry_id=entry.id,
                        _=review_texts(person, deps.settings),
                    )
                    post_dm(client, person.slack_user_id, message)
            text = r._("Sent back: {titles}. The owners have your comment.").format(
                titles=", ".join(f"“{t}”" for t in titles)
            )
            post_dm(client, r.who.user_id, rb.notice(text))

    def submit_edit_pick(ack: Ack, body: dict[str, Any]) -> None:
        values = _state_values(body)
        chosen = _value(values, rb.ENTRIES_BLOCK).get("selected_option") or {}
        ref = _meta_ref(body)
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            try:
                cycle = cycle_from(session, r, ref)
                entry = session.get(Entry, client_id(chosen.get("value")))
                if entry is None or entry.cycle_id != cycle.id:
                    raise Refusal(r._("Choose an initiative of this report."))
                view = rb.edit_modal(
                    entry_form(session, entry), ref or rb.Ref(cycle.id), r._, r.who._
                )
            except Refusal as refusal:
                ack(response_action="errors", errors={rb.ENTRIES_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                ack(response_action="errors", errors={rb.ENTRIES_BLOCK: r.error_text(exc)})
                return
        ack(response_action="update", view=view)

    def save_text_form(ack: Ack, body: dict[str, Any], context: BoltContext, store: _Store) -> None:
        """Read a status form, check it, ``store`` it, commit and acknowledge;
        field errors go back in the acknowledgement. What ``store`` returns
        (if anything) is left in ``context`` for the lazy notifier."""
        ref = _meta_ref(body)
        form = read_update(_state_values(body))
        seen = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            errors = _text_errors(form, r)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            try:
                with stored_once(session, seen, deps.clock.now()):
                    stored = store(session, r, ref, form)
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={form.status_block: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                block = _ENTRY_FIELDS.get(exc.field or "", form.status_block)
                ack(response_action="errors", errors={block: r.error_text(exc)})
                return
        if stored:
            context[NOTIFY_KEY] = stored
        ack()

    def submit_edit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        def store(session: Session, r: Reviewer, ref: rb.Ref | None, form: Any) -> Any:
            cycle_from(session, r, ref)
            assert ref is not None
            result = coordinator_edit(
                session,
                entry_id=int(ref.entry_id or 0),
                status=StatusText.from_markup(form.markup),
                phase=form.phase,
                note=form.note,
                actor=r.actor(),
                now=deps.clock.now(),
                draft_number=ref.draft,
                locale=r.locale,
            )
            if not result.changed:
                return None
            return {
                "entry": result.entry.id,
                "added": [c.text for c in result.changes if c.kind == "added"],
                "removed": [c.text for c in result.changes if c.kind == "removed"],
                "phase": [result.phase_before or "—", result.phase_after or "—"]
                if result.phase_before != result.phase_after
                else None,
                "note": form.note,
                "recipients": [p.id for p in result.recipients],
            }

        save_text_form(ack, body, context, store)

    def notify_edited(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        info = context.get(NOTIFY_KEY)
        if not info:
            return
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            entry = session.get(Entry, info["entry"])
            assert entry is not None
            for person_id in info["recipients"]:
                person = session.get(Person, person_id)
                if person is None:
                    continue
                message = rb.edited_message(
                    title=entry.initiative.title,
                    coordinator=r.person().label,
                    added=info["added"],
                    removed=info["removed"],
                    phase_change=tuple(info["phase"]) if info["phase"] else None,  # type: ignore[arg-type]
                    note=info["note"],
                    _=review_texts(person, deps.settings),
                )
                post_dm(client, person.slack_user_id, message)
            refresh_prompts(client, session, deps.settings, entry, deps.clock.now())

    def submit_owner_update(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        def store(session: Session, r: Reviewer, ref: rb.Ref | None, form: Any) -> int:
            if ref is None or not ref.entry_id:
                raise Refusal(r._("This form does not belong to any initiative I know."))
            entry = revise_sent_back(
                session,
                entry_id=ref.entry_id,
                cycle_id=ref.cycle_id,
                actor=r.actor(),
                status=StatusText.from_markup(form.markup),
                phase=form.phase,
                note=form.note,
                now=deps.clock.now(),
                locale=r.locale,
            )
            return entry.id

        save_text_form(ack, body, context, store)

    def notify_revised(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        entry_id = context.get(NOTIFY_KEY)
        if not entry_id:
            return
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            entry = session.get(Entry, entry_id)
            assert entry is not None
            requesters = session.scalars(
                select(Person)
                .join(ReviewRequest, ReviewRequest.requested_by_id == Person.id)
                .where(ReviewRequest.entry_id == entry.id)
                .distinct()
            ).all()
            for person in requesters:
                message = rb.revised_message(
                    r.person().label,
                    entry.initiative.title,
                    entry.cycle_id,
                    review_texts(person, deps.settings),
                )
                post_dm(client, person.slack_user_id, message)
            refresh_prompts(client, session, deps.settings, entry, deps.clock.now())
            post_dm(
                client,
                r.who.user_id,
                rb.notice(
                    r._("Thank you: your revision of “{title}” is saved.").format(
                        title=entry.initiative.title
                    )
                ),
            )

    def submit_reopen(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        reason = _value(_state_values(body), rb.REASON_BLOCK).get("value") or ""
        seen = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            now = deps.clock.now()
            try:
                with stored_once(session, seen, now):
                    cycle = cycle_from(session, r, _meta_ref(body))
                    reopen(
                        session,
                        cycle_id=cycle.id,
                        actor=r.actor(),
                        reason=reason,
                        now=now,
                        locale=r.locale,
                    )
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={rb.REASON_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                ack(response_action="errors", errors={rb.REASON_BLOCK: r.error_text(exc)})
                return
            context[NOTIFY_KEY] = r._(
                "{area} is reopened: owners and coordinators can change it again."
            ).format(area=cycle.area.name)
        ack()

    def submit_settings(ack: Ack, body: dict[str, Any]) -> None:
        values = _state_values(body)
        approvals = (_value(values, rb.APPROVALS_BLOCK).get("selected_option") or {}).get("value")
        seen = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            r = reviewer(session, deps, body)
            now = deps.clock.now()
            try:
                with stored_once(session, seen, now):
                    area_id = client_id((body.get("view") or {}).get("private_metadata"))
                    area = session.get(Area, area_id)
                    if area is None:
                        raise Refusal(r._("This form does not belong to any area I know."))
                    update_settings(
                        session,
                        area_id=area.id,
                        actor=r.actor(),
                        now=now,
                        report_channel=_value(values, rb.CHANNEL_BLOCK).get(
                            "selected_conversation"
                        ),
                        intro=_value(values, rb.INTRO_BLOCK).get("value"),
                        approvals_required=client_id(approvals) or 1,
                        default_reminders=_value(values, rb.REMIND_BLOCK).get("value") or "",
                        locale=r.locale,
                    )
                    update_committee(
                        session,
                        area_id=area.id,
                        actor=r.actor(),
                        now=now,
                        locale=r.locale,
                        **committee_blocks.read_settings_inputs(values),
                    )
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={rb.CHANNEL_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                block = _SETTING_FIELDS.get(exc.field or "") or committee_blocks.SETTING_BLOCKS.get(
                    exc.field or "", rb.CHANNEL_BLOCK
                )
                ack(response_action="errors", errors={block: r.error_text(exc)})
                return
        ack()

    def tell_done(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        text = context.get(NOTIFY_KEY)
        if text:
            post_dm(client, str((body.get("user") or {}).get("id") or ""), rb.notice(text))

    app.view(rb.SEND_BACK_VIEW)(ack=submit_send_back, lazy=[notify_sent_back])
    app.view(rb.EDIT_PICK_VIEW)(submit_edit_pick)
    app.view(rb.EDIT_VIEW)(ack=submit_edit, lazy=[notify_edited])
    app.view(rb.UPDATE_VIEW)(ack=submit_owner_update, lazy=[notify_revised])
    app.view(rb.REOPEN_VIEW)(ack=submit_reopen, lazy=[tell_done])
    app.view(rb.SETTINGS_VIEW)(submit_settings)


def _text_errors(form: Any, r: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    for block_id in form.too_long:
        errors[block_id] = r._("Too long for this box.")
    try:
        status = StatusText.from_markup(form.markup)
    except ValidationError:
        errors[form.status_block] = r._("The text is too long for one status.")
        return errors
    if not status and not errors:
        errors[form.status_block] = r._("The status text cannot be empty.")
    return errors
