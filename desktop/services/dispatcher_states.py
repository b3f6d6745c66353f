"""The states of an outbox branch and of the case they add up to, with their Chinese names.

Shared by the submission, the dispatcher and the case tracking screens, so every part reads a branch's
state the same way. See ``desktop.storage.case_models.OutboxBranch`` for the life of a branch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from desktop.services.dto import BranchView
from desktop.storage.case_models import OutboxBranch

PENDING = "pending"
SENDING = "sending"
UNKNOWN = "unknown"
RETRY_WAIT = "retry_wait"
ATTENTION = "attention"
RECEIVED = "received"
IN_REVIEW = "in_review"
APPROVED = "approved"
REJECTED = "rejected"
CANCELLED = "cancelled"

BRANCH_STATE_ZH: Mapping[str, str] = {
    PENDING: "待发送", SENDING: "发送中", UNKNOWN: "结果待核实", RETRY_WAIT: "等待重发",
    ATTENTION: "需人工处理", RECEIVED: "部门已受理", IN_REVIEW: "部门审核中", APPROVED: "审核通过",
    REJECTED: "部门退回", CANCELLED: "已撤销",
}

#: a dispatcher may pick these up when they are due (``next_attempt_at``) and nobody holds them
SENDABLE: tuple[str, ...] = (PENDING, RETRY_WAIT, UNKNOWN)
#: the department holds the branch; its status is polled until it is final
POLLABLE: tuple[str, ...] = (RECEIVED, IN_REVIEW)
#: nothing more will happen to the branch without a person
FINAL: tuple[str, ...] = (APPROVED, REJECTED, CANCELLED)
#: the case may be cancelled with these branches: the department has not (possibly) seen them
CANCELLABLE: tuple[str, ...] = (PENDING, RETRY_WAIT, ATTENTION)
#: a person may send these again (same idempotency key)
RESENDABLE: tuple[str, ...] = (ATTENTION, RETRY_WAIT, UNKNOWN)


def branch_view(row: OutboxBranch, department_name: str | None = None) -> BranchView:
    return BranchView(
        id=row.id, adapter_id=row.adapter_id, department_name=department_name or row.adapter_id,
        item_codes=tuple(code for code in row.item_codes.split(",") if code),
        state=row.state, state_zh=BRANCH_STATE_ZH.get(row.state, row.state),
        department_ref=row.department_ref, reason=row.department_reason, attempts=row.attempts,
        last_error=row.last_error, updated_at=row.updated_at,
    )


def case_state_for(current: str, branch_states: Iterable[str]) -> str:
    """The case state the branches add up to. A draft or a cancelled case is left as it is, and so is a
    case whose branches are all cancelled (the cancellation decides that case)."""
    if current in ("draft", "cancelled"):
        return current
    states = [s for s in branch_states if s != CANCELLED]
    if not states:
        return current
    if all(s == APPROVED for s in states):
        return "completed"
    if all(s in FINAL for s in states):
        return "rejected"
    if any(s in (RECEIVED, IN_REVIEW, APPROVED, REJECTED) for s in states):
        return "in_progress"
    return "submitted" if current == "submitted" else current
