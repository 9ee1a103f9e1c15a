"""The Word file describes this document, not python-docx's template (issue 12)."""

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from reports import build_document, render
from reports.model import ReportDocument, ReportRow

MOMENT = datetime(2024, 4, 12, 9, 30, 5, tzinfo=UTC)


@pytest.fixture
def stamped(doc: ReportDocument) -> ReportDocument:
    return doc.model_copy(
        update={
            "generated_at": MOMENT,
            "author": "Norddjurs Kommune",
            "date_line": "Grenaa, 12. april 2024",
        }
    )


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_core_properties_are_the_documents(stamped: ReportDocument) -> None:
    word = Document(io.BytesIO(render(stamped, "docx")))
    props = word.core_properties
    assert props.title == stamped.title
    assert props.author == "Norddjurs Kommune"
    assert props.last_modified_by == "Norddjurs Kommune"
    assert props.language == "da-DK"
    assert props.created == props.modified == MOMENT
    assert props.comments == "" and props.keywords == "" and props.subject == ""


def test_nothing_left_from_the_template(stamped: ReportDocument) -> None:
    parts = _parts(render(stamped, "docx"))
    assert not [n for n in parts if "thumbnail" in n or n.endswith((".jpeg", ".jpg", ".png"))]
    assert "word/stylesWithEffects.xml" not in parts
    assert not [n for n in parts if n.startswith("customXml/")]
    everything = b"".join(parts.values())
    assert b"python-docx" not in everything
    assert b"2013-" not in parts["docProps/core.xml"]
    assert b"Macintosh" not in everything and b"Normal.dotm" not in everything
    assert b"thumbnail" not in parts["_rels/.rels"]
    assert b"savePreviewPicture" not in parts["word/settings.xml"]
    assert b"<Application>statusbot</Application>" in parts["docProps/app.xml"]
    assert b"<Company>Norddjurs Kommune</Company>" in parts["docProps/app.xml"]
    # Every zip entry carries the document's date (zip keeps even seconds).
    with zipfile.ZipFile(io.BytesIO(render(stamped, "docx"))) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 4, 12, 9, 30, 4)}


def test_same_document_same_bytes(stamped: ReportDocument) -> None:
    assert render(stamped, "docx") == render(stamped, "docx")


def test_language_in_styles_and_settings(stamped: ReportDocument) -> None:
    word = Document(io.BytesIO(render(stamped, "docx")))
    defaults = word.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "da-DK"
    settings = word.settings.element
    assert settings.find(qn("w:themeFontLang")).get(qn("w:val")) == "da-DK"
    assert settings.find(qn("w:autoHyphenation")) is not None
    assert settings.find(qn("w:consecutiveHyphenLimit")).get(qn("w:val")) == "2"


def test_english_document(session, fx) -> None:  # type: ignore[no-untyped-def]
    english = build_document(session, fx.second.id, locale="en", now=MOMENT)
    word = Document(io.BytesIO(render(english, "docx")))
    assert word.core_properties.language == "en-GB"
    assert word.core_properties.author == english.area_name  # no organisation set
    defaults = word.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"


def test_date_line_above_the_title(stamped: ReportDocument) -> None:
    word = Document(io.BytesIO(render(stamped, "docx")))
    first, second = word.paragraphs[:2]
    assert first.text == "Grenaa, 12. april 2024"
    assert first.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert second.text == stamped.title and second.style.name == "Heading 1"


def test_every_red_run_is_underlined_too(stamped: ReportDocument) -> None:
    word = Document(io.BytesIO(render(stamped, "docx")))
    runs = [r for p in word.paragraphs for r in p.runs]
    runs += [
        r
        for row in word.tables[0].rows
        for cell in row.cells
        for p in cell.paragraphs
        for r in p.runs
    ]
    red = [r for r in runs if r.font.color.rgb is not None and str(r.font.color.rgb) == "FF0000"]
    assert len(red) >= 5
    assert all(r.underline for r in red)


