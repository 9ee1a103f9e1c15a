from golden_files import assert_golden

from reports import render
from reports.markdown import escape_md
from reports.model import ReportDocument


def test_markdown_golden(doc: ReportDocument) -> None:
    assert_golden("report.da.md", render(doc, "md").decode())


def test_markdown_sections_and_marks(doc: ReportDocument) -> None:
    text = render(doc, "md").decode()
    lines = text.splitlines()
    assert lines[0] == f"# {doc.title}"
    assert [line for line in lines if line.startswith("## ")] == [
        "## Organisering",
        "## Digitalisering og data",
        "## Økonomi og styring",
    ]
    assert sum(1 for line in lines if line.startswith("### ")) == 7
    assert "<ins>Anne Holm er ansat som områdechef pr. 1. maj 2024.</ins>" in text
    assert "- Kravspecifikation udarbejdet <ins>og godkendt</ins>" in text
    assert "markeret med <ins>**rødt og understreget**</ins>." in text
    assert "Tidsplanen afhænger" not in text


def test_markdown_escapes_user_text(doc: ReportDocument) -> None:
    text = render(doc, "md").decode()
    assert "<script>" not in text and "<b>" not in text
    assert "### Opfølgning på &lt;b&gt;budget&lt;/b&gt; &amp; \\*forbrug\\*" in text
    # A typed link is a link now (issue 12); the rest stays literal.
    assert "\\# ikke en overskrift [link](<https://example.org>) \\| kolonne" in text


def test_escape_md() -> None:
    assert escape_md("*fed* _kursiv_ `kode`") == "\\*fed\\* \\_kursiv\\_ \\`kode\\`"
    assert escape_md("- ikke et punkt") == "\\- ikke et punkt"
    assert escape_md("1. ikke en liste") == "1\\. ikke en liste"
    assert escape_md("14. marts og 2,4 mio. kr.") == "14\\. marts og 2,4 mio. kr."
    assert (
        escape_md("a <img src=x onerror=alert(1)> & b")
        == "a &lt;img src=x onerror=alert(1)&gt; &amp; b"
    )
    assert escape_md("![billede](x)") == "\\!\\[billede\\](x)"
