"""``statusbot person away|back|absences`` and ``statusbot initiative history``
(issue 19): clear lines, exit codes, nothing changed by bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import make_engine, make_session_factory
from storage.models import Absence, AuditEvent, Job
from tests.registry.history_world import build

FILE = (
    "nr;område;udviklingsspor;tiltag;ansvarlig\n"
    "SOC-1;Soc;Org;Ny chef;lene@example.dk\n"
    "SOC-2;Soc;Org;Møder;bo@example.dk\n"
)


def counts(db_url: str) -> tuple[int, int, int]:
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            return (
                session.scalar(select(func.count()).select_from(Absence)) or 0,
                session.scalar(
                    select(func.count()).select_from(Job).where(Job.kind.like("absence_%"))
                )
                or 0,
                session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action.like("person.away%"))
                )
                or 0,
            )
    finally:
        engine.dispose()


def test_person_away_back_and_bad_input(cli, tmp_path, db_url, monkeypatch):  # type: ignore[no-untyped-def]
    cli("init")
    (tmp_path / "a.csv").write_text(FILE, encoding="utf-8")
    cli("import", "a.csv")
    bad = {
        ("--from", "2099-05-10", "--to", "2099-05-01"): "ends (2099-05-01) before it starts",
        ("--from", "2099-05-01", "--to", "2099-05-10", "--stand-in", "lene@example.dk"): (
            "cannot be their own stand-in"
        ),
        ("--from", "2099-05-01", "--to", "2099-05-10", "--stand-in", "nobody@example.dk"): (
            "Nobody with the Slack ID or e-mail “nobody@example.dk” is known."
        ),
        ("--from", "2000-05-01", "--to", "2000-05-10"): "ended already",
    }
    for args, message in bad.items():
        result = cli("person", "away", "lene@example.dk", *args, code=1)
        assert result.stderr.strip() == f"statusbot: {message}" or message in result.stderr
    result = cli("person", "away", "lene@example.dk", "--from", "2099-02-30", "--to", "2099-03-01",
                 code=2)  # fmt: skip
    assert "not a date" in result.stderr
    cli("person", "away", "ghost@example.dk", "--from", "2099-05-01", "--to", "2099-05-02", code=1)
    assert counts(db_url) == (0, 0, 0)

    result = cli("person", "away", "lene@example.dk", "--from", "2099-05-01", "--to",
                 "2099-05-10", "--stand-in", "bo@example.dk")  # fmt: skip
    assert "stand-in: bo@example.dk" in result.stdout
    assert counts(db_url) == (1, 2, 1)  # the leave, its start and end jobs, one audit line
    overlap = cli("person", "away", "lene@example.dk", "--from", "2099-05-08", "--to",
                  "2099-05-20", code=1)  # fmt: skip
    assert "already away from 2099-05-01 to 2099-05-10" in overlap.stderr
    cli("person", "back", "lene@example.dk")
    listed = cli("person", "absences", "lene@example.dk").stdout
    assert "2099-05-01" in listed and "cancelled" in listed
    assert counts(db_url)[0] == 1 and counts(db_url)[2] == 2  # kept, and the cancel audited
    cli("person", "back", "lene@example.dk", code=1)  # nothing left to cancel

    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    danish = cli("person", "away", "bo@example.dk", "--from", "2099-06-10", "--to", "2099-06-01",
                 code=1)  # fmt: skip
    assert "slutter (2099-06-01) før det begynder (2099-06-10)" in danish.stderr


def test_initiative_history(cli, db_url):  # type: ignore[no-untyped-def]
    cli("init")
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        build(session)
    engine.dispose()
    out = cli("initiative", "history", "BU-01").stdout
    lines = out.splitlines()
    heads = [line for line in lines if line[:2] in ("* ", "= ", "+ ", "! ")]
    assert [h[:12] for h in heads] == [
        "* 2025-09-30", "! 2025-03-31", "* 2024-09-30", "+ 2024-03-31"
    ]  # fmt: skip
    assert "Dagtilbud / Tværgående / Ny struktur for dagtilbud" in heads[0]
    assert "Børn og Unge / Spor 1 / Ny dagtilbudsstruktur" in heads[2]
    assert "moved: Børn og Unge / Spor 1 / Ny struktur for dagtilbud → Dagtilbud" in out
    assert "renamed: Børn og Unge / Spor 1 / Ny dagtilbudsstruktur → " in out
    assert "[+Beslutning i juni+]" in out and "[-" in out
    assert "no answer in this round" in out
    # By title, in any case; an unknown one is a clear line.
    assert cli("initiative", "history", "ny struktur for DAGTILBUD").stdout == out
    missing = cli("initiative", "history", "Findes ikke", code=1)
    assert missing.stderr.startswith("statusbot: ")


def test_report_with_history_links_titles_to_the_appendix(cli, db_url, tmp_path):  # type: ignore[no-untyped-def]
    cli("init")
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        world = build(session)
    engine.dispose()
    autumn, initiative = world.cycles["autumn"], world.initiative_id
    cli("report", "--cycle", autumn, "--with-history", "-o", "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f'<a href="#h{initiative}">' in page and f'id="h{initiative}"' in page
    assert f'<a href="#r{initiative}">' in page and f'id="r{initiative}"' in page
    appendix = page[page.index('<section class="history"') :]
    dates = ["September 30, 2025", "March 31, 2025", "September 30, 2024", "March 31, 2024"]
    assert [appendix.index(d) for d in dates] == sorted(appendix.index(d) for d in dates)
    assert '<ins class="chg">Beslutning i juni</ins>' in appendix
    assert "Ny dagtilbudsstruktur" in appendix  # the name it had then
    plain = cli("report", "--cycle", autumn, "-o", "plain.html")
    assert plain.exit_code == 0
    assert 'class="history"' not in (tmp_path / "plain.html").read_text(encoding="utf-8")
    refused = cli("report", "--cycle", autumn, "--with-history", "-o", "r.docx", code=2)
    assert "HTML" in refused.stderr and not (tmp_path / "r.docx").exists()
