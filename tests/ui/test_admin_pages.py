"""The administrator's screens against the real services: accounts (real AccountService on SQLite),
audit log (masked ids, verification), and adapter plugins (a real plugin distribution on sys.path)."""

from __future__ import annotations

import textwrap

import pytest
from PySide6.QtWidgets import QApplication

from adapters.registry import AdapterRegistry
from desktop.adapter_host import DbStateStore
from desktop.security.accounts import Role

CITIZEN_ID = "330106196603151316"  # synthetic (resources/demo/citizens.toml)


def wait_loaded(qtbot, page, attr: str) -> None:
    qtbot.waitUntil(lambda: bool(getattr(page, attr)), timeout=10_000)


# -- accounts -------------------------------------------------------------------------------------
def test_admin_adds_a_user_who_can_then_log_in(open_window, gui_app, qtbot) -> None:
    page = open_window("admin01").open_page("accounts")
    wait_loaded(qtbot, page, "users")
    assert page.usernames() == ["admin01", "clerk01", "super01"]

    dialog = page.add_user()
    dialog.username.setText("clerk02")
    dialog.display_name.setText("陈晓")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.CLERK))
    dialog.counter.setText("5号窗口")
    dialog.password.setText("short1")
    dialog.confirm.setText("short1")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "至少" in dialog.message.text(), timeout=10_000)  # the service's policy, in Chinese

    dialog.password.setText("Welcome2024")
    dialog.confirm.setText("Welcome2024")
    with qtbot.waitSignal(dialog.sig_done, timeout=10_000):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: "clerk02" in page.usernames(), timeout=10_000)
    row = page.usernames().index("clerk02")
    assert [page.table.cell_text(row, c) for c in range(5)] == ["clerk02", "陈晓", "窗口人员", "5号窗口", "正常"]
    assert "clerk02" in page.message.text()
    user = gui_app.accounts.authenticate("clerk02", "Welcome2024")
    assert user.role is Role.CLERK and user.counter == "5号窗口"


def test_admin_resets_a_password_and_disables_an_account(open_window, gui_app, qtbot) -> None:
    page = open_window("admin01").open_page("accounts")
    wait_loaded(qtbot, page, "users")
    page.select_user("clerk01")
    dialog = page.reset_password()
    dialog.password.setText("Reset2024x")
    dialog.confirm.setText("Reset2024x")
    with qtbot.waitSignal(dialog.sig_done, timeout=10_000):
        dialog.ok_button.click()
    assert gui_app.accounts.authenticate("clerk01", "Reset2024x").username == "clerk01"

    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    page.select_user("super01")
    page._disable("super01")  # the confirmation box's Yes
    qtbot.waitUntil(lambda: "已停用" in page.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: page.table.cell_text(page.usernames().index("super01"), 4) == "已停用",
                    timeout=10_000)


def test_the_service_not_the_screen_refuses_a_non_admin(open_window, users, qtbot) -> None:
    # A supervisor never gets the page; even if a screen forgot the check, the core refuses.
    from ui.admin.accounts_page import AccountsPage
    from ui.pages import PageContext

    window = open_window("super01")
    page = AccountsPage(PageContext(window.app, users["super01"], window.tasks, window))
    qtbot.addWidget(page)
    wait_loaded(qtbot, page, "users")  # supervisors may list
    page.select_user("clerk01")
    page._disable("clerk01")
    qtbot.waitUntil(lambda: "权限不足" in page.message.text(), timeout=10_000)


# -- audit ----------------------------------------------------------------------------------------
def test_audit_page_shows_masked_ids_and_verifies_the_chain(open_window, gui_app, qtbot) -> None:
    gui_app.audit.append("clerk01", "citizen.viewed", subject="退休一件事", citizen_id=CITIZEN_ID)
    page = open_window("admin01").open_page("audit")
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10_000)
    cells = [page.table.cell_text(r, c) for r in range(page.table.rowCount()) for c in range(6)]
    assert "330106********1316" in cells
    assert not any(CITIZEN_ID in cell for cell in cells)
    assert page.table.cell_text(0, 3) == "citizen.viewed"

    page.verify_button.click()
    qtbot.waitUntil(lambda: "校验通过" in page.message.text(), timeout=10_000)
    assert not page.message.is_error


def test_audit_page_reports_a_tampered_entry(open_window, gui_app, qtbot) -> None:
    from sqlalchemy import update

    from desktop.storage.models import AuditEntry

    gui_app.audit.append("clerk01", "case.viewed", subject="A1")
    with gui_app.db.unit_of_work() as uow:
        uow.session.execute(update(AuditEntry).where(AuditEntry.subject == "A1").values(actor="mallory"))
    page = open_window("admin01").open_page("audit")
    page.verify_button.click()
    qtbot.waitUntil(lambda: "未通过" in page.message.text(), timeout=10_000)
    assert page.message.is_error and page.findings.isVisible() and page.findings.toPlainText()


