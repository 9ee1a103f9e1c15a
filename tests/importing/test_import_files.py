from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.importing import ImportRejected, import_file
from bot.workflow.actor import Actor
from storage.models import AuditEvent, Initiative, Person, Track

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

GOOD_DA = """Område;Udviklingsspor;Tiltag;Iværksættelse;Ansvarlig
Socialområdet;Organisering;Ansættelse af fagchef;Foråret 2026;UANNE001
Socialområdet;Organisering;"Ny mødestruktur; med semikolon";Løbende;bo@kommune.dk
Socialområdet;Faglighed;Kompetenceudvikling;;UANNE001
Socialområdet;Organisering;Fælles indgang;2027;
"""


def write(tmp_path, name, text, *, bom=False, encoding="utf-8"):
    path = tmp_path / name
    data = text.encode(encoding)
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def run(session, path, **kwargs):
    result = import_file(session, path, actor=Actor.cli(), now=NOW, **kwargs)
    session.commit()
    return result


def active_titles(session):
    rows = session.execute(
        select(Track.name, Initiative.title, Initiative.position)
        .join(Track, Track.id == Initiative.track_id)
        .where(Initiative.active.is_(True))
        .order_by(Track.position, Initiative.position)
    )
    return [(t, i) for t, i, _ in rows]


def test_danish_semicolon_csv_with_bom(session, tmp_path):
    result = run(session, write(tmp_path, "tiltag.csv", GOOD_DA, bom=True))
    assert (result.areas_created, result.tracks_created, result.created) == (1, 2, 4)
    assert result.people_created == 2
    # Tracks in order of first appearance, rows in file order inside a track.
    assert active_titles(session) == [
        ("Organisering", "Ansættelse af fagchef"),
        ("Organisering", "Ny mødestruktur; med semikolon"),
        ("Organisering", "Fælles indgang"),
        ("Faglighed", "Kompetenceudvikling"),
    ]
    bo = session.scalar(select(Person).where(Person.email == "bo@kommune.dk"))
    assert bo is not None and bo.slack_user_id is None
    ny = session.scalar(select(Initiative).where(Initiative.title.like("Ny mødestruktur%")))
    assert ny.owner_id == bo.id and ny.plan == "Løbende"
    unowned = session.scalar(select(Initiative).where(Initiative.title == "Fælles indgang"))
    assert unowned.owner_id is None
    assert session.scalar(select(AuditEvent.action)) == "import"


def test_english_comma_csv_without_bom(session, tmp_path):
    text = (
        "Area,Track,Initiative,Plan,Owner\n"
        'Social,Organisation,"Hire a head, of unit","Spring, 2026",W0123ABC\n'
        "Social,Organisation,Second,,a.b@example.org\n"
    )
    result = run(session, write(tmp_path, "x.csv", text))
    assert result.created == 2
    assert active_titles(session)[0] == ("Organisation", "Hire a head, of unit")
    assert session.scalar(select(Initiative.plan).where(Initiative.position == 0)) == "Spring, 2026"


def test_cp1252_csv_from_old_excel(session, tmp_path):
    path = write(tmp_path, "old.csv", GOOD_DA, encoding="cp1252")
    assert run(session, path, encoding="cp1252").created == 4
    assert ("Organisering", "Ansættelse af fagchef") in active_titles(session)


def test_xlsx(session, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["OMRÅDE", "udviklingsspor", "tiltag", "iværksættelse af tiltag", "ansvarlig"])
    ws.append(["Socialområdet", "Organisering", "Ansættelse af fagchef", 2026, "UANNE001"])
    ws.append([None, None, None, None, None])  # blank rows are skipped
    ws.append(["Socialområdet", "Faglighed", "Kompetenceudvikling", None, "bo@kommune.dk"])
    path = tmp_path / "tiltag.xlsx"
    wb.save(path)
    assert run(session, path).created == 2
    assert session.scalar(select(Initiative.plan).where(Initiative.position == 0)) == "2026"


def test_every_bad_row_is_listed_and_nothing_is_imported(session, tmp_path):
    text = (
        "område;udviklingsspor;tiltag;iværksættelse;ansvarlig\n"
        "Social;Org;Godt tiltag;;UANNE001\n"  # line 2: fine
        "Social;Org;;;UANNE001\n"  # 3: no title
        "Social;Org;Andet;;ikke en mail\n"  # 4: bad owner
        "Social;Org;Tredje;;anne@@kommune\n"  # 5: bad e-mail
        "Social;Org;Godt  tiltag;;UANNE001\n"  # 6: duplicate of line 2 in the same track
        ";Org;Fjerde;;\n"  # 7: no area
        "Social;;Femte;;u123\n"  # 8: no track and bad user id
        "Social;Faglighed;Godt tiltag;;\n"  # 9: same title in another track is fine
    )
    with pytest.raises(ImportRejected) as info:
        run(session, write(tmp_path, "bad.csv", text))
    problems = info.value.problems
    assert sorted({p.line for p in problems}) == [3, 4, 5, 6, 7, 8]
    assert len([p for p in problems if p.line == 8]) == 2
    six = next(p for p in problems if p.line == 6)
    assert "2" in six.message
    assert str(problems[0]).startswith(("line 3", "linje 3"))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Initiative)) == 0
    assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_unknown_and_missing_columns(session, tmp_path):
    text = "area;initiative;colour\nSocial;Et;rød\n"
    with pytest.raises(ImportRejected) as info:
        run(session, write(tmp_path, "cols.csv", text))
    messages = [p.message for p in info.value.problems]
    assert all(p.line == 1 for p in info.value.problems)
    assert any("colour" in m for m in messages)
    assert any("track" in m for m in messages)


