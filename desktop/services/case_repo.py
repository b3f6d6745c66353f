"""Queries and small writes on cases that several services share (intake, submission, case list).

Every function takes the caller's Session: the caller owns the unit of work. Nothing here checks roles.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.documents.case_number import CASE_NUMBER_PREFIX, MAX_DAILY_SEQUENCE, format_case_number
from desktop.identity import mask_id_number
from desktop.services.dto import CaseSummary
from desktop.services.intake_errors import CaseNotEditable, CaseNotFound, IntakeError
from desktop.storage.case_models import (
    Case, CaseEvent, CaseMaterial, Citizen, MaterialFile, OutboxBranch, ProfileValue, Visit,
)
from desktop.storage.models import User

log = logging.getLogger(__name__)

# The statements of the intake's hot path are built once, as plain table statements with bound parameters:
# building a statement and its cache key anew, and the ORM's handling of entities, cost more than SQLite's
# own work on these small rows. A plain statement does not flush the session first: callers flush.
_PV = ProfileValue.__table__
_CASES = Case.__table__
_CITIZENS = Citizen.__table__
_MATERIALS = CaseMaterial.__table__
_VISITS = Visit.__table__
_OUTBOX = OutboxBranch.__table__
_USERS = User.__table__
# a source's own rows of some fields, and the clerk's picks among those fields
_MINE_AND_PICKS = (select(_PV.c.id, _PV.c.field, _PV.c.source, _PV.c.value, _PV.c.chosen)
                   .where(_PV.c.case_id == bindparam("case_id"), _PV.c.field.in_(bindparam("fields", expanding=True)),
                          or_(_PV.c.source == bindparam("source"), _PV.c.chosen.is_(True)))
                   .order_by(_PV.c.id))
_PROFILE_OF_CASE = (select(_PV.c.field, _PV.c.value, _PV.c.source, _PV.c.fetched_at, _PV.c.verified, _PV.c.chosen)
                    .where(_PV.c.case_id == bindparam("case_id")).order_by(_PV.c.field, _PV.c.id))
_INSERT_VALUES = insert(_PV)
_UPDATE_VALUE = (update(_PV).where(_PV.c.id == bindparam("b_id"))
                 .values(value=bindparam("b_value"), fetched_at=bindparam("b_fetched_at"),
                         verified=bindparam("b_verified")))
_CONFIRM_VALUES = (update(_PV).where(_PV.c.id.in_(bindparam("ids", expanding=True)))
                   .values(fetched_at=bindparam("b_fetched_at"), verified=bindparam("b_verified")))
_UNPICK = (update(_PV).where(_PV.c.id.in_(bindparam("ids", expanding=True))).values(chosen=False, chosen_by=""))
_INSERT_EVENT = insert(CaseEvent.__table__)
_CASE_HEAD = (select(_CASES.c.id, _CASES.c.case_no, _CASES.c.one_thing, _CASES.c.state, _CITIZENS.c.id_number,
                     _CITIZENS.c.name)
              .join_from(_CASES, _CITIZENS, _CASES.c.citizen_id == _CITIZENS.c.id)
              .where(_CASES.c.id == bindparam("case_id")))
_PENDING_PULLED = select(_MATERIALS.c.code).where(_MATERIALS.c.case_id == bindparam("case_id"),
                                                 _MATERIALS.c.status == "pending", _MATERIALS.c.source == "pulled")
_MATERIAL_CODES = select(_MATERIALS.c.code).where(_MATERIALS.c.case_id == bindparam("case_id"))
_LAST_VISIT = select(func.max(_VISITS.c.at)).where(_VISITS.c.case_id == bindparam("case_id"))
_ASSIGNEE_AND_VISITS = select(
    select(_USERS.c.display_name).where(_USERS.c.id == bindparam("user_id")).scalar_subquery(),
    select(func.count()).select_from(_VISITS).where(_VISITS.c.case_id == bindparam("case_id")).scalar_subquery())
_BRANCH_STATES = (select(_OUTBOX.c.adapter_id, _OUTBOX.c.state).where(_OUTBOX.c.case_id == bindparam("case_id"))
                  .order_by(_OUTBOX.c.adapter_id))

#: states in which the citizen still has business at the hall: a new card read opens this case again
OPEN_STATES = ("draft", "submitted", "in_progress")
STATE_ZH = {"draft": "草稿", "submitted": "已提交", "in_progress": "办理中", "completed": "已办结",
            "rejected": "不予办理", "cancelled": "已撤销"}
#: service halls keep China Standard Time: a case's day and due dates are days there
CST = timezone(timedelta(hours=8))
#: a draft number can collide with another workstation's: try again this many times with the next number
_CASE_NUMBER_ATTEMPTS = 20
# ORM statements of the card read, built once (the entities are changed by the caller)
_CITIZEN_BY_HASH = select(Citizen).where(Citizen.id_hash == bindparam("id_hash"))
_OPEN_CASE_OF_CITIZEN = (select(Case).where(Case.citizen_id == bindparam("citizen_id"), Case.state.in_(OPEN_STATES))
                         .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def citizen_id_hash(id_number: str) -> str:
    """Lookup key of a citizen: sha256 of the upper-case 18-character number."""
    return hashlib.sha256(id_number.strip().upper().encode("ascii")).hexdigest()


def find_citizen(session: Session, id_number: str) -> Citizen | None:
    return session.scalar(_CITIZEN_BY_HASH, {"id_hash": citizen_id_hash(id_number)})


def get_or_create_citizen(session: Session, id_number: str, name: str, now: datetime) -> Citizen:
    """The citizen's row; created when new. Safe when two counters read the same card at once."""
    citizen = find_citizen(session, id_number)
    if citizen is not None:
        if name and citizen.name != name:
            citizen.name = name
        return citizen
    number = id_number.strip().upper()
    try:
        with session.begin_nested():
            citizen = Citizen(id_hash=citizen_id_hash(number), id_number=number,
                              id_masked=mask_id_number(number), name=name, created_at=now)
            session.add(citizen)
    except IntegrityError:
        # another counter created the same citizen a moment ago
        citizen = find_citizen(session, number)
        if citizen is None:
            raise
    return citizen


