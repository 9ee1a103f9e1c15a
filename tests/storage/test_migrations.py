from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import make_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.slack_tables import ALL_METADATA


def test_upgrade_from_empty_creates_every_table(db_url):
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        for metadata in ALL_METADATA:
            assert set(metadata.tables) <= tables
    finally:
        engine.dispose()


def test_upgrade_twice_is_harmless_and_keeps_data(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO area (team_id, name, key, approvals_required, "
                    "default_reminders, created_at) VALUES ('', 'A', 'a', 1, '3d', "
                    "CURRENT_TIMESTAMP)"
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM area")).scalar_one() == "A"
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrations_match_the_models(engine):
    """Alembic autogenerate finds nothing to add: the migration chain is complete
    (the bot's models and slack_sdk's OAuth store tables alike)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, list(ALL_METADATA))  # type: ignore[arg-type]
    assert diff == []


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        engine.dispose()


def test_the_requested_database_is_the_one_tested(engine):
    """With STATUSBOT_TEST_DATABASE_URL set, tests must really run on PostgreSQL."""
    import os

    wanted = os.environ.get("STATUSBOT_TEST_DATABASE_URL")
    assert engine.dialect.name == ("postgresql" if wanted else "sqlite")


def test_quick_schema_check_agrees_with_alembic(db_url):
    """The CLI's check without Alembic (storage.migrate.schema_is_current)."""
    from storage.migrate import _single_head, schema_is_current

    assert _single_head() == head_revision()
    engine = make_engine(db_url)
    try:
        assert not schema_is_current(engine)  # no version table yet
        upgrade(engine)
        assert schema_is_current(engine)
        older = "0001"
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
        assert not schema_is_current(engine)
    finally:
        engine.dispose()
