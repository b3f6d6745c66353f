"""Case tracking against a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): the case
list, the audited detail, reassigning with the optimistic version, resend, cancel, visits and rating."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desktop.bootstrap import build_app
from desktop.security.accounts import PermissionDenied
from desktop.services.tracking import StaleCase, TrackingService, WrongCaseState
from desktop.settings import Settings
from desktop.storage.case_models import OutboxBranch, Visit
from desktop.storage.models import AuditEntry
from tracking_world import CITIZEN, build_world, set_branch, submitted_case


@pytest.fixture
def world(app):
    return build_world(app)


def audit_actions(app, action: str) -> int:
    with app.db.unit_of_work(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_clerk_sees_own_cases_and_supervisor_sees_every_counter(world) -> None:
    t, u = world.tracking, world.users
    mine = submitted_case(world, "clerk01")
    other = submitted_case(world, "clerk02", citizen=("330102197106082427", "陈秀英"))

    assert [c.id for c in t.list_cases(u["clerk01"])] == [mine]
    assert [c.id for c in t.list_cases(u["clerk01"], mine_only=False)] == [mine]  # a clerk cannot widen it
    assert {c.id for c in t.list_cases(u["super01"], mine_only=False)} == {mine, other}
    assert t.list_cases(u["super01"]) == []  # a supervisor's own cases: none

    row = t.list_cases(u["clerk01"])[0]
    assert row.citizen_id_masked == "330106********1316" and row.citizen_name == CITIZEN[1]
    assert row.one_thing_name == "退休一件事" and row.state_zh == "办理中" and row.visits == 1
    assert dict(row.branches) == {"employment": "received", "medical_insurance": "received",
                                  "social_security": "received"}
    sup = u["super01"]
    assert [c.id for c in t.list_cases(sup, mine_only=False, text="陈秀")] == [other]
    assert [c.id for c in t.list_cases(sup, mine_only=False, text=CITIZEN[0])] == [mine]  # full ID, by hash
    assert [c.id for c in t.list_cases(sup, mine_only=False, text=row.case_no.lower())] == [mine]
    assert t.list_cases(sup, mine_only=False, state="completed") == []
    with pytest.raises(PermissionDenied):
        t.list_cases(u["admin01"])


def test_opening_a_case_is_audited_but_its_polling_is_not(world) -> None:
    case_id = submitted_case(world, branches={"social_security": "rejected", "employment": "approved"},
                             reasons={"social_security": "累计缴费不足15年"})
    before = audit_actions(world.app, "case.viewed")
    detail = world.tracking.case_detail(world.users["clerk02"], case_id)  # any counter: the receipt's promise
    assert audit_actions(world.app, "case.viewed") == before + 1
    world.tracking.case_detail(world.users["clerk02"], case_id, refresh=True)
    assert audit_actions(world.app, "case.viewed") == before + 1

    social = next(b for b in detail.branches if b.adapter_id == "social_security")
    assert social.state_zh == "部门退回" and social.reason == "累计缴费不足15年"
    assert social.department_name != "social_security"  # the department as the clerk knows it
    assert [e.kind for e in detail.timeline] == ["opened", "submitted"]
    photo = next(m for m in detail.materials if m.code == "M-PHOTO")
    assert photo.status == "tolerated" and "前补交" in photo.status_zh


def test_two_supervisors_reassign_the_same_case_and_exactly_one_wins(world, db_url, clock, fast_hasher) -> None:
    case_id = submitted_case(world)
    version = world.tracking.case_detail(world.users["super01"], case_id).summary.version
    # The second supervisor works at another workstation: its own App and engine on the same database.
    other_app = build_app(Settings(db_url=db_url, data_dir=world.app.settings.data_dir), clock=clock,
                          password_hasher=fast_hasher)
    try:
        other = TrackingService(other_app)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def reassign(name: str, service: TrackingService, to: str) -> None:
            barrier.wait()
            try:
                results[name] = service.reassign(world.users[name], case_id, to, version)
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                results[name] = exc

        threads = [threading.Thread(target=reassign, args=("super01", world.tracking, "clerk02")),
                   threading.Thread(target=reassign, args=("super02", other, "super02"))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=30)
    finally:
        other_app.close()
    errors = [r for r in results.values() if isinstance(r, Exception)]
    wins = [r for r in results.values() if not isinstance(r, Exception)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], StaleCase) and errors[0].message_zh == "该办件已被他人修改，请刷新后重试"
    detail = world.tracking.case_detail(world.users["super01"], case_id)
    assert detail.summary.assignee == wins[0].assignee and detail.summary.version == version + 1
    assert [e.kind for e in detail.timeline].count("reassigned") == 1
    assert audit_actions(world.app, "case.reassigned") == 1


def test_only_a_supervisor_reassigns_and_only_to_a_clerk(world) -> None:
    case_id = submitted_case(world)
    t, u = world.tracking, world.users
    version = t.case_detail(u["super01"], case_id).summary.version
    with pytest.raises(PermissionDenied):
        t.reassign(u["clerk01"], case_id, "clerk02", version)
    with pytest.raises(Exception, match="admin01") as info:
        t.reassign(u["super01"], case_id, "admin01", version)
    assert "窗口人员" in info.value.message_zh
    moved = t.reassign(u["super01"], case_id, "clerk02", version)
    assert moved.assignee == "陈晓" and [c.id for c in t.list_cases(u["clerk02"])] == [case_id]
    with pytest.raises(StaleCase):  # the screen still shows the old version
        t.reassign(u["super01"], case_id, "clerk01", version)


def test_resend_puts_a_failed_branch_back_with_the_same_key(world) -> None:
    case_id = submitted_case(world, branches={"social_security": "attention", "employment": "received"})
    t, clerk = world.tracking, world.users["clerk01"]
    detail = t.case_detail(clerk, case_id)
    stuck = next(b for b in detail.branches if b.adapter_id == "social_security")
    received = next(b for b in detail.branches if b.adapter_id == "employment")
    with world.app.db.unit_of_work(read_only=True) as uow:
        key = uow.session.get(OutboxBranch, stuck.id).idempotency_key

    view = t.resend_branch(clerk, stuck.id)
    # retry_wait, due now: the dispatcher first asks the department about the old key, then sends
    assert view.state == "retry_wait" and view.attempts == 0
    with world.app.db.unit_of_work(read_only=True) as uow:
        row = uow.session.get(OutboxBranch, stuck.id)
        assert row.idempotency_key == key and row.next_attempt_at <= world.app.clock()
    with pytest.raises(WrongCaseState) as info:
        t.resend_branch(clerk, received.id)
    assert "无需重新发送" in info.value.message_zh
    assert "resend" in [e.kind for e in t.case_detail(clerk, case_id).timeline]


def test_cancel_withdraws_unsent_branches_and_lists_the_sent_ones(world) -> None:
    case_id = submitted_case(world, branches={"social_security": "pending", "medical_insurance": "retry_wait",
                                              "employment": "received"})
    t, clerk = world.tracking, world.users["clerk01"]
    with pytest.raises(Exception) as info:
        t.cancel(clerk, case_id, "  ")
    assert info.value.message_zh == "请填写撤销原因"

    outcome = t.cancel(clerk, case_id, "申请人决定暂缓退休")
    assert {b.adapter_id for b in outcome.cancelled} == {"social_security", "medical_insurance"}
    assert [b.adapter_id for b in outcome.already_sent] == ["employment"]
    assert outcome.summary.state == "cancelled"
    detail = t.case_detail(clerk, case_id)
    assert detail.cancel_reason == "申请人决定暂缓退休"
    assert {b.adapter_id: b.state for b in detail.branches} == {
        "social_security": "cancelled", "medical_insurance": "cancelled", "employment": "received"}
    assert "已送达部门的分支保留" in detail.timeline[-1].text
    with pytest.raises(WrongCaseState):
        t.cancel(clerk, case_id, "再撤一次")


def test_rating_only_once_and_only_when_completed(world) -> None:
    case_id = submitted_case(world, branches={"social_security": "in_review"})
    t, clerk = world.tracking, world.users["clerk01"]
    with pytest.raises(WrongCaseState) as info:
        t.rate(clerk, case_id, 5, "很好")
    assert info.value.message_zh == "办件办结后才能进行满意度评价"

    set_branch(world, case_id, "social_security", "approved", case_state="completed")
    with pytest.raises(Exception) as bad:
        t.rate(clerk, case_id, 6)
    assert bad.value.message_zh == "评价分数应为 1 到 5 分"
    t.rate(clerk, case_id, 4, "  办事快，窗口人员耐心  ")
    assert t.case_detail(clerk, case_id).rating == (4, "办事快，窗口人员耐心")
    with pytest.raises(WrongCaseState, match="already rated"):
        t.rate(clerk, case_id, 5)


def test_one_visit_rate_counts_every_trip_and_the_pickup_still_to_come(world, clock) -> None:
    t, u = world.tracking, world.users
    courier = submitted_case(world, delivery="courier", state="completed")  # 1 visit: counts
    pickup_waiting = submitted_case(world, state="completed")  # the pickup trip is still to come
    picked_up = submitted_case(world, state="completed")
    clock.advance(days=3)
    t.record_visit(u["clerk01"], picked_up, "pickup")  # intake + pickup = 2
    supplemented = submitted_case(world, delivery="courier", state="completed")
    t.record_visit(u["clerk01"], supplemented, "supplement")
    submitted_case(world, delivery="courier")  # not completed: not counted
    submitted_case(world, "clerk02", delivery="courier", state="completed")

    rate = t.one_visit_rate(u["super01"])
    assert (rate.cases_done, rate.done_in_one_visit) == (5, 2)
    assert rate.rate == pytest.approx(0.4)
    assert t.one_visit_rate(u["clerk01"])[:2] == (4, 1)  # a clerk's own cases
    assert t.one_visit_rate(u["super01"], since=clock() - timedelta(hours=1))[:2] == (2, 1)  # the last 3 days
    assert t.one_visit_rate(u["super01"], since=clock() + timedelta(seconds=1)) == (0, 0, 0.0)
    with pytest.raises(WrongCaseState) as info:
        t.record_visit(u["clerk01"], courier, "pickup")
    assert "邮寄" in info.value.message_zh
    with world.app.db.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == courier)) == 1
    assert pickup_waiting


def test_a_scanned_case_number_finds_the_case(world) -> None:
    case_id = submitted_case(world)
    t, clerk = world.tracking, world.users["clerk02"]
    case_no = t.list_cases(world.users["clerk01"])[0].case_no
    assert t.find_by_case_no(clerk, case_no.lower()).id == case_id  # Caps Lock on the scanner
    assert t.find_by_case_no(clerk, "YC330106-20200101-0001") is None
    assert t.find_by_case_no(clerk, "not a case number") is None
    with pytest.raises(PermissionDenied):
        t.find_by_case_no(world.users["admin01"], case_no)


def test_receipt_and_notice_data_carry_masked_numbers_only(world) -> None:
    case_id = submitted_case(world, delivery="courier")
    t, clerk = world.tracking, world.users["clerk01"]
    receipt = t.receipt_data(clerk, case_id)
    receipt.validate()  # what ui/printing does before laying out
    assert receipt.applicant_id_masked == "330106********1316"
    assert receipt.delivery.phone_masked == "138****5678"
    assert [i.code for i in receipt.items] == ["SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "EMP-RECORD-CLOSE",
                                               "PD-RETIRE-ARCHIVE"]
    assert [m.name for m in receipt.materials_tolerated] == ["近期免冠照片（一寸）"]
    assert receipt.hall_name == "西湖区政务服务中心" and receipt.clerk_name == "王小明"
    notice = t.notice_data(clerk, case_id)
    notice.validate()
    assert [m.name for m in notice.owed] == ["近期免冠照片（一寸）"] and "容缺" in notice.owed[0].where_to_get
    assert audit_actions(world.app, "case.receipt") == 1