def find_open_case(session: Session, citizen_id: int) -> Case | None:
    return session.scalar(_OPEN_CASE_OF_CITIZEN, {"citizen_id": citizen_id})


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"case {case_id} does not exist", "找不到该办件，可能已被删除")
    return case


class CaseHead(NamedTuple):
    """What a step that writes beside the case, not the case itself, needs to know of it."""

    id: int
    case_no: str
    one_thing: str | None
    state: str
    citizen_id_number: str
    citizen_name: str


def case_head(session: Session, case_id: int) -> CaseHead:
    """The case's number, one-thing and state with the citizen's ID number and name, in one query and
    without loading the case into the session (get_case gives a case to change)."""
    session.flush()
    row = session.execute(_CASE_HEAD, {"case_id": case_id}).one_or_none()
    if row is None:
        raise CaseNotFound(f"case {case_id} does not exist", "找不到该办件，可能已被删除")
    return CaseHead(*row)


def require_draft(case: Case | CaseHead) -> None:
    if case.state != "draft":
        raise CaseNotEditable(f"case {case.case_no} is {case.state}, not a draft",
                              f"办件 {case.case_no} 已{STATE_ZH.get(case.state, case.state)}，不能再修改受理信息")


def _max_sequence(session: Session, prefix: str) -> int:
    latest = session.scalar(select(func.max(Case.case_no)).where(Case.case_no.like(prefix + "%")))
    if not latest:
        return 0
    try:
        return int(latest[len(prefix):])
    except ValueError:
        return 0


