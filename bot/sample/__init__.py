"""Built-in sample data for ``statusbot demo``: a fictional municipality's area.

The files next to this module are the source of truth:

- ``registry.csv`` - areas, tracks and initiatives in the CONTRACT import format
  (``;``-separated, Danish headers, owners as e-mail);
- ``people.json`` - the managers, the coordinators and who is admin;
- ``baseline.json`` - the previous approved report (status text and phase per initiative);
- ``script.json`` - what happens in the demo cycle: each initiative's action, one
  send-back, the approvals and the area's intro.

Status texts are written in :class:`storage.richtext.StatusText` markup. People are
referred to by Slack user id in the JSON files and by e-mail in the CSV.
:func:`load_sample` validates the files against each other and raises
:class:`SampleDataError` listing every problem.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from storage.models import Phase
from storage.richtext import StatusText

REGISTRY_FILE = "registry.csv"
PEOPLE_FILE = "people.json"
BASELINE_FILE = "baseline.json"
SCRIPT_FILE = "script.json"
REGISTRY_HEADERS = ("område", "udviklingsspor", "tiltag", "iværksættelse", "ansvarlig")

_EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_OFFSETS = re.compile(r"^\d+[dhms](,\d+[dhms])*$")


class SampleDataError(ValueError):
    """The sample files are inconsistent; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid sample data:\n" + "\n".join(f"- {p}" for p in problems))


class InitiativeKey(NamedTuple):
    """How the sample files identify an initiative: its track and its title."""

    track: str
    title: str


def _markup(value: Any) -> Any:
    return StatusText.from_markup(value) if isinstance(value, str) else value


def _non_empty(value: StatusText) -> StatusText:
    if not value:
        raise ValueError("status text is empty")
    return value


Markup = Annotated[StatusText, BeforeValidator(_markup), AfterValidator(_non_empty)]
SlackUserId = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]{2,}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SamplePerson(_Frozen):
    slack_user_id: SlackUserId
    email: str
    display_name: str = Field(min_length=1)
    title: str = ""  # job title, for the demo's narration
    tz: str = "Europe/Copenhagen"
    locale: str = "da-DK"
    # "email": the demo's owner outside Slack (prompted by e-mail, answers in the web form)
    channel: Literal["slack", "email"] = "slack"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value

    @field_validator("tz")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Workspace(_Frozen):
    team_id: str = Field(pattern=r"^T[A-Z0-9]+$")
    team_name: str
    email_domain: str


class People(_Frozen):
    municipality: str
    workspace: Workspace
    people: tuple[SamplePerson, ...]
    coordinators: tuple[SlackUserId, ...]
    admins: tuple[SlackUserId, ...]


class RegistryRow(_Frozen):
    """One row of ``registry.csv`` (line numbers count the header as line 1)."""

    line: int
    area: str = Field(min_length=1)
    track: str = Field(min_length=1)
    title: str = Field(min_length=1)
    plan: str
    owner_email: str

    @property
    def key(self) -> InitiativeKey:
        return InitiativeKey(self.track, self.title)


class BaselineEntry(_Frozen):
    track: str
    initiative: str
    phase: Phase
    status: Markup

    @property
    def key(self) -> InitiativeKey:
        return InitiativeKey(self.track, self.initiative)


class Baseline(_Frozen):
    area: str
    title: str
    as_of: date
    approved_by: SlackUserId
    intro: Markup
    entries: tuple[BaselineEntry, ...]


class _Action(_Frozen):
    track: str
    initiative: str

    @property
    def key(self) -> InitiativeKey:
        return InitiativeKey(self.track, self.initiative)


class EditAction(_Action):
    """The owner writes a new full status text."""

    action: Literal["edit"]
    phase: Phase
    status: Markup
    after_reminder: bool = False  # answers only once reminded


class CarryForwardAction(_Action):
    """The owner says "no change": last report's text is kept."""

    action: Literal["carry_forward"]
    after_reminder: bool = False


class DelegateAction(_Action):
    """The owner hands the initiative to a colleague, who answers with ``status``."""

    action: Literal["delegate"]
    delegate_to: SlackUserId
    phase: Phase
    status: Markup
    after_reminder: bool = False


class NoAnswerAction(_Action):
    """Nobody answers; the entry stays missing."""

    action: Literal["none"]


Action = Annotated[
    EditAction | CarryForwardAction | DelegateAction | NoAnswerAction,
    Field(discriminator="action"),
]


class SendBack(_Frozen):
    """A coordinator returns one answered initiative; its answerer revises it."""

    track: str
    initiative: str
    by: SlackUserId
    comment: str = Field(min_length=1)
    revised_status: Markup
    revised_phase: Phase

    @property
    def key(self) -> InitiativeKey:
        return InitiativeKey(self.track, self.initiative)


