"""A `Document` written to an A4 PDF file, all or nothing."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPagedPaintDevice, QPdfWriter

from desktop.documents.layout import Document
from ui.printing.document_painter import paint_document
from ui.printing.fonts import cjk_font_installed

log = logging.getLogger(__name__)

PDF_DPI = 300
PAGE_MARGINS_MM = QMarginsF(18, 15, 18, 15)


class DocumentOutputError(OSError):
    """The document could not be written; `message_zh` is for the clerk."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


def a4_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       PAGE_MARGINS_MM, QPageLayout.Unit.Millimeter)


def paint_on(device: QPagedPaintDevice, document: Document) -> int:
    if not cjk_font_installed():
        log.warning("no CJK font found (install fonts-noto-cjk); Chinese text may print as boxes")
    return paint_document(device, document)


def write_pdf(document: Document, path: Path | str) -> Path:
    """Write `document` to `path` as a PDF; a failure leaves no file (or the previous one) behind."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        pages = _write_pages(document, partial)
        os.replace(partial, target)
    except OSError as error:
        log.error("writing %s PDF to %s failed: %s", document.title, target, error)
        raise DocumentOutputError(
            f"could not write PDF {target}: {error}", f"无法生成“{document.title}”PDF文件，请检查保存位置是否可写。"
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    log.info("wrote %s for case %s: %d page(s) to %s", document.title, document.reference, pages, target)
    return target


def _write_pages(document: Document, path: Path) -> int:
    # The writer lives only in this frame, so the file is closed before it is moved into place.
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(a4_layout())
    writer.setTitle(f"{document.title} {document.reference}")
    writer.setCreator("OneWindow 一窗通")
    return paint_on(writer, document)
