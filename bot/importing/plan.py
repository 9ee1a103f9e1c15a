"""Checking import rows: every problem is collected, none is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.errors import InvalidInput
from bot.importing.reader import Table
from bot.workflow.messages import N_, translate
from bot.workflow.people import parse_user
from storage.richtext import clean_text

MAX_TITLE = 1000
MAX_NAME = 200


def text_key(value: str) -> str:
    """The stable key of a name: spaces collapsed, case folded."""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return translate(N_("line {line}: {message}"), line=self.line, message=self.message)


class ImportRejected(InvalidInput):
    """The file has bad rows; ``problems`` lists each with its line number."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class PlannedInitiative:
    line: int
    area: str
    track: str
    title: str
    plan: str
    owner_slack_id: str | None
    owner_email: str | None


@dataclass
class ImportPlan:
    initiatives: list[PlannedInitiative] = field(default_factory=list)

    @property
    def area_names(self) -> list[str]:
        return list(dict.fromkeys(i.area for i in self.initiatives))


def plan_import(table: Table) -> ImportPlan:
    """Check every row; raise :class:`ImportRejected` listing all problems."""
    problems = [Problem(line, message) for line, message in table.problems]
    plan = ImportPlan()
    seen: dict[tuple[str, str, str], int] = {}
    # Without a required column every row would repeat the header's problem.
    rows = [] if table.missing_columns else table.rows
    for row in rows:
        values = {k: clean_text(v) for k, v in row.values.items()}
        bad = False

        def problem(message: str, _line: int = row.line) -> None:
            nonlocal bad
            bad = True
            problems.append(Problem(_line, message))

        area, track, title = values["area"], values["track"], values["initiative"]
        if not area:
            problem(translate(N_("The area is missing.")))
        elif len(area) > MAX_NAME:
            problem(
                translate(N_("The area name is longer than {limit} characters."), limit=MAX_NAME)
            )
        if not track:
            problem(translate(N_("The track is missing.")))
        elif len(track) > 500:
            problem(translate(N_("The track name is longer than {limit} characters."), limit=500))
        if not title:
            problem(translate(N_("The initiative's title is missing.")))
        elif len(title) > MAX_TITLE:
            problem(
                translate(
                    N_("The initiative's title is longer than {limit} characters."), limit=MAX_TITLE
                )
            )
        owner = parse_user(values["owner"])
        if owner is None:
            problem(
                translate(
                    N_(
                        "The owner “{value}” is neither a Slack user ID (U… or W…) "
                        "nor an e-mail address."
                    ),
                    value=values["owner"],
                )
            )
        if area and track and title:
            key = (text_key(area), text_key(track), text_key(title))
            if key in seen:
                problem(
                    translate(
                        N_(
                            "The initiative “{title}” appears twice in track “{track}” "
                            "(also on line {other})."
                        ),
                        title=title,
                        track=track,
                        other=seen[key],
                    )
                )
            else:
                seen[key] = row.line
        if not bad and owner is not None:
            plan.initiatives.append(
                PlannedInitiative(row.line, area, track, title, values["plan"], *owner)
            )
    if not problems and not plan.initiatives:
        problems.append(Problem(1, translate(N_("The file has no initiatives."))))
    if problems:
        problems.sort(key=lambda p: p.line)
        lines = len({p.line for p in problems})
        raise ImportRejected(
            translate(
                N_("The file has problems on {count} line(s); nothing was imported."),
                count=lines,
            ),
            problems,
        )
    return plan
