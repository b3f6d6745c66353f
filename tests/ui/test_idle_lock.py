"""Idle auto-lock: locks after the interval, keeps the draft, only the same user's password unlocks."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget, QVBoxLayout

from desktop.security.accounts import Role
from ui.pages import PageRegistry

IDLE_MS = 150


def draft_registry() -> PageRegistry:
    def intake(ctx) -> QWidget:
        page = QWidget()
        page.draft = QLineEdit(page)
        page.draft.setObjectName("draft")
        QVBoxLayout(page).addWidget(page.draft)
        return page

    registry = PageRegistry()
    registry.register_page("intake", "受理", {Role.CLERK}, intake)
    return registry


def unlock_with(qtbot, window, password: str) -> None:
    screen = window.lock_screen
    screen.password.clear()
    qtbot.keyClicks(screen.password, password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.unlock_button.isEnabled(), timeout=10_000)


def failed_attempts(gui_app, username: str) -> int:
    return next(s.failed_attempts for s in gui_app.accounts.list_users(None) if s.user.username == username)


def test_locks_after_idle_and_the_draft_survives_unlock(open_window, gui_app, qtbot) -> None:
    window = open_window("clerk01", draft_registry(), idle_ms=IDLE_MS)
    draft: QLineEdit = window.open_page("intake").draft
    draft.setFocus()
    qtbot.keyClicks(draft, "Zhang San 330106")
    with qtbot.waitSignal(window.session_lock.sig_locked, timeout=5000):
        pass
    assert window.locked
    assert window.root.currentWidget() is window.lock_screen
    assert not window.workspace.isVisible()  # nothing of the citizen stays readable
    assert not window.action_change_password.isEnabled()

    unlock_with(qtbot, window, "wrong-password1")
    assert window.locked
    assert "密码错误" in window.lock_screen.message.text()
    assert failed_attempts(gui_app, "clerk01") == 1  # counts toward the lockout

    with qtbot.waitSignal(window.session_lock.sig_unlocked, timeout=10_000):
        unlock_with(qtbot, window, "Clerk2024a")
    assert not window.locked
    assert window.root.currentWidget() is window.workspace
    assert window.open_page("intake").draft is draft
    assert draft.text() == "Zhang San 330106"
    assert window.focusWidget() is draft  # typing continues where it stopped
    assert window.action_change_password.isEnabled()
    assert failed_attempts(gui_app, "clerk01") == 0


def test_another_users_password_does_not_unlock_and_logout_is_offered(open_window, gui_app, qtbot) -> None:
    window = open_window("clerk01", draft_registry())
    window.lock()
    assert "王小明" in window.lock_screen.who.text()
    unlock_with(qtbot, window, "Admin2024a")  # the administrator's valid password
    assert window.locked
    assert "密码错误" in window.lock_screen.message.text()
    assert window.lock_screen.logout_button.text() == "退出登录"
    with qtbot.waitSignal(window.sig_logged_out, timeout=10_000):
        window.lock_screen.logout_button.click()
    assert not window.isVisible()


def test_a_lockout_reached_on_the_lock_screen_ends_in_logout(open_window, gui_app, qtbot) -> None:
    window = open_window("clerk01")
    window.lock()
    for _ in range(5):
        unlock_with(qtbot, window, "wrong-password1")
    assert window.locked
    message = window.lock_screen.message.text()
    assert "锁定" in message and "退出登录" in message


def test_ctrl_l_locks_and_open_dialogs_are_hidden_until_unlock(open_window, qtbot) -> None:
    window = open_window("clerk01")
    dialog = window.change_password()
    dialog.old.setText("half typed")
    window.activateWindow()
    window.action_lock.trigger()
    assert window.locked and not dialog.isVisible()
    with qtbot.waitSignal(window.session_lock.sig_unlocked, timeout=10_000):
        unlock_with(qtbot, window, "Clerk2024a")
    assert dialog.isVisible() and dialog.old.text() == "half typed"


def test_input_anywhere_postpones_the_lock(open_window, qtbot) -> None:
    window = open_window("clerk01", draft_registry(), idle_ms=60_000)
    watcher = window.session_lock.watcher
    draft = window.open_page("intake").draft
    watcher._last_input = time.monotonic() - 3600  # as if idle for an hour...
    qtbot.keyClick(draft, Qt.Key.Key_A)  # ...until the clerk types
    emitted: list[bool] = []
    watcher.sig_idle.connect(lambda: emitted.append(True))
    watcher._check()
    assert emitted == [] and watcher.running and not window.locked
    watcher._last_input = time.monotonic() - 3600
    watcher._check()
    assert emitted == [True] and window.locked
