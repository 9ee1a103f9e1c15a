"""The committee meeting's slides (issue 18, part 2): titles, ✓ marks, only the
changed sentences, continuation of a worst-case track, properties, language,
draft marking, and LibreOffice Impress opening the deck."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu
from report_fixture import Fixture
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import reports.slide_content
from bot.cli import app
from reports import build_document, render
from reports import slide_fit as fit
from reports.model import MarkedBlock, ReportDocument, ReportRow, ReportTrack, RowFlags, Segment
from reports.pptx_render import DeckOptions
from reports.slide_content import changed_sentences, genitive, meeting_line
from storage.models import Cycle, CycleState, Entry, EntrySource, Phase
from storage.richtext import StatusText
from tests.catalog_check import assert_danish
from tests.seeds.word_rebuild import import_seed_baseline, parse_seed, seed_path

MOMENT = datetime(2024, 5, 2, 8, 15, tzinfo=UTC)
MEETING = date(2024, 6, 3)
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice Impress (soffice) is not installed",
)
TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)


def _deck(document: ReportDocument, **options) -> Presentation:  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(render(document, "pptx", deck=DeckOptions(**options))))


def _titles(prs: Presentation) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in prs.slides]


def _body(slide) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in slide.placeholders[1].text_frame.paragraphs]


def _slide(prs: Presentation, title: str):  # type: ignore[no-untyped-def]
    return next(s for s in prs.slides if s.shapes.title.text_frame.text == title)


@pytest.fixture
def approved(doc: ReportDocument) -> ReportDocument:
    return doc.model_copy(
        update={"cycle_state": "approved", "generated_at": MOMENT, "author": "Fjordby Kommune"}
    )


# ------------------------------------------------------------------ content


def test_every_slide_has_its_own_title_in_a_title_placeholder(approved: ReportDocument) -> None:
    prs = _deck(approved, meeting=MEETING)
    assert _titles(prs) == [
        approved.title,
        "Fokuspunkter",
        "Organisering: Hvad er sket siden sidst?",
        "Digitalisering og data: Hvad er sket siden sidst?",
        "Økonomi og styring: Hvad er sket siden sidst?",
        "Det videre arbejde",
    ]
    for slide in prs.slides:
        title = slide.shapes.title
        assert title.is_placeholder and title.placeholder_format.type in TITLE_TYPES


def test_reading_order_is_the_visual_order(approved: ReportDocument) -> None:
    for slide in _deck(approved).slides:
        shapes = list(slide.shapes)  # spTree order: what a screen reader reads
        assert shapes[0] == slide.shapes.title
        assert shapes == sorted(shapes, key=lambda s: (s.top, s.left))
        assert len(shapes) == 2  # title and body; decoration lives on the master


def test_focus_areas_are_the_tracks_numbered(approved: ReportDocument) -> None:
    slide = _slide(_deck(approved), "Fokuspunkter")
    assert _body(slide) == [t.name for t in approved.tracks]
    paragraphs = slide.placeholders[1].text_frame.paragraphs
    numbering = [p._p.pPr.find(qn("a:buAutoNum")) for p in paragraphs]
    assert all(n is not None and n.get("startAt") == "1" for n in numbering)


def test_changed_sentences_only_with_check_marks(approved: ReportDocument) -> None:
    prs = _deck(approved)
    organisation = _body(_slide(prs, "Organisering: Hvad er sket siden sidst?"))
    assert organisation[:2] == [
        "Ansættelse af ny områdechef",
        "Anne Holm er ansat som områdechef pr. 1. maj 2024.",
    ]
    assert not any("ansøgningsfrist" in line for line in organisation)  # unchanged sentence
    assert "Fælles introduktionsforløb for nye medarbejdere – nyt tiltag" in organisation
    assert "Uændret: 1 tiltag" in organisation  # the carried-forward one
    digital = _body(_slide(prs, "Digitalisering og data: Hvad er sket siden sidst?"))
    assert "Kravspecifikation udarbejdet og godkendt" in digital
    assert "Markedsdialog gennemført" not in digital  # an unchanged list item
    assert "Mangler svar: Dashboard til ledelsesinformation" in digital
    economy = _body(_slide(prs, "Økonomi og styring: Hvad er sket siden sidst?"))
    assert economy[0] == "✓ Eftersyn af budgetmodellen – gennemført"
    assert economy[1] == "Den nye budgetmodel blev godkendt den 3. juni 2024."
    ticks = [line for slide in prs.slides for line in _body(slide) if "✓" in line]
    assert ticks == [economy[0]]  # only the completed initiative


def test_an_initiative_completed_since_last_time_is_news(session: Session, fx: Fixture) -> None:
    title = "Ny mødestruktur i ledergruppen"  # same text as last time
    fx.entries[title].phase = Phase.COMPLETED
    session.flush()
    lines = _body(
        _slide(
            _deck(build_document(session, fx.second.id)), "Organisering: Hvad er sket siden sidst?"
        )
    )
    assert f"✓ {title} – gennemført" in lines
    assert "Uændret: 1 tiltag" not in lines
    earlier = session.scalars(
        select(Entry).where(
            Entry.cycle_id == fx.first.id, Entry.initiative_id == fx.initiatives[title].id
        )
    ).one()
    earlier.phase = Phase.COMPLETED  # completed already then: not news
    session.flush()
    lines = _body(
        _slide(
            _deck(build_document(session, fx.second.id)), "Organisering: Hvad er sket siden sidst?"
        )
    )
    assert not any(title in line for line in lines) and "Uændret: 1 tiltag" in lines


def test_a_first_report_has_nothing_to_compare_with(approved: ReportDocument) -> None:
    first = approved.model_copy(update={"previous_cycle_id": None, "previous_as_of": None})
    prs = _deck(first)
    for slide in list(prs.slides)[2:-1]:
        assert _body(slide) == ["Der er ingen tidligere status at sammenligne med."]


def test_change_is_never_shown_by_colour_alone(approved: ReportDocument) -> None:
    prs = _deck(approved)
    colours = {
        run.font.color.rgb
        for slide in prs.slides
        for shape in slide.shapes
        for p in shape.text_frame.paragraphs
        for run in p.runs
    }
    assert all(max(c) - min(c) < 0x60 for c in colours)  # greys and dark blue, no red
    assert all(str(c) != "FF0000" for c in colours)


def test_a_list_item_stays_a_list_item_and_formatting_is_kept() -> None:
    block = MarkedBlock(
        "p",
        (
            Segment("Budgettet er lagt. "),
            Segment("Den ", changed=True),
            Segment("nye", changed=True, italic=True),
            Segment(" model er ", changed=True),
            Segment("godkendt", changed=True, bold=True),
            Segment(". Resten er som før."),
        ),
    )
    (sentence,) = changed_sentences(block)
    assert "".join(s.text for s in sentence) == "Den nye model er godkendt."
    assert [s.text for s in sentence if s.italic] == ["nye"]
    assert [s.text for s in sentence if s.bold] == ["godkendt"]
    assert changed_sentences(MarkedBlock("p", (Segment("Intet nyt her. Heller ikke her."),))) == []


def _row(number: int, title: str, blocks: tuple[MarkedBlock, ...], **flags: bool) -> ReportRow:
    return ReportRow(
        initiative_id=number,
        entry_id=number,
        title=title,
        plan=f"Plan for {title}",
        blocks=blocks,
        flags=RowFlags(changed=any(b.changed for b in blocks), **flags),
    )


def test_links_stay_links(approved: ReportDocument) -> None:
    block = MarkedBlock(
        "p",
        (
            Segment("Se ", changed=True),
            Segment("planen", changed=True, link="https://example.org/plan?a=1&b=2"),
            Segment(" <her>.", changed=True),
        ),
    )
    track = ReportTrack(track_id=1, name="Spor", rows=(_row(1, "Tiltag", (block,)),))
    slide = _slide(
        _deck(approved.model_copy(update={"tracks": (track,)})), "Spor: Hvad er sket siden sidst?"
    )
    (paragraph,) = slide.placeholders[1].text_frame.paragraphs[1:2]
    assert paragraph.text == "Se planen <her>."
    assert [r.hyperlink.address for r in paragraph.runs] == [
        None,
        "https://example.org/plan?a=1&b=2",
        None,
    ]


def test_numbered_items_keep_their_numbers(approved: ReportDocument) -> None:
    items = tuple(
        MarkedBlock("ol", (Segment(f"Punkt {n}", changed=n != 2),), number=n, delim=")")
        for n in (1, 2, 3)
    )
    track = ReportTrack(track_id=1, name="Spor", rows=(_row(1, "Tiltag", items),))
    slide = _slide(
        _deck(approved.model_copy(update={"tracks": (track,)})), "Spor: Hvad er sket siden sidst?"
    )
    paragraphs = slide.placeholders[1].text_frame.paragraphs
    assert [p.text for p in paragraphs] == ["Tiltag", "Punkt 1", "Punkt 3"]
    numbers = [p._p.pPr.find(qn("a:buAutoNum")) for p in paragraphs[1:]]
    assert [(n.get("type"), n.get("startAt")) for n in numbers] == [
        ("arabicParenR", "1"),
        ("arabicParenR", "3"),
    ]


# ------------------------------------------------------------------ worst case

LONG_WORD = "Sundhedsinnovationsimplementeringskoordinationsarbejdsgruppe" * 4
SENTENCE = (
    "Arbejdsgruppen har i perioden afholdt en lang række møder med de berørte afdelinger, "
    "og der er udarbejdet en samlet plan for den videre implementering. "
)


def worst_case(document: ReportDocument) -> ReportDocument:
    """One track of 14 initiatives with long titles, many changed sentences,
    a word wider than a slide and a paragraph taller than one."""
    rows = []
    for n in range(1, 15):
        title = f"Tiltag {n}: Styrkelse af det tværgående samarbejde om {LONG_WORD[: 20 + n * 9]}"
        changed = tuple(
            MarkedBlock("p", (Segment(SENTENCE + f"Ændring {n}.{k}.", changed=True),))
            for k in range(1, 1 + n % 4 + 1)
        )
        rows.append(_row(n, title, changed, completed=n % 3 == 0))
    rows.append(
        _row(
            20,
            "Et tiltag med et meget langt svar",
            (MarkedBlock("p", (Segment(SENTENCE * 14 + LONG_WORD, changed=True),)),),
        )
    )
    track = ReportTrack(track_id=1, name="Organisering og ledelse", rows=tuple(rows))
    return document.model_copy(update={"tracks": (track,)})


def _estimated_height(shape) -> float:  # type: ignore[no-untyped-def]
    """The text frame's height in points, measured from what is in the file."""
    total = 0.0
    for paragraph in shape.text_frame.paragraphs:
        runs = tuple(Segment(r.text, bold=bool(r.font.bold)) for r in paragraph.runs)
        size = max(r.font.size.pt for r in paragraph.runs)
        props = paragraph._p.pPr
        margin = int(props.get("marL", 0)) if props is not None else 0
        width = (shape.width - 2 * fit.INSET_X - margin) / fit.EMU_PER_PT
        before = paragraph.space_before.pt if paragraph.space_before is not None else 0
        total += before + fit.count_lines(runs, width, size) * size * fit.LINE_HEIGHT
    return total


