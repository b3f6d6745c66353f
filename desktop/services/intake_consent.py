"""The citizen's authorisation: which departments may be asked for which fields, for what purpose.

A Consent row keeps ``scope_json`` as adapter id -> canonical fields (for the built-in adapters the adapter id
is the department id). The pull asks an adapter only for the fields of the latest consent that names it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import NamedTuple, cast

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from desktop.documents.consent import CONSENT_METHOD_ZH, ConsentData, ConsentMethod
from desktop.documents.consent import ConsentScope as PrintedScope
from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.dto import ConsentRecord, ConsentScope
from desktop.services.intake_base import IntakeBase
from desktop.services.intake_errors import ConsentRequired, InvalidInput
from desktop.storage.case_models import Consent
from desktop.storage.models import User

# Plain statements built once: the ORM's object and flush work cost more than these rows (on the clerk's path).
_CONSENTS = Consent.__table__
_INSERT_CONSENT = insert(_CONSENTS)
_LIVE_SCOPES = (select(_CONSENTS.c.consent_ref, _CONSENTS.c.purpose, _CONSENTS.c.scope_json)
                .where(_CONSENTS.c.case_id == bindparam("case_id"), _CONSENTS.c.revoked_at.is_(None))
                .order_by(_CONSENTS.c.granted_at.desc(), _CONSENTS.c.id.desc()))


def consent_rows(session: Session, case_id: int) -> list[Consent]:
    """The case's live consents, newest first."""
    return list(session.scalars(select(Consent).where(Consent.case_id == case_id, Consent.revoked_at.is_(None))
                                .order_by(Consent.granted_at.desc(), Consent.id.desc())))


def scope_of(consent: Consent) -> dict[str, list[str]]:
    return _parse_scope(consent.scope_json)


def _parse_scope(scope_json: str | None) -> dict[str, list[str]]:
    data = json.loads(scope_json or "{}")
    return {str(k): [str(f) for f in v] for k, v in data.items()} if isinstance(data, dict) else {}


def covering_consent(session: Session, case_id: int, adapter_id: str) -> tuple[Consent, list[str]] | None:
    """The newest consent naming ``adapter_id``, with its fields."""
    for consent in consent_rows(session, case_id):
        fields = scope_of(consent).get(adapter_id)
        if fields:
            return consent, fields
    return None


class Coverage(NamedTuple):
    """What the newest live consent naming a department lets the workstation ask it."""

    consent_ref: str
    purpose: str
    fields: list[str]


def coverage(session: Session, case_id: int) -> dict[str, Coverage]:
    """Adapter id -> the newest live consent naming it, for every department at once (one plain query:
    the pull reads this on its way to the departments)."""
    found: dict[str, Coverage] = {}
    for ref, purpose, scope_json in session.execute(_LIVE_SCOPES, {"case_id": case_id}):
        for adapter_id, fields in _parse_scope(scope_json).items():
            if fields and adapter_id not in found:
                found[adapter_id] = Coverage(ref, purpose, fields)
    return found


