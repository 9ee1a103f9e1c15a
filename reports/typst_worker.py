"""Compile one Typst document in a process of its own.

Typst keeps every layout it made in a process-wide cache that nothing evicts:
in a long-running bot each PDF would add hundreds of megabytes for good. A short
child process gives all of it back when it exits.

Protocol: stdin holds one JSON line (font paths, PDF standards, timestamp) and
then the Typst source; stdout gets the PDF; on failure the exit code is 1 and
stderr holds Typst's message. This file imports nothing of the project.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    settings = json.loads(sys.stdin.buffer.readline())
    source = sys.stdin.buffer.read()
    import typst

    try:
        pdf = typst.compile(
            source,
            font_paths=settings["font_paths"],
            ignore_system_fonts=True,
            pdf_standards=settings["pdf_standards"],
            timestamp=settings["timestamp"],
        )
    except typst.TypstError as exc:
        sys.stderr.write(str(exc))
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
