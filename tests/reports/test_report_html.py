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


def test_english_labels_keep_the_texts_danish(session, fx) -> None:  # type: ignore[no-untyped-def]
    """``--locale en`` makes the labels English; the area's own texts stay
    marked Danish (hyphenation, screen readers), the labels English."""
    from reports import build_document

    english = build_document(session, fx.second.id, locale="en", text_locale="da")
    tree = lxml_html.fromstring(render(english, "html").decode())
    assert tree.get("lang") == "en"
    assert tree.find(".//tbody").get("lang") == "da"
    assert tree.find(".//div[@class='intro']").get("lang") == "da"
    assert tree.find(".//thead").get("lang") in (None, "en")  # inherits the page's
    for note in tree.findall(".//p[@class='note']"):
        assert note.get("lang") == "en", note.text_content()


def test_texts_language_defaults_to_the_installations(session, fx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reports import build_document

    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    assert build_document(session, fx.second.id, locale="da").text_locale == "en"
    monkeypatch.delenv("STATUSBOT_LOCALE")
    assert build_document(session, fx.second.id, locale="en").text_locale == "da"


def test_same_language_adds_no_lang_attributes(doc: ReportDocument) -> None:
    page = render(doc, "html").decode()
    assert page.count(' lang="') == 1  # <html lang="da"> only


def test_narrow_windows_hyphenate(doc: ReportDocument) -> None:
    """The body text hyphenates (in the language its lang names), not only
    the table's cells: a narrow window otherwise breaks words without hyphens."""
    page = render(doc, "html").decode()
    body_rule = re.search(r"\nbody \{([^}]*)\}", page)
    assert body_rule is not None
    assert "hyphens: auto" in body_rule.group(1)
