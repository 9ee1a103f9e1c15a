"""The real bot against the fake Slack: one object for tests, demo and bench.

:class:`SlackHarness` starts :class:`~bot.testing.fakeslack.FakeSlack`, builds
:class:`~bot.runtime.Deps` pointing ``SLACK_API_URL`` at it with a
:class:`~bot.clock.ManualClock`, serves the same WSGI app as ``statusbot serve
--http`` (waitress, 127.0.0.1, a free port) and sends signed requests to it::

    with SlackHarness(session_factory, database_url=url) as slack:
        slack.user("U1", email="anna@kommune.dk", name="Anna")
        r = slack.command("help", user="U1")          # POST /slack/events
        slack.drain()                                  # run due jobs (manual clock)
        assert slack.fake.posted("U1")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.app import StatusApp, build_app
from bot.clock import ManualClock
from bot.delivery import answers
from bot.runtime import Deps
from bot.scheduler import Scheduler, TickResult
from bot.server import EVENTS_PATH, HEALTH_PATH, ThreadedServer, make_wsgi_app
from bot.settings import Settings, load_settings
from bot.slack_client import build_client
from bot.testing.fakeslack import Call, FakeSlack, FakeUser
from bot.testing.signer import Response, SignedRequest, SlackSigner, get, post
from storage.models import Job, JobState, Person

SIGNING_SECRET = "fake-signing-secret-for-tests"
# A Monday morning in Copenhagen (08:00 UTC = 09:00 CET), no holiday.
DEFAULT_START = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting work in flight (lazy listeners)."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="bolt-listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


class SlackHarness:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        database_url: str = "sqlite://",
        start: datetime = DEFAULT_START,
        settings: dict[str, Any] | None = None,
        secret: str = SIGNING_SECRET,
        strict_triggers: bool = True,
        inline_rate_limit_wait: float = 0.0,
        listeners: bool = True,
    ) -> None:
        self.session_factory = session_factory
        self.fake = FakeSlack(strict_triggers=strict_triggers)
        self.clock = ManualClock(start)
        self.secret = secret
        self._database_url = database_url
        self._overrides = dict(settings or {})
        self._inline_wait = inline_rate_limit_wait
        self._listeners = listeners
        self.executor = TrackingExecutor()
        self.settings: Settings
        self.deps: Deps
        self.app: StatusApp
        self.server: ThreadedServer
        self.scheduler: Scheduler
        self.signer: SlackSigner

    # ---------------------------------------------------------------- life

    def start(self) -> SlackHarness:
        self.fake.start()
        values: dict[str, Any] = {
            "STATUSBOT_DATABASE_URL": self._database_url,
            "SLACK_BOT_TOKEN": self.fake.token,
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.fake.base_url,
            "STATUSBOT_LOCALE": "en",
            "STATUSBOT_TIMEZONE": "Europe/Copenhagen",
            "STATUSBOT_TICK_SECONDS": 1,
        }
        values.update(self._overrides)
        self.settings = load_settings(**values)
        client = build_client(
            self.settings, max_inline_wait=self._inline_wait, retry_interval=0.01, timeout=5
        )
        self.deps = Deps(
            settings=self.settings,
            session_factory=self.session_factory,
            clock=self.clock,
            client=client,
            team_id="",
            bot_user_id=self.fake.bot_user_id,
            bot_id=self.fake.bot_id,
        )
        self.app = build_app(self.deps, listener_executor=self.executor, listeners=self._listeners)
        self.scheduler = Scheduler(self.deps, worker_id="harness-1")
        wsgi = make_wsgi_app(
            self.app,
            self.deps,
            scheduler_status=lambda: {
                "role": "claimer",
                "last_tick_age_seconds": self.scheduler.last_tick_age_seconds(),
            },
        )
        self.server = ThreadedServer(wsgi).start()
        self.signer = SlackSigner(
            secret=self.secret,
            team_id=self.fake.team_id,
            bot_user_id=self.fake.bot_user_id,
            trigger=self.fake.new_trigger,
        )
        return self

    def signer_for(self, team_id: str) -> SlackSigner:
        """Signed requests from another workspace (multi-workspace installs)."""
        return SlackSigner(
            secret=self.secret,
            team_id=team_id,
            bot_user_id=self.fake.bot_user_id,
            trigger=self.fake.new_trigger,
        )

    def stop(self) -> None:
        self.executor.wait_idle(5)
        self.server.stop()
        self.executor.shutdown(wait=True)
        self.fake.stop()

    def __enter__(self) -> SlackHarness:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def events_url(self) -> str:
        return self.server.url + EVENTS_PATH

    @property
    def health_url(self) -> str:
        return self.server.url + HEALTH_PATH

    # -------------------------------------------------------------- people

    def user(
        self,
        slack_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        tz: str = "Europe/Copenhagen",
        locale: str = "en-US",
        in_db: bool = True,
        team_id: str = "",
        **fake_fields: Any,
    ) -> Person | None:
        """A Slack member in the fake, and (``in_db``) the same person in the
        database (of workspace ``team_id``: ``""`` is the single-workspace one)."""
        if team_id:
            fake_fields.setdefault("team_id", team_id)
        self.fake.add_user(
            id=slack_id,
            email=email,
            name=name or slack_id.lower(),
            real_name=name or "",
            tz=tz,
            locale=locale,
            **fake_fields,
        )
        if not in_db:
            return None
        with self.session_factory() as session:
            person = session.scalar(
                select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_id)
            )
            if person is None:
                person = Person(team_id=team_id, slack_user_id=slack_id)
                session.add(person)
            person.email = email
            person.display_name = name
            person.tz = tz
            person.locale = locale
            session.commit()
            session.refresh(person)
            session.expunge(person)
            return person

    # ------------------------------------------------------------- sending

    def send(self, request: SignedRequest, *, wait: bool = True) -> Response:
        """POST a signed request to /slack/events; with ``wait`` also let lazy
        listeners finish and apply the answers it recorded (what the serving
        process's scheduler does at once when woken) before returning."""
        response = post(self.events_url, request)
        if wait:
            self.executor.wait_idle()
            self.apply_answers()
        return response

    def apply_answers(self) -> int:
        """Apply recorded answers now (:mod:`bot.delivery.answers`); returns how many."""
        try:
            applied = self.scheduler.tick(kinds=[answers.KIND]).claimed
        except SQLAlchemyError:  # the database is down: the scheduler retries later
            return 0
        self.executor.wait_idle()
        return applied

    def command(self, text: str = "", *, user: str, **kw: Any) -> Response:
        return self.send(self.signer.command(text, user_id=user, **kw))

    def action(self, action_id: str, *, user: str, **kw: Any) -> Response:
        return self.send(self.signer.block_action(action_id, user_id=user, **kw))

    def submit(
        self, view: dict[str, Any], *, user: str, values: dict[str, Any] | None = None, **kw: Any
    ) -> Response:
        return self.send(self.signer.view_submission(view, user_id=user, values=values, **kw))

    def event(self, event: dict[str, Any], **kw: Any) -> Response:
        return self.send(self.signer.event(event, **kw))

    def message_im(self, text: str, *, user: str, **kw: Any) -> Response:
        return self.send(self.signer.message_im(text, user_id=user, **kw))

    def app_home_opened(self, *, user: str, **kw: Any) -> Response:
        return self.send(self.signer.app_home_opened(user_id=user, **kw))

    def health(self) -> Response:
        return get(self.health_url)

    # --------------------------------------------------------------- time

    def advance(self, delta: timedelta) -> datetime:
        return self.clock.advance(delta)

    def tick(self) -> TickResult:
        """One scheduler pass at the manual clock's time."""
        return self.scheduler.tick()

    def next_due(self) -> datetime | None:
        with self.session_factory() as session:
            return session.scalar(select(func.min(Job.due_at)).where(Job.state == JobState.PENDING))

    def drain(self, within: timedelta = timedelta(0), *, max_ticks: int = 1000) -> int:
        """Run every job due now or within ``within`` from now, moving the clock
        to each due time (retries after 429/5xx included). Returns ticks run."""
        horizon = self.clock.now() + within
        for ticks in range(1, max_ticks + 1):
            result = self.tick()
            if result.claimed:
                continue
            upcoming = self.next_due()
            if upcoming is None or upcoming > horizon:
                return ticks
            if upcoming > self.clock.now():
                self.clock.set(upcoming)
        raise RuntimeError(f"jobs still due after {max_ticks} ticks")

    # ------------------------------------------------------------ inspect

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Call]:
        """Recorded Web API calls (of ``method``; only (un)successful ones with ``ok``)."""
        found = list(self.fake.iter_calls())
        if method is not None:
            found = [c for c in found if c.method == method]
        if ok is not None:
            found = [c for c in found if c.ok == ok]
        return found

    def posted(self, user_or_channel: str | None = None) -> list[Call]:
        return self.fake.posted(user_or_channel)

    def last_view(self) -> dict[str, Any] | None:
        """The view of the last successful views.open/push/update (as stored)."""
        for call in reversed(self.calls()):
            if call.method in ("views.open", "views.push", "views.update") and call.ok:
                assert call.response is not None
                return dict(call.response["view"])
        return None

    def ephemerals(self, user: str | None = None) -> list[dict[str, Any]]:
        found = list(self.fake.ephemerals)
        return [e for e in found if user is None or e.get("user") == user]

    def jobs(self, kind: str | None = None) -> Iterator[Job]:
        with self.session_factory() as session:
            query = select(Job).order_by(Job.id)
            if kind is not None:
                query = query.where(Job.kind == kind)
            yield from session.scalars(query).all()


__all__ = ["DEFAULT_START", "SIGNING_SECRET", "FakeUser", "SlackHarness", "TrackingExecutor"]
