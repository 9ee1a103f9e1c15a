"""The report with its history appendix (``report --with-history``) has no
axe-core findings either (same check as tests/reports/test_report_axe.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import build_document
from reports.history import history_appendix, history_items
from reports.html import render_html
from tests.registry.history_world import build
from tests.reports.test_report_axe import _axe, axe_ready  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("axe_ready")


def test_report_with_history_has_no_axe_violations(session, tmp_path: Path) -> None:
    world = build(session)
    files = []
    for locale in ("da", "en"):
        document = build_document(session, world.cycles["autumn"], locale=locale)
        appendix = history_appendix(history_items(session, document), locale)
        path = tmp_path / f"history-{locale}.html"
        path.write_bytes(render_html(document, appendix))
        files.append(path)
    for result in _axe(files):
        assert result["passes"] > 10, result
        assert result["violations"] == [], json.dumps(result, indent=1, ensure_ascii=False)
