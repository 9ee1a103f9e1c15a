"""The committee in Slack: coordinators get the agenda item package of an
approved report and record the committee's decision, from the App Home.

Thin listeners: the rules (who may, which cycle, which date) are
:mod:`bot.committee`'s; forms are checked before the acknowledgement so every
problem is shown next to its field; the package is built and uploaded after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.modals import state_values_of
from bot.blocks.model import Viewer
from bot.blocks.text import escape
from bot.committee import blocks as cb
from bot.committee.decisions import check_meeting_date, decision_of, record_decision
from bot.committee.i18n import gettext_for
from bot.committee.item import ITEM_STATES, build_item
from bot.committee.package import build_package
from bot.delivery.review import dm_channel
from bot.delivery.surfaces import HOME_SECTIONS, prompt_parts, sync_prompt
from bot.errors import InvalidState, WorkflowError
from bot.review.common import require_coordinator
from bot.review.documents import file_stem
from bot.runtime import Deps
from bot.workflow.actor import Actor
from bot.workflow.cycles import collecting_cycle
from bot.workflow.permissions import coordinated_area_ids
from handlers.common import Refusal, caller, client_id, log, user_id_of
from handlers.review.common import post_dm, say
from handlers.review.views import open_view
from handlers.submissions import Replayed, stored_once, submission_key
from storage.db import session_scope
from storage.models import Cycle, Initiative, Person, PromptMessage, Track

PACKAGE_KEY = "statusbot_committee_package"
DECISION_KEY = "statusbot_committee_decision"
MAX_AREAS = 4
_DECISION_FIELDS = {
    "meeting": cb.MEETING_BLOCK,
    "text": cb.TEXT_BLOCK,
    "absent": cb.ABSENT_BLOCK,
    "asks_about": cb.ASKS_BLOCK,
}


def last_reported(session: Session, area_id: int) -> Cycle | None:
    """The area's newest approved or published report (not a baseline)."""
    return session.scalar(
        select(Cycle)
        .where(
            Cycle.area_id == area_id,
            Cycle.state.in_(list(ITEM_STATES)),
            Cycle.is_baseline.is_(False),
        )
        .order_by(Cycle.as_of.desc(), Cycle.id.desc())
        .limit(1)
    )


def home_section(
    session: Session, person: Person, viewer: Viewer, _slack: Any, now: datetime
) -> list[kit.Block]:
    """Per coordinated area: the last approved report, its committee decision
    (if recorded), and the package and decision buttons."""
    _ = gettext_for(viewer.locale)
    blocks: list[kit.Block] = []
    for area_id in coordinated_area_ids(session, person)[:MAX_AREAS]:
        cycle = last_reported(session, area_id)
        if cycle is None:
            continue
        decision = decision_of(session, cycle.id)
        line = _("🏛️ {area}, report as of {as_of}: {decision}").format(
            area=escape(cycle.area.name),
            as_of=kit.fmt_date(cycle.as_of, viewer.locale),
            decision=_("the committee's decision of {date} is recorded").format(
                date=kit.fmt_date(decision.meeting_date, viewer.locale)
            )
            if decision is not None
            else _("no committee decision recorded yet"),
        )
        blocks.append(kit.context(line))
        blocks.append(
            kit.actions(
                cb.package_button(cycle.id, viewer.locale),
                cb.decision_button(cycle.id, viewer.locale),
                block_id=f"committee_{cycle.id}",
            )
        )
    return blocks


def _meeting(values: dict[str, Any]) -> date | None:
    state = (values.get(cb.MEETING_BLOCK) or {}).get(cb.VALUE) or {}
    try:
        return date.fromisoformat(str(state.get("selected_date") or ""))
    except ValueError:
        return None


def _input(values: dict[str, Any], block: str) -> dict[str, Any]:
    state = values.get(block)
    found = state.get(cb.VALUE) if isinstance(state, dict) else None
    return found if isinstance(found, dict) else {}


