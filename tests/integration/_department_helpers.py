"""Shared by the 人社 and 医保 adapter tests: build a built-in adapter the way the host does (manifest from its
package, configuration resolved against it, credentials handed in) and talk to a sandbox's control API."""

from __future__ import annotations

from importlib import import_module, resources
from typing import Any

import requests

from adapters.api import Adapter, AdapterContext, Credentials, LookupRequest, load_manifest_text
from adapters.sandbox.base import DEFAULT_ACCOUNTS, SandboxServer

ACCOUNT, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))


def make_builtin(package: str, url: str, *, secret: str = PASSWORD, timeout: float = 0.5) -> Adapter:
    text = (resources.files(package) / "manifest.toml").read_text(encoding="utf-8")
    manifest = load_manifest_text(text)
    config = manifest.resolve_config({"endpoint": url, "account": ACCOUNT, "timeout_s": timeout})
    create = getattr(import_module(manifest.factory.partition(":")[0]), manifest.factory.partition(":")[2])
    return create(AdapterContext(manifest, config, lambda: Credentials(ACCOUNT, secret)))


def control(sandbox: SandboxServer, action: str, data: dict[str, Any] | None = None) -> Any:
    """GET /_control/<action>, or POST it when ``data`` is given."""
    url = f"{sandbox.url}/_control/{action}"
    r = requests.post(url, json=data, timeout=2) if data is not None else requests.get(url, timeout=2)
    r.raise_for_status()
    return r.json()


def ask(id_number: str, name: str, consent: str = "CONSENT-0001", fields: tuple[str, ...] = ()) -> LookupRequest:
    return LookupRequest(id_number=id_number, name=name, consent_ref=consent, purpose="退休一件事", fields=fields)
