"""One case: who and what, each department branch's live state (with the department's reason on a
rejection), the materials, the timeline, and what the clerk can do next.

Opening the window reads the case once (an audited view); while it is open it polls the branches every
few seconds through the task helper (refresh reads, not audited again), and stops when it closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog, QFormLayout, QGroupBox, QHeaderView, QHBoxLayout, QLabel, QMenu, QPushButton, QSplitter, QToolButton, QVBoxLayout,
    QWidget,
)

from desktop.services.dto import CaseDetail
from ui.cases.dialogs import CancelDialog, RatingDialog, SupplementDialog
from ui.cases.documents import document_builder, document_data, documents_dir, write_case_pdf
from ui.cases.labels import REJECTED, RESENDABLE
from ui.formatting import local_time
from ui.printing.print_dialog import print_document
from ui.widgets import MessageLine, ReadOnlyTable

if TYPE_CHECKING:
    from pathlib import Path

    from ui.cases.opener import CaseOpener


class CaseDetailDialog(QDialog):
    #: a fresh CaseDetail arrived (opening, poll, or after an action)
    sig_loaded = Signal(object)
    #: a receipt/notice PDF was written; its path
    sig_document_ready = Signal(object)

    def __init__(self, opener: CaseOpener, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseDetailDialog")
        self.opener, self.case_id = opener, case_id
        self.service, self.user, self.tasks = opener.service, opener.ctx.user, opener.ctx.tasks
        self.detail: CaseDetail | None = None
        self._loading = False
        self.setWindowTitle(self.tr("Case"))
        self.resize(1000, 720)

        self.header = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("case_no", self.tr("Case number")), ("citizen", self.tr("Applicant")),
                           ("one_thing", self.tr("One-thing")), ("state", self.tr("State")),
                           ("assignee", self.tr("Clerk")), ("due", self.tr("Due date")),
                           ("visits", self.tr("Visits")), ("delivery", self.tr("Delivery"))):
            value = QLabel()
            value.setObjectName(f"case_{key}")
            value.setWordWrap(True)
            self.fields[key] = value
            self.header.addRow(label, value)
        # The department's reason goes last: it is the long column and takes the spare width, wrapped.
        self.branches = ReadOnlyTable([self.tr("Department"), self.tr("Items"), self.tr("State"),
                                       self.tr("Department reference"), self.tr("Updated"), self.tr("Reason / error")])
        self.branches.setObjectName("caseBranches")
        self.branches.setWordWrap(True)
        self.branches.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.rejections = MessageLine()
        self.materials = ReadOnlyTable([self.tr("Material"), self.tr("Status"), self.tr("Scans")])
        self.materials.setObjectName("caseMaterials")
        self.timeline = ReadOnlyTable([self.tr("Time"), self.tr("By"), self.tr("What happened")])
        self.timeline.setObjectName("caseTimeline")

        self.resend_button = QPushButton(self.tr("Resend"))
        self.resend_button.setObjectName("resendButton")
        self.supplement_button = QPushButton(self.tr("Supplement materials"))
        self.supplement_button.setObjectName("supplementButton")
        self.cancel_button = QPushButton(self.tr("Cancel case"))
        self.cancel_button.setObjectName("cancelCaseButton")
        self.rate_button = QPushButton(self.tr("Satisfaction rating"))
        self.rate_button.setObjectName("rateButton")
        self.pickup_button = QPushButton(self.tr("Record pickup"))
        self.pickup_button.setObjectName("pickupButton")
        self.receipt_button = self._document_button(self.tr("Print receipt"), "receipt")
        self.notice_button = self._document_button(self.tr("One-time notice"), "notice")
        self.close_button = QPushButton(self.tr("Close"))
        self.message = MessageLine()

        bar = QHBoxLayout()
        for widget in (self.resend_button, self.supplement_button, self.cancel_button, self.receipt_button,
                       self.notice_button, self.pickup_button, self.rate_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        top = QHBoxLayout()
        top.addLayout(self.header, 1)
        top.addWidget(self._group(self.tr("Materials"), self.materials), 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        departments = self._group(self.tr("Departments"), self.branches)
        departments.layout().insertWidget(0, self.rejections)
        splitter.addWidget(departments)
        splitter.addWidget(self._group(self.tr("Timeline"), self.timeline))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)

        self.resend_button.clicked.connect(self.resend)
        self.supplement_button.clicked.connect(self.supplement)
        self.cancel_button.clicked.connect(self.cancel_case)
        self.rate_button.clicked.connect(self.rate)
        self.pickup_button.clicked.connect(self.record_pickup)
        self.close_button.clicked.connect(self.close)
        self.branches.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

        self.poll = QTimer(self)
        self.poll.setInterval(opener.poll_ms)
        self.poll.timeout.connect(lambda: self.load(refresh=True))
        self.load(refresh=False)
        self.poll.start()

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    def _document_button(self, text: str, kind: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"{kind}Button")
        button.setText(text)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(button)
        menu.addAction(self.tr("Open as PDF"), lambda: self.make_pdf(kind))
        menu.addAction(self.tr("Print..."), lambda: self.print_directly(kind))
        button.setMenu(menu)
        button.clicked.connect(lambda: self.make_pdf(kind))
        return button

    # -- loading ----------------------------------------------------------------------------------------
    def load(self, *, refresh: bool = True) -> None:
        if self._loading:
            return  # the previous poll is still out (slow shared database): skip this tick
        self._loading = True
        (self.tasks.run_in_background(self.service.case_detail, self.user, self.case_id, refresh=refresh)
         .on_success(self._show)
         .on_failure(self._load_failed)
         .on_finished(self._loaded))

    def _loaded(self) -> None:
        self._loading = False

    def _load_failed(self, exc: BaseException) -> None:
        self.poll.stop()  # a case that cannot be read (permission, deleted) will not be readable in 4 s either
        self.tasks.clerk_errors(self.message.show_error)(exc)

    def _show(self, detail: CaseDetail) -> None:
        self.detail = detail
        s = detail.summary
        self.setWindowTitle(self.tr("Case {case_no}").format(case_no=s.case_no))
        self.fields["case_no"].setText(s.case_no)
        self.fields["citizen"].setText(f"{s.citizen_name}（{s.citizen_id_masked}）")
        self.fields["one_thing"].setText(s.one_thing_name)
        state = s.state_zh + (f"：{detail.cancel_reason}" if detail.cancel_reason else "")
        if detail.rating is not None:
            state += self.tr(" (rated {score})").format(score=detail.rating[0])
        self.fields["state"].setText(state)
        self.fields["assignee"].setText(f"{s.assignee}（{s.counter}）" if s.counter else s.assignee)
        self.fields["due"].setText(s.due_date.isoformat() if s.due_date else "")
        self.fields["visits"].setText(str(s.visits))
        self.fields["delivery"].setText(self.tr("Courier to {address}").format(address=detail.delivery_address)
                                        if detail.delivery_method == "courier" else self.tr("Pickup at the hall"))
        selected = self.selected_branch()
        self.branches.set_rows([
            (b.department_name, "、".join(b.item_codes), b.state_zh, b.department_ref or "",
             local_time(b.updated_at), b.reason or b.last_error) for b in detail.branches])
        self.branches.resizeRowsToContents()
        rejected = [f"{b.department_name}：{b.reason or self.tr('no reason given')}"
                    for b in detail.branches if b.state == REJECTED]
        if rejected:
            self.rejections.show_error(self.tr("Rejected by the department: {reasons}").format(
                reasons="；".join(rejected)))
        self.rejections.setVisible(bool(rejected))
        if selected is not None:
            ids = [b.id for b in detail.branches]
            if selected.id in ids:
                self.branches.selectRow(ids.index(selected.id))
        self.materials.set_rows([(m.name, m.status_zh, "、".join(f for f, _ in m.files)) for m in detail.materials])
        self.timeline.set_rows([(local_time(e.at), e.actor, e.text) for e in reversed(detail.timeline)])
        self._update_buttons()
        self.sig_loaded.emit(detail)

    # -- what can be done ---------------------------------------------------------------------------------
    def selected_branch(self) -> Any:
        row = self.branches.selected_row()
        if self.detail is None or row is None or row >= len(self.detail.branches):
            return None
        return self.detail.branches[row]

    def _update_buttons(self) -> None:
        d = self.detail
        state = d.summary.state if d else ""
        branch = self.selected_branch()
        self.resend_button.setEnabled(branch is not None and branch.state in RESENDABLE and state != "cancelled")
        self.supplement_button.setEnabled(d is not None and state not in ("cancelled", "completed")
                                          and any(b.state == REJECTED for b in d.branches))
        self.cancel_button.setEnabled(d is not None and state not in ("completed", "cancelled"))
        self.rate_button.setEnabled(d is not None and state == "completed" and d.rating is None)
        self.pickup_button.setEnabled(d is not None and state == "completed" and d.delivery_method == "pickup")
        submitted = d is not None and state != "draft"
        self.receipt_button.setEnabled(submitted)
        self.notice_button.setEnabled(submitted and any(m.status == "tolerated" for m in d.materials))  # type: ignore[union-attr]

    def _after_action(self, text: str) -> None:
        self.message.show_info(text)
        self.load(refresh=True)

    def resend(self) -> None:
        branch = self.selected_branch()
        if branch is None:
            return
        self.resend_button.setEnabled(False)
        (self.tasks.run_in_background(self.service.resend_branch, self.user, branch.id)
         .on_success(lambda view: self._after_action(
             self.tr("{department}: queued to be sent again.").format(department=view.department_name)))
         .on_failure(self.tasks.clerk_errors(self.message.show_error)))

    def supplement(self) -> SupplementDialog | None:
        if self.detail is None:
            return None
        dialog = SupplementDialog(self.service, self.user, self.detail.summary, self.detail.materials, self.tasks,
                                  self)
        dialog.sig_done.connect(lambda outcome: self._after_action(
            self.tr("Materials supplemented; resubmitted to: {departments}.").format(
                departments="、".join(b.department_name for b in outcome.requeued))))
        dialog.open()
        return dialog

    def cancel_case(self) -> CancelDialog | None:
        if self.detail is None:
            return None
        dialog = CancelDialog(self.service, self.user, self.detail.summary, self.tasks, self)
        dialog.sig_done.connect(self._cancelled)
        dialog.open()
        return dialog

    def _cancelled(self, outcome: Any) -> None:
        text = self.tr("The case is cancelled.")
        if outcome.already_sent:
            text += self.tr(" Already with the departments (they keep it): {departments}.").format(
                departments="、".join(f"{b.department_name}（{b.state_zh}）" for b in outcome.already_sent))
        self._after_action(text)

    def rate(self) -> RatingDialog | None:
        if self.detail is None:
            return None
        dialog = RatingDialog(self.service, self.user, self.detail.summary, self.tasks, self)
        dialog.sig_done.connect(lambda _s: self._after_action(self.tr("Rating recorded.")))
        dialog.open()
        return dialog

    def record_pickup(self) -> None:
        (self.tasks.run_in_background(self.service.record_visit, self.user, self.case_id, "pickup")
         .on_success(lambda _s: self._after_action(self.tr("Pickup visit recorded.")))
         .on_failure(self.tasks.clerk_errors(self.message.show_error)))

    # -- documents ------------------------------------------------------------------------------------------
    def make_pdf(self, kind: str) -> None:
        self.message.show_info(self.tr("Preparing the document..."))
        directory = documents_dir(self.opener.ctx.app.settings)
        (self.tasks.run_in_background(write_case_pdf, self.service, self.user, self.case_id, kind, directory)
         .on_success(self._pdf_ready)
         .on_failure(self.tasks.clerk_errors(self.message.show_error)))

    def _pdf_ready(self, path: Path) -> None:
        self.message.show_info(self.tr("Saved as {path}").format(path=str(path)))
        self.sig_document_ready.emit(path)
        self.opener.document_viewer(path)

    def print_directly(self, kind: str) -> None:
        (self.tasks.run_in_background(document_data, self.service, self.user, self.case_id, kind)
         .on_success(lambda data: self._print(kind, data))
         .on_failure(self.tasks.clerk_errors(self.message.show_error)))

    def _print(self, kind: str, data: Any) -> None:
        try:
            print_document(document_builder(kind), data, self)
        except Exception as exc:  # noqa: BLE001 - an unfit document or a printer error, explained in place
            self.tasks.clerk_errors(self.message.show_error)(exc)

    # -- closing --------------------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt override: every way of closing ends here
        self.poll.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.poll.stop()
        super().closeEvent(event)