def _room(shape) -> float:  # type: ignore[no-untyped-def]
    return (shape.height - shape.text_frame.margin_top - shape.text_frame.margin_bottom) / Emu(
        fit.EMU_PER_PT
    )


def test_a_worst_case_track_continues_and_every_frame_fits(approved: ReportDocument) -> None:
    document = worst_case(approved)
    prs = _deck(document)
    titles = _titles(prs)
    track = [t for t in titles if t.startswith("Organisering og ledelse: Hvad er sket")]
    assert len(track) >= 4
    assert "(fortsat, 2 af" in track[1] and len(set(titles)) == len(titles)
    for slide in prs.slides:
        for shape in slide.shapes:
            assert _estimated_height(shape) <= _room(shape) + 0.01, shape.text_frame.text[:60]
    slides = list(prs.slides)
    text = " ".join(line for slide in slides[2:] for line in _body(slide))
    for n in range(1, 15):  # nothing is lost on the way
        assert f"Ændring {n}.1." in text
    assert text.replace(" ", "").count(LONG_WORD) >= 1
    # A slide that opens inside an initiative names it again.
    assert any(_body(s)[0].endswith("(fortsat)") for s in slides[3:-1])


def test_long_titles_shrink_and_overlong_ones_are_shortened(approved: ReportDocument) -> None:
    track = approved.tracks[0].model_copy(update={"name": "Et meget langt udviklingsspor " * 30})
    for title, tracks in (
        ("Status på udviklingsprocessen " * 6, approved.tracks),
        ("Status på udviklingsprocessen " * 60, (track, *approved.tracks[1:])),
    ):
        long = approved.model_copy(update={"title": title, "tracks": tracks})
        prs = _deck(long, committee="Udvalget for " + "Social- og Sundhedsområdet " * 20)
        for slide in prs.slides:
            for shape in slide.shapes:
                assert _estimated_height(shape) <= _room(shape) + 0.01, shape.text_frame.text[:60]
    assert prs.slides[0].shapes.title.text_frame.text.endswith("…")
    assert list(prs.slides)[2].shapes.title.text_frame.text.endswith("…")


