"""The built-in 医保 adapter against its running sandbox: the national platform envelope over real HTTP."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from _department_helpers import (
    ACCOUNT, PASSWORD, ask, assert_status_reaches_approved, assert_submit_is_idempotent, control, make_builtin,
)
from adapters.api import (
    AdapterTimeout, AuthError, BranchState, CanonicalApplication, ConsentError, MalformedReplyError, NotFoundError,
    RejectedError, UnavailableError,
)
from adapters.builtin.medical_insurance.adapter import MedicalInsuranceAdapter
from adapters.builtin.medical_insurance.protocol import MessageIds, parse_reply
from adapters.sandbox.medical_insurance import MedicalInsuranceSandbox
from adapters.sandbox.medical_insurance.server import ENVELOPE_KEYS

GOLDEN = Path(__file__).parent.parent / "golden" / "medical_insurance"
RETIREE_M = ("330106196603151316", "周建国")
RETIREE_F = ("330102197106082427", "陈秀英")
UNEMPLOYED = ("330105198809213175", "王志强")
RETIREE_M2 = ("110105196609015174", "赵德明")
NOBODY = "330106190001019990"
SUBMITTED_AT = datetime(2026, 3, 16, 9, 30, tzinfo=timezone(timedelta(hours=8)))
MSGID = re.compile(r"^H33010600001(?P<time>\d{14})(?P<seq>\d{4})$")


@pytest.fixture(params=["spec"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[MedicalInsuranceSandbox]:
    server = MedicalInsuranceSandbox(session_ttl_s=1.0, variant=request.param)
    server.start()
    try:
        yield server
    finally:
        server.stop()


both_shapes = pytest.mark.parametrize("sandbox", ["spec", "deployment"], indirect=True)


def make_adapter(url: str, *, secret: str = PASSWORD, timeout: float = 0.5) -> MedicalInsuranceAdapter:
    adapter = make_builtin("adapters.builtin.medical_insurance", url, secret=secret, timeout=timeout)
    assert isinstance(adapter, MedicalInsuranceAdapter)
    return adapter


@pytest.fixture
def adapter(sandbox: MedicalInsuranceSandbox) -> Iterator[MedicalInsuranceAdapter]:
    a = make_adapter(sandbox.url)
    try:
        yield a
    finally:
        a.close()


def application(person: tuple[str, str], items: tuple[str, ...], **fields: str) -> CanonicalApplication:
    values = {"person.id_number": person[0], "person.name": person[1], "app.retirement_date": "2026-03-15",
              "app.retirement_type": "normal", "app.separation_date": "2026-02-28",
              "app.separation_reason": "dismissed", "app.flex_start_date": "2026-04-01",
              "app.flex_job_type": "个体经营", "app.contribution_base": "5000", **fields}
    return CanonicalApplication(case_no="OW20260316000001", one_thing="retire", items=items, fields=values,
                                materials=(), clerk="clerk01", counter="03", submitted_at=SUBMITTED_AT)


# -- lookup and the two reply shapes ---------------------------------------------------------------
@both_shapes
def test_lookup_maps_platform_codes_to_canonical(adapter: MedicalInsuranceAdapter) -> None:
    result = adapter.lookup(ask(*RETIREE_M))
    assert result.as_dict() == {
        "person.id_number": "330106196603151316", "person.name": "周建国", "person.gender": "1",
        "person.nation": "01", "person.birth_date": "1966-03-15",
        "person.residence_address": "浙江省杭州市西湖区文三路100号2幢301室", "mi.psn_no": "33000000000000001001",
        "mi.insutype": "310", "mi.insured_status": "1", "mi.insured_since": "1998-12-01",
        "mi.employer": "杭州西湖建设工程有限公司", "mi.insured_region": "330106",
    }
    for value in result.values:
        assert value.provenance.adapter_id == "medical_insurance" and value.provenance.verified
        assert value.provenance.source_ref == "33000000000000001001"


def test_published_shape_reads_without_warnings(adapter: MedicalInsuranceAdapter) -> None:
    assert adapter.lookup(ask(*RETIREE_M)).warnings == ()


@pytest.mark.parametrize("sandbox", ["deployment"], indirect=True)
def test_deployment_shape_is_read_and_what_was_not_read_is_said(adapter: MedicalInsuranceAdapter) -> None:
    result = adapter.lookup(ask(*RETIREE_M))
    assert result.as_dict()["person.birth_date"] == "1966-03-15"  # sent as 19660315
    assert result.as_dict()["mi.insutype"] == "310"
    assert any("insuinfo" in w and "单条" in w for w in result.warnings)
    assert any("idetinfo" in w for w in result.warnings)


def test_the_sandbox_shape_can_be_switched_at_run_time(sandbox: MedicalInsuranceSandbox,
                                                       adapter: MedicalInsuranceAdapter) -> None:
    assert adapter.lookup(ask(*RETIREE_M)).warnings == ()
    control(sandbox, "variant", {"variant": "deployment"})
    assert adapter.lookup(ask(*RETIREE_M)).warnings != ()


def test_planted_conflicts_are_there(adapter: MedicalInsuranceAdapter) -> None:
    assert adapter.lookup(ask(*RETIREE_F)).as_dict()["person.name"] == "陈秀瑛"  # her former name
    unemployed = adapter.lookup(ask(*UNEMPLOYED)).as_dict()
    assert unemployed["person.residence_address"] == "浙江省杭州市拱墅区湖墅南路12号1幢1101室"
    assert unemployed["mi.insured_status"] == "2"


def test_resident_insurance_only_is_read_as_390(adapter: MedicalInsuranceAdapter) -> None:
    values = adapter.lookup(ask(*RETIREE_M2)).as_dict()
    assert values["mi.insutype"] == "390" and "mi.employer" not in values


def test_unreadable_codes_become_warnings(sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter) -> None:
    sandbox.people[RETIREE_M[0]]["baseinfo"]["gend"] = "X"
    sandbox.people[RETIREE_M[0]]["insuinfo"][0]["psn_insu_stas"] = "7"
    result = adapter.lookup(ask(*RETIREE_M))
    values = result.as_dict()
    assert "person.gender" not in values and "mi.insured_status" not in values
    assert values["mi.insutype"] == "310"
    assert any("性别代码“X”" in w for w in result.warnings)
    assert any("参保状态代码“7”" in w for w in result.warnings)


def test_lookup_without_consent_is_refused_before_calling_the_platform(sandbox: MedicalInsuranceSandbox,
                                                                       adapter: MedicalInsuranceAdapter) -> None:
    with pytest.raises(ConsentError):
        adapter.lookup(ask(*RETIREE_M, consent=""))
    assert sandbox.request_count == 0


@both_shapes
def test_unknown_citizen_is_not_found(adapter: MedicalInsuranceAdapter) -> None:
    with pytest.raises(NotFoundError) as info:
        adapter.lookup(ask(NOBODY, "查无此人"))
    assert info.value.department_code == "-4"


@both_shapes
def test_wrong_password_is_an_auth_error(sandbox: MedicalInsuranceSandbox) -> None:
    a = make_adapter(sandbox.url, secret="wrong-password")
    try:
        with pytest.raises(AuthError) as info:
            a.lookup(ask(*RETIREE_M))
        assert "签到失败" in info.value.message_zh
        assert "wrong-password" not in str(info.value)
    finally:
        a.close()


def test_infcode_one_without_a_code_is_a_rejection_with_what_was_said() -> None:
    reply = parse_reply('{"infcode": "1", "err_msg": "参保地不符"}'.encode(), adapter_id="medical_insurance")
    assert (reply.code, reply.err_msg) == (-1, "参保地不符")
    with pytest.raises(MalformedReplyError):
        parse_reply(b'{"infcode": "ok"}', adapter_id="medical_insurance")


# -- sign-in and msgid -----------------------------------------------------------------------------
@both_shapes
def test_expired_sign_no_signs_in_again_transparently(sandbox: MedicalInsuranceSandbox,
                                                      adapter: MedicalInsuranceAdapter) -> None:
    adapter.lookup(ask(*RETIREE_M))
    adapter.lookup(ask(*RETIREE_F))
    assert control(sandbox, "stats")["sign_ins"] == 1
    time.sleep(1.1)  # the sandbox's sign_no lives 1 s
    assert adapter.lookup(ask(*RETIREE_M)).as_dict()["person.name"] == "周建国"
    assert control(sandbox, "stats")["sign_ins"] == 2
    control(sandbox, "expire_sessions", {})
    assert adapter.status(adapter.submit(adapter.render(application(RETIREE_M, ("MI-RETIREE-STATUS",))),
                                         "ow-after-expiry").department_ref).state == BranchState.RECEIVED
    assert control(sandbox, "stats")["sign_ins"] == 3


def test_close_signs_out(sandbox: MedicalInsuranceSandbox) -> None:
    a = make_adapter(sandbox.url)
    a.open_session()
    assert control(sandbox, "stats")["live_sign_nos"] == 1
    a.close()
    assert control(sandbox, "stats")["live_sign_nos"] == 0


def test_msgids_are_well_formed_and_unique_across_threads(adapter: MedicalInsuranceAdapter) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def burst() -> None:
        mine = [adapter.next_msgid() for _ in range(500)]
        with lock:
            ids.extend(mine)

    workers = [threading.Thread(target=burst) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(ids) == len(set(ids)) == 2000
    for msgid in ids:
        m = MSGID.match(msgid)
        assert m is not None and len(msgid) == 30
        datetime.strptime(m["time"], "%Y%m%d%H%M%S")


def test_platform_refuses_a_reused_msgid_and_a_malformed_one(sandbox: MedicalInsuranceSandbox) -> None:
    envelope = {key: "" for key in ENVELOPE_KEYS} | {
        "infno": "9100", "msgid": "H33010600001202603160930000001", "mdtrtarea_admvs": "330100",
        "insuplc_admdvs": "330100", "infver": "V1.0", "opter_type": "1", "opter": ACCOUNT,
        "inf_time": "2026-03-16 09:30:00", "fixmedins_code": "H33010600001", "input": {}}
    url = f"{sandbox.url}/fsi/api/rsfComIfsService/callService"
    first = requests.post(url, json=envelope, timeout=2).json()
    again = requests.post(url, json=envelope, timeout=2).json()
    short = requests.post(url, json=envelope | {"msgid": "H3301060000120260316"}, timeout=2).json()
    assert first["infcode"] == 0
    assert re.fullmatch(r"\d{17}", first["respond_time"]) and re.fullmatch(r"\d{17}", first["refmsg_time"])
    assert first["inf_refmsgid"]
    assert again["infcode"] == -6 and "重复" in again["err_msg"]
    assert short["infcode"] == -5 and "30位" in short["err_msg"]


def test_a_msgid_used_by_another_workstation_is_resent_under_a_new_one(sandbox: MedicalInsuranceSandbox) -> None:
    frozen = datetime(2026, 3, 16, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    first, second = make_adapter(sandbox.url), make_adapter(sandbox.url)
    try:
        for a in (first, second):  # same institution, same second, same sequence: the worst case
            a.context.clock = lambda: frozen
            a._msgids = MessageIds("H33010600001", start=0)
        first.open_session()
        second.open_session()  # its first msgid is the one `first` just used
        assert second.lookup(ask(*RETIREE_M)).as_dict()["person.name"] == "周建国"
        assert control(sandbox, "stats")["sign_ins"] == 2
    finally:
        first.close()
        second.close()


# -- render ----------------------------------------------------------------------------------------
def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("ONEWINDOW_REGENERATE_GOLDEN") == "1":  # only ever on purpose
        path.write_bytes(data)
    return path.read_bytes()


def test_render_matches_the_golden_payload_and_is_deterministic(adapter: MedicalInsuranceAdapter) -> None:
    app = application(RETIREE_M, ("SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "MI-UNEMP-COVERAGE", "MI-FLEX-ENROL"),
                      **{"mi.psn_no": "33000000000000001001"})
    payload = adapter.render(app)
    assert payload.body == _golden("retiree_all_items.json", payload.body)
    assert payload.preview == _golden("retiree_all_items.preview.json", payload.preview.encode()).decode()
    assert adapter.render(app) == payload
    assert payload.item_codes == ("MI-RETIREE-STATUS", "MI-UNEMP-COVERAGE", "MI-FLEX-ENROL")
    data = json.loads(payload.body)
    assert [a["aply_type"] for a in data["aply_list"]] == ["01", "02", "03"]
    assert data["aply_list"][1]["unemp_rea"] == "12" and data["aply_list"][2]["clct_base"] == "5000.00"
    assert data["aply_time"] == "2026-03-16 09:30:00"
    assert payload.field_sources["input.data.aply_list[0].retr_date"] == "app.retirement_date"


# -- submit and status -----------------------------------------------------------------------------
@both_shapes
def test_submit_twice_with_one_key_makes_one_record(sandbox: MedicalInsuranceSandbox,
                                                    adapter: MedicalInsuranceAdapter) -> None:
    assert_submit_is_idempotent(sandbox, adapter, adapter.render(application(RETIREE_M, ("MI-RETIREE-STATUS",))), "ow-case-1-mi")


def test_status_progresses_to_approved(sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter) -> None:
    assert_status_reaches_approved(sandbox, adapter, adapter.render(application(RETIREE_M, ("MI-RETIREE-STATUS",))))


def test_retirement_without_employee_insurance_is_rejected_with_the_reason(
        sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter) -> None:
    ref = adapter.submit(adapter.render(application(RETIREE_M2, ("MI-RETIREE-STATUS",))), "ow-3").department_ref
    control(sandbox, "advance", {"ref": ref})
    control(sandbox, "advance", {"ref": ref})
    result = adapter.status(ref)
    assert result.state == BranchState.REJECTED
    assert "未参加职工基本医疗保险" in result.reason


@both_shapes
def test_incomplete_submission_is_rejected_at_intake(sandbox: MedicalInsuranceSandbox,
                                                     adapter: MedicalInsuranceAdapter) -> None:
    payload = adapter.render(application(RETIREE_M, ("MI-FLEX-ENROL",), **{"app.flex_start_date": ""}))
    with pytest.raises(RejectedError) as info:
        adapter.submit(payload, "ow-4")
    assert "参保开始日期" in info.value.reason
    assert control(sandbox, "records")["records"] == []


def test_status_of_an_unknown_reference_is_not_found(adapter: MedicalInsuranceAdapter) -> None:
    with pytest.raises(NotFoundError):
        adapter.status("YB20990101999999")


# -- faults ----------------------------------------------------------------------------------------
def test_latency_within_the_timeout_is_fine(sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter) -> None:
    sandbox.set_faults(latency_s=0.1)
    assert adapter.lookup(ask(*RETIREE_M)).as_dict()["person.name"] == "周建国"


@pytest.mark.parametrize(("fault", "error"), [
    ({"hang_next": 1}, AdapterTimeout),
    ({"fail_next": 1}, UnavailableError),
    ({"malformed_next": 1}, MalformedReplyError),
    ({"outage": True}, UnavailableError),
])
def test_injected_faults_become_precise_errors(sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter,
                                               fault: dict[str, Any], error: type[Exception]) -> None:
    adapter.open_session()
    sandbox.set_faults(**fault)
    with pytest.raises(error):
        adapter.lookup(ask(*RETIREE_M))


@both_shapes
def test_platform_busy_is_unavailable_in_both_shapes(sandbox: MedicalInsuranceSandbox,
                                                     adapter: MedicalInsuranceAdapter) -> None:
    adapter.open_session()
    sandbox.set_faults(fail_next=1)
    with pytest.raises(UnavailableError) as info:
        adapter.lookup(ask(*RETIREE_M))
    assert "系统繁忙" in info.value.message_zh


def test_health(sandbox: MedicalInsuranceSandbox, adapter: MedicalInsuranceAdapter) -> None:
    assert adapter.health().ok
    sandbox.set_faults(outage=True)
    assert not adapter.health().ok
