"""The acceptance receipt (受理回执) as a PDF."""

from __future__ import annotations

from pathlib import Path

from desktop.documents.receipt import ReceiptData, receipt_document
from ui.printing.pdf import write_pdf


def render_receipt_pdf(data: ReceiptData, path: Path | str) -> Path:
    """Validate `data` and write its receipt to `path`; raises DocumentDataError or DocumentOutputError."""
    return write_pdf(receipt_document(data), path)