# ------------------------------------------------------------------ properties


def test_core_properties_and_language(approved: ReportDocument) -> None:
    options = ("Social- og Sundhedsudvalget", MEETING)
    data = render(approved, "pptx", deck=DeckOptions(*options))
    prs = Presentation(io.BytesIO(data))
    props = prs.core_properties
    assert props.title == approved.title
    assert props.subject == "Til Social- og Sundhedsudvalgets møde den 3. juni 2024"
    assert props.author == "Fjordby Kommune"
    assert props.category == "Social- og Sundhedsudvalget"
    assert props.language == "da-DK"
    assert props.created == props.modified == MOMENT.replace(tzinfo=None)
    assert props.content_status in (None, "")
    langs = {r.get("lang") for slide in prs.slides for r in slide.element.iter(qn("a:rPr"))}
    assert langs == {"da-DK"}
    defaults = prs.part._element.find(qn("p:defaultTextStyle"))
    assert {e.get("lang") for e in defaults.iter(qn("a:defRPr")) if e.get("lang")} == {"da-DK"}
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert prs.part._element.find(qn("p:sldSz")).get("type") is None  # not "screen4x3"
    assert data == render(approved, "pptx", deck=DeckOptions(*options))  # same bytes again
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        app_xml = z.read("docProps/app.xml")
        assert not [n for n in z.namelist() if "thumbnail" in n]
    assert b"<Company>Fjordby Kommune</Company>" in app_xml


