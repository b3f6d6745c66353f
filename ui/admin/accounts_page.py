"""Account administration: list, add, disable, reset password.

Every call passes the logged-in user as the actor, so the desktop service checks the role itself;
this screen being admin-only is a convenience, not the protection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from desktop.security.accounts import Role
from ui.form_dialog import TaskFormDialog, password_field
from ui.formatting import local_time
from ui.pages import PageContext
from ui.roles import role_title
from ui.widgets import MessageLine, ReadOnlyTable, page_title

if TYPE_CHECKING:
    from ui.tasks import TaskManager

COL_USERNAME = 0


class AddUserDialog(TaskFormDialog):
    def __init__(self, accounts: Any, actor: Any, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Add account"), self.tr("Add"), parent)
        self.setObjectName("addUserDialog")
        self._accounts, self._actor = accounts, actor
        self.username = QLineEdit()
        self.username.setObjectName("newUsername")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("newDisplayName")
        self.role = QComboBox()
        self.role.setObjectName("newRole")
        for role in Role:
            self.role.addItem(role_title(role), role)
        self.counter = QLineEdit()
        self.counter.setObjectName("newCounter")
        self.password = password_field("newUserPassword")
        self.confirm = password_field("newUserConfirm")
        self.form.addRow(self.tr("Username"), self.username)
        self.form.addRow(self.tr("Name"), self.display_name)
        self.form.addRow(self.tr("Role"), self.role)
        self.form.addRow(self.tr("Counter"), self.counter)
        self.form.addRow(self.tr("Initial password"), self.password)
        self.form.addRow(self.tr("Repeat password"), self.confirm)

    def problem(self) -> str | None:
        if not self.username.text().strip() or not self.display_name.text().strip() or not self.password.text():
            return self.tr("Username, name and password are required.")
        if self.password.text() != self.confirm.text():
            return self.tr("The two passwords differ.")
        return None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._accounts.add_user, (
            self._actor, self.username.text().strip(), self.display_name.text().strip(),
            self.role.currentData(), self.counter.text().strip(), self.password.text())


class ResetPasswordDialog(TaskFormDialog):
    def __init__(self, accounts: Any, actor: Any, username: str, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, self.tr("Reset password of {user}").format(user=username), self.tr("Reset"), parent)
        self.setObjectName("resetPasswordDialog")
        self._accounts, self._actor, self._username = accounts, actor, username
        self.password = password_field("resetPassword")
        self.confirm = password_field("resetConfirm")
        self.form.addRow(self.tr("New password"), self.password)
        self.form.addRow(self.tr("Repeat password"), self.confirm)

    def problem(self) -> str | None:
        if not self.password.text():
            return self.tr("Please enter the new password.")
        if self.password.text() != self.confirm.text():
            return self.tr("The two passwords differ.")
        return None

    def work(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self._accounts.reset_password, (self._actor, self._username, self.password.text())


class AccountsPage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.setObjectName("accountsPage")
        self._accounts = ctx.app.accounts
        self._actor = ctx.user
        self._tasks = ctx.tasks
        self.users: list[Any] = []
        self.table = ReadOnlyTable([self.tr("Username"), self.tr("Name"), self.tr("Role"),
                                    self.tr("Counter"), self.tr("Status")])
        self.add_button = QPushButton(self.tr("Add account..."))
        self.add_button.setObjectName("addUserButton")
        self.reset_button = QPushButton(self.tr("Reset password..."))
        self.disable_button = QPushButton(self.tr("Disable account"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.message = MessageLine()
        bar = QHBoxLayout()
        for b in (self.add_button, self.reset_button, self.disable_button, self.refresh_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(page_title(self.tr("Accounts")))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.disable_button.clicked.connect(self.disable_user)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self.refresh()

    def usernames(self) -> list[str]:
        return [u.user.username for u in self.users]

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        (self._tasks.run_in_background(self._accounts.list_users, self._actor)
         .on_success(self._show_users)
         .on_failure(self._tasks.clerk_errors(self.message.show_error))
         .on_finished(lambda: self.refresh_button.setEnabled(True)))

    def _show_users(self, users: list[Any]) -> None:
        self.users = list(users)
        self.table.set_rows([(u.user.username, u.user.display_name, role_title(u.user.role), u.user.counter,
                              self._status(u)) for u in self.users])
        self._update_buttons()

    def _status(self, summary: Any) -> str:
        if summary.disabled:
            return self.tr("Disabled")
        until = summary.locked_until
        if until is not None and until > datetime.now(timezone.utc):
            return self.tr("Locked until {time}").format(time=local_time(until))
        return self.tr("Active")

    def selected_username(self) -> str | None:
        row = self.table.selected_row()
        return self.table.cell_text(row, COL_USERNAME) if row is not None else None

    def select_user(self, username: str) -> None:
        self.table.selectRow(self.usernames().index(username))

    def _update_buttons(self) -> None:
        chosen = self.selected_username() is not None
        self.reset_button.setEnabled(chosen)
        self.disable_button.setEnabled(chosen)

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self._accounts, self._actor, self._tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_done.connect(lambda _r: self._changed(self.tr("Account {user} added.").format(
            user=dialog.username.text().strip())))
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        username = self.selected_username()
        if username is None:
            return None
        dialog = ResetPasswordDialog(self._accounts, self._actor, username, self._tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_done.connect(lambda _r: self._changed(
            self.tr("The password of {user} was reset.").format(user=username)))
        dialog.open()
        return dialog

    def disable_user(self) -> QMessageBox | None:
        username = self.selected_username()
        if username is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Disable account"),
                          self.tr("Disable the account {user}? It can no longer log in.").format(user=username),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Disable"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Cancel"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: self._disable(username) if result == QMessageBox.StandardButton.Yes else None)
        box.open()
        return box

    def _disable(self, username: str) -> None:
        (self._tasks.run_in_background(self._accounts.disable_user, self._actor, username)
         .on_success(lambda _r: self._changed(self.tr("Account {user} disabled.").format(user=username)))
         .on_failure(self._tasks.clerk_errors(self.message.show_error)))

    def _changed(self, text: str) -> None:
        self.message.show_info(text)
        self.refresh()
