"""The consolidated status document: model, change marks and renderers.

Public API::

    from reports import build_document, render, deleted_texts
    doc = build_document(session, cycle_id, locale="da")
    data = render(doc, "docx")          # html | docx | pdf | md | pptx (the slides)
    gone = deleted_texts(doc)           # text removed since the previous report
"""

from reports.build import build_document, previous_cycle_id
from reports.model import DeletedText, ReportDocument, deleted_texts
from reports.pdf import PdfError, PdfUnavailable, pdf_available
from reports.render import FORMATS, MEDIA_TYPES, default_filename, render

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "DeletedText",
    "PdfError",
    "PdfUnavailable",
    "ReportDocument",
    "build_document",
    "default_filename",
    "deleted_texts",
    "pdf_available",
    "previous_cycle_id",
    "render",
]
