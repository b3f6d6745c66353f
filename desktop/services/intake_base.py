"""What every intake step shares: the workstation's parts, the role check, and names for sources."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from adapters.api import Manifest
from adapters.registry import AdapterRegistry, PluginRecord
from desktop.catalog import Catalog, OneThing
from desktop.fields import ID_CARD_SUPPLIER, FieldDictionary
from desktop.security.accounts import Role, UserInfo, require_role
from desktop.services import case_repo
from desktop.services.backends import BackendSessions
from desktop.services.dto import CaseSummary
from desktop.services.intake_errors import OneThingRequired
from desktop.settings import Settings
from desktop.storage.case_models import Case, Citizen

#: the ProfileValue source of what the clerk typed
CLERK_SOURCE = "clerk"
_SOURCE_NAMES_ZH = {ID_CARD_SUPPLIER: "身份证", CLERK_SOURCE: "窗口录入"}


class IntakeBase:
    """``app`` is the workstation (desktop.bootstrap.App): db, audit, clock, settings, catalog, fields,
    calendar and registry are read from it."""

    def __init__(self, app: Any, backends: BackendSessions) -> None:
        self._app = app
        self._backends = backends
        self._db = app.db
        self._audit = app.audit
        self._clock = app.clock

    # Read through the app on every use: an administrator's change (settings, catalog reload) applies
    # to the next action without rebuilding the service.
    @property
    def _settings(self) -> Settings:
        return self._app.settings

    @property
    def _catalog(self) -> Catalog:
        return self._app.catalog

    @property
    def _fields(self) -> FieldDictionary:
        return self._app.fields

    @property
    def _registry(self) -> AdapterRegistry:
        return self._app.registry

    # -- who may act ----------------------------------------------------------------------------------
    @staticmethod
    def _actor(user: UserInfo) -> UserInfo:
        return require_role(user, Role.CLERK, Role.SUPERVISOR)

    # -- the case's one-thing --------------------------------------------------------------------------
    def _one_thing(self, case: Case | case_repo.CaseHead) -> OneThing:
        if not case.one_thing:
            raise OneThingRequired(f"case {case.case_no} has no one-thing yet", "请先选择要办理的“一件事”")
        try:
            return self._catalog.one_things[case.one_thing]
        except KeyError:
            raise OneThingRequired(f"case {case.case_no}: one-thing {case.one_thing} is not in the catalog",
                                   f"办件的一件事“{case.one_thing}”已不在事项目录中，请重新选择") from None

    def _one_thing_name(self, case: Case) -> str:
        thing = self._catalog.one_things.get(case.one_thing or "")
        return thing.name if thing else ""

    def _summary(self, session: Session, case: Case) -> CaseSummary:
        return case_repo.summarize(session, case, self._one_thing_name(case))

    @staticmethod
    def _citizen(session: Session, case: Case) -> Citizen:
        citizen = session.get(Citizen, case.citizen_id)
        assert citizen is not None, "a case always has its citizen (foreign key)"
        return citizen

    # -- adapters and their names --------------------------------------------------------------------
    def _enabled(self) -> list[PluginRecord]:
        return [rec for rec in self._registry.enabled() if rec.manifest is not None]

    def _lookup_adapters(self) -> list[Manifest]:
        return [rec.manifest for rec in self._enabled()
                if rec.manifest is not None and "lookup" in rec.manifest.capabilities]

    def _submit_adapters(self, items: tuple[str, ...]) -> list[Manifest]:
        return [rec.manifest for rec in self._enabled()
                if rec.manifest is not None and set(rec.manifest.items) & set(items)]

    def _department_name(self, manifest: Manifest) -> str:
        department = self._fields.departments.get(manifest.department)
        return department.name if department else manifest.name

    def _source_name(self, source: str) -> str:
        if source in _SOURCE_NAMES_ZH:
            return _SOURCE_NAMES_ZH[source]
        department = self._fields.departments.get(source)
        try:
            manifest = self._registry.get(source).manifest
        except Exception:  # noqa: BLE001 - an uninstalled adapter still names its old values
            manifest = None
        if manifest is not None:
            return self._department_name(manifest)
        return department.name if department else source

    def _sources_of_department(self, department: str) -> set[str]:
        """The ProfileValue sources that speak for ``department`` (a catalog supplier)."""
        if department == ID_CARD_SUPPLIER:
            return {ID_CARD_SUPPLIER}
        found = {rec.id for rec in self._registry.records()
                 if rec.manifest is not None and rec.manifest.department == department}
        return found | {department}

    def _label(self, field: str) -> str:
        definition = self._fields.get(field)
        return definition.label if definition else field
