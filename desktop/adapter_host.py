"""The workstation's side of the plugin registry: adapter state kept in the shared database, so every
counter on one PostgreSQL database sees the same enabled adapters and configuration."""

from __future__ import annotations

from typing import Any

from adapters.registry import AdapterRegistry, StateStore
from desktop.storage import adapter_settings
from desktop.storage.db import Database


class DbStateStore(StateStore):
    """A StateStore over ``desktop.storage.adapter_settings``; one unit of work per call."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get_all(self) -> dict[str, tuple[bool, dict[str, Any]]]:
        with self._db.unit_of_work(read_only=True) as uow:
            return adapter_settings.get_all(uow.session)

    def set_enabled(self, adapter_id: str, enabled: bool, by: str) -> None:
        with self._db.unit_of_work() as uow:
            adapter_settings.set_enabled(uow.session, adapter_id, enabled, by)

    def set_config(self, adapter_id: str, config: dict[str, Any], by: str) -> None:
        with self._db.unit_of_work() as uow:
            adapter_settings.set_config(uow.session, adapter_id, config, by)


def build_registry(db: Database) -> AdapterRegistry:
    """A registry whose state lives in ``db``, with discovery already run (manifests only, never raises)."""
    registry = AdapterRegistry(state=DbStateStore(db))
    registry.discover()
    return registry
