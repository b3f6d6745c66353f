"""Submitting a case: ONE transaction freezes the case's canonical application and writes one outbox branch
per department, each with its rendered payload and an idempotency key. A dispatcher sends them later;
nothing is sent here, so a submission is as fast and as safe as one database commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from adapters.api import Adapter, AdapterError, AuthError, Credentials, RenderedPayload
from desktop.adapter_host import build_registry
from desktop.calendar import WorkingCalendar
from desktop.catalog import Catalog
from desktop.security.accounts import Role, UserInfo, require_role
from desktop.security.redact import mask_id_numbers_in_text
from desktop.services import case_repo
from desktop.services import dispatcher_states as st
from desktop.services.application import application_to_json, build_application
from desktop.services.dispatcher import department_names
from desktop.services.dispatcher_states import branch_view
from desktop.services.dto import BranchView
from desktop.services.intake_errors import IntakeError
from desktop.services.tracking_errors import StaleCase
from desktop.storage.case_models import Case, Citizen, OutboxBranch

log = logging.getLogger(__name__)


class SubmissionRefused(IntakeError):
    """The case cannot be submitted (not ready, no department can take it, a payload cannot be made).
    ``reasons`` lists each problem in Chinese."""

    def __init__(self, message: str, message_zh: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message, message_zh)
        self.reasons = reasons


def idempotency_key(case_no: str, adapter_id: str, n: int) -> str:
    """Stable and unique per case and department: the n-th submission of this case to that department."""
    return f"{case_no}:{adapter_id}:{n}"


def _no_login() -> Credentials:
    raise AuthError("rendering needs no department login", message_zh="生成报文不需要登录部门系统")


class SubmissionService:
    """``SubmissionService(app, adapters=backends.adapter, intake=intake_service)``.

    ``adapters`` gives a live adapter by id (rendering is pure, so a short-lived one made from the registry
    serves as well when it is not given); ``intake`` is asked ``missing_for_submit`` before submitting."""

    def __init__(self, app: Any, *, adapters: Callable[[str], Adapter] | None = None, intake: Any = None) -> None:
        self._db = app.db
        self._audit = app.audit
        self._clock = app.clock
        self._catalog: Catalog = getattr(app, "catalog", None) or Catalog.load()
        self._calendar: WorkingCalendar = getattr(app, "calendar", None) or WorkingCalendar()
        self._registry = getattr(app, "registry", None) or build_registry(app.db)
        self._names = department_names(self._registry, getattr(app, "fields", None))
        self._adapters = adapters
        self._intake = intake

    def submit(self, user: UserInfo, case_id: int, expected_version: int) -> list[BranchView]:
        """Submit the case as the clerk's screen showed it (``expected_version``). Raises SubmissionRefused
        (not ready, or a department's payload cannot be made), StaleCase (someone changed the case since),
        CaseNotEditable (already submitted or cancelled), CaseNotFound."""
        actor = require_role(user, Role.CLERK, Role.SUPERVISOR)
        missing = getattr(self._intake, "missing_for_submit", None)
        if callable(missing):
            reasons = tuple(missing(actor, case_id))
            if reasons:
                raise SubmissionRefused(f"case {case_id} not ready: {len(reasons)} problem(s)",
                                        "尚不能提交：" + "；".join(reasons), reasons)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()
                                   .execution_options(populate_existing=True)).first()
            if case is None:
                case = case_repo.get_case(session, case_id)  # raises CaseNotFound
            case_repo.require_draft(case)
            if case.version != expected_version:
                raise StaleCase(f"case {case.case_no}: version {case.version}, screen had {expected_version}",
                                "该办件已被他人修改（例如另一窗口或值班长），请刷新后核对再提交")
            application = build_application(session, case, submitted_at=now, clerk=actor.display_name,
                                            catalog=self._catalog)
            payloads = self._render_all(case, application)
            rows = [self._branch(session, case, payload, now) for payload in payloads]
            session.add_all(rows)
            case.application_json = application_to_json(application)
            case.state = "submitted"
            case.submitted_at = now
            case.due_date = self._due_date(case, now)
            case.updated_at = now
            try:
                session.flush()  # UPDATE cases ... WHERE version = the version read: a concurrent change fails
            except StaleDataError:
                raise StaleCase(f"case {case.case_no} changed while being submitted",
                                "该办件已被他人修改（例如另一窗口或值班长），请刷新后核对再提交") from None
            names = "、".join(self._name(r.adapter_id) for r in rows)
            case_repo.add_event(session, case, "submitted", f"提交受理，分送{len(rows)}个部门：{names}",
                                actor=actor.display_name, at=now)
            if case_repo.last_visit(session, case.id) is None:
                case_repo.add_visit(session, case, "intake", actor.id, now)
            citizen = session.get(Citizen, case.citizen_id)
            self._audit.append(actor.username, "case.submitted", subject=case.case_no,
                               citizen_id=citizen.id_number if citizen else None,
                               detail={"branches": {r.adapter_id: r.idempotency_key for r in rows},
                                       "due_date": case.due_date.isoformat() if case.due_date else None},
                               session=session)
            views = [branch_view(r, self._name(r.adapter_id)) for r in rows]
        log.info("case %s submitted by %s: %s", case.case_no, actor.username,
                 ", ".join(f"{v.adapter_id}={v.item_codes}" for v in views))
        return views

    # -- helpers -------------------------------------------------------------------------------------------
    def _name(self, adapter_id: str) -> str:
        return self._names.get(adapter_id, adapter_id)

    def _render_all(self, case: Case, application: Any) -> list[RenderedPayload]:
        targets = [rec for rec in self._registry.enabled()
                   if rec.manifest is not None and "submit" in rec.manifest.capabilities
                   and set(rec.manifest.items) & set(application.items)]
        if not targets:
            raise SubmissionRefused(f"case {case.case_no}: no enabled adapter submits {application.items}",
                                    "没有已启用的部门接口可以受理本件事项，请联系管理员检查部门接口设置")
        payloads: list[RenderedPayload] = []
        problems: list[str] = []
        for rec in targets:
            try:
                payload = self._render(rec.id, application)
            except AdapterError as exc:
                log.info("case %s: %s cannot render: %s", case.case_no, rec.id, mask_id_numbers_in_text(str(exc)))
                problems.append(f"{self._name(rec.id)}：{exc.message_zh}")
                continue
            except Exception as exc:  # noqa: BLE001 - a plugin's bug stops this submission, not the workstation
                log.exception("case %s: %s render raised", case.case_no, rec.id)
                problems.append(f"{self._name(rec.id)}：生成报文时发生内部错误（{type(exc).__name__}），请联系管理员")
                continue
            if payload.item_codes:
                payloads.append(payload)
        if problems:
            raise SubmissionRefused(f"case {case.case_no}: {len(problems)} department payload(s) cannot be made",
                                    "部门报文生成失败，未提交：" + "；".join(problems), tuple(problems))
        return payloads

    def _render(self, adapter_id: str, application: Any) -> RenderedPayload:
        if self._adapters is not None:
            return self._adapters(adapter_id).render(application)
        adapter = self._registry.create(adapter_id, _no_login)
        try:
            return adapter.render(application)
        finally:
            adapter.close()

    @staticmethod
    def _branch(session: Session, case: Case, payload: RenderedPayload, now: Any) -> OutboxBranch:
        earlier = session.scalar(select(func.count()).select_from(OutboxBranch).where(
            OutboxBranch.case_id == case.id, OutboxBranch.adapter_id == payload.adapter_id)) or 0
        return OutboxBranch(
            case_id=case.id, adapter_id=payload.adapter_id, item_codes=",".join(payload.item_codes),
            content_type=payload.content_type, payload=payload.body,
            idempotency_key=idempotency_key(case.case_no, payload.adapter_id, earlier + 1),
            state=st.PENDING, attempts=0, next_attempt_at=now, last_error="", department_reason="",
            created_at=now, updated_at=now)

    def _due_date(self, case: Case, now: Any) -> Any:
        items = self._catalog.items_of(case.one_thing or "")
        days = max((item.time_limit_days for item in items), default=0)
        return self._calendar.add_working_days(case_repo.local_day(now), days)
