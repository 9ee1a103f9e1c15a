"""The answer form's routes (Werkzeug), mounted by :func:`bot.server.make_wsgi_app`.

- ``GET /answer/<token>``: the form, prefilled; changes nothing (mail scanners
  open every link first).
- ``POST /answer/<token>``: ``action=preview`` shows the answers as the report
  will (stores nothing); ``action=submit`` stores them and redirects to
- ``GET /answer/<token>/receipt``: what is saved now.

An unknown, revoked or expired link gets the same 404 page, and counts as a
guess against the client's address (:mod:`bot.web.ratelimit`). Every POST
needs the form's CSRF field (:mod:`bot.web.csrf`): without it, 403 and
nothing is read further.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, NotFound, RequestTimeout
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from bot.errors import Conflict
from bot.runtime import Deps, wake_scheduler
from bot.web import form as forms
from bot.web.answering import Refused, store_answers
from bot.web.csrf import FIELD, Check, CsrfTokens, key_from
from bot.web.headers import security_headers
from bot.web.links import LINK_PATH, is_expired, resolve_link
from bot.web.page import FormPage, add_previews, load_page, reader, take_typed
from bot.web.ratelimit import GuessLimiter
from bot.web.render import render_page
from bot.web.texts import texts
from storage.models import Cycle, Person

log = logging.getLogger(__name__)

PREFIX = LINK_PATH
MAX_BODY_BYTES = 1_000_000  # as bot.server's limit for Slack's requests
BODY_READ_SECONDS = 20.0  # a phone on a slow line posting a long status

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

URLS = Map(
    [
        Rule("/answer/<token>", endpoint="form", methods=["GET", "POST"]),
        Rule("/answer/<token>/receipt", endpoint="receipt", methods=["GET"]),
    ]
)


def form_path(token: str) -> str:
    return PREFIX + quote(token, safe="")


LOCAL_PROXIES = ("127.0.0.1", "::1")


def client_address(request: Request) -> str:
    """Whom the guess limit counts: the peer, or — from a proxy on this machine
    — the address that proxy appended to ``X-Forwarded-For`` (the last one:
    earlier ones are whatever the client sent)."""
    peer = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in LOCAL_PROXIES and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


class AnswerForm:
    """The WSGI app of ``/answer/…`` for one server process."""

    def __init__(
        self,
        deps: Deps,
        *,
        limiter: GuessLimiter | None = None,
        csrf: CsrfTokens | None = None,
    ) -> None:
        self.deps = deps
        secret = deps.settings.slack_signing_secret
        if csrf is None:
            csrf = CsrfTokens(key_from(secret.get_secret_value() if secret else None))
        self.csrf = csrf
        self.limiter = GuessLimiter() if limiter is None else limiter
        from bot.server import BodyDeadlines

        self._bodies = BodyDeadlines(BODY_READ_SECONDS)

    # ------------------------------------------------------------ plumbing

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_BODY_BYTES
        request.max_form_memory_size = MAX_BODY_BYTES
        try:
            response = self._dispatch(request)
        except HTTPException as exc:
            response = self._message(exc.code or 400, self._site_locale(), exc.name, [])
        except SQLAlchemyError:
            log.exception("the answer form could not reach the database")
            t = texts(self._site_locale())
            response = self._message(
                503,
                t.locale,
                t("Please try again in a moment"),
                [t("The answers could not be saved just now; nothing was saved.")],
            )
        response.headers.extend(security_headers())
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        adapter = URLS.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()  # MethodNotAllowed: 405 by the caller
        except NotFound:
            return self._not_found()
        client = client_address(request)
        wait = self.limiter.retry_after(client)
        if wait:
            t = texts(self._site_locale())
            response = self._message(
                429, t.locale, t("Too many attempts"), [t("Please wait a while and try again.")]
            )
            response.headers["Retry-After"] = str(wait)
            return response
        if request.method == "POST":
            self._read_body(request)
        with self.deps.session_factory() as session:
            # Expired links (the cycle is approved) still find their page: it
            # says the round is closed instead of "not valid".
            link = resolve_link(session, str(args["token"]), include_expired=True)
            if link is None:
                self.limiter.failed(client)
                return self._not_found()
            person = session.get(Person, link.person_id)
            cycle = session.get(Cycle, link.cycle_id)
            if person is None or cycle is None:
                return self._not_found()
            token = str(args["token"])
            binding = str(link.id)
            if is_expired(link) and endpoint != "receipt":
                return self._expired(session, request, cycle, person, binding)
            if endpoint == "receipt":
                return self._receipt(session, request, cycle, person, token)
            if request.method == "POST":
                return self._post(session, request, cycle, person, binding, token)
            page = load_page(session, cycle, person, self.deps.settings, self.deps.clock.now())
            return self._form(page, binding)

    def _read_body(self, request: Request) -> None:
        """Read the body within its deadline (a client trickling it holds a
        thread for :data:`BODY_READ_SECONDS` at most), for Werkzeug to parse."""
        length = request.content_length or 0
        if length > MAX_BODY_BYTES:
            return  # Werkzeug answers 413 when the form is read
        raw = self._bodies.read(request.environ, length) if length else b""
        if len(raw) < length:
            raise RequestTimeout()
        request.environ["wsgi.input"] = io.BytesIO(raw)
        request.environ["CONTENT_LENGTH"] = str(len(raw))

    def _site_locale(self) -> str:
        return self.deps.settings.locale

    # ------------------------------------------------------------ pages

    def _not_found(self) -> Response:
        t = texts(self._site_locale())
        return self._message(
            404,
            t.locale,
            t("This link is not valid"),
            [
                t(
                    "The link may be mistyped, or it no longer applies to you (the initiatives"
                    " were given to someone else). Ask the coordinator who sent it for a new one."
                )
            ],
        )

    def _message(
        self,
        status: int,
        locale: str,
        heading: str,
        lines: list[str],
        kept: list[tuple[str, str]] | None = None,
    ) -> Response:
        body = render_page("message.html.j2", locale, heading=heading, lines=lines, kept=kept)
        return Response(body, status=status, content_type="text/html; charset=utf-8")

    def _form(
        self,
        page: FormPage,
        binding: str,
        *,
        status: int = 200,
        notice: str | None = None,
        preview: bool = False,
    ) -> Response:
        if not page.collecting:
            return self._closed(page, [])
        errors = [
            (f"{kind}-{item.entry_id}", item.title, message)
            for item in page.items.values()
            for kind, message in item.input.errors.items()
        ]
        body = render_page(
            "answer.html.j2",
            page.locale,
            page=page,
            csrf=self.csrf.issue(binding),
            notice=notice,
            errors=errors,
            preview=preview,
        )
        return Response(body, status=status, content_type="text/html; charset=utf-8")

    def _again(
        self,
        session: Session,
        cycle: Cycle,
        person: Person,
        binding: str,
        typed: list[forms.ItemInput],
        status: int,
        *,
        notice: str | None = None,
        preview: bool = False,
        refused: Refused | None = None,
    ) -> Response:
        """The form again with what was typed (errors, a preview, a refusal);
        a round no longer collecting gets the closed page, the text shown."""
        page = load_page(session, cycle, person, self.deps.settings, self.deps.clock.now())
        if not page.collecting:
            return self._closed(page, typed, status=409)
        take_typed(page, typed)
        if refused is not None:
            item = page.items.get(refused.entry_id) if refused.entry_id is not None else None
            if item is None or not item.editable:
                # Not one of the person's open items (any more): the round's or the link's.
                return self._closed(page, typed, status=409)
            item.input.errors[refused.field or "status"] = refused.message
        if preview:
            add_previews(page)
        return self._form(page, binding, status=status, notice=notice, preview=preview)

    def _closed(self, page: FormPage, typed: list[forms.ItemInput], status: int = 200) -> Response:
        t = texts(page.locale)
        titles = {item.entry_id: item.title for item in page.items.values()}
        kept = [
            (titles[i.entry_id], i.markup)
            for i in typed
            if i.choice == forms.UPDATE and i.markup.strip() and i.entry_id in titles
        ]
        lines = [
            t(
                "This round no longer takes answers: the report is being finished or is"
                " approved already."
            )
        ]
        if typed:
            lines.append(t("Nothing was saved."))
        return self._message(status, page.locale, t("This round is closed"), lines, kept)

    def _expired(
        self, session: Session, request: Request, cycle: Cycle, person: Person, binding: str
    ) -> Response:
        """The round is approved: a clear page; a POST's text is shown, not stored."""
        page = load_page(session, cycle, person, self.deps.settings, self.deps.clock.now())
        if request.method != "POST":
            return self._closed(page, [])
        typed: list[forms.ItemInput] = []
        if self.csrf.check(request.form.get(FIELD), binding) is not Check.MISSING:
            typed = forms.read_items(request.form, list(page.items))
        return self._closed(page, typed, status=409)

    def _receipt(
        self, session: Session, request: Request, cycle: Cycle, person: Person, token: str
    ) -> Response:
        page = load_page(session, cycle, person, self.deps.settings, self.deps.clock.now())
        body = render_page(
            "receipt.html.j2",
            page.locale,
            page=page,
            saved=forms.count(request.args.get("saved")),
            newer=forms.count(request.args.get("newer")),
            form_url=form_path(token),
        )
        return Response(body, status=200, content_type="text/html; charset=utf-8")

    # ------------------------------------------------------------ answers

    def _post(
        self,
        session: Session,
        request: Request,
        cycle: Cycle,
        person: Person,
        binding: str,
        token: str,
    ) -> Response:
        check = self.csrf.check(request.form.get(FIELD), binding)
        if check is Check.MISSING:
            t = texts(self._site_locale())
            return self._message(
                403,
                t.locale,
                t("The form could not be accepted"),
                [t("Open the link from your e-mail again and fill in the form there.")],
            )
        now = self.deps.clock.now()
        t = texts(reader(person, self.deps.settings)[0])
        typed = forms.read_items(request.form)
        valid = all([forms.check(item, t) for item in typed])
        if check is Check.EXPIRED:
            notice = t(
                "This page was open for a long time, so nothing was saved yet."
                " Check your answers and press “Submit” again."
            )
            return self._again(session, cycle, person, binding, typed, 400, notice=notice)
        if not valid:
            return self._again(session, cycle, person, binding, typed, 400)
        if request.form.get("action") == forms.ACTION_PREVIEW:
            return self._again(session, cycle, person, binding, typed, 200, preview=True)
        # The ordinary case loads no page: the workflow checks every posted id.
        try:
            stored = store_answers(
                session, self.deps.settings, person=person, cycle=cycle, items=typed, now=now
            )
        except Conflict:
            notice = t(
                "Someone saved an answer for the same initiative at the same moment,"
                " so nothing was saved yet. Your text is still here: press “Submit” again."
            )
            return self._again(session, cycle, person, binding, typed, 409, notice=notice)
        except Refused as refused:
            session.rollback()
            return self._again(session, cycle, person, binding, typed, 409, refused=refused)
        except SQLAlchemyError:  # the database is busy or away: keep what was typed
            log.exception("the answer form could not store answers")
            session.rollback()
            notice = t(
                "The answers could not be saved just now; nothing was saved. Your text is"
                " still here: press “Submit” again in a moment."
            )
            return self._again(session, cycle, person, binding, typed, 503, notice=notice)
        if stored:
            wake_scheduler(self.deps)
        location = f"{form_path(token)}/receipt?saved={len(stored)}"
        newer = sum(1 for s in stored if s.replaced_newer)
        if newer:
            location += f"&newer={newer}"
        return Response(status=303, headers={"Location": location})
