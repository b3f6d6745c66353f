"""Submitting a case through the service, against the four real sandboxes and a real database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set): one transaction writes the frozen application and one outbox
branch per department; what is refused writes nothing; a dispatcher then delivers every branch."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from _intake_helpers import retiree_case, sandboxes, ws  # noqa: F401
from desktop.bootstrap import build_app
from desktop.security.accounts import PermissionDenied
from desktop.services.application import application_from_json
from desktop.services.case_repo import local_day
from desktop.services.dispatcher import Dispatcher
from desktop.services.intake_errors import CaseNotEditable
from desktop.services.submission import SubmissionRefused, SubmissionService
from desktop.services.tracking_errors import StaleCase
from desktop.settings import Settings
from desktop.storage.case_models import Case, CaseEvent, OutboxBranch, Visit
from desktop.storage.models import AuditEntry



def retirement_departments(app) -> set[str]:
    """The enabled adapters that submit an item of 退休一件事 (the catalog and the manifests decide)."""
    items = set(app.catalog.one_things["OT-RETIRE"].items)
    found = {rec.id for rec in app.registry.enabled() if set(rec.manifest.items) & items}
    assert {"social_security", "medical_insurance", "employment"} <= found
    return found


def ready_case(ws) -> int:
    """周建国's 退休一件事, taken through the intake until nothing stops it from being submitted."""
    intake, clerk = ws.intake, ws.clerk
    case_id = retiree_case(ws)
    intake.pull(clerk, case_id)
    intake.choose_value(clerk, case_id, "person.address", "id_card")
    intake.choose_value(clerk, case_id, "person.marital_status", "public_data")
    intake.mark_received(clerk, case_id, "M-BANK-CARD")
    intake.tolerate(clerk, case_id, "M-PHOTO", "本人承诺于领取待遇前补交")
    intake.mark_received(clerk, case_id, "M-CONTRACT-END")
    form = {"app.retirement_date": "2026-03-15", "app.retirement_type": "normal"}
    assert intake.save_form(clerk, case_id, form) == {}
    assert intake.missing_for_submit(clerk, case_id) == []
    return case_id


def version_of(app, case_id: int) -> int:
    with app.db.unit_of_work(read_only=True) as uow:
        return uow.session.get(Case, case_id).version


def outbox(app, case_id: int | None = None) -> list[OutboxBranch]:
    with app.db.unit_of_work(read_only=True) as uow:
        query = select(OutboxBranch).order_by(OutboxBranch.adapter_id)
        if case_id is not None:
            query = query.where(OutboxBranch.case_id == case_id)
        return list(uow.session.scalars(query))


def service(ws) -> SubmissionService:
    return SubmissionService(ws.app, adapters=ws.backends.adapter, intake=ws.intake)


def test_submitting_writes_the_application_and_one_branch_per_department_then_each_is_delivered(ws) -> None:
    app, clerk = ws.app, ws.clerk
    case_id = ready_case(ws)
    views = service(ws).submit(clerk, case_id, version_of(app, case_id))

    departments = retirement_departments(app)
    assert {v.adapter_id for v in views} == departments
    assert all(v.state == "pending" and v.state_zh == "待发送" and v.department_ref is None for v in views)
    assert {v.adapter_id: v.item_codes for v in views}["social_security"] == ("SS-PENSION-CLAIM",)
    assert all(v.department_name != v.adapter_id for v in views)
    with app.db.unit_of_work(read_only=True) as uow:
        case = uow.session.get(Case, case_id)
        assert case.state == "submitted" and case.submitted_at == app.clock()
        longest = max(item.time_limit_days for item in app.catalog.items_of("OT-RETIRE"))
        assert case.due_date == app.calendar.add_working_days(local_day(app.clock()), longest)
        application = application_from_json(case.application_json)
        events = [e.kind for e in uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))]
        visits = uow.session.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == case_id))
        audited = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.submitted")).all()
    assert application.fields["app.retirement_date"] == "2026-03-15" and application.clerk == clerk.display_name
    assert "submitted" in events
    assert visits == 1  # the intake visit was counted when the card was read: the same trip
    assert len(audited) == 1 and audited[0].citizen_id_masked == "330106********1316"

    rows = outbox(app, case_id)
    for row in rows:
        assert row.idempotency_key == f"{case.case_no}:{row.adapter_id}:1"
        # exactly what the department's adapter renders from the frozen application (rendering is pure)
        assert row.payload == ws.backends.adapter(row.adapter_id).render(application).body

    with Dispatcher(app.db, ws.backends, name="test", max_workers=4) as dispatcher:
        assert dispatcher.run_once() == len(departments)
    delivered = {r.adapter_id: r for r in outbox(app, case_id)}
    assert {r.state for r in delivered.values()} == {"received"}
    for adapter_id, row in delivered.items():
        records = ws.sandboxes[adapter_id].store.all()
        assert [(s.key, s.ref) for s in records] == [(row.idempotency_key, row.department_ref)]
    with app.db.unit_of_work(read_only=True) as uow:
        assert uow.session.get(Case, case_id).state == "in_progress"


