"""Where Typst's memory and time go on the 1,000-initiative report.

Builds the document of bench/report_bench.py (1,000 initiatives, SQLite in a
temp dir), takes its Typst source (reports/pdf.py) and compiles it and variants
of it, each in a fresh child process, printing that process's peak RSS, CPU
time and page count. A variant removes or swaps one feature, so its figure
against the first line is what that feature costs:

    python bench/pdf_memory_bench.py                 # all variants
    python bench/pdf_memory_bench.py --only report,no-table

The variants are for measuring only: none of them is a PDF the bot would make.

``--floor`` compares the bot's PDF with a floor at 20, 100, 300 and 1,000
initiatives: a bare ``typst.compile`` of the smallest Typst source that
typesets the same table (:func:`floor_source`: the same texts, columns, page
and font, the header repeated; untagged, no hyphenation settings, no footer,
no change marks). Each compile runs in a fresh process, floor and bot
interleaved and alternating which goes first, ``--rounds`` times; it prints
the medians of wall time (the bot's includes writing its Typst source) and
peak RSS, and bot/floor ratios against the targets (≤ 1.5× time,
≤ 1.25× peak memory), and the CPU-time ratio (less shaken by the machine's
other load than wall time):

    python bench/pdf_memory_bench.py --floor [--rounds 5] [--sizes 20,100,300,1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLAT = (
    "#let tcell(..a) = a.pos().at(0, default: none)\n"
    "#let hdr(..a) = a.pos().join([ ])\n"
    "#let tbl(..a) = for c in a.pos() { block(width: 42%, c) }\n"
    "#tbl("
)


def _first_rows(count: int) -> Callable[[str], str]:
    def cut(source: str) -> str:
        head, rows = source.split("\n  table.cell(rowspan", 1)
        kept = ("  table.cell(rowspan" + rows).split("\n")[:count]
        return head + "\n" + "\n".join(kept) + "\n)\n"

    return cut


# name -> (source transformation, compile mode)
VARIANTS: dict[str, tuple[Callable[[str], str], str]] = {
    "report": (lambda s: s, "pdf"),
    "layout-only": (lambda s: s, "query"),
    "no-tags": (lambda s: s, "untagged"),
    "no-hyphenation": (lambda s: s.replace("hyphenate: true", "hyphenate: false"), "pdf"),
    "hyphenate-all": (lambda s: s.replace("hyphenate: false", "hyphenate: true"), "pdf"),
    "no-marks": (
        lambda s: s.replace(
            "#let chg(body) = underline(text(fill: red, body))", "#let chg(body) = body"
        ),
        "pdf",
    ),
    "ua-only": (lambda s: s, "ua-only"),
    "breakable-cells": (lambda s: s.replace("table.cell(breakable: false, ", "("), "pdf"),
    "header-once": (lambda s: s.replace("repeat: true", "repeat: false"), "pdf"),
    "page-total-fixed": (
        lambda s: s.replace("+ str(counter(page).final().first())", '+ "999"'),
        "pdf",
    ),
    "grid": (
        lambda s: (
            s.replace("#table(", "#grid(")
            .replace("table.header", "grid.header")
            .replace("table.cell", "grid.cell")
        ),
        "pdf",
    ),
    "no-table": (
        lambda s: (
            s.replace("#table(", FLAT)
            .replace("table.header(repeat: true, ", "hdr(")
            .replace("table.cell(", "tcell(")
        ),
        "pdf",
    ),
    "first-125": (_first_rows(125), "pdf"),
    "first-250": (_first_rows(250), "pdf"),
    "first-500": (_first_rows(500), "pdf"),
    "empty": (lambda s: s.split("#table(")[0], "pdf"),
}


def _peak_rss_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: a child started by vfork
    inherits its parent's high-water mark there."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compile_child(path: str, mode: str, settings: dict[str, object]) -> None:
    import typst

    from bench.report_bench import _page_count

    source = Path(path).read_bytes()
    options = {"font_paths": settings["font_paths"], "ignore_system_fonts": True}
    if mode == "floor":  # nothing but the compile
        pdf = typst.compile(source, **options)
    elif mode == "worker":  # what reports/typst_worker.py does
        pdf = typst.compile(
            source,
            **options,
            pdf_standards=settings["pdf_standards"],
            timestamp=settings["timestamp"],
        )
    elif mode == "ua-only":  # tagged PDF/UA-1 without PDF/A-2a
        pdf = typst.compile(
            source, **options, pdf_standards=["ua-1"], timestamp=settings["timestamp"]
        )
    elif mode == "query":  # layout without the PDF export
        typst.query(source, "heading", **options)
        pdf = None
    else:
        pdf = typst.compile(
            source,
            **options,
            pdf_standards=settings["pdf_standards"] if mode == "pdf" else [],
            pdf_tags=mode == "pdf",
            timestamp=settings["timestamp"],
        )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_mb = _peak_rss_mb()  # before the page count reads the PDF
    pages = _page_count(pdf) if pdf else None
    print(
        json.dumps(
            {
                "rss_mb": rss_mb,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "pages": pages,
            }
        )
    )


def bench_document(size: int) -> tuple[Any, dict[str, object]]:
    """The report of bench/report_bench.py's data at ``size`` initiatives, and
    the settings the bot's Typst worker compiles it with."""
    from bench.report_bench import populate
    from reports import build_document
    from reports.pdf import PDF_STANDARDS, _font_paths
    from storage.db import make_engine, make_session_factory

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        cycle_id = populate(url, size)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            document = build_document(session, cycle_id)
        engine.dispose()
    settings = {
        "font_paths": _font_paths(),
        "pdf_standards": PDF_STANDARDS,
        "timestamp": int(document.generated_at.timestamp()),
    }
    return document, settings


