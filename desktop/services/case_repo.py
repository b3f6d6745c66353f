"""Queries and small writes on cases that several services share (intake, submission, case list).

Every function takes the caller's Session: the caller owns the unit of work. Nothing here checks roles.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
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

#: states in which the citizen still has business at the hall: a new card read opens this case again
OPEN_STATES = ("draft", "submitted", "in_progress")
STATE_ZH = {"draft": "草稿", "submitted": "已提交", "in_progress": "办理中", "completed": "已办结",
            "rejected": "不予办理", "cancelled": "已撤销"}
#: service halls keep China Standard Time: a case's day and due dates are days there
CST = timezone(timedelta(hours=8))
#: a draft number can collide with another workstation's: try again this many times with the next number
_CASE_NUMBER_ATTEMPTS = 20


def citizen_id_hash(id_number: str) -> str:
    """Lookup key of a citizen: sha256 of the upper-case 18-character number."""
    return hashlib.sha256(id_number.strip().upper().encode("ascii")).hexdigest()


def find_citizen(session: Session, id_number: str) -> Citizen | None:
    return session.scalar(select(Citizen).where(Citizen.id_hash == citizen_id_hash(id_number)))


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
    return session.scalar(select(Case).where(Case.citizen_id == citizen_id, Case.state.in_(OPEN_STATES))
                          .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"case {case_id} does not exist", "找不到该办件，可能已被删除")
    return case


def require_draft(case: Case) -> None:
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
    session.add(CaseEvent(case_id=case.id, at=at, kind=kind, text=text, actor=actor, adapter_id=adapter_id))


def add_visit(session: Session, case: Case, reason: str, clerk_id: int, at: datetime) -> None:
    session.add(Visit(case_id=case.id, at=at, reason=reason, clerk_id=clerk_id))


def last_visit(session: Session, case_id: int) -> datetime | None:
    return session.scalar(select(func.max(Visit.at)).where(Visit.case_id == case_id))


def summarize(session: Session, case: Case, one_thing_name: str = "") -> CaseSummary:
    """The plain summary of ``case`` (read inside the caller's unit of work)."""
    citizen = session.get(Citizen, case.citizen_id)
    assignee = session.get(User, case.assignee_id)
    visits = session.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == case.id)) or 0
    branches = session.execute(select(OutboxBranch.adapter_id, OutboxBranch.state)
                               .where(OutboxBranch.case_id == case.id).order_by(OutboxBranch.adapter_id)).all()
    return CaseSummary(
        id=case.id, case_no=case.case_no,
        citizen_name=citizen.name if citizen else "",
        citizen_id_masked=citizen.id_masked if citizen else "",
        one_thing=case.one_thing, one_thing_name=one_thing_name,
        state=case.state, state_zh=STATE_ZH.get(case.state, case.state),
        assignee=assignee.display_name if assignee else "",
        counter=case.counter, created_at=case.created_at, updated_at=case.updated_at,
        due_date=case.due_date, version=case.version, visits=int(visits),
        branches=tuple((a, s) for a, s in branches),
    )


def profile_rows(session: Session, case_id: int, field: str | None = None) -> list[ProfileValue]:
    query = select(ProfileValue).where(ProfileValue.case_id == case_id)
    if field is not None:
        query = query.where(ProfileValue.field == field)
    return list(session.scalars(query.order_by(ProfileValue.field, ProfileValue.id)))


def upsert_value(session: Session, case_id: int, field: str, source: str, value: str, *,
                 fetched_at: datetime, verified: bool) -> bool:
    """Store one source's value of one field. True when the value is new or changed.

    A changed value that disagrees with the clerk's earlier pick re-opens the choice: the clerk chose
    without knowing it, and a silent merge is what the profile must never do.
    """
    rows = profile_rows(session, case_id, field)
    chosen_before = next((r.value for r in rows if r.chosen), None)
    mine = next((r for r in rows if r.source == source), None)
    if mine is not None and mine.value == value:
        mine.fetched_at = fetched_at
        mine.verified = verified
        return False
    if mine is None:
        mine = ProfileValue(case_id=case_id, field=field, source=source, value=value, fetched_at=fetched_at,
                            verified=verified, chosen=False, chosen_by="")
        session.add(mine)
    else:
        mine.value, mine.fetched_at, mine.verified = value, fetched_at, verified
    if chosen_before is not None and chosen_before != value:
        for r in rows:
            r.chosen, r.chosen_by = False, ""
    session.flush()
    return True


def delete_value(session: Session, case_id: int, field: str, source: str) -> bool:
    row = next((r for r in profile_rows(session, case_id, field) if r.source == source), None)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def materials_of(session: Session, case_id: int) -> dict[str, CaseMaterial]:
    return {m.code: m for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case_id))}


def files_of(session: Session, material_id: int) -> list[MaterialFile]:
    return list(session.scalars(select(MaterialFile).where(MaterialFile.material_id == material_id)
                                .order_by(MaterialFile.id)))
