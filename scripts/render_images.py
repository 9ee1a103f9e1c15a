"""Render the README's pictures from a real demo run.

    .venv/bin/python scripts/render_images.py [--out docs/images]

Runs ``statusbot demo``'s driver, takes the Block Kit JSON the bot actually
sent to the fake Slack (a manager's prompt, the update modal, a coordinator's
draft summary), draws each into a simple Slack-like HTML page (jinja2) and
screenshots it with headless Chromium; the first page of the approved report
comes from the demo's PDF (``pdftoppm``), or from its HTML when Typst is
missing, and a slide of the meeting's deck from LibreOffice Impress
(``soffice``). Needs ``chromium`` (and ``pdftoppm`` from poppler-utils for the PDF page)
and the project's environment (``.venv``, made by ``make demo``): started with
another Python, it restarts itself with ``.venv/bin/python``.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def _in_project_environment() -> None:
    """Restart under ``.venv/bin/python`` when this Python lacks the project."""
    needed = ("bot", "jinja2", "PIL")
    if all(importlib.util.find_spec(name) is not None for name in needed):
        return
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), *sys.argv])
    sys.exit(
        "render_images.py needs the project's environment: run `make demo` once (it creates "
        ".venv), then `.venv/bin/python scripts/render_images.py`"
    )


_in_project_environment()

# Imported once the environment is right (see above).
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402
from markupsafe import Markup  # noqa: E402
from PIL import Image, ImageChops  # noqa: E402

from bot.demo.runner import DemoResult, run_demo  # noqa: E402
from bot.sample import SampleData, load_sample  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROMPT_USER = "U0DEMO03"  # a manager with three initiatives in three tracks
WIDTH = 860

_TOKEN = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<(https?://[^>|]+)(?:\|([^>]*))?>")


# ------------------------------------------------------------------ Block Kit


def mrkdwn(text: str, names: dict[str, str]) -> Markup:
    """Slack mrkdwn (already &amp;-escaped by the bot) as safe HTML."""
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(_inline(text[pos : match.start()]))
        kind, target, label, url, url_label = match.groups()
        if kind == "@":
            out.append(f'<span class="mention">@{html.escape(names.get(target, target))}</span>')
        elif kind == "#":
            out.append(f'<span class="mention">#{html.escape(label or target)}</span>')
        elif kind == "!":
            out.append(f'<span class="mention">@{html.escape(target)}</span>')
        else:
            out.append(f'<span class="mention">{html.escape(url_label or url)}</span>')
        pos = match.end()
    out.append(_inline(text[pos:]))
    lines = [
        f'<span class="quote">{line[4:]}</span>' if line.startswith("&gt;") else line
        for line in "".join(out).split("\n")
    ]
    return Markup("<br>".join(lines))


def _inline(text: str) -> str:
    escaped = html.escape(html.unescape(text), quote=False)
    escaped = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"<b>\1</b>", escaped)
    escaped = re.sub(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])", r"<i>\1</i>", escaped)
    escaped = re.sub(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])", r"<s>\1</s>", escaped)
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)


def _text(obj: dict[str, Any] | None, names: dict[str, str]) -> Markup:
    if not obj:
        return Markup("")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return Markup(html.escape(str(obj.get("text", ""))))


def _button(element: dict[str, Any], names: dict[str, str]) -> str:
    style = element.get("style", "")
    return f'<span class="button {style}">{_text(element.get("text"), names)}</span>'


def render_blocks(blocks: list[dict[str, Any]], names: dict[str, str]) -> Markup:
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(f'<div class="header">{_text(block.get("text"), names)}</div>')
        elif kind == "section":
            accessory = block.get("accessory")
            extra = _button(accessory, names) if accessory else ""
            parts.append(f'<div class="section">{_text(block.get("text"), names)} {extra}</div>')
        elif kind == "context":
            items = " ".join(str(_text(e, names)) for e in block.get("elements", []))
            parts.append(f'<div class="context">{items}</div>')
        elif kind == "divider":
            parts.append('<hr class="divider">')
        elif kind == "actions":
            buttons = "".join(
                _button(e, names) for e in block.get("elements", []) if e.get("type") == "button"
            )
            parts.append(f'<div class="actions">{buttons}</div>')
        elif kind == "input":
            parts.append(_input(block, names))
    return Markup("\n".join(parts))


def _input(block: dict[str, Any], names: dict[str, str]) -> str:
    element = block.get("element", {})
    optional = ' <span class="optional">(valgfri)</span>' if block.get("optional") else ""
    label = f'<div class="label">{_text(block.get("label"), names)}{optional}</div>'
    if element.get("type") == "plain_text_input":
        value = element.get("initial_value") or ""
        empty = "" if value else " empty"
        shown = html.escape(value) if value else html.escape(_placeholder(element))
        field = f'<div class="textarea{empty}">{shown}</div>'
    else:
        chosen = (element.get("initial_option") or {}).get("text") or element.get("placeholder")
        field = f'<div class="select"><span>{_text(chosen, names)}</span><span>▾</span></div>'
    return f'<div class="input">{label}{field}</div>'


def _placeholder(element: dict[str, Any]) -> str:
    return str((element.get("placeholder") or {}).get("text") or "")


# ---------------------------------------------------------------- rendering


def screenshot(page: Path, png: Path, *, width: int, height: int) -> None:
    """Headless Chromium, no network, a throw-away profile; then trim the bottom."""
    with tempfile.TemporaryDirectory(prefix="statusbot-chromium-") as profile:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    trim_bottom(png)


def trim_bottom(png: Path, margin: int = 16) -> None:
    """Cut the empty page below the content (the window is taller than needed)."""
    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box is not None:
        bottom = min(image.height, box[3] + margin)
        image = image.crop((0, 0, image.width, bottom))
    image.save(png, optimize=True)


def names_of(sample: SampleData) -> dict[str, str]:
    return {p.slack_user_id: p.display_name for p in sample.people.people}


def render_slack(
    env: Environment,
    workdir: Path,
    png: Path,
    *,
    blocks: list[dict[str, Any]],
    names: dict[str, str],
    height: int,
    channel: str = "",
    channel_note: str = "",
    time: str = "",
    modal: dict[str, str] | None = None,
) -> None:
    page = workdir / (png.stem + ".html")
    page.write_text(
        env.get_template("slack_preview.html.j2").render(
            title=png.stem,
            width=WIDTH,
            textarea_max=240,
            blocks_html=render_blocks(blocks, names),
            channel=channel,
            channel_note=channel_note,
            time=time,
            modal=modal,
        ),
        encoding="utf-8",
    )
    screenshot(page, png, width=WIDTH, height=height)


def render_report_page(result: DemoResult, workdir: Path, png: Path) -> None:
    pdf = result.files.get("pdf")
    if pdf is not None and shutil.which("pdftoppm"):
        stem = workdir / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), stem],
            check=True,
            timeout=120,
        )
        shutil.move(f"{stem}.png", png)
        return
    screenshot(result.files["html"], png, width=1120, height=900)


def office_page(document: Path, workdir: Path, png: Path, *, page: int, dpi: int) -> bool:
    """One page of a Word or PowerPoint file as LibreOffice draws it
    (soffice → PDF → pdftoppm); False, and said, when either is missing."""
    soffice = shutil.which("soffice")
    if soffice is None or not shutil.which("pdftoppm"):
        print(f"no soffice/pdftoppm: {png.name} not made", file=sys.stderr)
        return False
    folder = workdir / f"office-{png.stem}"
    folder.mkdir()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    stem = folder / "page"
    pdf = folder / f"{document.stem}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), stem],
        check=True,
        timeout=120,
    )  # fmt: skip
    shutil.move(f"{stem}.png", png)
    return True


def render_slide(result: DemoResult, workdir: Path, png: Path) -> None:
    """The deck's first *Hvad er sket siden sidst?* slide, as LibreOffice Impress draws it."""
    office_page(result.files["pptx"], workdir, png, page=3, dpi=90)