def document_source(size: int = 1000) -> tuple[str, dict[str, object]]:
    from reports.pdf import typst_source

    document, settings = bench_document(size)
    return typst_source(document), settings


def floor_source(document: Any) -> str:
    """The least Typst source that typesets the report's table: its texts as
    string literals (never markup), the same columns, page, font, size and
    spacing, the header repeated on every page (Typst repeats it by default);
    bullets and numbered items as lists."""
    from reports.model import list_groups
    from reports.pdf import FONTS, lit

    def text(lines: list[str]) -> str:
        return "{" + "; parbreak(); ".join(lit(line) for line in lines) + "}" if lines else '""'

    def status(row: Any) -> str:
        parts = []
        for kind, blocks in list_groups(row.blocks):
            if kind == "p":
                parts.append(lit(blocks[0].text))
            else:
                items = ", ".join(lit(b.text) for b in blocks)
                parts.append(f"{'list' if kind == 'ul' else 'enum'}({items})")
        return "{" + "; parbreak(); ".join(parts or ['""']) + "}"

    labels = document.labels
    out = [
        '#set page(paper: "a4", flipped: true, margin: (top: 16mm, bottom: 18mm, x: 14mm))\n',
        f"#set text(font: {FONTS}, size: 10pt)\n",
        # The bot's spacing, so that both fill the same number of pages.
        "#set par(leading: 0.45em, spacing: 6pt)\n",
        "#set list(indent: 2pt, body-indent: 6pt, spacing: 3pt)\n",
        f"#heading({lit(document.title)})\n",
        *(f"#par({lit(p)})\n" for p in document.intro),
        "#table(columns: (14%, 21%, 23%, 42%), inset: (x: 4.25pt, y: 4pt),\n",
        "  table.header("
        + ", ".join(lit(t) for t in (labels.track, labels.initiative, labels.plan, labels.status))
        + "),\n",
    ]
    for track in document.tracks:
        for index, row in enumerate(track.rows):
            cells = (
                [f"table.cell(rowspan: {len(track.rows)}, {lit(track.name)})"] if not index else []
            )
            cells += [
                text([row.title, *row.description]),
                text([b.text for b in row.plan_marked]),
                status(row),
            ]
            out.append("  " + ", ".join(cells) + ",\n")
    out.append(")\n")
    return "".join(out)


FLOOR_SIZES = (20, 100, 300, 1000)
TARGET_TIME = 1.5
TARGET_MEMORY = 1.25