def register(app: App, deps: Deps) -> None:
    if home_section not in HOME_SECTIONS:
        HOME_SECTIONS.append(home_section)

    def coordinated_cycle(session: Session, body: dict[str, Any], cycle_id: int) -> Any:
        """(the cycle, the caller, their texts), once the caller coordinates its area."""
        who = caller(session, deps, user_id_of(body))
        _ = gettext_for(who.viewer.locale)
        cycle = session.get(Cycle, cycle_id) if cycle_id else None
        if cycle is None:
            raise Refusal(_("This button does not belong to any report I know."))
        require_coordinator(session, Actor.of(who.require_person()), cycle.area, _)
        return cycle, who, _

    def guarded(work: Any) -> Any:
        def listener(body: dict[str, Any], client: WebClient) -> None:
            with session_scope(deps.session_factory) as session:
                try:
                    work(body, client, session)
                except Refusal as refusal:
                    say(client, body, refusal.message)
                except WorkflowError as exc:
                    say(client, body, caller(session, deps, user_id_of(body)).error_text(exc))

        return listener

    def button_cycle(body: dict[str, Any]) -> int:
        return client_id(((body.get("actions") or [{}])[0]).get("value"))

    def open_package(body: dict[str, Any], client: WebClient, session: Session) -> None:
        cycle, who, _ = coordinated_cycle(session, body, button_cycle(body))
        view = cb.package_modal(cycle.id, cycle.area.name, None, who.viewer.locale)
        open_view(client, body["trigger_id"], view)

    def open_decision(body: dict[str, Any], client: WebClient, session: Session) -> None:
        cycle, who, _ = coordinated_cycle(session, body, button_cycle(body))
        initiatives = session.execute(
            select(Initiative.id, Initiative.title)
            .join(Track, Track.id == Initiative.track_id)
            .where(Initiative.area_id == cycle.area_id, Initiative.active)
            .order_by(Track.position, Initiative.position)
        ).all()
        existing = decision_of(session, cycle.id)
        view = cb.decision_modal(
            cycle.id,
            cycle.area.name,
            [(i, t) for i, t in initiatives],
            who.viewer.locale,
            existing=existing.meeting_date if existing is not None else None,
        )
        # The form replaces only the decision its author saw.
        view["private_metadata"] = f"{cycle.id}:{existing.id if existing is not None else 0}"
        open_view(client, body["trigger_id"], view)

    def submit_package(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        values = state_values_of(body.get("view"))
        meeting = _meeting(values)
        cycle_id = client_id((body.get("view") or {}).get("private_metadata"))
        with session_scope(deps.session_factory) as session:
            try:
                cycle, _who, _ = coordinated_cycle(session, body, cycle_id)
                if meeting is None:
                    raise Refusal(_("Choose the meeting's date."))
                if cycle.state not in ITEM_STATES:
                    raise InvalidState(_("Only an approved report goes to the committee."))
                check_meeting_date(cycle, meeting, _)
            except Refusal as refusal:
                ack(response_action="errors", errors={cb.MEETING_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                ack(response_action="errors", errors={cb.MEETING_BLOCK: exc.message})
                return
        with_docx = bool(_input(values, cb.DOCX_BLOCK).get("selected_options"))
        context[PACKAGE_KEY] = {
            "cycle_id": cycle_id,
            "meeting": meeting.isoformat(),
            "with_docx": with_docx,
        }
        ack()

    def upload_package(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        wanted = context.get(PACKAGE_KEY)
        if not wanted:
            return
        user_id = user_id_of(body)
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id)
            _ = gettext_for(who.viewer.locale)
            meeting = date.fromisoformat(wanted["meeting"])
            try:
                item = build_item(
                    session,
                    cycle_id=wanted["cycle_id"],
                    meeting=meeting,
                    locale=deps.settings.locale,
                    with_docx=wanted["with_docx"],
                    now=deps.clock.now(),
                    zone=deps.settings.timezone,
                    messages_locale=who.viewer.locale,
                )
                data = build_package(item)
            except WorkflowError as exc:
                post_dm(client, user_id, kit.message(escape(who.error_text(exc))))
                return
            cycle = session.get(Cycle, wanted["cycle_id"])
            assert cycle is not None
            name = f"dagsordenspunkt-{file_stem(cycle.area.name, cycle)}-{meeting.isoformat()}.zip"
        comment = _(
            "The agenda item package for the committee's meeting on {date}: "
            "sagsfremstilling.docx, the approved report as bilag, manifest and texts."
        ).format(date=kit.fmt_date(meeting, who.viewer.locale))
        for note in item.notes:
            comment += "\n" + note
        try:
            client.files_upload_v2(
                channel=dm_channel(client, user_id),
                initial_comment=comment,
                file_uploads=[{"file": data, "filename": name, "title": name}],
            )
        except SlackApiError as exc:
            log.warning("could not upload the committee package: %s", exc.response.get("error"))

    def submit_decision(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        values = state_values_of(body.get("view"))
        meta = str((body.get("view") or {}).get("private_metadata") or "")
        cycle_part, _sep, seen_part = meta.partition(":")
        cycle_id, seen = client_id(cycle_part), client_id(seen_part)
        meeting = _meeting(values)
        text = _input(values, cb.TEXT_BLOCK).get("value") or ""
        absent = (_input(values, cb.ABSENT_BLOCK).get("value") or "").splitlines()
        asked = [
            client_id(o.get("value"))
            for o in _input(values, cb.ASKS_BLOCK).get("selected_options") or []
            if isinstance(o, dict)
        ]
        key = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            now = deps.clock.now()
            try:
                cycle, who, _ = coordinated_cycle(session, body, cycle_id)
                if meeting is None:
                    raise Refusal(_("Choose the meeting's date."))
                existing = decision_of(session, cycle.id)
                with stored_once(session, key, now):
                    record_decision(
                        session,
                        cycle_id=cycle.id,
                        meeting=meeting,
                        text=text,
                        actor=Actor.of(who.require_person()),
                        now=now,
                        absent=absent,
                        asks_about=asked,
                        replace=existing is not None and existing.id == seen,
                        locale=who.viewer.locale,
                    )
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={cb.MEETING_BLOCK: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                block = _DECISION_FIELDS.get(exc.field or "", cb.TEXT_BLOCK)
                ack(response_action="errors", errors={block: exc.message})
                return
            context[DECISION_KEY] = {
                "area_id": cycle.area_id,
                "cycle_id": cycle.id,
                "told": _("The committee's decision of {date} is recorded for {area}.").format(
                    date=kit.fmt_date(meeting, who.viewer.locale), area=escape(cycle.area.name)
                ),
            }
        ack()

    def after_decision(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Tell the coordinator, and show the decision in a round collecting now."""
        done = context.get(DECISION_KEY)
        if not done:
            return
        post_dm(client, user_id_of(body), kit.message(done["told"]))
        with session_scope(deps.session_factory) as session:
            cycle = collecting_cycle(session, done["area_id"], besides=done["cycle_id"])
            if cycle is None:
                return
            now = deps.clock.now()
            people = session.scalars(
                select(Person)
                .join(PromptMessage, PromptMessage.person_id == Person.id)
                .where(PromptMessage.cycle_id == cycle.id)
                .distinct()
            ).all()
            for person in people:
                if not person.slack_user_id or not prompt_parts(session, cycle.id, person.id):
                    continue
                try:
                    sync_prompt(client, session, deps.settings, cycle, person, now)
                except SlackApiError as exc:
                    log.warning("could not update the prompt of person %s: %s", person.id, exc)

    app.action(cb.PACKAGE_ACTION)(ack=lambda ack: ack(), lazy=[guarded(open_package)])
    app.action(cb.DECISION_ACTION)(ack=lambda ack: ack(), lazy=[guarded(open_decision)])
    app.view(cb.PACKAGE_VIEW)(ack=submit_package, lazy=[upload_package])
    app.view(cb.DECISION_VIEW)(ack=submit_decision, lazy=[after_decision])
