"""The main window: navigation built from the page registry for the logged-in user's role, the
account menu (change password, lock, log out), the status bar, and the idle lock.

Pages are built on first visit and never destroyed while the session lasts, so switching pages or
locking the screen keeps every half-finished form as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox,
    QStackedWidget, QWidget,
)

from ui.idle_lock import LockScreen, SessionLock
from ui.pages import Page, PageContext, PageRegistry
from ui.password_dialog import ChangePasswordDialog
from ui.roles import role_title
from ui.status_bar import ShellStatusBar

if TYPE_CHECKING:
    from desktop.bootstrap import App

    from ui.tasks import TaskManager

log = logging.getLogger("onewindow.ui.main_window")

_KEY_ROLE = Qt.ItemDataRole.UserRole


def idle_interval_ms(settings: Any) -> int:
    """Milliseconds of inactivity before the lock; 0 turns the automatic lock off (Ctrl+L still works)."""
    minutes = float(getattr(settings, "idle_lock_minutes", 5) or 0)
    return int(minutes * 60_000)


class MainWindow(QMainWindow):
    #: the user logged out; the shell shows the login window again
    sig_logged_out = Signal()
    #: the window was closed (the application should quit)
    sig_closed = Signal()

    def __init__(self, app: App, user: Any, registry: PageRegistry, tasks: TaskManager, *,
                 idle_ms: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.user, self.tasks = app, user, tasks
        if tasks.parent() is None:
            tasks.setParent(self)
        tasks.reporter.set_parent(self)
        self._registry = registry
        self._pages: list[Page] = registry.pages_for(user.role)
        self._widgets: dict[str, QWidget] = {}
        self._hidden_dialogs: list[QDialog] = []
        self._focus_before_lock: QWidget | None = None
        self._ending = False
        self.setObjectName("mainWindow")
        hall = str(getattr(app.settings, "hall_name", "") or "")
        self.setWindowTitle(" - ".join(p for p in (self.tr("OneWindow"), hall, user.display_name) if p))
        self.resize(1200, 760)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(210)
        self.page_stack = QStackedWidget()
        self.page_stack.setObjectName("pageStack")
        for page in self._pages:
            item = QListWidgetItem(page.title_zh)
            item.setData(_KEY_ROLE, page.key)
            self.navigation.addItem(item)
            holder = QWidget()  # replaced by the real page on first visit
            holder.setObjectName(f"pending_{page.key}")
            self.page_stack.addWidget(holder)
        self.workspace = QWidget()
        self.workspace.setObjectName("workspace")
        row = QHBoxLayout(self.workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.page_stack, 1)

        self.lock_screen = LockScreen(user.display_name, user.role)
        self.root = QStackedWidget()
        self.root.addWidget(self.workspace)
        self.root.addWidget(self.lock_screen)
        self.setCentralWidget(self.root)

        self.status_bar = ShellStatusBar()
        self.setStatusBar(self.status_bar)
        counter = str(getattr(app.settings, "counter", "") or getattr(user, "counter", "") or "")
        self.status_bar.set_identity(user.display_name, role_title(user.role), counter, hall)
        self.status_bar.set_demo(bool(getattr(app.settings, "demo", False)))

        self._build_menu()
        self._session_cleanups = self._run_session_hooks(registry)
        interval = idle_interval_ms(app.settings) if idle_ms is None else idle_ms
        self.session_lock = SessionLock(
            user=user, accounts=app.accounts, tasks=tasks, screen=self.lock_screen,
            interval_ms=interval, show_lock=self._show_lock, show_work=self._show_work, parent=self)
        # Unlocking is audited by AccountService.verify_password; locking happens only here.
        self.session_lock.sig_locked.connect(lambda: self._audit("session.lock"))
        self.lock_screen.sig_logout_requested.connect(lambda: self.logout(confirm=False))
        self.session_lock.start()

        self.navigation.currentRowChanged.connect(self._on_nav)
        if self._pages:
            self.navigation.setCurrentRow(0)

    # -- navigation ------------------------------------------------------------------------------
    def nav_keys(self) -> list[str]:
        return [p.key for p in self._pages]

    def nav_titles(self) -> list[str]:
        return [self.navigation.item(i).text() for i in range(self.navigation.count())]

    def current_key(self) -> str | None:
        row = self.navigation.currentRow()
        return self._pages[row].key if 0 <= row < len(self._pages) else None

    def open_page(self, key: str) -> QWidget:
        row = self.nav_keys().index(key)
        self.navigation.setCurrentRow(row)
        return self._ensure(row)

    def page_widget(self, key: str) -> QWidget | None:
        return self._widgets.get(key)

    def _on_nav(self, row: int) -> None:
        if 0 <= row < len(self._pages):
            self.page_stack.setCurrentWidget(self._ensure(row))

    def _ensure(self, row: int) -> QWidget:
        page = self._pages[row]
        widget = self._widgets.get(page.key)
        if widget is None:
            ctx = PageContext(app=self.app, user=self.user, tasks=self.tasks, window=self)
            try:
                widget = page.factory(ctx)
            except Exception as exc:  # noqa: BLE001 - one broken page must not take the window down
                self.tasks.report_exception(exc, task_name=f"page {page.key}")
                widget = QLabel(self.tr("This page could not be opened. See the error details."))
                widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setObjectName(widget.objectName() or f"page_{page.key}")
            placeholder = self.page_stack.widget(row)
            self.page_stack.insertWidget(row, widget)
            self.page_stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._widgets[page.key] = widget
        return widget

    # -- menu ------------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Account"))
        self.action_change_password = QAction(self.tr("Change password..."), self)
        self.action_change_password.triggered.connect(self.change_password)
        self.action_lock = QAction(self.tr("Lock"), self)
        self.action_lock.setShortcut(QKeySequence("Ctrl+L"))
        self.action_lock.triggered.connect(self.lock)
        self.action_logout = QAction(self.tr("Log out"), self)
        self.action_logout.triggered.connect(lambda: self.logout(confirm=True))
        menu.addAction(self.action_change_password)
        menu.addAction(self.action_lock)
        menu.addSeparator()
        menu.addAction(self.action_logout)
        self._session_actions = [self.action_change_password, self.action_lock, self.action_logout]

    def change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.app.accounts, self.user, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_done.connect(
            lambda _r: self.status_bar.showMessage(self.tr("Password changed."), 8000))
        dialog.open()
        return dialog

    # -- lock ------------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.session_lock.locked

    def lock(self) -> None:
        self.session_lock.lock()

    def _show_lock(self) -> None:
        focus = QApplication.focusWidget()
        self._focus_before_lock = focus if focus is not None and focus.window() is self else None
        # Open dialogs may show citizen data: hide them (not close) and bring them back on unlock.
        self._hidden_dialogs = [d for d in self.findChildren(QDialog) if d.isVisible()]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        for action in self._session_actions:
            action.setEnabled(False)
        self.action_logout.setEnabled(True)
        self.root.setCurrentWidget(self.lock_screen)

    def _show_work(self) -> None:
        self.root.setCurrentWidget(self.workspace)
        for action in self._session_actions:
            action.setEnabled(True)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None and shiboken6.isValid(focus):  # it may have been deleted meanwhile
            focus.setFocus()

    # -- ending the session ------------------------------------------------------------------------
    def logout(self, *, confirm: bool = True) -> None:
        if self._ending:
            return
        if confirm:
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Log out"),
                              self.tr("Log out now? Unsaved work in this window is discarded."),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
            box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Log out"))
            box.button(QMessageBox.StandardButton.No).setText(self.tr("Cancel"))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(
                lambda result: self.logout(confirm=False) if result == QMessageBox.StandardButton.Yes else None)
            box.open()
            return
        self._ending = True
        self.session_lock.stop()
        self.setEnabled(False)
        (self.tasks.run_in_background(self.app.audit.append, self.user.username, "session.logout")
         .on_failure(lambda exc: log.error("could not audit logout of %s: %s", self.user.username, exc))
         .on_finished(self._finish_logout))

    def _finish_logout(self) -> None:
        self.end_session()
        self.sig_logged_out.emit()
        self.close()

    def _run_session_hooks(self, registry: PageRegistry) -> list[Callable[[], None]]:
        cleanups: list[Callable[[], None]] = []
        ctx = PageContext(app=self.app, user=self.user, tasks=self.tasks, window=self)
        for hook in registry.session_hooks_for(self.user.role):
            try:
                cleanup = hook(ctx)
            except Exception as exc:  # noqa: BLE001 - a broken feature must not stop the login
                self.tasks.report_exception(exc, task_name="session hook")
                continue
            if cleanup is not None:
                cleanups.append(cleanup)
        return cleanups

    def end_session(self) -> None:
        """Stop the idle watcher and every worker of this window (idempotent)."""
        cleanups, self._session_cleanups = self._session_cleanups, []
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - the other parts must still stop
                log.exception("ending part of the session failed")
        self.session_lock.stop()
        self.tasks.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.end_session()
        if not self._ending:
            self.sig_closed.emit()
        super().closeEvent(event)

    def _audit(self, action: str) -> None:
        if not self._ending:
            self.tasks.run_in_background(self.app.audit.append, self.user.username, action)
