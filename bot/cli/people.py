"""``statusbot person set EMAIL|USER --channel slack|email``: how a person is reached.

The ``person`` group is shared with other modules that add commands to it
(:func:`bot.cli.helpers.command_group` finds it or makes it). Every change is audited.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.helpers import (
    EXIT_USAGE,
    PERSON_HELP,
    TeamOption,
    command_context,
    command_group,
    fail,
    say,
    t,
)


def person_set(
    user: Annotated[
        str, typer.Argument(metavar="EMAIL|USER", help="E-mail address or Slack user ID.")
    ],
    channel: Annotated[
        str, typer.Option("--channel", help="How prompts and reminders reach them: slack or email.")
    ],
    team: TeamOption = "",
) -> None:
    """Choose how a person gets prompts and reminders."""
    from bot.clock import SystemClock
    from bot.mail.jobs import CHANNELS, EMAIL
    from bot.workflow import audit
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_person

    wanted = channel.strip().casefold().replace("e-mail", "email")
    if wanted not in CHANNELS:
        raise fail(t("--channel must be slack or email."), EXIT_USAGE)
    with command_context() as ctx, ctx.session() as session:
        person = find_person(session, user, team_id=team)
        if wanted == EMAIL and not person.email:
            raise fail(t("{who} has no e-mail address; import it first.", who=person.label))
        before = person.channel
        if before != wanted:
            person.channel = wanted
            audit.record(
                session, Actor.cli(), "person.channel", now=SystemClock().now(),
                person_id=person.id, person=person.label, channel=wanted, before=before,
            )  # fmt: skip
        if wanted == EMAIL and not ctx.settings.mail_enabled:
            say(
                "STATUSBOT_SMTP_URL is not set: until it is, coordinators are told that "
                "{who} cannot be reached.",
                who=person.label,
            )
        say("{who} is reached by {channel}.", who=person.label, channel=wanted)


def register(app: typer.Typer) -> None:
    command_group(app, "person", PERSON_HELP).command("set")(person_set)
