"""Issue 14.3: unauthenticated clients that announce a large body and send it a
byte a second must not starve ``statusbot serve --http``. With four of them
connected to a server with the default two request threads, a signed
``/status help`` and ``GET /healthz`` are still answered within 3 seconds; a
body larger than the limit is refused at once."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from bot.cli.serve import DEFAULT_THREADS
from bot.server import MAX_BODY_BYTES
from bot.testing.fakeslack import FakeSlack
from bot.testing.signer import SlackSigner, get, post
from tests.reliability.rel_world import SECRET, TOKEN, Served, serve_env

SLOW_CLIENTS = 4


def _slow_client(host: str, port: int, stop: threading.Event, started: threading.Event) -> None:
    """Headers announcing a large body, then one byte a second."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {MAX_BODY_BYTES - 1}\r\n\r\n".encode()
        )
        started.set()
        while not stop.wait(1.0):
            sock.sendall(b"a")


@pytest.fixture
def slow_clients(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    url = request.getfixturevalue("served_url")
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", int(parts.port or 80)
    stop = threading.Event()
    threads = []
    for _ in range(SLOW_CLIENTS):
        started = threading.Event()
        thread = threading.Thread(target=_slow_client, args=(host, port, stop, started))
        thread.start()
        assert started.wait(5)
        threads.append(thread)
    time.sleep(1.5)  # they hold their connections (and, before, the threads)
    yield host, port
    stop.set()
    for thread in threads:
        thread.join(5)


@pytest.fixture
def served_url(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[str]:
    with FakeSlack(token=TOKEN) as fake:
        served = Served(serve_env(db_url, fake), tmp_path, threads=DEFAULT_THREADS)
        try:
            yield served.url
        finally:
            served.stop()


def test_slow_bodies_do_not_starve_signed_requests(
    served_url: str, slow_clients: tuple[str, int]
) -> None:
    signer = SlackSigner(secret=SECRET)
    for _ in range(3):
        started = time.monotonic()
        response = post(served_url + "/slack/events", signer.command("help", user_id="U1"),
                        timeout=10)
        elapsed = time.monotonic() - started
        assert response.status == 200 and "/status" in response.text
        assert elapsed < 3.0, elapsed
        started = time.monotonic()
        health = get(served_url + "/healthz", timeout=10)
        assert health.status == 200 and time.monotonic() - started < 3.0


def test_a_body_over_the_limit_is_refused_before_it_is_read(served_url: str) -> None:
    parts = urlsplit(served_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            + f"Content-Length: {MAX_BODY_BYTES * 50}\r\n\r\n".encode()
        )
        started = time.monotonic()
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 3.0
