"""axe-core (WCAG 2.1 A/AA + best practices) finds nothing in the answer
form's pages, in Debian's headless Chromium (tests/a11y/run-axe.mjs, as for the
report; skipped locally without Chromium/Node/npm packages, failing in CI)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.test import Client

from tests.reports.test_report_axe import _axe, axe_ready  # noqa: F401  (a fixture)
from tests.web.web_world import EARLIER, World, form_fields


def _pages(client: Client, world: World) -> dict[str, str]:
    url = f"/answer/{world.token}"
    form = client.get(url).get_data(as_text=True)
    first, shared, third = world.entries
    data = form_fields(form)
    data.update(
        {
            f"status-{first.id}": "Fagchefen er **ansat** pr. 1. marts.\n\n- nyt punkt",
            f"phase-{first.id}": "completed",
            f"choice-{shared.id}": "same",
            f"status-{shared.id}": EARLIER[1],
            f"choice-{third.id}": "update",
            f"status-{third.id}": EARLIER[2] + " Og [mere](https://example.org).",
            "action": "preview",
        }
    )
    preview = client.post(url, data=data).get_data(as_text=True)
    broken = client.post(
        url, data={**data, f"status-{third.id}": "", f"note-{first.id}": "x" * 3001}
    ).get_data(as_text=True)
    done = client.post(url, data={**data, "action": "submit"})
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    missing = client.get("/answer/" + "Z" * 43).get_data(as_text=True)
    return {
        "form": form,
        "preview": preview,
        "errors": broken,
        "receipt": receipt,
        "not-found": missing,
    }


def test_answer_pages_have_no_axe_violations(
    axe_ready: None,  # noqa: F811
    client: Client,
    world: World,
    session: Session,
    tmp_path: Path,
) -> None:
    pages = _pages(client, world)
    assert 'class="chg"' in pages["preview"] and 'aria-invalid="true"' in pages["errors"]
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    results = _axe(files)
    assert [Path(r["file"]).name for r in results] == [f.name for f in files]
    for result in results:
        assert result["passes"] > 10, result
        assert result["violations"] == [], json.dumps(result, indent=1, ensure_ascii=False)
