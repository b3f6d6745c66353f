"""The dispatcher's database side: claiming due branches under a lease, and writing what happened.

Claims are short transactions. On PostgreSQL the due rows are selected ``FOR UPDATE SKIP LOCKED`` so
dispatchers sharing the database never pick the same row; on SQLite every write transaction starts with
``BEGIN IMMEDIATE`` (one writer at a time) and the UPDATE is a compare-and-set on the lease anyway. A
claim sets ``claimed_by``/``claimed_until``: a dispatcher that dies mid-send leaves a lease that expires,
and whoever claims the branch next first asks the department whether it already holds it.

Results are written in batches (one transaction for many branches) and only for branches the writer
still holds, so a dispatcher that lost its lease can never overwrite what another one recorded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, Update, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from desktop.services import dispatcher_states as st
from desktop.storage.case_models import Case, CaseEvent, OutboxBranch
from desktop.storage.db import Database

log = logging.getLogger(__name__)

_OUTBOX = OutboxBranch.__table__
_CASES = Case.__table__
_EVENTS = CaseEvent.__table__
#: one outcome, written only while the lease is still the writer's
_RECORD = update(_OUTBOX).where(
    _OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.claimed_by == bindparam("b_owner"),
    _OUTBOX.c.claimed_until == bindparam("b_lease", type_=_OUTBOX.c.claimed_until.type)).values(
    state=bindparam("b_state"), attempts=bindparam("b_attempts"), next_attempt_at=bindparam("b_next"),
    last_error=bindparam("b_error"), department_ref=bindparam("b_ref"), department_reason=bindparam("b_reason"),
    claimed_by=None, claimed_until=None, updated_at=bindparam("b_now", type_=_OUTBOX.c.updated_at.type))


class _LeaseLost(Exception):
    """Some outcome's lease is no longer the writer's: undo the batch update and write only those held."""
_NOW = bindparam("now", type_=_OUTBOX.c.next_attempt_at.type)
_FREE = or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < _NOW)
_CLAIM = (select(_OUTBOX.c.id, _OUTBOX.c.case_id, _OUTBOX.c.adapter_id, _OUTBOX.c.item_codes, _OUTBOX.c.content_type,
                 _OUTBOX.c.payload, _OUTBOX.c.idempotency_key, _OUTBOX.c.state, _OUTBOX.c.attempts,
                 _OUTBOX.c.department_ref, _OUTBOX.c.last_error, _OUTBOX.c.department_reason)
          .where(_OUTBOX.c.state == bindparam("state"))
          .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id).limit(bindparam("limit")))
#: due and free
_DUE = _CLAIM.where(_OUTBOX.c.next_attempt_at <= _NOW, _FREE)
#: a holder's lease ran out while the branch was ``sending`` (the holder died or lost its database)
_EXPIRED = _CLAIM.where(_OUTBOX.c.claimed_until < _NOW)
_POLL_DUE = _DUE.where(_OUTBOX.c.department_ref.is_not(None))
_TAKE = update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _FREE).values(
    claimed_by=bindparam("owner"), claimed_until=bindparam("lease", type_=_OUTBOX.c.claimed_until.type))
_TAKE_FOR_SENDING = _TAKE.values(state=st.SENDING)
_CASE_STATE_ZH = {"in_progress": "各部门已受理，办理中", "completed": "各部门均已办结，办件完成",
                  "rejected": "部门办理结束，有部门不予通过，请查看退回原因"}


@dataclass(frozen=True)
class ClaimedBranch:
    id: int
    case_id: int
    adapter_id: str
    item_codes: tuple[str, ...]
    content_type: str
    payload: bytes
    idempotency_key: str
    #: the state before this claim (the claim itself writes ``sending`` for a send)
    prior_state: str
    attempts: int
    department_ref: str | None
    last_error: str
    reason: str
    lease_until: datetime

    @property
    def must_resolve(self) -> bool:
        """True when an earlier attempt may have reached the department: ask it before sending again."""
        return self.prior_state in (st.SENDING, st.UNKNOWN, st.RETRY_WAIT) or bool(self.last_error)


@dataclass
class Outcome:
    """What one attempt on one branch came to; ``state`` None releases the claim and changes nothing."""

    branch: ClaimedBranch
    state: str | None
    next_attempt_at: datetime
    attempted: bool = False
    department_ref: str | None = None
    reason: str | None = None
    error: str | None = None
    #: timeline text (Chinese); None writes no entry
    event: str | None = None
    event_kind: str = "branch"
    extra: dict[str, str] = field(default_factory=dict)


class OutboxStore:
    def __init__(self, db: Database, owner: str, *, department_names: Mapping[str, str] | None = None) -> None:
        self._db = db
        self._owner = owner
        self._names = dict(department_names or {})
        self._postgres = db.dialect == "postgresql"

    @property
    def owner(self) -> str:
        return self._owner

    def department_name(self, adapter_id: str) -> str:
        return self._names.get(adapter_id, adapter_id)

    # -- claiming ---------------------------------------------------------------------------------------
    def claim_sends(self, *, now: datetime, lease_until: datetime, limit: int, skip: Collection[str] = (),
                    only: str | None = None) -> list[ClaimedBranch]:
        """Due sendable branches, marked ``sending``: first those a crashed holder left ``sending`` (lease
        run out), then ``unknown`` ones (the department is asked about them), retries, and new ones."""
        queues = [(_EXPIRED, st.SENDING), (_DUE, st.UNKNOWN), (_DUE, st.RETRY_WAIT), (_DUE, st.PENDING)]
        return self._claim(queues, _TAKE_FOR_SENDING, now=now, lease_until=lease_until, limit=limit, skip=skip,
                           only=only)

    def claim_polls(self, *, now: datetime, lease_until: datetime, limit: int,
                    skip: Collection[str] = ()) -> list[ClaimedBranch]:
        """Branches the department holds whose next status query is due; their state stays as it is."""
        return self._claim([(_POLL_DUE, state) for state in st.POLLABLE], _TAKE, now=now, lease_until=lease_until,
                           limit=limit, skip=skip, only=None)

    def _claim(self, queues: Sequence[tuple[Select[Any], str]], take: Update, *, now: datetime,
               lease_until: datetime, limit: int, skip: Collection[str], only: str | None) -> list[ClaimedBranch]:
        """One short transaction. Each state is its own query walking the (state, next_attempt_at) index in
        order, so a claim costs the same with ten or a hundred thousand branches waiting. The statements
        are built once (module level): a claim runs hot in a busy hall."""
        if limit <= 0:
            return []
        rows: list[Row[Any]] = []
        with self._db.unit_of_work() as uow:
            session = uow.session
            for query, state in queues:
                if len(rows) >= limit:
                    break
                if skip:
                    query = query.where(_OUTBOX.c.adapter_id.not_in(sorted(skip)))
                if only is not None:
                    query = query.where(_OUTBOX.c.adapter_id == only)
                if self._postgres:
                    query = query.with_for_update(skip_locked=True)
                rows += session.execute(query, {"state": state, "now": now, "limit": limit - len(rows)}).all()
            if not rows:
                return []
            ids = [r.id for r in rows]
            # compare-and-set on the lease: a no-op guard on PostgreSQL, where the rows are locked, and on
            # SQLite, where the transaction holds the write lock; it keeps the claim right on any database
            taken = session.execute(take, {"ids": ids, "now": now, "owner": self._owner, "lease": lease_until})
            if taken.rowcount != len(rows):
                held = set(session.scalars(select(_OUTBOX.c.id).where(
                    _OUTBOX.c.id.in_(ids), _OUTBOX.c.claimed_by == self._owner,
                    _OUTBOX.c.claimed_until == lease_until)))
                rows = [r for r in rows if r.id in held]
        return [ClaimedBranch(id=r.id, case_id=r.case_id, adapter_id=r.adapter_id,
                              item_codes=tuple(c for c in r.item_codes.split(",") if c),
                              content_type=r.content_type, payload=bytes(r.payload),
                              idempotency_key=r.idempotency_key, prior_state=r.state, attempts=r.attempts,
                              department_ref=r.department_ref, last_error=r.last_error or "",
                              reason=r.department_reason or "", lease_until=lease_until) for r in rows]

    # -- recording --------------------------------------------------------------------------------------
    def record(self, outcomes: Sequence[Outcome], *, now: datetime) -> int:
        """Write the outcomes this dispatcher still holds the lease for, their timeline entries, and the
        case states they lead to, in one transaction. Returns how many were written."""
        if not outcomes:
            return 0
        with self._db.unit_of_work() as uow:
            session = uow.session
            held = list(outcomes)
            try:
                # Almost always every lease is still ours: update with the lease in the WHERE and count.
                with session.begin_nested():
                    written = session.execute(_RECORD, [self._row_values(o, now) for o in held]).rowcount
                    if written != len(held):
                        raise _LeaseLost()
            except _LeaseLost:
                held = self._still_held(session, held)
                if held:
                    session.execute(_RECORD, [self._row_values(o, now) for o in held])
            events = [self._event(o, now) for o in held if o.event]
            if events:
                session.execute(insert(_EVENTS), events)
            changed = [o for o in held if o.state is not None and o.state != o.branch.prior_state]
            if changed:
                self._update_cases(session, changed, now)
        return len(held)

    def _still_held(self, session: Session, outcomes: list[Outcome]) -> list[Outcome]:
        by_id = {o.branch.id: o for o in outcomes}
        query = select(_OUTBOX.c.id, _OUTBOX.c.claimed_until).where(
            _OUTBOX.c.id.in_(list(by_id)), _OUTBOX.c.claimed_by == self._owner)
        if self._postgres:
            query = query.with_for_update()
        held = [by_id[i] for i, until in session.execute(query).all() if until == by_id[i].branch.lease_until]
        log.warning("%s: lease lost on %d branch(es) before recording; another dispatcher holds them",
                    self._owner, len(outcomes) - len(held))
        return held

    def _row_values(self, o: Outcome, now: datetime) -> dict[str, object]:
        b = o.branch
        state = o.state
        if state is None:  # released: back to where it was (a crashed holder's `sending` is now `unknown`)
            state = st.UNKNOWN if b.prior_state == st.SENDING else b.prior_state
        return {"b_id": b.id, "b_owner": self._owner, "b_lease": b.lease_until, "b_now": now, "b_state": state,
                "b_attempts": b.attempts + (1 if o.attempted else 0),
                "b_next": o.next_attempt_at, "b_error": b.last_error if o.error is None else o.error,
                "b_ref": o.department_ref or b.department_ref,
                "b_reason": o.reason if o.reason is not None else b.reason}

    def _event(self, o: Outcome, now: datetime) -> dict[str, object]:
        return {"case_id": o.branch.case_id, "at": now, "kind": o.event_kind, "text": o.event or "",
                "actor": self._owner, "adapter_id": o.branch.adapter_id}

    def _update_cases(self, session: Session, changed: Sequence[Outcome], now: datetime) -> None:
        moves: dict[tuple[tuple[str, ...], str], list[int]] = defaultdict(list)
        # The common case, a department taking a branch, needs no look at the other branches: a submitted
        # case is in progress from its first branch received.
        received = {o.branch.case_id for o in changed if o.state in (st.RECEIVED, st.IN_REVIEW)}
        others = {o.branch.case_id for o in changed} - received
        if received:
            moves[(("submitted", "rejected"), "in_progress")] = sorted(received)
        states: dict[int, list[str]] = defaultdict(list)
        current: dict[int, str] = {}
        if others:
            for case_id, state in session.execute(select(_OUTBOX.c.case_id, _OUTBOX.c.state)
                                                  .where(_OUTBOX.c.case_id.in_(sorted(others)))).all():
                states[case_id].append(state)
            current = dict(session.execute(select(_CASES.c.id, _CASES.c.state)
                                           .where(_CASES.c.id.in_(sorted(others)))).all())
        for case_id, state in current.items():
            new = st.case_state_for(state, states[case_id])
            if new != state:
                moves[((state,), new)].append(case_id)
        events: list[dict[str, object]] = []
        for (old, new), ids in moves.items():
            values: dict[str, object] = {"state": new, "updated_at": now, "version": _CASES.c.version + 1}
            if new == "completed":
                values["completed_at"] = now
            # compare-and-set on the state: a clerk's cancellation in between wins
            moved = session.scalars(update(_CASES).where(_CASES.c.id.in_(bindparam("ids", expanding=True)),
                                                         _CASES.c.state.in_(old))
                                    .values(**values).returning(_CASES.c.id), {"ids": ids}).all()
            events += [{"case_id": case_id, "at": now, "kind": f"case_{new}", "text": _CASE_STATE_ZH.get(new, new),
                        "actor": self._owner, "adapter_id": None} for case_id in sorted(moved)]
        if events:
            session.execute(insert(_EVENTS), events)
