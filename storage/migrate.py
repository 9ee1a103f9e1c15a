"""Alembic, driven from code: ``statusbot init`` is :func:`upgrade`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic's own version table; the CLI's quick check reads it without Alembic.
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema in place; harmless when already current."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


_REVISION = re.compile(
    r"""^(down_revision|revision)\b[^=]*=\s*(?:None|["']([\w-]+)["'])\s*$""", re.M
)


def _single_head() -> str | None:
    """The head revision read from the version files' ``revision`` and
    ``down_revision`` lines; None when that is not plainly one chain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((name, value) for name, value in _REVISION.findall(path.read_text("utf-8")))
        if not found.get("revision"):
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def schema_is_current(engine: Engine) -> bool:
    """True when the database is plainly at the head revision, found without
    importing Alembic (a tenth of a second of every CLI command's start). False
    means "not known": ask :func:`current_revision` and :func:`head_revision`."""
    head = _single_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            stamped = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    except Exception:  # no table yet, or no database: the full check says which
        return False
    return [row[0] for row in stamped] == [head]


def new_revision(message: str) -> None:
    """Developer aid: autogenerate the next revision from the models.

    ``python -m storage.migrate "add widget table"`` compares the models with a
    scratch SQLite database upgraded to head and writes the difference.
    """
    import tempfile

    from alembic import command

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
