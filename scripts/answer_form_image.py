"""The README's picture of the answer form: docs/images/answer-form.png.

    .venv/bin/python scripts/answer_form_image.py [--out docs/images/answer-form.png]

Builds the answer form's test world (tests/web/web_world.py: an owner reached
by e-mail, three initiatives, last round's statuses) in a temporary SQLite
database, serves the form as ``serve --http`` does, and in Debian's headless
Chromium (chromium-driver, Selenium) at a phone's width edits one status and
presses Preview; the picture is the page down to that initiative's fields.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bot.server import ThreadedServer  # noqa: E402
from bot.testing.browser import chromium, press  # noqa: E402
from bot.web.app import AnswerForm  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.web.web_world import build_world, make_deps  # noqa: E402

WIDTH = 390


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/images/answer-form.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statusbot-form-image-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'form.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            world = build_world(session, locale="da")
            first = world.entries[0].id
            token = world.token
        server = ThreadedServer(AnswerForm(make_deps(factory))).start()
        try:
            with chromium(width=WIDTH, height=900, scale=2) as driver:
                driver.get(f"{server.url}/answer/{token}")
                box = driver.find_element("id", f"status-{first}")
                box.clear()
                box.send_keys(
                    "Fagchefen er **ansat** pr. 1. marts og er i gang med *introforløbet*."
                )
                press(driver, "button[value=preview]")
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": WIDTH, "height": height, "deviceScaleFactor": 2, "mobile": True},
                )
                bottom = driver.execute_script(
                    f"return document.getElementById('item-{first}')"
                    ".getBoundingClientRect().bottom + window.scrollY"
                )
                png = Image.open(io.BytesIO(driver.get_screenshot_as_png()))
                # the preview and the first initiative's fields; the rest repeats them
                args.out.parent.mkdir(parents=True, exist_ok=True)
                png.crop((0, 0, png.width, int((bottom + 16) * 2))).save(args.out)
        finally:
            server.stop()
            engine.dispose()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
