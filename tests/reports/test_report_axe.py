"""axe-core (WCAG 2.1 A/AA + best practices) finds nothing in the report HTML.

Runs tests/a11y/run-axe.mjs (axe-core and puppeteer-core from npm, pinned by
tests/a11y/package-lock.json; `npm ci` there installs them) in Debian's headless
Chromium. Without Chromium, Node or the npm packages the test is skipped locally,
but fails in CI (CI=true): there the check must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reports import build_document, render
from reports.model import ReportDocument

A11Y = Path(__file__).resolve().parents[1] / "a11y"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _chromium() -> str | None:
    if os.environ.get("STATUSBOT_CHROMIUM"):
        return os.environ["STATUSBOT_CHROMIUM"]
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def _missing() -> str | None:
    if _chromium() is None:
        return "Chromium is not installed (Debian: apt-get install chromium)"
    if shutil.which("node") is None:
        return "Node.js is not installed (Debian: apt-get install nodejs npm)"
    for package in ("axe-core", "puppeteer-core"):
        if not (A11Y / "node_modules" / package / "package.json").is_file():
            return f"{package} is not installed: run `npm ci` in {A11Y}"
    return None


@pytest.fixture(scope="module")
def axe_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the accessibility check cannot run in CI: {reason}")
    pytest.skip(reason)


def _axe(files: list[Path]) -> list[dict]:
    done = subprocess.run(
        ["node", str(A11Y / "run-axe.mjs"), str(_chromium()), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=A11Y,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_report_html_has_no_axe_violations(
    axe_ready: None, session, fx, doc: ReportDocument, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dated = doc.model_copy(update={"date_line": "Grenaa, 3. april 2024"})
    documents = {
        "committee-da": dated,
        "committee-en": build_document(session, fx.second.id, locale="en"),
        "draft-da": build_document(session, fx.second.id, locale="da", with_deletions=True),
        "first-report": build_document(session, fx.first.id, locale="da"),  # no change marks
    }
    files = []
    for name, document in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(render(document, "html"))
        files.append(path)
    results = _axe(files)
    assert [Path(r["file"]).name for r in results] == [f.name for f in files]
    for result in results:
        assert result["passes"] > 10, result  # axe really ran its rules
        assert result["violations"] == [], json.dumps(result, indent=1, ensure_ascii=False)


def test_the_check_finds_violations(axe_ready: None, doc: ReportDocument, tmp_path: Path) -> None:
    """A page without language and main landmark is reported (the check can fail)."""
    html = render(doc, "html").decode()
    broken = html.replace(' lang="da"', "").replace("<main>", "").replace("</main>", "")
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    (result,) = _axe([path])
    ids = {v["id"] for v in result["violations"]}
    assert {"html-has-lang", "landmark-one-main"} <= ids
