"""What the Word and PowerPoint files have in common: their extended
properties (docProps/app.xml) and the dates of their zip entries."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import escape

# Characters XML 1.0 cannot hold at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str) -> str:
    """``value`` as the text of an XML element: escaped, on one line, with
    what XML cannot hold left out."""
    return escape(_XML_INVALID.sub("", value).replace("\n", " ").replace("\t", " "))


def app_properties(company: str | None) -> bytes:
    """docProps/app.xml naming statusbot and the organisation, nothing of a template's."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties">'
        f"<Application>statusbot</Application><Company>{escape(company or '')}</Company>"
        "</Properties>"
    ).encode()


def zip_date(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """``moment`` as a zip entry's date (zip cannot go before 1980)."""
    return max(moment.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # type: ignore[return-value]


def restamp(package: bytes, moment: datetime) -> bytes:
    """The package with every entry dated ``moment``, so that the same
    document gives the same bytes."""
    stamp = zip_date(moment)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            target.writestr(entry, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
