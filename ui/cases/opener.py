"""One per main window: the tracking service the case screens share, and opening a case's detail (from a
list row or a scanned case number) without piling up two windows for the same case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.services.tracking import TrackingService

if TYPE_CHECKING:
    from ui.cases.case_detail import CaseDetailDialog
    from ui.pages import PageContext

log = logging.getLogger("onewindow.ui.cases")

_OBJECT_NAME = "caseOpener"


def open_with_system_viewer(path: Path) -> None:
    """The clerk prints from the system PDF viewer (or saves the file for the citizen)."""
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        log.warning("no application to open %s", path)


class CaseOpener(QObject):
    #: a case's detail was opened (or raised); the dialog
    sig_opened = Signal(object)
    #: a case number could not be opened; the Chinese explanation
    sig_not_opened = Signal(str)
    #: any open detail read its case afresh (after an action or a poll); the CaseDetail
    sig_case_loaded = Signal(object)

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName(_OBJECT_NAME)
        self.ctx = ctx
        self.service = TrackingService(ctx.app)
        #: where finished PDFs go; tests replace it so nothing external starts
        self.document_viewer: Callable[[Path], None] = open_with_system_viewer
        #: milliseconds between refreshes of an open detail
        self.poll_ms = 4000
        self._dialogs: dict[int, CaseDetailDialog] = {}

    def open_case(self, case_id: int) -> CaseDetailDialog:
        from ui.cases.case_detail import CaseDetailDialog

        dialog = self._dialogs.get(case_id)
        if dialog is None or not shiboken6.isValid(dialog):
            dialog = CaseDetailDialog(self, case_id, self.ctx.window)
            self._dialogs[case_id] = dialog
            dialog.finished.connect(lambda _r, cid=case_id: self._dialogs.pop(cid, None))
            dialog.sig_loaded.connect(self.sig_case_loaded)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.sig_opened.emit(dialog)
        return dialog

    def open_case_no(self, case_no: str) -> None:
        """Look the number up in the background, then open the case or say why not."""
        (self.ctx.tasks.run_in_background(self.service.find_by_case_no, self.ctx.user, case_no)
         .on_success(lambda summary: self._found(case_no, summary))
         .on_failure(self.ctx.tasks.clerk_errors(self._not_opened)))

    def open_dialogs(self) -> list[CaseDetailDialog]:
        return [d for d in self._dialogs.values() if shiboken6.isValid(d)]

    def close_all(self) -> None:
        for dialog in self.open_dialogs():
            dialog.close()

    def _found(self, case_no: str, summary: object) -> None:
        if summary is None:
            self._not_opened(self.tr("No case with number {case_no} was found.").format(case_no=case_no))
            return
        self.open_case(summary.id)  # type: ignore[attr-defined]

    def _not_opened(self, message: str) -> None:
        self.sig_not_opened.emit(message)
        window = self.ctx.window
        status = getattr(window, "status_bar", None)
        if status is not None:
            status.showMessage(message, 10_000)
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Scan"), message, QMessageBox.StandardButton.Ok,
                          window if isinstance(window, QWidget) else None)
        box.setObjectName("caseNotFoundBox")
        box.button(QMessageBox.StandardButton.Ok).setText(self.tr("OK"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def case_opener(ctx: PageContext) -> CaseOpener:
    """The window's opener, created on first use."""
    found = ctx.window.findChild(CaseOpener, _OBJECT_NAME)
    return found if found is not None else CaseOpener(ctx)
