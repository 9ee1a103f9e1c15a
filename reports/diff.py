"""Change marks between an initiative's previous and current status.

Three levels, coarse to fine, all with :class:`difflib.SequenceMatcher`:

1. blocks (paragraphs/bullets) are aligned, so a moved or untouched paragraph
   stays plain and a new paragraph is marked whole;
2. inside a changed block, sentences are aligned (Danish splitter), so an
   added sentence is marked whole rather than as scattered words;
3. inside a changed sentence, words are compared; when less than half of the
   sentence survives, the whole new sentence is marked (word confetti in a
   rewritten sentence helps nobody).

Deleted text is kept two ways for the coordinators' review: each deletion in
its sentence (``DiffResult.deleted``, for the Slack summary), and, when asked
(``with_deletions``), struck-through runs where the text was (the draft). The
committee document shows only what is there now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import NamedTuple, Protocol

from reports.model import MarkedBlock, Segment
from reports.sentences import split_sentences, split_words
from storage.richtext import StatusText

# Pair a changed block with an old one only when they share this much.
BLOCK_PAIR_RATIO = 0.5
# Mark a rewritten sentence word by word only when this much of it survives.
SENTENCE_WORD_RATIO = 0.5

# Run states: text kept, new (marked), gone (only in the draft, struck through).
SAME, NEW, GONE = 0, 1, 2
Runs = list[tuple[str, int]]


class _BlockLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    # Also read when present: ``runs`` (text, bold, italic, link), ``number``, ``delim``.


class _StatusLike(Protocol):
    @property
    def blocks(self) -> Sequence[_BlockLike]: ...


class StoredRun(NamedTuple):
    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


class StoredBlock(NamedTuple):
    """A status block read straight from storage (already validated); ``runs``
    only when some of it is formatted."""

    kind: str
    text: str
    runs: tuple[StoredRun, ...] = ()
    number: int | None = None
    delim: str = "."


class StoredStatus(NamedTuple):
    blocks: tuple[StoredBlock, ...]


@dataclass
class DiffResult:
    blocks: list[MarkedBlock]
    # Each deletion in its sentence: gone runs are ``deleted``, the rest context.
    deleted: list[MarkedBlock] = field(default_factory=list)
    # The blocks with the gone text struck through where it was (``with_deletions``).
    review: list[MarkedBlock] | None = None

    @property
    def changed(self) -> bool:
        return any(b.changed for b in self.blocks)


def _norm_words(text: str) -> list[str]:
    return text.split()


def _ratio(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _to_block(kind: str, runs: Runs) -> MarkedBlock:
    """Merge neighbouring runs and keep edge whitespace out of the marks."""
    merged: Runs = []
    for text, state in runs:
        if not text:
            continue
        if state != SAME:
            stripped = text.rstrip()
            lead = len(text) - len(text.lstrip())
            if lead:
                merged.append((text[:lead], SAME))
            core = stripped[lead:]
            if core:
                merged.append((core, state))
            tail = text[len(stripped) :]
            if tail:
                merged.append((tail, SAME))
        else:
            merged.append((text, SAME))
    out: Runs = []
    for text, state in merged:
        if out and out[-1][1] == state:
            out[-1] = (out[-1][0] + text, state)
        else:
            out.append((text, state))
    # A space between two runs marked alike reads as one change.
    joined: Runs = []
    for text, state in out:
        if (
            state != SAME
            and len(joined) >= 2
            and joined[-2][1] == state
            and joined[-1][1] == SAME
            and not joined[-1][0].strip()
        ):
            space = joined.pop()[0]
            prev = joined.pop()[0]
            joined.append((prev + space + text, state))
        else:
            joined.append((text, state))
    return MarkedBlock(
        kind,  # type: ignore[arg-type]
        tuple(Segment(t, state == NEW, state == GONE) for t, state in joined),
    )


def _committee(block: _BlockLike, runs: Runs) -> MarkedBlock:
    return _dressed(block, _to_block(block.kind, [r for r in runs if r[1] != GONE]))


def _dressed(block: _BlockLike, marked: MarkedBlock) -> MarkedBlock:
    """``marked`` (change marks over ``block``'s text) with the block's own
    italics, bold and links cut where the marks start and end, so a word keeps
    its italics and its mark; numbered items keep their number."""
    runs = getattr(block, "runs", ())
    number = getattr(block, "number", None) if block.kind == "ol" else None
    if not any(r.bold or r.italic or r.link for r in runs):
        if number is None:
            return marked
        return MarkedBlock(marked.kind, marked.segments, number, block.delim)  # type: ignore[attr-defined]
    text = block.text
    starts = [0]
    for run in runs:
        starts.append(starts[-1] + len(run.text))
    segments: list[Segment] = []
    at, index = 0, 0  # position in the block's text, and the run holding it
    for segment in marked.segments:
        if segment.deleted or not text.startswith(segment.text, at):
            segments.append(segment)  # gone text, or a space put between versions
            continue
        end = at + len(segment.text)
        while at < end:
            while starts[index + 1] <= at:
                index += 1
            cut = min(end, starts[index + 1])
            run = runs[index]
            segments.append(
                Segment(
                    text[at:cut],
                    segment.changed,
                    bold=run.bold,
                    italic=run.italic,
                    link=run.link,
                )
            )
            at = cut
    delim = getattr(block, "delim", ".") if number is not None else "."
    return MarkedBlock(marked.kind, tuple(segments), number, delim)


def _spaced(runs: Runs) -> Runs:
    """Gone text next to other text gets a space between (the words came from
    two versions, so nothing else separates them)."""
    out: Runs = []
    for text, state in runs:
        if not text:
            continue
        if (
            out
            and GONE in (state, out[-1][1])
            and not out[-1][0][-1:].isspace()
            and not text[:1].isspace()
        ):
            out.append((" ", SAME))
        out.append((text, state))
    return out


def plain_block(block: _BlockLike) -> MarkedBlock:
    marked = MarkedBlock(block.kind, (Segment(block.text, False),))  # type: ignore[arg-type]
    return _dressed(block, marked)


def marked_block(block: _BlockLike) -> MarkedBlock:
    marked = MarkedBlock(block.kind, (Segment(block.text, True),))  # type: ignore[arg-type]
    return _dressed(block, marked)


def gone_block(kind: str, text: str) -> MarkedBlock:
    return MarkedBlock(kind, (Segment(text.strip(), False, True),))  # type: ignore[arg-type]


class _Collector:
    """Gathers the result of one status: committee blocks, deletions, review blocks."""

    def __init__(self, with_deletions: bool) -> None:
        self.result = DiffResult([], [], [] if with_deletions else None)

    def block(self, block: _BlockLike, runs: Runs) -> None:
        self.result.blocks.append(_committee(block, runs))
        if self.result.review is not None:
            self.result.review.append(_dressed(block, _to_block(block.kind, _spaced(runs))))

    def plain(self, block: MarkedBlock) -> None:
        self.result.blocks.append(block)
        if self.result.review is not None:
            self.result.review.append(block)

    def gone(self, kind: str, text: str) -> None:
        """A whole block of the previous report that is not there now."""
        if not text.strip():
            return
        self.result.deleted.append(gone_block("p", text))
        if self.result.review is not None:
            self.result.review.append(gone_block(kind, text))


def _diff_words(old: str, new: str, deleted: list[MarkedBlock]) -> Runs:
    old_words = split_words(old)
    new_words = split_words(new)
    matcher = SequenceMatcher(
        None, [w.strip() for w in old_words], [w.strip() for w in new_words], autojunk=False
    )
    if matcher.ratio() < SENTENCE_WORD_RATIO:
        deleted.append(gone_block("p", old))
        return [(old, GONE), (new, NEW)]
    runs: Runs = []
    context: Runs = []  # the old sentence, with what went
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("".join(new_words[j1:j2]), SAME))
            context.append(("".join(old_words[i1:i2]), SAME))
            continue
        if tag in ("delete", "replace"):
            gone = "".join(old_words[i1:i2])
            runs.append((gone, GONE))
            context.append((gone, GONE))
        if tag in ("insert", "replace"):
            runs.append(("".join(new_words[j1:j2]), NEW))
    if any(state == GONE and text.strip() for text, state in context):
        deleted.append(_to_block("p", [(t.replace("\n", " "), st) for t, st in context]))
    return runs


def _diff_text(old: str, new: str, deleted: list[MarkedBlock]) -> Runs:
    old_s = split_sentences(old)
    new_s = split_sentences(new)
    matcher = SequenceMatcher(None, [s.strip() for s in old_s], [s.strip() for s in new_s])
    runs: Runs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("".join(new_s[j1:j2]), SAME))
        elif tag == "insert":
            runs.append(("".join(new_s[j1:j2]), NEW))
        elif tag == "delete":
            deleted.extend(gone_block("p", s) for s in old_s[i1:i2] if s.strip())
            runs.extend((s, GONE) for s in old_s[i1:i2])
        else:
            # Compare the replaced stretch as one piece of text so that a
            # sentence split in two still matches word by word.
            runs.extend(_diff_words("".join(old_s[i1:i2]), "".join(new_s[j1:j2]), deleted))
    return runs


def diff_status(
    previous: StatusText | _StatusLike | None,
    current: StatusText | _StatusLike | None,
    *,
    with_deletions: bool = False,
) -> DiffResult:
    """Marks for ``current`` against ``previous`` (``None``: nothing before, all new).

    ``with_deletions`` also gives ``review``: the blocks with the gone text in place."""
    current_blocks = current.blocks if current else ()
    if previous is None:
        blocks = [marked_block(b) for b in current_blocks]
        return DiffResult(blocks, [], list(blocks) if with_deletions else None)
    previous_blocks = previous.blocks
    old_texts = [b.text for b in previous_blocks]
    new_texts = [b.text for b in current_blocks]
    if old_texts == new_texts:
        blocks = [plain_block(b) for b in current_blocks]
        return DiffResult(blocks, [], list(blocks) if with_deletions else None)

    out = _Collector(with_deletions)
    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for b in current_blocks[j1:j2]:
                out.plain(plain_block(b))
        elif tag == "delete":
            for b in previous_blocks[i1:i2]:
                out.gone(b.kind, b.text)
        elif tag == "insert":
            for b in current_blocks[j1:j2]:
                out.plain(marked_block(b))
        else:
            _pair_blocks(list(previous_blocks[i1:i2]), list(current_blocks[j1:j2]), out)
    return out.result


def _pair_blocks(
    old_blocks: list[_BlockLike], new_blocks: list[_BlockLike], out: _Collector
) -> None:
    """Pair replaced blocks in order with their most similar old block."""
    old_words = [_norm_words(b.text) for b in old_blocks]
    pointer = 0
    for block in new_blocks:
        words = _norm_words(block.text)
        best, best_ratio = -1, 0.0
        for k in range(pointer, len(old_blocks)):
            ratio = _ratio(old_words[k], words)
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best >= 0 and best_ratio >= BLOCK_PAIR_RATIO:
            for skipped in old_blocks[pointer:best]:
                out.gone(skipped.kind, skipped.text)
            pointer = best + 1
            out.block(block, _diff_text(old_blocks[best].text, block.text, out.result.deleted))
        else:
            out.plain(marked_block(block))
    for rest in old_blocks[pointer:]:
        out.gone(rest.kind, rest.text)
