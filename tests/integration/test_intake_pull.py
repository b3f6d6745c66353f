"""The parallel pull against real sandboxes: a department down, a department slow, a pull without consent,
retrying one department, the host's own deadline, and who may pull at all."""

from __future__ import annotations

import threading

import pytest

from _intake_helpers import retiree_case, sandboxes, ws  # noqa: F401
from desktop.security.accounts import PermissionDenied
from desktop.services.dto import PullStatus
from desktop.services.intake_errors import ConsentRequired
from desktop.services.intake_profile import resolve
from desktop.services import case_repo

DEPARTMENTS = {"social_security", "medical_insurance", "employment", "public_data"}


def sources_in_db(ws, case_id: int) -> set[str]:
    with ws.app.db.unit_of_work(read_only=True) as uow:
        return {r.source for r in case_repo.profile_rows(uow.session, case_id)}


def test_a_department_down_fails_alone_with_its_message(ws, sandboxes):
    case_id = retiree_case(ws)
    sandboxes["medical_insurance"].set_faults(outage=True)
    statuses = {s.adapter_id: s for s in ws.intake.pull(ws.clerk, case_id)}
    failed = statuses["medical_insurance"]
    assert failed.state == "failed"
    assert failed.message_zh == "医疗保障局系统暂时无法访问"
    assert failed.detail  # the precise English reason, for the copyable details
    assert "330106196603151316" not in failed.detail
    assert {a for a, s in statuses.items() if s.state == "done"} == DEPARTMENTS - {"medical_insurance"}
    assert sources_in_db(ws, case_id) == {"id_card"} | DEPARTMENTS - {"medical_insurance"}
    failures = [r for r in ws.app.audit.recent(20) if r.action == "department.pull" and r.detail["outcome"] == "failed"]
    assert [r.detail["adapter"] for r in failures] == ["medical_insurance"]
    reasons = ws.intake.missing_for_submit(ws.clerk, case_id)
    assert not any("医保" in r for r in reasons if "材料" in r)  # no material depends on 医保 data

    # the department comes back: the clerk retries just that one
    sandboxes["medical_insurance"].clear_faults()
    requests_before = {d: s.request_count for d, s in sandboxes.items()}
    retried = ws.intake.pull_one(ws.clerk, case_id, "medical_insurance")
    assert retried.state == "done" and retried.field_count > 0
    assert "medical_insurance" in sources_in_db(ws, case_id)
    assert {d: s.request_count for d, s in sandboxes.items() if d != "medical_insurance"} == \
        {d: n for d, n in requests_before.items() if d != "medical_insurance"}


def test_a_slow_department_does_not_hold_back_the_others(ws, sandboxes):
    case_id = retiree_case(ws)
    sandboxes["employment"].set_faults(latency_s=0.5)
    snapshots: list[tuple[str, str, bool]] = []
    last_state: dict[str, str] = {}
    lock = threading.Lock()

    def on_status(status: PullStatus) -> None:
        with lock:
            last_state[status.adapter_id] = status.state
            if status.state == "done" and status.adapter_id != "employment":
                # at the moment a fast department reports, its values are already stored and visible
                snapshots.append((status.adapter_id, last_state.get("employment", ""),
                                  status.adapter_id in sources_in_db(ws, case_id)))

    statuses = ws.intake.pull(ws.clerk, case_id, on_status=on_status)
    assert {s.state for s in statuses} == {"done"}
    assert sorted(a for a, _, _ in snapshots) == sorted(DEPARTMENTS - {"employment"})
    assert all(employment == "running" and stored for _, employment, stored in snapshots)


def test_no_consent_no_request(ws, sandboxes):
    case_id = retiree_case(ws, consent=False)
    with pytest.raises(ConsentRequired) as err:
        ws.intake.pull(ws.clerk, case_id)
    assert "授权" in err.value.message_zh
    with pytest.raises(ConsentRequired):
        ws.intake.pull_one(ws.clerk, case_id, "public_data")
    assert {d: s.request_count for d, s in sandboxes.items()} == dict.fromkeys(DEPARTMENTS, 0)
    assert not [r for r in ws.app.audit.recent(20) if r.action == "department.pull"]


