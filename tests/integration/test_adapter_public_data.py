"""The public data platform adapter against its running sandbox: real HTTP on 127.0.0.1, real HMAC-SHA256
signatures, real timestamp and nonce checks."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from stdnum.cn import ric

from adapters.api import (
    AdapterContext, AdapterError, AdapterTimeout, AuthError, BranchState, CanonicalApplication, ConfigError,
    ConsentError, Credentials, LookupRequest, MalformedReplyError, MaterialRef, NotFoundError, RenderedPayload,
    SessionInfo, SessionState, UnavailableError, load_manifest_text, utc_now,
)
from adapters.builtin.public_data.adapter import PublicDataAdapter, create
from adapters.conformance.servers import BlackHole, ClosedPort
from adapters.builtin.public_data.protocol import PlatformClient, encode_body, signed_headers
from adapters.sandbox.base import DEFAULT_ACCOUNTS, Reply, load_demo_citizens
from adapters.sandbox.public_data import PublicDataSandbox

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "public_data"
MANIFEST = load_manifest_text((ROOT / "adapters/builtin/public_data/manifest.toml").read_text(encoding="utf-8"))
ACCOUNT, SECRET = next(iter(DEFAULT_ACCOUNTS.items()))
CREDS = Credentials(ACCOUNT, SECRET)
CITIZENS = load_demo_citizens()
SUBMITTED_AT = datetime(2026, 3, 16, 6, 5, 9, tzinfo=timezone.utc)  # 14:05:09 in Hangzhou
HOUSEHOLD = "/api/v1/household/query"


@pytest.fixture
def sandbox() -> Iterator[PublicDataSandbox]:
    with PublicDataSandbox() as s:
        yield s  # type: ignore[misc]


@pytest.fixture
def make_adapter(sandbox: PublicDataSandbox) -> Iterator[Callable[..., PublicDataAdapter]]:
    made: list[PublicDataAdapter] = []

    def make(*, endpoint: str | None = None, timeout: float = 0.5, secret: str = SECRET,
             clock: Callable[[], datetime] = utc_now, events: list[SessionInfo] | None = None) -> PublicDataAdapter:
        ctx = AdapterContext(
            manifest=MANIFEST,
            config=MANIFEST.resolve_config({"endpoint": endpoint or sandbox.url, "account": ACCOUNT,
                                            "timeout_s": timeout}),
            credentials=lambda: Credentials(ACCOUNT, secret), clock=clock,
            on_session_change=events.append if events is not None else None)
        adapter = create(ctx)
        made.append(adapter)
        return adapter

    yield make
    for a in made:
        a.close()


def ask(key: str, *fields: str, consent: str = "SQ-2026-000456") -> LookupRequest:
    c = CITIZENS[key]
    return LookupRequest(c["id_number"], c["name"], consent, "退休一件事", fields=fields)


def raw(sandbox: PublicDataSandbox, method: str, path: str, body: bytes = b"", *,
        headers: dict[str, str] | None = None) -> requests.Response:
    """Send exactly these bytes with exactly these headers: the tests below forge what the adapter never would."""
    hdrs = headers if headers is not None else signed_headers(CREDS, method, path, body, utc_now())
    return requests.request(method, sandbox.url + path, data=body or None, timeout=2,
                            headers={**hdrs, "Content-Type": "application/json"})


def control(sandbox: PublicDataSandbox, action: str, data: dict[str, Any] | None = None) -> Any:
    if data is None:
        return requests.get(f"{sandbox.url}/_control/{action}", timeout=2).json()
    return requests.post(f"{sandbox.url}/_control/{action}", json=data, timeout=2).json()


def query_body(key: str, auth_ref: str | None = "SQ-1") -> bytes:
    body: dict[str, str] = {"gmsfhm": CITIZENS[key]["id_number"]}
    if auth_ref is not None:
        body["auth_ref"] = auth_ref
    return encode_body(body)


def archive_app(key: str, *certificates: MaterialRef, item: str = "PD-CERT-ARCHIVE") -> CanonicalApplication:
    c = CITIZENS[key]
    return CanonicalApplication(
        case_no="YC20260316000042", one_thing="retirement",
        items=("SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "EMP-RECORD-CLOSE", item),
        fields={"person.id_number": c["id_number"], "person.name": c["name"], "person.phone": "13957112345",
                "app.retirement_date": "2026-03-15"},
        materials=(MaterialRef("M-IDCARD", "居民身份证", "pulled", "pulled"), *certificates),
        clerk="clerk03", counter="综合窗口1号", submitted_at=SUBMITTED_AT)


RETIREMENT = archive_app(
    "retiree_m",
    MaterialRef("C-SS-RETIRE-CERT", "基本养老保险待遇核定表", "produced", "pending"),
    MaterialRef("C-EMP-CLOSE", "就业登记注销证明", "produced", "pending", "cd" * 32))
#: 退休一件事 as the catalog ships it: the platform files the 退休证 人社 issues, nothing else
PENSION_APPROVAL = MaterialRef("M-PENSION-APPROVAL", "基本养老保险待遇核准通知", "produced", "pending")
RETIRE_CERT = MaterialRef("M-RETIRE-CERT", "退休证", "produced", "pending")
RETIREMENT_CERTIFICATE = archive_app("retiree_m", PENSION_APPROVAL, RETIRE_CERT, item="PD-RETIRE-ARCHIVE")


# -- lookup ---------------------------------------------------------------------------------------------
def test_household_registration_in_canonical_form(make_adapter) -> None:
    result = make_adapter().lookup(ask("retiree_m"))
    assert result.as_dict() == {
        "person.id_number": "330106196603151316", "person.name": "周建国", "person.gender": "1",
        "person.nation": "01", "person.birth_date": "1966-03-15",
        "person.address": "浙江省杭州市西湖区文三路100号2幢301室",
        "person.household_type": "1",  # the platform's 10 (非农业)
        "person.household_region": "330106",
        "person.marital_status": "30",  # planted: widowed here, 人社 still says married
    }
    assert all(v.provenance.adapter_id == "public_data" and v.provenance.verified for v in result.values)
    assert all((v.provenance.source_ref or "").startswith("PDT") for v in result.values)


def test_former_name_and_remarriage_codes(make_adapter) -> None:
    values = make_adapter().lookup(ask("retiree_f", "person.former_names", "person.marital_status")).as_dict()
    assert values == {"person.former_names": "陈秀瑛", "person.marital_status": "20"}  # 21 初婚 is 已婚


def test_only_the_queries_needed_are_made(make_adapter, sandbox) -> None:
    before = sandbox.request_count
    assert make_adapter().lookup(ask("flexjob", "person.household_type")).as_dict() == {"person.household_type": "2"}
    assert sandbox.request_count == before + 1


def test_a_person_without_household_registration_is_not_found(make_adapter) -> None:
    with pytest.raises(NotFoundError) as err:
        make_adapter().lookup(ask("hk_permit"))
    assert err.value.department_code == "40401"


def test_unknown_citizen_is_not_found(make_adapter) -> None:
    stranger = "33010819990101002" + ric.calc_check_digit("33010819990101002")
    with pytest.raises(NotFoundError):
        make_adapter().lookup(LookupRequest(stranger, "无此人", "SQ-1", "test"))


class BarrierPlatform(PublicDataSandbox):
    """Holds each person query until all three have arrived: a client that sends them one after another
    never gets an answer (the barrier breaks and the platform says it is busy)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.barrier = threading.Barrier(3, timeout=2.0)

    def _query(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return self._reply(None, code="50001", msg="系统繁忙，请稍后重试", status=503)
        return super()._query(path, headers, body)


def test_the_three_queries_are_in_flight_at_once(make_adapter) -> None:
    with BarrierPlatform() as platform:
        before = platform.request_count
        values = make_adapter(endpoint=platform.url, timeout=3.0).lookup(ask("retiree_f")).as_dict()
        assert platform.request_count == before + 3
    assert values["person.household_region"] == "330102" and values["person.former_names"] == "陈秀瑛"
    assert values["person.marital_status"] == "20"


class NoMarriageRecordPlatform(PublicDataSandbox):
    """The marriage registry holds nothing for anyone (e.g. a registration older than the shared database)."""

    def _query(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        if path.endswith("/marital/query"):
            return self._reply(None, code="40402", msg="未查到婚姻登记信息", status=404)
        return super()._query(path, headers, body)


def test_a_registry_holding_nothing_leaves_out_only_its_fields(make_adapter) -> None:
    with NoMarriageRecordPlatform() as platform:
        result = make_adapter(endpoint=platform.url).lookup(ask("retiree_m"))
    assert "person.marital_status" not in result.as_dict()
    assert result.as_dict()["person.household_region"] == "330106"
    assert result.warnings == ("公共数据平台未查到婚姻登记信息，婚姻状况未带出",)


@pytest.mark.parametrize("path,fault,error", [
    ("/api/v1/former-names/query", {"fail_next": 1}, UnavailableError),
    ("/api/v1/marital/query", {"malformed_next": 1}, MalformedReplyError),
    ("/api/v1/marital/query", {"hang_next": 1}, AdapterTimeout),
])
def test_one_failed_query_fails_the_whole_lookup(path: str, fault: dict[str, Any], error: type[AdapterError],
                                                 make_adapter, sandbox) -> None:
    sandbox.set_faults(paths=(path,), **fault)
    with pytest.raises(error):  # a profile silently missing a part would look complete to the clerk
        make_adapter(timeout=0.3).lookup(ask("retiree_m"))


# -- authorisation reference ----------------------------------------------------------------------------
def test_lookup_without_consent_is_refused_before_calling_out(make_adapter, sandbox) -> None:
    before = sandbox.request_count
    with pytest.raises(ConsentError):
        make_adapter().lookup(ask("retiree_m", consent=""))
    assert sandbox.request_count == before


def test_the_platform_refuses_a_query_without_an_authorisation_reference(sandbox) -> None:
    resp = raw(sandbox, "POST", HOUSEHOLD, query_body("retiree_m", auth_ref=None))
    assert resp.status_code == 403 and resp.json()["code"] == "40301"
    # the adapter's protocol layer reads that refusal as a consent problem, not as an outage or a bug
    with requests.Session() as http:
        client = PlatformClient(http, sandbox.url, adapter_id="public_data", timeout=1, clock=utc_now,
                                credentials=lambda: CREDS)
        with pytest.raises(ConsentError) as err:
            client.call("POST", HOUSEHOLD, body=query_body("retiree_m", auth_ref=None), what="household")
    assert err.value.department_code == "40301"


def test_the_header_form_of_the_reference_is_accepted(sandbox) -> None:
    body = query_body("retiree_m", auth_ref=None)
    headers = {**signed_headers(CREDS, "POST", HOUSEHOLD, body, utc_now()), "X-Auth-Ref": "SQ-2026-000456"}
    resp = raw(sandbox, "POST", HOUSEHOLD, body, headers=headers)
    assert resp.status_code == 200 and resp.json()["data"]["xm"] == "周建国"


def test_a_withdrawn_authorisation_is_a_consent_error(make_adapter, sandbox) -> None:
    control(sandbox, "revoke_auth", {"auth_ref": "SQ-WITHDRAWN"})
    with pytest.raises(ConsentError) as err:
        make_adapter().lookup(ask("retiree_m", consent="SQ-WITHDRAWN"))
    assert err.value.department_code == "40302"


# -- signatures -----------------------------------------------------------------------------------------
def test_a_correctly_signed_request_is_answered(sandbox) -> None:
    resp = raw(sandbox, "POST", HOUSEHOLD, query_body("retiree_m"))
    assert resp.status_code == 200 and resp.json()["code"] == "0"


def test_a_tampered_body_is_rejected(sandbox) -> None:
    signed_for = query_body("retiree_m")
    headers = signed_headers(CREDS, "POST", HOUSEHOLD, signed_for, utc_now())
    resp = raw(sandbox, "POST", HOUSEHOLD, query_body("retiree_f"), headers=headers)
    assert resp.status_code == 401 and resp.json()["code"] == "40102"


def test_a_signature_for_another_path_is_rejected(sandbox) -> None:
    body = query_body("retiree_m")
    headers = signed_headers(CREDS, "POST", "/api/v1/former-names/query", body, utc_now())
    assert raw(sandbox, "POST", HOUSEHOLD, body, headers=headers).json()["code"] == "40102"


def test_a_wrong_secret_is_an_auth_error(make_adapter) -> None:
    events: list[SessionInfo] = []
    adapter = make_adapter(secret="guessed-secret", events=events)
    with pytest.raises(AuthError) as err:
        adapter.open_session()
    assert err.value.department_code == "40102" and "guessed-secret" not in str(err.value)
    assert adapter.session_info().state is SessionState.FAILED
    with pytest.raises(AuthError):
        adapter.lookup(ask("retiree_m"))


def test_a_stale_timestamp_is_rejected(sandbox) -> None:
    body = query_body("retiree_m")
    headers = signed_headers(CREDS, "POST", HOUSEHOLD, body, utc_now() - timedelta(seconds=301))
    assert raw(sandbox, "POST", HOUSEHOLD, body, headers=headers).json()["code"] == "40103"


def test_a_workstation_clock_off_by_minutes_is_reported_as_such(make_adapter) -> None:
    adapter = make_adapter(clock=lambda: utc_now() + timedelta(minutes=10))
    with pytest.raises(ConfigError) as err:
        adapter.lookup(ask("retiree_m"))
    assert err.value.department_code == "40103" and "校准系统时间" in err.value.message_zh


def test_the_allowed_skew_is_configurable(make_adapter) -> None:
    with PublicDataSandbox(max_skew_s=1.0) as strict:
        skewed = make_adapter(endpoint=strict.url, clock=lambda: utc_now() - timedelta(seconds=3))
        with pytest.raises(ConfigError):
            skewed.open_session()
        assert make_adapter(endpoint=strict.url).open_session().state is SessionState.CONNECTED


def test_a_replayed_nonce_is_rejected(sandbox) -> None:
    body = query_body("retiree_m")
    headers = signed_headers(CREDS, "POST", HOUSEHOLD, body, utc_now())
    assert raw(sandbox, "POST", HOUSEHOLD, body, headers=headers).status_code == 200
    again = raw(sandbox, "POST", HOUSEHOLD, body, headers=headers)
    assert again.status_code == 401 and again.json()["code"] == "40104"


def test_the_adapter_never_reuses_a_nonce(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    for _ in range(3):
        adapter.lookup(ask("retiree_f"))
    assert "40104" not in control(sandbox, "denials")


# -- session --------------------------------------------------------------------------------------------
def test_open_session_checks_the_signature_with_a_cheap_call(make_adapter, sandbox) -> None:
    events: list[SessionInfo] = []
    adapter = make_adapter(events=events)
    before = sandbox.request_count
    info = adapter.open_session()
    assert info.state is SessionState.CONNECTED and info.expires_at is None
    assert sandbox.request_count == before + 1
    assert [e.state for e in events] == [SessionState.CONNECTING, SessionState.CONNECTED]


# -- render ---------------------------------------------------------------------------------------------
def golden_render(adapter: PublicDataAdapter, app: CanonicalApplication, name: str) -> RenderedPayload:
    """The payload, checked against tests/golden/public_data/<name>.json and rendered twice alike."""
    payload = adapter.render(app)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(payload.body)
    assert payload.body == path.read_bytes(), f"payload differs from {path}; set UPDATE_GOLDEN=1 only on purpose"
    assert adapter.render(app).body == payload.body
    return payload


def test_render_matches_the_golden_payload(make_adapter) -> None:
    payload = golden_render(make_adapter(), RETIREMENT, "retirement_archive")
    assert payload.item_codes == ("PD-CERT-ARCHIVE",)
    body = json.loads(payload.body)
    assert [lic["zzbs"] for lic in body["licenses"]] == ["C-EMP-CLOSE", "C-SS-RETIRE-CERT"]  # produced only
    assert body["submit_time"] == "2026-03-16 14:05:09"
    assert json.loads(payload.preview) == body


def test_render_of_the_retirement_certificate_archive_matches_its_golden_payload(make_adapter) -> None:
    payload = golden_render(make_adapter(), RETIREMENT_CERTIFICATE, "retirement_certificate")
    assert payload.item_codes == ("PD-RETIRE-ARCHIVE",)
    body = json.loads(payload.body)
    assert body["items"] == ["PD-RETIRE-ARCHIVE"]
    assert [lic["zzbs"] for lic in body["licenses"]] == ["M-RETIRE-CERT"]  # the approval notice is not filed
    assert payload.field_sources == {"holder.gmsfhm": "person.id_number", "holder.xm": "person.name"}


def test_render_refuses_an_application_without_the_archive_item(make_adapter) -> None:
    app = CanonicalApplication("YC1", "x", ("SS-PENSION-CLAIM",), {"person.id_number": "1", "person.name": "x"},
                               (), "c", "w", SUBMITTED_AT)
    with pytest.raises(AdapterError) as err:
        make_adapter().render(app)
    assert err.value.message_zh == "该申请不含公共数据平台办理的事项"


# -- submit / status ------------------------------------------------------------------------------------
def test_submitting_twice_with_one_key_makes_one_record(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    payload = adapter.render(RETIREMENT)
    first = adapter.submit(payload, "YC20260316000042/public_data")
    again = adapter.submit(payload, "YC20260316000042/public_data")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.department_ref == first.department_ref
    assert len(control(sandbox, "records")["records"]) == 1
    found = adapter.find_submission("YC20260316000042/public_data")
    assert found is not None and found.department_ref == first.department_ref
    assert adapter.find_submission("YC20260316000099/public_data") is None


def test_status_progresses_to_archived(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    ref = adapter.submit(adapter.render(RETIREMENT), "K-approve").department_ref
    seen = [adapter.status(ref).state]
    for _ in range(2):
        control(sandbox, "advance", {"ref": ref})
        seen.append(adapter.status(ref).state)
    assert seen == [BranchState.RECEIVED, BranchState.IN_REVIEW, BranchState.APPROVED]


def decided(make_adapter, app: CanonicalApplication, key: str) -> tuple[BranchState, str]:
    with PublicDataSandbox(review_after_s=0.05, decide_after_s=0.1) as quick:
        adapter = make_adapter(endpoint=quick.url)
        ref = adapter.submit(adapter.render(app), key).department_ref
        deadline = time.monotonic() + 5
        while not adapter.status(ref).state.final and time.monotonic() < deadline:
            time.sleep(0.05)
        status = adapter.status(ref)
    return status.state, status.reason


def test_nothing_to_archive_is_rejected_with_the_platforms_reason(make_adapter) -> None:
    assert decided(make_adapter, archive_app("retiree_m"), "K-empty") == (BranchState.REJECTED, "无可归档的电子证照")


def test_the_retirement_certificate_is_archived(make_adapter) -> None:
    assert decided(make_adapter, RETIREMENT_CERTIFICATE, "K-retire") == (BranchState.APPROVED, "")


def test_a_retirement_archive_without_the_certificate_is_rejected(make_adapter) -> None:
    # both archive items in one request, but 人社 has issued no 退休证 yet: only the approval notice is filed
    app = replace(archive_app("retiree_m", PENSION_APPROVAL, item="PD-RETIRE-ARCHIVE"),
                  items=("PD-CERT-ARCHIVE", "PD-RETIRE-ARCHIVE"))
    assert [lic["zzbs"] for lic in json.loads(make_adapter().render(app).body)["licenses"]] == ["M-PENSION-APPROVAL"]
    assert decided(make_adapter, app, "K-no-cert") == (
        BranchState.REJECTED, "未收到人社部门出具的退休证，不能归集退休证电子证照")


def test_a_retirement_certificate_for_someone_far_from_retirement_is_rejected(make_adapter) -> None:
    app = archive_app("flexjob", RETIRE_CERT, item="PD-RETIRE-ARCHIVE")  # 刘晓燕, born 1995
    assert decided(make_adapter, app, "K-young") == (
        BranchState.REJECTED, "持证人未达法定退休年龄，退休证信息存疑，不予归集")


def test_unknown_reference_is_not_found(make_adapter) -> None:
    with pytest.raises(NotFoundError):
        make_adapter().status("GX20990101999999")


# -- injected faults ------------------------------------------------------------------------------------
def test_latency_within_the_timeout_is_fine(make_adapter, sandbox) -> None:
    sandbox.set_faults(latency_s=0.15)
    assert make_adapter(timeout=0.5).lookup(ask("retiree_m", "person.marital_status")).as_dict() == {
        "person.marital_status": "30"}


@pytest.mark.parametrize("fault,error,code", [
    ({"hang": True}, AdapterTimeout, None),
    ({"fail_next": 1}, UnavailableError, "50001"),  # the platform's "系统繁忙"
    ({"malformed_next": 1}, MalformedReplyError, None),
    ({"outage": True}, UnavailableError, None),
])
def test_each_injected_fault_is_the_right_error(fault: dict[str, Any], error: type[AdapterError], code: str | None,
                                                make_adapter, sandbox) -> None:
    sandbox.set_faults(**fault)
    adapter = make_adapter(timeout=0.3)
    with pytest.raises(error) as err:
        adapter.lookup(ask("retiree_m"))
    assert type(err.value) is error and err.value.department_code == code
    assert err.value.message_zh


def test_unreachable_and_black_hole_endpoints(make_adapter) -> None:
    with ClosedPort() as closed, pytest.raises(UnavailableError):
        make_adapter(endpoint=closed.url).open_session()
    with BlackHole() as hole, pytest.raises(AdapterTimeout):
        make_adapter(endpoint=hole.url, timeout=0.3).open_session()


def test_health_says_when_the_platform_is_down(make_adapter, sandbox) -> None:
    adapter = make_adapter()
    health = adapter.health()
    assert health.ok and health.detail == "正常"
    sandbox.set_faults(outage=True)
    assert adapter.health().ok is False
