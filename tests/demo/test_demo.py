"""`statusbot demo` end to end: the command in a folder with hostile settings,
the documents it writes, and the story it tells (which must match the record)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as open_docx
from pptx import Presentation
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.sample import NoAnswerAction, SampleData, load_sample
from reports import pdf_available
from reports.texts import note_texts
from storage.db import make_engine, make_session_factory
from storage.models import (
    AuditEvent,
    Cycle,
    CycleState,
    Job,
    JobState,
    Person,
    PromptMessage,
)

# Settings that would break the demo if it read the environment or .env.
HOSTILE_ENV = {
    "SLACK_BOT_TOKEN": "not-a-token",
    "SLACK_API_URL": "https://slack.com/api/",
    "STATUSBOT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
    "STATUSBOT_WORKING_HOURS": "off",
    "STATUSBOT_LOCALE": "xx",
    "STATUSBOT_LOG_LEVEL": "LOUD",
    "SLACK_APP_TOKEN": "nope",
    "SLACK_SCOPES": "",
}


@dataclass
class Run:
    exit_code: int
    output: str
    out: Path

    def file(self, suffix: str) -> Path:
        found = sorted(self.out.glob(f"*.{suffix}"))
        assert len(found) == 1, f"expected one .{suffix} in {self.out}: {found}"
        return found[0]


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return load_sample()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    home = tmp_path_factory.mktemp("demo")
    (home / ".env").write_text("SLACK_SIGNING_SECRET=\nSTATUSBOT_TICK_SECONDS=-5\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        result = CliRunner().invoke(app, ["demo", "--keep-db"], env=HOSTILE_ENV)
    yield Run(result.exit_code, result.output, home / "statusbot-demo")


def test_demo_finishes_quickly_and_prints_the_files(run: Run) -> None:
    assert run.exit_code == 0, run.output
    seconds = float(re.search(r"Done in ([\d.]+) s\.", run.output).group(1))  # type: ignore[union-attr]
    assert seconds < 60
    expected = ["html", "docx", "md", "pptx"] + (["pdf"] if pdf_available() else [])
    for suffix in expected:
        path = run.file(suffix)
        assert path.stat().st_size > 1000
        assert path.name in run.output


def test_the_slides_are_the_approved_cycles(run: Run, sample: SampleData) -> None:
    deck = Presentation(str(run.file("pptx")))
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    assert titles[0] == sample.script.title and titles[1] == "Fokuspunkter"
    cover = deck.slides[0].placeholders[1].text_frame.text
    assert "UDKAST" not in cover  # the demo's cycle is approved
    assert any(title.endswith("Hvad er sket siden sidst?") for title in titles)


def test_docx_opens_with_every_initiative_and_red_runs(run: Run, sample: SampleData) -> None:
    document = open_docx(str(run.file("docx")))
    text = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for row in sample.registry:
        assert row.title in text
    red = [
        r.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for r in p.runs
        if r.font.color is not None and r.font.color.rgb is not None and r.font.color.rgb[0] > 0xC0
    ]
    assert red, "changed text should be in red runs"


def _rows(page: str) -> dict[str, str]:
    """Initiative title → the HTML of its table row."""
    rows = {}
    for chunk in page.split("<tr data-initiative=")[1:]:
        title = re.search(r'<td class="initiative">(.*?)</td>', chunk, re.S).group(1)  # type: ignore[union-attr]
        rows[html.unescape(re.sub(r"<[^>]+>", "", title))] = chunk.split("</tr>")[0]
    return rows


def test_html_marks_changes_and_keeps_the_revision_and_the_silence(
    run: Run, sample: SampleData
) -> None:
    page = run.file("html").read_text(encoding="utf-8")
    rows = _rows(page)
    assert set(rows) == {row.title for row in sample.registry}
    assert '<ins class="chg">' in page and 'class="legend"' in page

    # The text written after the send-back, not the first answer, is in the report.
    send_back = sample.script.send_back
    first = sample.action(send_back.key)
    new_blocks = [b.text for b in send_back.revised_status.blocks if b not in first.status.blocks]  # type: ignore[union-attr]
    assert new_blocks
    revised_row = html.unescape(re.sub(r"<[^>]+>", "", rows[send_back.initiative]))
    for text in new_blocks:
        assert text in revised_row

    # The silent manager's items keep last report's text, marked as no answer.
    no_answer = note_texts("da")["no_answer"]
    silent = {a.initiative for a in sample.script.actions if isinstance(a, NoAnswerAction)}
    assert silent
    for title, row in rows.items():
        assert (no_answer in html.unescape(row)) == (title in silent), title
    for title in silent:
        previous = sample.baseline_entry(next(r.key for r in sample.registry if r.title == title))
        assert previous is not None
        assert html.unescape(previous.status.blocks[0].text) in html.unescape(rows[title])
        assert '<ins class="chg">' not in rows[title]


def test_markdown_has_every_initiative(run: Run, sample: SampleData) -> None:
    text = run.file("md").read_text(encoding="utf-8")
    headings = {
        h.removeprefix("<ins>").removesuffix("</ins>")
        for h in re.findall(r"^### (.+)$", text, re.M)
    }
    assert headings == {row.title for row in sample.registry}
    assert "<ins>" in text  # changes and new initiatives are marked


def test_story_matches_the_record(run: Run, sample: SampleData) -> None:
    output = " ".join(run.output.split())
    assert "Reminder" in output and "pressed Publish" in output
    assert output.count("Reminder (") == 2  # two reminder rounds (3d, 1d)
    silent = sample.silent_owners()[0].display_name
    assert f"{silent} never answered" in output
    assert "after the reminder" in output
    assert "pressed Delegate" in output and "pressed Send back" in output

    factory = make_session_factory(make_engine(f"sqlite:///{run.out / 'statusbot-demo.db'}"))
    with factory() as session:
        cycle = session.scalars(select(Cycle).where(Cycle.is_baseline.is_(False))).one()
        assert cycle.state == CycleState.PUBLISHED
        states = dict(
            session.execute(
                select(Job.state, func.count()).where(Job.cycle_id == cycle.id).group_by(Job.state)
            ).all()
        )
        assert set(states) == {JobState.DONE}, states
        # One prompt message per manager in Slack, nothing sent twice; the
        # owner outside Slack got one mail and answered in the web form.
        in_slack = [m for m in sample.managers if m.channel == "slack"]
        assert session.scalar(select(func.count()).select_from(PromptMessage)) == len(in_slack)
        mailed = [m for m in sample.managers if m.channel == "email"]
        assert len(mailed) == 1 and f"prompt mailed to {mailed[0].email}" in output
        (form,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.answer"))
        assert form.detail["channel"] == "email" and len(form.detail["entry_ids"]) == 3
        # Reminders went exactly to those who had something missing then.
        reminded = {
            session.get(Person, job.payload["person_id"]).email  # type: ignore[union-attr]
            for job in session.scalars(select(Job).where(Job.kind == "reminder"))
        }
    late = {
        sample.owner(a.key).email
        for a in sample.script.actions
        if getattr(a, "after_reminder", False) or isinstance(a, NoAnswerAction)
    }
    assert reminded == late
    for email in late:
        assert sample.person_by_email(email).display_name in output


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("")
    result = CliRunner().invoke(app, ["demo", "--out", str(target)])
    assert result.exit_code != 0
    assert "a-file" in result.output
