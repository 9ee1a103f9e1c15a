"""``run_demo``: a fresh database, the sample data, the real bot against the
fake Slack, one full cycle, and the approved report written to a folder."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.committee.settings import read_committee
from bot.demo.committee import write_package
from bot.demo.driver import Captured, CycleDriver
from bot.demo.narrate import Narration, narrate
from bot.demo.prepare import REPORT_CHANNEL, prepare
from bot.demo.webform import DEMO_PUBLIC_URL, MAIL_FROM, FormAnswer
from bot.review.documents import approved_documents
from bot.sample import SampleData, load_sample
from bot.settings import Settings
from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink
from reports import build_document, default_filename, render
from reports.pptx_render import DeckOptions
from storage.db import make_engine, make_session_factory, session_scope

# Phases reported to ``step`` in this order (the CLI's progress display).
PHASES: dict[str, str] = {
    "prepare": "Database: init, import, roles, baseline, cycle open",
    "start": "Starting the bot and the fake Slack",
    "prompts": "Sending the prompts",
    "answers": "Managers answering",
    "reminders": "Reminders to the late ones",
    "late answers": "Answers after the reminder",
    "deadline": "Deadline: digest to the coordinators",
    "compile": "Coordinator compiles and sends one item back",
    "revision": "The owner revises",
    "approval": "Recompile and approval",
    "publish": "Publishing",
    "documents": "Writing the approved documents",
}
DB_NAME = "statusbot-demo.db"


@dataclass
class DemoResult:
    files: dict[str, Path]  # format → path
    narration: Narration
    captured: Captured
    seconds: float
    database: Path | None  # kept with ``keep_db``
    cycle_id: int
    channel: str = REPORT_CHANNEL
    extra: dict[str, Any] = field(default_factory=dict)


def harness_settings() -> dict[str, Any]:
    """Every setting given explicitly (its default, or the demo's value), so the
    environment and a ``.env`` in the working folder cannot steer the demo or
    leak real Slack tokens into it."""
    values: dict[str, Any] = {}
    for info in Settings.model_fields.values():
        if info.alias and not info.is_required():
            values[info.alias] = info.get_default(call_default_factory=True)
    values.update(
        {
            "STATUSBOT_LOCALE": "da",
            "STATUSBOT_TIMEZONE": "Europe/Copenhagen",
            "STATUSBOT_TICK_SECONDS": 1,
            "STATUSBOT_WORKING_HOURS": "08:00-17:00",
            "STATUSBOT_LOG_FORMAT": "text",
            "STATUSBOT_LOG_LEVEL": "WARNING",
        }
    )
    # The harness sets these to the temporary database and the fake Slack.
    for name in ("STATUSBOT_DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        values.pop(name, None)
    values.pop("SLACK_API_URL", None)
    return values


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """The bot's own INFO lines would drown the narration; warnings still show."""
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(before)


def run_demo(
    out: Path,
    *,
    keep_db: bool = False,
    step: Callable[[str], None] = lambda _phase: None,
    sample: SampleData | None = None,
) -> DemoResult:
    """Run the whole demo; write the approved report into ``out``."""
    started = time.perf_counter()
    sample = sample or load_sample()
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="statusbot-demo-"))
    db_path = (out if keep_db else workdir) / DB_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    try:
        with _quiet_logs():
            step("prepare")
            factory = make_session_factory(engine)
            prepared = prepare(engine, factory, sample, workdir=workdir, now=sample.script.opens_at)
            step("start")
            sink = MailSink()  # a real SMTP server for the owner outside Slack
            settings = harness_settings() | {
                "STATUSBOT_SMTP_URL": sink.url,
                "STATUSBOT_MAIL_FROM": MAIL_FROM,
                "STATUSBOT_PUBLIC_URL": DEMO_PUBLIC_URL,
            }
            harness = SlackHarness(
                factory, database_url=url, start=sample.script.opens_at, settings=settings
            )
            with sink, harness as slack:
                for person in sample.people.people:
                    slack.fake.add_user(
                        id=person.slack_user_id,
                        email=person.email,
                        name=person.display_name,
                        real_name=person.display_name,
                        tz=person.tz,
                        locale=person.locale,
                        team_id=slack.fake.team_id,
                    )
                driver = CycleDriver(slack, sample, prepared.cycle_id, step=step, mail=sink)
                driver.run()
                step("documents")
                files = write_documents(factory, prepared.cycle_id, out)
                for answered in driver.captured.forms:
                    answered.mail_path = write_mail(answered, out)
                files["agenda"] = write_package(factory, prepared.cycle_id, out)
                narration = narrate(slack, factory, sample, prepared.cycle_id)
        return DemoResult(
            files=files,
            narration=narration,
            captured=driver.captured,
            seconds=time.perf_counter() - started,
            database=db_path if keep_db else None,
            cycle_id=prepared.cycle_id,
        )
    finally:
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


def write_mail(answered: FormAnswer, out: Path) -> Path:
    """The prompt mail as the owner received it (``.eml``), for a mail program."""
    folder = out / "mail"
    folder.mkdir(exist_ok=True)
    path = folder / f"{answered.email.split('@')[0]}-prompt.eml"
    path.write_bytes(answered.mail.as_bytes())
    return path


def write_documents(factory: Any, cycle_id: int, out: Path) -> dict[str, Path]:
    """The approved snapshot exactly as stored (Word, HTML, PDF when available),
    and the same cycle as Markdown and as the committee meeting's slides."""
    files: dict[str, Path] = {}
    with session_scope(factory) as session:
        document = build_document(session, cycle_id)
        for stored in approved_documents(session, cycle_id):
            path = out / default_filename(document, stored.format)
            path.write_bytes(stored.content)
            files[stored.format] = path
        path = out / default_filename(document, "md")
        path.write_bytes(render(document, "md"))
        files["md"] = path
        path = out / default_filename(document, "pptx")
        committee = read_committee(session, document.area_id).committee
        path.write_bytes(render(document, "pptx", deck=DeckOptions(committee=committee)))
        files["pptx"] = path
    order = {"html": 0, "docx": 1, "pdf": 2, "md": 3, "pptx": 4}
    return dict(sorted(files.items(), key=lambda item: order.get(item[0], 9)))
