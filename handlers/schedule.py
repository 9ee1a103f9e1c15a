"""Recurring rounds in Slack: the notice's Open now / Postpone… / Skip this
round, the Postpone… modal, and the area's Schedule modal (opened from the
area settings). Thin: parse, call :mod:`bot.workflow.schedules`, answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import ids, kit
from bot.blocks import schedule as sb
from bot.errors import WorkflowError
from bot.runtime import Deps
from bot.workflow import schedules
from bot.workflow.actor import Actor
from handlers.common import Caller, Refusal, caller, client_id, log, user_id_of
from handlers.review.common import action_value, reply
from handlers.review.views import open_view
from handlers.submissions import Replayed, stored_once, submission_key
from storage.db import session_scope
from storage.models import Area


def _ack(ack: Ack) -> None:
    ack()


def _texts(who: Caller) -> sb.Gettext:
    return sb.texts(who.viewer.locale)


def _area(session: Session, area_id: int, _: sb.Gettext) -> Area:
    area = session.get(Area, area_id) if area_id else None
    if area is None:
        raise Refusal(_("This button does not belong to any area I know; nothing changed."))
    return area


def _date_text(day: date, who: Caller) -> str:
    return kit.fmt_date(day, who.viewer.locale)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    state = ((body.get("view") or {}).get("state") or {}).get("values")
    return state if isinstance(state, dict) else {}


def _input(values: dict[str, Any], block: str) -> dict[str, Any]:
    found = (values.get(block) or {}).get(sb.VALUE) if isinstance(values.get(block), dict) else None
    return found if isinstance(found, dict) else {}


def settle(client: WebClient, body: dict[str, Any], line: str) -> None:
    """Replace the clicked notice's buttons with what was done (when the click
    came from a message)."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts:
        return
    blocks = (body.get("message") or {}).get("blocks") or []
    try:
        client.chat_update(channel=channel, ts=ts, **sb.settled_notice(blocks, line))
    except SlackApiError as exc:
        log.warning("could not update the notice: %s", exc.response.get("error"))


def schedule_form(
    session: Session, area: Area, deps: Deps, who: Caller, _: sb.Gettext
) -> sb.ScheduleForm:
    view = schedules.schedule_view(session, area, deps.clock.now(), deps.settings.zone)
    if view is None:
        return sb.ScheduleForm(area.id, area.name)
    spec, plan = view.spec, view.next
    next_line = (
        _("Next round: opens {opens}, as of {as_of}.").format(
            opens=_date_text(plan.opens_on, who), as_of=_date_text(plan.as_of, who)
        )
        if plan
        else ""
    )
    return sb.ScheduleForm(
        area_id=area.id,
        area=area.name,
        as_of=spec.as_of_text,
        open_before=f"{spec.open_before_days}d",
        answer_days=str(spec.answer_days),
        remind=spec.reminders or "",
        next_line=next_line,
    )


