import io
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import pdf_available, render
from reports.model import ReportDocument
from reports.pdf import lit, typst_source

if not pdf_available() and os.environ.get("CI", "").lower() == "true":
    # CI checks the PDF's tags and PDF/UA identification: it must not skip them.
    raise RuntimeError("CI=true but Typst is not installed (pip install 'statusbot[pdf]')")
pytestmark = pytest.mark.skipif(
    not pdf_available(), reason="Typst is not installed (pip install 'statusbot[pdf]')"
)
pypdf = pytest.importorskip("pypdf")

HOSTILE = [
    "#sys.exit()",
    "]",
    "[",
    "$x$",
    "\\",
    '"',
    "<lbl>",
    "@ref",
    "*fed*",
    "_kursiv_",
    "// ikke en kommentar",
    "/* heller ikke */",
    "#let x = 1",
    "= ikke en overskrift",
    "`kode`",
    "\\u{41}",
    "{ }",
]


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _squash(text: str) -> str:
    """Without spaces and hyphens: words hyphenated at a line end match again."""
    return "".join(text.split()).replace("-", "").replace("\xad", "")


def _missing(data: bytes, *expected: str) -> list[str]:
    """Those of ``expected`` the PDF's text does not hold."""
    text = _squash(_text(data))
    return [value for value in expected if _squash(value) not in text]


def _walk(node, counts: Counter, found: list) -> None:  # type: ignore[no-untyped-def]
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, pypdf.generic.ArrayObject):
        for kid in node:
            _walk(kid, counts, found)
        return
    if not isinstance(node, pypdf.generic.DictionaryObject):
        return
    kind = node.get("/S")
    if kind:
        counts[kind] += 1
        found.append(node)
    kids = node.get("/K")
    if kids is not None:
        _walk(kids, counts, found)


def test_pdf_renders_and_reads_back(doc: ReportDocument) -> None:
    data = render(doc, "pdf")
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height  # landscape
    assert abs(width - 841.89) < 2
    assert not _missing(
        data,
        "Status på udviklingsproces på Sundheds- og Omsorgsområdet pr. april 2024",
        "Udviklingsspor",
        "Anne Holm er ansat som områdechef",
        "<script>alert(1)",
        "Ingen opdatering modtaget",  # unanswered items are marked
        "Side 1 af 1",
    )


def test_header_row_repeats_on_every_page(doc: ReportDocument) -> None:
    long = doc.model_copy(update={"tracks": doc.tracks * 6})
    reader = pypdf.PdfReader(io.BytesIO(render(long, "pdf")))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Udviklingsspor Tiltag Iværksættelse af tiltag" in text, number
        assert f"Side {number} af {len(reader.pages)}" in text


def test_english_footer(session, fx) -> None:  # type: ignore[no-untyped-def]
    from reports import build_document

    english = build_document(session, fx.second.id, locale="en")
    assert not _missing(render(english, "pdf"), "Page 1 of 1", "Development track")


def test_pdf_is_tagged_pdf_ua_with_one_table(doc: ReportDocument) -> None:
    """PDF/UA-1: structure tree, one table whose header cells are TH (once, though
    the header row is drawn on every page), language, title in the window."""
    long = doc.model_copy(update={"tracks": doc.tracks * 6})
    data = render(long, "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da-DK"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A" in xmp
    assert long.title in xmp
    assert reader.metadata.title == long.title

    counts: Counter = Counter()
    elements: list = []
    _walk(root["/StructTreeRoot"], counts, elements)
    assert counts["/Table"] == 1
    assert counts["/TH"] == 4
    assert counts["/TR"] == 1 + len(long.rows)
    assert counts["/TD"] >= 3 * len(long.rows)
    assert counts["/H1"] == 1
    assert counts["/L"] >= 1 and counts["/LI"] >= 1
    for th in (e for e in elements if e["/S"] == "/TH"):
        attributes = th.get("/A")
        attributes = attributes if isinstance(attributes, list) else [attributes]
        assert any(a.get("/Scope") == "/Column" for a in attributes)


def test_english_pdf_language(session, fx) -> None:  # type: ignore[no-untyped-def]
    from reports import build_document

    data = render(build_document(session, fx.second.id, locale="en"), "pdf")
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"


def test_same_document_same_bytes(doc: ReportDocument) -> None:
    assert render(doc, "pdf") == render(doc, "pdf")


def test_dates_are_generation_time(doc: ReportDocument) -> None:
    moment = datetime(2024, 4, 12, 9, 30, 5, tzinfo=UTC)
    data = render(doc.model_copy(update={"generated_at": moment}), "pdf")
    xmp = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object()
    text = xmp.get_data().decode()
    assert "<xmp:CreateDate>2024-04-12T09:30:05" in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_prints_verbatim(doc: ReportDocument, hostile: str) -> None:
    track = doc.tracks[0]
    row = track.rows[0].model_copy(update={"title": f"Titel {hostile} slut"})
    tracks = (track.model_copy(update={"rows": (row, *track.rows[1:])}), *doc.tracks[1:])
    bad = doc.model_copy(
        update={"title": f"Rapport {hostile} slut", "tracks": tracks, "area_name": hostile}
    )
    data = render(bad, "pdf")
    assert not _missing(data, f"Rapport {hostile} slut", f"Titel {hostile} slut")
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title == f"Rapport {hostile} slut"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))))
def test_string_literal_round_trips(value: str) -> None:
    """Whatever the text, Typst reads back exactly that string."""
    import typst

    source = f"#metadata({lit(value)}) <probe>".encode()
    found = json.loads(typst.query(source, "<probe>", field="value"))
    assert found == [value]


