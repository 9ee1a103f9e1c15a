"""``statusbot committee item``: the agenda item package of an approved cycle."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from bot.review import documents
from bot.review.documents import approved_documents
from storage.models import AuditEvent, CommitteeSettings
from tests.committee.committee_world import approved_cycle, open_default

SECTIONS = ["sagsfremstilling", "sammenhaeng", "oekonomi", "indstilling"]
DA_HEADINGS = [
    "Sagsfremstilling",
    "Sammenhæng til andre politikker/strategier og fagområder",
    "Økonomiske konsekvenser",
    "Indstilling",
]


def headings(docx: bytes) -> list[str]:
    doc = Document(io.BytesIO(docx))
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def texts(docx: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(docx)).paragraphs]


def set_committee(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bg.txt").write_text("Udvalget besluttede i 2025 at følge udviklingen.\n")
    (tmp_path / "policy.txt").write_text("Sammenhæng til personalepolitikken.")
    (tmp_path / "economy.txt").write_text("Ingen merudgifter.")
    cli(
        "area", "set", "Socialområdet",
        "--committee", "Socialudvalget",
        "--case-number", "13/9475",
        "--access", "open",
        "--background-file", tmp_path / "bg.txt",
        "--policy-file", tmp_path / "policy.txt",
        "--economy-file", tmp_path / "economy.txt",
    )  # fmt: skip


def test_package_files_manifest_and_bilag(cli, session, world, tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "pdf_available", lambda: True)
    cycle = approved_cycle(session, world, answered=3)
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    set_committee(cli, tmp_path)

    result = cli(
        "committee", "item", "--cycle", cycle.id, "--meeting", "2026-04-14", "-o", "item.zip"
    )
    assert "item.zip" in result.stdout
    archive = zipfile.ZipFile(tmp_path / "item.zip")
    stem = "status-socialomraadet-2026-03-01"
    assert sorted(archive.namelist()) == sorted(
        [
            "sagsfremstilling.docx",
            f"bilag/01-{stem}.pdf",
            "manifest.json",
            "manifest.csv",
            *[f"tekster/{key}.txt" for key in SECTIONS],
        ]
    )
    # The bilag is the approved snapshot's PDF, byte for byte.
    stored = {d.format: d for d in approved_documents(session, cycle.id)}
    pdf = archive.read(f"bilag/01-{stem}.pdf")
    assert pdf == stored["pdf"].content
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bilag"] == [
        {
            "number": 1,
            "title": manifest["title"],
            "file": f"bilag/01-{stem}.pdf",
            "access": "open",
            "sha256": stored["pdf"].sha256,
        }
    ]
    assert hashlib.sha256(pdf).hexdigest() == stored["pdf"].sha256
    assert manifest["committee"] == "Socialudvalget"
    assert manifest["meeting_date"] == "2026-04-14"
    assert manifest["case_number"] == "13/9475"
    assert manifest["access"] == "open"
    assert list(manifest["sections"]) == SECTIONS
    assert manifest["title"].startswith("Status")

    # The generated Sagsfremstilling: background, counts, one sentence per track, missing.
    case = manifest["sections"]["sagsfremstilling"]
    paragraphs = case.split("\n\n")
    assert paragraphs[0] == "Udvalget besluttede i 2025 at følge udviklingen."
    assert "omfatter 4 tiltag i 2 udviklingsspor" in case
    assert "Organisering: 2 tiltag, alle i gang." in paragraphs
    assert "Faglighed: 2 tiltag, 1 i gang og 1 uden angivet fase." in paragraphs
    assert "1 tiltag er ikke besvaret" in case and "»Fælles faglig metode«" in case
    assert manifest["sections"]["sammenhaeng"] == "Sammenhæng til personalepolitikken."
    assert manifest["sections"]["oekonomi"] == "Ingen merudgifter."
    assert manifest["sections"]["indstilling"] == (
        "Forvaltningen indstiller, at udvalget tager status for Socialområdet pr. "
        "1. marts 2026 til efterretning."
    )
    for key in SECTIONS:
        assert archive.read(f"tekster/{key}.txt").decode() == manifest["sections"][key] + "\n"

    # manifest.csv says the same as manifest.json.
    rows = dict(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert rows.pop("key") == "value"
    for key in ("title", "committee", "meeting_date", "case_number", "access"):
        assert rows[key] == manifest[key]
    for key in SECTIONS:
        assert rows[f"sections.{key}"] == manifest["sections"][key]
    for field, value in manifest["bilag"][0].items():
        assert rows[f"bilag.1.{field}"] == str(value)

    # The case document: heading, case number and access, seed 003's sections in order.
    docx = archive.read("sagsfremstilling.docx")
    lines = texts(docx)
    assert lines[0] == manifest["title"]
    assert "Sagsnr. 13/9475 · Åben sag" in lines
    assert headings(docx)[:4] == DA_HEADINGS
    assert headings(docx)[4] == "Beslutning i Socialudvalget den 14. april 2026"
    decision_at = lines.index("Beslutning i Socialudvalget den 14. april 2026")
    assert lines[decision_at + 1] == ""  # the decision is the committee's to write
    assert lines.index("Indstilling") < decision_at
    assert lines[-1] == f"1 – Åben – {manifest['title']} (bilag/01-{stem}.pdf)"


def test_english_area_gets_english_headings_and_with_docx(cli, approved, session, tmp_path):
    cli("area", "set", "Socialområdet", "--access", "closed")
    cli(
        "committee", "item", "--cycle", approved.id, "--meeting", "2026-04-14",
        "--with-docx", "-o", "item.zip",
    )  # fmt: skip
    archive = zipfile.ZipFile(tmp_path / "item.zip")
    docx = archive.read("sagsfremstilling.docx")
    assert headings(docx) == [
        "Case presentation",
        "Relation to other policies/strategies and areas",
        "Financial consequences",
        "Recommendation",
        "Decision",
        "Attachments",
    ]
    assert "Closed case" in texts(docx)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["access"] == "closed"
    assert manifest["sections"]["indstilling"].startswith("The administration recommends")
    # No PDF in this snapshot: bilag 1 is the approved Word file, and not twice.
    stored = {d.format: d for d in approved_documents(session, approved.id)}
    assert [b["file"] for b in manifest["bilag"]] == [
        "bilag/01-status-socialomraadet-2026-03-01.docx"
    ]
    assert manifest["bilag"][0]["sha256"] == stored["docx"].sha256
    assert archive.read(manifest["bilag"][0]["file"]) == stored["docx"].content


def test_with_docx_adds_the_word_file_as_second_bilag(cli, session, world, tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "pdf_available", lambda: True)
    cycle = approved_cycle(session, world)
    cli(
        "committee",
        "item",
        "--cycle",
        cycle.id,
        "--meeting",
        "2026-04-14",
        "--with-docx",
        "-o",
        "i.zip",
    )
    manifest = json.loads(zipfile.ZipFile(tmp_path / "i.zip").read("manifest.json"))
    stored = {d.format: d for d in approved_documents(session, cycle.id)}
    assert [(b["number"], b["file"][-4:], b["sha256"]) for b in manifest["bilag"]] == [
        (1, ".pdf", stored["pdf"].sha256),
        (2, "docx", stored["docx"].sha256),
    ]


def test_refuses_an_unapproved_cycle_and_writes_nothing(cli, session, world, tmp_path):
    cycle = open_default(session, world)
    result = cli(
        "committee",
        "item",
        "--cycle",
        cycle.id,
        "--meeting",
        "2026-04-14",
        "-o",
        "item.zip",
        code=1,
    )
    assert "statusbot: Only an approved report goes to the committee" in result.stderr
    assert "collecting" in result.stderr
    assert not (tmp_path / "item.zip").exists()
    assert list(tmp_path.glob("*.zip*")) == []


def test_refuses_an_unknown_cycle(cli, approved, tmp_path):
    result = cli(
        "committee", "item", "--cycle", 999, "--meeting", "2026-04-14", "-o", "item.zip", code=1
    )
    assert "999" in result.stderr
    assert not (tmp_path / "item.zip").exists()


def test_refuses_a_meeting_before_the_as_of_date(cli, approved, tmp_path):
    result = cli(
        "committee",
        "item",
        "--cycle",
        approved.id,
        "--meeting",
        "2026-02-27",
        "-o",
        "item.zip",
        code=1,
    )
    assert "2026-02-27" in result.stderr and "2026-03-01" in result.stderr
    assert not (tmp_path / "item.zip").exists()


def test_bad_meeting_date_and_output_are_usage_errors(cli, approved, tmp_path):
    cli("committee", "item", "--cycle", approved.id, "--meeting", "14/4", "-o", "item.zip", code=2)
    cli(
        "committee",
        "item",
        "--cycle",
        approved.id,
        "--meeting",
        "2026-04-14",
        "-o",
        "item.docx",
        code=2,
    )
    assert list(tmp_path.glob("item*")) == []


def test_area_set_committee_settings_are_audited_and_shown(cli, world, session, tmp_path):
    set_committee(cli, tmp_path)
    row = session.get(CommitteeSettings, world.area.id)
    session.refresh(row)
    assert (row.committee, row.case_number, row.access) == ("Socialudvalget", "13/9475", "open")
    assert row.economy == "Ingen merudgifter."
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "committee.settings")
    ).one()
    assert event.detail["changes"]["committee"] == {"from": None, "to": "Socialudvalget"}
    shown = cli("area", "show", "Socialområdet").stdout
    assert "Socialudvalget" in shown and "13/9475" in shown
    bad = cli("area", "set", "Socialområdet", "--access", "secret", code=1)
    assert "open or closed" in bad.stderr
    # An empty file clears a text.
    (tmp_path / "empty.txt").write_text("")
    cli("area", "set", "Socialområdet", "--economy-file", tmp_path / "empty.txt")
    session.refresh(row)
    assert row.economy is None


@pytest.mark.parametrize("locale", ["da", "en"])
def test_recommendation_setting_replaces_the_default(cli, approved, tmp_path, monkeypatch, locale):
    monkeypatch.setenv("STATUSBOT_LOCALE", locale)
    (tmp_path / "rec.txt").write_text("Formanden indstiller, at udvalget drøfter status.")
    cli("area", "set", "Socialområdet", "--recommendation-file", tmp_path / "rec.txt")
    cli("committee", "item", "--cycle", approved.id, "--meeting", "2026-04-14", "-o", "i.zip")
    manifest = json.loads(zipfile.ZipFile(tmp_path / "i.zip").read("manifest.json"))
    assert (
        manifest["sections"]["indstilling"] == "Formanden indstiller, at udvalget drøfter status."
    )
