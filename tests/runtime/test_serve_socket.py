"""``statusbot serve --socket`` as a real process against the Socket Mode
stand-in (bot/testing/fakesocket.py): connecting, envelopes of each kind,
refreshes, dropped connections, link_disabled and SIGTERM.

The targets (issue 15): every envelope acknowledged within 3 s, also during
a refresh; after any drop a new connection within 10 s, using at most a few
percent of a core while the bot waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.testing.fakeslack import FakeSlack
from bot.testing.fakesocket import Ack, Envelope, FakeSocketMode
from bot.testing.served import SocketServedProcess, serve_env
from bot.testing.signer import SlackSigner
from storage.models import Revision
from tests.reliability.rel_world import open_now, seed, status_values, update_view

TOKEN = "xoxb-socket-test-token"
APP_TOKEN = "xapp-1-A0FAKE-1-socket-test"
ACK_LIMIT = 3.0  # Slack's limit for acknowledging an envelope
RECONNECT_LIMIT = 10.0
CPU_LIMIT = 0.05  # share of one core while waiting for a new connection
# Short keepalive for the tests (a half-open link is noticed within 2 pings);
# one test runs with the default.
FAST_PING = {"STATUSBOT_SOCKET_PING_SECONDS": "0.5"}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, strict_triggers=True) as server:
        server.add_user(id="U1", name="u1", locale="en-US")
        yield server


@pytest.fixture
def socket_mode(fake: FakeSlack) -> FakeSocketMode:
    return fake.enable_socket_mode(APP_TOKEN)


def socket_env(db_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    return serve_env(
        db_url,
        fake.base_url,
        token=TOKEN,
        secret="unused-in-socket-mode",
        **{
            "SLACK_APP_TOKEN": APP_TOKEN,
            "STATUSBOT_TICK_SECONDS": "1",
            **FAST_PING,
            **extra,
        },
    )


class Bot:
    """The serving process and what a test does through Slack."""

    def __init__(self, served: SocketServedProcess, fake: FakeSlack, sm: FakeSocketMode) -> None:
        self.served = served
        self.fake = fake
        self.sm = sm
        self.signer = SlackSigner(secret="-", trigger=fake.new_trigger)

    def acked(self, envelope: Envelope) -> Ack:
        ack = self.sm.wait_ack(envelope.envelope_id, timeout=ACK_LIMIT + 2)
        assert ack is not None, f"envelope {envelope.type} never acknowledged\n{self.stderr()}"
        assert ack.latency < ACK_LIMIT, (envelope.type, ack.latency)
        return ack

    def help(self, **options: object) -> Ack:
        ack = self.acked(self.sm.deliver(self.signer.command("help", user_id="U1"), **options))
        assert ack.payload is not None and "/status help" in str(ack.payload), ack.payload
        return ack

    def stderr(self) -> str:
        return self.served.stderr()

    def logged(self, *texts: str, timeout: float = 5.0) -> bool:
        """The process's log shows each of ``texts`` (soon: it logs from other threads)."""
        return self.sm.wait_for(lambda: all(t in self.stderr() for t in texts), timeout)


Start = Callable[..., Bot]


@pytest.fixture
def start(
    db_url: str, engine: Engine, fake: FakeSlack, socket_mode: FakeSocketMode, tmp_path: Path
) -> Iterator[Start]:
    """``start(**env)`` runs serve --socket; at the end it must stop on SIGTERM with 0."""
    started: list[Bot] = []

    def run(**extra: str) -> Bot:
        served = SocketServedProcess(socket_env(db_url, fake, **extra), tmp_path)
        started.append(Bot(served, fake, socket_mode))
        return started[-1]

    yield run
    for bot in started:
        code = bot.served.stop()
        assert code == 0, bot.stderr()
        assert "Traceback" not in bot.stderr(), bot.stderr()


# ---------------------------------------------------------------- start-up


def test_connects_and_answers_a_slash_command(start: Start, socket_mode: FakeSocketMode) -> None:
    bot = start()
    first = socket_mode.connections[0]
    assert first.usable
    assert socket_mode.frames_of(first.number, "out")[0].data["type"] == "hello"
    ack = bot.help()
    assert ack.connection == first.number
    assert bot.logged("Socket Mode: connection 1 open"), bot.stderr()


def test_a_refused_handshake_at_start_is_retried_not_fatal(
    start: Start, socket_mode: FakeSocketMode
) -> None:
    """Slack's edge refusing the first handshake (HTTP 503) made serve exit
    with 2; it is retried with a fresh URL, as after a drop."""
    socket_mode.refuse_handshakes(1)
    bot = start()
    assert socket_mode.handshakes_refused == 1
    assert bot.help().connection == socket_mode.current().number
    assert bot.logged(
        "connecting failed (the websocket handshake was refused (HTTP 503))"
    ), bot.stderr()


