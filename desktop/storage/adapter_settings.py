"""Which adapters are switched on and their non-secret configuration, shared by every workstation
on the database. The adapter registry reads and writes it through these three functions."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.clock import Clock, utc_now
from desktop.errors import UserFacingError
from desktop.security.secrets import reject_secret_keys
from desktop.storage.models import AdapterSetting

log = logging.getLogger(__name__)


class AdapterConfigError(UserFacingError, ValueError):
    pass


def get_all(session: Session) -> dict[str, tuple[bool, dict[str, Any]]]:
    result: dict[str, tuple[bool, dict[str, Any]]] = {}
    for row in session.scalars(select(AdapterSetting)):
        try:
            config = json.loads(row.config)
        except ValueError:
            log.error("adapter %s has unreadable stored configuration; using none", row.adapter_id)
            config = {}
        result[row.adapter_id] = (row.enabled, config if isinstance(config, dict) else {})
    return result


def set_enabled(session: Session, adapter_id: str, enabled: bool, by: str, *,
                clock: Clock = utc_now) -> None:
    row = _row(session, adapter_id, clock, by)
    row.enabled = enabled
    row.updated_at = clock()
    row.updated_by = by
    session.flush()


def set_config(session: Session, adapter_id: str, config: dict[str, Any], by: str, *,
               clock: Clock = utc_now) -> None:
    """Replace the adapter's configuration. Refuses secrets (they belong in the keyring)."""
    if not isinstance(config, dict):
        raise AdapterConfigError("config must be a mapping", "接口配置格式不正确")
    reject_secret_keys(config)
    try:
        text = json.dumps(config, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise AdapterConfigError(f"config not JSON-serialisable: {exc}", "接口配置中含有无法保存的值") from None
    row = _row(session, adapter_id, clock, by)
    row.config = text
    row.updated_at = clock()
    row.updated_by = by
    session.flush()


def _row(session: Session, adapter_id: str, clock: Clock, by: str) -> AdapterSetting:
    row = session.get(AdapterSetting, adapter_id, with_for_update=True)
    if row is None:
        # A configured adapter starts switched on, as an installed plugin does.
        row = AdapterSetting(adapter_id=adapter_id, enabled=True, config="{}", updated_at=clock(),
                             updated_by=by)
        session.add(row)
    return row
