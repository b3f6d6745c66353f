"""The unified form: only the one-thing's fields that no source supplied, each asked once."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.dto import FormField
from desktop.services.intake_base import CLERK_SOURCE, IntakeBase
from desktop.services.intake_consent import covering_consent
from desktop.services.intake_errors import InvalidInput
from desktop.storage.case_models import Case, CaseEvent, ProfileValue

_HINTS = {
    "date": "YYYY-MM-DD，例如 2026-03-15",
    "phone": "11 位手机号，或带区号的固定电话",
    "bank_card": "12 到 19 位数字",
    "address": "写到街道门牌",
    "money": "金额（元），最多两位小数",
    "integer": "整数",
    "id_number": "18 位公民身份号码",
}
#: characters people type into numbers that carry no meaning
_COMPACT_TYPES = {"phone", "bank_card", "id_number"}


class FormSteps(IntakeBase):
    def form_fields(self, user: UserInfo, case_id: int) -> list[FormField]:
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            case = case_repo.get_case(uow.session, case_id)
            return self._form(uow.session, case)

    def save_form(self, user: UserInfo, case_id: int, values: Mapping[str, str]) -> dict[str, str]:
        """Keep the draft (every typed value, valid or not, in the case's form_json) and store each valid
        value as an entered (unverified) profile value. Returns field -> Chinese error for the invalid ones;
        an emptied field is removed, not an error (missing_for_submit says what is still missing)."""
        self._actor(user)
        now = self._clock()
        errors: dict[str, str] = {}
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            case_repo.require_draft(case)
            asked = {f.field: f for f in self._form(session, case)}
            unknown = [name for name in values if name not in asked]
            if unknown:
                labels = "、".join(self._label(n) for n in unknown)
                raise InvalidInput(f"fields not on the form: {sorted(unknown)}", f"以下信息已由部门提供，无需填写：{labels}")
            draft = self._draft(case)
            for name, raw in values.items():
                text = self._normalise(name, str(raw or ""))
                draft[name] = text
                if not text:
                    case_repo.delete_value(session, case.id, name, CLERK_SOURCE)
                    continue
                problem = self._fields.validate_value(name, text)
                if problem:
                    errors[name] = problem
                    case_repo.delete_value(session, case.id, name, CLERK_SOURCE)
                    continue
                case_repo.upsert_value(session, case.id, name, CLERK_SOURCE, text, fetched_at=now, verified=False)
            case.form_json = json.dumps(draft, ensure_ascii=False, sort_keys=True)
            case.updated_at = now
        return errors

    # -- helpers ----------------------------------------------------------------------------------------
    def _form(self, session: Session, case: Case) -> list[FormField]:
        thing = self._one_thing(case)
        supplied = {f for f, s in session.execute(select(ProfileValue.field, ProfileValue.source)
                                                  .where(ProfileValue.case_id == case.id)).all()
                    if s != CLERK_SOURCE}
        answered = self._answered_fields(session, case)
        draft = self._draft(case)
        entered = {r.field: r.value for r in case_repo.profile_rows(session, case.id) if r.source == CLERK_SOURCE}
        form: list[FormField] = []
        for name in self._catalog.fields_for(thing.code):
            if name in supplied:
                continue
            definition = self._fields.get(name)
            kind = definition.type if definition else "string"
            # the dictionary's ``format`` notes are for developers (English); the clerk gets Chinese hints
            hint = _HINTS.get(kind, "")
            # a department that answered and has no value for the field: the citizen may simply have none
            required = name not in answered
            if not required:
                hint = (hint + "；" if hint else "") + "部门无此信息，如有请填写"
            form.append(FormField(field=name, label=self._label(name), type=kind,
                                  value=draft.get(name, entered.get(name, "")), required=required,
                                  choices=tuple(definition.choices.items()) if definition else (),
                                  format_hint=hint))
        return form

    def _answered_fields(self, session: Session, case: Case) -> set[str]:
        """Fields that a department was asked for (with consent) and answered, with or without a value."""
        answered_by = {a for (a,) in session.execute(
            select(CaseEvent.adapter_id).where(CaseEvent.case_id == case.id, CaseEvent.kind == "pull")).all() if a}
        fields: set[str] = set()
        for adapter_id in answered_by:
            covered = covering_consent(session, case.id, adapter_id)
            if covered is not None:
                fields.update(covered[1])
        return fields

    @staticmethod
    def _draft(case: Case) -> dict[str, str]:
        try:
            data = json.loads(case.form_json or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _normalise(self, name: str, text: str) -> str:
        text = text.strip()
        definition = self._fields.get(name)
        if definition is not None and definition.type in _COMPACT_TYPES:
            text = text.replace(" ", "").replace("\u3000", "")
        return text