def test_a_wrong_app_token_is_one_line_naming_it(
    db_url: str, engine: Engine, fake: FakeSlack, socket_mode: FakeSocketMode, tmp_path: Path
) -> None:
    env = socket_env(db_url, fake, SLACK_APP_TOKEN="xapp-1-A0FAKE-1-wrong-secret")
    served = SocketServedProcess(env, tmp_path, wait=False)
    assert served.proc.wait(30) == 2
    lines = served.stderr().splitlines()
    errors = [line for line in lines if line.startswith("statusbot:")]
    assert len(errors) == 1 and "SLACK_APP_TOKEN" in errors[0] and "invalid_auth" in errors[0]
    assert "wrong-secret" not in served.stderr()
    # Nothing else but the bot's own log line of the bot-token check: no SDK noise.
    others = [line for line in lines if not line.startswith("statusbot:")]
    assert all(" INFO statusbot.serve[" in line for line in others), lines
    assert socket_mode.connections == []


# ------------------------------------------------------------ interactions


def test_button_opens_the_modal_and_the_submission_is_stored_once(
    start: Start,
    fake: FakeSlack,
    socket_mode: FakeSocketMode,
    session_factory: sessionmaker[Session],
) -> None:
    world = seed(session_factory, fake, managers=1)
    cycle_id = open_now(session_factory, world)
    manager = world.managers[0]
    entry_id = world.entry_of[manager]
    bot = start()
    trigger = fake.new_trigger(manager)
    click = bot.signer.block_action(
        ids.action_id(ids.UPDATE, entry_id),
        user_id=manager,
        value=ids.EntryRef(cycle_id, entry_id).encode(),
        trigger_id=trigger,
    )
    bot.acked(socket_mode.deliver(click))
    assert fake.wait_for(lambda: bool(fake.calls_to("views.open")), timeout=5), bot.stderr()
    opened = fake.calls_to("views.open")[0]
    assert opened.ok and opened.params["trigger_id"] == trigger, opened.response

    empty = bot.signer.view_submission(
        update_view(cycle_id, entry_id), user_id=manager, values=status_values("")
    )
    refused = bot.acked(socket_mode.deliver(empty))  # the modal's errors travel in the ack
    assert refused.payload is not None and refused.payload["response_action"] == "errors"

    submission = bot.signer.view_submission(
        update_view(cycle_id, entry_id), user_id=manager, values=status_values("Sendt via Socket")
    )
    first = socket_mode.deliver(submission)
    ack = bot.acked(first)
    assert not (ack.payload or {}).get("response_action"), ack.payload  # the modal closes
    # Slack delivers the same envelope again (its ack was late or lost): stored once.
    bot.acked(socket_mode.deliver(submission, envelope_id=first.envelope_id))

    def revisions() -> list[str]:
        with session_factory() as session:
            rows = session.scalars(select(Revision).where(Revision.entry_id == entry_id))
            return [r.status.to_markup() for r in rows]

    assert socket_mode.wait_for(lambda: "Sendt via Socket" in revisions(), timeout=10)
    time.sleep(1.0)  # the scheduler applied what it was going to apply
    assert revisions().count("Sendt via Socket") == 1


