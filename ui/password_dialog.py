"""Change my password (every role, from the account menu)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from ui.form_dialog import TaskFormDialog, password_field

if TYPE_CHECKING:
    from ui.tasks import TaskManager


class ChangePasswordDialog(TaskFormDialog):
    def __init__(self, accounts: Any, user: Any, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Change password"), self.tr("Change"), parent)
        self._accounts, self._user = accounts, user
        self.setObjectName("changePasswordDialog")
        self.old = password_field("oldPassword")
        self.new = password_field("newPassword")
        self.confirm = password_field("confirmPassword")
        self.form.addRow(self.tr("Current password"), self.old)
        self.form.addRow(self.tr("New password"), self.new)
        self.form.addRow(self.tr("Repeat new password"), self.confirm)

    def problem(self) -> str | None:
        if not self.old.text() or not self.new.text():
            return self.tr("Please fill in every field.")
        if self.new.text() != self.confirm.text():
            return self.tr("The two new passwords differ.")
        return None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._accounts.change_password, (self._user, self.old.text(), self.new.text())
