import io

import pytest

from reports import pdf_available, render
from reports.model import ReportDocument

pytestmark = pytest.mark.skipif(
    not pdf_available(), reason="WeasyPrint is not installed (pip install 'statusbot[pdf]')"
)


def test_pdf_renders_and_reads_back(doc: ReportDocument) -> None:
    pypdf = pytest.importorskip("pypdf")
    data = render(doc, "pdf")
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height  # landscape
    assert abs(width - 841.89) < 2
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Status på udviklingsproces på Sundheds- og Omsorgsområdet pr. april 2024" in text
    assert "Udviklingsspor" in text
    assert "Anne Holm er ansat som områdechef" in text
    assert "<script>alert(1)" in text
    assert "Side 1 af" in text


def test_header_row_repeats_on_every_page(doc: ReportDocument) -> None:
    pypdf = pytest.importorskip("pypdf")
    long = doc.model_copy(update={"tracks": doc.tracks * 6})
    reader = pypdf.PdfReader(io.BytesIO(render(long, "pdf")))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Udviklingsspor Tiltag Iværksættelse af tiltag" in text, number
        assert f"Side {number} af {len(reader.pages)}" in text
