"""``statusbot committee …``: the agenda item package of an approved cycle, and
the committee's decision on it.

``committee item`` builds the whole ZIP in memory and writes it in one go, so a
refusal (unapproved or unknown cycle, bad template, meeting before the as-of
date) leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from bot.committee.settings import CommitteeView
    from storage.models import CommitteeDecision


from bot.cli.helpers import (
    EXIT_USAGE,
    RequiredCycleOption,
    command_context,
    console,
    existing_file,
    fail,
    output_file,
    read_text_file,
    say,
    t,
    table,
    usage_value,
    write_atomically,
)

committee_app = typer.Typer(
    help="The committee's agenda item package and its decision.", no_args_is_help=True
)

MeetingOption = Annotated[
    str, typer.Option("--meeting", help="The committee's meeting date, YYYY-MM-DD.")
]


@committee_app.command("item")
def committee_item(
    cycle: RequiredCycleOption,
    meeting: MeetingOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="The package to write (.zip).")],
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="The municipality's Word template with {{sagsfremstilling}}, {{sammenhaeng}}, "
            "{{oekonomi}} and {{indstilling}} placeholders (or content controls so tagged).",
        ),
    ] = None,
    with_docx: Annotated[
        bool, typer.Option("--with-docx", help="Attach the approved Word file as a second bilag.")
    ] = False,
) -> None:
    """Write the agenda item package of an approved cycle: case text, bilag, manifest."""
    from bot.clock import SystemClock
    from bot.committee.item import build_item
    from bot.committee.package import build_package
    from bot.workflow.dates import parse_date

    with command_context() as ctx:
        meeting_date = usage_value(parse_date, meeting, field="meeting")
        output_file(out)
        if out.suffix.lower() != ".zip":
            raise fail(
                t("{path} does not end in .zip; the package is a ZIP file.", path=out), EXIT_USAGE
            )
        template_bytes = existing_file(template).read_bytes() if template is not None else None
        with ctx.session() as session:
            item = build_item(
                session,
                cycle_id=cycle,
                meeting=meeting_date,
                locale=ctx.settings.locale,
                with_docx=with_docx,
                now=SystemClock().now(),
                zone=ctx.settings.timezone,
            )
            data = build_package(
                item,
                template=template_bytes,
                template_name=template.name if template is not None else "template",
            )
        write_atomically(out, data)
        for note in item.notes:
            console.print(note, markup=False)
        say(
            "Wrote {path}: the agenda item for the meeting on {date}, with {n} bilag.",
            path=out,
            date=meeting_date.isoformat(),
            n=len(item.bilag),
        )


@committee_app.command("decision")
def committee_decision(
    cycle: RequiredCycleOption,
    meeting: MeetingOption,
    text_file: Annotated[
        Path,
        typer.Option("--text-file", help="The decision's text (UTF-8)."),
    ],
    absent: Annotated[
        list[str] | None,
        typer.Option("--absent", help='An absent member, "Name (Org)"; repeat for each.'),
    ] = None,
    asks_about: Annotated[
        list[str] | None,
        typer.Option(
            "--asks-about",
            help="An initiative the committee asks about (key, id or title); repeat for each.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the decision already recorded (it is kept)."),
    ] = False,
) -> None:
    """Record the committee's decision on a cycle's report (audited)."""
    from bot.clock import SystemClock
    from bot.committee.decisions import record_decision
    from bot.registry.identity import find_initiative
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import get_cycle
    from bot.workflow.dates import parse_date

    with command_context() as ctx:
        meeting_date = usage_value(parse_date, meeting, field="meeting")
        body = read_text_file(text_file)
        with ctx.session() as session:
            found = get_cycle(session, cycle)
            asked = [
                find_initiative(session, ref, team_id=found.area.team_id, area_id=found.area_id).id
                for ref in asks_about or []
            ]
            result = record_decision(
                session,
                cycle_id=cycle,
                meeting=meeting_date,
                text=body,
                actor=Actor.cli(),
                now=SystemClock().now(),
                absent=absent or [],
                asks_about=asked,
                replace=replace,
                locale=ctx.settings.locale,
            )
            if result.replaced is not None:
                say(
                    "Replaced the decision of {old} (kept in the history).",
                    old=result.replaced.meeting_date.isoformat(),
                )
            say(
                "Recorded the committee's decision of {date} on cycle {cycle}; the next "
                "round's prompts show it.",
                date=meeting_date.isoformat(),
                cycle=cycle,
            )


@committee_app.command("show")
def committee_show(cycle: RequiredCycleOption) -> None:
    """Print the committee's decision on a cycle's report."""
    from bot.committee.decisions import decision_of
    from bot.workflow.cycles import get_cycle

    with command_context() as ctx, ctx.session() as session:
        get_cycle(session, cycle)
        decision = decision_of(session, cycle)
        if decision is None:
            say("No committee decision is recorded for cycle {cycle}.", cycle=cycle)
            return
        _print_decision(session, decision)


def committee_rows(rows: Table, view: CommitteeView) -> None:
    """The area's committee settings as rows of ``area show``'s table."""
    rows.add_row(t("Committee"), view.committee or "—")
    rows.add_row(t("Case number"), view.case_number or "—")
    rows.add_row(t("Access"), t("open") if view.is_open else t("closed"))
    for label, text in (
        (t("Background"), view.background),
        (t("Policy context"), view.policy),
        (t("Economy"), view.economy),
        (t("Recommendation"), view.recommendation),
    ):
        rows.add_row(label, _preview(text))


def _preview(text: str | None, limit: int = 60) -> str:
    if not text:
        return "—"
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _print_decision(session, decision: CommitteeDecision) -> None:  # type: ignore[no-untyped-def]
    from bot.committee.decisions import asked_initiatives

    rows = table(t("Field"), t("Value"), title=t("The committee's decision"))
    rows.show_header = False
    rows.add_row(t("Meeting"), decision.meeting_date.isoformat())
    rows.add_row(t("Decision"), decision.text)
    rows.add_row(t("Absent"), "\n".join(decision.absent or []) or "—")
    asked = asked_initiatives(session, decision)
    rows.add_row(
        t("Asks about"),
        "\n".join(f"{i.nr} · {i.title}" if i.nr else i.title for i in asked) or "—",
    )
    rows.add_row(
        t("Recorded"),
        f"{decision.recorded_at:%Y-%m-%d %H:%M} UTC · {decision.recorded_by_label or '—'}",
    )
    console.print(rows)


def register(app: typer.Typer) -> None:
    app.add_typer(committee_app, name="committee")
