"""Open the HTML in headless Chromium and look at the screenshot."""

import shutil
import subprocess
from pathlib import Path

import pytest

from reports import render
from reports.model import ReportDocument

CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
        if p and Path(p).exists()
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian package 'chromium')"
)


def test_html_renders_in_chromium_with_red_legend(doc: ReportDocument, tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image")
    page = tmp_path / "report.html"
    page.write_bytes(render(doc, "html"))
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,900",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    picture = image.open(shot).convert("RGB")
    colours = picture.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "screenshot is blank"
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 200)
    assert dark > 2000, "no text visible"
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 80 and b < 80)
    assert red > 200, "no red marks visible"
    # The legend's red word sits above the table, in the top part of the page.
    top = picture.crop((0, 0, picture.width, 160))
    top_red = sum(
        n
        for n, (r, g, b) in top.getcolors(maxcolors=1 << 20) or []
        if r > 150 and g < 80 and b < 80
    )
    assert top_red > 20, "red legend not visible"
