"""``statusbot audit``: who did what, when — times in ``STATUSBOT_TIMEZONE``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.helpers import CycleOption, TeamOption, command_context, console, say, t, table


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """``2026-10-12 10:50:00 CEST``: the zone's abbreviation says which time it is."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if moment else ""


def audit(
    cycle: CycleOption = None,
    area: Annotated[str | None, typer.Option("--area", help="Only this area (name or id).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show the newest N events.", min=1)] = 200,
    team: TeamOption = "",
) -> None:
    """Print the audit log: who did what, when (oldest first)."""
    from bot.review.audit_log import audit_events, describe, event_areas
    from bot.workflow.cycles import get_cycle
    from bot.workflow.people import find_area
    from storage.models import Area

    with command_context() as ctx, ctx.session() as session:
        if cycle is not None:
            get_cycle(session, cycle)
        found = find_area(session, area, team_id=team) if area else None
        events = audit_events(
            session,
            cycle_id=cycle,
            area_id=found.id if found else None,
            area_name=found.name if found else None,
            limit=limit,
        )
        if not events:
            say("No audit events.")
            return
        names = dict(session.query(Area.id, Area.name).all())
        rows = table(
            t("When"),
            t("Who"),
            t("Action"),
            t("Area"),
            t("Cycle"),
            t("Detail"),
            title=t("Audit log (times in {zone})", zone=ctx.settings.timezone),
        )
        for event in events:
            where = names.get(event.area_id, "") if event.area_id else ", ".join(event_areas(event))
            rows.add_row(
                local_time(event.created_at, ctx.settings.zone),
                event.actor_label or "",
                event.action,
                where,
                str(event.cycle_id or ""),
                describe(event.detail or {}),
            )
        console.print(rows)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
