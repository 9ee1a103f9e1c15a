"""Hostile status texts and titles stay inert text in every output: HTML (no
script, no javascript: link, no injected CSS), PDF (no link annotations),
DOCX (no field codes, no hyperlinks), Markdown (no raw HTML, no live links),
and Slack (no @channel, no user mentions, no links)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy.orm import Session

from bot.testing.harness import SlackHarness
from bot.workflow.actor import Actor
from bot.workflow.entries import submit_update
from reports.build import build_document
from reports.render import render
from storage.models import Initiative
from storage.richtext import StatusText
from tests.reliability.rel_world import open_now, seed

HOSTILE_STATUS = "\n\n".join(
    [
        "<script>alert('s')</script><img src=x onerror=alert(1)>",
        '[klik](javascript:alert(1)) <a href="javascript:alert(2)">a</a> javascript:alert(3)',
        '<style>body{display:none}</style></td></tr></table><div style="color:red">x</div>',
        '=HYPERLINK("http://evil.example";"x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "<!channel> <!here> <@UCOORD> <#C0001|general> <https://evil.example|bank>",
        "- punkt med ** og __ og ` og | og # og > citat",
    ]
)
HOSTILE_TITLE = "Tiltag <b>fed</b> & <!channel> =1+1 [x](javascript:alert(4))"
SCRIPTISH = re.compile(r"<\s*(script|style|img|a|div|iframe)\b", re.IGNORECASE)


@pytest.fixture
def hostile_cycle(slack: SlackHarness) -> int:
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    with slack.session_factory() as session:
        entry_id = world.entry_of[world.managers[0]]
        initiative = session.query(Initiative).order_by(Initiative.position).first()
        assert initiative is not None
        initiative.title = HOSTILE_TITLE
        submit_update(
            session,
            entry_id=entry_id,
            actor=Actor.cli(),
            status=StatusText.from_markup(HOSTILE_STATUS),
            phase="in_progress",
            now=slack.clock.now(),
        )
        session.commit()
    return cycle_id


def _document(session: Session, cycle_id: int):  # type: ignore[no-untyped-def]
    return build_document(session, cycle_id, locale="da")


def test_html_is_inert(slack: SlackHarness, hostile_cycle: int) -> None:
    with slack.session_factory() as session:
        html = render(_document(session, hostile_cycle), "html").decode()
    body = html.split("<body", 1)[1]
    assert not re.search(r"<script", body, re.I)
    assert "javascript:" not in re.sub(
        r"&[a-z]+;|&#\d+;", "", "".join(re.findall(r'(?:href|src)="[^"]*"', body))
    )
    assert not re.search(
        r"<(img|iframe|a|div)\b[^>]*(onerror|javascript|style=\"color:red)", body, re.I
    )
    assert body.count("<style") == 0
    assert "&lt;script&gt;" in body and "&lt;style&gt;" in body
    assert "=HYPERLINK(" in body  # shown verbatim as text


def test_markdown_is_inert(slack: SlackHarness, hostile_cycle: int) -> None:
    with slack.session_factory() as session:
        md = render(_document(session, hostile_cycle), "md").decode()
    assert not SCRIPTISH.search(md)
    live_link = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(\s*javascript:", re.I)
    assert not live_link.search(md), md  # only escaped brackets: text, not a link
    assert "javascript:" in md
    assert "<!channel>" not in md


def test_docx_has_no_fields_links_or_markup(slack: SlackHarness, hostile_cycle: int) -> None:
    with slack.session_factory() as session:
        data = render(_document(session, hostile_cycle), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        xml = docx.read("word/document.xml").decode()
        rels = " ".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".rels"))
    assert (
        "<w:fldSimple" not in xml and "<w:instrText" not in xml
    )  # no field codes (DDE, HYPERLINK)
    assert "<w:hyperlink" not in xml and "javascript" not in rels
    assert "<script" not in xml and "&lt;script&gt;" in xml
    assert "=HYPERLINK(" in xml  # literal text in a run


def test_pdf_has_no_links(slack: SlackHarness, hostile_cycle: int) -> None:
    from reports.pdf import pdf_available

    if not pdf_available():
        pytest.skip("the [pdf] extra (Typst) is not installed")
    from pypdf import PdfReader

    with slack.session_factory() as session:
        data = render(_document(session, hostile_cycle), "pdf")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            assert "javascript" not in str(action.get("/URI", "")).lower()
            assert action.get("/S") != "/JavaScript"
    assert "alert" in text  # present as text
    assert "/JavaScript" not in data.decode("latin-1")


def test_slack_messages_never_mention(slack: SlackHarness, hostile_cycle: int) -> None:
    slack.drain()
    posted = slack.fake.posted()
    assert posted
    for call in posted:
        blob = json.dumps(call.params, ensure_ascii=False)
        assert "<!channel>" not in blob and "<!here>" not in blob
        assert "<@UCOORD>" not in blob and "<https://evil" not in blob
    assert any("&lt;!channel&gt;" in json.dumps(c.params, ensure_ascii=False) for c in posted)
