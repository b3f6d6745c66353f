"""Supplementing after a rejection, with the real 人社 adapter and its sandbox on loopback: the rejected branch
is rendered again and queued under a NEW idempotency key, which the department records as a new
submission (the old key would only hand back the old rejection)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from adapters.api import Credentials, RenderedPayload
from adapters.sandbox.base import DEFAULT_ACCOUNTS
from desktop.services.tracking import WrongCaseState
from desktop.storage.case_models import MaterialFile, OutboxBranch, Visit
from tracking_world import build_world, set_branch, submitted_case, sandbox  # noqa: F401 - the fixture

ACCOUNT, SECRET = next(iter(DEFAULT_ACCOUNTS.items()))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(app, sandbox):  # noqa: F811 - the imported fixture
    return build_world(app, {"social_security": sandbox})


def department(world):
    return world.app.registry.create("social_security", lambda: Credentials(ACCOUNT, SECRET))


def branch(world, case_id: int) -> OutboxBranch:
    with world.app.db.unit_of_work(read_only=True) as uow:
        row = uow.session.scalars(select(OutboxBranch).where(OutboxBranch.case_id == case_id,
                                                             OutboxBranch.adapter_id == "social_security")).one()
        uow.session.expunge(row)
        return row


def send(adapter, row: OutboxBranch):
    payload = RenderedPayload(row.adapter_id, tuple(row.item_codes.split(",")), row.content_type, row.payload, "", {})
    return adapter.submit(payload, row.idempotency_key)


def test_supplement_counts_a_visit_and_requeues_the_rejected_branch_under_a_new_key(world, sandbox, clock,
                                                                                     tmp_path) -> None:
    case_id = submitted_case(world, branches={"social_security": "received", "employment": "approved"})
    adapter = department(world)
    try:
        first = send(adapter, branch(world, case_id))  # what the dispatcher did at submission
        requests.post(f"{sandbox.url}/_control/advance", timeout=2,
                      json={"ref": first.department_ref, "state": "rejected", "reason": "缺少本人银行卡复印件"}
                      ).raise_for_status()
        set_branch(world, case_id, "social_security", "rejected", "缺少本人银行卡复印件", case_state="rejected")
        old = branch(world, case_id)

        clock.advance(days=2)  # the citizen comes back another day
        scan = tmp_path / "bank-card.png"
        scan.write_bytes(PNG)
        clerk = world.users["clerk02"]  # any counter may take the supplement
        outcome = world.tracking.supplement(clerk, case_id, ["M-BANK-CARD"], {"M-BANK-CARD": [scan]})

        assert outcome.visit_counted and outcome.summary.visits == 2
        assert [b.adapter_id for b in outcome.requeued] == ["social_security"]
        assert outcome.summary.state == "in_progress"
        new = branch(world, case_id)
        assert new.state == "pending" and new.attempts == 0 and new.department_ref is None
        assert old.idempotency_key.endswith(":social_security:1")
        assert new.idempotency_key == old.idempotency_key[:-1] + "2"  # the department's 2nd submission
        assert new.payload != old.payload  # rendered again (new submission time)
        detail = world.tracking.case_detail(clerk, case_id)
        assert {b.adapter_id: b.state for b in detail.branches} == {"social_security": "pending",
                                                                    "employment": "approved"}
        assert any("缺少本人银行卡复印件" in e.text and e.kind == "resubmitted" for e in detail.timeline)
        bank = next(m for m in detail.materials if m.code == "M-BANK-CARD")
        assert bank.status == "received" and [f for f, _ in bank.files] == ["bank-card.png"]

        # The department: the old key returns the old rejected record; the new one is a new submission.
        again = send(adapter, old)
        assert again.duplicate and again.department_ref == first.department_ref
        fresh = send(adapter, new)
        assert not fresh.duplicate and fresh.department_ref != first.department_ref
        records = requests.get(f"{sandbox.url}/_control/records", timeout=2).json()["records"]
        assert sorted(r["key"] for r in records) == sorted([old.idempotency_key, new.idempotency_key])
    finally:
        adapter.close()
    with world.app.db.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(MaterialFile)) == 1
        assert uow.session.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == case_id)) == 2


def test_supplement_is_refused_without_a_rejection_or_for_an_unrelated_material(world, clock) -> None:
    case_id = submitted_case(world, branches={"social_security": "in_review", "employment": "rejected"},
                             reasons={"employment": "就业登记信息不一致"})
    t, clerk = world.tracking, world.users["clerk01"]
    clock.advance(days=1)
    # M-BANK-CARD is a social security material; only the employment branch was rejected
    with pytest.raises(Exception) as unrelated:
        t.supplement(clerk, case_id, ["M-BANK-CARD"])
    assert "无关" in unrelated.value.message_zh
    with pytest.raises(Exception) as unknown:
        t.supplement(clerk, case_id, ["M-NOT-THERE"])
    assert "M-NOT-THERE" in unknown.value.message_zh
    set_branch(world, case_id, "employment", "approved")
    with pytest.raises(WrongCaseState) as none:
        t.supplement(clerk, case_id, ["M-BANK-CARD"])
    assert none.value.message_zh == "没有被部门退回的分支，无需补正"
    with world.app.db.unit_of_work(read_only=True) as uow:  # nothing half-written by the refusals
        assert uow.session.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == case_id)) == 1
