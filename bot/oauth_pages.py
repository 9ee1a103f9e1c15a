"""The pages an installer's browser sees during the OAuth install, in plain
words (Danish or English, ``STATUSBOT_LOCALE``; texts in the ``runtime``
catalog). Self-contained HTML: nothing is loaded from elsewhere."""

from __future__ import annotations

from html import escape

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import FailureArgs, SuccessArgs

from bot.i18n import translator

DOMAIN = "runtime"
INSTALL_PATH = "/slack/install"  # bot.oauth serves it


def _(locale: str, text: str) -> str:
    return translator(DOMAIN, locale).gettext(text)


def _page(locale: str, title: str, *paragraphs: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    lang = "da" if locale == "da" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em;"
        "line-height:1.5}a.button{display:inline-block;padding:.6em 1.2em;border-radius:4px;"
        "background:#4a154b;color:#fff;text-decoration:none}code{background:#eee;"
        "padding:0 .2em}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _html(status: int, html: str) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=html,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
    )


def install_page(url: str, locale: str) -> str:
    """The "Add to Slack" page: one link to Slack's authorize page."""
    return _page(
        locale,
        _(locale, "Install statusbot"),
        escape(
            _(
                locale,
                "Add statusbot to your Slack workspace. Slack shows what the bot may do and "
                "asks you to allow it; then you come back here.",
            )
        ),
        f'<a class="button" href="{escape(url)}">{escape(_(locale, "Add to Slack"))}</a>',
    )


def success(args: SuccessArgs, locale: str) -> BoltResponse:
    installation = args.installation
    team_id = installation.team_id or ""
    team = installation.team_name or team_id
    commands = (
        f"statusbot import --team {team_id} FILE",
        f"statusbot roles grant --team {team_id} USER admin",
    )
    return _html(
        200,
        _page(
            locale,
            _(locale, "statusbot is installed"),
            escape(_(locale, "statusbot is now installed in the workspace {team}.")).format(
                team=f"<strong>{escape(team)}</strong>"
            ),
            escape(
                _(
                    locale,
                    "The operator sets the workspace up with its id {team_id}, for example:",
                ).format(team_id=team_id)
            ),
            "<br>".join(f"<code>{escape(line)}</code>" for line in commands),
            escape(_(locale, "You can close this page.")),
        ),
    )


_REASONS = {
    "access_denied": "The installation was cancelled in Slack.",
    "invalid_browser": (
        "This installation link is not valid in this browser: it has no installation "
        "code of its own (state), or it was started in another browser or with cookies "
        "blocked."
    ),
    "invalid_state": "This installation link has expired or has already been used.",
    "missing_code": "Slack did not send an installation code.",
    "invalid_code": (
        "Slack did not accept the installation code (it has expired or was already used)."
    ),
    "storage_error": "The installation could not be saved.",
}


def failure(args: FailureArgs, locale: str) -> BoltResponse:
    known = _REASONS.get(args.reason)
    reason = (
        _(locale, known)
        if known
        else _(locale, "The installation failed ({reason}).").format(reason=args.reason)
    )
    link = f'<a href="{INSTALL_PATH}">{escape(_(locale, "Start again"))}</a>'
    return _html(
        args.suggested_status_code,
        _page(
            locale,
            _(locale, "statusbot was not installed"),
            escape(reason),
            escape(_(locale, "Nothing was installed or saved.")),
            escape(_(locale, "{link} from the install page.")).format(link=link),
        ),
    )


def org_wide(locale: str) -> BoltResponse:
    """The page of a refused Enterprise Grid org-wide install (nothing saved)."""
    link = f'<a href="{INSTALL_PATH}">{escape(_(locale, "Start again"))}</a>'
    return _html(
        400,
        _page(
            locale,
            _(locale, "statusbot was not installed"),
            escape(
                _(
                    locale,
                    "statusbot cannot be installed organisation-wide (Enterprise Grid): its "
                    "areas, roles and reports belong to one workspace.",
                )
            ),
            escape(
                _(
                    locale,
                    "Remove the app from the organisation in Slack's admin pages, then install "
                    "it into each workspace that reports: choose that workspace, not the "
                    "organisation, when Slack asks where to install.",
                )
            ),
            escape(_(locale, "Nothing was installed or saved.")),
            escape(_(locale, "{link} from the install page.")).format(link=link),
        ),
    )