def test_english_area(session: Session, fx: Fixture) -> None:
    document = build_document(session, fx.second.id, locale="en")
    prs = _deck(document, meeting=MEETING)
    assert _titles(prs)[1:3] == ["Focus areas", "Organisering: What has happened since last time?"]
    assert prs.core_properties.language == "en-GB"
    assert {r.get("lang") for s in prs.slides for r in s.element.iter(qn("a:rPr"))} == {"en-GB"}
    assert prs.core_properties.subject == "For the committee meeting on 3 June 2024"


def test_meeting_line() -> None:
    assert genitive("Socialudvalget") == "Socialudvalgets"
    assert genitive("Børn og Unge-udvalg for Voksnes") == "Børn og Unge-udvalg for Voksnes'"
    assert meeting_line(None, MEETING, "da") == "Til udvalgets møde den 3. juni 2024"
    assert meeting_line(None, None, "da") == "Til udvalgets møde"
    assert (
        meeting_line("Social Committee", MEETING, "en")
        == "For the Social Committee meeting on 3 June 2024"
    )


def test_a_draft_says_so_on_the_title_slide_and_in_its_properties(doc: ReportDocument) -> None:
    assert doc.cycle_state == CycleState.IN_REVIEW.value
    prs = _deck(doc)
    cover = [p.text for p in prs.slides[0].placeholders[1].text_frame.paragraphs]
    assert "UDKAST – ikke godkendt" in cover
    assert prs.core_properties.title == f"{doc.title} (UDKAST – ikke godkendt)"
    assert prs.core_properties.content_status == "UDKAST – ikke godkendt"


