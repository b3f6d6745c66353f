"""What the acceptance receipt (受理回执) and the one-time notice (一次性告知书) of a submitted case say,
assembled from the case as it was submitted. Masked ID and phone only; ui/printing lays them out."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from desktop.documents.notice import NoticeData, OwedMaterial
from desktop.documents.receipt import Delivery, ReceiptData, ReceiptItem, ToleratedMaterial
from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.intake_materials import NOTICE_LEGAL_BASIS
from desktop.services.tracking_base import TrackingBase
from desktop.services.tracking_errors import WrongCaseState
from desktop.storage.case_models import Case, CaseMaterial
from desktop.storage.models import User


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class DocumentSteps(TrackingBase):
    def receipt_data(self, user: UserInfo, case_id: int) -> ReceiptData:
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._submitted(session, case_id, "受理回执")
            citizen = self._citizen(session, case)
            application = json.loads(case.application_json or "{}")
            accepted_at = case.submitted_at.astimezone(case_repo.CST)  # type: ignore[union-attr]
            items = self._catalog.items_of(case.one_thing or "") if case.one_thing in self._catalog.one_things else []
            rows = self._material_rows(session, case)
            due = case.due_date or self._calendar.add_working_days(
                accepted_at.date(), max((i.time_limit_days for i in items), default=0))
            phone = str(application.get("fields", {}).get("person.phone", ""))
            data = ReceiptData(
                case_no=case.case_no, hall_name=self._settings.hall_name, counter=case.counter,
                clerk_name=str(application.get("clerk") or self._assignee_name(session, case)),
                accepted_at=accepted_at, applicant_name=citizen.name, applicant_id_masked=citizen.id_masked,
                one_thing_name=self._one_thing_name(case.one_thing),
                items=tuple(ReceiptItem(i.code, i.name, self._department_label(i.department), i.time_limit_days)
                            for i in items),
                materials_received=tuple(f"{r.name}（共享获取）" if r.status == "pulled" else r.name
                                         for r in rows if r.status in ("received", "pulled")),
                materials_tolerated=tuple(ToleratedMaterial(r.name, r.owed_by or due,
                                                            r.commitment or "申请人承诺按期补交")
                                          for r in rows if r.status == "tolerated"),
                due_date=due,
                delivery=Delivery(case.delivery_method, case.delivery_address,  # type: ignore[arg-type]
                                  mask_phone(phone) if case.delivery_method == "courier" and phone else ""))
            self._audit.append(actor.username, "case.receipt", subject=case.case_no, citizen_id=citizen.id_number,
                               session=session)
        return data

    def notice_data(self, user: UserInfo, case_id: int) -> NoticeData:
        """The one-time notice for whatever the citizen still owes (tolerated materials)."""
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._submitted(session, case_id, "一次性告知书")
            citizen = self._citizen(session, case)
            notes = {m.code: m.note for m in self._catalog.materials_for(case.one_thing)} \
                if case.one_thing in self._catalog.one_things else {}
            today = case_repo.local_day(self._clock())
            owed = tuple(OwedMaterial(name=r.name, reason=r.commitment or "容缺受理，申请人承诺补交",
                                      where_to_get=notes.get(r.code) or "申请人自备", due_date=r.owed_by or today)
                         for r in self._material_rows(session, case) if r.status == "tolerated")
            data = NoticeData(case_no=case.case_no, hall_name=self._settings.hall_name, counter=case.counter,
                              clerk_name=actor.display_name, issued_on=today, applicant_name=citizen.name,
                              applicant_id_masked=citizen.id_masked,
                              one_thing_name=self._one_thing_name(case.one_thing), owed=owed,
                              legal_basis=NOTICE_LEGAL_BASIS)
            self._audit.append(actor.username, "case.notice", subject=case.case_no, citizen_id=citizen.id_number,
                               session=session)
        return data

    # -- helpers ----------------------------------------------------------------------------------------
    def _submitted(self, session: Session, case_id: int, document_zh: str) -> Case:
        case = self._case(session, case_id)
        if case.submitted_at is None or case.state == "draft":
            raise WrongCaseState(f"case {case.case_no} is not submitted", f"办件尚未提交，不能打印{document_zh}")
        return case

    @staticmethod
    def _material_rows(session: Session, case: Case) -> list[CaseMaterial]:
        return sorted(case_repo.materials_of(session, case.id).values(), key=lambda r: r.id)

    @staticmethod
    def _assignee_name(session: Session, case: Case) -> str:
        user = session.get(User, case.assignee_id)
        return user.display_name if user else ""

    def _department_label(self, department: str) -> str:
        definition = self._fields.departments.get(department)
        return definition.name if definition else department

