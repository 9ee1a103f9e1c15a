"""PDF rendering: the HTML document laid out by WeasyPrint (optional extra)."""

from __future__ import annotations

from pathlib import Path

from reports.html import render_html_text
from reports.model import ReportDocument

# The system packages, kept in one file that the Dockerfile and CI install from.
PACKAGES_FILE = Path(__file__).with_name("pdf_packages.txt")


def system_packages() -> list[str]:
    lines = PACKAGES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


INSTALL_HINT = (
    "PDF output needs WeasyPrint. Install it with: pip install 'statusbot[pdf]'  "
    "and on Debian/Ubuntu the Pango libraries: apt-get install " + " ".join(system_packages())
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the system libraries it loads) is not installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(document: ReportDocument) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfUnavailable(str(exc)) from exc
    return HTML(string=render_html_text(document)).write_pdf()
