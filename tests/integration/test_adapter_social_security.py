"""The built-in 人社 adapter against its running sandbox: real HTTP on 127.0.0.1, real GBK XML."""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
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
from adapters.builtin.social_security.adapter import SocialSecurityAdapter
from adapters.builtin.social_security.protocol import CharsetError, decode_reply
from adapters.sandbox.social_security import SocialSecuritySandbox

GOLDEN = Path(__file__).parent.parent / "golden" / "social_security"
RETIREE_M = ("330106196603151316", "周建国")
RETIREE_F = ("330102197106082427", "陈秀英")
UNEMPLOYED = ("330105198809213175", "王志强")
RETIREE_M2 = ("110105196609015174", "赵德明")
RARE_NAME = ("330106199001011233", "欧阳喆")
NOBODY = "330106190001019990"  # well-formed, held by no seed
SUBMITTED_AT = datetime(2026, 3, 16, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def sandbox() -> Iterator[SocialSecuritySandbox]:
    server = SocialSecuritySandbox(session_ttl_s=1.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_adapter(url: str, *, secret: str = PASSWORD, timeout: float = 0.5) -> SocialSecurityAdapter:
    adapter = make_builtin("adapters.builtin.social_security", url, secret=secret, timeout=timeout)
    assert isinstance(adapter, SocialSecurityAdapter)
    return adapter


@pytest.fixture
def adapter(sandbox: SocialSecuritySandbox) -> Iterator[SocialSecurityAdapter]:
    a = make_adapter(sandbox.url)
    try:
        yield a
    finally:
        a.close()


def application(person: tuple[str, str], items: tuple[str, ...], **fields: str) -> CanonicalApplication:
    values = {"person.id_number": person[0], "person.name": person[1], "person.gender": "1",
              "person.phone": "13957112345", "person.bank_name": "中国工商银行杭州西湖支行",
              "person.bank_card": "6222021202041234567", "app.retirement_date": "2026-03-15",
              "app.retirement_type": "normal", "app.separation_date": "2026-02-28",
              "app.separation_reason": "contract_end", "app.flex_start_date": "2026-04-01",
              "app.flex_job_type": "网约车司机", "app.contribution_base": "5000", **fields}
    return CanonicalApplication(case_no="OW20260316000001", one_thing="retire", items=items, fields=values,
                                materials=(), clerk="clerk01", counter="03", submitted_at=SUBMITTED_AT)


# -- lookup ------------------------------------------------------------------------------------------
def test_lookup_maps_department_codes_and_keeps_the_planted_old_address(adapter: SocialSecurityAdapter) -> None:
    result = adapter.lookup(ask(*RETIREE_M))
    values = result.as_dict()
    assert values["person.name"] == "周建国"
    assert values["person.gender"] == "1"  # 男
    assert values["person.birth_date"] == "1966-03-15"  # 19660315
    assert values["person.address"] == "浙江省杭州市西湖区文二路55号1幢101室"  # the old address
    assert values["person.marital_status"] == "20"
    assert values["ss.insured_status"] == "1"  # 11 参保缴费
    assert values["ss.insured_since"] == "1988-07-01"
    assert values["ss.contribution_months"] == "456"
    assert values["ss.employer"] == "杭州西湖建设工程有限公司"
    assert values["person.bank_card"] == "6222021202041234567"
    assert result.warnings == ()
    for value in result.values:
        assert value.provenance.adapter_id == "social_security"
        assert value.provenance.verified is True
        assert value.provenance.source_ref == "33010600012601"


def test_lookup_folds_detailed_department_codes_into_canonical_ones(adapter: SocialSecurityAdapter) -> None:
    assert adapter.lookup(ask(*RETIREE_F)).as_dict()["person.marital_status"] == "20"  # 22 再婚
    unemployed = adapter.lookup(ask(*UNEMPLOYED)).as_dict()
    assert unemployed["ss.insured_status"] == "2"  # 21 中断缴费
    assert unemployed["ss.unemployment_insured_months"] == "152"


def test_lookup_returns_only_the_fields_asked_for(adapter: SocialSecurityAdapter) -> None:
    result = adapter.lookup(ask(*RETIREE_M, fields=("person.phone", "ss.person_no")))
    assert result.as_dict() == {"person.phone": "13957112345", "ss.person_no": "33010600012601"}


def test_unreadable_department_code_is_a_warning_not_a_guess(sandbox: SocialSecuritySandbox,
                                                              adapter: SocialSecurityAdapter) -> None:
    sandbox.people[RETIREE_M[0]]["AAC008"] = "99"
    result = adapter.lookup(ask(*RETIREE_M))
    assert "ss.insured_status" not in result.as_dict()
    assert any("参保状态“99”" in w for w in result.warnings)


def test_lookup_without_consent_is_refused_before_calling_the_department(sandbox: SocialSecuritySandbox,
                                                                         adapter: SocialSecurityAdapter) -> None:
    with pytest.raises(ConsentError):
        adapter.lookup(ask(*RETIREE_M, consent=" "))
    assert sandbox.request_count == 0


def test_unknown_citizen_is_not_found(adapter: SocialSecurityAdapter) -> None:
    with pytest.raises(NotFoundError) as info:
        adapter.lookup(ask(NOBODY, "查无此人"))
    assert info.value.department_code == "2001"
    assert NOBODY not in str(info.value)


def test_wrong_password_is_an_auth_error(sandbox: SocialSecuritySandbox) -> None:
    a = make_adapter(sandbox.url, secret="wrong-password")
    try:
        with pytest.raises(AuthError) as info:
            a.lookup(ask(*RETIREE_M))
        assert "用户名或密码错误" in info.value.message_zh
        assert "wrong-password" not in str(info.value)
        assert a.session_info().state.value == "failed"
    finally:
        a.close()


# -- render ------------------------------------------------------------------------------------------
def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("ONEWINDOW_REGENERATE_GOLDEN") == "1":  # only ever on purpose
        path.write_bytes(data)
    return path.read_bytes()


def test_render_matches_the_golden_payload_and_is_deterministic(adapter: SocialSecurityAdapter) -> None:
    app = application(RETIREE_M, ("SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "SS-UNEMP-BENEFIT", "SS-FLEX-ENROL"),
                      **{"ss.person_no": "33010600012601"})
    payload = adapter.render(app)
    assert payload.body == _golden("retiree_all_items.xml", payload.body)
    assert payload.preview == _golden("retiree_all_items.preview.txt", payload.preview.encode("utf-8")).decode("utf-8")
    assert adapter.render(app) == payload
    assert payload.item_codes == ("SS-PENSION-CLAIM", "SS-UNEMP-BENEFIT", "SS-FLEX-ENROL")  # no MI item
    assert payload.content_type == "text/xml; charset=GBK"
    assert payload.field_sources["ITEMLIST/ITEM[1]/AIC162"] == "app.retirement_date"
    assert payload.field_sources["PERSON/AAC004"] == "person.gender"
    body = ET.fromstring(payload.body.decode("gbk"))
    assert body.findtext("PERSON/AAC004") == "男"
    assert body.findtext("ITEMLIST/ITEM/AIC162") == "20260315"
    assert body.findtext("ITEMLIST/ITEM[3]/AAE180") == "5000.00"


def test_render_has_no_items_of_other_departments(adapter: SocialSecurityAdapter) -> None:
    payload = adapter.render(application(RETIREE_M, ("MI-RETIREE-STATUS", "EMP-RECORD-CLOSE")))
    assert payload.item_codes == ()
    assert b"<ITEM>" not in payload.body


# -- GBK -------------------------------------------------------------------------------------------
def test_rarer_gbk_characters_round_trip_through_the_department(sandbox: SocialSecuritySandbox,
                                                                adapter: SocialSecurityAdapter) -> None:
    assert adapter.lookup(ask(*RARE_NAME)).as_dict()["person.name"] == "欧阳喆"
    payload = adapter.render(application(RARE_NAME, ("SS-FLEX-ENROL",), **{"app.flex_job_type": "瑛喆工作室"}))
    assert "欧阳喆".encode("gbk") in payload.body and "瑛喆".encode("gbk") in payload.body
    assert "欧阳喆".encode("utf-8") not in payload.body
    # the department compares the name with its own record, so mojibake would be refused here
    adapter.submit(payload, "ow-rare-1")
    stored = control(sandbox, "records")["records"]
    assert len(stored) == 1
    record = sandbox.store.find("ow-rare-1")
    assert record is not None
    assert record.payload["PERSON"]["AAC003"] == "欧阳喆"
    assert record.payload["ITEMS"][0]["AAC062"] == "瑛喆工作室"


def test_a_character_outside_gbk_is_refused_with_a_precise_message(sandbox: SocialSecuritySandbox,
                                                                   adapter: SocialSecurityAdapter) -> None:
    with pytest.raises(CharsetError) as info:
        adapter.render(application(("330106199001011233", "𠮷祥"), ("SS-PENSION-CLAIM",)))
    error = info.value
    assert isinstance(error, RejectedError)
    assert "姓名" in error.reason and "𠮷" in error.reason and "U+20BB7" in error.reason
    assert "?" not in error.reason
    assert sandbox.request_count == 0


def test_the_department_refuses_a_character_reference_outside_gbk(sandbox: SocialSecuritySandbox) -> None:
    def post(text: str) -> ET.Element:
        r = requests.post(f"{sandbox.url}/hrss/gateway", data=text.encode("gbk"), timeout=2,
                          headers={"Content-Type": "text/xml; charset=GBK"})
        return ET.fromstring(r.content.decode("gbk"))

    login = post('<?xml version="1.0" encoding="GBK"?><PACKET><HEAD><TRANSCODE>1001</TRANSCODE><SEQ>1</SEQ></HEAD>'
                 f"<BODY><USERID>{ACCOUNT}</USERID><PASSWD>{PASSWORD}</PASSWD></BODY></PACKET>")
    ticket = login.findtext("BODY/TICKET")
    reply = post(f'<?xml version="1.0" encoding="GBK"?><PACKET><HEAD><TRANSCODE>3001</TRANSCODE><TICKET>{ticket}'
                 "</TICKET><SEQ>2</SEQ></HEAD><BODY><BUSKEY>k</BUSKEY><PERSON><AAC003>&#x20BB7;祥</AAC003></PERSON>"
                 "</BODY></PACKET>")
    assert reply.findtext("HEAD/RETCODE") == "3002"
    assert "U+20BB7" in (reply.findtext("HEAD/RETMSG") or "")
    assert control(sandbox, "records")["records"] == []


def test_a_reply_that_is_not_gbk_is_malformed_never_mojibake() -> None:
    utf8 = '<?xml version="1.0" encoding="GBK"?><PACKET><HEAD><RETCODE>0000</RETCODE></HEAD><BODY><AAC003>𠮷祥</AAC003></BODY></PACKET>'
    with pytest.raises(MalformedReplyError) as info:
        decode_reply(utf8.encode("utf-8"), adapter_id="social_security")
    assert "not valid GBK at byte" in info.value.detail


# -- submit and status -----------------------------------------------------------------------------
def test_submit_twice_with_one_key_makes_one_record(sandbox: SocialSecuritySandbox,
                                                    adapter: SocialSecurityAdapter) -> None:
    assert_submit_is_idempotent(sandbox, adapter, adapter.render(application(RETIREE_M, ("SS-PENSION-CLAIM",))), "ow-case-1-ss")


def test_status_progresses_to_approved(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    assert_status_reaches_approved(sandbox, adapter, adapter.render(application(RETIREE_M, ("SS-PENSION-CLAIM",))))


def test_status_progresses_by_time_too() -> None:
    with SocialSecuritySandbox(review_after_s=0.0, decide_after_s=0.2) as server:
        a = make_adapter(server.url)
        try:
            ref = a.submit(a.render(application(RETIREE_M, ("SS-PENSION-CLAIM",))), "ow-timed").department_ref
            assert a.status(ref).state == BranchState.IN_REVIEW
            time.sleep(0.25)
            assert a.status(ref).state == BranchState.APPROVED
        finally:
            a.close()


def test_pension_claim_with_too_few_months_is_rejected_with_the_department_reason(
        sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    ref = adapter.submit(adapter.render(application(RETIREE_M2, ("SS-PENSION-CLAIM",))), "ow-3").department_ref
    control(sandbox, "advance", {"ref": ref})
    control(sandbox, "advance", {"ref": ref})
    result = adapter.status(ref)
    assert result.state == BranchState.REJECTED
    assert "累计缴费不足15年" in result.reason


def test_incomplete_submission_is_rejected_at_intake_with_the_reason(sandbox: SocialSecuritySandbox,
                                                                     adapter: SocialSecurityAdapter) -> None:
    payload = adapter.render(application(RETIREE_M, ("SS-PENSION-CLAIM",), **{"app.retirement_date": ""}))
    with pytest.raises(RejectedError) as info:
        adapter.submit(payload, "ow-4")
    assert "退休日期" in info.value.reason and info.value.department_code == "3001"
    assert control(sandbox, "records")["records"] == []


def test_status_of_an_unknown_reference_is_not_found(adapter: SocialSecurityAdapter) -> None:
    with pytest.raises(NotFoundError):
        adapter.status("RS20990101999999")


# -- session ---------------------------------------------------------------------------------------
def test_ticket_expired_at_the_department_is_renewed_transparently(sandbox: SocialSecuritySandbox,
                                                                   adapter: SocialSecurityAdapter) -> None:
    adapter.lookup(ask(*RETIREE_M))
    control(sandbox, "expire_sessions", {})
    assert adapter.lookup(ask(*RETIREE_M)).as_dict()["person.name"] == "周建国"
    assert control(sandbox, "stats")["logins"] == 2
    assert adapter.session_info().state.value == "connected"


def test_ticket_lifetime_is_respected(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    adapter.lookup(ask(*RETIREE_M))
    adapter.lookup(ask(*RETIREE_F))
    assert control(sandbox, "stats")["logins"] == 1
    time.sleep(1.1)  # the sandbox's ticket lives 1 s
    adapter.lookup(ask(*RETIREE_M))
    assert control(sandbox, "stats")["logins"] == 2


def test_close_logs_out(sandbox: SocialSecuritySandbox) -> None:
    a = make_adapter(sandbox.url)
    a.open_session()
    assert control(sandbox, "stats")["live_tickets"] == 1
    a.close()
    assert control(sandbox, "stats")["live_tickets"] == 0


# -- faults ----------------------------------------------------------------------------------------
def test_latency_within_the_timeout_is_fine(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    sandbox.set_faults(latency_s=0.1)
    assert adapter.lookup(ask(*RETIREE_M)).as_dict()["person.name"] == "周建国"


@pytest.mark.parametrize(("fault", "error"), [
    ({"hang_next": 1}, AdapterTimeout),
    ({"fail_next": 1}, UnavailableError),
    ({"malformed_next": 1}, MalformedReplyError),
    ({"outage": True}, UnavailableError),
])
def test_injected_faults_become_precise_errors(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter,
                                               fault: dict[str, Any], error: type[Exception]) -> None:
    adapter.open_session()
    sandbox.set_faults(**fault)
    with pytest.raises(error):
        adapter.lookup(ask(*RETIREE_M))


def test_department_busy_carries_its_message(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    adapter.open_session()
    sandbox.set_faults(fail_next=1)
    with pytest.raises(UnavailableError) as info:
        adapter.lookup(ask(*RETIREE_M))
    assert "系统繁忙" in info.value.message_zh


def test_health(sandbox: SocialSecuritySandbox, adapter: SocialSecurityAdapter) -> None:
    assert adapter.health().ok
    sandbox.set_faults(outage=True)
    down = adapter.health()
    assert not down.ok and down.detail