def test_an_event_retry_is_acknowledged_and_handled_once(
    start: Start, fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    bot = start()
    event = bot.signer.app_home_opened(user_id="U1", event_id="Ev0SOCKET01")
    bot.acked(socket_mode.deliver(event))
    assert fake.wait_for(lambda: len(fake.calls_to("views.publish")) == 1, timeout=5)
    retry = bot.signer.app_home_opened(
        user_id="U1", event_id="Ev0SOCKET01", retry_num=1, retry_reason="timeout"
    )
    again = socket_mode.deliver(retry)
    sent = next(
        f
        for f in socket_mode.frames_of(again.connection, "out")
        if f.kind == "text" and f.data.get("envelope_id") == again.envelope_id
    )
    assert sent.data["retry_attempt"] == 1 and sent.data["retry_reason"] == "timeout"
    bot.acked(again)
    time.sleep(0.5)
    assert len(fake.calls_to("views.publish")) == 1


# ---------------------------------------------------------------- refresh


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_refresh_opens_the_new_connection_first_and_acknowledges_everything(
    start: Start, socket_mode: FakeSocketMode, reason: str
) -> None:
    bot = start()
    old = socket_mode.current()
    socket_mode.disconnect(reason, close_after=5.0)
    # Slack keeps delivering on the old connection until the new one is there.
    command = bot.signer.command
    on_old = [socket_mode.deliver(command("help", user_id="U1"), connection=old) for _ in range(3)]
    new = socket_mode.wait_connection(after=old.number, timeout=5)
    on_new = [socket_mode.deliver(command("help", user_id="U1")) for _ in range(3)]
    for envelope in on_old:
        assert bot.acked(envelope).connection == old.number
    for envelope in on_new:
        assert bot.acked(envelope).connection == new.number
    # The bot closes the old connection itself, after the new one was open.
    assert socket_mode.wait_for(lambda: old.state == "closed", timeout=4)
    assert old.closed_at is not None and new.hello_at is not None
    assert new.hello_at < old.closed_at
    assert old.how_closed == "client"
    assert bot.logged("Slack asked to refresh connection 1"), bot.stderr()


def test_steady_traffic_through_repeated_refreshes_is_all_acknowledged(
    start: Start, socket_mode: FakeSocketMode
) -> None:
    """STATUSBOT_SOCKET_DEBUG_RECONNECTS asks Slack (here: the stand-in, after
    1 s) to refresh each connection soon; envelopes keep coming meanwhile."""
    socket_mode.debug_reconnect_after = 1.0
    bot = start(STATUSBOT_SOCKET_DEBUG_RECONNECTS="true")
    envelopes = []
    for _ in range(20):
        envelopes.append(socket_mode.deliver(bot.signer.command("help", user_id="U1")))
        time.sleep(0.25)
    for envelope in envelopes:
        bot.acked(envelope)
    assert len(socket_mode.connections) >= 3, [c.number for c in socket_mode.connections]
    assert socket_mode.wait_for(
        lambda: sum(c.state == "open" for c in socket_mode.connections) <= 2, timeout=5
    )


# ------------------------------------------------------------------ drops


def reconnect_after(bot: Bot, how: str, *, refused: int) -> tuple[float, float]:
    """Drop the current connection ``how``, refuse the next ``refused``
    handshakes (Slack's edge failing); returns (seconds until a new
    connection, share of a core the bot used meanwhile)."""
    old = bot.sm.current()
    bot.sm.refuse_handshakes(refused)
    cpu_before = bot.served.cpu_seconds()
    began = time.monotonic()
    bot.sm.drop(how, old)
    new = bot.sm.wait_connection(after=old.number, timeout=RECONNECT_LIMIT + 5)
    waited = time.monotonic() - began
    cpu = (bot.served.cpu_seconds() - cpu_before) / waited
    assert new.hello_at is not None
    return waited, cpu


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_a_dropped_connection_is_replaced_without_spinning(start: Start, how: str) -> None:
    bot = start()
    bot.help()
    waited, cpu = reconnect_after(bot, how, refused=2)  # about 1.5 s of backoff
    print(f"{how}: reconnected after {waited:.2f} s, {cpu:.1%} of a core")
    assert waited < RECONNECT_LIMIT, waited
    assert cpu < CPU_LIMIT, f"{cpu:.1%} of a core over {waited:.1f} s"
    assert bot.help().connection == bot.sm.current().number
    assert bot.logged(
        "connection 1 lost",
        "reconnecting failed (the websocket handshake was refused (HTTP 503))",
        "reconnected after",
    ), bot.stderr()


def test_a_half_open_connection_is_noticed_within_the_target_with_default_settings(
    start: Start,
) -> None:
    bot = start(STATUSBOT_SOCKET_PING_SECONDS="3")  # the default, spelled out
    bot.help()
    waited, cpu = reconnect_after(bot, "silence", refused=0)
    print(f"silence: reconnected after {waited:.2f} s, {cpu:.1%} of a core")
    assert waited < RECONNECT_LIMIT, waited
    assert cpu < CPU_LIMIT, f"{cpu:.1%} of a core over {waited:.1f} s"
    bot.help()
    assert bot.logged("connection 1 lost (keepalive ping timeout)"), bot.stderr()


# ------------------------------------------------------------------- stop


def test_link_disabled_stops_the_bot_with_a_clear_line(
    db_url: str, engine: Engine, fake: FakeSlack, socket_mode: FakeSocketMode, tmp_path: Path
) -> None:
    served = SocketServedProcess(socket_env(db_url, fake), tmp_path)
    socket_mode.disconnect("link_disabled")
    assert served.proc.wait(15) == 3
    log = served.stderr()
    assert "Slack turned Socket Mode off for this app (link_disabled)" in log
    assert "Traceback" not in log
    assert len(socket_mode.connections) == 1  # no reconnect attempts


def test_sigterm_closes_the_connection_properly_and_exits_0(
    db_url: str, engine: Engine, fake: FakeSlack, socket_mode: FakeSocketMode, tmp_path: Path
) -> None:
    served = SocketServedProcess(socket_env(db_url, fake), tmp_path)
    connection = socket_mode.current()
    assert served.stop() == 0
    assert [f.kind for f in socket_mode.frames_of(connection.number, "in")][-1:] == ["close"]
    assert socket_mode.wait_for(lambda: connection.state == "closed", timeout=3)
    assert "Traceback" not in served.stderr()



def test_sigterm_while_follow_up_work_waits_for_slack_exits_0(
    db_url: str, engine: Engine, fake: FakeSlack, socket_mode: FakeSocketMode, tmp_path: Path
) -> None:
    """The App Home is published after the ack; a stop in the middle of it
    (a slow Slack) lets it finish and exits 0."""
    fake.slow("views.publish", 1.5, times=None)
    served = SocketServedProcess(socket_env(db_url, fake), tmp_path)
    envelope = socket_mode.deliver(SlackSigner(secret="-").app_home_opened(user_id="U1"))
    ack = socket_mode.wait_ack(envelope.envelope_id, timeout=5)
    assert ack is not None and ack.latency < ACK_LIMIT, ack
    assert fake.wait_for(lambda: bool(fake.calls_to("views.publish")), timeout=5)
    began = time.monotonic()
    assert served.stop() == 0, served.stderr()
    assert time.monotonic() - began < 10
    assert "Traceback" not in served.stderr()
