"""Role navigation, the account menu, and logging out."""

from __future__ import annotations

import pytest

from desktop.security.accounts import Role
from ui.builtin_pages import EVERYONE
from ui.pages import PageRegistry


def admin_pages(gui_app) -> list[str]:
    pages = ["home", "accounts", "audit"]
    if getattr(gui_app, "registry", None) is not None:
        pages.append("adapters")
    return pages


@pytest.mark.parametrize("username", ["clerk01", "super01", "admin01"])
def test_each_role_sees_exactly_its_pages(open_window, gui_app, username) -> None:
    window = open_window(username)
    expected = admin_pages(gui_app) if username == "admin01" else ["home"]
    # pages of later features (intake, cases...) follow the shell's own; never the admin pages
    later = [k for k in window.nav_keys() if k not in ("home", "accounts", "audit", "adapters")]
    assert window.nav_keys() == expected + later
    if username != "admin01":
        assert "intake" in later
    titles = {"home": "首页", "accounts": "账号管理", "audit": "审计日志", "adapters": "适配器管理"}
    assert window.nav_titles()[:len(expected)] == [titles[k] for k in expected]
    assert window.current_key() == "home"
    if username != "admin01":
        with pytest.raises(ValueError):
            window.open_page("accounts")


def test_status_bar_names_user_role_and_counter(open_window) -> None:
    window = open_window("clerk01")
    text = window.status_bar.user_label.text() + window.status_bar.counter_label.text()
    assert "王小明" in text and "窗口人员" in text and "3号窗口" in text
    assert window.menuBar().actions()[0].text() == "账户(&A)"


def test_later_features_can_register_pages_and_status_indicators(open_window, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    registry = PageRegistry()
    registry.register_page("intake", "受理", {Role.CLERK}, lambda ctx: QLabel(f"受理 {ctx.user.username}"))
    registry.register_page("cases", "案件", {Role.SUPERVISOR}, lambda ctx: QLabel("cases"))
    window = open_window("clerk01", registry)
    assert window.nav_keys() == ["intake"]
    assert window.open_page("intake").text() == "受理 clerk01"
    indicator = QLabel("社保：已连接")
    window.status_bar.add_permanent(indicator)
    assert indicator in window.status_bar.indicators and indicator.isVisible()
    with pytest.raises(ValueError):
        registry.register_page("intake", "again", EVERYONE, lambda ctx: QLabel())


def test_a_broken_page_factory_reaches_the_error_dialog_not_a_crash(open_window, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    def broken(ctx):
        raise RuntimeError("factory bug")

    registry = PageRegistry()
    registry.register_page("home", "首页", EVERYONE, lambda ctx: QLabel("ok"))
    registry.register_page("broken", "坏页面", EVERYONE, broken)
    window = open_window("clerk01", registry)
    with qtbot.waitSignal(window.tasks.sig_unhandled_failure, timeout=5000) as blocker:
        widget = window.open_page("broken")
    assert "factory bug" in blocker.args[1]
    assert "无法打开" in widget.text()


def test_change_password_from_the_menu(open_window, gui_app, qtbot) -> None:
    window = open_window("clerk01")
    dialog = window.change_password()
    assert dialog.windowTitle() == "修改密码"
    dialog.old.setText("Clerk2024a")
    dialog.new.setText("Newpass2024")
    dialog.confirm.setText("Different2024")
    dialog.ok_button.click()
    assert "不一致" in dialog.message.text()
    dialog.confirm.setText("Newpass2024")
    with qtbot.waitSignal(dialog.sig_done, timeout=10_000):
        dialog.ok_button.click()
    assert gui_app.accounts.authenticate("clerk01", "Newpass2024").username == "clerk01"


def test_change_password_refusal_is_shown_in_the_dialog(open_window, qtbot) -> None:
    window = open_window("clerk01")
    dialog = window.change_password()
    dialog.old.setText("not-my-password1")
    dialog.new.setText("Newpass2024")
    dialog.confirm.setText("Newpass2024")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "原密码错误" in dialog.message.text(), timeout=10_000)
    assert dialog.isVisible()


def test_logout_ends_the_session_and_is_audited(open_window, gui_app, qtbot) -> None:
    window = open_window("clerk01")
    with qtbot.waitSignal(window.sig_logged_out, timeout=10_000):
        window.logout(confirm=False)
    assert not window.isVisible()
    assert window.tasks.active_threads == 0
    assert [(r.actor, r.action) for r in gui_app.audit.recent(1)] == [("clerk01", "session.logout")]
