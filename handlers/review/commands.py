"""`/status compile|approve|publish|reopen|settings [area]` for coordinators.

Registered in the conversation engineer's sub-command table on import. With
no area the coordinator's area is used; with several, the reply asks which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from bot.blocks import kit
from bot.blocks import review as rb
from bot.blocks.text import Mrkdwn, escape
from bot.delivery.review import enqueue_compile
from bot.review import approvals_needed, publish
from bot.review.approve import is_closed, missing_titles, round_approvers
from bot.review.common import require_coordinator
from bot.review.i18n import gettext_for
from bot.workflow.actor import Actor
from bot.workflow.cycles import current_cycle
from bot.workflow.permissions import coordinated_area_ids
from handlers.commands.coordinator import find_area
from handlers.commands.registry import CommandCall, Reply, subcommand
from handlers.common import Refusal
from handlers.review.views import open_view, settings_view
from storage.models import Area, Cycle

SUBCOMMAND_ACTIONS = {
    "compile": rb.COMPILE,
    "approve": rb.APPROVE,
    "publish": rb.PUBLISH,
    "reopen": rb.REOPEN,
}


def N_(text: str) -> str:
    return text


def _texts(call: CommandCall) -> rb.Gettext:
    return gettext_for(call.who.viewer.locale)


def _areas(call: CommandCall) -> list[Area]:
    """The area named after the sub-command, else every area the caller coordinates."""
    _ = _texts(call)
    person = call.who.require_person()
    if call.text.strip():
        area = find_area(call, call.text)
        if area is None:
            raise Refusal(_("There is no area called “{name}”.").format(name=call.text.strip()))
        require_coordinator(call.session, Actor.of(person), area, _)
        return [area]
    ids = coordinated_area_ids(call.session, person)
    if not ids:
        raise Refusal(_("Only coordinators can do this."))
    return [call.session.get(Area, i) for i in ids if call.session.get(Area, i) is not None]  # type: ignore[misc]


def _cycles(call: CommandCall) -> list[Cycle]:
    _ = _texts(call)
    areas = _areas(call)
    cycles = [c for c in (current_cycle(call.session, a.id) for a in areas) if c is not None]
    if not cycles:
        names = ", ".join(a.name for a in areas)
        raise Refusal(_("{areas} has no current reporting cycle.").format(areas=names))
    return cycles


def _one_cycle(
    name: str,
) -> Callable[[Callable[[CommandCall, Cycle, rb.Gettext], Reply]], Callable[[CommandCall], Reply]]:
    """For sub-commands about the current cycle of the caller's area: with
    several areas, ask which one (buttons that run ``name`` for it)."""

    def wrap(
        fn: Callable[[CommandCall, Cycle, rb.Gettext], Reply],
    ) -> Callable[[CommandCall], Reply]:
        @functools.wraps(fn)
        def command(call: CommandCall) -> Reply:
            cycles = _cycles(call)
            if len(cycles) > 1:
                return _which(call, name, cycles)
            return fn(call, cycles[0], _texts(call))

        return command

    return wrap


def _which(call: CommandCall, name: str, cycles: list[Cycle]) -> Reply:
    _ = _texts(call)
    text = _("You coordinate several areas. Which one?")
    buttons = [
        rb.button(c.area.name, SUBCOMMAND_ACTIONS[name], rb.Ref(c.id).encode()) for c in cycles
    ]
    return Reply(text=text, blocks=[kit.section(escape(text)), kit.actions(*buttons)])


@subcommand(
    "compile",
    usage="/status compile [area]",
    summary=N_("compile a draft of the report and send it to you"),
    coordinators=True,
    domain="review",
    aliases=("kompiler", "udkast"),
)
@_one_cycle("compile")
def compile_command(call: CommandCall, cycle: Cycle, _: rb.Gettext) -> Reply:
    enqueue_compile(call.session, cycle, call.who.require_person(), call.now)
    call.session.commit()
    return Reply(
        text=_(
            "Compiling a draft of {area}… you will get it as a direct message in a moment."
        ).format(area=cycle.area.name)
    )


@subcommand(
    "approve",
    usage="/status approve [area]",
    summary=N_("approve the report (asks for confirmation)"),
    coordinators=True,
    domain="review",
    aliases=("godkend",),
)
@_one_cycle("approve")
def approve_command(call: CommandCall, cycle: Cycle, _: rb.Gettext) -> Reply:
    if cycle.state in ("approved", "published"):
        return Reply(text=_("{area}: the report is already approved.").format(area=cycle.area.name))
    missing = missing_titles(call.session, cycle.id)
    if missing and not is_closed(cycle, call.now):
        message = rb.missing_confirmation(
            cycle.id,
            missing,
            _("{n} initiatives have no answer yet. Approve anyway with missing answers?").format(
                n=len(missing)
            ),
            _,
        )
        return Reply(text=message["text"], blocks=message["blocks"])
    done = [p.label for p in round_approvers(call.session, cycle)]
    text = _("Approve the report of {area}? Approvals so far: {done} of {needed}.").format(
        area=cycle.area.name, done=len(done), needed=approvals_needed(call.session, cycle)
    )
    blocks: list[dict[str, Any]] = [
        kit.section(escape(text)),
        kit.actions(
            rb.button(_("Approve"), rb.APPROVE, rb.Ref(cycle.id).encode(), style="primary"),
            rb.button(_("Compile draft"), rb.COMPILE, rb.Ref(cycle.id).encode()),
        ),
    ]
    return Reply(text=text, blocks=blocks)


@subcommand(
    "publish",
    usage="/status publish [area]",
    summary=N_("post the approved report to the area's channel"),
    coordinators=True,
    domain="review",
    aliases=("offentliggør", "udgiv"),
)
@_one_cycle("publish")
def publish_command(call: CommandCall, cycle: Cycle, _: rb.Gettext) -> Reply:
    result = publish(
        call.session,
        cycle_id=cycle.id,
        actor=Actor.of(call.who.require_person()),
        now=call.now,
        locale=call.who.viewer.locale,
    )
    call.session.commit()
    text = published_text(result, _)
    return Reply(text=Mrkdwn(text), blocks=[kit.section(text)])


def published_text(result: Any, _: rb.Gettext) -> str:
    """Slack mrkdwn (the channel is a link); names are escaped."""
    pub = result.publication
    if not result.changed:
        return escape(
            _("{area}: the report was already published.").format(area=pub.cycle.area.name)
        )
    return _("{area}: publishing the approved report in <#{channel}>.").format(
        area=escape(pub.cycle.area.name), channel=pub.channel
    )


@subcommand(
    "reopen",
    usage="/status reopen [area]",
    summary=N_("reopen a closed or approved report for changes"),
    coordinators=True,
    domain="review",
    aliases=("genåbn",),
)
@_one_cycle("reopen")
def reopen_command(call: CommandCall, cycle: Cycle, _: rb.Gettext) -> Reply:
    view = rb.reopen_modal(rb.Ref(cycle.id), cycle.area.name, _)
    open_view(call.client, str(call.body.get("trigger_id") or ""), view)
    return Reply(text=_("Say why in the form that opened."))


@subcommand(
    "settings",
    usage="/status settings [area]",
    summary=N_("report channel, intro text, approvals and reminders of an area"),
    coordinators=True,
    domain="review",
    aliases=("indstillinger",),
)
def settings_command(call: CommandCall) -> Reply:
    _ = _texts(call)
    areas = _areas(call)
    if len(areas) > 1:
        text = _("You coordinate several areas. Which one?")
        buttons = [rb.button(a.name, rb.SETTINGS, str(a.id)) for a in areas]
        return Reply(text=text, blocks=[kit.section(escape(text)), kit.actions(*buttons[:25])])
    view = settings_view(call.session, areas[0], call.now, _, call.who.viewer.locale)
    open_view(call.client, str(call.body.get("trigger_id") or ""), view)
    return Reply(text=_("The settings of {area} are open in a form.").format(area=areas[0].name))
