"""Starting the GUI: Qt application, translations, font and style, then login -> main window.

``main.py`` calls ``run_gui(app, argv)``; tests call ``create_main_window(...)`` directly.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from ui.builtin_pages import default_registry
from ui.i18n import install_translators
from ui.login import LoginWindow
from ui.main_window import MainWindow
from ui.pages import PageRegistry
from ui.style import apply_style
from ui.tasks import TaskManager

if TYPE_CHECKING:
    from desktop.bootstrap import App

log = logging.getLogger("onewindow.ui.app")


def create_main_window(app: App, user: Any, registry: PageRegistry | None = None, *,
                       tasks: TaskManager | None = None, idle_ms: int | None = None) -> MainWindow:
    """A main window for ``user`` with its own TaskManager (owned by the window, shut down on close).

    ``idle_ms`` overrides ``settings.idle_lock_minutes`` (tests use milliseconds).
    """
    return MainWindow(app, user, registry if registry is not None else default_registry(app),
                      tasks if tasks is not None else TaskManager(), idle_ms=idle_ms)


class Shell(QObject):
    """Moves between the login window and one main window per session."""

    def __init__(self, app: App, registry: PageRegistry, qapp: QApplication) -> None:
        super().__init__()
        self._app, self._registry, self._qapp = app, registry, qapp
        self.login_tasks = TaskManager(self)
        self.login = LoginWindow(app, self.login_tasks)
        self.login_tasks.reporter.set_parent(self.login)
        self.login.sig_logged_in.connect(self._open_session)
        self.window: MainWindow | None = None
        qapp.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        self.login.show()
        self.login.username.setFocus()

    def _open_session(self, user: Any) -> None:
        log.info("session opened for %s", user.username)
        self.window = create_main_window(self._app, user, self._registry)
        self.window.sig_logged_out.connect(self._session_ended)
        self.window.sig_closed.connect(self._qapp.quit)
        self.window.show()
        self.login.hide()

    def _session_ended(self) -> None:
        self.window = None
        self.login.reset(logged_out=True)
        self.login.show()

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.end_session()
        self.login_tasks.shutdown()


def run_gui(app: App, argv: list[str]) -> int:
    """Run the workstation's GUI until the user quits; returns the process exit code."""
    qapp = QApplication.instance()
    if not isinstance(qapp, QApplication):
        qapp = QApplication(argv)
    qapp.setApplicationName("OneWindow")
    qapp.setApplicationDisplayName("一窗通")
    install_translators(qapp)
    if apply_style(qapp) is None:
        log.warning("Chinese text may not render: no CJK font")
    shell = Shell(app, default_registry(app), qapp)
    shell.start()
    code = qapp.exec()
    shell.shutdown()
    return int(code)
