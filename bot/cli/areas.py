"""``statusbot area list/show/set``: the areas and their report settings.

``area set --channel`` takes a channel id (``C…``/``G…``) and, when a bot token
is at hand (``SLACK_BOT_TOKEN``, or the workspace's OAuth installation), asks
Slack (``conversations.info``) whether the bot is in that channel before
anything is saved: publishing there would fail otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.committee import committee_rows
from bot.cli.helpers import (
    TeamOption,
    command_context,
    console,
    fail,
    read_text_file,
    say,
    t,
    table,
)
from bot.clock import SystemClock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.settings import Settings
    from storage.models import Area

area_app = typer.Typer(
    help="List, show and change the areas' report settings.", no_args_is_help=True
)

INTRO_PREVIEW = 60


AreaArgument = Annotated[str, typer.Argument(metavar="AREA", help="Area name or id.")]


@area_app.command("list")
def area_list(team: TeamOption = "") -> None:
    """Every area with its report channel, approvals, reminders and initiatives."""
    from sqlalchemy import func, select

    from bot.review import read_settings
    from storage.models import Area, Initiative, Track

    with command_context() as ctx, ctx.session() as session:
        areas = list(session.scalars(select(Area).where(Area.team_id == team).order_by(Area.name)))
        if not areas:
            say("No areas yet. Import the registry with `statusbot import FILE`.")
            return
        counts = dict(
            session.execute(
                select(Track.area_id, func.count(Initiative.id))
                .join(Initiative, Initiative.track_id == Track.id)
                .where(Initiative.active)
                .group_by(Track.area_id)
            ).all()
        )
        rows = table(
            t("id"),
            t("area"),
            t("report channel"),
            t("approvals"),
            t("reminders"),
            t("initiatives"),
            t("intro"),
            right=(t("id"), t("approvals"), t("initiatives")),
        )
        for area in areas:
            shown = read_settings(area)
            rows.add_row(
                str(area.id),
                area.name,
                shown.report_channel or "—",
                str(shown.approvals_required),
                shown.default_reminders or "—",
                str(counts.get(area.id, 0)),
                _preview(shown.intro),
            )
        console.print(rows)


@area_app.command("show")
def area_show(area: AreaArgument, team: TeamOption = "") -> None:
    """Show the area's report channel, intro text, approvals needed and reminders."""
    from bot.workflow.people import find_area

    with command_context() as ctx, ctx.session() as session:
        _print_settings(find_area(session, area, team_id=team))


def _text_file_option(name: str, what: str) -> Any:
    return typer.Option(
        name, help=f"{what}: a UTF-8 text file (an empty file clears)."
    )


@area_app.command("set")
def area_set(
    area: AreaArgument,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help="Slack channel id (C…/G…) for published reports ('' clears); the bot must "
            "be a member.",
        ),
    ] = None,
    intro: Annotated[
        str | None, typer.Option("--intro", help="Intro paragraph(s) of the report.")
    ] = None,
    intro_file: Annotated[
        Path | None,
        typer.Option("--intro-file", help="Read the intro from a UTF-8 text file."),
    ] = None,
    approvals: Annotated[
        int | None, typer.Option("--approvals", help="Approvals needed: 1 or 2.")
    ] = None,
    remind: Annotated[
        str | None, typer.Option("--remind", help="Default reminders, e.g. 3d,1d,2h.")
    ] = None,
    date_line: Annotated[
        str | None,
        typer.Option(
            "--date-line",
            help="Line above the report's title, e.g. 'Grenaa, {date}' ({date}: the day "
            "the document is made; '' clears).",
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", help="Author named in the documents ('' clears)."),
    ] = None,
    committee: Annotated[
        str | None,
        typer.Option("--committee", help="The political committee of the agenda item ('' clears)."),
    ] = None,
    case_number: Annotated[
        str | None, typer.Option("--case-number", help="The agenda item's case number.")
    ] = None,
    access: Annotated[
        str | None,
        typer.Option(
            "--access", help="The agenda item's access: open or closed.", metavar="open|closed"
        ),
    ] = None,
    background_file: Annotated[
        Path | None, _text_file_option("--background-file", "The Sagsfremstilling's background")
    ] = None,
    policy_file: Annotated[
        Path | None,
        _text_file_option("--policy-file", "Relation to other policies/strategies and areas"),
    ] = None,
    economy_file: Annotated[
        Path | None, _text_file_option("--economy-file", "Financial consequences")
    ] = None,
    recommendation_file: Annotated[
        Path | None,
        _text_file_option("--recommendation-file", "The recommendation (Indstilling)"),
    ] = None,
    team: TeamOption = "",
) -> None:
    """Change an area's settings; options left out stay as they are."""
    from bot.committee.settings import update_committee
    from bot.review import update_settings
    from bot.review.area_settings import CHANNEL_ID, UNSET
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area

    with command_context() as ctx:
        if intro is not None and intro_file is not None:
            raise fail(t("Give --intro or --intro-file, not both."), 2)
        if intro_file is not None:
            intro = read_text_file(intro_file)
        texts = {  # every file is read before anything is written
            name: UNSET if path is None else read_text_file(path)
            for name, path in (
                ("background", background_file),
                ("policy", policy_file),
                ("economy", economy_file),
                ("recommendation", recommendation_file),
            )
        }
        changes: dict[str, Any] = {
            "report_channel": UNSET if channel is None else channel,
            "intro": UNSET if intro is None else intro,
            "approvals_required": UNSET if approvals is None else approvals,
            "default_reminders": UNSET if remind is None else remind,
            "date_line": UNSET if date_line is None else date_line,
            "organisation": UNSET if organisation is None else organisation,
        }
        with ctx.session() as session:
            found = find_area(session, area, team_id=team)
            wanted = (channel or "").strip().upper()
            if CHANNEL_ID.match(wanted):  # a malformed id is refused by update_settings
                check_report_channel(ctx.settings, ctx.engine, team, wanted)
            now = SystemClock().now()
            update_settings(session, area_id=found.id, actor=Actor.cli(), now=now, **changes)
            update_committee(
                session,
                area_id=found.id,
                actor=Actor.cli(),
                now=now,
                committee=UNSET if committee is None else committee,
                case_number=UNSET if case_number is None else case_number,
                access=UNSET if access is None else access,
                **texts,
            )
            _print_settings(found)


