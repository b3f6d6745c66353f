"""The login window: success, wrong password with tries left, lockout with its time, disabled."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from ui.login import LoginWindow

PASSWORDS = {"clerk01": "Clerk2024a", "super01": "Super2024a"}  # as seeded by gui_app


def make_login(qtbot, gui_app, tasks) -> LoginWindow:
    window = LoginWindow(gui_app, tasks)
    qtbot.addWidget(window)
    window.show()
    return window


def type_and_enter(qtbot, window: LoginWindow, username: str, password: str) -> None:
    window.username.clear()
    qtbot.keyClicks(window.username, username)
    window.password.clear()
    qtbot.keyClicks(window.password, password)
    qtbot.keyClick(window.password, Qt.Key.Key_Return)


def wait_idle(qtbot, window: LoginWindow) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def test_chinese_form_and_successful_login_with_enter(qtbot, gui_app, tasks) -> None:
    window = make_login(qtbot, gui_app, tasks)
    assert window.login_button.text() == "登录"
    with qtbot.waitSignal(window.sig_logged_in, timeout=10_000) as blocker:
        type_and_enter(qtbot, window, "clerk01", PASSWORDS["clerk01"])
    user = blocker.args[0]
    assert user.username == "clerk01" and user.display_name == "王小明"
    assert window.password.text() == ""  # the password does not linger in the widget


def test_wrong_password_says_how_many_tries_are_left(qtbot, gui_app, tasks) -> None:
    window = make_login(qtbot, gui_app, tasks)
    logged_in: list[object] = []
    window.sig_logged_in.connect(logged_in.append)
    type_and_enter(qtbot, window, "clerk01", "wrong-password1")
    wait_idle(qtbot, window)
    assert "密码错误" in window.message.text() and "4" in window.message.text()
    assert logged_in == []
    assert window.password.hasFocus() or window.password.text() == ""


def test_five_failures_lock_the_account_and_show_the_unlock_time(qtbot, gui_app, tasks) -> None:
    window = make_login(qtbot, gui_app, tasks)
    for _ in range(5):
        type_and_enter(qtbot, window, "clerk01", "wrong-password1")
        wait_idle(qtbot, window)
    assert "锁定" in window.message.text()
    assert re.search(r"\d{2}:\d{2}", window.message.text())
    # Even the right password is refused now, still naming the time.
    type_and_enter(qtbot, window, "clerk01", PASSWORDS["clerk01"])
    wait_idle(qtbot, window)
    assert "锁定" in window.message.text() and re.search(r"\d{2}:\d{2}", window.message.text())


def test_disabled_account_is_refused_with_its_reason(qtbot, gui_app, tasks) -> None:
    gui_app.accounts.disable_user(None, "super01")
    window = make_login(qtbot, gui_app, tasks)
    type_and_enter(qtbot, window, "super01", PASSWORDS["super01"])
    wait_idle(qtbot, window)
    assert "停用" in window.message.text()


def test_empty_fields_are_caught_before_any_check(qtbot, gui_app, tasks) -> None:
    window = make_login(qtbot, gui_app, tasks)
    window.login_button.click()
    assert not window.busy
    assert "用户名" in window.message.text()
    assert tasks.pending_count == 0
