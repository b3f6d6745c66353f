"""Supplementing materials after a department rejected its branch (补正): the citizen brings what was
missing, the clerk attaches it, and the rejected branches that need it are rendered again and queued."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from adapters.api import CanonicalApplication, RenderedPayload

from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services import dispatcher_states as st
from desktop.services.application import application_to_json, build_application
from desktop.services.dispatcher_states import branch_view
from desktop.services.dto import BranchView, CaseSummary
from desktop.services.intake_errors import InvalidInput
from desktop.services.material_files import StoredFile, store_file
from desktop.services.submission import idempotency_key
from desktop.services.tracking_base import TrackingBase
from desktop.services.tracking_errors import WrongCaseState
from desktop.storage.case_models import Case, CaseMaterial, MaterialFile, OutboxBranch

log = logging.getLogger(__name__)

MATERIALS_DIR = "materials"
#: a visit recorded this recently for the case is the same trip (e.g. the card was just read again)
SAME_SITTING = timedelta(hours=2)


@dataclass(frozen=True)
class SupplementOutcome:
    summary: CaseSummary
    #: the rejected branches rendered again and queued with a new idempotency key
    requeued: tuple[BranchView, ...]
    visit_counted: bool


def next_idempotency_key(case_no: str, adapter_id: str, current: str) -> str:
    """The key of the next submission of this case to this department (submission.idempotency_key numbers
    them 1, 2, ...); a key in another form gets a random suffix, never one used before."""
    prefix = f"{case_no}:{adapter_id}:"
    number = current[len(prefix):] if current.startswith(prefix) else ""
    if number.isdigit():
        return idempotency_key(case_no, adapter_id, int(number) + 1)
    return f"{prefix}{uuid.uuid4().hex}"[:100]


class SupplementSteps(TrackingBase):
    def supplement(self, user: UserInfo, case_id: int, material_codes: Sequence[str],
                   files: Mapping[str, Sequence[Path | str]] | None = None) -> SupplementOutcome:
        """Mark ``material_codes`` received (with optional scans per code), count the citizen's visit, and
        queue every rejected branch whose items need one of those materials again."""
        actor = self._actor(user)
        codes = list(dict.fromkeys(c.strip() for c in material_codes if c.strip()))
        if not codes:
            raise InvalidInput("supplement without materials", "请选择本次补交的材料")
        files = files or {}
        stray = set(files) - set(codes)
        if stray:
            raise InvalidInput(f"files for materials not being supplemented: {sorted(stray)}",
                               "附件只能属于本次补交的材料")
        with self._db.unit_of_work(read_only=True) as uow:
            self._affected(uow.session, self._case(uow.session, case_id), codes)  # refuse early, before copying
        # Copied outside the transaction: a large scan must not hold the database lock.
        stored = {code: [(Path(p).name, store_file(Path(p), Path(self._settings.data_dir) / MATERIALS_DIR))
                         for p in paths] for code, paths in files.items()}
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._case(session, case_id, lock=True)
            branches = self._affected(session, case, codes)
            names = self._receive(session, case, codes, stored, now)
            counted = self._count_visit(session, case, actor, now)
            application = build_application(session, case, submitted_at=now, clerk=actor.display_name,
                                             catalog=self._catalog)
            requeued = []
            for row in branches:
                payload = self._render(row.adapter_id, application)
                old_reason = row.department_reason
                # A NEW key: this is a new submission of changed content. The department keeps the rejected
                # record under the old key and would hand that same rejection back for it; the old key
                # protects against sending one payload twice, not against sending a corrected one.
                row.payload, row.content_type = payload.body, payload.content_type
                row.item_codes = ",".join(payload.item_codes) or row.item_codes
                row.idempotency_key = next_idempotency_key(case.case_no, row.adapter_id, row.idempotency_key)
                row.state, row.attempts, row.next_attempt_at = st.PENDING, 0, now
                row.last_error, row.department_ref, row.department_reason = "", None, ""
                row.claimed_by, row.claimed_until, row.updated_at = None, None, now
                name = self.department_name(row.adapter_id)
                case_repo.add_event(session, case, "resubmitted",
                                    f"补正后重新提交至{name}（原退回原因：{old_reason or '未说明'}）",
                                    actor=actor.display_name, at=now, adapter_id=row.adapter_id)
                requeued.append(branch_view(row, name))
            case.application_json = application_to_json(application)
            case.state = st.case_state_for("in_progress", [b.state for b in self._branches(session, case.id)])
            case.updated_at = now
            case_repo.add_event(session, case, "supplement", "补交材料：" + "、".join(names),
                                actor=actor.display_name, at=now)
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "case.supplemented", subject=case.case_no,
                               citizen_id=citizen.id_number,
                               detail={"materials": codes, "requeued": [b.adapter_id for b in requeued],
                                       "files": [s.sha256 for pairs in stored.values() for _, s in pairs]},
                               session=session)
            session.flush()
            summary = self._summary(session, case)
        log.info("case %s supplemented by %s: %s requeued", summary.case_no, actor.username,
                 ", ".join(b.adapter_id for b in requeued))
        return SupplementOutcome(summary, tuple(requeued), counted)

    # -- steps --------------------------------------------------------------------------------------------
    def _affected(self, session: Session, case: Case, codes: list[str]) -> list[OutboxBranch]:
        """The rejected branches whose items list any of ``codes``; refuses when there are none."""
        if case.state in ("draft", "cancelled", "completed"):
            raise WrongCaseState(f"case {case.case_no} is {case.state}",
                                 f"办件{case_repo.STATE_ZH.get(case.state, case.state)}，不能补正材料")
        known = case_repo.materials_of(session, case.id)
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InvalidInput(f"case {case.case_no}: no materials {unknown}", f"本件不需要材料“{unknown[0]}”")
        rejected = [b for b in self._branches(session, case.id, lock=True) if b.state == st.REJECTED]
        if not rejected:
            raise WrongCaseState(f"case {case.case_no} has no rejected branch", "没有被部门退回的分支，无需补正")
        items = {item.code: {m.code for m in item.materials} for item in self._catalog.items.values()}
        affected = [b for b in rejected
                    if any(set(codes) & items.get(code, set()) for code in b.item_codes.split(",") if code)]
        if not affected:
            raise InvalidInput(f"case {case.case_no}: {codes} belong to no rejected branch",
                               "所补材料与被退回部门的事项无关，请核对退回原因")
        return affected

    def _receive(self, session: Session, case: Case, codes: list[str],
                 stored: Mapping[str, list[tuple[str, StoredFile]]], now: datetime) -> list[str]:
        rows: dict[str, CaseMaterial] = case_repo.materials_of(session, case.id)
        for code in codes:
            row = rows[code]
            have = {f.sha256 for f in case_repo.files_of(session, row.id)}
            for filename, file in stored.get(code, []):
                if file.sha256 in have:
                    continue
                session.add(MaterialFile(
                    material_id=row.id, filename=filename[:260], mime=file.mime, size=file.size, sha256=file.sha256,
                    stored_path=file.path.relative_to(Path(self._settings.data_dir)).as_posix(), added_at=now))
                have.add(file.sha256)
            row.status, row.commitment, row.owed_by, row.updated_at = "received", "", None, now
        session.flush()
        return [rows[c].name for c in codes]

    @staticmethod
    def _count_visit(session: Session, case: Case, actor: UserInfo, now: datetime) -> bool:
        last = case_repo.last_visit(session, case.id)
        if last is not None and now - last < SAME_SITTING:
            return False  # this trip was already counted (the card was read again when the citizen sat down)
        case_repo.add_visit(session, case, "supplement", actor.id, now)
        return True

    def _render(self, adapter_id: str, application: CanonicalApplication) -> RenderedPayload:
        adapter, created = self._adapter(adapter_id)
        try:
            return adapter.render(application)
        finally:
            if created:
                adapter.close()
