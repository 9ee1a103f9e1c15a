"""Where Typst's memory and time go on the 1,000-initiative report.

Builds the document of bench/report_bench.py (1,000 initiatives, SQLite in a
temp dir), takes its Typst source (reports/pdf.py) and compiles it and variants
of it, each in a fresh child process, printing that process's peak RSS, CPU
time and page count. A variant removes or swaps one feature, so its figure
against the first line is what that feature costs:

    python bench/pdf_memory_bench.py                 # all variants
    python bench/pdf_memory_bench.py --only report,no-table

The variants are for measuring only: none of them is a PDF the bot would make.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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
    "breakable-cells": (lambda s: s.replace("table.cell(breakable: false, ", "("), "pdf"),
    "header-once": (lambda s: s.replace("repeat: true", "repeat: false"), "pdf"),
    "page-total-fixed": (
        lambda s: s.replace("+ str(counter(page).final().first())", '+ "999"'),
        "pdf",
    ),
    "grid": (
        lambda s: s.replace("#table(", "#grid(")
        .replace("table.header", "grid.header")
        .replace("table.cell", "grid.cell"),
        "pdf",
    ),
    "no-table": (
        lambda s: s.replace("#table(", FLAT)
        .replace("table.header(repeat: true, ", "hdr(")
        .replace("table.cell(", "tcell("),
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
    if mode == "query":  # layout without the PDF export
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


def document_source() -> tuple[str, dict[str, object]]:
    from bench.report_bench import populate
    from reports import build_document
    from reports.pdf import PDF_STANDARDS, _font_paths, typst_source
    from storage.db import make_engine, make_session_factory

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        cycle_id = populate(url, 1000)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            document = build_document(session, cycle_id)
        engine.dispose()
    settings = {
        "font_paths": _font_paths(),
        "pdf_standards": PDF_STANDARDS,
        "timestamp": int(document.generated_at.timestamp()),
    }
    return typst_source(document), settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants")
    parser.add_argument("--compile", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compile:
        path, mode, settings = args.compile
        compile_child(path, mode, json.loads(settings))
        return 0

    import typst

    source, settings = document_source()
    print(f"typst {typst.__version__}; peak RSS and CPU time of a fresh process per variant")
    print(f"{'variant':<18} {'pages':>5} {'RSS MB':>7} {'CPU s':>6} {'MB/page':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            transform, mode = VARIANTS[name]
            path = Path(tmp) / f"{name}.typ"
            path.write_text(transform(source), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, __file__, "--compile", str(path), mode, json.dumps(settings)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            pages = result["pages"]
            per_page = f"{result['rss_mb'] / pages:.2f}" if pages and pages > 1 else "–"
            print(
                f"{name:<18} {pages or '–':>5} {result['rss_mb']:>7.0f} "
                f"{result['cpu_s']:>6.2f} {per_page:>7}  ({time.perf_counter() - start:.1f} s wall)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