def _child(path: Path, mode: str, settings: dict[str, object]) -> dict[str, Any]:
    """Compile ``path`` in a fresh process: its peak RSS, CPU, pages and wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--compile", str(path), mode, json.dumps(settings)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def floor_comparison(sizes: list[int], rounds: int) -> bool:
    """Print the bot's PDF against the floor per size; True when within the targets."""
    import typst

    from reports.pdf import typst_source

    print(f"typst {typst.__version__}; median of {rounds} fresh processes each, interleaved")
    print(
        f"{'size':>5} {'pages':>9} {'floor s':>8} {'bot s':>7} {'time':>6} "
        f"{'CPU':>6} {'floor MB':>9} {'bot MB':>7} {'memory':>7}"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            document, settings = bench_document(size)
            floor_path = Path(tmp) / f"floor-{size}.typ"
            floor_path.write_text(floor_source(document), encoding="utf-8")
            bot_path = Path(tmp) / f"bot-{size}.typ"
            runs: dict[str, list[dict[str, float]]] = {"floor": [], "bot": []}
            for r in range(rounds):
                for name in ("floor", "bot") if r % 2 == 0 else ("bot", "floor"):
                    if name == "floor":
                        runs[name].append(_child(floor_path, "floor", settings))
                        continue
                    started = time.perf_counter()  # the bot writes its source each time
                    bot_path.write_text(typst_source(document), encoding="utf-8")
                    source_s = time.perf_counter() - started
                    result = _child(bot_path, "worker", settings)
                    result["wall_s"] += source_s
                    result["cpu_s"] += source_s
                    runs[name].append(result)
            med = {
                name: {
                    k: statistics.median(r[k] for r in results)
                    for k in ("wall_s", "cpu_s", "rss_mb")
                }
                for name, results in runs.items()
            }
            pages = f"{runs['floor'][0]['pages']}/{runs['bot'][0]['pages']}"
            time_ratio = med["bot"]["wall_s"] / med["floor"]["wall_s"]
            memory_ratio = med["bot"]["rss_mb"] / med["floor"]["rss_mb"]
            cpu_ratio = med["bot"]["cpu_s"] / med["floor"]["cpu_s"]
            ok = ok and time_ratio <= TARGET_TIME and memory_ratio <= TARGET_MEMORY
            print(
                f"{size:>5} {pages:>9} {med['floor']['wall_s']:>8.2f} {med['bot']['wall_s']:>7.2f} "
                f"{time_ratio:>5.2f}× {cpu_ratio:>5.2f}× "
                f"{med['floor']['rss_mb']:>9.0f} {med['bot']['rss_mb']:>7.0f} "
                f"{memory_ratio:>6.2f}×",
                flush=True,
            )
    print(
        f"targets: time ≤ {TARGET_TIME}×, peak memory ≤ {TARGET_MEMORY}× the floor's: "
        + ("met" if ok else "NOT met")
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants")
    parser.add_argument("--floor", action="store_true", help="the bot against the floor")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default=",".join(map(str, FLOOR_SIZES)))
    parser.add_argument("--compile", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compile:
        path, mode, settings = args.compile
        compile_child(path, mode, json.loads(settings))
        return 0
    if args.floor:
        sizes = [int(s) for s in args.sizes.split(",")]
        return 0 if floor_comparison(sizes, args.rounds) else 1

    import typst

    source, settings = document_source(args.sizes and int(args.sizes.split(",")[-1]))
    print(f"typst {typst.__version__}; peak RSS and CPU time of a fresh process per variant")
    print(f"{'variant':<18} {'pages':>5} {'RSS MB':>7} {'CPU s':>6} {'MB/page':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            transform, mode = VARIANTS[name]
            path = Path(tmp) / f"{name}.typ"
            path.write_text(transform(source), encoding="utf-8")
            result = _child(path, mode, settings)
            pages = result["pages"]
            per_page = f"{result['rss_mb'] / pages:.2f}" if pages and pages > 1 else "–"
            print(
                f"{name:<18} {pages or '–':>5} {result['rss_mb']:>7.0f} "
                f"{result['cpu_s']:>6.2f} {per_page:>7}  ({result['wall_s']:.1f} s wall)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
