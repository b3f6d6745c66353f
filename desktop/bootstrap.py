"""Builds the workstation's object graph from settings (cosmicpython's bootstrap). main.py calls
build_app once; tests call it with their own clock and light password hashing. Other parts add
their services here as fields, built in build_app."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from adapters.registry import AdapterRegistry
from desktop.adapter_host import build_registry
from desktop.calendar import WorkingCalendar
from desktop.catalog import Catalog
from desktop.clock import Clock, utc_now
from desktop.fields import FieldDictionary
from desktop.security.accounts import AccountService
from desktop.security.audit import AuditLog
from desktop.security.passwords import PasswordHasher
from desktop.security.secrets import SecretStore
from desktop.services.backends import BackendSessions
from desktop.services.intake import IntakeService
from desktop.settings import Settings
from desktop.storage.db import Database, default_sqlite_url, open_database

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    audit: AuditLog
    accounts: AccountService
    secrets: SecretStore
    clock: Clock
    catalog: Catalog
    fields: FieldDictionary
    calendar: WorkingCalendar
    registry: AdapterRegistry
    #: the clerk's department sessions (opened after login by the UI; closed with the app)
    backends: BackendSessions = field(init=False, repr=False)
    intake: IntakeService = field(init=False, repr=False)

    def close(self) -> None:
        backends = getattr(self, "backends", None)
        if backends is not None:
            backends.close()
        self.db.dispose()


def resolve_db_url(settings: Settings) -> str:
    return settings.db_url or default_sqlite_url(settings.data_dir)


def build_app(settings: Settings, *, clock: Clock = utc_now,
              password_hasher: PasswordHasher | None = None) -> App:
    """Open (and migrate) the database and build the services. Raises DatabaseOpenError, or
    CatalogError/FieldDictionaryError/CalendarError for an unreadable data file (each with message_zh)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Data files first: a broken catalog must not leave a half-opened database behind.
    fields = FieldDictionary.load()
    catalog = Catalog.load()
    calendar = WorkingCalendar()
    db = open_database(resolve_db_url(settings))
    log.info("database %s ready", db.url)
    audit = AuditLog(db, clock)
    app = App(
        settings=settings,
        db=db,
        audit=audit,
        accounts=AccountService(db, audit, clock=clock, hasher=password_hasher),
        secrets=SecretStore(),
        clock=clock,
        catalog=catalog,
        fields=fields,
        calendar=calendar,
        registry=build_registry(db),
    )
    # Department sessions compare the expiries adapters report in wall-clock time, so they get the wall
    # clock even when a test moves the app's clock.
    app.backends = BackendSessions(app.registry, app.secrets, settings, utc_now)
    app.intake = IntakeService(app, app.backends)
    return app
