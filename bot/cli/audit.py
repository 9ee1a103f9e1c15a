"""``statusbot audit``: who did what, when — times in ``STATUSBOT_TIMEZONE``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.helpers import CycleOption, TeamOption, command_context, console, say, t, table
from bot.workflow.messages import N_

# Audit detail keys (and ``kind`` codes, yes/no) as the reader names them.
AUDIT_LABELS = {
    "added": N_("added"),
    "after": N_("after"),
    "answered": N_("answered"),
    "approvals": N_("approvals"),
    "approvals_required": N_("approvals required"),
    "area_id": N_("area id"),
    "areas": N_("areas"),
    "areas_created": N_("areas created"),
    "as_of": N_("as of"),
    "before": N_("before"),
    "cancelled_jobs": N_("cancelled jobs"),
    "carried_forward": N_("carried forward"),
    "changed": N_("changed"),
    "changes": N_("changes"),
    "channel": N_("channel"),
    "comment": N_("comment"),
    "contributors": N_("contributors"),
    "created": N_("created"),
    "cycle_id": N_("cycle id"),
    "deadline": N_("deadline"),
    "delegate": N_("delegate"),
    "detail": N_("detail"),
    "documents": N_("documents"),
    "draft_number": N_("draft"),
    "entries": N_("entries"),
    "entry_id": N_("entry id"),
    "entry_ids": N_("entry ids"),
    "event_id": N_("event id"),
    "file": N_("file"),
    "final": N_("final"),
    "formats": N_("formats"),
    "initiative": N_("initiative"),
    "initiative_id": N_("initiative id"),
    "initiatives": N_("initiatives"),
    "intro": N_("intro"),
    "key": N_("key"),
    "kind": N_("kind"),
    "line": N_("line"),
    "missing": N_("missing"),
    "moved": N_("moved"),
    "needed": N_("needed"),
    "note": N_("note"),
    "now": N_("time"),
    "owner": N_("owner"),
    "owner_before": N_("owner before"),
    "people": N_("people"),
    "people_created": N_("people created"),
    "person": N_("person"),
    "person_id": N_("person id"),
    "phase": N_("phase"),
    "phase_after": N_("phase after"),
    "phase_before": N_("phase before"),
    "preview": N_("preview"),
    "previous_delegate": N_("previous delegate"),
    "previous_state": N_("previous state"),
    "reactivated": N_("reactivated"),
    "reason": N_("reason"),
    "remind": N_("reminders"),
    "removed": N_("removed"),
    "renamed": N_("renamed"),
    "report_channel": N_("report channel"),
    "retire_missing": N_("retire missing"),
    "retired": N_("retired"),
    "role": N_("role"),
    "round": N_("round"),
    "rounds": N_("rounds"),
    "rows": N_("rows"),
    "source": N_("source"),
    "state": N_("state"),
    "text": N_("text"),
    "title": N_("title"),
    "tracks_created": N_("tracks created"),
    "ts": N_("message"),
    "unchanged": N_("unchanged"),
    "unmatched": N_("unmatched"),
    "updated": N_("updated"),
    "via": N_("via"),
    "with_missing": N_("with missing"),
    "yes": N_("yes"),
    "no": N_("no"),
}


def audit_label(key: str) -> str:
    """A detail key in the reader's language; one this table does not know is
    shown as its words (``new_key`` → ``new key``)."""
    msgid = AUDIT_LABELS.get(key)
    return t(msgid) if msgid else key.replace("_", " ")


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
                describe(event.detail or {}, label=audit_label),
            )
        console.print(rows)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
