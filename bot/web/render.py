"""The pages: jinja2 templates next to this module, autoescaped, with one
stylesheet inlined and allowed by its hash in the Content-Security-Policy
(:mod:`bot.web.headers`); no script, no external resource."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.web.texts import texts

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def stylesheet() -> Markup:
    # Our own file, no user data: inserted as it is (its hash is in the CSP).
    return Markup((TEMPLATES / "form.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def stylesheet_hash() -> str:
    digest = hashlib.sha256(str(stylesheet()).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_page(template: str, locale: str, **context: Any) -> bytes:
    page = environment().get_template(template)
    t = texts(locale)
    html = page.render(t=t, tn=t.plural, lang=t.locale, css=stylesheet(), **context)
    return html.encode("utf-8")