def render_case_document(result: DemoResult, workdir: Path, png: Path) -> None:
    """Page 1 of the agenda item's sagsfremstilling.docx, as LibreOffice draws it."""
    import zipfile

    package = result.files.get("agenda")
    if package is None:
        print("case-document.png skipped: the demo wrote no agenda package", file=sys.stderr)
        return
    docx = workdir / "sagsfremstilling.docx"
    docx.write_bytes(zipfile.ZipFile(package).read("sagsfremstilling.docx"))
    office_page(docx, workdir, png, page=1, dpi=80)


HISTORY_TITLE = "Styrkelse af afdelingsledelsen på de tre plejecentre"  # in the sample


def history_blocks_of(database: Path, sample: SampleData) -> list[dict[str, Any]]:
    """`/status history` of one sample initiative, as its owner sees it (Danish)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from bot.blocks.history import history_message
    from bot.blocks.model import Viewer
    from bot.i18n import translator
    from bot.registry.history import initiative_history
    from storage.db import make_engine, make_session_factory
    from storage.models import Initiative

    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as session:
            initiative = session.scalar(select(Initiative).where(Initiative.title == HISTORY_TITLE))
            assert initiative is not None, HISTORY_TITLE
            viewer = Viewer(locale="da", tz=ZoneInfo("Europe/Copenhagen"))
            _ = translator("slack", "da").gettext
            rows = initiative_history(session, initiative)
            return history_message(initiative.title, rows, viewer, _)["blocks"]
    finally:
        engine.dispose()


PICTURES = (
    "prompt",
    "update-modal",
    "draft-summary",
    "report-page",
    "slide",
    "case-document",
    "history",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument(
        "--only", action="append", help="render only this picture (e.g. history); repeatable"
    )
    args = parser.parse_args(argv)
    wanted = set(args.only or PICTURES)
    args.out.mkdir(parents=True, exist_ok=True)
    sample = load_sample()
    names = names_of(sample)
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    with tempfile.TemporaryDirectory(prefix="statusbot-images-") as tmp:
        workdir = Path(tmp)
        result = run_demo(workdir / "demo", sample=sample, keep_db=True)
        captured = result.captured
        manager = names[PROMPT_USER]
        prompt = captured.prompts[PROMPT_USER]
        if "history" in wanted:
            assert result.database is not None
            owner = names["U0DEMO03"]
            render_slack(
                env,
                workdir,
                args.out / "history.png",
                blocks=history_blocks_of(result.database, sample),
                names=names,
                height=1600,
                channel=f"statusbot  ·  kun synlig for dig ({owner})  ·  /status history",
                time="10.12",
            )
        if "prompt" not in wanted:
            for name in sorted(wanted):
                print(args.out / f"{name}.png")
            return 0
        render_slack(
            env,
            workdir,
            args.out / "prompt.png",
            blocks=prompt["blocks"],
            names=names,
            height=1400,
            channel=f"statusbot  ·  direkte besked til {manager}",
            time="09.00",
        )
        modal = captured.update_modal
        assert modal is not None
        render_slack(
            env,
            workdir,
            args.out / "update-modal.png",
            blocks=modal["blocks"],
            names=names,
            height=1400,
            modal={
                "title": modal["title"]["text"],
                "submit": modal["submit"]["text"],
                "close": modal["close"]["text"],
            },
        )
        draft = captured.draft_summary
        assert draft is not None
        coordinator = names[sample.script.send_back.by]
        render_slack(
            env,
            workdir,
            args.out / "draft-summary.png",
            blocks=draft["blocks"],
            names=names,
            height=1400,
            channel=f"statusbot  ·  direkte besked til {coordinator}",
            channel_note="+ udkast-1.docx, udkast-1.html",
            time="13.05",
        )
        render_report_page(result, workdir, args.out / "report-page.png")
        render_slide(result, workdir, args.out / "slide.png")
        render_case_document(result, workdir, args.out / "case-document.png")
    for name in PICTURES:
        print(args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