def test_an_entry_taller_than_a_page_comes_in_rows_that_name_it(stamped: ReportDocument) -> None:
    """Word leaves the track and initiative cells empty where it breaks a row,
    so an entry taller than a page is written as rows that each fit on a page
    (kept whole), the later ones headed "<name> (fortsat)" in both cells; all
    its text is there once, in order."""
    track = stamped.tracks[0]
    first = track.rows[0]
    huge = first.model_copy(update={"blocks": first.blocks * 60})
    long = stamped.model_copy(
        update={"tracks": (track.model_copy(update={"rows": (huge, *track.rows[1:])}),)}
    )
    word = Document(io.BytesIO(render(long, "docx")))
    rows = word.tables[0]._tbl.findall(qn("w:tr"))

    def cant_split(row) -> bool:  # type: ignore[no-untyped-def]
        props = row.find(qn("w:trPr"))
        return props is not None and props.find(qn("w:cantSplit")) is not None

    def cells(row) -> list[str]:  # type: ignore[no-untyped-def]
        return ["".join(t.text or "" for t in c.iter(qn("w:t"))) for c in row.findall(qn("w:tc"))]

    parts = len(rows) - 1 - (len(track.rows) - 1)
    assert parts >= 3
    assert all(cant_split(r) for r in rows[1:])
    assert cells(rows[1])[:2] == [track.name, first.title]
    for row in rows[2 : 1 + parts]:
        assert cells(row)[:3] == [f"{track.name} (fortsat)", f"{first.title} (fortsat)", ""]
    status = "".join(cells(r)[3] for r in rows[1 : 1 + parts])
    assert status == "".join(b.text for b in huge.blocks) + "".join(huge.notes)


def test_fits_on_a_page_rule() -> None:
    from reports.diff import StoredBlock, plain_block
    from reports.pagination import fits_on_a_page

    def row(text: str) -> ReportRow:
        return ReportRow(
            initiative_id=1,
            entry_id=1,
            title="T",
            plan="",
            blocks=(plain_block(StoredBlock("p", text)),),
        )

    assert fits_on_a_page(row("kort tekst"))
    assert not fits_on_a_page(row("lang tekst " * 400))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it(stamped: ReportDocument, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    source = tmp_path / "rapport.docx"
    source.write_bytes(render(stamped, "docx"))
    done = subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(tmp_path / "rapport.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Grenaa, 12. april 2024" in text
    assert "Udviklingsspor" in text and "Anne Holm er ansat som områdechef" in text
    assert reader.metadata.title == stamped.title


def test_english_labels_keep_the_texts_danish(session, fx) -> None:  # type: ignore[no-untyped-def]
    """``--locale en``: the document is English (its labels); the area's own
    texts (intro, track, initiative, plan, status) are marked Danish, so Word
    hyphenates and checks them as Danish."""
    english = build_document(session, fx.second.id, locale="en", text_locale="da", now=MOMENT)
    word = Document(io.BytesIO(render(english, "docx")))
    assert word.core_properties.language == "en-GB"

    def langs(element) -> set:  # type: ignore[no-untyped-def]
        return {lang.get(qn("w:val")) for lang in element.iter(qn("w:lang"))}

    rows = word.tables[0]._tbl.findall(qn("w:tr"))
    assert langs(rows[0]) == set()  # the header: the document's English
    body = rows[1]
    assert langs(body) == {"da-DK"}
    runs = [r for r in body.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t")))]
    labelled = [r for r in runs if r.find(f"{qn('w:rPr')}/{qn('w:lang')}") is not None]
    notes = set(english.rows[0].notes)
    unlabelled = {"".join(t.text or "" for t in r.iter(qn("w:t"))) for r in runs} - {
        "".join(t.text or "" for t in r.iter(qn("w:t"))) for r in labelled
    }
    assert unlabelled <= notes | {english.labels.empty_status}
    intro = [p for p in word.paragraphs if p.text == english.intro[0]]
    assert intro and langs(intro[0]._p) == {"da-DK"}


def test_same_language_marks_no_runs(stamped: ReportDocument) -> None:
    word = Document(io.BytesIO(render(stamped, "docx")))
    assert word.tables[0]._tbl.find(f".//{qn('w:lang')}") is None