def test_a_case_that_is_not_ready_is_refused_and_nothing_is_written(ws) -> None:
    case_id = retiree_case(ws)  # consent given, nothing pulled, no materials
    with pytest.raises(SubmissionRefused) as refused:
        service(ws).submit(ws.clerk, case_id, version_of(ws.app, case_id))
    assert refused.value.message_zh.startswith("尚不能提交：")
    assert any("尚未收取" in reason for reason in refused.value.reasons)
    assert outbox(ws.app) == []
    with ws.app.db.unit_of_work(read_only=True) as uow:
        case = uow.session.get(Case, case_id)
        assert case.state == "draft" and case.application_json is None


def test_a_case_changed_since_the_screen_read_it_is_refused(ws) -> None:
    case_id = ready_case(ws)
    seen = version_of(ws.app, case_id)
    ws.intake.save_form(ws.clerk, case_id, {"app.retirement_type": "early"})  # another hand, meanwhile
    with pytest.raises(StaleCase) as stale:
        service(ws).submit(ws.clerk, case_id, seen)
    assert "已被他人修改" in stale.value.message_zh
    assert outbox(ws.app) == []


def test_a_case_is_submitted_once(ws) -> None:
    case_id = ready_case(ws)
    submission = service(ws)
    submission.submit(ws.clerk, case_id, version_of(ws.app, case_id))
    with pytest.raises(CaseNotEditable):
        submission.submit(ws.clerk, case_id, version_of(ws.app, case_id))
    assert len(outbox(ws.app)) == len(retirement_departments(ws.app))


def test_two_counters_pressing_submit_at_once_make_one_submission(ws, db_url, tmp_path, clock, fast_hasher) -> None:
    case_id = ready_case(ws)
    version = version_of(ws.app, case_id)
    other_app = build_app(Settings(db_url=db_url, data_dir=tmp_path / "other"), clock=clock,
                          password_hasher=fast_hasher)
    try:
        services = [service(ws), SubmissionService(other_app)]
        barrier = threading.Barrier(2)
        results: list[object] = []

        def press(submission: SubmissionService) -> None:
            barrier.wait()
            try:
                results.append(submission.submit(ws.clerk, case_id, version))
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                results.append(exc)

        threads = [threading.Thread(target=press, args=(s,)) for s in services]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        other_app.close()
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(results) == 2 and len(refused) == 1, results
    assert isinstance(refused[0], (StaleCase, CaseNotEditable)), refused
    assert len(outbox(ws.app)) == len(retirement_departments(ws.app))


def test_only_counter_staff_submit(ws) -> None:
    case_id = ready_case(ws)
    with pytest.raises(PermissionDenied):
        service(ws).submit(ws.admin, case_id, version_of(ws.app, case_id))
    assert outbox(ws.app) == []


def test_without_a_department_that_takes_the_items_nothing_is_submitted(ws) -> None:
    case_id = ready_case(ws)
    for adapter_id in retirement_departments(ws.app):
        ws.app.registry.disable(adapter_id, "admin01")
    with pytest.raises(SubmissionRefused) as refused:
        SubmissionService(ws.app, adapters=ws.backends.adapter).submit(ws.clerk, case_id,
                                                                        version_of(ws.app, case_id))
    assert "没有已启用的部门接口" in refused.value.message_zh
    assert outbox(ws.app) == []
    with ws.app.db.unit_of_work(read_only=True) as uow:
        assert uow.session.get(Case, case_id).state == "draft"
