"""The employment adapter against its running sandbox: real HTTP on 127.0.0.1, real OAuth2 tokens that
expire, a real token-bucket throttle, real pagination."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from stdnum.cn import ric

from adapters.api import (
    AdapterContext, AdapterError, AdapterTimeout, AuthError, BranchState, CanonicalApplication, ConsentError,
    Credentials, LookupRequest, MalformedReplyError, MaterialRef, NotFoundError, RejectedError, SessionInfo,
    SessionState, UnavailableError, load_manifest_text,
)
from adapters.builtin.employment.adapter import EmploymentAdapter, create
from adapters.conformance.servers import BlackHole, ClosedPort
from adapters.sandbox.base import DEFAULT_ACCOUNTS, Reply, Request, load_demo_citizens
from adapters.sandbox.employment import EmploymentSandbox

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "employment"
MANIFEST = load_manifest_text((ROOT / "adapters/builtin/employment/manifest.toml").read_text(encoding="utf-8"))
ACCOUNT, SECRET = next(iter(DEFAULT_ACCOUNTS.items()))
CITIZENS = load_demo_citizens()
SUBMITTED_AT = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 in Hangzhou


@pytest.fixture
def sandbox() -> Iterator[EmploymentSandbox]:
    with EmploymentSandbox(session_ttl_s=1.0, max_page_size=2) as s:
        yield s  # type: ignore[misc]


@pytest.fixture
def make_adapter(sandbox: EmploymentSandbox) -> Iterator[Callable[..., EmploymentAdapter]]:
    made: list[EmploymentAdapter] = []

    def make(*, endpoint: str | None = None, timeout: float = 0.5, secret: str = SECRET,
             events: list[SessionInfo] | None = None) -> EmploymentAdapter:
        ctx = AdapterContext(
            manifest=MANIFEST,
            config=MANIFEST.resolve_config({"endpoint": endpoint or sandbox.url, "account": ACCOUNT,
                                            "timeout_s": timeout}),
            credentials=lambda: Credentials(ACCOUNT, secret),
            on_session_change=events.append if events is not None else None)
        adapter = create(ctx)
        made.append(adapter)
        return adapter

    yield make
    for a in made:
        a.close()


def ask(key: str, *fields: str, consent: str = "SQ-2026-000123") -> LookupRequest:
    c = CITIZENS[key]
    return LookupRequest(c["id_number"], c["name"], consent, "一件事联办", fields=fields)


def control(sandbox: EmploymentSandbox, action: str, data: dict[str, Any] | None = None) -> Any:
    if data is None:
        return requests.get(f"{sandbox.url}/_control/{action}", timeout=2).json()
    return requests.post(f"{sandbox.url}/_control/{action}", json=data, timeout=2).json()


def application(key: str, items: tuple[str, ...], **fields: str) -> CanonicalApplication:
    c = CITIZENS[key]
    phone = {"retiree_m": "13957112345", "unemployed": "13758198765", "flexjob": "15088776655"}[key]
    base = {"person.id_number": c["id_number"], "person.name": c["name"], "person.gender": c["gender"],
            "person.phone": phone, "person.residence_address": c["address"]}
    return CanonicalApplication(
        case_no="YC20260302000017", one_thing="unemployment", items=items, fields={**base, **fields},
        materials=(MaterialRef("M-SEPARATION", "解除劳动合同证明", "brought", "received", "ab" * 32),
                   MaterialRef("M-IDCARD", "居民身份证", "pulled", "pulled")),
        clerk="clerk07", counter="综合窗口3号", submitted_at=SUBMITTED_AT)


UNEMPLOYMENT = application("unemployed", ("SS-UNEMP-BENEFIT", "EMP-UNEMP-REGISTER", "MI-UNEMP-COVERAGE"),
                           **{"app.separation_date": "2026-02-27", "app.separation_reason": "contract_end",
                              "app.job_intention": "仓储物流管理"})


# -- lookup ---------------------------------------------------------------------------------------------
def test_lookup_gives_canonical_fields_with_provenance(make_adapter) -> None:
    result = make_adapter().lookup(ask("retiree_m"))
    values = result.as_dict()
    assert values == {
        "person.id_number": "330106196603151316", "person.name": "周建国",
        "person.residence_address": "浙江省杭州市西湖区文三路100号2幢301室", "person.phone": "13957112345",
        "emp.registration_no": "JY330106199807010015", "emp.employment_status": "employed",
        "emp.employer": "杭州西湖建设工程有限公司", "emp.employed_since": "1998-07-01",
        "emp.education": "40",  # the centre's GB/T 4658 code 41 (中专) is canonical 中专/高中
    }
    assert all(v.provenance.adapter_id == "employment" and v.provenance.verified for v in result.values)
    assert {v.provenance.source_ref for v in result.values} == {"JY330106199807010015"}


def test_planted_residence_address_differs_from_the_card(make_adapter) -> None:
    values = make_adapter().lookup(ask("unemployed")).as_dict()
    assert values["person.residence_address"] == "浙江省杭州市拱墅区莫干山路88号"
    assert values["person.residence_address"] != CITIZENS["unemployed"]["address"]
    assert values["emp.employment_status"] == "unemployed"
    assert "emp.employer" not in values  # no open employment record: no current employer is claimed


@pytest.mark.parametrize("page_cap", [1, 2, 20])
def test_every_page_of_the_records_is_read(page_cap: int, make_adapter, sandbox) -> None:
    # 周建国 has five records, the current one last: with a cap of 1 or 2 it is only on the last page
    sandbox.max_page_size = page_cap
    values = make_adapter().lookup(ask("retiree_m", "emp.employer", "emp.employed_since")).as_dict()
    assert values == {"emp.employer": "杭州西湖建设工程有限公司", "emp.employed_since": "1998-07-01"}


def test_a_lookup_is_one_round_trip_when_the_records_fit_one_page(make_adapter, sandbox) -> None:
    sandbox.max_page_size = 20
    adapter = make_adapter()
    adapter.open_session()
    before = sandbox.request_count
    values = adapter.lookup(ask("retiree_m")).as_dict()
    assert values["emp.employer"] == "杭州西湖建设工程有限公司"  # from the records embedded in the search reply
    assert sandbox.request_count == before + 1


class BarrierSandbox(EmploymentSandbox):
    """Holds every request for record page 2 and later until ``waiting`` of them have arrived: a client that
    fetches those pages one after another never gets them (the barrier breaks and the gateway fails)."""

    def __init__(self, waiting: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.barrier = threading.Barrier(waiting, timeout=2.0)

    def _records(self, req: Request, person_id: str) -> Reply:
        if req.query.get("page", ["1"])[0] != "1":
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                return self.error_reply(req)
        return super()._records(req, person_id)


@pytest.mark.parametrize("page_cap,further_pages", [(1, 4), (2, 2)])
def test_further_pages_are_fetched_at_once(page_cap: int, further_pages: int, make_adapter) -> None:
    # 周建国's five records: the first page comes with the search, all further pages are in flight together
    with BarrierSandbox(further_pages, max_page_size=page_cap) as gateway:
        adapter = make_adapter(endpoint=gateway.url, timeout=3.0)
        adapter.open_session()
        before = gateway.request_count
        values = adapter.lookup(ask("retiree_m", "emp.employer", "emp.employed_since")).as_dict()
        assert values == {"emp.employer": "杭州西湖建设工程有限公司", "emp.employed_since": "1998-07-01"}
        assert gateway.request_count == before + 1 + further_pages


class NoEmbedSandbox(EmploymentSandbox):
    """An older gateway that ignores ``embed``: the records are a separate list."""

    def handle(self, req: Request) -> Reply:
        req.query.pop("embed", None)
        return super().handle(req)


def test_a_gateway_that_does_not_embed_still_gives_every_record(make_adapter) -> None:
    with NoEmbedSandbox(max_page_size=2) as gateway:
        adapter = make_adapter(endpoint=gateway.url)
        values = adapter.lookup(ask("retiree_m", "emp.employer", "emp.employed_since")).as_dict()
    assert values == {"emp.employer": "杭州西湖建设工程有限公司", "emp.employed_since": "1998-07-01"}


def test_one_failed_page_fails_the_whole_lookup(make_adapter, sandbox) -> None:
    sandbox.max_page_size = 1
    adapter = make_adapter()
    adapter.open_session()
    sandbox.set_faults(paths=("/api/v1/persons/JYP0000101/employment-records",), fail_next=1)
    with pytest.raises(UnavailableError) as err:
        adapter.lookup(ask("retiree_m"))
    assert err.value.department_code == "service-unavailable"  # never a profile without the current employer


class ShiftingSandbox(EmploymentSandbox):
    """A record is added while the client reads the pages: later pages announce one more."""

    def _records(self, req: Request, person_id: str) -> Reply:
        reply = super()._records(req, person_id)
        data = json.loads(reply.body)
        data["total"] += 1
        return Reply.json(data)


def test_records_that_change_between_pages_are_not_passed_on(make_adapter) -> None:
    with ShiftingSandbox(max_page_size=2) as gateway:
        with pytest.raises(MalformedReplyError) as err:
            make_adapter(endpoint=gateway.url).lookup(ask("retiree_m", "emp.employer"))
    assert "total changed" in err.value.detail


def test_lookup_returns_only_the_fields_asked_for(make_adapter) -> None:
    values = make_adapter().lookup(ask("flexjob", "emp.employment_status", "emp.education")).as_dict()
    assert values == {"emp.employment_status": "flexible", "emp.education": "30"}


def test_lookup_without_consent_is_refused_before_calling_out(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    before = sandbox.request_count
    with pytest.raises(ConsentError):
        adapter.lookup(ask("retiree_m", consent="  "))
    assert sandbox.request_count == before


def test_the_centre_itself_refuses_a_query_without_consent(sandbox) -> None:
    token = requests.post(f"{sandbox.url}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(ACCOUNT, SECRET), timeout=2).json()["access_token"]
    resp = requests.post(f"{sandbox.url}/api/v1/persons/search", json={"idNumber": "330106196603151316"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=2)
    assert resp.status_code == 403
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.json()["title"] == "缺少群众授权"


def test_unknown_citizen_is_not_found(make_adapter) -> None:
    stranger = "33010620000101002" + ric.calc_check_digit("33010620000101002")
    with pytest.raises(NotFoundError) as err:
        make_adapter().lookup(LookupRequest(stranger, "无此人", "SQ-1", "test"))
    assert err.value.department_code == "person-not-found"
    assert stranger not in str(err.value) and stranger not in err.value.message_zh


# -- render ---------------------------------------------------------------------------------------------
def golden(name: str, body: bytes) -> None:
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(body)
    assert body == path.read_bytes(), f"payload differs from {path}; set UPDATE_GOLDEN=1 only on purpose"


@pytest.mark.parametrize("name,app", [
    ("unemployment", UNEMPLOYMENT),
    ("retirement", application("retiree_m", ("SS-PENSION-CLAIM", "EMP-RECORD-CLOSE", "PD-CERT-ARCHIVE"),
                               **{"app.retirement_date": "2026-03-15", "app.retirement_type": "normal"})),
    ("flexible", application("flexjob", ("EMP-FLEX-REGISTER", "SS-FLEX-ENROL"),
                             **{"app.flex_job_type": "网约配送", "app.flex_start_date": "2026-03-01"})),
])
def test_render_matches_the_golden_payload(name: str, app: CanonicalApplication, make_adapter) -> None:
    adapter = make_adapter()
    payload = adapter.render(app)
    golden(name, payload.body)
    assert adapter.render(app).body == payload.body
    assert all(i.startswith("EMP-") for i in payload.item_codes)
    assert set(payload.field_sources.values()) <= set(app.fields)
    assert json.loads(payload.preview) == json.loads(payload.body)


def test_render_maps_codes_and_dates_to_the_centres(make_adapter) -> None:
    body = json.loads(make_adapter().render(UNEMPLOYMENT).body)
    assert body["services"] == [{"serviceCode": "JY0201", "itemCode": "EMP-UNEMP-REGISTER", "form": {
        "separationDate": "20260227", "separationReasonCode": "01", "jobIntention": "仓储物流管理"}}]
    assert body["submittedAt"] == "20260302093000"


def test_render_refuses_an_application_with_nothing_for_the_centre(make_adapter) -> None:
    with pytest.raises(AdapterError) as err:
        make_adapter().render(application("retiree_m", ("SS-PENSION-CLAIM",)))
    assert err.value.message_zh == "该申请不含就业服务中心办理的事项"


def test_render_refuses_a_code_the_centre_has_no_code_for(make_adapter) -> None:
    app = application("unemployed", ("EMP-UNEMP-REGISTER",), **{"app.separation_date": "2026-02-27",
                                                                  "app.separation_reason": "quit"})
    with pytest.raises(AdapterError) as err:
        make_adapter().render(app)
    assert "离职原因" in err.value.message_zh


# -- submit / status ------------------------------------------------------------------------------------
def test_submitting_twice_with_one_key_makes_one_record(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    payload = adapter.render(UNEMPLOYMENT)
    first = adapter.submit(payload, "YC20260302000017-employment")
    again = adapter.submit(payload, "YC20260302000017-employment")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.department_ref == first.department_ref
    assert len(control(sandbox, "records")["records"]) == 1
    found = adapter.find_submission("YC20260302000017-employment")
    assert found is not None and found.department_ref == first.department_ref
    assert adapter.find_submission("YC20260302000099-employment") is None


def test_one_key_for_two_different_applications_is_refused(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    adapter.submit(adapter.render(UNEMPLOYMENT), "K-1")
    other = application("unemployed", ("EMP-UNEMP-REGISTER",), **{"app.separation_date": "2026-01-31"})
    with pytest.raises(RejectedError) as err:
        adapter.submit(adapter.render(other), "K-1")
    assert err.value.department_code == "idempotency-conflict"
    assert len(control(sandbox, "records")["records"]) == 1


def test_status_progresses_to_approved(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    ref = adapter.submit(adapter.render(UNEMPLOYMENT), "K-approve").department_ref
    seen = [adapter.status(ref).state]
    for _ in range(2):
        control(sandbox, "advance", {"ref": ref})
        seen.append(adapter.status(ref).state)
    assert seen == [BranchState.RECEIVED, BranchState.IN_REVIEW, BranchState.APPROVED]


def test_status_progresses_by_time(make_adapter) -> None:
    with EmploymentSandbox(review_after_s=0.05, decide_after_s=0.1) as quick:
        adapter = make_adapter(endpoint=quick.url)
        ref = adapter.submit(adapter.render(UNEMPLOYMENT), "K-time").department_ref
        deadline = time.monotonic() + 5
        while not adapter.status(ref).state.final and time.monotonic() < deadline:
            time.sleep(0.05)
        assert adapter.status(ref).state is BranchState.APPROVED


def test_rejection_carries_the_centres_reason(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    early = application("unemployed", ("EMP-UNEMP-REGISTER",),
                        **{"app.separation_date": "2026-04-30", "app.separation_reason": "contract_end"})
    ref = adapter.submit(adapter.render(early), "K-reject").department_ref
    control(sandbox, "advance", {"ref": ref})
    control(sandbox, "advance", {"ref": ref})
    status = adapter.status(ref)
    assert status.state is BranchState.REJECTED
    assert status.reason == "离职日期晚于申请日期，劳动关系尚未解除，不能办理失业登记"


def test_closing_a_record_that_is_not_open_is_rejected(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    app = application("unemployed", ("EMP-RECORD-CLOSE",), **{"app.retirement_date": "2026-03-15"})
    ref = adapter.submit(adapter.render(app), "K-close").department_ref
    control(sandbox, "advance", {"ref": ref})
    control(sandbox, "advance", {"ref": ref})
    assert adapter.status(ref).reason == "该人员无在档就业登记，无需办理就业登记注销"


def test_unknown_reference_is_not_found(make_adapter) -> None:
    with pytest.raises(NotFoundError):
        make_adapter().status("JY20990101999999")


# -- session --------------------------------------------------------------------------------------------
def test_expired_token_is_renewed_without_the_clerk_noticing(make_adapter, sandbox) -> None:
    events: list[SessionInfo] = []
    adapter = make_adapter(events=events)
    assert adapter.open_session().state is SessionState.CONNECTED
    adapter.lookup(ask("retiree_f", "emp.employment_status"))
    time.sleep(1.1)  # the sandbox's tokens live 1 s
    assert adapter.lookup(ask("retiree_f", "emp.employment_status")).as_dict() == {"emp.employment_status": "employed"}
    assert control(sandbox, "tokens")["issued"] == 2
    assert [e.state for e in events] == [SessionState.CONNECTING, SessionState.CONNECTED,
                                         SessionState.RENEWING, SessionState.CONNECTED]


def test_a_token_the_gateway_no_longer_accepts_is_replaced(make_adapter, sandbox) -> None:
    with EmploymentSandbox(session_ttl_s=3600) as long_lived:
        adapter = make_adapter(endpoint=long_lived.url)
        adapter.lookup(ask("retiree_f", "emp.employment_status"))
        control(long_lived, "revoke_tokens", {})
        # the adapter still believes its token fresh: the 401 invalid_token makes it log in again once
        assert adapter.lookup(ask("retiree_f", "emp.employment_status")).as_dict() == {
            "emp.employment_status": "employed"}
        assert control(long_lived, "tokens")["issued"] == 2


def test_wrong_credentials_are_an_auth_error(make_adapter) -> None:
    adapter = make_adapter(secret="not-the-secret")
    with pytest.raises(AuthError) as err:
        adapter.lookup(ask("retiree_m"))
    assert "not-the-secret" not in str(err.value)
    assert adapter.session_info().state is SessionState.FAILED


# -- throttling -----------------------------------------------------------------------------------------
def test_429_is_waited_out_and_the_call_succeeds(make_adapter, sandbox) -> None:
    sandbox.tokens.ttl_s = 60  # this test is about throttling, not about a token expiring during the wait
    sandbox.set_rate_limit(1.0, burst=1)  # the token request takes the only token; the search must wait
    adapter = make_adapter(timeout=3.0)
    values = adapter.lookup(ask("unemployed", "emp.employment_status")).as_dict()
    assert values == {"emp.employment_status": "unemployed"}
    assert sandbox.throttled == 1  # one refusal, one patient retry: never hammering


def test_429_beyond_the_wait_budget_is_unavailable_at_once(make_adapter, sandbox) -> None:
    sandbox.set_rate_limit(0.05, burst=1)  # Retry-After 20 s, far beyond a 0.5 s budget
    adapter = make_adapter(timeout=0.5)
    with pytest.raises(UnavailableError) as err:
        adapter.lookup(ask("unemployed", "emp.employment_status"))
    assert "限流" in err.value.message_zh
    assert sandbox.throttled == 1


# -- injected faults ------------------------------------------------------------------------------------
def test_latency_within_the_timeout_is_fine(make_adapter, sandbox) -> None:
    sandbox.set_faults(latency_s=0.15)
    assert make_adapter(timeout=0.5).lookup(ask("retiree_f", "emp.employment_status")).as_dict() == {
        "emp.employment_status": "employed"}


@pytest.mark.parametrize("fault,error,code", [
    ({"hang": True}, AdapterTimeout, None),
    ({"fail_next": 1}, UnavailableError, "service-unavailable"),  # 503 problem "系统繁忙"
    ({"malformed_next": 1}, MalformedReplyError, None),
    ({"outage": True}, UnavailableError, None),
])
def test_each_injected_fault_is_the_right_error(fault: dict[str, Any], error: type[AdapterError], code: str | None,
                                                make_adapter, sandbox) -> None:
    adapter = make_adapter(timeout=0.3)
    adapter.open_session()  # the fault hits the data call, not the token request
    sandbox.set_faults(**fault)
    with pytest.raises(error) as err:
        adapter.lookup(ask("retiree_f"))
    assert type(err.value) is error and err.value.department_code == code
    assert err.value.message_zh


def test_health_says_when_the_centre_is_down(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    assert adapter.health().ok
    sandbox.set_faults(outage=True)
    assert adapter.health().ok is False


def test_unreachable_and_black_hole_endpoints(make_adapter) -> None:
    with ClosedPort() as closed, pytest.raises(UnavailableError):
        make_adapter(endpoint=closed.url).lookup(ask("retiree_f"))
    with BlackHole() as hole, pytest.raises(AdapterTimeout):
        make_adapter(endpoint=hole.url, timeout=0.3).lookup(ask("retiree_f"))


def test_time_zone_of_department_timestamps(make_adapter) -> None:
    adapter = make_adapter()
    result = adapter.submit(adapter.render(UNEMPLOYMENT), "K-tz")
    assert result.accepted_at is not None
    assert abs(result.accepted_at - datetime.now(timezone.utc)) < timedelta(minutes=5)
