"""Checking import rows: every problem is collected, none is written."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ImportPlan",
    "ImportRejected",
    "PlannedInitiative",
    "Problem",
    "plan_import",
    "text_key",
]

from bot.errors import InvalidInput
from bot.importing.reader import OPTIONAL, Table
from bot.registry.identity import text_key
from bot.registry.lengths import too_long
from bot.workflow.messages import N_, translate
from bot.workflow.people import parse_user
from storage.richtext import clean_text


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
    key: str = ""  # the stable key (column nr/key); "" when the cell is empty
    description: str = ""
    channel: str = "slack"  # how the owner is reached (column kanal/channel)


@dataclass
class ImportPlan:
    initiatives: list[PlannedInitiative] = field(default_factory=list)
    # The optional columns the file has: an absent one leaves its field unchanged.
    columns: set[str] = field(default_factory=lambda: set(OPTIONAL))

    def has(self, column: str) -> bool:
        return column in self.columns

    @property
    def area_names(self) -> list[str]:
        return list(dict.fromkeys(i.area for i in self.initiatives))


# Cell → channel; an empty cell is the default, Slack.
CHANNELS = {"": "slack", "slack": "slack", "email": "email", "e-mail": "email", "mail": "email"}


def plan_import(table: Table) -> ImportPlan:
    """Check every row; raise :class:`ImportRejected` listing all problems."""
    problems = [Problem(line, message) for line, message in table.problems]
    plan = ImportPlan(columns=set(table.columns) & set(OPTIONAL))
    seen: dict[tuple[str, str, str], int] = {}
    seen_keys: dict[str, int] = {}
    # Without a required column every row would repeat the header's problem.
    rows = [] if table.missing_columns else table.rows
    # A row with a reader problem (a formula cell) is reported once, for that.
    flagged = {line for line, _message in table.problems}
    rows = [row for row in rows if row.line not in flagged]
    for row in rows:
        values = {k: clean_text(v) for k, v in row.values.items()}
        bad = False

        def problem(message: str, _line: int = row.line) -> None:
            nonlocal bad
            bad = True
            problems.append(Problem(_line, message))

        area, track, title = values["area"], values["track"], values["initiative"]
        for kind, value, missing in (
            ("area", area, N_("The area is missing.")),
            ("track", track, N_("The track is missing.")),
            ("title", title, N_("The initiative's title is missing.")),
        ):
            reason = translate(missing) if not value else too_long(kind, value)
            if reason:
                problem(reason)
        key = values["key"]
        if reason := too_long("key", key):
            problem(reason)
        elif key and text_key(key) in seen_keys:
            problem(
                translate(
                    N_("The key “{key}” appears twice (also on line {other})."),
                    key=key,
                    other=seen_keys[text_key(key)],
                )
            )
        elif key:
            seen_keys[text_key(key)] = row.line
        owner = parse_user(values["owner"])
        if owner is not None and owner[1] and (reason := too_long("email", owner[1])):
            problem(reason)
        elif owner is None:
            problem(
                translate(
                    N_(
                        "The owner “{value}” is neither a Slack user ID (U… or W…) "
                        "nor an e-mail address."
                    ),
                    value=values["owner"],
                )
            )
        channel = CHANNELS.get(values.get("channel", "").casefold())
        if channel is None:
            problem(
                translate(
                    N_("The channel “{value}” is neither slack nor e-mail."),
                    value=values.get("channel", ""),
                )
            )
        elif channel == "email" and owner is not None and not owner[1]:
            problem(translate(N_("The channel e-mail needs the owner's e-mail address.")))
        if area and track and title:
            identity = (text_key(area), text_key(track), text_key(title))
            if identity in seen:
                problem(
                    translate(
                        N_(
                            "The initiative “{title}” appears twice in track “{track}” "
                            "(also on line {other})."
                        ),
                        title=title,
                        track=track,
                        other=seen[identity],
                    )
                )
            else:
                seen[identity] = row.line
        if not bad and owner is not None:
            plan.initiatives.append(
                PlannedInitiative(
                    row.line,
                    area,
                    track,
                    title,
                    values["plan"],
                    *owner,
                    key=key,
                    description=values["description"],
                    channel=channel or "slack",
                )
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