def test_an_approved_deck_is_not_marked_draft(approved: ReportDocument) -> None:
    prs = _deck(approved, meeting=MEETING)
    cover = [p.text for p in prs.slides[0].placeholders[1].text_frame.paragraphs]
    assert cover == ["Til udvalgets møde den 3. juni 2024", "Fjordby Kommune"]


def test_slide_texts_have_danish() -> None:
    path = Path(reports.slide_content.__file__)
    messages = {
        m if isinstance(m, str) else (m[0], m[1])
        for _line, m, _comments, _ctx in extract_from_file("python", path)
    }
    assert len(messages) > 10
    locale = Path(__file__).parents[2] / "bot/locale/da/LC_MESSAGES"
    assert_danish(messages, locale / "reports.po", locale / "reports.mo")


# ------------------------------------------------------------------ real seed data

AREA = "Socialområdet"


def seed_document(session: Session, tmp_path: Path) -> ReportDocument:
    """Seed 000 (the municipality's April 2024 report) as the previous report,
    and a next round in which a third of the initiatives moved on, some were
    completed and some got no answer."""
    seed = parse_seed(seed_path("000"))
    base_id = import_seed_baseline(session, tmp_path, seed, AREA, date(2024, 4, 1), MOMENT)
    base = session.get(Cycle, base_id)
    nxt = Cycle(
        area_id=base.area_id,
        as_of=date(2024, 10, 1),
        deadline=datetime(2024, 9, 25, 12, tzinfo=UTC),
        state=CycleState.APPROVED,
    )
    session.add(nxt)
    session.flush()
    before = session.scalars(select(Entry).where(Entry.cycle_id == base.id)).all()
    for n, entry in enumerate(before):
        status = entry.status
        source = EntrySource.CARRY_FORWARD
        phase = entry.phase
        if n % 3 == 0:
            markup = (status.to_markup() if status else "") + (
                f"\n\nI september 2024 er der afholdt opfølgningsmøde nr. {n} med *alle* "
                "aftaleholdere, og arbejdet fortsætter efter planen."
            )
            status, source = StatusText.from_markup(markup), EntrySource.ANSWER
            phase = Phase.COMPLETED if n % 2 == 0 else Phase.IN_PROGRESS
        elif n % 7 == 1:
            source = EntrySource.PENDING
        session.add(
            Entry(
                cycle_id=nxt.id,
                initiative_id=entry.initiative_id,
                status=status,
                phase=phase,
                source=source,
                carried_forward=source == EntrySource.CARRY_FORWARD,
            )
        )
    session.commit()
    return build_document(session, nxt.id, now=MOMENT)


def test_seed_report_slides(session: Session, tmp_path: Path) -> None:
    document = seed_document(session, tmp_path)
    assert len(document.rows) > 15
    prs = _deck(document, committee="Social- og Sundhedsudvalget", meeting=MEETING)
    titles = _titles(prs)
    assert len(set(titles)) == len(titles)
    assert titles[1] == "Fokuspunkter"
    text = [line for slide in prs.slides for line in _body(slide)]
    assert sum("opfølgningsmøde nr." in line for line in text) == len(
        [r for r in document.rows if "opfølgningsmøde nr." in "".join(b.text for b in r.blocks)]
    )
    assert any(line.startswith("✓ ") for line in text)
    assert any(line.startswith("Mangler svar: ") for line in text)
    for slide in prs.slides:
        for shape in slide.shapes:
            assert _estimated_height(shape) <= _room(shape) + 0.01


