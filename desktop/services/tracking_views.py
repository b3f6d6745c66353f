"""Reading cases: the case list (我的办件 / 全部办件), one case's detail with its timeline and department
branches, and the lookup behind a scanned receipt barcode."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.documents.case_number import parse_case_number
from desktop.identity import IdNumberError, parse_id_number
from desktop.security.accounts import Role, UserInfo
from desktop.services import case_repo
from desktop.services.dispatcher_states import branch_view
from desktop.services.dto import CaseDetail, CaseSummary, MaterialView, TimelineEntry
from desktop.services.tracking_base import TrackingBase
from desktop.storage.case_models import Case, CaseEvent, CaseMaterial, Citizen, MaterialFile, Rating

MAX_LIST = 1000
_MATERIAL_ZH = {"pending": "未收取", "pulled": "已共享获取", "produced": "部门出具", "received": "已收取",
                "tolerated": "容缺"}


class ViewSteps(TrackingBase):
    def list_cases(self, user: UserInfo, *, mine_only: bool = True, state: str | None = None,
                   text: str | None = None, limit: int = 200) -> list[CaseSummary]:
        """Newest first. A clerk sees the cases assigned to them whatever ``mine_only`` says; a supervisor
        sees every counter's cases unless ``mine_only``. ``text`` matches the case number, the citizen's
        name, or a full ID number (compared by its hash, never by the number in SQL)."""
        actor = self._actor(user)
        query = select(Case).join(Citizen, Citizen.id == Case.citizen_id)
        if mine_only or actor.role is not Role.SUPERVISOR:
            query = query.where(Case.assignee_id == actor.id)
        if state:
            query = query.where(Case.state == state)
        needle = (text or "").strip()
        if needle:
            id_number = _id_number(needle)
            if id_number is not None:
                query = query.where(Citizen.id_hash == case_repo.citizen_id_hash(id_number))
            else:
                like = f"%{needle.upper() if needle.isascii() else needle}%"
                query = query.where(or_(Case.case_no.like(like), Citizen.name.like(f"%{needle}%")))
        query = query.order_by(Case.created_at.desc(), Case.id.desc()).limit(max(1, min(limit, MAX_LIST)))
        with self._db.unit_of_work(read_only=True) as uow:
            cases = list(uow.session.scalars(query))
            return self._summaries(uow.session, cases)

    def case_detail(self, user: UserInfo, case_id: int, *, refresh: bool = False) -> CaseDetail:
        """Everything the detail screen shows. Opening it is a view of the citizen's personal data and is
        audited; ``refresh`` is the open screen polling for branch progress, which adds no audit entry
        (the opening was recorded; one entry every few seconds would drown the log)."""
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._case(session, case_id)
            detail = self._detail(session, case)
            if not refresh:
                citizen = self._citizen(session, case)
                self._audit.append(actor.username, "case.viewed", subject=case.case_no,
                                   citizen_id=citizen.id_number, session=session)
        return detail

    def find_by_case_no(self, user: UserInfo, case_no: str) -> CaseSummary | None:
        """The case a scanned (or typed) case number names; None when there is no such case."""
        self._actor(user)
        parts = parse_case_number(case_no)
        if parts is None:
            return None
        with self._db.unit_of_work(read_only=True) as uow:
            case = uow.session.scalar(select(Case).where(Case.case_no == str(parts)))
            return self._summary(uow.session, case) if case is not None else None

    def department_names(self, *, short: bool = False) -> dict[str, str]:
        """adapter id -> department name for every adapter known to the registry (list column titles)."""
        ids = [rec.id for rec in self._registry.records()] if self._registry is not None else []
        return {adapter_id: self.department_name(adapter_id, short=short) for adapter_id in ids}

    # -- assembling -------------------------------------------------------------------------------------
    def _detail(self, session: Session, case: Case) -> CaseDetail:
        branches = tuple(branch_view(row, self.department_name(row.adapter_id))
                         for row in self._branches(session, case.id))
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.at, CaseEvent.id))
        timeline = tuple(TimelineEntry(at=e.at, kind=e.kind, text=e.text, actor=e.actor) for e in events)
        rating = session.scalar(select(Rating).where(Rating.case_id == case.id))
        return CaseDetail(summary=self._summary(session, case), branches=branches, timeline=timeline,
                          materials=self._materials(session, case),
                          rating=(rating.score, rating.comment) if rating is not None else None,
                          delivery_method=case.delivery_method, delivery_address=case.delivery_address,
                          cancel_reason=case.cancel_reason)

    def _materials(self, session: Session, case: Case) -> tuple[MaterialView, ...]:
        rows = list(session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id)
                                    .order_by(CaseMaterial.id)))
        files: dict[int, list[tuple[str, str]]] = {}
        if rows:
            for f in session.scalars(select(MaterialFile).where(MaterialFile.material_id.in_([r.id for r in rows]))
                                     .order_by(MaterialFile.id)):
                files.setdefault(f.material_id, []).append((f.filename, f.sha256))
        tolerable = {m.code for thing in [self._catalog.one_things.get(case.one_thing or "")] if thing
                     for m in self._catalog.materials_for(thing.code) if m.tolerable}
        views = []
        for row in rows:
            status_zh = _MATERIAL_ZH.get(row.status, row.status)
            if row.status == "tolerated" and row.owed_by is not None:
                status_zh = f"容缺，{row.owed_by.isoformat()} 前补交"
            views.append(MaterialView(code=row.code, name=row.name, source=row.source, provider="",
                                      status=row.status, status_zh=status_zh, tolerable=row.code in tolerable,
                                      commitment=row.commitment, owed_by=row.owed_by,
                                      files=tuple(files.get(row.id, ()))))
        return tuple(views)


def _id_number(text: str) -> str | None:
    """The normalised 18-character number when ``text`` is a valid ID number, else None."""
    if not any(ch.isdigit() for ch in text) or len(text) < 15:
        return None
    try:
        return parse_id_number(text).number
    except IdNumberError:
        return None
