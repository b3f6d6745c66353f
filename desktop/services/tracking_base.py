"""What every case-tracking step shares: the workstation's parts, who may act on which case, loading a
case under a row lock, department names, and case summaries for many cases at once."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adapters.api import Adapter, AdapterError, Credentials
from desktop.calendar import WorkingCalendar
from desktop.catalog import Catalog
from desktop.fields import FieldDictionary
from desktop.security.accounts import Role, UserInfo, require_role
from desktop.services import case_repo
from desktop.services.dto import CaseSummary
from desktop.services.intake_errors import CaseNotFound
from desktop.storage.case_models import Case, Citizen, OutboxBranch, Visit
from desktop.storage.models import User

log = logging.getLogger(__name__)

#: how the tracking service gets a live adapter to re-render a branch (``BackendSessions.adapter``)
AdapterSource = Callable[[str], Adapter]


class TrackingBase:
    """``app`` is the workstation (desktop.bootstrap.App). ``adapters`` gives the live adapter of a back-end
    (``BackendSessions.adapter``); without it a short-lived one is created from the registry for rendering,
    which needs no department login. ``dispatcher`` is used for resending when it offers ``resend``."""

    def __init__(self, app: Any, *, adapters: AdapterSource | None = None, dispatcher: Any = None) -> None:
        self._app = app
        self._db = app.db
        self._audit = app.audit
        self._clock = app.clock
        self._settings = app.settings
        # Parts a later bootstrap wires into App; a workstation without them still reads its cases.
        self._catalog: Catalog = getattr(app, "catalog", None) or Catalog.load()
        self._fields: FieldDictionary = getattr(app, "fields", None) or FieldDictionary.load()
        self._calendar: WorkingCalendar = getattr(app, "calendar", None) or WorkingCalendar()
        self._registry = getattr(app, "registry", None)
        self._adapters = adapters
        self._dispatcher = dispatcher if dispatcher is not None else getattr(app, "dispatcher", None)

    # -- who may act ----------------------------------------------------------------------------------
    @staticmethod
    def _actor(user: UserInfo) -> UserInfo:
        """Clerks and supervisors. A clerk may open any case of the hall: the citizen may bring the receipt
        to any counter ("凭本回执条码可在任一综合窗口查询办理进度"); every such view is audited."""
        return require_role(user, Role.CLERK, Role.SUPERVISOR)

    @staticmethod
    def _supervisor(user: UserInfo) -> UserInfo:
        return require_role(user, Role.SUPERVISOR)

    # -- loading ----------------------------------------------------------------------------------------
    @staticmethod
    def _case(session: Session, case_id: int, *, lock: bool = False) -> Case:
        """The case; with ``lock`` its row is locked for this unit of work and read fresh, so a dispatcher or
        another counter changing it meanwhile waits instead of being overwritten."""
        if not lock:
            return case_repo.get_case(session, case_id)
        case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()
                               .execution_options(populate_existing=True)).first()
        if case is None:
            raise CaseNotFound(f"case {case_id} does not exist", "找不到该办件，可能已被删除")
        return case

    @staticmethod
    def _citizen(session: Session, case: Case) -> Citizen:
        citizen = session.get(Citizen, case.citizen_id)
        assert citizen is not None, "a case always has its citizen (foreign key)"
        return citizen

    @staticmethod
    def _branches(session: Session, case_id: int, *, lock: bool = False) -> list[OutboxBranch]:
        query = select(OutboxBranch).where(OutboxBranch.case_id == case_id).order_by(OutboxBranch.id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(session.scalars(query))

    # -- names ------------------------------------------------------------------------------------------
    def _one_thing_name(self, code: str | None) -> str:
        thing = self._catalog.one_things.get(code or "")
        return thing.name if thing else (code or "")

    def department_name(self, adapter_id: str, *, short: bool = False) -> str:
        """The department an adapter speaks for, as the clerk knows it; ``short`` for column titles (人社)."""
        department = adapter_id
        if self._registry is not None:
            try:
                manifest = self._registry.get(adapter_id).manifest
            except Exception:  # noqa: BLE001 - an uninstalled adapter still names its old branches
                manifest = None
            if manifest is not None:
                department = manifest.department
        definition = self._fields.departments.get(department)
        if definition is None:
            return adapter_id
        return (definition.short or definition.name) if short else definition.name

    # -- rendering ----------------------------------------------------------------------------------------
    def _adapter(self, adapter_id: str) -> tuple[Adapter, bool]:
        """(adapter, created_here): the caller closes an adapter it created."""
        if self._adapters is not None:
            return self._adapters(adapter_id), False
        if self._registry is None:
            raise AdapterError(f"no adapter registry to render {adapter_id}", adapter_id=adapter_id,
                               message_zh="本工作站未加载接口插件，无法重新生成部门报文，请联系管理员")

        def no_login() -> Credentials:
            raise AdapterError("rendering needs no department login", adapter_id=adapter_id)

        return self._registry.create(adapter_id, no_login, config_overrides=self._settings.adapters.get(adapter_id)), True

    # -- summaries ----------------------------------------------------------------------------------------
    def _summaries(self, session: Session, cases: Sequence[Case]) -> list[CaseSummary]:
        """Summaries of many cases with four queries in all (not four per case: a hall's list on a shared
        PostgreSQL server would otherwise cost hundreds of round trips)."""
        if not cases:
            return []
        ids = [c.id for c in cases]
        citizens = {c.id: c for c in session.scalars(
            select(Citizen).where(Citizen.id.in_({c.citizen_id for c in cases})))}
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({c.assignee_id for c in cases})))}
        visits = dict(session.execute(select(Visit.case_id, func.count()).where(Visit.case_id.in_(ids))
                                      .group_by(Visit.case_id)).all())
        branches: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for case_id, adapter_id, state in session.execute(
                select(OutboxBranch.case_id, OutboxBranch.adapter_id, OutboxBranch.state)
                .where(OutboxBranch.case_id.in_(ids)).order_by(OutboxBranch.adapter_id, OutboxBranch.id)):
            branches[case_id].append((adapter_id, state))
        result = []
        for case in cases:
            citizen = citizens.get(case.citizen_id)
            assignee = users.get(case.assignee_id)
            result.append(CaseSummary(
                id=case.id, case_no=case.case_no,
                citizen_name=citizen.name if citizen else "",
                citizen_id_masked=citizen.id_masked if citizen else "",
                one_thing=case.one_thing, one_thing_name=self._one_thing_name(case.one_thing),
                state=case.state, state_zh=case_repo.STATE_ZH.get(case.state, case.state),
                assignee=assignee.display_name if assignee else "", counter=case.counter,
                created_at=case.created_at, updated_at=case.updated_at, due_date=case.due_date,
                version=case.version, visits=int(visits.get(case.id, 0)),
                branches=tuple(branches.get(case.id, ()))))
        return result

    def _summary(self, session: Session, case: Case) -> CaseSummary:
        return self._summaries(session, [case])[0]
