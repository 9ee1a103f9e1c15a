"""Jobs of recurring rounds (planned by :mod:`bot.workflow.schedules`):

* ``schedule.notice`` ``{area_id, as_of, opens_on}``, a week before the
  opening: one DM per coordinator of the area with Open now / Postpone… /
  Skip this round; each DM recorded when Slack accepted it (a re-run never
  sends it twice). A round postponed, skipped or opened meanwhile gets none.
* ``schedule.open`` ``{area_id, as_of, opens_on}``, on the opening day: opens
  the round (:func:`bot.workflow.schedules.open_round`). The scheduler's claim
  runs it in one process; the round row's guarded update makes a re-run (or a
  coordinator's Open now) a no-op.
* ``schedule.refused`` ``{area_id, as_of, reason}``: tells the coordinators
  why the scheduled round did not open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import kit
from bot.blocks import schedule as sb
from bot.blocks.model import Viewer
from bot.delivery.digest import tell_coordinators
from bot.delivery.registry import JobContext, job_handler
from bot.workflow import schedules
from storage.models import Area


def _round_of(ctx: JobContext) -> tuple[int, date]:
    payload = ctx.job.payload or {}
    return int(payload["area_id"]), date.fromisoformat(str(payload["as_of"]))


@job_handler(schedules.NOTICE_KIND)
def deliver_notice(ctx: JobContext) -> None:
    area_id, as_of = _round_of(ctx)
    opens_on = date.fromisoformat(str((ctx.job.payload or {})["opens_on"]))
    area = ctx.session.get(Area, area_id)
    row = schedules.noticed_round(ctx.session, area_id, as_of, opens_on)
    if area is None or row is None:
        return
    notice = schedules.round_notice(ctx.session, area, row, ctx.deps.settings.zone)

    def build(viewer: Viewer) -> dict[str, Any]:
        view = sb.NoticeView(
            area_id=notice.area_id,
            area=notice.area,
            as_of=notice.as_of,
            opens_on=notice.opens_on,
            deadline_text=kit.fmt_datetime(notice.deadline, viewer.tz, viewer.locale),
            initiatives=notice.initiatives,
            owners=notice.owners,
            away=notice.away,
        )
        return sb.notice_message(view, viewer, sb.texts(viewer.locale))

    tell_coordinators(ctx, area_id, build)


@job_handler(schedules.OPEN_KIND)
def open_scheduled_round(ctx: JobContext) -> None:
    area_id, as_of = _round_of(ctx)
    schedules.open_round(
        ctx.session,
        area_id=area_id,
        as_of=as_of,
        opens_on=date.fromisoformat(str((ctx.job.payload or {})["opens_on"])),
        actor=schedules.SCHEDULE_ACTOR,
        now=ctx.now,
        zone=ctx.deps.settings.zone,
    )


@job_handler(schedules.REFUSED_KIND)
def tell_refused(ctx: JobContext) -> None:
    area_id, as_of = _round_of(ctx)
    area = ctx.session.get(Area, area_id)
    if area is None:
        return
    reason = str((ctx.job.payload or {}).get("reason") or "")
    def build(viewer: Viewer) -> dict[str, Any]:
        return sb.refused_message(area.name, as_of, reason, viewer, sb.texts(viewer.locale))

    tell_coordinators(ctx, area_id, build)
