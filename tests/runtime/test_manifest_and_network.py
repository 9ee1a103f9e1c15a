"""The Slack app manifest matches the bot; nothing talks to anything but SLACK_API_URL."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.server import EVENTS_PATH
from bot.testing.harness import SlackHarness
from storage import outbox
from storage.models import Person, Role, RoleGrant

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_manifest_declares_what_the_bot_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features = manifest["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["bot_user"]["display_name"]
    [command] = features["slash_commands"]
    assert command["command"] == "/status"
    settings = manifest["settings"]
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)
    assert settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) >= {"app_home_opened", "message.im"}
    assert settings["socket_mode_enabled"] is False
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
        "commands",
        "files:write",
        "files:read",
    }
    assert needed <= scopes


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every TCP connection this process opens (address, port)."""
    opened: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            opened.append((str(address[0]), int(address[1])))
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield opened


def test_only_slack_api_url_is_contacted(
    slack: SlackHarness, connections: list[tuple[str, int]], db_url: str
) -> None:
    slack.user("UC1", name="Cora")
    slack.fake.add_user(id="U0ANNA", email="anna@kommune.dk")
    with slack.session_factory() as session:
        cora = session.query(Person).filter_by(slack_user_id="UC1").one()
        session.add(RoleGrant(person_id=cora.id, role=Role.ADMIN))
        session.add(Person(team_id="", email="anna@kommune.dk"))
        ghost = Person(team_id="", display_name="Ghost")
        session.add(ghost)
        session.flush()
        outbox.enqueue(
            session,
            "notify_failure",
            {"person_id": ghost.id, "reason": "user_not_found"},
            due_at=slack.clock.now(),
        )
        session.commit()
    slack.command("help", user="UC1")
    slack.event({"type": "reaction_added", "user": "UC1"})
    slack.drain()  # e-mail look-up + users.info + chat.postMessage
    slack.deps.client.files_upload_v2(content=b"report", filename="r.md", channel="UC1")
    assert slack.posted("UC1") and slack.fake.uploaded()
    allowed_ports = {slack.fake.port, slack.server.port}
    if not db_url.startswith("sqlite"):
        allowed_ports.add(5432)
    assert connections, "the check saw no connections at all"
    for host, port in connections:
        assert host == "127.0.0.1", (host, port)
        assert port in allowed_ports, (host, port)
    assert {port for _, port in connections} >= {slack.fake.port, slack.server.port}