class ConsentSteps(IntakeBase):
    def consent_scope(self, user: UserInfo, case_id: int) -> list[ConsentScope]:
        """Per enabled department: the fields of the case's one-thing that it can supply."""
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            case = case_repo.case_head(uow.session, case_id)
            return self._offered_scopes(case)

    def _offered_scopes(self, case: case_repo.CaseHead) -> list[ConsentScope]:
        wanted = self._catalog.fields_for(self._one_thing(case).code)
        scopes: list[ConsentScope] = []
        for manifest in self._lookup_adapters():
            fields = tuple(f for f in wanted if f in manifest.fields)
            if fields:
                scopes.append(ConsentScope(department=manifest.department,
                                           department_name=self._department_name(manifest),
                                           adapter_id=manifest.id, fields=fields,
                                           labels=tuple(self._label(f) for f in fields)))
        return scopes

    def record_consent(self, user: UserInfo, case_id: int, scopes: Sequence[ConsentScope], purpose: str,
                       method: str) -> ConsentRecord:
        """Record the citizen's authorisation (``method``: signature | face | sms). A scope may be narrower
        than offered (the citizen may strike fields or departments), never wider."""
        actor = self._actor(user)
        purpose = purpose.strip()
        if method not in CONSENT_METHOD_ZH:
            raise InvalidInput(f"unknown consent method {method!r}", "授权方式只能是签字、刷脸核验或短信验证码")
        if not purpose:
            raise InvalidInput("consent without a purpose", "请填写授权用途")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.case_head(session, case_id)
            case_repo.require_draft(case)
            offered = {s.adapter_id: s for s in self._offered_scopes(case)}
            granted: list[ConsentScope] = []
            for scope in scopes:
                offer = offered.get(scope.adapter_id)
                fields = tuple(f for f in dict.fromkeys(scope.fields))
                if offer is None or not set(fields) <= set(offer.fields):
                    raise InvalidInput(f"consent scope for {scope.adapter_id} exceeds what the case needs",
                                       f"授权范围超出本次办理所需：{scope.department_name or scope.adapter_id}")
                if fields:
                    granted.append(ConsentScope(offer.department, offer.department_name, offer.adapter_id,
                                                fields, tuple(self._label(f) for f in fields)))
            if not granted:
                raise InvalidInput("consent names no department", "授权范围为空：请至少选择一个部门")
            ref = uuid.uuid4().hex
            session.execute(_INSERT_CONSENT, {
                "case_id": case.id, "consent_ref": ref, "purpose": purpose, "method": method,
                "scope_json": json.dumps({s.adapter_id: list(s.fields) for s in granted}, ensure_ascii=False,
                                         sort_keys=True),
                "clerk_id": actor.id, "granted_at": now, "revoked_at": None})
            names = "、".join(s.department_name for s in granted)
            case_repo.add_case_event(session, case.id, "consent",
                                     f"群众授权（{CONSENT_METHOD_ZH[method]}）向{names}调取信息，用途：{purpose}",
                                     actor=actor.display_name, at=now)
            self._audit.append(actor.username, "consent.recorded", subject=case.case_no,
                               citizen_id=case.citizen_id_number,
                               detail={"consent_ref": ref, "method": method,
                                       "scope": {s.adapter_id: len(s.fields) for s in granted}},
                               session=session)
        return ConsentRecord(consent_ref=ref, purpose=purpose, method=method, granted_at=now,
                             clerk=actor.display_name, scope=tuple(granted))

    def current_consent(self, user: UserInfo, case_id: int) -> ConsentRecord | None:
        """The newest live consent of the case (to show the consent step as it was left)."""
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            rows = consent_rows(uow.session, case_id)
            return self._record(uow.session, rows[0]) if rows else None

    def consent_data(self, user: UserInfo, case_id: int) -> ConsentData:
        """What the printed authorisation (授权书) says, for the newest consent."""
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            rows = consent_rows(session, case_id)
            if not rows:
                raise ConsentRequired(f"case {case.case_no} has no consent to print", "该办件尚未记录群众授权")
            record = self._record(session, rows[0])
            citizen = self._citizen(session, case)
            return ConsentData(
                case_no=case.case_no, hall_name=self._settings.hall_name, counter=case.counter,
                clerk_name=record.clerk, citizen_name=citizen.name, citizen_id_masked=citizen.id_masked,
                purpose=record.purpose,
                scopes=tuple(PrintedScope(s.department_name, s.labels) for s in record.scope),
                granted_at=record.granted_at, method=cast(ConsentMethod, record.method))

    def _record(self, session: Session, consent: Consent) -> ConsentRecord:
        clerk = session.get(User, consent.clerk_id)
        scopes: list[ConsentScope] = []
        for adapter_id, fields in scope_of(consent).items():
            try:
                manifest = self._registry.get(adapter_id).manifest
            except Exception:  # noqa: BLE001 - a consent outlives an uninstalled adapter
                manifest = None
            department = manifest.department if manifest else adapter_id
            name = self._department_name(manifest) if manifest else self._source_name(adapter_id)
            scopes.append(ConsentScope(department, name, adapter_id, tuple(fields),
                                       tuple(self._label(f) for f in fields)))
        return ConsentRecord(consent_ref=consent.consent_ref, purpose=consent.purpose, method=consent.method,
                             granted_at=consent.granted_at, clerk=clerk.display_name if clerk else "",
                             scope=tuple(scopes))