def test_line_numbers_count_multiline_cells(session, tmp_path):
    text = 'area,track,initiative,plan\nS,T,One,"first\nsecond line"\nS,T,,x\n'
    with pytest.raises(ImportRejected) as info:
        run(session, write(tmp_path, "multi.csv", text))
    assert [p.line for p in info.value.problems] == [4]


def test_empty_file_and_wrong_type(session, tmp_path):
    with pytest.raises(ImportRejected):
        run(session, write(tmp_path, "empty.csv", "\n\n"))
    from bot.errors import InvalidInput

    with pytest.raises(InvalidInput):
        run(session, write(tmp_path, "data.txt", GOOD_DA))
    with pytest.raises(InvalidInput):
        run(session, write(tmp_path, "broken.xlsx", "not a zip"))
    with pytest.raises(InvalidInput):
        run(session, tmp_path / "missing.csv")


def test_reimport_updates_without_duplicates_and_retires_missing(session, tmp_path):
    run(session, write(tmp_path, "a.csv", GOOD_DA))
    again = run(session, write(tmp_path, "a.csv", GOOD_DA))
    assert (again.created, again.updated, again.unchanged, again.retired) == (0, 0, 4, 0)

    changed = (
        "område;udviklingsspor;tiltag;iværksættelse;ansvarlig\n"
        "Socialområdet;Faglighed;Kompetenceudvikling;Ny plan;bo@kommune.dk\n"
        "socialområdet;organisering;ANSÆTTELSE  af fagchef;Foråret 2026;UANNE001\n"
        "Socialområdet;Organisering;Helt nyt;;UANNE001\n"
    )
    # Initiatives missing from the file are kept and listed (issue 11) …
    kept = run(session, write(tmp_path, "b.csv", changed))
    assert (kept.created, kept.retired, kept.missing) == (1, 0, 2)
    assert {c.label for c in kept.changes if c.kind == "missing"} == {
        "Socialområdet / organisering / Ny mødestruktur; med semikolon",
        "Socialområdet / organisering / Fælles indgang",
    }
    # … and retired only when asked.
    result = run(session, write(tmp_path, "b.csv", changed), retire_missing=True)
    assert (result.created, result.retired, result.areas_created) == (0, 2, 0)
    assert session.scalar(select(func.count()).select_from(Initiative)) == 5
    assert active_titles(session) == [
        ("Faglighed", "Kompetenceudvikling"),
        ("organisering", "ANSÆTTELSE af fagchef"),
        ("organisering", "Helt nyt"),
    ]
    komp = session.scalar(select(Initiative).where(Initiative.title == "Kompetenceudvikling"))
    assert komp.plan == "Ny plan" and komp.owner.email == "bo@kommune.dk"
    retired = session.scalars(select(Initiative).where(Initiative.active.is_(False))).all()
    assert {i.title for i in retired} == {"Ny mødestruktur; med semikolon", "Fælles indgang"}
    assert all(i.retired_at == NOW for i in retired)

    back = run(session, write(tmp_path, "c.csv", GOOD_DA))
    assert back.reactivated == 2 and back.created == 0
    assert session.scalar(select(func.count()).select_from(Initiative)) == 5


def test_progress_is_reported_per_row(session, tmp_path):
    calls = []
    import_file(
        session,
        write(tmp_path, "p.csv", GOOD_DA),
        actor=Actor.cli(),
        now=NOW,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_names_that_fit_their_column_only_until_case_folding_are_refused_by_line(session, tmp_path):
    """200 × ß is a valid area name of 200 characters, but its look-up key
    (case folded: ß → ss) has 400 and overflows its column; likewise a track,
    a title and a 400-character e-mail. Each is named with its line, nothing
    is written (PostgreSQL crashed with a traceback; SQLite stored it)."""
    email = "a" * 380 + "@kommune.dk"
    text = (
        "område;udviklingsspor;tiltag;ansvarlig\n"
        f"{'ß' * 200};Organisering;Et tiltag;UANNE001\n"  # 2: the area's key
        f"Social;{'ß' * 300};Et tiltag;UANNE001\n"  # 3: the track's key
        f"Social;Organisering;{'ß' * 600};UANNE001\n"  # 4: the title's key
        f"Social;Organisering;Andet tiltag;{email}\n"  # 5: the e-mail
        f"Social;Organisering;{'ß' * 100};{'b' * 300}@kommune.dk\n"  # 6: fine; 7 chars short
    )
    with pytest.raises(ImportRejected) as info:
        run(session, write(tmp_path, "long.csv", text))
    problems = info.value.problems
    assert sorted(p.line for p in problems) == [2, 3, 4, 5], [str(p) for p in problems]
    by_line = {p.line: p.message for p in problems}
    assert "area" in by_line[2] and "200" in by_line[2]
    assert "track" in by_line[3] and "500" in by_line[3]
    assert "title" in by_line[4] and "1000" in by_line[4]
    assert "e-mail" in by_line[5] and "320" in by_line[5]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Initiative)) == 0
