"""Shared by the back-end session and intake tests (and the benchmarks): the four department sandboxes on
ephemeral ports, a registry pointed at them with the sandbox account in the (test) keyring, and the demo
citizens' cards as the demo reader yields them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import requests

from adapters.registry import AdapterRegistry
from adapters.sandbox.base import DEFAULT_ACCOUNTS, SandboxServer
from adapters.sandbox.servers import SANDBOXES, start_sandbox
from desktop.devices.demo_cards import load_demo_cards
from desktop.devices.document import IdentityDocument
from desktop.devices.from_card import document_from_card_text
from desktop.security.secrets import SecretStore
from desktop.services.demo_backends import seed_backend_accounts

ACCOUNT, SECRET = next(iter(DEFAULT_ACCOUNTS.items()))
DEPARTMENTS = tuple(SANDBOXES)


@contextlib.contextmanager
def running_sandboxes(options: Mapping[str, Mapping[str, Any]] | None = None) -> Iterator[dict[str, SandboxServer]]:
    """Every department's sandbox, started (``options`` per department id) and stopped at the end."""
    started: dict[str, SandboxServer] = {}
    try:
        for department in DEPARTMENTS:
            started[department] = start_sandbox(department, **dict((options or {}).get(department, {})))
        yield started
    finally:
        for server in started.values():
            server.stop()


def point_registry_at(registry: AdapterRegistry, secrets: SecretStore, sandboxes: Mapping[str, SandboxServer],
                      *, timeout_s: float = 3.0) -> None:
    seed_backend_accounts(registry, secrets, {d: s.url for d, s in sandboxes.items()}, DEFAULT_ACCOUNTS,
                          by="test", extra_config={d: {"timeout_s": timeout_s} for d in sandboxes})


def control(sandbox: SandboxServer, action: str, data: dict[str, Any] | None = None) -> Any:
    url = f"{sandbox.url}/_control/{action}"
    reply = requests.post(url, json=data, timeout=5) if data is not None else requests.get(url, timeout=5)
    reply.raise_for_status()
    return reply.json()


def demo_card(key: str, today: date | None = None) -> IdentityDocument:
    """The document the demo reader yields for a demo citizen (resources/demo/citizens.toml)."""
    return document_from_card_text(load_demo_cards()[key], sam_id="demo", source="demo",
                                   today=today or date.today())


# --- the workstation with its intake, on the test database ------------------------------------------
from dataclasses import dataclass  # noqa: E402

from desktop.security.accounts import Role, UserInfo  # noqa: E402
from desktop.services.backends import BackendSessions  # noqa: E402
from desktop.services.intake import IntakeService  # noqa: E402

HALL_CODE = "330106"
HALL_NAME = "西湖区政务服务中心"


@dataclass
class Workstation:
    app: Any
    backends: BackendSessions
    intake: IntakeService
    clerk: UserInfo
    supervisor: UserInfo
    admin: UserInfo
    sandboxes: dict[str, SandboxServer]


@contextlib.contextmanager
def workstation_for(app: Any, sandboxes: dict[str, SandboxServer], *, timeout_s: float = 3.0,
                    users: bool = True) -> Iterator[Workstation]:
    """``users=False``: the database already has the three accounts (a restarted workstation)."""
    app.settings.hall_code = HALL_CODE
    app.settings.hall_name = HALL_NAME
    point_registry_at(app.registry, app.secrets, sandboxes, timeout_s=timeout_s)
    backends = app.backends
    accounts: dict[Role, UserInfo] = {}
    if users:
        for username, name, role, counter in (("clerk01", "王小明", Role.CLERK, "3号窗口"),
                                              ("super01", "李值班", Role.SUPERVISOR, ""),
                                              ("admin01", "赵管理", Role.ADMIN, "")):
            accounts[role] = app.accounts.add_user(None, username, name, role, counter, "Window2024")
    else:
        accounts = {s.user.role: s.user for s in app.accounts.list_users(None)}
    try:
        yield Workstation(app, backends, app.intake, accounts[Role.CLERK],
                          accounts[Role.SUPERVISOR], accounts[Role.ADMIN], sandboxes)
    finally:
        backends.close()


# --- fixtures (import them into a test module by name) -------------------------------------------------
import pytest  # noqa: E402


@pytest.fixture
def sandboxes() -> Iterator[dict[str, SandboxServer]]:
    with running_sandboxes() as started:
        yield started


@pytest.fixture
def ws(app: Any, sandboxes: dict[str, SandboxServer]) -> Iterator[Workstation]:
    with workstation_for(app, sandboxes) as workstation:
        yield workstation


def retiree_case(ws: Workstation, key: str = "retiree_m", *, consent: bool = True) -> int:
    """A draft for a demo citizen with 退休一件事 chosen and (by default) every department authorised."""
    summary = ws.intake.open_case_for_document(ws.clerk, demo_card(key))
    ws.intake.choose_one_thing(ws.clerk, summary.id, "OT-RETIRE")
    if consent:
        scopes = ws.intake.consent_scope(ws.clerk, summary.id)
        ws.intake.record_consent(ws.clerk, summary.id, scopes, "办理退休一件事", "signature")
    return summary.id
