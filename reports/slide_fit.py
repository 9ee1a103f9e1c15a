"""Slides' geometry, text measurement and the split of a long body over
several slides, so that no text runs off a slide.

Text is measured with a font's real advance widths (Pillow/FreeType) and
wrapped word by word as PowerPoint and Impress wrap it; a word wider than the
line is broken by letters, as they break it. The measure is conservative: the
deck names Arial, but widths are taken from DejaVu Sans (wider than Arial,
Calibri and Liberation Sans, and what Impress falls back to on a machine
without them), plus a margin, and a line is 1.2 × the font size (Arial's own
is 1.15).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

from reports.model import Segment
from reports.sentences import split_words
from reports.slide_content import Line

EMU_PER_INCH = 914400
EMU_PER_PT = 12700
SLIDE_WIDTH = 12192000  # 16:9, 13.333 × 7.5 in
SLIDE_HEIGHT = 6858000
FONT = "Arial"


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


MARGIN = EMU_PER_INCH // 2
TITLE_BOX = Box(MARGIN, 260000, SLIDE_WIDTH - 2 * MARGIN, 1120000)
BODY_BOX = Box(MARGIN, 1463040, SLIDE_WIDTH - 2 * MARGIN, 4937760)
COVER_TITLE_BOX = Box(MARGIN * 2, 1700000, SLIDE_WIDTH - 4 * MARGIN, 2000000)
COVER_SUBTITLE_BOX = Box(MARGIN * 2, 3900000, SLIDE_WIDTH - 4 * MARGIN, 2400000)
INSET_X = 91440  # the text frame's own inner margins
INSET_Y = 45720

TITLE_SIZES = (32, 28, 24, 20, 16)  # pt, tried in order until the title fits
COVER_TITLE_SIZES = (40, 36, 32, 28, 24, 20)
SUBTITLE_SIZES = (22, 20, 18, 16)
SUBTITLE_SPACE = 6  # pt before each of the cover's lines


@dataclass(frozen=True)
class LevelStyle:
    size: float  # pt
    margin: int  # EMU from the frame's left edge to the text
    indent: int  # EMU, negative: the bullet hangs in front of the text
    space_before: float  # pt


LEVELS = (
    LevelStyle(20, 457200, -457200, 10),
    LevelStyle(18, 800100, -342900, 4),
    LevelStyle(18, 1143000, -342900, 2),
)
LINE_HEIGHT = 1.2  # × font size
WIDTH_MARGIN = 1.05  # measured widths are taken this much wider

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
)
_MEASURE_SIZE = 100  # pt at which widths are read, then scaled


@cache
def _font(bold: bool) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, float]:
    """The measuring font, and how much wider than it to count."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), _MEASURE_SIZE), WIDTH_MARGIN
    # Pillow's own font (Aileron, narrower than DejaVu Sans), widened more.
    return ImageFont.load_default(_MEASURE_SIZE), WIDTH_MARGIN * 1.2


@lru_cache(maxsize=1 << 16)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """``text``'s width in points at ``size`` pt, conservatively."""
    font, factor = _font(bold)
    return font.getlength(text) * size / _MEASURE_SIZE * factor


def style(line: Line) -> LevelStyle:
    return LEVELS[min(line.level, len(LEVELS) - 1)]


def text_margin(line: Line) -> int:
    """Where the line's text starts: under its bullet's text, or at the level's
    left edge when it has no bullet (a closing line, a heading)."""
    level = style(line)
    if line.bullet == "none" and not line.continues:
        return level.margin + level.indent
    return level.margin


def count_lines(runs: tuple[Segment, ...], width_pt: float, size: float) -> int:
    """How many lines ``runs`` wrap to in ``width_pt``: greedy, at spaces, and
    a word wider than a line broken by letters."""
    lines, used = 1, 0.0
    for run in runs:
        for word in split_words(run.text):
            core = word.rstrip()
            core_width = text_width(core, size, run.bold)
            full_width = text_width(word, size, run.bold)
            if used + core_width <= width_pt:
                used += full_width
                continue
            if used > 0:
                lines, used = lines + 1, 0.0
            if core_width <= width_pt:
                used = full_width
                continue
            for char in word:  # a word longer than the line
                char_width = text_width(char, size, run.bold)
                if used + char_width > width_pt and used > 0 and not char.isspace():
                    lines, used = lines + 1, 0.0
                used += char_width
    return lines


def line_height(line: Line, frame_width: int) -> float:
    """The paragraph's height in points, its space before included."""
    level = style(line)
    width_pt = (frame_width - 2 * INSET_X - text_margin(line)) / EMU_PER_PT
    return level.space_before + count_lines(line.runs, width_pt, level.size) * (
        level.size * LINE_HEIGHT
    )


def lines_height(lines: list[Line], frame_width: int) -> float:
    return sum(line_height(line, frame_width) for line in lines)


def usable_height(box: Box) -> float:
    return (box.height - 2 * INSET_Y) / EMU_PER_PT


