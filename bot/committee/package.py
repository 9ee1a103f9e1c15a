"""The agenda item package: one ZIP that fits any agenda or case system.

``sagsfremstilling.docx`` (the case text), ``bilag/NN-….pdf`` (the approved
report, byte for byte), ``manifest.json`` and the same as ``manifest.csv``, and
``tekster/<section>.txt`` for pasting into a case system's fields.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from bot.committee.docx_writer import render_builtin, render_template
from bot.committee.item import SECTION_KEYS, AgendaItem

CASE_DOCUMENT = "sagsfremstilling.docx"
# A fixed time inside the ZIP: the same item gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def manifest(item: AgendaItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "committee": item.committee,
        "meeting_date": item.meeting_date.isoformat(),
        "case_number": item.case_number,
        "access": item.access,
        "area": item.area,
        "cycle": item.cycle_id,
        "language": item.locale,
        "case_document": CASE_DOCUMENT,
        "sections": {key: item.text(key) for key in SECTION_KEYS},
        "texts": {key: f"tekster/{key}.txt" for key in SECTION_KEYS},
        "bilag": [
            {
                "number": b.number,
                "title": b.title,
                "file": b.file,
                "access": b.access,
                "sha256": b.sha256,
            }
            for b in item.bilag
        ],
    }


def manifest_csv(data: dict[str, Any]) -> bytes:
    """The manifest as ``key,value`` rows (UTF-8 with BOM, so Excel reads æøå):
    the case's fields, ``sections.<key>``, and ``bilag.<n>.<field>``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["key", "value"])
    for key, value in data.items():
        if key == "sections":
            for name, text in value.items():
                writer.writerow([f"sections.{name}", text])
        elif key == "texts":
            for name, path in value.items():
                writer.writerow([f"texts.{name}", path])
        elif key == "bilag":
            for entry in value:
                for field, cell in entry.items():
                    writer.writerow([f"bilag.{entry['number']}.{field}", cell])
        else:
            writer.writerow([key, value])
    return out.getvalue().encode("utf-8-sig")


def build_package(
    item: AgendaItem, *, template: bytes | None = None, template_name: str = "template"
) -> bytes:
    """The ZIP's bytes (nothing is written: the caller writes them whole)."""
    case = (
        render_template(item, template, template_name)
        if template is not None
        else render_builtin(item)
    )
    data = manifest(item)
    files: list[tuple[str, bytes]] = [(CASE_DOCUMENT, case)]
    files += [(b.file, b.content) for b in item.bilag]
    files.append(
        ("manifest.json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
    )
    files.append(("manifest.csv", manifest_csv(data)))
    files += [(f"tekster/{key}.txt", (item.text(key) + "\n").encode()) for key in SECTION_KEYS]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()