class Script(_Frozen):
    area: str
    title: str
    as_of: date
    opens_at: AwareDatetime
    deadline: AwareDatetime
    remind: str = Field(pattern=_OFFSETS.pattern)
    intro: Markup
    actions: tuple[Action, ...]
    send_back: SendBack
    approvals: tuple[SlackUserId, ...] = Field(min_length=1)


class SampleData(_Frozen):
    """Everything ``statusbot demo`` needs, validated across files."""

    registry_csv: str  # the file's text, to hand to the importer unchanged
    registry: tuple[RegistryRow, ...]
    people: People
    baseline: Baseline
    script: Script

    @property
    def municipality(self) -> str:
        return self.people.municipality

    @property
    def area(self) -> str:
        return self.registry[0].area

    @property
    def tracks(self) -> list[str]:
        """Track names in file order."""
        return list(dict.fromkeys(row.track for row in self.registry))

    def person(self, slack_user_id: str) -> SamplePerson:
        for p in self.people.people:
            if p.slack_user_id == slack_user_id:
                return p
        raise KeyError(slack_user_id)

    def person_by_email(self, email: str) -> SamplePerson:
        for p in self.people.people:
            if p.email == email.lower():
                return p
        raise KeyError(email)

    def row(self, key: InitiativeKey) -> RegistryRow:
        for row in self.registry:
            if row.key == key:
                return row
        raise KeyError(key)

    def owner(self, key: InitiativeKey) -> SamplePerson:
        return self.person_by_email(self.row(key).owner_email)

    def baseline_entry(self, key: InitiativeKey) -> BaselineEntry | None:
        return next((e for e in self.baseline.entries if e.key == key), None)

    def action(self, key: InitiativeKey) -> Action:
        return next(a for a in self.script.actions if a.key == key)

    @property
    def managers(self) -> list[SamplePerson]:
        """Owners of initiatives, in order of first appearance in the registry."""
        emails = dict.fromkeys(row.owner_email for row in self.registry)
        return [self.person_by_email(e) for e in emails]

    @property
    def coordinators(self) -> list[SamplePerson]:
        return [self.person(uid) for uid in self.people.coordinators]

    @property
    def admins(self) -> list[SamplePerson]:
        return [self.person(uid) for uid in self.people.admins]

    def silent_owners(self) -> list[SamplePerson]:
        """Managers who answer nothing at all in the demo cycle."""
        return [
            m
            for m in self.managers
            if all(
                isinstance(self.action(row.key), NoAnswerAction)
                for row in self.registry
                if row.owner_email == m.email
            )
        ]

    def write_registry_csv(self, path: Path) -> Path:
        """Write ``registry.csv`` byte for byte to ``path`` (for ``statusbot import``)."""
        path.write_text(self.registry_csv, encoding="utf-8", newline="")
        return path


