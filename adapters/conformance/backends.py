"""Starting a test back-end for ``adapters check`` when no ``--endpoint`` is given.

A plugin may name a starter in its manifest (``sandbox = "package.module:callable"``, returning an object
with ``.url`` and ``.stop()``, and optionally ``.credentials`` or ``.accounts``). Built-in adapters use the
department sandboxes. The sandbox package is imported by name at run time: the workstation core imports
this kit, and must not depend on the sandboxes (import-linter counts indirect imports).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.api import Adapter, Credentials
from adapters.registry import AdapterRegistry, PluginRecord

from .samples import load_departments

SANDBOX_MODULE = "adapters.sandbox.servers"
#: used when a back-end names no account of its own
DEFAULT_CREDENTIALS = Credentials("conformance", "conformance")


@dataclass
class CheckBackend:
    url: str
    credentials: Credentials | None
    stop: Callable[[], None]


def _credentials_of(server: Any) -> Credentials | None:
    creds = getattr(server, "credentials", None)
    if isinstance(creds, Credentials):
        return creds
    accounts = getattr(server, "accounts", None)
    if isinstance(accounts, Mapping) and accounts:
        account, secret = next(iter(accounts.items()))
        return Credentials(str(account), str(secret))
    return None


def _import_ref(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def start_check_backend(record: PluginRecord) -> CheckBackend | None:
    """A running test back-end for this plugin, or None when it has none (then --endpoint is needed)."""
    manifest = record.manifest
    if manifest is None:
        return None
    if manifest.sandbox:
        server = _import_ref(manifest.sandbox)()
    elif record.builtin:
        department = manifest.department if manifest.department in load_departments() else record.id
        server = importlib.import_module(SANDBOX_MODULE).start_sandbox(department)
    else:
        return None
    return CheckBackend(url=str(server.url), credentials=_credentials_of(server), stop=server.stop)


def registry_factory(registry: AdapterRegistry, adapter_id: str,
                     credentials: Credentials) -> Callable[[Mapping[str, Any]], Adapter]:
    """An AdapterFactory over an installed plugin, usable before an administrator enables it. The
    manifest's ``account`` option (the department account name) is set to the test account."""
    def make(overrides: Mapping[str, Any]) -> Adapter:
        manifest = registry.get(adapter_id).manifest
        account = {"account": credentials.account} if manifest is not None and manifest.option("account") else {}
        return registry.create(adapter_id, lambda: credentials, config_overrides={**account, **overrides},
                               allow_disabled=True)
    return make
