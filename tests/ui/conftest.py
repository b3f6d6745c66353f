"""Qt fixtures for the UI tests: the Chinese translations and the style, as the real app has them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from ui.i18n import install_translators
from ui.style import apply_style
from ui.tasks import TaskManager


@pytest.fixture(scope="session", autouse=True)
def chinese_ui(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp)
    apply_style(qapp)
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def tasks(qtbot) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()
    assert manager.active_threads == 0
    manager.deleteLater()


# --- a real workstation core: the shared `app` fixture (SQLite, and PostgreSQL when configured) ----
from dataclasses import replace  # noqa: E402

from desktop.bootstrap import App  # noqa: E402
from desktop.security.accounts import Role, UserInfo  # noqa: E402

PASSWORDS = {"clerk01": "Clerk2024a", "super01": "Super2024a", "admin01": "Admin2024a"}
ACCOUNTS = (
    ("clerk01", "王小明", Role.CLERK, "3号窗口"),
    ("super01", "李值班", Role.SUPERVISOR, ""),
    ("admin01", "赵管理", Role.ADMIN, ""),
)


@pytest.fixture
def gui_app(app: App) -> App:
    """The shared App with a counter and hall set and one user per role."""
    app.settings = replace(app.settings, counter="3号窗口", hall_name="西湖区政务服务中心")
    for username, name, role, counter in ACCOUNTS:
        app.accounts.add_user(None, username, name, role, counter, PASSWORDS[username])
    return app


@pytest.fixture
def users(gui_app: App) -> dict[str, UserInfo]:
    return {s.user.username: s.user for s in gui_app.accounts.list_users(None)}


@pytest.fixture
def open_window(qtbot, gui_app: App, users: dict[str, UserInfo]):
    """Opens a main window for a user name; every window is closed (workers stopped) at the end."""
    from ui.app import create_main_window

    opened = []

    def make(username: str, registry=None, *, idle_ms: int = 0):
        window = create_main_window(gui_app, users[username], registry, idle_ms=idle_ms)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        assert window.tasks.active_threads == 0