# ------------------------------------------------------------------ LibreOffice


@pytest.mark.slow
@needs_soffice
def test_libreoffice_impress_opens_the_decks(
    approved: ReportDocument, session: Session, tmp_path: Path
) -> None:
    pypdf = pytest.importorskip("pypdf")
    decks = {
        "fixture.pptx": render(approved, "pptx", deck=DeckOptions(meeting=MEETING)),
        "worst.pptx": render(worst_case(approved), "pptx"),
        "seed.pptx": render(seed_document(session, tmp_path), "pptx"),
    }
    for name, data in decks.items():
        (tmp_path / name).write_bytes(data)
    done = subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *(str(tmp_path / name) for name in decks),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for name, data in decks.items():
        slides = len(Presentation(io.BytesIO(data)).slides)
        reader = pypdf.PdfReader(tmp_path / "pdf" / name.replace(".pptx", ".pdf"))
        assert len(reader.pages) == slides, name
        # No text below the body's bottom edge: nothing ran off a slide.
        bottom = (fit.SLIDE_HEIGHT - fit.BODY_BOX.top - fit.BODY_BOX.height) / fit.EMU_PER_PT
        for number, page in enumerate(reader.pages, 1):
            low: list[float] = []

            def visit(text, _cm, tm, _font, _size, low=low) -> None:  # type: ignore[no-untyped-def]
                if text.strip():
                    low.append(tm[5])

            page.extract_text(visitor_text=visit)
            assert low and min(low) >= bottom - 2, (name, number, min(low))


# ------------------------------------------------------------------ command line

runner = CliRunner()


def test_report_format_pptx(env: Fixture, tmp_path: Path) -> None:
    out = tmp_path / "slides.PPTX"
    result = runner.invoke(
        app,
        ["report", "--cycle", str(env.second.id), "--format", "PPTX", "--meeting",
         "2024-06-03", "--committee", "Sundhedsudvalget", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cover = Presentation(out).slides[0].placeholders[1].text_frame.text
    assert "Til Sundhedsudvalgets møde den 3. juni 2024" in cover
    assert "UDKAST" in cover  # the fixture's second cycle is in review


def test_the_deck_names_the_areas_committee_unless_told_otherwise(
    env: Fixture, tmp_path: Path
) -> None:
    area = str(env.second.area_id)
    assert runner.invoke(app, ["area", "set", area, "--committee", "Socialudvalget"]).exit_code == 0
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), "--meeting", "2024-06-03", "-o", "a.pptx"]
    )
    assert result.exit_code == 0, result.output
    cover = Presentation(tmp_path / "a.pptx").slides[0].placeholders[1].text_frame.text
    assert "Til Socialudvalgets møde den 3. juni 2024" in cover
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), "--committee", "Byrådet", "-o", "b.pptx"]
    )
    assert result.exit_code == 0, result.output
    cover = Presentation(tmp_path / "b.pptx").slides[0].placeholders[1].text_frame.text
    assert "Til Byrådets møde" in cover


def test_report_pptx_from_the_file_ending(env: Fixture, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--cycle", str(env.second.id), "-o", "deck.pptx"])
    assert result.exit_code == 0, result.output
    assert len(Presentation(tmp_path / "deck.pptx").slides) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pptx", "--meeting", "2024-03-01"], "ligger før rundens statusdato"),
        (["--format", "pptx", "--meeting", "3. juni"], "er ikke en dato"),
        (["--format", "html", "--meeting", "2024-06-03"], "hører til --format pptx"),
    ],
)
def test_bad_meeting_writes_nothing(
    env: Fixture, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), *args, "-o", str(tmp_path / "x.out")]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x.out").exists()
