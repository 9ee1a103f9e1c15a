"""Change marks between an initiative's previous and current status.

Three levels, coarse to fine, all with :class:`difflib.SequenceMatcher`:

1. blocks (paragraphs/bullets) are aligned, so a moved or untouched paragraph
   stays plain and a new paragraph is marked whole;
2. inside a changed block, sentences are aligned (Danish splitter), so an
   added sentence is marked whole rather than as scattered words;
3. inside a changed sentence, words are compared; when less than half of the
   sentence survives, the whole new sentence is marked (word confetti in a
   rewritten sentence helps nobody).

Deleted text is collected for the review view; the committee documents show
only what is there now.
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

Runs = list[tuple[str, bool]]


class _RunLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def bold(self) -> bool: ...
    @property
    def italic(self) -> bool: ...
    @property
    def link(self) -> str | None: ...


class _BlockLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def runs(self) -> Sequence[_RunLike]: ...
    @property
    def number(self) -> int | None: ...
    @property
    def delim(self) -> str: ...


class _StatusLike(Protocol):
    @property
    def blocks(self) -> Sequence[_BlockLike]: ...


class StoredRun(NamedTuple):
    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


class StoredBlock(NamedTuple):
    """A status block read straight from storage (already validated)."""

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
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(b.changed for b in self.blocks)


def _norm_words(text: str) -> list[str]:
    return text.split()


def _ratio(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _to_block(block: _BlockLike, runs: Runs) -> MarkedBlock:
    """Merge neighbouring runs and keep edge whitespace out of the marks."""
    merged: Runs = []
    for text, changed in runs:
        if not text:
            continue
        if changed:
            stripped = text.rstrip()
            lead = len(text) - len(text.lstrip())
            if lead:
                merged.append((text[:lead], False))
            core = stripped[lead:]
            if core:
                merged.append((core, True))
            tail = text[len(stripped) :]
            if tail:
                merged.append((tail, False))
        else:
            merged.append((text, False))
    out: Runs = []
    for text, changed in merged:
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        else:
            out.append((text, changed))
    # A space between two marked runs reads as one change.
    joined: Runs = []
    for text, changed in out:
        if (
            changed
            and len(joined) >= 2
            and joined[-2][1]
            and not joined[-1][1]
            and not joined[-1][0].strip()
        ):
            space = joined.pop()[0]
            prev = joined.pop()[0]
            joined.append((prev + space + text, True))
        else:
            joined.append((text, changed))
    return _formatted(block, joined)


def _formatted(block: _BlockLike, marks: Runs) -> MarkedBlock:
    """The block's own runs (italic, bold, links) cut where the change marks
    start and end, so a word keeps its italics and its mark."""
    runs = block.runs or (StoredRun(block.text),)
    if "".join(t for t, _ in marks) != block.text:  # never expected; keep the text whole
        changed = any(c for _, c in marks)
        marks = [(block.text, changed)]
    segments: list[Segment] = []
    mark_index, mark_left = 0, len(marks[0][0]) if marks else 0
    for run in runs:
        text = run.text
        while text:
            while mark_left == 0 and mark_index + 1 < len(marks):
                mark_index += 1
                mark_left = len(marks[mark_index][0])
            take = min(len(text), mark_left) if mark_left else len(text)
            changed = marks[mark_index][1] if marks else False
            segments.append(Segment(text[:take], changed, run.bold, run.italic, run.link))
            text = text[take:]
            mark_left -= take
    number = block.number if block.kind == "ol" else None
    delim = block.delim if block.kind == "ol" else "."
    return MarkedBlock(block.kind, tuple(segments), number, delim)  # type: ignore[arg-type]


def plain_block(block: _BlockLike) -> MarkedBlock:
    return _formatted(block, [(block.text, False)])


def marked_block(block: _BlockLike) -> MarkedBlock:
    return _formatted(block, [(block.text, True)])


def _diff_words(old: str, new: str, deleted: list[str]) -> Runs:
    old_words = split_words(old)
    new_words = split_words(new)
    matcher = SequenceMatcher(
        None, [w.strip() for w in old_words], [w.strip() for w in new_words], autojunk=False
    )
    if matcher.ratio() < SENTENCE_WORD_RATIO:
        deleted.append(old.strip())
        return [(new, True)]
    runs: Runs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            gone = "".join(old_words[i1:i2]).strip()
            if gone:
                deleted.append(gone)
        if tag == "equal":
            runs.append(("".join(new_words[j1:j2]), False))
        elif tag in ("insert", "replace"):
            runs.append(("".join(new_words[j1:j2]), True))
    return runs


def _diff_text(old: str, new: str, deleted: list[str]) -> Runs:
    old_s = split_sentences(old)
    new_s = split_sentences(new)
    matcher = SequenceMatcher(None, [s.strip() for s in old_s], [s.strip() for s in new_s])
    runs: Runs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("".join(new_s[j1:j2]), False))
        elif tag == "insert":
            runs.append(("".join(new_s[j1:j2]), True))
        elif tag == "delete":
            deleted.extend(s.strip() for s in old_s[i1:i2])
        else:
            # Compare the replaced stretch as one piece of text so that a
            # sentence split in two still matches word by word.
            runs.extend(_diff_words("".join(old_s[i1:i2]), "".join(new_s[j1:j2]), deleted))
    return runs


def diff_status(
    previous: StatusText | _StatusLike | None, current: StatusText | _StatusLike | None
) -> DiffResult:
    """Marks for ``current`` against ``previous`` (``None``: nothing before, all new)."""
    current_blocks = current.blocks if current else ()
    if previous is None:
        return DiffResult([marked_block(b) for b in current_blocks])
    previous_blocks = previous.blocks
    old_texts = [b.text for b in previous_blocks]
    new_texts = [b.text for b in current_blocks]
    if old_texts == new_texts:
        return DiffResult([plain_block(b) for b in current_blocks])

    result = DiffResult([])
    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.blocks.extend(plain_block(b) for b in current_blocks[j1:j2])
        elif tag == "delete":
            result.deleted.extend(old_texts[i1:i2])
        elif tag == "insert":
            result.blocks.extend(marked_block(b) for b in current_blocks[j1:j2])
        else:
            _pair_blocks(old_texts[i1:i2], list(current_blocks[j1:j2]), result)
    return result


def _pair_blocks(old_texts: list[str], new_blocks: list[_BlockLike], result: DiffResult) -> None:
    """Pair replaced blocks in order with their most similar old block."""
    old_words = [_norm_words(t) for t in old_texts]
    pointer = 0
    for block in new_blocks:
        words = _norm_words(block.text)
        best, best_ratio = -1, 0.0
        for k in range(pointer, len(old_texts)):
            ratio = _ratio(old_words[k], words)
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best >= 0 and best_ratio >= BLOCK_PAIR_RATIO:
            result.deleted.extend(old_texts[pointer:best])
            pointer = best + 1
            result.blocks.append(
                _to_block(block, _diff_text(old_texts[best], block.text, result.deleted))
            )
        else:
            result.blocks.append(marked_block(block))
    result.deleted.extend(old_texts[pointer:])
