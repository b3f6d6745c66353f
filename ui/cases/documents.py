"""Printing a case's receipt (受理回执) and one-time notice (一次性告知书) from the case detail.

The data comes from the tracking service and the PDF is written by ui/printing, both in the background;
the finished file goes to the system viewer. Printing straight to a printer fetches the data in the
background and then shows the (modal) print dialog on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.documents.notice import notice_document
from desktop.documents.receipt import receipt_document
from desktop.services.tracking import TrackingService
from ui.printing.notice_pdf import render_notice_pdf
from ui.printing.receipt_pdf import render_receipt_pdf

DOCUMENTS_DIR = "documents"
#: kind -> (data method of TrackingService, PDF writer, document builder, file suffix)
KINDS = {
    "receipt": ("receipt_data", render_receipt_pdf, receipt_document, "receipt"),
    "notice": ("notice_data", render_notice_pdf, notice_document, "notice"),
}


def documents_dir(settings: Any) -> Path:
    return Path(settings.data_dir) / DOCUMENTS_DIR


def write_case_pdf(service: TrackingService, user: Any, case_id: int, kind: str, directory: Path) -> Path:
    """Background task: the document's data (validated by the writer) written to ``directory``."""
    method, writer, _builder, suffix = KINDS[kind]
    data = getattr(service, method)(user, case_id)
    directory.mkdir(parents=True, exist_ok=True)
    return writer(data, directory / f"{data.case_no}-{suffix}.pdf")


def document_builder(kind: str) -> Any:
    return KINDS[kind][2]


def document_data(service: TrackingService, user: Any, case_id: int, kind: str) -> Any:
    return getattr(service, KINDS[kind][0])(user, case_id)
