"""Shared by the benchmark scripts: a throwaway workstation (temp SQLite, an in-memory keyring, the four
sandboxes on ephemeral ports, the clerk's shift login done) and the demo reader."""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.backend

from _sandbox_process import RemoteSandboxes
from adapters.sandbox.base import DEFAULT_ACCOUNTS, SandboxServer
from adapters.sandbox.servers import SANDBOXES, start_sandbox
from desktop.bootstrap import App, build_app
from desktop.devices.demo import DemoReader
from desktop.devices.document import IdentityDocument
from desktop.security.accounts import Role, UserInfo
from desktop.security.passwords import HashParams, PasswordHasher
from desktop.services.demo_backends import seed_backend_accounts
from desktop.settings import Settings

DEPARTMENTS = tuple(SANDBOXES)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """The benchmark's secrets live in memory only (never the developer's keyring, never a file)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@dataclass
class Bench:
    app: App
    clerk: UserInfo
    sandboxes: dict[str, SandboxServer]


@contextlib.contextmanager
def bench_workstation(*, latency_s: float = 0.0, timeout_s: float = 10.0,
                      sandbox_options: Mapping[str, Mapping[str, Any]] | None = None,
                      remote: RemoteSandboxes | None = None) -> Iterator[Bench]:
    """A workstation after the clerk's shift login: every department session open.

    ``remote``: use the sandboxes of another process (``_sandbox_process``) instead of starting them in
    this one; ``Bench.sandboxes`` is then empty (their counters live in the other process)."""
    logging.basicConfig(level=logging.WARNING)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    sandboxes: dict[str, SandboxServer] = {}
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp:
        app = build_app(Settings(data_dir=Path(tmp), hall_code="330106", hall_name="一窗通演示服务大厅",
                                 counter="3号窗口"),
                        password_hasher=PasswordHasher(HashParams(time_cost=1, memory_cost_kib=8, parallelism=1)))
        try:
            if remote is None:
                for department in DEPARTMENTS:
                    sandboxes[department] = start_sandbox(department,
                                                          **dict((sandbox_options or {}).get(department, {})))
            urls = remote.urls if remote is not None else {d: s.url for d, s in sandboxes.items()}
            seed_backend_accounts(app.registry, app.secrets, urls, DEFAULT_ACCOUNTS, by="benchmark",
                                  extra_config={d: {"timeout_s": timeout_s} for d in urls})
            clerk = app.accounts.add_user(None, "clerk01", "演示柜员", Role.CLERK, "3号窗口", "Bench2024a")
            app.backends.open_all(clerk)
            if not app.backends.wait_until_settled(30):
                raise RuntimeError("department sessions did not settle within 30 s")
            failed = {a: i.reason for a, i in app.backends.states().items() if i.state.value != "connected"}
            if failed:
                raise RuntimeError(f"department sessions failed: {failed}")
            for server in sandboxes.values():
                server.set_faults(latency_s=latency_s)
            if remote is not None:
                remote.set_faults(latency_s=latency_s)
            yield Bench(app, clerk, sandboxes)
        finally:
            app.close()
            for server in sandboxes.values():
                server.stop()
            keyring.set_keyring(previous)


def logins(sandboxes: Mapping[str, SandboxServer]) -> int:
    """Department logins so far, as the sandboxes counted them (人社 tickets, 医保 sign-ins, 就业 tokens;
    the public data platform signs each request and has no login)."""
    return (getattr(sandboxes["social_security"], "login_count", 0)
            + getattr(sandboxes["medical_insurance"], "sign_in_count", 0)
            + getattr(getattr(sandboxes["employment"], "tokens", None), "issued", 0))


def read_card(key: str) -> IdentityDocument:
    """What the demo reader yields when the citizen ``key`` puts the card on it."""
    reader = DemoReader(start=key, interval=0.0)
    reader.open()
    try:
        doc = reader.wait_for_card(1.0)
    finally:
        reader.close()
    if doc is None:
        raise RuntimeError(f"the demo reader gave no card for {key}")
    return doc


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def now() -> float:
    return time.perf_counter()
