"""The split preview (what each department will receive) and what still stops the case from submitting."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from desktop.catalog import MaterialSource
from desktop.security.accounts import UserInfo
from desktop.security.redact import mask_id_numbers_in_text
from desktop.services import case_repo
from desktop.services.application import build_application
from desktop.services.dto import PayloadPreview
from desktop.services.intake_form import FormSteps
from desktop.services.intake_profile import resolve
from desktop.storage.case_models import Case

log = logging.getLogger(__name__)


class PreviewSteps(FormSteps):
    def preview(self, user: UserInfo, case_id: int) -> list[PayloadPreview]:
        """One tab per enabled department that can submit any of the one-thing's items: its adapter's
        rendering of the one application (pure; done in the calling thread), or why it could not render."""
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            thing = self._one_thing(case)
            application = build_application(session, case, submitted_at=self._clock(),
                                            clerk=actor.display_name, catalog=self._catalog)
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "application.previewed", subject=case.case_no,
                               citizen_id=citizen.id_number, detail={"fields": len(application.fields)},
                               session=session)
        previews: list[PayloadPreview] = []
        for manifest in self._submit_adapters(thing.items):
            name = self._department_name(manifest)
            items = tuple(i for i in thing.items if i in manifest.items)
            try:
                payload = self._backends.adapter(manifest.id).render(application)
            except Exception as exc:  # noqa: BLE001 - one department's rendering problem is that tab's error
                message = str(getattr(exc, "message_zh", "") or "生成该部门报文时发生内部错误，请联系管理员")
                if not hasattr(exc, "message_zh"):
                    log.exception("render of %s for %s failed", manifest.id, case.case_no)
                else:
                    log.info("render of %s for %s refused: %s", manifest.id, case.case_no,
                             mask_id_numbers_in_text(str(exc)))
                previews.append(PayloadPreview(manifest.id, name, items, "", "", (), error_zh=message))
                continue
            sources = tuple((path, canonical, self._label(canonical))
                            for path, canonical in payload.field_sources.items())
            previews.append(PayloadPreview(manifest.id, name, payload.item_codes, payload.content_type,
                                           payload.preview, sources))
        return previews

    def missing_for_submit(self, user: UserInfo, case_id: int) -> list[str]:
        """Why the case cannot be submitted yet, in Chinese; empty when it can."""
        self._actor(user)
        with self._db.unit_of_work(read_only=True) as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            if not case.one_thing:
                return ["尚未选择要办理的“一件事”"]
            return self._missing(session, case)

    def _missing(self, session: Session, case: Case) -> list[str]:
        reasons: list[str] = []
        thing = self._one_thing(case)
        resolved = resolve(case_repo.profile_rows(session, case.id))
        for name in self._catalog.fields_for(thing.code):
            item = resolved.get(name)
            if item is not None and item.chosen_source is None:
                sources = "、".join(self._source_name(r.source) for r in item.rows)
                reasons.append(f"{self._label(name)}：{sources}的数据不一致，请选择采用哪一个")
        for form_field in self._form(session, case):
            if form_field.required and (resolved.get(form_field.field) is None):
                reasons.append(f"{form_field.label}：尚未填写或填写有误")
        rows = case_repo.materials_of(session, case.id)
        for material in self._catalog.materials_for(thing.code):
            if material.source is MaterialSource.PRODUCED:
                continue
            row = rows.get(material.code)
            status = row.status if row is not None else "pending"
            if status in ("pulled", "received", "tolerated"):
                continue
            if material.source is MaterialSource.PULLED:
                reasons.append(f"材料“{material.name}”尚未从{self._source_name(material.supplier)}获取"
                               "（可重新调取，或收取纸质材料）")
            else:
                reasons.append(f"材料“{material.name}”尚未收取" + ("（可容缺受理）" if material.tolerable else ""))
        return reasons