def block_height(texts: list[Segment], box: Box, size: float, space_before: float = 0) -> float:
    """Paragraphs of one size (a title, the cover's lines), in points."""
    width_pt = (box.width - 2 * INSET_X) / EMU_PER_PT
    return sum(
        space_before + count_lines((text,), width_pt, size) * size * LINE_HEIGHT for text in texts
    )


def fit_block(
    texts: list[Segment], box: Box, sizes: tuple[int, ...], space_before: float = 0
) -> tuple[list[Segment], int]:
    """The largest of ``sizes`` at which ``texts`` fit ``box``; if even the
    smallest is too big, the longest text is shortened (with "…") until they do."""
    room = usable_height(box)
    for size in sizes:
        if block_height(texts, box, size, space_before) <= room:
            return texts, size
    size = sizes[-1]
    texts = list(texts)
    while block_height(texts, box, size, space_before) > room:
        longest = max(range(len(texts)), key=lambda i: len(texts[i].text))
        words = texts[longest].text.rstrip("…").split(" ")
        if len(words) > 1:
            shorter = " ".join(words[:-1])
        else:
            shorter = words[0][: max(len(words[0]) * 9 // 10, 1)]
        texts[longest] = replace(texts[longest], text=shorter.rstrip() + "…")
    return texts, size


# ------------------------------------------------------------------ pagination


CONTEXT_LINES = 2  # a repeated heading is cut to this many lines


def _continued(heading: Line, marker: str, width: int) -> Line:
    """``heading`` again on the next slide, marked ``marker`` and cut short
    (with "…") to at most :data:`CONTEXT_LINES` lines."""
    mark = Segment(" " + marker, italic=True)
    repeated = replace(heading, runs=(*heading.runs, mark))
    level = style(heading)
    limit = level.space_before + CONTEXT_LINES * level.size * LINE_HEIGHT
    if line_height(repeated, width) <= limit:
        return repeated
    words = heading.text.split(" ")
    bold = any(run.bold for run in heading.runs)
    while len(words) > 1:
        words.pop()
        short = replace(heading, runs=(Segment(" ".join(words) + "…", bold=bold), mark))
        if line_height(short, width) <= limit:
            return short
    return replace(heading, runs=(Segment(heading.text[:40] + "…", bold=bold), mark))


def _split(line: Line, room: float, width: int) -> tuple[Line, Line] | None:
    """``line`` cut where it fills ``room`` points: the part that fits and the
    rest (no bullet of its own, under the first part's text); None if not even
    one word fits."""
    pieces: list[Segment] = []
    for run in line.runs:
        words = split_words(run.text)
        pieces += [replace(run, text=w) for w in words]
    if len(pieces) == 1 or line_height(replace(line, runs=(pieces[0],)), width) > room:
        # One word alone is too long: cut it by letters.
        first = pieces[0]
        pieces = [replace(first, text=c) for c in first.text] + pieces[1:]
    low, high = 0, len(pieces) - 1  # the most pieces that fit, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if line_height(replace(line, runs=tuple(pieces[:middle])), width) <= room:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return None
    head = replace(line, runs=_merge(pieces[:low]))
    tail = replace(
        line, runs=_merge(pieces[low:]), bullet="none", continues=True, number=None, heading=False
    )
    return head, tail


def _merge(pieces: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for piece in pieces:
        if out and replace(out[-1], text="") == replace(piece, text=""):
            out[-1] = replace(out[-1], text=out[-1].text + piece.text)
        else:
            out.append(piece)
    return tuple(out)


def paginate(lines: tuple[Line, ...], box: Box, marker: str) -> list[list[Line]]:
    """``lines`` on as many slides as they need. A slide that opens inside an
    initiative repeats its headings, marked ``marker`` ("(continued)"); a
    heading never ends a slide; a paragraph taller than a slide is cut."""
    room = usable_height(box)
    pages: list[list[Line]] = []
    page: list[Line] = []
    own = 0  # lines on the page that are not repeated headings
    used = 0.0
    queue = deque(lines)
    while queue:
        line = queue.popleft()
        if not page and pages and line.context:
            page = [_continued(h, marker, box.width) for h in line.context]
            used = lines_height(page, box.width)
        height = line_height(line, box.width)
        if used + height <= room:
            page.append(line)
            used += height
            own += 1
            continue
        if own:
            # Break before this line, taking a heading left last along with it.
            queue.appendleft(line)
            while own > 1 and page[-1].heading:
                queue.appendleft(page.pop())
                own -= 1
            pages.append(page)
            page, own, used = [], 0, 0.0
            continue
        parts = _split(line, room - used, box.width)
        if parts is None:
            raise ValueError("a slide's headings leave no room for its text")
        page.append(parts[0])
        own += 1
        queue.appendleft(parts[1])
        pages.append(page)
        page, own, used = [], 0, 0.0
    if page or not pages:
        pages.append(page)
    return pages
