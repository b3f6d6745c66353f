"""The audit log screen: recent entries (masked ids only) and a chain verification in the background."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ui.formatting import mask_id
from ui.pages import PageContext
from ui.widgets import MessageLine, ReadOnlyTable, page_title

RECENT_LIMIT = 200


class AuditPage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.setObjectName("auditPage")
        self._audit = ctx.app.audit
        self._tasks = ctx.tasks
        self.table = ReadOnlyTable([self.tr("No."), self.tr("Time"), self.tr("User"), self.tr("Action"),
                                    self.tr("Subject"), self.tr("ID number (masked)")])
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.verify_button = QPushButton(self.tr("Verify"))
        self.verify_button.setObjectName("auditVerifyButton")
        self.message = MessageLine()
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("auditFindings")
        self.findings.setReadOnly(True)
        self.findings.setVisible(False)
        self.findings.setMaximumHeight(160)
        bar = QHBoxLayout()
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.verify_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(page_title(self.tr("Audit log")))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.findings)
        layout.addWidget(self.table, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        (self._tasks.run_in_background(self._audit.recent, RECENT_LIMIT)
         .on_success(self._show_entries)
         .on_finished(lambda: self.refresh_button.setEnabled(True)))

    def _show_entries(self, records: list[Any]) -> None:
        self.table.set_rows([
            (str(r.seq), r.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), r.actor, r.action, r.subject,
             mask_id(r.citizen_id_masked)) for r in records])

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.findings.setVisible(False)
        self.message.show_info(self.tr("Verifying the audit chain..."))
        (self._tasks.run_in_background(self._audit.verify)
         .on_success(self._show_report)
         .on_failure(self._tasks.clerk_errors(self.message.show_error))
         .on_finished(lambda: self.verify_button.setEnabled(True)))

    def _show_report(self, report: Any) -> None:
        if report.ok:
            self.message.show_info(
                self.tr("The audit chain is intact: {count} entries checked. Head hash: {head}")
                .format(count=report.checked, head=report.head_hash))
            return
        problems = list(report.problems)
        self.message.show_error(
            self.tr("The audit chain is broken: {problems} problem(s) in {count} entries checked.")
            .format(problems=len(problems), count=report.checked))
        self.findings.setPlainText("\n".join(problems))
        self.findings.setVisible(True)
