"""The login window. Authentication (argon2, deliberately slow) runs in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from desktop.security.accounts import AuthenticationError

if TYPE_CHECKING:
    from desktop.bootstrap import App

    from ui.tasks import TaskManager


class LoginWindow(QWidget):
    #: the UserInfo of the clerk who just logged in
    sig_logged_in = Signal(object)

    def __init__(self, app: App, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._tasks = tasks
        self.setObjectName("loginWindow")
        self.setWindowTitle(self.tr("OneWindow - Log in"))

        title = QLabel(self.tr("OneWindow"))
        title.setObjectName("loginTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel(self.tr("Comprehensive service window workstation"))
        subtitle.setObjectName("loginSubtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hall = str(getattr(app.settings, "hall_name", "") or "")
        hall_label = QLabel(hall)
        hall_label.setObjectName("loginHall")
        hall_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hall_label.setVisible(bool(hall))

        self.username = QLineEdit()
        self.username.setObjectName("loginUsername")
        self.username.setPlaceholderText(self.tr("Username"))
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.login_button = QPushButton(self.tr("Log in"))
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMinimumHeight(48)
        demo_hint = QLabel(self.tr("Demo mode: the demo accounts and passwords are printed in the terminal."))
        demo_hint.setObjectName("loginDemoHint")
        demo_hint.setWordWrap(True)
        demo_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        demo_hint.setVisible(bool(getattr(app.settings, "demo", False)))

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Password"), self.password)

        card = QFrame()
        card.setObjectName("loginCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 32, 40, 32)
        inner.setSpacing(14)
        for w in (title, subtitle, hall_label):
            inner.addWidget(w)
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addWidget(self.login_button)
        inner.addWidget(self.message)
        inner.addWidget(demo_hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        card.setMinimumWidth(460)
        self.resize(720, 560)

        self.username.returnPressed.connect(self._enter_from_username)
        self.password.returnPressed.connect(self.submit)
        self.login_button.clicked.connect(self.submit)

    @property
    def busy(self) -> bool:
        return not self.login_button.isEnabled()

    def reset(self, *, logged_out: bool = False) -> None:
        """Back to a fresh form (after logout); the username stays for the next shift's convenience."""
        self.password.clear()
        self._set_busy(False)
        self._show_message(self.tr("You have logged out.") if logged_out else "", error=False)
        (self.password if self.username.text() else self.username).setFocus()

    def _enter_from_username(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self._show_message(self.tr("Please enter your username and password."), error=True)
            (self.username if not username else self.password).setFocus()
            return
        self._set_busy(True)
        self._show_message(self.tr("Checking..."), error=False)
        (self._tasks.run_in_background(self._app.accounts.authenticate, username, password)
         .on_success(self._succeeded)
         .on_failure(self._failed))

    def _succeeded(self, user: Any) -> None:
        self.password.clear()
        self._set_busy(False)
        self._show_message("", error=False)
        self.sig_logged_in.emit(user)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, AuthenticationError):
            # Wrong password (with the tries left), locked (with the unlock time) or disabled:
            # the service words each case for the clerk.
            self._show_message(exc.message_zh, error=True)
        else:
            self._show_message(self.tr("Login failed because of an unexpected error."), error=True)
            self._tasks.report_exception(exc, task_name="login")

    def _set_busy(self, busy: bool) -> None:
        for w in (self.username, self.password, self.login_button):
            w.setEnabled(not busy)

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        # Re-polish so the style sheet's [error="true"] rule applies to the new state.
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

