"""Multi-workspace installs in tests: the bot with OAuth on, against the fake
Slack, and an installer's browser going through /slack/install and
/slack/oauth_redirect of the real HTTP app."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.testing.harness import SlackHarness
from bot.testing.signer import Response, get
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import Area, Initiative, Person, Role, RoleGrant, Track
from storage.slack_tables import installations, oauth_states

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-test-client-secret-0123456789"
OAUTH_SETTINGS: dict[str, Any] = {
    "SLACK_BOT_TOKEN": None,  # no single token: every token comes from an installation
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
}


@dataclass
class Browser:
    """Keeps cookies, like the installer's browser."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    pages: list[Response] = field(default_factory=list)

    def get(self, path: str, **query: str) -> Response:
        url = self.base_url + path + (("?" + urlencode(query)) if query else "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = get(url, headers=headers if self.cookies else None)
        for key, value in response.headers.items():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]
        self.pages.append(response)
        return response


def authorize_link(page: Response) -> str:
    """The "Add to Slack" link of the install page."""
    match = re.search(r'<a class="button" href="([^"]+)"', page.text)
    assert match, page.text
    return html.unescape(match.group(1))


def start(harness: SlackHarness) -> tuple[Browser, str]:
    """Open /slack/install; return the browser and the state Slack gets."""
    browser = Browser(harness.server.url)
    page = browser.get("/slack/install")
    assert page.status == 200, page.text
    query = parse_qs(urlsplit(authorize_link(page)).query)
    return browser, query["state"][0]


def install(
    harness: SlackHarness, team_id: str, *, team_name: str = "", **code_options: Any
) -> Response:
    """The whole install of the app into ``team_id`` (Slack approves at once)."""
    code = f"code-{team_id}"
    harness.fake.add_oauth_code(
        code,
        team_id=team_id,
        team_name=team_name or team_id,
        bot_user_id=f"UBOT{team_id}",
        bot_id=f"BBOT{team_id}",
        **code_options,
    )
    browser, state = start(harness)
    return browser.get("/slack/oauth_redirect", code=code, state=state)


def installed_tokens(session: Session, team_id: str) -> list[str]:
    c = installations.c
    rows = session.execute(
        select(c.bot_token).where(c.team_id == team_id).order_by(c.installed_at)
    ).scalars()
    return [str(token) for token in rows]


def installation_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(installations)) or 0)


def state_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(oauth_states)) or 0)


def area_with_owner(
    session: Session, team_id: str, area_name: str, owner: Person, coordinator: Person
) -> Area:
    """An area of ``team_id`` with one initiative of ``owner`` and its coordinator."""
    area = Area(team_id=team_id, name=area_name, key=area_name.casefold())
    session.add(area)
    session.flush()
    track = Track(area_id=area.id, name="Spor", key="spor")
    session.add(track)
    session.flush()
    session.add(
        Initiative(
            area_id=area.id,
            track_id=track.id,
            title=f"{area_name} initiative",
            key=f"{area_name.casefold()} initiative",
            owner_id=owner.id,
        )
    )
    session.add(RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id))
    session.flush()
    return area


def open_for(harness: SlackHarness, session: Session, area: Area) -> int:
    now = harness.clock.now()
    cycle = open_cycle(
        session,
        area_id=area.id,
        as_of=date(2024, 3, 1),
        deadline=now + timedelta(days=7),
        remind=[],
        title=None,
        actor=Actor.cli(),
        now=now,
    )
    return cycle.id


def person(session: Session, team_id: str, slack_id: str) -> Person:
    return session.scalars(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_id)
    ).one()