def register(app: App, deps: Deps) -> None:
    zone = deps.settings.zone

    def guarded(work: Any) -> Any:
        """Run ``work(body, client, session, caller, _)``; a refusal or broken
        rule is told to the clicker and nothing is stored."""

        def listener(body: dict[str, Any], client: WebClient) -> None:
            with session_scope(deps.session_factory) as session:
                who = caller(session, deps, user_id_of(body))
                _ = _texts(who)
                try:
                    work(body, client, session, who, _)
                except Refusal as refusal:
                    session.rollback()
                    reply(client, body, sb.done_notice(refusal.message))
                except WorkflowError as exc:
                    session.rollback()
                    reply(client, body, sb.done_notice(who.error_text(exc)))

        return listener

    def decide(
        rule: Any, body: dict[str, Any], session: Session, who: Caller, _: sb.Gettext
    ) -> tuple[Area, sb.RoundRef, Any]:
        """Apply ``rule`` (open_round, skip_round) to the round the button names, committed."""
        ref = sb.decode_ref(action_value(body))
        if ref is None:
            raise Refusal(_("This button does not belong to any area I know; nothing changed."))
        area = _area(session, ref.area_id, _)
        result = rule(
            session,
            area_id=area.id,
            as_of=ref.as_of,
            actor=Actor.of(who.require_person()),
            now=deps.clock.now(),
            zone=zone,
        )
        session.commit()
        return area, ref, result

    def open_now(
        body: dict[str, Any], client: WebClient, session: Session, who: Caller, _: sb.Gettext
    ) -> None:
        area, ref, opened = decide(schedules.open_round, body, session, who, _)
        if opened.cycle is None:
            text = _("The round as of {as_of} is no longer planned; nothing changed.")
        elif opened.new:
            text = _(
                "The round of {area} as of {as_of} is open (cycle {cycle}); the prompts go out now."
            )
        else:
            text = _("The round of {area} as of {as_of} was already opened (cycle {cycle}).")
        line = text.format(
            area=area.name,
            as_of=_date_text(ref.as_of, who),
            cycle=opened.cycle.id if opened.cycle else "",
        )
        reply(client, body, sb.done_notice(line))
        if opened.cycle is not None:
            settle(client, body, line)

    def skip(
        body: dict[str, Any], client: WebClient, session: Session, who: Caller, _: sb.Gettext
    ) -> None:
        area, ref, upcoming = decide(schedules.skip_round, body, session, who, _)
        text = _("Skipped the round of {area} as of {as_of}.").format(
            area=area.name, as_of=_date_text(ref.as_of, who)
        )
        if upcoming is not None:
            text += " " + _("The next round opens on {opens}.").format(
                opens=_date_text(upcoming.opens_on, who)
            )
        reply(client, body, sb.done_notice(text))
        settle(client, body, text)

    def open_postpone(
        body: dict[str, Any], client: WebClient, session: Session, who: Caller, _: sb.Gettext
    ) -> None:
        ref = sb.decode_ref(action_value(body))
        area = _area(session, ref.area_id if ref else 0, _)
        plan = schedules.next_round(
            session, area.id, schedules.local_today(deps.clock.now(), zone), zone
        )
        if ref is None or plan is None or plan.as_of != ref.as_of:
            raise Refusal(_("This round is no longer planned; nothing changed."))
        open_view(
            client,
            body["trigger_id"],
            sb.postpone_modal(ref, area.name, plan.opens_on, _, who.viewer),
        )

    def edit_schedule(
        body: dict[str, Any], client: WebClient, session: Session, who: Caller, _: sb.Gettext
    ) -> None:
        area = _area(session, client_id(action_value(body)), _)
        view = sb.schedule_modal(schedule_form(session, area, deps, who, _), _)
        # From inside the area settings modal: on top of it.
        client.views_push(trigger_id=body["trigger_id"], view=view)

    for action_id, work in (
        (sb.OPEN_NOW, open_now),
        (sb.SKIP, skip),
        (sb.POSTPONE, open_postpone),
        (sb.EDIT, edit_schedule),
    ):
        app.action(ids.action_pattern(action_id))(ack=_ack, lazy=[guarded(work)])

    def submitted(ack: Ack, body: dict[str, Any], store: Any, block_for: Any) -> None:
        """Run ``store(session, who, _)`` once per submission; what it refuses
        goes back next to the field ``block_for(field)`` names."""
        seen = submission_key(body.get("view"))
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            _ = _texts(who)
            try:
                with stored_once(session, seen, deps.clock.now()):
                    store(session, who, _)
            except Replayed:
                ack()
                return
            except Refusal as refusal:
                ack(response_action="errors", errors={block_for(None): refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                ack(response_action="errors", errors={block_for(exc.field): who.error_text(exc)})
                return
        ack()

    def submit_postpone(ack: Ack, body: dict[str, Any]) -> None:
        ref = sb.decode_ref((body.get("view") or {}).get("private_metadata"))
        chosen = _input(_values(body), sb.OPENS_ON_BLOCK).get("selected_date")

        def store(session: Session, who: Caller, _: sb.Gettext) -> None:
            try:
                day = date.fromisoformat(str(chosen))
            except ValueError:
                raise Refusal(_("Choose a date.")) from None
            if ref is None:
                raise Refusal(_("This form does not belong to any area I know."))
            schedules.postpone_round(
                session,
                area_id=ref.area_id,
                as_of=ref.as_of,
                opens_on=day,
                actor=Actor.of(who.require_person()),
                now=deps.clock.now(),
                zone=zone,
            )

        submitted(ack, body, store, lambda _field: sb.OPENS_ON_BLOCK)

    def submit_schedule(ack: Ack, body: dict[str, Any]) -> None:
        values = _values(body)
        fields = {
            block: str(_input(values, block).get("value") or "").strip()
            for block in (
                sb.AS_OF_BLOCK,
                sb.OPEN_BEFORE_BLOCK,
                sb.ANSWER_DAYS_BLOCK,
                sb.REMIND_BLOCK,
            )
        }
        area_id = client_id((body.get("view") or {}).get("private_metadata"))

        def store(session: Session, who: Caller, _: sb.Gettext) -> None:
            area = _area(session, area_id, _)
            actor, now = Actor.of(who.require_person()), deps.clock.now()
            current = schedules.schedule_view(session, area, now, zone)
            if any(fields.values()):
                spec = schedules.parse_schedule(
                    as_of=fields[sb.AS_OF_BLOCK],
                    open_before=fields[sb.OPEN_BEFORE_BLOCK],
                    answer_days=fields[sb.ANSWER_DAYS_BLOCK],
                    remind=fields[sb.REMIND_BLOCK] or None,
                    # The form has no title field: keep the one set on the command line.
                    title=current.spec.title if current else None,
                )
                schedules.set_schedule(
                    session, area_id=area.id, spec=spec, actor=actor, now=now, zone=zone
                )
            elif current is not None:  # all emptied: no schedule
                schedules.clear_schedule(session, area_id=area.id, actor=actor, now=now, zone=zone)

        submitted(ack, body, store, lambda field: sb.FIELD_BLOCKS.get(field or "", sb.AS_OF_BLOCK))

    app.view(sb.POSTPONE_VIEW)(submit_postpone)
    app.view(sb.SCHEDULE_VIEW)(submit_schedule)
