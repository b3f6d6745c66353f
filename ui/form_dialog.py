"""A form dialog whose OK runs one service call in the background (change password, add user, ...).

Subclasses add rows, say what is wrong with the input (``problem``) and which call to make
(``work``). Expected refusals (``message_zh``) show inside the dialog; bugs go to the error dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.tasks import TaskManager


def password_field(object_name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(object_name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class TaskFormDialog(QDialog):
    #: the call's result, after it succeeded (the dialog then closes)
    sig_done = Signal(object)

    def __init__(self, tasks: TaskManager, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def problem(self) -> str | None:
        """What is wrong with the input, in Chinese; None when it can be sent."""
        return None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        raise NotImplementedError

    def submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        fn, args = self.work()
        self.setEnabled(False)
        self.message.setText(self.tr("Saving..."))
        (self._tasks.run_in_background(fn, *args)
         .on_success(self._succeeded)
         .on_failure(self._tasks.clerk_errors(self.message.setText))
         .on_finished(lambda: self.setEnabled(True)))

    def _succeeded(self, result: object) -> None:
        self.message.clear()
        self.sig_done.emit(result)
        self.accept()