def check_report_channel(settings: Settings, engine: Engine, team: str, channel: str) -> None:
    """Refuse ``channel`` unless Slack says the bot is a member (when a token is
    at hand; without one, say that it was not checked). Runs before anything is
    written, so nothing needs undoing."""
    from slack_sdk.errors import SlackApiError

    client = _client_for(settings, engine, team)
    if client is None:
        say("The channel was not checked with Slack (no bot token here).")
        return
    try:
        found = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = str(exc.response.get("error") if exc.response is not None else "unknown")
        if error == "channel_not_found":
            raise fail(
                t(
                    "Slack knows no channel {channel} that the bot can see: check the id, "
                    "or invite the bot to the private channel (/invite @statusbot). "
                    "Nothing was changed.",
                    channel=channel,
                )
            ) from None
        raise fail(
            t(
                "Slack did not answer which channel {channel} is ({error}). Nothing was changed.",
                channel=channel,
                error=error,
            )
        ) from None
    except Exception as exc:  # network: DNS, refused, timeout, TLS
        raise fail(
            t(
                "Cannot reach Slack at {url} to check channel {channel} ({error}). "
                "Nothing was changed.",
                url=settings.slack_api_url,
                channel=channel,
                error=type(exc).__name__,
            )
        ) from None
    name = found.get("name") or channel
    if found.get("is_archived"):
        raise fail(
            t("#{name} ({channel}) is archived. Nothing was changed.", name=name, channel=channel)
        )
    if not found.get("is_member"):
        raise fail(
            t(
                "The bot is not a member of #{name} ({channel}): invite it with "
                "/invite @statusbot there, then run this again. Nothing was changed.",
                name=name,
                channel=channel,
            )
        )
    say("Slack: the bot is a member of #{name}.", name=name)


def _client_for(settings: Settings, engine: Engine, team: str) -> Any:
    """A bot-token client for ``team``, or None when no token is at hand."""
    from slack_sdk import WebClient

    if settings.slack_bot_token is not None:
        return WebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url,
            timeout=10,
        )
    if not settings.oauth_enabled:
        return None
    from bot.delivery.registry import RetryLater
    from bot.oauth import InstalledWorkspaces, NotInstalled

    workspaces = InstalledWorkspaces(settings, engine, WebClient(base_url=settings.slack_api_url))
    try:
        return workspaces.client(workspaces.installation(team))
    except (NotInstalled, RetryLater):
        return None


def _preview(text: str | None) -> str:
    if not text:
        return "—"
    line = " ".join(text.split())
    return line if len(line) <= INTRO_PREVIEW else line[: INTRO_PREVIEW - 1] + "…"


def _print_settings(area: Area) -> None:
    from sqlalchemy.orm import object_session

    from bot.committee.settings import read_committee
    from bot.review import read_settings

    shown = read_settings(area)
    rows = table(t("Setting"), t("Value"), title=shown.name)
    rows.show_header = False
    rows.add_row(t("Report channel"), shown.report_channel or "—")
    rows.add_row(t("Approvals needed"), str(shown.approvals_required))
    rows.add_row(t("Default reminders"), shown.default_reminders or "—")
    rows.add_row(t("Date line"), shown.date_line or "—")
    rows.add_row(t("Organisation"), shown.organisation or "—")
    rows.add_row(t("Intro"), shown.intro or "—")
    committee_rows(rows, read_committee(object_session(area), area.id))
    console.print(rows)


def register(app: typer.Typer) -> None:
    app.add_typer(area_app, name="area")
