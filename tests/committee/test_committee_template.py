"""``committee item --template``: the municipality's own Word template, filled."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from PIL import Image

LOGO_COLOUR = (0, 94, 184)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), LOGO_COLOUR).save(out, format="PNG")
    return out.getvalue()


def make_template(
    path: Path,
    *,
    sections=("sagsfremstilling", "sammenhaeng", "oekonomi", "indstilling"),
    control: str | None = None,
) -> None:  # type: ignore[no-untyped-def]
    """A letterhead template: a logo and ``{{case_number}}`` in the header, a
    custom paragraph style, and a heading + placeholder per section."""
    doc = Document()
    header = doc.sections[0].header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(logo_png()), width=Mm(20))
    header.add_run("  Norddjurs Kommune · Sagsnr. {{case_number}}")
    style = doc.styles.add_style("Kommune Brødtekst", 1)
    style.font.name = "Georgia"
    doc.add_paragraph("{{title}}", style="Title")
    doc.add_paragraph("{{ access }} · {{committee}} · {{meeting_date}}")
    for name in sections:
        doc.add_heading(name.capitalize(), level=1)
        doc.add_paragraph("{{" + name + "}}", style="Kommune Brødtekst")
    if control:
        doc.add_heading(control.capitalize(), level=1)
        sdt = parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="{control}"/><w:showingPlcHdr/>'
            '</w:sdtPr><w:sdtContent><w:p><w:pPr><w:pStyle w:val="KommuneBrdtekst"/></w:pPr>'
            "<w:r><w:t>Klik her for at skrive tekst.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        )
        doc.element.body.insert(len(doc.element.body) - 1, sdt)
    doc.add_heading("Beslutning", level=1)
    doc.add_paragraph("{{beslutning}}")
    doc.save(path)


def run_item(cli, cycle_id: int, template: Path, code: int = 0):  # type: ignore[no-untyped-def]
    return cli(
        "committee", "item", "--cycle", cycle_id, "--meeting", "2026-04-14",
        "--template", template, "-o", "item.zip", code=code,
    )  # fmt: skip


def test_template_is_filled_keeping_its_header_logo_and_styles(cli, approved, tmp_path):
    cli("area", "set", "Socialområdet", "--case-number", "13/9475", "--committee", "Socialudvalget")
    template = tmp_path / "skabelon.docx"
    make_template(template)
    run_item(cli, approved.id, template)
    archive = zipfile.ZipFile(tmp_path / "item.zip")
    manifest = json.loads(archive.read("manifest.json"))
    filled = archive.read("sagsfremstilling.docx")
    doc = Document(io.BytesIO(filled))

    # The header keeps its logo (the same image bytes) and gets the case number.
    header = doc.sections[0].header
    images = [rel.target_part.blob for rel in header.part.rels.values() if "image" in rel.reltype]
    assert images == [logo_png()]
    assert header.paragraphs[0].text.endswith("Sagsnr. 13/9475")
    assert header._element.xpath(".//pic:pic")

    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == manifest["title"]
    assert texts[1] == "Open case · Socialudvalget · April 14, 2026"
    # Each section's paragraphs in the placeholder's own style.
    case = manifest["sections"]["sagsfremstilling"].split("\n\n")
    start = texts.index(case[0])
    assert texts[start : start + len(case)] == case
    styled = [p.style.name for p in doc.paragraphs[start : start + len(case)]]
    assert set(styled) == {"Kommune Brødtekst"}
    assert manifest["sections"]["indstilling"] in texts
    assert not any("{{" in t for t in texts)
    # The decision placeholder is left empty under the template's heading.
    assert texts[-2:] == ["Beslutning", ""]


def test_content_controls_by_tag_are_filled(cli, approved, tmp_path):
    (tmp_path / "economy.txt").write_text("Første afsnit.\n\nAndet afsnit.")
    cli("area", "set", "Socialområdet", "--economy-file", tmp_path / "economy.txt")
    template = tmp_path / "kontrol.docx"
    make_template(
        template, sections=("sagsfremstilling", "sammenhaeng", "indstilling"), control="oekonomi"
    )
    run_item(cli, approved.id, template)
    doc = Document(io.BytesIO(zipfile.ZipFile(tmp_path / "item.zip").read("sagsfremstilling.docx")))
    body = doc.element.body
    sdt = body.xpath(".//w:sdt")[0]
    ns = {"w": W}
    paragraphs = sdt.xpath("./w:sdtContent/w:p", namespaces=ns)
    assert ["".join(p.xpath(".//w:t/text()")) for p in paragraphs] == [
        "Første afsnit.",
        "Andet afsnit.",
    ]
    assert not sdt.xpath("./w:sdtPr/w:showingPlcHdr", namespaces=ns)


def test_template_without_placeholders_is_refused_naming_them(cli, approved, tmp_path):
    template = tmp_path / "halv.docx"
    make_template(template, sections=("sagsfremstilling", "indstilling"))
    result = run_item(cli, approved.id, template, code=1)
    assert "{{sammenhaeng}}, {{oekonomi}}" in result.stderr
    assert "halv.docx" in result.stderr
    assert not (tmp_path / "item.zip").exists()


def test_a_template_that_is_not_a_word_file_is_refused(cli, approved, tmp_path):
    for name, content in (("notes.docx", b"just text"), ("fake.docx", _zip_without_word())):
        template = tmp_path / name
        template.write_bytes(content)
        result = run_item(cli, approved.id, template, code=1)
        assert f"{name} is not a Word (.docx) file" in result.stderr
        assert not (tmp_path / "item.zip").exists()


def _zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    return out.getvalue()
