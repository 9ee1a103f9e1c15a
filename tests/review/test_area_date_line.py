"""The area's date line (above the title) and organisation (the documents' author)."""

import io
from datetime import UTC, datetime

import pytest
from docx import Document
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.errors import InvalidInput
from bot.review.area_settings import update_settings
from bot.workflow.actor import Actor
from reports import build_document, render
from storage.models import AuditEvent

runner = CliRunner()
NOW = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # already 1 April in Copenhagen


@pytest.fixture
def cli_env(monkeypatch, db_url, engine):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    monkeypatch.setenv("COLUMNS", "200")


def test_area_set_date_line_and_organisation(cli_env, session, world, cycle) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app,
        [
            "area",
            "set",
            "Socialområdet",
            "--date-line",
            "Grenaa,  {date}",
            "--organisation",
            "Norddjurs Kommune",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Grenaa, {date}" in result.output and "Norddjurs Kommune" in result.output
    session.expire_all()
    assert world.area.date_line == "Grenaa, {date}"
    assert world.area.organisation == "Norddjurs Kommune"

    document = build_document(session, cycle.id, locale="da", now=NOW)
    assert document.date_line == "Grenaa, 1. april 2026"
    assert document.author == "Norddjurs Kommune"
    assert render(document, "html").decode().count("Grenaa, 1. april 2026") == 1
    assert render(document, "md").decode().startswith("Grenaa, 1. april 2026\n\n# ")
    word = Document(io.BytesIO(render(document, "docx")))
    assert word.paragraphs[0].text == "Grenaa, 1. april 2026"
    assert word.core_properties.author == "Norddjurs Kommune"

    english = build_document(session, cycle.id, locale="en", now=NOW)
    assert english.date_line == "Grenaa, April 1, 2026"

    cleared = runner.invoke(app, ["area", "set", "Socialområdet", "--date-line", ""])
    assert cleared.exit_code == 0, cleared.output
    session.expire_all()
    assert world.area.date_line is None
    assert build_document(session, cycle.id, now=NOW).date_line is None
    details = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "area.settings")
    ).all()
    assert [sorted(d["changes"]) for d in details] == [
        ["date_line", "organisation"],
        ["date_line"],
    ]


def test_only_date_is_a_placeholder(session, world, cycle) -> None:  # type: ignore[no-untyped-def]
    update_settings(
        session,
        area_id=world.area.id,
        actor=Actor.cli(),
        now=NOW,
        date_line="{area} {0} {date!r} {date}",
    )
    document = build_document(session, cycle.id, now=NOW)
    assert document.date_line == "{area} {0} {date!r} 1. april 2026"


def test_too_long_is_refused_and_nothing_changes(session, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="at most 200"):
        update_settings(
            session,
            area_id=world.area.id,
            actor=Actor.cli(),
            now=NOW,
            intro="Ny indledning.",
            organisation="x" * 201,
            locale="en",
        )
    session.refresh(world.area)
    assert world.area.organisation is None and world.area.intro != "Ny indledning."
    with pytest.raises(InvalidInput, match="Datolinjen er for lang"):
        update_settings(
            session,
            area_id=world.area.id,
            actor=Actor.cli(),
            now=NOW,
            date_line="x" * 201,
            locale="da",
        )