def insert_case_with_number(session: Session, case: Case, hall_code: str, day: date) -> Case:
    """Give ``case`` the next free number of the day and insert it.

    The number is the day's highest plus one; when another workstation on the same PostgreSQL database
    took that number first, the unique index refuses ours and we try the next one (in a savepoint, so the
    caller's unit of work survives the collision).
    """
    prefix = format_case_number(hall_code, day, 1)[:-4]
    assert prefix.startswith(CASE_NUMBER_PREFIX)
    sequence = _max_sequence(session, prefix)
    for _ in range(_CASE_NUMBER_ATTEMPTS):
        sequence += 1
        if sequence > MAX_DAILY_SEQUENCE:
            break
        case.case_no = format_case_number(hall_code, day, sequence)
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
            return case
        except IntegrityError:
            log.info("case number %s taken by another workstation; trying the next", case.case_no)
            if case in session:
                session.expunge(case)
            sequence = max(sequence, _max_sequence(session, prefix))
    raise IntakeError(f"no free case number for {prefix} after {_CASE_NUMBER_ATTEMPTS} attempts",
                      "今日受理编号已用尽或持续冲突，请稍后重试或联系管理员")


def local_day(moment: datetime) -> date:
    return moment.astimezone(CST).date()


def add_event(session: Session, case: Case, kind: str, text: str, *, actor: str = "", at: datetime,
              adapter_id: str | None = None) -> None:
    """Append to the case's timeline (written at once: the timeline is read in insertion order)."""
    if case.id is None:
        session.flush()  # a new case gets its id
    add_case_event(session, case.id, kind, text, actor=actor, at=at, adapter_id=adapter_id)


def add_case_event(session: Session, case_id: int, kind: str, text: str, *, actor: str = "", at: datetime,
                   adapter_id: str | None = None) -> None:
    session.execute(_INSERT_EVENT, {"case_id": case_id, "at": at, "kind": kind, "text": text, "actor": actor,
                                    "adapter_id": adapter_id})


def pending_pulled_materials(session: Session, case_id: int) -> set[str]:
    """The codes of the case's materials that departments are to supply and have not yet."""
    session.flush()
    return set(session.scalars(_PENDING_PULLED, {"case_id": case_id}))


def add_visit(session: Session, case: Case, reason: str, clerk_id: int, at: datetime) -> None:
    session.add(Visit(case_id=case.id, at=at, reason=reason, clerk_id=clerk_id))


def last_visit(session: Session, case_id: int) -> datetime | None:
    session.flush()
    return session.scalar(_LAST_VISIT, {"case_id": case_id})


def summarize(session: Session, case: Case, one_thing_name: str = "") -> CaseSummary:
    """The plain summary of ``case`` (read inside the caller's unit of work)."""
    session.flush()
    citizen = session.get(Citizen, case.citizen_id)
    assignee, visits = session.execute(_ASSIGNEE_AND_VISITS, {"user_id": case.assignee_id, "case_id": case.id}).one()
    branches = session.execute(_BRANCH_STATES, {"case_id": case.id}).all()
    return CaseSummary(
        id=case.id, case_no=case.case_no,
        citizen_name=citizen.name if citizen else "",
        citizen_id_masked=citizen.id_masked if citizen else "",
        one_thing=case.one_thing, one_thing_name=one_thing_name,
        state=case.state, state_zh=STATE_ZH.get(case.state, case.state),
        assignee=assignee or "",
        counter=case.counter, created_at=case.created_at, updated_at=case.updated_at,
        due_date=case.due_date, version=case.version, visits=int(visits or 0),
        branches=tuple((a, s) for a, s in branches),
    )


def profile_snapshot(session: Session, case_id: int) -> list[Row[Any]]:
    """The case's profile rows as plain rows (field, value, source, fetched_at, verified, chosen), in the
    order of profile_rows: for reading only, without building an ORM object per row."""
    session.flush()
    return list(session.execute(_PROFILE_OF_CASE, {"case_id": case_id}))


def profile_rows(session: Session, case_id: int, field: str | None = None) -> list[ProfileValue]:
    query = select(ProfileValue).where(ProfileValue.case_id == case_id)
    if field is not None:
        query = query.where(ProfileValue.field == field)
    return list(session.scalars(query.order_by(ProfileValue.field, ProfileValue.id)))