def test_only_consented_departments_and_fields_are_asked(ws, sandboxes):
    case_id = retiree_case(ws, consent=False)
    scope = [s for s in ws.intake.consent_scope(ws.clerk, case_id) if s.adapter_id == "public_data"][0]
    narrowed = type(scope)(scope.department, scope.department_name, scope.adapter_id,
                           ("person.marital_status",), ("婚姻状况",))
    ws.intake.record_consent(ws.clerk, case_id, [narrowed], "办理退休一件事", "sms")
    statuses = {s.adapter_id: s for s in ws.intake.pull(ws.clerk, case_id)}
    assert statuses["public_data"].state == "done" and statuses["public_data"].field_count == 1
    assert {a for a, s in statuses.items() if s.state == "refused"} == DEPARTMENTS - {"public_data"}
    assert all("未授权" in statuses[a].message_zh for a in DEPARTMENTS - {"public_data"})
    assert all(sandboxes[d].request_count == 0 for d in DEPARTMENTS - {"public_data"})
    with ws.app.db.unit_of_work(read_only=True) as uow:
        pulled = {r.field for r in case_repo.profile_rows(uow.session, case_id) if r.source == "public_data"}
    assert pulled == {"person.marital_status"}


def test_the_host_deadline_ends_a_department_that_does_not_answer(ws, sandboxes):
    case_id = retiree_case(ws)
    ws.app.registry.configure("employment", {"timeout_s": 1.0}, "test")  # the worker's own end comes soon
    sandboxes["employment"].set_faults(hang=True)
    status = ws.intake.pull_one(ws.clerk, case_id, "employment", timeout_s=0.5)
    assert status.state == "failed" and "超时" in status.message_zh
    assert "employment" not in sources_in_db(ws, case_id)


def test_a_consent_scope_wider_than_the_case_needs_is_refused(ws):
    case_id = retiree_case(ws, consent=False)
    scope = [s for s in ws.intake.consent_scope(ws.clerk, case_id) if s.adapter_id == "employment"][0]
    wider = type(scope)(scope.department, scope.department_name, scope.adapter_id,
                        (*scope.fields, "emp.education"), (*scope.labels, "文化程度"))
    from desktop.services.intake_errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        ws.intake.record_consent(ws.clerk, case_id, [wider], "办理退休一件事", "signature")
    assert "超出" in err.value.message_zh


def test_roles_are_checked_in_the_service(ws, sandboxes):
    case_id = retiree_case(ws)
    with pytest.raises(PermissionDenied):
        ws.intake.pull(ws.admin, case_id)
    with pytest.raises(PermissionDenied):
        ws.intake.profile(ws.admin, case_id)
    assert all(s.request_count == 0 for s in sandboxes.values())
    # a supervisor stands in at the counter
    statuses = ws.intake.pull(ws.supervisor, case_id)
    assert {s.state for s in statuses} == {"done"}


def test_a_new_disagreeing_value_reopens_a_resolved_choice(ws, sandboxes):
    case_id = retiree_case(ws)
    ws.intake.pull(ws.clerk, case_id)
    ws.intake.choose_value(ws.clerk, case_id, "person.marital_status", "social_security")
    with ws.app.db.unit_of_work() as uow:
        # the department corrects its record between two pulls
        row = [r for r in case_repo.profile_rows(uow.session, case_id, "person.marital_status")
               if r.source == "social_security"][0]
        case_repo.upsert_value(uow.session, case_id, row.field, row.source, "40", fetched_at=row.fetched_at,
                               verified=True)
    with ws.app.db.unit_of_work(read_only=True) as uow:
        assert resolve(case_repo.profile_rows(uow.session, case_id))["person.marital_status"].chosen_source is None


def test_asking_a_department_again_keeps_the_clerks_picks(ws, sandboxes):
    case_id = retiree_case(ws)
    ws.intake.pull(ws.clerk, case_id)
    ws.intake.choose_value(ws.clerk, case_id, "person.address", "id_card")
    ws.intake.choose_value(ws.clerk, case_id, "person.marital_status", "social_security")
    before = {f.field: [(v.source, v.value) for v in f.values] for f in ws.intake.profile(ws.clerk, case_id)}
    # the department answers the same again: its values are confirmed, no pick re-opens, nothing is doubled
    assert ws.intake.pull_one(ws.clerk, case_id, "social_security").state == "done"
    after = {f.field: f for f in ws.intake.profile(ws.clerk, case_id)}
    assert after["person.address"].chosen_source == "id_card"
    assert after["person.marital_status"].chosen_source == "social_security"
    assert {name: [(v.source, v.value) for v in f.values] for name, f in after.items()} == before
