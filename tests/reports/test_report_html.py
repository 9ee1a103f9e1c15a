import re

from golden_files import assert_golden
from lxml import html as lxml_html

from reports import render
from reports.html import css_string
from reports.model import ReportDocument


def test_html_golden(doc: ReportDocument) -> None:
    assert_golden("report.da.html", render(doc, "html").decode())


def test_html_structure(doc: ReportDocument) -> None:
    page = render(doc, "html").decode()
    tree = lxml_html.fromstring(page)
    assert tree.findtext(".//h1") == doc.title
    headers = [th.text_content() for th in tree.findall(".//thead/tr/th")]
    assert headers == [
        "Udviklingsspor",
        "Tiltag",
        "Iværksættelse af tiltag",
        "Status på tiltag pr. 1/4-24",
    ]
    body_rows = tree.findall(".//tbody/tr")
    assert len(body_rows) == 7
    tracks = tree.findall(".//td[@class='track']")
    assert [(t.text_content(), t.get("rowspan")) for t in tracks] == [
        ("Organisering", "3"),
        ("Digitalisering og data", "2"),
        ("Økonomi og styring", "2"),
    ]
    legend = tree.find(".//p[@class='legend']")
    assert legend.text_content() == (
        "Ændringer i forhold til seneste status i september 2023 er markeret med "
        "rødt og understreget."
    )
    assert legend.find("strong[@class='chg']").text == "rødt og understreget"
    marked = [e.text_content() for e in tree.findall(".//ins[@class='chg']")]
    assert "Anne Holm er ansat som områdechef pr. 1. maj 2024." in marked
    assert "2,9" in marked and "og godkendt" in marked
    # Deleted text is not shown in the committee document.
    assert "Tidsplanen afhænger" not in page
    bullets = tree.findall(".//td[@class='status']/ul/li")
    assert len(bullets) == 4


def test_html_is_self_contained_and_printable(doc: ReportDocument) -> None:
    page = render(doc, "html").decode()
    assert not re.search(r"<(link|script|img|iframe)\b", page)
    assert not re.search(r"\bsrc=", page)
    # The only links are those a status holds (issue 12: typed links are kept).
    assert re.findall(r"\bhref=\"([^\"]*)\"", page) == ["https://example.org"]
    assert "size: A4 landscape" in page
    assert "display: table-header-group" in page
    assert 'counter(page) " af " counter(pages)' in page


def test_user_text_is_escaped(doc: ReportDocument) -> None:
    page = render(doc, "html").decode()
    assert "<script>" not in page and "<b>budget" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Opfølgning på &lt;b&gt;budget&lt;/b&gt; &amp; *forbrug*" in page
    tree = lxml_html.fromstring(page)
    texts = [td.text_content() for td in tree.findall(".//td[@class='status']")]
    assert any(
        t.startswith('=HYPERLINK("https://example.org/x";"Se budget") <script>') for t in texts
    )


def test_css_string_cannot_break_out() -> None:
    assert css_string('Side" } body { x') == "Side\\22  \\7d  body \\7b  x"
    assert "<" not in css_string("</style>")
