"""One login for the shift: sessions with every department back-end (real sandboxes over HTTP), kept
alive, failing one at a time, and never falling back to plaintext secrets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import keyring
import pytest
from keyring.backends import fail

from _intake_helpers import ACCOUNT, DEPARTMENTS, control, point_registry_at, running_sandboxes
from adapters.api import LookupRequest, SessionInfo, SessionState
from adapters.registry import AdapterRegistry
from desktop.clock import utc_now
from desktop.security.accounts import PermissionDenied, Role, UserInfo
from desktop.security.secrets import NoKeyringError, SecretStore
from desktop.services.backends import BackendSessions
from desktop.settings import Settings

CLERK = UserInfo(1, "clerk01", "王小明", Role.CLERK, "3号窗口")
ADMIN = UserInfo(3, "admin01", "赵管理", Role.ADMIN, "")


class Recorder:
    """Every (adapter, state) a listener saw, from whichever thread."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, SessionInfo, str]] = []
        self.lock = threading.Lock()

    def __call__(self, adapter_id: str, info: SessionInfo) -> None:
        with self.lock:
            self.seen.append((adapter_id, info, threading.current_thread().name))

    def states_of(self, adapter_id: str) -> list[SessionState]:
        with self.lock:
            return [info.state for a, info, _ in self.seen if a == adapter_id]


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def sandboxes() -> Iterator[dict]:
    with running_sandboxes({"social_security": {"session_ttl_s": 1.0}}) as started:
        yield started


@pytest.fixture
def registry(sandboxes) -> AdapterRegistry:
    registry = AdapterRegistry()
    registry.discover()
    point_registry_at(registry, SecretStore(), sandboxes)
    return registry


@pytest.fixture
def sessions(registry) -> Iterator[BackendSessions]:
    backends = BackendSessions(registry, SecretStore(), Settings(), utc_now, retry_base_s=0.2, auth_retry_s=0.5)
    yield backends
    backends.close()


def test_every_enabled_backend_connects_in_parallel_and_reports_from_worker_threads(sessions):
    seen = Recorder()
    sessions.add_listener(seen)
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    states = sessions.states()
    assert {a: i.state for a, i in states.items()} == {d: SessionState.CONNECTED for d in DEPARTMENTS}
    for department in DEPARTMENTS:
        assert seen.states_of(department)[-1] is SessionState.CONNECTED
    assert {thread for _, _, thread in seen.seen} <= {f"backend-{d}" for d in DEPARTMENTS}


def test_wrong_secret_fails_that_backend_with_the_reason_while_the_others_connect(sessions, sandboxes):
    SecretStore().set("social_security", ACCOUNT, "not-the-password")
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    states = sessions.states()
    failed = states["social_security"]
    assert failed.state is SessionState.FAILED
    assert "登录失败" in failed.reason and "用户名或密码错误" in failed.reason
    assert "后自动重试" in failed.reason
    assert all(states[d].state is SessionState.CONNECTED for d in DEPARTMENTS if d != "social_security")
    # the administrator enters the right password: the next retry connects without the clerk doing anything
    SecretStore().set("social_security", ACCOUNT, "Sandbox#2026")
    assert wait_for(lambda: sessions.states()["social_security"].state is SessionState.CONNECTED)


def test_a_missing_secret_is_named_not_sent(sessions, sandboxes):
    SecretStore().delete("employment", ACCOUNT)
    before = sandboxes["employment"].request_count
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    info = sessions.states()["employment"]
    assert info.state is SessionState.FAILED
    assert "密钥环中没有" in info.reason and ACCOUNT in info.reason
    assert sandboxes["employment"].request_count == before


def test_an_unreachable_backend_is_retried_and_connects_when_it_comes_back(sessions, sandboxes):
    sandboxes["medical_insurance"].set_faults(outage=True)
    seen = Recorder()
    sessions.add_listener(seen)
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    assert sessions.states()["medical_insurance"].state is SessionState.FAILED
    assert sessions.states()["social_security"].state is SessionState.CONNECTED
    sandboxes["medical_insurance"].clear_faults()
    assert wait_for(lambda: sessions.states()["medical_insurance"].state is SessionState.CONNECTED)
    assert seen.states_of("medical_insurance").count(SessionState.FAILED) >= 1


def test_no_keyring_raises_once_and_contacts_nobody(sessions, sandboxes):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(NoKeyringError) as err:
            sessions.open_all(CLERK)
    finally:
        keyring.set_keyring(previous)
    assert "密钥环" in err.value.message_zh
    states = sessions.states()
    assert {s.state for s in states.values()} == {SessionState.FAILED}
    assert all(s.reason == err.value.message_zh for s in states.values())
    assert all(server.request_count == 0 for server in sandboxes.values())


def test_sessions_renew_before_expiry_without_the_clerk_noticing(sessions, sandboxes):
    """人社 tickets live one second here: the keeper renews them on its own, and a query after several
    lifetimes simply works."""
    seen = Recorder()
    sessions.add_listener(seen)
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    ss = sandboxes["social_security"]
    assert wait_for(lambda: control(ss, "stats")["logins"] >= 4), "the keepalive did not renew the ticket"
    states = seen.states_of("social_security")
    assert SessionState.RENEWING in states
    assert SessionState.FAILED not in states
    # the department drops every ticket (a restart on its side): the next query logs in again by itself
    control(ss, "expire_sessions", {})
    result = sessions.adapter("social_security").lookup(LookupRequest(
        id_number="330106196603151316", name="周建国", consent_ref="CONSENT-T1", purpose="退休一件事",
        fields=("ss.person_no",)))
    assert result.as_dict() == {"ss.person_no": "33010600012601"}
    assert sessions.states()["social_security"].state in (SessionState.CONNECTED, SessionState.RENEWING)


def test_only_counter_staff_open_department_sessions(sessions, sandboxes):
    with pytest.raises(PermissionDenied):
        sessions.open_all(ADMIN)
    assert all(server.request_count == 0 for server in sandboxes.values())


def test_close_stops_every_worker_and_logs_out(sessions, sandboxes):
    sessions.open_all(CLERK)
    assert sessions.wait_until_settled(15)
    sessions.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("backend-")]
    assert sessions.states() == {}
    assert control(sandboxes["social_security"], "stats")["live_tickets"] == 0