def parse_registry(text: str) -> tuple[RegistryRow, ...]:
    """Parse the ``;``-separated registry; raise :class:`SampleDataError` on bad rows."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != REGISTRY_HEADERS:
        raise SampleDataError([f"{REGISTRY_FILE}: header must be {';'.join(REGISTRY_HEADERS)}"])
    rows: list[RegistryRow] = []
    problems: list[str] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(REGISTRY_HEADERS):
            problems.append(f"{REGISTRY_FILE} line {line}: expected 5 columns, got {len(values)}")
            continue
        area, track, title, plan, owner = (v.strip() for v in values)
        try:
            rows.append(
                RegistryRow(
                    line=line, area=area, track=track, title=title, plan=plan, owner_email=owner
                )
            )
        except ValidationError as exc:
            problems.append(f"{REGISTRY_FILE} line {line}: {_first_error(exc)}")
    if problems:
        raise SampleDataError(problems)
    return tuple(rows)


def load_sample_from(folder: Traversable | Path) -> SampleData:
    """Load and cross-check the four sample files found in ``folder``."""
    # Bytes, not text: keep the CRLF line ends that Excel writes.
    registry_csv = (folder / REGISTRY_FILE).read_bytes().decode("utf-8")
    parsed: dict[str, Any] = {}
    problems: list[str] = []
    for field, name, model in (
        ("people", PEOPLE_FILE, People),
        ("baseline", BASELINE_FILE, Baseline),
        ("script", SCRIPT_FILE, Script),
    ):
        try:
            parsed[field] = model.model_validate_json((folder / name).read_text(encoding="utf-8"))
        except ValidationError as exc:
            problems += [f"{name}: {_describe(err)}" for err in exc.errors()]
    if problems:
        raise SampleDataError(problems)
    data = SampleData(registry_csv=registry_csv, registry=parse_registry(registry_csv), **parsed)
    problems = _cross_check(data)
    if problems:
        raise SampleDataError(problems)
    return data


@cache
def load_sample() -> SampleData:
    """The built-in sample shipped in this package (loaded once per process)."""
    return load_sample_from(resources.files(__name__))


def _cross_check(data: SampleData) -> list[str]:
    problems: list[str] = []
    people = data.people
    ids = Counter(p.slack_user_id for p in people.people)
    emails = Counter(p.email for p in people.people)
    problems += [f"{PEOPLE_FILE}: duplicate user id {u}" for u, n in ids.items() if n > 1]
    problems += [f"{PEOPLE_FILE}: duplicate e-mail {e}" for e, n in emails.items() if n > 1]

    def check_person(where: str, uid: str) -> None:
        if uid not in ids:
            problems.append(f"{where}: unknown person {uid}")

    for uid in people.coordinators:
        check_person(f"{PEOPLE_FILE} coordinators", uid)
    for uid in people.admins:
        check_person(f"{PEOPLE_FILE} admins", uid)

    # Registry: one area, unique initiatives per track, known owners.
    registry_keys = {row.key for row in data.registry}
    if not data.registry:
        problems.append(f"{REGISTRY_FILE}: no initiatives")
        return problems
    areas = {row.area for row in data.registry}
    if len(areas) != 1:
        problems.append(f"{REGISTRY_FILE}: expected one area, found {sorted(areas)}")
    seen: set[InitiativeKey] = set()
    for row in data.registry:
        if row.key in seen:
            problems.append(f"{REGISTRY_FILE} line {row.line}: duplicate initiative {row.title!r}")
        seen.add(row.key)
        if row.owner_email not in emails:
            problems.append(f"{REGISTRY_FILE} line {row.line}: unknown owner {row.owner_email}")

    def check_key(where: str, key: InitiativeKey) -> bool:
        if key not in registry_keys:
            problems.append(
                f"{where}: initiative not in {REGISTRY_FILE}: {key.track} / {key.title}"
            )
            return False
        return True

    # Baseline: a subset of the registry, earlier than the demo cycle.
    baseline, script = data.baseline, data.script
    for name, area in ((BASELINE_FILE, baseline.area), (SCRIPT_FILE, script.area)):
        if area not in areas:
            problems.append(f"{name}: area {area!r} is not the registry's area")
    check_person(f"{BASELINE_FILE} approved_by", baseline.approved_by)
    baseline_keys = Counter(e.key for e in baseline.entries)
    for entry in baseline.entries:
        check_key(BASELINE_FILE, entry.key)
    problems += [
        f"{BASELINE_FILE}: duplicate entry {k.title!r}" for k, n in baseline_keys.items() if n > 1
    ]
    if baseline.as_of >= script.as_of:
        problems.append(f"{BASELINE_FILE}: as_of must be before the script's as_of")

    # Script: exactly one action per initiative, consistent with the baseline.
    action_keys = Counter(a.key for a in script.actions)
    problems += [
        f"{SCRIPT_FILE}: two actions for {k.title!r}" for k, n in action_keys.items() if n > 1
    ]
    problems += [
        f"{SCRIPT_FILE}: no action for {k.title!r}" for k in registry_keys if k not in action_keys
    ]
    if script.deadline <= script.opens_at:
        problems.append(f"{SCRIPT_FILE}: deadline must be after opens_at")
    for action in script.actions:
        where = f"{SCRIPT_FILE} {action.action} {action.initiative!r}"
        if not check_key(where, action.key):
            continue
        previous = data.baseline_entry(action.key)
        if isinstance(action, CarryForwardAction) and previous is None:
            problems.append(f"{where}: nothing to carry forward (not in the baseline)")
        if (
            isinstance(action, EditAction | DelegateAction)
            and previous is not None
            and previous.status == action.status
        ):
            problems.append(f"{where}: the new text equals the baseline's")
        if isinstance(action, DelegateAction):
            check_person(where, action.delegate_to)
            owner_email = data.row(action.key).owner_email
            known = action.delegate_to in ids and owner_email in emails
            if known and data.person(action.delegate_to).email == owner_email:
                problems.append(f"{where}: delegates to the owner")

    send_back = script.send_back
    where = f"{SCRIPT_FILE} send_back"
    if send_back.by not in people.coordinators + people.admins:
        problems.append(f"{where}: {send_back.by} is not a coordinator or admin")
    if check_key(where, send_back.key):
        answered = next((a for a in script.actions if a.key == send_back.key), None)
        if not isinstance(answered, EditAction | DelegateAction):
            problems.append(
                f"{where}: only an initiative answered with a new text can be sent back"
            )
        elif answered.status == send_back.revised_status:
            problems.append(f"{where}: the revised text equals the first answer")
    for uid in script.approvals:
        if uid not in people.coordinators + people.admins:
            problems.append(f"{SCRIPT_FILE} approvals: {uid} is not a coordinator or admin")
    if len(set(script.approvals)) != len(script.approvals):
        problems.append(f"{SCRIPT_FILE} approvals: the same person approves twice")
    return problems


def _describe(err: Any) -> str:
    location = ".".join(str(part) for part in err["loc"])
    return f"{location}: {err['msg']}" if location else err["msg"]


def _first_error(exc: ValidationError) -> str:
    return _describe(exc.errors()[0])
