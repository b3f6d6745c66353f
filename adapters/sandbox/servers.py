"""Index of the sandbox department servers, so tests, demos and the conformance kit can start them by id."""

from __future__ import annotations

import importlib
from typing import Any

from .base import SandboxServer

#: department id (as in resources/fields.toml) -> "module:Class"
SANDBOXES: dict[str, str] = {
    "social_security": "adapters.sandbox.social_security:SocialSecuritySandbox",
    "medical_insurance": "adapters.sandbox.medical_insurance:MedicalInsuranceSandbox",
    "employment": "adapters.sandbox.employment:EmploymentSandbox",
    "public_data": "adapters.sandbox.public_data:PublicDataSandbox",
}

#: fixed ports for ``python main.py sandbox`` and ``--demo`` (tests use ephemeral ports)
DEFAULT_PORTS: dict[str, int] = {
    "social_security": 18081, "medical_insurance": 18082, "employment": 18083, "public_data": 18084,
}


def sandbox_class(department: str) -> type[SandboxServer]:
    try:
        path = SANDBOXES[department]
    except KeyError:
        raise KeyError(f"no sandbox for department {department!r} (known: {', '.join(SANDBOXES)})") from None
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def start_sandbox(department: str, **opts: Any) -> SandboxServer:
    """Start one department's sandbox (ephemeral port unless ``port`` is given) and return it running."""
    return sandbox_class(department)(**opts).start()


def start_all(*, fixed_ports: bool = False, port_base: int | None = None, **opts: Any) -> dict[str, SandboxServer]:
    """Start every sandbox; on any failure, stop the ones already started and re-raise.

    ``port_base`` puts them on consecutive ports from there, in SANDBOXES order."""
    started: dict[str, SandboxServer] = {}
    try:
        for index, dept in enumerate(SANDBOXES):
            if port_base is not None:
                port = port_base + index
            else:
                port = DEFAULT_PORTS[dept] if fixed_ports else 0
            started[dept] = start_sandbox(dept, port=port, **opts)
    except BaseException:
        for s in started.values():
            s.stop()
        raise
    return started
