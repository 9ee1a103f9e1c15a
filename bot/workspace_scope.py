"""Which Slack workspace a request is handled for (multi-workspace installs).

Listeners scope every look-up with ``deps.team_id`` (and compare with
``deps.bot_user_id``). In a single-workspace install those are fixed (team
``""``). With OAuth installs they are the values of the workspace whose
request is being handled: :func:`serving` binds them, in a context variable,
for the duration of one Bolt dispatch, and :class:`ContextExecutor` carries
the binding to the lazy listeners and follow-up work that the request hands
to thread pools. Work outside requests (outbox jobs) never sees a binding; it
acts for ``job.team_id`` through :meth:`bot.runtime.Deps.for_team`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Workspace:
    """The workspace of the request in hand (bot ids are filled in by authorize)."""

    team_id: str
    bot_user_id: str | None = None
    bot_id: str | None = None


_current: contextvars.ContextVar[Workspace | None] = contextvars.ContextVar(
    "statusbot_workspace", default=None
)


def current() -> Workspace | None:
    return _current.get()


@contextmanager
def serving(team_id: str) -> Iterator[Workspace]:
    """Handle what runs inside for ``team_id`` (and what it submits to a
    :class:`ContextExecutor`)."""
    workspace = Workspace(team_id=team_id)
    token = _current.set(workspace)
    try:
        yield workspace
    finally:
        _current.reset(token)


class PerWorkspace(Generic[T]):
    """A :class:`~bot.runtime.Deps` field that reads as the served workspace's
    value while a multi-workspace request is handled, else as set."""

    def __init__(self, default: T) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, objtype: type | None = None) -> T:
        if obj is None:
            return self.default  # the dataclass default
        workspace = _current.get()
        if workspace is not None:
            return getattr(workspace, self.name)  # type: ignore[no-any-return]
        return obj.__dict__.get(self.name, self.default)  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: T) -> None:
        obj.__dict__[self.name] = value


class ContextExecutor(Executor):
    """Runs each submitted call in a copy of the submitter's context, so a
    lazy listener or follow-up sees the workspace its request was bound to."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return self.inner.submit(context.run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