class NewValue(NamedTuple):
    """One source's value of one field, as it is to be stored."""

    field: str
    value: str
    fetched_at: datetime
    verified: bool


def store_values(session: Session, case_id: int, source: str, values: Iterable[NewValue]) -> set[str]:
    """Store one source's values of several fields at once; returns the fields whose value is new or changed.

    The source's rows of those fields and the clerk's picks among them are read with one query, and written
    with one statement per kind of change (insert, changed value, same value confirmed, re-opened pick),
    not a query and a flush per field: a department's answer is stored while the others wait for the
    database. Plain table statements, because building ORM objects for rows that are written once and
    never looked at again was most of the cost; rows of the case that the session already holds are
    expired, so a later read in the same unit of work sees what was written. A field met twice counts
    once, the last value wins.

    A changed value that disagrees with the clerk's earlier pick re-opens the choice: the clerk chose
    without knowing it, and a silent merge is what the profile must never do.
    """
    latest = {v.field: v for v in values}
    if not latest:
        return set()
    session.flush()  # pending ORM changes first, so the read below sees them
    mine: dict[str, Row[Any]] = {}
    picked: dict[str, list[Row[Any]]] = {}
    for row in session.execute(_MINE_AND_PICKS, {"case_id": case_id, "fields": sorted(latest), "source": source}):
        if row.source == source:
            mine[row.field] = row
        if row.chosen:
            picked.setdefault(row.field, []).append(row)
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    # the same value again: only when (and how) it was last confirmed changes; usually one statement
    confirmed: dict[tuple[datetime, bool], list[int]] = {}
    unpick: list[int] = []
    changed: set[str] = set()
    for field, new in latest.items():
        row = mine.get(field)
        if row is not None and row.value == new.value:
            confirmed.setdefault((new.fetched_at, new.verified), []).append(row.id)
            continue
        if row is None:
            inserts.append({"case_id": case_id, "field": field, "source": source, "value": new.value,
                            "fetched_at": new.fetched_at, "verified": new.verified, "chosen": False,
                            "chosen_by": ""})
        else:
            updates.append({"b_id": row.id, "b_value": new.value, "b_fetched_at": new.fetched_at,
                            "b_verified": new.verified})
        picks = picked.get(field, [])
        if picks and picks[0].value != new.value:
            unpick += [p.id for p in picks]
        changed.add(field)
    if inserts:
        session.execute(_INSERT_VALUES, inserts)
    if updates:
        session.execute(_UPDATE_VALUE, updates)
    for (fetched_at, verified), ids in confirmed.items():
        session.execute(_CONFIRM_VALUES, {"ids": ids, "b_fetched_at": fetched_at, "b_verified": verified})
    if unpick:
        session.execute(_UNPICK, {"ids": unpick})
    for held in list(session.identity_map.values()):
        if isinstance(held, ProfileValue) and held.case_id == case_id:
            session.expire(held)
    return changed


def upsert_value(session: Session, case_id: int, field: str, source: str, value: str, *,
                 fetched_at: datetime, verified: bool) -> bool:
    """Store one source's value of one field. True when the value is new or changed (see store_values)."""
    return bool(store_values(session, case_id, source, [NewValue(field, value, fetched_at, verified)]))


def delete_value(session: Session, case_id: int, field: str, source: str) -> bool:
    row = next((r for r in profile_rows(session, case_id, field) if r.source == source), None)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def material_codes(session: Session, case_id: int) -> set[str]:
    """The codes of the case's materials (without loading them)."""
    session.flush()
    return set(session.scalars(_MATERIAL_CODES, {"case_id": case_id}))


def materials_of(session: Session, case_id: int) -> dict[str, CaseMaterial]:
    return {m.code: m for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case_id))}


def files_of(session: Session, material_id: int) -> list[MaterialFile]:
    return list(session.scalars(select(MaterialFile).where(MaterialFile.material_id == material_id)
                                .order_by(MaterialFile.id)))
