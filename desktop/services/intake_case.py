"""Opening a case from the citizen's card (or typed fields) and choosing the one-thing."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.catalog import MaterialSource
from desktop.devices.document import IdentityDocument
from desktop.devices.manual import document_from_manual
from desktop.documents.case_number import format_case_number
from desktop.documents.errors import DocumentDataError
from desktop.fields import ID_CARD_SUPPLIER
from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.dto import CaseSummary
from desktop.services.intake_base import IntakeBase
from desktop.services.intake_errors import IntakeError, InvalidInput
from desktop.storage.case_models import Case, CaseMaterial, ProfileValue

log = logging.getLogger(__name__)

#: used when the settings name no hall code; an administrator should set ``hall_code``
FALLBACK_HALL_CODE = "000000"


def card_values(doc: IdentityDocument) -> dict[str, str]:
    """The canonical fields an identity document vouches for."""
    values = {
        "person.id_number": doc.id_number.upper(),
        "person.name": doc.name,
        "person.gender": doc.gender,
        "person.nation": doc.nation,
        "person.birth_date": doc.birth_date.isoformat(),
        "person.address": doc.address,
    }
    return {k: v.strip() for k, v in values.items() if v and v.strip()}


def card_json(doc: IdentityDocument) -> str:
    return json.dumps({
        "card_type": doc.card_type.value, "name": doc.name, "english_name": doc.english_name,
        "gender": doc.gender, "nation": doc.nation, "birth_date": doc.birth_date.isoformat(),
        "address": doc.address, "id_number": doc.id_number, "nationality": doc.nationality,
        "issuing_authority": doc.issuing_authority, "valid_from": doc.valid_from.isoformat(),
        "valid_to": doc.valid_to.isoformat() if doc.valid_to else None, "permit_number": doc.permit_number,
        "source": doc.source, "problems": [p.code for p in doc.problems],
    }, ensure_ascii=False, sort_keys=True)


class CaseSteps(IntakeBase):
    def open_case_for_document(self, user: UserInfo, doc: IdentityDocument) -> CaseSummary:
        """The citizen's open case (draft, submitted or in progress), else a new draft.

        The card's fields become verified profile values (source ``id_card``) of a draft; whatever the card
        reader flagged (expired, number and birth date disagreeing...) goes onto the case's timeline.
        """
        actor = self._actor(user)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            citizen = case_repo.get_or_create_citizen(session, doc.id_number, doc.name, now)
            session.flush()
            case = case_repo.find_open_case(session, citizen.id)
            how = "手工录入证件信息" if doc.source == "manual" else "读取身份证"
            if case is None:
                case = Case(citizen_id=citizen.id, one_thing=None, state="draft", assignee_id=actor.id,
                            counter=actor.counter or self._settings.counter, card_json=card_json(doc),
                            form_json="{}", created_at=now, updated_at=now)
                case_repo.insert_case_with_number(session, case, self._hall_code(), case_repo.local_day(now))
                case_repo.add_visit(session, case, "intake", actor.id, now)
                case_repo.add_event(session, case, "opened", f"新建办件（{how}）", actor=actor.display_name, at=now)
                action = "case.opened"
            else:
                last = case_repo.last_visit(session, case.id)
                if last is None or case_repo.local_day(last) != case_repo.local_day(now):
                    case_repo.add_visit(session, case, "supplement", actor.id, now)
                case_repo.add_event(session, case, "reopened", f"群众再次到窗口，调出办件（{how}）",
                                    actor=actor.display_name, at=now)
                if case.state == "draft":
                    case.card_json = card_json(doc)
                    case.updated_at = now
                action = "case.reopened"
            if case.state == "draft":
                self._store_card(session, case, doc, now)
            for problem in doc.problems:
                case_repo.add_event(session, case, "card_problem", f"证件提示：{problem.message_zh}",
                                    actor=actor.display_name, at=now)
            self._audit.append(actor.username, action, subject=case.case_no, citizen_id=doc.id_number,
                               detail={"source": doc.source, "problems": list(doc.problem_codes())},
                               session=session)
            summary = self._summary(session, case)
        log.info("%s %s for %s by %s", action, summary.case_no, doc.masked_id, actor.username)
        return summary

    def open_case_manual(self, user: UserInfo, fields: Mapping[str, str]) -> CaseSummary:
        """Typed identity fields (keys as IdentityDocument attributes). Raises ManualEntryError with one
        Chinese message per bad field; nothing is stored then."""
        self._actor(user)
        doc = document_from_manual(fields, case_repo.local_day(self._clock()))
        return self.open_case_for_document(user, doc)

    def case_summary(self, user: UserInfo, case_id: int) -> CaseSummary:
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            return self._summary(uow.session, case_repo.get_case(uow.session, case_id))

    def list_one_things(self, query: str = "") -> list[tuple[str, str, str]]:
        """(code, name, description) of the one-things matching ``query`` (Chinese, pinyin initials)."""
        return [(t.code, t.name, t.description) for t in self._catalog.search(query)]

    def choose_one_thing(self, user: UserInfo, case_id: int, code: str) -> CaseSummary:
        actor = self._actor(user)
        thing = self._catalog.one_things.get(code)
        if thing is None:
            raise InvalidInput(f"unknown one-thing {code!r}", f"事项目录中没有“{code}”")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            case_repo.require_draft(case)
            if case.one_thing != code:
                case.one_thing = code
                case.updated_at = now
                case_repo.add_event(session, case, "one_thing", f"办理事项：{thing.name}",
                                    actor=actor.display_name, at=now)
            existing = case_repo.material_codes(session, case.id)
            for material in self._catalog.materials_for(code):
                if material.code not in existing:
                    session.add(CaseMaterial(case_id=case.id, code=material.code, name=material.name,
                                             source=(material.source or MaterialSource.BROUGHT).value,
                                             status="pending", updated_at=now))
            session.flush()
            self._refresh_pulled_materials(session, case.id, now, case.one_thing)
            return self._summary(session, case)

    # -- helpers ----------------------------------------------------------------------------------------
    def _hall_code(self) -> str:
        code = str(getattr(self._settings, "hall_code", "") or "")
        if not code:
            log.warning("no hall_code in the settings; case numbers use %s", FALLBACK_HALL_CODE)
            return FALLBACK_HALL_CODE
        try:
            format_case_number(code, case_repo.local_day(self._clock()), 1)
        except DocumentDataError as exc:
            raise IntakeError(str(exc), exc.message_zh) from None
        return code

    @staticmethod
    def _store_card(session: Session, case: Case, doc: IdentityDocument, now: datetime) -> None:
        case_repo.store_values(session, case.id, ID_CARD_SUPPLIER,
                               [case_repo.NewValue(f, v, now, True) for f, v in card_values(doc).items()])

    def _refresh_pulled_materials(self, session: Session, case_id: int, now: datetime,
                                  one_thing: str | None = None) -> None:
        """Tick every pulled material whose supplier has delivered any of its fields (``one_thing``: the
        case's, when the caller has it at hand)."""
        # A cheap probe first: once every pulled material is ticked, a department's answer is stored without
        # reading the case, its materials or its whole profile again.
        pending = case_repo.pending_pulled_materials(session, case_id)
        if not pending:
            return
        if one_thing is None:
            one_thing = case_repo.case_head(session, case_id).one_thing
        if not one_thing or one_thing not in self._catalog.one_things:
            return
        pulled = {m.code: m for m in self._catalog.materials_for(one_thing) if m.source is MaterialSource.PULLED}
        stored = case_repo.materials_of(session, case_id)
        rows = session.execute(select(ProfileValue.source, ProfileValue.field)
                               .where(ProfileValue.case_id == case_id)).all()
        have = {(source, field) for source, field in rows}
        for code, material in pulled.items():
            row = stored.get(code)
            if code not in pending or row is None:
                continue
            sources = self._sources_of_department(material.supplier)
            if any((s, f) in have for s in sources for f in material.fields):
                row.status = "pulled"
                row.updated_at = now
                case_repo.add_case_event(session, case_id, "material", f"材料“{material.name}”已通过共享获取", at=now)
        session.flush()
