"""``statusbot doctor`` against the fake Slack and a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.ops import DEFAULT_MANIFEST, known_revisions, manifest_scopes
from bot.settings import DEFAULT_BOT_SCOPES
from bot.testing.fakeslack import FakeSlack
from storage.db import make_engine
from storage.migrate import head_revision, upgrade

TOKEN = "xoxb-ops-test-token-0123456789"  # = conftest's fake token
SECRET = "doctor-test-signing-secret"
ALL_SCOPES = sorted(manifest_scopes(DEFAULT_MANIFEST))


def doctor(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str]:
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")  # doctor speaks the configured language
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["doctor"])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def good_env(clean_env: Path, fake: FakeSlack, db_url: str, engine: Engine) -> dict[str, str]:
    fake.scopes = ALL_SCOPES
    return {
        "STATUSBOT_DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
    }


def test_default_scopes_are_the_manifests() -> None:
    assert set(DEFAULT_BOT_SCOPES.split(",")) == set(ALL_SCOPES)


def test_all_good(monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]) -> None:
    code, out = doctor(monkeypatch, **good_env)
    assert code == 0, out
    assert "everything looks right" in out
    assert "schema is current" in out and "every scope of the manifest is granted" in out
    assert TOKEN not in out and SECRET not in out


def test_missing_scope(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], fake: FakeSlack
) -> None:
    fake.scopes = [s for s in ALL_SCOPES if s not in ("users:read.email", "files:write")]
    code, out = doctor(monkeypatch, **good_env)
    assert code == 1
    assert "lacks the scope(s) files:write, users:read.email" in out
    assert "reinstall" in out
    assert "1 problem found" in out


def test_bad_token(monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]) -> None:
    wrong = "xoxb-wrong-and-secret-999"
    code, out = doctor(monkeypatch, **{**good_env, "SLACK_BOT_TOKEN": wrong})
    assert code == 1
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in out
    assert wrong not in out


def test_slack_unreachable(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], fake: FakeSlack
) -> None:
    fake.stop()
    code, out = doctor(monkeypatch, **good_env)
    assert code == 1
    assert "cannot reach the Slack API" in out


def test_missing_settings(monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]) -> None:
    env = {k: v for k, v in good_env.items() if k not in ("SLACK_BOT_TOKEN",)}
    code, out = doctor(monkeypatch, **env)
    assert code == 1
    assert "SLACK_BOT_TOKEN is not set" in out


def test_malformed_setting(monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]) -> None:
    code, out = doctor(monkeypatch, **{**good_env, "STATUSBOT_TIMEZONE": "Mars/Olympus"})
    assert code == 1
    assert "STATUSBOT_TIMEZONE is invalid" in out


def test_database_without_schema(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**good_env, "STATUSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    code, out = doctor(monkeypatch, **env)
    assert code == 1
    assert "there is no database at" in out and "run `statusbot init`" in out
    assert not (tmp_path / "new.db").exists()  # doctor only looks
    (tmp_path / "new.db").touch()  # an empty file: no schema yet
    code, out = doctor(monkeypatch, **env)
    assert code == 1
    assert "has no schema yet: run `statusbot init`" in out


def test_database_behind_head(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], tmp_path: Path
) -> None:
    older = sorted(known_revisions() - {head_revision()})
    if not older:
        pytest.skip("only one migration exists")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, older[-1])
    engine.dispose()
    code, out = doctor(monkeypatch, **{**good_env, "STATUSBOT_DATABASE_URL": url})
    assert code == 1
    assert f"schema is at revision {older[-1]}, this version needs {head_revision()}" in out


def test_database_ahead_of_the_code(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    code, out = doctor(monkeypatch, **good_env)
    assert code == 1
    assert "9999_future, which this version of statusbot does not know" in out


def test_database_password_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]
) -> None:
    url = "postgresql+psycopg://bot:hunter2secret@127.0.0.1:9/statusbot?connect_timeout=2"
    code, out = doctor(monkeypatch, **{**good_env, "STATUSBOT_DATABASE_URL": url})
    assert code == 1
    assert "does not answer" in out
    assert "hunter2secret" not in out


def test_doctor_talks_only_to_slack_api_url(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], fake: FakeSlack
) -> None:
    """GovSlack: with SLACK_API_URL changed, nothing goes to slack.com."""
    import socket

    opened: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            opened.append((str(address[0]), int(address[1])))
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    code, out = doctor(monkeypatch, **good_env)
    assert code == 0, out
    slack_calls = [a for a in opened if a[1] == fake.port]
    assert slack_calls and all(host == "127.0.0.1" for host, _ in opened)
    assert [c.method for c in fake.calls] == ["auth.test"]


def test_oauth_installations_are_listed_without_tokens(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str], engine: Engine
) -> None:
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    env = {k: v for k, v in good_env.items() if k != "SLACK_BOT_TOKEN"}
    env.update(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="doctor-oauth-client-secret")
    code, out = doctor(monkeypatch, **env)
    assert code == 0, out
    assert "multi-workspace OAuth install is enabled" in out
    assert "no workspace has installed statusbot yet: open /slack/install" in out

    store = SQLAlchemyInstallationStore(client_id="1111.2222", engine=engine)
    secrets = ["xoxe.xoxb-TA-secret-1", "xoxe-1-TA-refresh", "xoxb-TB-secret-2"]
    store.save(
        Installation(
            app_id="A1",
            team_id="TA",
            team_name="Alfa",
            user_id="UINSTALL",
            bot_token=secrets[0],
            bot_refresh_token=secrets[1],
            bot_token_expires_in=43200,
            bot_user_id="UBOTA",
        )
    )
    store.save(Installation(app_id="A1", team_id="TB", user_id="UX", bot_token=secrets[2]))
    code, out = doctor(monkeypatch, **env)
    assert code == 0, out
    assert "OAuth: installed in 2 workspace(s)" in out
    assert "workspace TA (Alfa): installed" in out and "rotating token, expires" in out
    assert "workspace TB: installed" in out and "token does not expire" in out
    assert not [s for s in [*secrets, "doctor-oauth-client-secret"] if s in out]


def test_oauth_without_signing_secret_is_a_problem(
    monkeypatch: pytest.MonkeyPatch, good_env: dict[str, str]
) -> None:
    env = {
        k: v for k, v in good_env.items() if k not in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    }
    env.update(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="s", SLACK_APP_TOKEN="xapp-1-x")
    code, out = doctor(monkeypatch, **env)
    assert code == 1
    assert "OAuth installs need `serve --http` and so SLACK_SIGNING_SECRET" in out