# -- adapters -------------------------------------------------------------------------------------
GROUP = "onewindow_uitest.adapters"


@pytest.fixture
def plugin_registry(tmp_path, monkeypatch, gui_app):
    """A real distribution with one working plugin and one whose manifest is missing."""
    site = tmp_path / "site"
    pkg = site / "ow_uitest_plugin"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "manifest.toml").write_text(textwrap.dedent('''
        id = "uitest_dept"
        name = "测试部门接口"
        department = "public_data"
        version = "1.2.0"
        api = ">=1.0,<2"
        capabilities = ["health"]
        factory = "ow_uitest_plugin.adapter:create"
        [config.endpoint]
        type = "url"
        title = "接口地址"
        required = true
        default = "http://127.0.0.1:9"
        [config.timeout_s]
        type = "number"
        title = "超时（秒）"
        default = 5
        [config.account]
        type = "string"
        title = "部门账号"
    '''), encoding="utf-8")
    (pkg / "adapter.py").write_text(textwrap.dedent('''
        from adapters.api import Adapter, HealthResult, SessionInfo, SessionState

        class UiTestAdapter(Adapter):
            def open_session(self): return SessionInfo(SessionState.CONNECTED)
            def session_info(self): return SessionInfo(SessionState.CONNECTED)
            def lookup(self, request): raise NotImplementedError
            def render(self, application): raise NotImplementedError
            def submit(self, payload, key): raise NotImplementedError
            def find_submission(self, key): return None
            def status(self, ref): raise NotImplementedError
            def health(self):
                creds = self.context.credentials()
                ok = creds.secret == "Dept-s3cret"
                return HealthResult(ok=ok, latency_ms=2.0, detail=f"账号 {creds.account} / {self.context.config['timeout_s']}s")

        def create(context):
            return UiTestAdapter(context)
    '''), encoding="utf-8")
    dist = site / "ow_uitest_plugin-1.2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ow-uitest-plugin\nVersion: 1.2.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{GROUP}]\nuitest_dept = ow_uitest_plugin:manifest.toml\nbroken_dept = ow_uitest_plugin:missing.toml\n")
    monkeypatch.syspath_prepend(str(site))
    registry = AdapterRegistry(entry_point_group=GROUP, state=DbStateStore(gui_app.db))
    registry.discover()
    monkeypatch.setattr(gui_app, "registry", registry, raising=False)
    return registry


def test_adapters_page_manages_a_plugin_end_to_end(open_window, gui_app, plugin_registry, memory_keyring,
                                                   qtbot) -> None:
    window = open_window("admin01")
    assert "adapters" in window.nav_keys()
    page = window.open_page("adapters")
    wait_loaded(qtbot, page, "records")
    assert sorted(page.ids()) == ["broken_dept", "uitest_dept"]

    page.select("broken_dept")
    assert not page.enable_button.isEnabled()
    assert "找不到插件清单文件" in page.details.toPlainText() and "missing.toml" in page.details.toPlainText()
    page.copy_button.click()
    assert "missing.toml" in QApplication.clipboard().text()

    page.select("uitest_dept")
    assert not page.health_button.isEnabled()  # a third-party plugin starts disabled
    page.enable_button.click()
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().enabled, timeout=10_000)
    assert DbStateStore(gui_app.db).get_all()["uitest_dept"][0] is True

    dialog = page.configure()
    dialog.fields["timeout_s"].setText("7")
    with qtbot.waitSignal(dialog.sig_done, timeout=10_000):
        dialog.ok_button.click()
    assert plugin_registry.get("uitest_dept").config == {"timeout_s": 7}

    page.health_check()  # no account yet: the clerk-readable reason, not a crash
    qtbot.waitUntil(lambda: "尚未设置" in page.message.text(), timeout=10_000)

    secret = page.set_secret()
    secret.account.setText("dept_user")
    secret.secret.setText("Dept-s3cret")
    with qtbot.waitSignal(secret.sig_done, timeout=10_000):
        secret.ok_button.click()
    assert memory_keyring.store == {("onewindow/uitest_dept", "dept_user"): "Dept-s3cret"}
    assert "Dept-s3cret" not in str(DbStateStore(gui_app.db).get_all())

    qtbot.waitUntil(lambda: page.health_button.isEnabled(), timeout=10_000)
    page.health_check()
    qtbot.waitUntil(lambda: "正常" in page.message.text(), timeout=10_000)
    assert "dept_user" in page.message.text() and "7" in page.message.text()
    assert not page.message.is_error


def test_adapters_page_is_hidden_without_a_registry(open_window, gui_app, monkeypatch) -> None:
    monkeypatch.setattr(gui_app, "registry", None, raising=False)
    assert "adapters" not in open_window("admin01").nav_keys()
