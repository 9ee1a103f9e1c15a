"""Alembic, driven from code: ``statusbot init`` is :func:`upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema in place; harmless when already current."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def new_revision(message: str) -> None:
    """Developer aid: autogenerate the next revision from the models.

    ``python -m storage.migrate "add widget table"`` compares the models with a
    scratch SQLite database upgraded to head and writes the difference.
    """
    import tempfile

    from storage.db import make_engine

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/scratch.db"
        engine = make_engine(url)
        upgrade(engine)
        head = head_revision() or "0000"
        number = int(head.split("_")[0]) + 1 if head[:4].isdigit() else 1
        config = alembic_config(url)
        command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")
        engine.dispose()


if __name__ == "__main__":
    import sys

    new_revision(" ".join(sys.argv[1:]) or "change")