def test_change_marks_are_red_and_underlined(doc: ReportDocument) -> None:
    source = typst_source(doc)
    assert "#let chg(body) = underline(text(fill: red, body))" in source
    assert 'chg("Anne Holm er ansat som områdechef pr. 1. maj 2024.")' in source
    assert 'strong(chg("rødt og understreget"))' in source  # the legend shows the same cue


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_typst_memory_is_given_back(doc: ReportDocument) -> None:
    """Typst never evicts its layout cache; compiled in-process every PDF would
    stay in the bot's memory (~1 MB a page). The child process gives it back."""
    long = doc.model_copy(update={"tracks": doc.tracks * 40})
    render(long, "pdf")  # warm-up: imports, catalogs
    before = _rss_mb()
    for _ in range(2):
        assert len(pypdf.PdfReader(io.BytesIO(render(long, "pdf"))).pages) > 20
    assert _rss_mb() - before < 40


def test_typst_errors_are_reported() -> None:
    from reports.pdf import WORKER

    settings = json.dumps({"font_paths": [], "pdf_standards": ["ua-1"], "timestamp": 0})
    done = subprocess.run(
        [sys.executable, str(WORKER)],
        input=(settings + "\n#let x = (").encode(),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.strip()


def _line_tops(data: bytes) -> dict[str, float]:
    """Each text run's first 30 characters on page 1 → its baseline's height."""
    tops: dict[str, float] = {}

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            tops.setdefault(text.strip()[:30], cm[5] + tm[5] * cm[3])

    pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return tops


def test_intro_paragraphs_are_spaced_apart(doc: ReportDocument) -> None:
    """The gap between two intro paragraphs is clearly larger than between two
    lines of one paragraph (it was the same)."""
    paragraphs = ("Første afsnit af indledningen.", "Andet afsnit.", "Tredje afsnit.")
    data = render(doc.model_copy(update={"intro": paragraphs}), "pdf")
    tops = _line_tops(data)
    first, second, third = (tops[p[:30]] for p in paragraphs)
    assert first - second == pytest.approx(second - third, abs=0.5)
    title = tops[doc.title[:30]]
    line = 10 * 1.45 * 0.9  # a 10pt line with Typst's 0.45em leading, at the least
    assert first - second > line + 4, (title, first, second)


def test_pages_continuing_an_entry_name_its_track_and_initiative(doc: ReportDocument) -> None:
    """An entry taller than a page: every later page names the track and the
    initiative ("… (fortsat)") instead of showing empty cells, all of its text
    is there, and the table's structure has a row per part."""
    track = doc.tracks[0]
    first = track.rows[0]
    huge = first.model_copy(update={"blocks": first.blocks * 60})
    long = doc.model_copy(
        update={"tracks": (track.model_copy(update={"rows": (huge,)}),), "intro": ()}
    )
    data = render(long, "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages[1:], start=2):
        text = _squash(page.extract_text())
        assert _squash(f"{first.title} (fortsat)") in text, number
        assert _squash(f"{track.name} (fortsat)") in text, number
    assert not _missing(data, *(b.text for b in huge.blocks[-5:]))


def test_english_labels_keep_the_texts_danish(session, fx) -> None:  # type: ignore[no-untyped-def]
    """``--locale en``: the document is English (its labels), the table of the
    area's Danish texts is tagged Danish (screen readers, hyphenation)."""
    from reports import build_document

    english = build_document(session, fx.second.id, locale="en", text_locale="da")
    root = pypdf.PdfReader(io.BytesIO(render(english, "pdf"))).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    counts: Counter = Counter()
    elements: list = []
    _walk(root["/StructTreeRoot"], counts, elements)
    tables = [e for e in elements if e["/S"] == "/Table"]
    assert [t.get("/Lang") for t in tables] == ["da-DK"]
