"""The SDK helpers of API 1.1 that every adapter shares: concurrent calls, lookup values with provenance,
masked ID numbers, China Standard Time, the session base class and the keeper's shared renewal."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest

from adapters.api import (
    API_VERSION, AdapterContext, AuthError, ConfigError, ConsentError, Credentials, LookupRequest, NotFoundError,
    RenderedPayload, SessionAdapter, SessionExpired, SessionInfo, SessionKeeper, SessionReporter, SessionState,
    UnavailableError, format_china_time, gather, mask_id, parse_china_time, parse_manifest, require_consent,
    requested_fields, values_with_provenance, version_in_range,
)

MANIFEST = parse_manifest({
    "id": "unit_dept", "name": "单元测试部门", "department": "civil_affairs", "version": "1.0.0", "api": ">=1.1,<2",
    "factory": "unit_dept.adapter:create", "capabilities": ["lookup"],
    "fields": ["person.name", "person.marital_status", "person.phone"],
})
FETCHED = datetime(2026, 3, 16, 6, 5, tzinfo=timezone.utc)


def context(events: list[SessionInfo] | None = None, **kw: object) -> AdapterContext:
    if events is not None:
        kw["on_session_change"] = events.append
    return AdapterContext(manifest=MANIFEST, config={"endpoint": "http://127.0.0.1:9", "timeout_s": 1},
                          credentials=lambda: Credentials("clerk", "not-a-real-secret"), **kw)  # type: ignore[arg-type]


# -- gather -----------------------------------------------------------------------------------------------
def test_gather_runs_the_calls_at_once_and_keeps_their_order() -> None:
    together = threading.Barrier(3, timeout=2.0)  # passes only when all three calls are running together

    def call(n: int) -> int:
        together.wait()
        return n * 10

    assert gather([lambda n=n: call(n) for n in range(3)], thread_name="unit-gather") == [0, 10, 20]
    assert not [t for t in threading.enumerate() if t.name.startswith("unit-gather")]  # no thread outlives it


def test_gather_raises_the_earliest_failure_in_call_order_whatever_finishes_first() -> None:
    late_failure_started = threading.Event()

    def slow_not_found() -> int:
        late_failure_started.wait(2.0)  # fails after the other one has already failed
        raise NotFoundError("first in order")

    def fast_outage() -> int:
        late_failure_started.set()
        raise UnavailableError("second in order")

    with pytest.raises(NotFoundError):
        gather([lambda: 1, slow_not_found, fast_outage])


def test_gather_does_not_start_calls_after_a_failure() -> None:
    started: list[int] = []
    release = threading.Event()

    def failing() -> int:
        raise UnavailableError("down")

    def waiting(n: int) -> int:
        started.append(n)
        release.wait(0.5)
        return n

    with pytest.raises(UnavailableError):
        gather([failing, *[lambda n=n: waiting(n) for n in range(6)]], max_workers=1)
    assert len(started) <= 1  # the one already running finishes; the queued ones never start


def test_gather_of_one_call_uses_no_thread() -> None:
    assert gather([threading.current_thread]) == [threading.current_thread()]
    assert gather([]) == []


# -- lookup helpers ---------------------------------------------------------------------------------------
def test_values_with_provenance_keeps_wanted_known_values_sorted() -> None:
    values = values_with_provenance("unit_dept", FETCHED, {"person.phone": "13800138000", "person.name": "周建国",
                                                           "person.marital_status": "", "person.gender": "1"},
                                    {"person.name", "person.phone", "person.marital_status"}, source_ref="R-1")
    assert [(v.field, v.value) for v in values] == [("person.name", "周建国"), ("person.phone", "13800138000")]
    assert {(v.provenance.adapter_id, v.provenance.fetched_at, v.provenance.verified, v.provenance.source_ref)
            for v in values} == {("unit_dept", FETCHED, True, "R-1")}
    assert values_with_provenance("unit_dept", FETCHED, {"person.name": "x"}, {"person.name"}, "")[0] \
        .provenance.source_ref is None


def test_requested_fields_default_to_the_manifest_and_consent_is_required() -> None:
    asked = LookupRequest("330106196603151316", "周建国", " SQ-1 ", "退休", fields=("person.name",))
    assert requested_fields(asked, MANIFEST) == {"person.name"}
    assert requested_fields(LookupRequest("1", "x", "SQ-1", "p"), MANIFEST) == set(MANIFEST.fields)
    assert require_consent(asked, "unit_dept") == "SQ-1"
    with pytest.raises(ConsentError):
        require_consent(LookupRequest("1", "x", "  ", "p"), "unit_dept")


def test_mask_id_keeps_only_the_region_and_the_last_four() -> None:
    assert mask_id("33010619660315131X") == "330106********131X"
    assert mask_id("1234567890") == "**********"


def test_china_time_reads_and_writes_department_timestamps() -> None:
    read = parse_china_time("20260316140509", "%Y%m%d%H%M%S")
    assert read == datetime(2026, 3, 16, 6, 5, 9, tzinfo=timezone.utc)
    assert parse_china_time("", "%Y%m%d%H%M%S") is None and parse_china_time(None, "%Y") is None
    assert format_china_time(datetime(2026, 3, 16, 6, 5, 9, tzinfo=timezone.utc), "%Y-%m-%d %H:%M:%S") == \
        "2026-03-16 14:05:09"
    assert format_china_time(datetime(2026, 3, 16, 18, 0), "%Y%m%d") == "20260317"  # naive is UTC, not local


# -- sessions ---------------------------------------------------------------------------------------------
def test_concurrent_calls_refused_with_one_token_share_one_renewal() -> None:
    logins: list[str] = []
    refused = threading.Barrier(4, timeout=2.0)

    def login(_: Credentials) -> tuple[str, datetime | None]:
        logins.append("login")
        return f"token-{len(logins)}", None

    keeper = SessionKeeper(context(), login)
    keeper.token()

    def call(token: str) -> str:
        if token == "token-1":
            refused.wait()  # all four calls hold the old token when the department refuses it
            raise SessionExpired("token rejected")
        return token

    assert gather([lambda: keeper.call(call) for _ in range(4)], max_workers=4) == ["token-2"] * 4
    assert len(logins) == 2  # the shift login and ONE renewal, not one per refused call


def test_a_token_refused_right_after_renewal_is_an_auth_error() -> None:
    keeper = SessionKeeper(context(), lambda _: ("t", None))

    def always_refused(_: str) -> str:
        raise SessionExpired("no")

    with pytest.raises(AuthError):
        keeper.call(always_refused)


def test_the_reporter_tells_the_host_and_survives_a_broken_listener(caplog: pytest.LogCaptureFixture) -> None:
    events: list[SessionInfo] = []
    reporter = SessionReporter(context(events))
    reporter.set(SessionInfo(SessionState.CONNECTED))
    assert events == [SessionInfo(SessionState.CONNECTED)] and reporter.info.state is SessionState.CONNECTED

    def broken(_: SessionInfo) -> None:
        raise RuntimeError("listener bug")

    quiet = SessionReporter(context(on_session_change=broken, logger=logging.getLogger("unit")))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="unit"):
        quiet.set(SessionInfo(SessionState.FAILED, reason="登录失败"))
    assert quiet.info.reason == "登录失败" and "session listener failed" in caplog.text


class TicketAdapter(SessionAdapter):
    """The least a SessionAdapter needs: login (and here a logout that fails)."""

    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        return "ticket", self.context.clock() + timedelta(minutes=30)

    def logout(self) -> None:
        raise UnavailableError("department down at the end of the shift")

    def lookup(self, request):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def render(self, application):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def submit(self, payload, idempotency_key):  # type: ignore[no-untyped-def]
        self.ensure_own_payload(payload)

    def find_submission(self, idempotency_key):  # type: ignore[no-untyped-def]
        return None

    def status(self, department_ref):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def health(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_session_adapter_opens_reports_and_closes_quietly() -> None:
    events: list[SessionInfo] = []
    adapter = TicketAdapter(context(events))
    assert adapter.timeout == 1.0 and adapter.http.trust_env is False
    assert adapter.open_session().state is SessionState.CONNECTED
    assert adapter.session_info() is adapter.keeper.info
    adapter.close()  # the failing logout is logged, never raised
    assert [e.state for e in events] == [SessionState.CONNECTING, SessionState.CONNECTED, SessionState.DISCONNECTED]


def test_a_payload_of_another_adapter_is_refused() -> None:
    adapter = TicketAdapter(context())
    with pytest.raises(ConfigError):
        adapter.submit(RenderedPayload("other", (), "text/plain", b"", "", {}), "K-1")
    adapter.close()


def test_the_api_version_is_a_minor_step_every_1x_range_still_accepts() -> None:
    assert API_VERSION == "1.1.0"
    assert version_in_range(API_VERSION, ">=1.0,<2") and version_in_range(API_VERSION, ">=1.1,<2")
