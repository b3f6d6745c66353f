"""Printing a document on a real printer, chosen by the clerk in the system print dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from desktop.documents.layout import Document
from ui.printing.pdf import DocumentOutputError, a4_layout, paint_on

log = logging.getLogger(__name__)
T = TypeVar("T")


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(a4_layout())
    return printer


def print_on(printer: QPrinter, document: Document) -> int:
    """Paint `document` on an already chosen printer (or a QPrinter set to PDF output)."""
    printer.setDocName(f"{document.title} {document.reference}")
    try:
        return paint_on(printer, document)
    except OSError as error:
        log.error("printing %s for case %s failed: %s", document.title, document.reference, error)
        raise DocumentOutputError(f"printing failed: {error}", f"“{document.title}”打印失败，请检查打印机。") from error


def print_document(build_document: Callable[[T], Document], data: T, parent: QWidget | None) -> bool:
    """Ask the clerk for a printer and print; False when the clerk cancelled.

    `build_document` is one of desktop.documents' builders (receipt_document, notice_document,
    consent_document); it validates `data` before anything is sent to the printer. Runs on the
    GUI thread: the dialog is modal, and a few pages paint in well under a second.
    """
    document = build_document(data)
    printer = new_printer()
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"打印{document.title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    pages = print_on(printer, document)
    log.info("printed %s for case %s: %d page(s) on %s", document.title, document.reference, pages,
             printer.printerName() or "(file)")
    return True
