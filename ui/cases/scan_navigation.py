"""A case number scanned anywhere in the main window opens that case (keyboard-wedge scanner).

Installed on the QApplication for as long as the window's session lasts and removed when it ends, so a
logged-out or closed window never reacts to a scan. A locked window ignores scans: the case would
open behind the lock screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.security.accounts import Role
from ui.cases.opener import case_opener
from ui.pages import PageContext
from ui.scanner import BarcodeScannerFilter

log = logging.getLogger("onewindow.ui.cases")


class CaseScanNavigator(QObject):
    def __init__(self, ctx: PageContext, scanner: BarcodeScannerFilter | None = None) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.scanner = scanner if scanner is not None else BarcodeScannerFilter()
        self.scanner.setParent(self)
        self.scanner.sig_case_scanned.connect(self.case_scanned)
        self._installed = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self.scanner)
            self._installed = True

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self.scanner)
            self._installed = False

    def case_scanned(self, case_no: str) -> None:
        window = self.ctx.window
        if getattr(window, "locked", False):
            log.info("scan of %s ignored: the window is locked", case_no)
            return
        status = getattr(window, "status_bar", None)
        if self.ctx.user.role not in (Role.CLERK, Role.SUPERVISOR):
            if status is not None:
                status.showMessage(self.tr("Scanned case {case_no}: cases are opened by counter staff only.")
                                   .format(case_no=case_no), 10_000)
            return
        if status is not None:
            status.showMessage(self.tr("Scanned case {case_no}, opening...").format(case_no=case_no), 5_000)
        case_opener(self.ctx).open_case_no(case_no)
