"""/healthz: database and a live scheduler; a stopped scheduler makes it 503."""

from __future__ import annotations

import time

from bot.scheduler import Scheduler, SchedulerService
from bot.server import ThreadedServer, make_wsgi_app
from bot.testing.harness import SlackHarness
from bot.testing.signer import get


def test_scheduler_liveness_in_healthz(slack: SlackHarness) -> None:
    service = SchedulerService(Scheduler(slack.deps, worker_id="health-1"))
    server = ThreadedServer(make_wsgi_app(slack.app, slack.deps, scheduler_status=service.status))
    server.start()
    try:
        service.start()
        body = get(server.url + "/healthz").json()
        assert body["status"] == "ok" and body["scheduler"]["alive"] is True
        service.stop()
        response = get(server.url + "/healthz")
        assert response.status == 503
        assert response.json()["status"] == "unhealthy"
        assert response.json()["scheduler"]["alive"] is False
        assert response.json()["database"] == "ok"
    finally:
        service.stop()
        server.stop()


def test_stale_ticks_count_as_stuck(slack: SlackHarness) -> None:
    service = SchedulerService(Scheduler(slack.deps, worker_id="health-2")).start()
    try:
        deadline = time.monotonic() + 5
        while service.scheduler.last_tick_at is None and time.monotonic() < deadline:
            time.sleep(0.01)  # let the thread's first tick finish (next one is 1 s away)
        service.scheduler.last_tick_at = time.monotonic() - 10_000  # ages ago
        assert service.alive() is False
        service.scheduler.tick()
        assert service.alive() is True
    finally:
        service.stop()
