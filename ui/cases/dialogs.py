"""The small forms of the case detail and the supervisor's list: rating, cancel, supplement, reassign.
Each OK runs one TrackingService call in the background (ui/form_dialog.TaskFormDialog)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit,
    QPushButton, QRadioButton, QWidget,
)

from desktop.security.accounts import Role
from ui.form_dialog import TaskFormDialog

if TYPE_CHECKING:
    from desktop.services.dto import CaseSummary, MaterialView
    from desktop.services.tracking import TrackingService
    from ui.tasks import TaskManager

_CODE_ROLE = Qt.ItemDataRole.UserRole


class RatingDialog(TaskFormDialog):
    """好差评: 1 (very dissatisfied) to 5 (very satisfied), with an optional comment."""

    def __init__(self, service: TrackingService, user: Any, case: CaseSummary, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Satisfaction rating"), self.tr("Record rating"), parent)
        self.setObjectName("ratingDialog")
        self._service, self._user, self._case = service, user, case
        names = (self.tr("1 Very dissatisfied"), self.tr("2 Dissatisfied"), self.tr("3 Fair"),
                 self.tr("4 Satisfied"), self.tr("5 Very satisfied"))
        self.scores = QButtonGroup(self)
        row = QHBoxLayout()
        for score, name in enumerate(names, start=1):
            button = QRadioButton(name)
            button.setObjectName(f"ratingScore{score}")
            self.scores.addButton(button, score)
            row.addWidget(button)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("ratingComment")
        self.comment.setPlaceholderText(self.tr("Optional: what the citizen said"))
        self.comment.setMaximumHeight(90)
        self.form.addRow(QLabel(self.tr("Case {case_no}").format(case_no=case.case_no)))
        self.form.addRow(self.tr("Score"), row)
        self.form.addRow(self.tr("Comment"), self.comment)

    def problem(self) -> str | None:
        return self.tr("Choose a score from 1 to 5.") if self.scores.checkedId() < 1 else None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._service.rate, (self._user, self._case.id, self.scores.checkedId(),
                                    self.comment.toPlainText())


class CancelDialog(TaskFormDialog):
    def __init__(self, service: TrackingService, user: Any, case: CaseSummary, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Cancel case"), self.tr("Cancel the case"), parent)
        self.setObjectName("cancelDialog")
        self._service, self._user, self._case = service, user, case
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setMaximumHeight(90)
        note = QLabel(self.tr("Branches not yet sent are withdrawn. Departments that already received the "
                              "application keep it; they are listed afterwards."))
        note.setWordWrap(True)
        self.form.addRow(QLabel(self.tr("Case {case_no}").format(case_no=case.case_no)))
        self.form.addRow(self.tr("Reason"), self.reason)
        self.form.addRow(note)

    def problem(self) -> str | None:
        return self.tr("Enter the reason for cancelling.") if not self.reason.toPlainText().strip() else None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._service.cancel, (self._user, self._case.id, self.reason.toPlainText())


class SupplementDialog(TaskFormDialog):
    """The materials the citizen brings after a rejection, each with optional scans."""

    def __init__(self, service: TrackingService, user: Any, case: CaseSummary,
                 materials: Sequence[MaterialView], tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Supplement materials"), self.tr("Supplement and resubmit"), parent)
        self.setObjectName("supplementDialog")
        self._service, self._user, self._case = service, user, case
        self.files: dict[str, list[Path]] = {}
        self.materials = QListWidget()
        self.materials.setObjectName("supplementMaterials")
        for material in materials:
            if material.status == "produced":
                continue
            item = QListWidgetItem(f"{material.name}（{material.status_zh}）")
            item.setData(_CODE_ROLE, material.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if material.status == "tolerated" else Qt.CheckState.Unchecked)
            self.materials.addItem(item)
        self.attach_button = QPushButton(self.tr("Attach scan to the selected material..."))
        self.attach_button.clicked.connect(self._choose_files)
        self.attached = QLabel()
        self.attached.setWordWrap(True)
        note = QLabel(self.tr("This counts as another visit of the citizen. The departments that rejected the "
                              "case receive the corrected application as a new submission."))
        note.setWordWrap(True)
        self.form.addRow(QLabel(self.tr("Case {case_no}").format(case_no=case.case_no)))
        self.form.addRow(self.tr("Materials"), self.materials)
        self.form.addRow(self.attach_button)
        self.form.addRow(self.attached)
        self.form.addRow(note)

    def checked_codes(self) -> list[str]:
        return [self.materials.item(i).data(_CODE_ROLE) for i in range(self.materials.count())
                if self.materials.item(i).checkState() == Qt.CheckState.Checked]

    def check(self, code: str, on: bool = True) -> None:
        for i in range(self.materials.count()):
            if self.materials.item(i).data(_CODE_ROLE) == code:
                self.materials.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def attach(self, code: str, paths: Sequence[Path]) -> None:
        self.files.setdefault(code, []).extend(Path(p) for p in paths)
        self.check(code)
        self.attached.setText("；".join(f"{c}: {', '.join(p.name for p in ps)}" for c, ps in self.files.items()))

    def _choose_files(self) -> None:
        item = self.materials.currentItem()
        if item is None:
            self.message.setText(self.tr("Select the material the scan belongs to first."))
            return
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Choose scans"), "",
                                                self.tr("Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.bmp)"))
        if paths:
            self.attach(item.data(_CODE_ROLE), [Path(p) for p in paths])

    def problem(self) -> str | None:
        return self.tr("Tick the materials the citizen brought.") if not self.checked_codes() else None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        codes = self.checked_codes()
        return self._service.supplement, (self._user, self._case.id, codes,
                                          {c: p for c, p in self.files.items() if c in codes})


class ReassignDialog(TaskFormDialog):
    """A supervisor hands a case to another clerk; the version the list showed goes with it."""

    def __init__(self, service: TrackingService, accounts: Any, user: Any, case: CaseSummary, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Reassign case"), self.tr("Reassign"), parent)
        self.setObjectName("reassignDialog")
        self._service, self._user, self._case = service, user, case
        self.target = QComboBox()
        self.target.setObjectName("reassignTarget")
        self.form.addRow(QLabel(self.tr("Case {case_no}, now with {assignee}")
                                .format(case_no=case.case_no, assignee=case.assignee)))
        self.form.addRow(self.tr("Hand to"), self.target)
        self.ok_button.setEnabled(False)
        (tasks.run_in_background(accounts.list_users, user)
         .on_success(self._fill)
         .on_failure(tasks.clerk_errors(self.message.setText)))

    def _fill(self, users: Sequence[Any]) -> None:
        for s in users:
            if not s.disabled and s.user.role in (Role.CLERK, Role.SUPERVISOR) and s.user.display_name != \
                    self._case.assignee:
                label = f"{s.user.display_name}（{s.user.username}{'，' + s.user.counter if s.user.counter else ''}）"
                self.target.addItem(label, s.user.username)
        self.ok_button.setEnabled(self.target.count() > 0)

    def choose(self, username: str) -> None:
        self.target.setCurrentIndex(self.target.findData(username))

    def problem(self) -> str | None:
        return self.tr("Choose who takes the case.") if not self.target.currentData() else None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._service.reassign, (self._user, self._case.id, self.target.currentData(), self._case.version)
