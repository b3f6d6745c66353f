"""Chinese names the case screens share (the core's own tables, so list and detail read alike)."""

from __future__ import annotations

from desktop.services.case_repo import STATE_ZH
from desktop.services.dispatcher_states import BRANCH_STATE_ZH, REJECTED, RESENDABLE

#: the case list's state filter, in the order a clerk thinks of a case's life
CASE_STATES: tuple[str, ...] = ("draft", "submitted", "in_progress", "rejected", "completed", "cancelled")


def case_state_zh(state: str) -> str:
    return STATE_ZH.get(state, state)


def branch_state_zh(state: str) -> str:
    return BRANCH_STATE_ZH.get(state, state)


__all__ = ["BRANCH_STATE_ZH", "CASE_STATES", "REJECTED", "RESENDABLE", "branch_state_zh", "case_state_zh"]
