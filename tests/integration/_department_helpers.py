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


def assert_submit_is_idempotent(sandbox: SandboxServer, adapter: Adapter, payload: Any, key: str) -> None:
    """Two submissions with one key: one department record, the same reference, the second flagged."""
    first = adapter.submit(payload, key)
    second = adapter.submit(payload, key)
    assert second.department_ref == first.department_ref
    assert (first.duplicate, second.duplicate) == (False, True)
    assert len(control(sandbox, "records")["records"]) == 1
    found = adapter.find_submission(key)
    assert found is not None and found.department_ref == first.department_ref
    assert adapter.find_submission("ow-never-sent") is None


def assert_status_reaches_approved(sandbox: SandboxServer, adapter: Adapter, payload: Any) -> None:
    """received -> in_review -> approved, one control step at a time, as the department reports it."""
    from adapters.api import BranchState

    ref = adapter.submit(payload, "ow-2").department_ref
    seen = [adapter.status(ref).state]
    for _ in range(2):
        control(sandbox, "advance", {"ref": ref})
        seen.append(adapter.status(ref).state)
    assert seen == [BranchState.RECEIVED, BranchState.IN_REVIEW, BranchState.APPROVED]
