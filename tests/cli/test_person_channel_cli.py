"""``statusbot person set … --channel`` and the import column ``kanal``."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEvent, Person

HEAD = "område;udviklingsspor;tiltag;ansvarlig;kanal\n"


def channel_of(db, email):  # type: ignore[no-untyped-def]
    with db() as session:
        return session.scalar(select(Person.channel).where(Person.email == email))


def test_the_import_column_kanal_sets_how_owners_are_reached(cli, db, tmp_path):  # type: ignore[no-untyped-def]
    cli("init")
    path = tmp_path / "r.csv"
    path.write_text(
        HEAD + "Soc;Org;Ny chef;anne@kommune.dk;e-mail\nSoc;Org;Møder;bo@kommune.dk;\n",
        encoding="utf-8",
    )
    cli("import", path)
    assert channel_of(db, "anne@kommune.dk") == "email"
    assert channel_of(db, "bo@kommune.dk") == "slack"
    # A file without the column leaves the channel as it is.
    path.write_text(
        "område;udviklingsspor;tiltag;ansvarlig\nSoc;Org;Ny chef;anne@kommune.dk\n",
        encoding="utf-8",
    )
    cli("import", path)
    assert channel_of(db, "anne@kommune.dk") == "email"


def test_bad_channel_cells_are_reported_with_their_line(cli, db, tmp_path):  # type: ignore[no-untyped-def]
    cli("init")
    path = tmp_path / "r.csv"
    path.write_text(
        HEAD + "Soc;Org;Ny chef;anne@kommune.dk;fax\nSoc;Org;Møder;U0BBBBBB1;email\n",
        encoding="utf-8",
    )
    result = cli("import", path, code=1)
    out = result.stdout + result.stderr
    assert "fax" in out and "neither slack nor e-mail" in out
    assert "needs the owner's e-mail address" in out
    with db() as session:
        assert session.scalar(select(Person.id)) is None  # nothing imported


def test_person_set_channel_is_audited_and_checked(cli, db, tmp_path):  # type: ignore[no-untyped-def]
    cli("init")
    path = tmp_path / "r.csv"
    path.write_text(HEAD + "Soc;Org;Ny chef;anne@kommune.dk;\nSoc;Org;B;U0BBBBBB1;\n")
    cli("import", path)
    out = cli("person", "set", "anne@kommune.dk", "--channel", "e-mail").stdout
    assert "anne@kommune.dk is reached by email" in out
    assert "STATUSBOT_SMTP_URL is not set" in out
    assert channel_of(db, "anne@kommune.dk") == "email"
    with db() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "person.channel"))
        assert event is not None and event.detail["before"] == "slack"
    cli("person", "set", "anne@kommune.dk", "--channel", "slack")
    assert channel_of(db, "anne@kommune.dk") == "slack"
    # Usage and failures: one line, exit 2 / 1, nothing changed.
    bad = cli("person", "set", "anne@kommune.dk", "--channel", "pigeon", code=2)
    assert "--channel must be slack or email" in bad.stderr
    no_mail = cli("person", "set", "U0BBBBBB1", "--channel", "email", code=1)
    assert "has no e-mail address" in no_mail.stderr
    cli("person", "set", "nobody@kommune.dk", "--channel", "email", code=1)
