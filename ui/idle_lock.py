"""Idle auto-lock: after a quiet period the workstation hides its contents behind a lock screen.

Only the user who locked can unlock (their password, checked in the background, with failures
counted toward the account lockout by the desktop service). Nothing behind the lock screen is
destroyed, so a half-typed form is exactly as it was after unlocking. Another user cannot unlock
into this session; they log the session out instead.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from desktop.security.accounts import AuthenticationError
from ui.error_dialog import expected_message
from ui.roles import role_title

if TYPE_CHECKING:
    from ui.tasks import TaskManager

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """Application-wide event filter that emits ``sig_idle`` after ``interval_ms`` without user input
    (0 turns the automatic lock off).

    The filter only stamps the time of the last input (cheap for every mouse move); the timer, when
    it fires, re-arms itself for the remaining time instead of being restarted on every event.
    """

    sig_idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if interval_ms < 0:
            raise ValueError("idle interval must not be negative")
        self._interval_ms = interval_ms
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._installed = False

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self._interval_ms == 0:
            return
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._last_input = time.monotonic()
        self._timer.start(self._interval_ms)

    def pause(self) -> None:
        self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        quiet_ms = (time.monotonic() - self._last_input) * 1000.0
        remaining = self._interval_ms - quiet_ms
        if remaining > 1.0:
            self._timer.start(int(remaining) + 1)
        else:
            self.sig_idle.emit()


class LockScreen(QWidget):
    """Opaque: no citizen data stays readable on an unattended counter."""

    #: the password typed to unlock
    sig_unlock_requested = Signal(str)
    sig_logout_requested = Signal()

    def __init__(self, display_name: str, role: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        title = QLabel(self.tr("Workstation locked"))
        title.setObjectName("lockTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = who = QLabel(self.tr("Locked by {name} ({role}). Enter the password of this account to continue.")
                     .format(name=display_name, role=role_title(role)))
        who.setObjectName("lockWho")
        who.setWordWrap(True)
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMinimumHeight(40)
        other = QLabel(self.tr("Someone else? Log this session out; unsaved work of this session is discarded."))
        other.setObjectName("lockOther")
        other.setWordWrap(True)
        other.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logout_button = QPushButton(self.tr("Log out"))
        self.logout_button.setObjectName("lockLogoutButton")

        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        card = QFrame()
        card.setObjectName("lockCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 32, 40, 32)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(who)
        inner.addLayout(row)
        inner.addWidget(self.message)
        inner.addSpacing(12)
        inner.addWidget(other)
        inner.addWidget(self.logout_button, 0, Qt.AlignmentFlag.AlignHCenter)
        card.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)

        self.password.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)
        self.logout_button.clicked.connect(self.sig_logout_requested)

    def reset(self) -> None:
        self.password.clear()
        self.set_busy(False)
        self.show_message("")
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.password.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        if not self.password.text():
            self.show_message(self.tr("Please enter your password."))
            return
        self.sig_unlock_requested.emit(self.password.text())


class SessionLock(QObject):
    """Locks and unlocks one main window for one user.

    ``show_lock``/``show_work`` switch what the window displays; they never destroy the work widgets.
    """

    sig_locked = Signal()
    sig_unlocked = Signal()

    def __init__(self, *, user: Any, accounts: Any, tasks: TaskManager, screen: LockScreen,
                 interval_ms: int, show_lock: Any, show_work: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._accounts = accounts
        self._tasks = tasks
        self.screen = screen
        self._show_lock = show_lock
        self._show_work = show_work
        self._locked = False
        self.watcher = IdleWatcher(interval_ms, self)
        self.watcher.sig_idle.connect(self.lock)
        screen.sig_unlock_requested.connect(self._verify)

    @property
    def locked(self) -> bool:
        return self._locked

    def start(self) -> None:
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()

    def lock(self) -> None:
        if self._locked:
            return
        self._locked = True
        self.watcher.pause()
        self._show_lock()
        self.screen.reset()
        self.sig_locked.emit()

    def _verify(self, password: str) -> None:
        self.screen.set_busy(True)
        self.screen.show_message(self.tr("Checking..."))
        (self._tasks.run_in_background(self._accounts.verify_password, self._user, password)
         .on_success(self._verified)
         .on_failure(self._verify_failed))

    def _verified(self, ok: bool) -> None:
        if not self._locked:
            return
        if not ok:
            self.screen.reset()
            self.screen.show_message(self.tr("Wrong password. Repeated failures lock the account."))
            return
        self._locked = False
        self.screen.reset()
        self._show_work()
        self.watcher.start()
        self.sig_unlocked.emit()

    def _verify_failed(self, exc: BaseException) -> None:
        self.screen.reset()
        message = expected_message(exc)
        if message:
            # Locked or disabled meanwhile: this session cannot be resumed, only logged out.
            suffix = self.tr(" Log out to end this session.") if isinstance(exc, AuthenticationError) else ""
            self.screen.show_message(message + suffix)
            return
        self.screen.show_message(self.tr("The password could not be checked."))
        self._tasks.report_exception(exc, task_name="unlock")
