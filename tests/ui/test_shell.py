"""The whole path a clerk walks: login window -> main window -> log out -> login window again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.app import Shell
from ui.builtin_pages import default_registry


def test_login_opens_the_main_window_and_logout_returns_to_login(qtbot, qapp, gui_app) -> None:
    shell = Shell(gui_app, default_registry(gui_app), qapp)
    qtbot.addWidget(shell.login)
    try:
        shell.start()
        qtbot.keyClicks(shell.login.username, "admin01")
        qtbot.keyClicks(shell.login.password, "Admin2024a")
        qtbot.keyClick(shell.login.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
        window = shell.window
        assert not shell.login.isVisible()
        assert window.user.username == "admin01" and "accounts" in window.nav_keys()

        window.logout(confirm=False)
        qtbot.waitUntil(lambda: shell.login.isVisible(), timeout=10_000)
        assert shell.window is None and not window.isVisible()
        assert shell.login.message.text() == "您已退出登录。"
        assert shell.login.username.text() == "admin01" and shell.login.password.text() == ""
    finally:
        shell.shutdown()
        qapp.aboutToQuit.disconnect(shell.shutdown)
