"""Accounts on a real database: log-in, lockout, password change, roles checked in the core,
and the keyring-only secret store."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from desktop.security.accounts import (AccountDisabled, AccountError, AccountLocked, AccountService,
                                       AuthenticationError, PermissionDenied, Role, UserInfo)
from desktop.security.passwords import HashParams, PasswordHasher, PasswordPolicyError
from desktop.security.secrets import NoKeyringError, SecretStore

PASSWORD = "Window2024"


@pytest.fixture
def admin(app) -> UserInfo:
    return app.accounts.add_user(None, "admin01", "王管理", Role.ADMIN, "", PASSWORD)


@pytest.fixture
def clerk(app, admin) -> UserInfo:
    return app.accounts.add_user(admin, "clerk01", "李柜员", Role.CLERK, "3号窗口", PASSWORD)


def test_login_returns_the_user_and_is_audited(app, clerk):
    user = app.accounts.authenticate("clerk01", PASSWORD)
    assert user == UserInfo(clerk.id, "clerk01", "李柜员", Role.CLERK, "3号窗口")
    assert [r.action for r in app.audit.recent(2)] == ["login", "user.added"]


def test_wrong_password_says_how_many_tries_remain(app, clerk):
    with pytest.raises(AuthenticationError) as err:
        app.accounts.authenticate("clerk01", "Wrong1234")
    assert err.value.message_zh == "密码错误，还可尝试 4 次"
    with pytest.raises(AuthenticationError) as err:
        app.accounts.authenticate("clerk01", "Wrong1234")
    assert "还可尝试 3 次" in err.value.message_zh


def test_unknown_user_gets_the_generic_message(app, clerk):
    with pytest.raises(AuthenticationError) as err:
        app.accounts.authenticate("nobody", PASSWORD)
    assert err.value.message_zh == "用户名或密码错误"


def test_five_failures_lock_for_fifteen_minutes(app, clerk, clock):
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            app.accounts.authenticate("clerk01", "Wrong1234")
    with pytest.raises(AccountLocked) as err:
        app.accounts.authenticate("clerk01", "Wrong1234")
    assert err.value.until == clock() + __import__("datetime").timedelta(minutes=15)
    assert "已锁定" in err.value.message_zh
    # Even the right password is refused while locked, and that does not extend the lock.
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked):
        app.accounts.authenticate("clerk01", PASSWORD)
    clock.advance(seconds=1)
    assert app.accounts.authenticate("clerk01", PASSWORD).username == "clerk01"
    # A fresh start: one wrong password after the lock leaves four tries again.
    with pytest.raises(AuthenticationError) as again:
        app.accounts.authenticate("clerk01", "Wrong1234")
    assert "还可尝试 4 次" in again.value.message_zh


def test_success_resets_the_failure_count(app, clerk):
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            app.accounts.authenticate("clerk01", "Wrong1234")
    app.accounts.authenticate("clerk01", PASSWORD)
    with pytest.raises(AuthenticationError) as err:
        app.accounts.authenticate("clerk01", "Wrong1234")
    assert "还可尝试 4 次" in err.value.message_zh


def test_the_lock_holds_for_another_workstation(app, clerk, clock, fast_hasher):
    """Failures are stored in the database, so a second workstation sees the same lock."""
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            app.accounts.authenticate("clerk01", "Wrong1234")
    other = AccountService(app.db, app.audit, clock=clock, hasher=fast_hasher)
    with pytest.raises(AccountLocked):
        other.authenticate("clerk01", PASSWORD)


def test_disabled_account_has_its_own_message(app, admin, clerk):
    app.accounts.disable_user(admin, "clerk01")
    with pytest.raises(AccountDisabled) as err:
        app.accounts.authenticate("clerk01", PASSWORD)
    assert "已停用" in err.value.message_zh


def test_unlock_after_idle_counts_failures_and_locks(app, clerk):
    assert app.accounts.verify_password(clerk, PASSWORD)
    for _ in range(4):
        assert not app.accounts.verify_password(clerk, "Wrong1234")
    with pytest.raises(AccountLocked):
        app.accounts.verify_password(clerk, "Wrong1234")


def test_change_password(app, clerk):
    with pytest.raises(AuthenticationError) as wrong_old:
        app.accounts.change_password(clerk, "Wrong1234", "NewPass2025")
    assert wrong_old.value.message_zh.startswith("原密码错误")
    with pytest.raises(PasswordPolicyError) as weak:
        app.accounts.change_password(clerk, PASSWORD, "short1")
    assert "8 位" in weak.value.message_zh
    app.accounts.change_password(clerk, PASSWORD, "NewPass2025")
    with pytest.raises(AuthenticationError):
        app.accounts.authenticate("clerk01", PASSWORD)
    assert app.accounts.authenticate("clerk01", "NewPass2025") == clerk


def test_reset_lifts_the_lock(app, admin, clerk):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            app.accounts.authenticate("clerk01", "Wrong1234")
    app.accounts.reset_password(admin, "clerk01", "Reset2025x")
    assert app.accounts.authenticate("clerk01", "Reset2025x").username == "clerk01"


@pytest.mark.parametrize("call", [
    lambda s, u: s.add_user(u, "x1", "某某", Role.CLERK, "", PASSWORD),
    lambda s, u: s.disable_user(u, "admin01"),
    lambda s, u: s.reset_password(u, "admin01", "Reset2025x"),
    lambda s, u: s.list_users(u),
])
def test_a_clerk_cannot_administer_accounts(app, clerk, call):
    with pytest.raises(PermissionDenied) as err:
        call(app.accounts, clerk)
    assert "权限不足" in err.value.message_zh


def test_a_supervisor_may_list_but_not_add(app, admin):
    supervisor = app.accounts.add_user(admin, "super01", "赵值班长", Role.SUPERVISOR, "", PASSWORD)
    assert [s.user.username for s in app.accounts.list_users(supervisor)] == ["admin01", "super01"]
    with pytest.raises(PermissionDenied):
        app.accounts.add_user(supervisor, "x1", "某某", Role.CLERK, "", PASSWORD)


def test_the_last_admin_cannot_be_disabled(app, admin):
    with pytest.raises(AccountError) as err:
        app.accounts.disable_user(admin, "admin01")
    assert "最后一个" in err.value.message_zh
    assert app.accounts.authenticate("admin01", PASSWORD) == admin


def test_duplicate_user_name_is_refused(app, admin, clerk):
    with pytest.raises(AccountError) as err:
        app.accounts.add_user(admin, "clerk01", "另一个", Role.CLERK, "", PASSWORD)
    assert "已存在" in err.value.message_zh


def test_login_upgrades_an_old_hash(app, clerk, clock):
    stronger = PasswordHasher(HashParams(time_cost=2, memory_cost_kib=16, parallelism=1))
    upgraded = AccountService(app.db, app.audit, clock=clock, hasher=stronger)
    upgraded.authenticate("clerk01", PASSWORD)
    with app.db.unit_of_work() as uow:
        from desktop.storage.models import User

        stored = uow.session.get(User, clerk.id).password_hash
    assert "m=16,t=2" in stored
    assert upgraded.authenticate("clerk01", PASSWORD) == clerk


def test_account_actions_keep_the_audit_chain_intact(app, admin, clerk):
    with pytest.raises(AuthenticationError):
        app.accounts.authenticate("clerk01", "Wrong1234")
    app.accounts.authenticate("clerk01", PASSWORD)
    report = app.audit.verify()
    assert report.ok and report.checked == 4


def test_secret_store_uses_the_keyring(memory_keyring):
    store = SecretStore()
    store.set("social_security", "ss01", "dept-pass-1")
    assert store.get("social_security", "ss01") == "dept-pass-1"
    assert memory_keyring.store == {("onewindow/social_security", "ss01"): "dept-pass-1"}
    assert store.delete("social_security", "ss01")
    assert store.get("social_security", "ss01") is None
    assert not store.delete("social_security", "ss01")


def test_no_keyring_means_no_secret_is_stored():
    keyring.set_keyring(fail.Keyring())
    store = SecretStore()
    with pytest.raises(NoKeyringError) as err:
        store.set("social_security", "ss01", "dept-pass-1")
    assert err.value.message_zh.startswith("未找到系统密钥环")
    with pytest.raises(NoKeyringError):
        store.get("social_security", "ss01")
    assert not store.available()
