"""The one-time notice (一次性告知书) as a PDF."""

from __future__ import annotations

from pathlib import Path

from desktop.documents.notice import NoticeData, notice_document
from ui.printing.pdf import write_pdf


def render_notice_pdf(data: NoticeData, path: Path | str) -> Path:
    """Validate `data` and write its notice to `path`; raises DocumentDataError or DocumentOutputError."""
    return write_pdf(notice_document(data), path)
