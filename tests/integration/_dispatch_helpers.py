"""Shared by the dispatcher tests, the crash test's dispatcher subprocess and the throughput benchmark:
real department sandboxes, adapters configured through the registry exactly as an administrator would,
a backlog of submitted branches written straight into the outbox, and counts taken at the sandboxes."""

from __future__ import annotations

import json
import os
import re
import select as fd_select
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests
from sqlalchemy import insert, select

from adapters.api import CanonicalApplication, MaterialRef, RenderedPayload
from adapters.registry import AdapterRegistry
from adapters.sandbox.base import DEFAULT_ACCOUNTS, Request, SandboxServer
from adapters.sandbox.servers import start_sandbox
from desktop.adapter_host import build_registry
from desktop.clock import Clock, utc_now
from desktop.security.secrets import SecretStore
from desktop.services.backends import BackendSessions
from desktop.services.demo_backends import seed_backend_accounts
from desktop.settings import Settings
from desktop.storage.case_models import Case, Citizen, OutboxBranch
from desktop.storage.db import Database
from desktop.storage.models import User

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENTS = ("social_security", "medical_insurance", "employment", "public_data")
RETIREE = ("330106196603151316", "周建国")
SUBMITTED_AT = datetime(2026, 3, 16, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def retirement_application(case_no: str = "YC20260316000042") -> CanonicalApplication:
    """A retirement application every department's sandbox accepts (and approves)."""
    return CanonicalApplication(
        case_no=case_no, one_thing="retirement",
        items=("SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "EMP-RECORD-CLOSE", "PD-CERT-ARCHIVE"),
        fields={"person.id_number": RETIREE[0], "person.name": RETIREE[1], "person.gender": "1",
                "person.phone": "13957112345", "person.bank_name": "中国工商银行杭州西湖支行",
                "person.bank_card": "6222021202041234567",
                "person.residence_address": "浙江省杭州市西湖区文三路100号2幢301室",
                "app.retirement_date": "2026-03-15", "app.retirement_type": "normal"},
        materials=(MaterialRef("M-IDCARD", "居民身份证", "pulled", "pulled"),
                   MaterialRef("C-SS-RETIRE-CERT", "基本养老保险待遇核定表", "produced", "pending")),
        clerk="clerk03", counter="综合窗口1号", submitted_at=SUBMITTED_AT)


_SS_KEY = re.compile(rb"<BUSKEY>([^<]*)</BUSKEY>")
_MI_KEY = re.compile(rb'"ext_biz_sn":\s*"([^"]*)"')


def submitted_key(department: str, req: Request) -> str | None:
    """The idempotency key of a submit request as the department receives it; None for other requests."""
    if department == "social_security":
        found = _SS_KEY.search(req.body) if req.method == "POST" and b"<TRANSCODE>3001</TRANSCODE>" in req.body \
            else None
        return found.group(1).decode("ascii") if found else None
    if department == "medical_insurance":
        found = _MI_KEY.search(req.body) if req.method == "POST" and b'"2701"' in req.body else None
        return found.group(1).decode("ascii") if found else None
    if department == "employment":
        if req.method == "POST" and req.path == "/api/v1/applications":
            return {k.lower(): v for k, v in req.headers.items()}.get("idempotency-key", "")
        return None
    if department == "public_data":
        prefix = "/api/v1/archive-requests/"
        return unquote(req.path[len(prefix):]) if req.method == "PUT" and req.path.startswith(prefix) else None
    raise KeyError(department)


class Departments:
    """The sandboxes of ``departments``, each counting the submit requests that reached its handler, per
    department (``submits``) and per idempotency key (``submitted``)."""

    def __init__(self, departments: Iterable[str] = DEPARTMENTS, *, ports: Mapping[str, int] | None = None,
                 **opts: Any) -> None:
        self.servers: dict[str, SandboxServer] = {}
        self.submits: Counter[str] = Counter()
        self.submitted: Counter[str] = Counter()
        self._lock = threading.Lock()
        try:
            for dept in departments:
                server = start_sandbox(dept, port=(ports or {}).get(dept, 0), **opts)
                self.servers[dept] = server
                self._count(dept, server)
        except BaseException:
            self.stop()
            raise

    def _count(self, dept: str, server: SandboxServer) -> None:
        handle = server.handle

        def counting(req: Request) -> Any:
            key = submitted_key(dept, req)
            if key is not None:
                with self._lock:
                    self.submits[dept] += 1
                    self.submitted[key] += 1
            return handle(req)

        server.handle = counting  # type: ignore[method-assign]

    def endpoints(self) -> dict[str, str]:
        return {dept: server.url for dept, server in self.servers.items()}

    def records(self, dept: str) -> list[dict[str, Any]]:
        """What the department holds, from its own control API."""
        reply = requests.get(f"{self.servers[dept].url}/_control/records", timeout=10)
        reply.raise_for_status()
        return list(reply.json()["records"])

    def faults(self, dept: str, **settings: Any) -> None:
        self.servers[dept].set_faults(**settings)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Departments:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def configure_departments(db: Database, endpoints: Mapping[str, str], *, timeout_s: float = 2.0) -> AdapterRegistry:
    """Point each adapter at its sandbox in the database's adapter settings and put the department
    account's secret into the (test) keyring, as an administrator does. Other adapters are disabled."""
    registry = build_registry(db)
    seed_backend_accounts(registry, SecretStore(), endpoints, DEFAULT_ACCOUNTS,
                          extra_config={a: {"timeout_s": timeout_s} for a in endpoints})
    for record in registry.records():
        if record.id not in endpoints and record.enabled:
            registry.disable(record.id, "test")
    return registry


def backend_sessions(db: Database, registry: AdapterRegistry, data_dir: Path,
                     clock: Clock = utc_now) -> BackendSessions:
    return BackendSessions(registry, SecretStore(), Settings(db_url=str(db.url), data_dir=data_dir), clock,
                           keepalive=False)


def render_payloads(backends: BackendSessions, departments: Iterable[str]) -> dict[str, RenderedPayload]:
    application = retirement_application()
    return {dept: backends.adapter(dept).render(application) for dept in departments}


def seed_backlog(db: Database, payloads: Mapping[str, RenderedPayload], *, cases: int, prefix: str = "YC",
                 now: datetime | None = None) -> int:
    """``cases`` submitted cases, each with one pending branch per department of ``payloads``, written
    straight into the outbox (what SubmissionService.submit leaves behind). Returns the branch count."""
    now = now or utc_now()
    with db.unit_of_work() as uow:
        session = uow.session
        user_id = session.scalar(select(User.id).where(User.username == "dispatch_test"))
        if user_id is None:
            user = User(username="dispatch_test", display_name="测试窗口", role="clerk", counter="1号窗口",
                        password_hash="-", password_changed_at=now, created_at=now)
            session.add(user)
            session.flush()
            user_id = user.id
        citizen_id = session.scalar(select(Citizen.id).where(Citizen.id_hash == "dispatch-test"))
        if citizen_id is None:
            citizen = Citizen(id_hash="dispatch-test", id_number=RETIREE[0],
                              id_masked=RETIREE[0][:6] + "*" * 8 + RETIREE[0][-4:], name=RETIREE[1],
                              created_at=now)
            session.add(citizen)
            session.flush()
            citizen_id = citizen.id
        numbers = [f"{prefix}{i:08d}" for i in range(1, cases + 1)]
        session.execute(insert(Case), [
            {"case_no": no, "citizen_id": citizen_id, "one_thing": "retirement", "state": "submitted",
             "assignee_id": user_id, "counter": "1号窗口", "card_json": "{}", "form_json": "{}",
             "created_at": now, "updated_at": now, "submitted_at": now, "version": 1} for no in numbers])
        ids = dict(session.execute(select(Case.case_no, Case.id).where(Case.case_no.in_(numbers))).all())
        rows = [{"case_id": ids[no], "adapter_id": dept, "item_codes": ",".join(p.item_codes),
                 "content_type": p.content_type, "payload": p.body, "idempotency_key": f"{no}:{dept}:1",
                 "state": "pending", "attempts": 0, "next_attempt_at": now, "last_error": "",
                 "department_reason": "", "created_at": now, "updated_at": now}
                for no in numbers for dept, p in payloads.items()]
        for start in range(0, len(rows), 2000):
            session.execute(insert(OutboxBranch), rows[start:start + 2000])
    return len(rows)


def configured_backlog(db: Database, departments: Departments, data_dir: Path, *, cases: int,
                       timeout_s: float = 2.0) -> int:
    """configure_departments + seed_backlog with each department's rendered payload: the usual start."""
    backends = backend_sessions(db, configure_departments(db, departments.endpoints(), timeout_s=timeout_s), data_dir)
    try:
        return seed_backlog(db, render_payloads(backends, departments.servers), cases=cases)
    finally:
        backends.close()


def branches(db: Database) -> list[OutboxBranch]:
    with db.unit_of_work(read_only=True) as uow:
        return list(uow.session.scalars(select(OutboxBranch).order_by(OutboxBranch.id)))


def state_counts(db: Database) -> Counter[str]:
    return Counter(b.state for b in branches(db))


def assert_each_delivered_once(db: Database, departments: Departments) -> None:
    """Every branch was received with the reference the department gave its key, and every department
    holds exactly one record per key: zero lost, zero duplicates, counted from the sandboxes' records."""
    rows = branches(db)
    unsent = [(b.idempotency_key, b.state) for b in rows if b.department_ref is None]
    assert not unsent, f"{len(unsent)} branch(es) not delivered, e.g. {unsent[:5]}"
    for dept in departments.servers:
        records = departments.records(dept)
        keys = Counter(r["key"] for r in records)
        assert max(keys.values(), default=1) == 1, f"{dept}: duplicate records {keys.most_common(3)}"
        ours = {b.idempotency_key: b.department_ref for b in rows if b.adapter_id == dept}
        held = {r["key"]: r["ref"] for r in records}
        assert held == ours, f"{dept}: {len(set(ours) - set(held))} lost, {len(set(held) - set(ours))} unknown"


def spawn_dispatcher(db_url: str, data_dir: Path, log: Path, name: str, *, workers: int = 3,
                     lease_s: float = 30.0) -> subprocess.Popen[bytes]:
    """``python main.py dispatch`` as a hall's server runs it, with the sandbox accounts' secrets in a
    keyring of its own (tests/integration/_env_keyring.py); stderr goes to ``log``."""
    from _env_keyring import ENV

    account, secret = next(iter(DEFAULT_ACCOUNTS.items()))
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)]),
        "PYTHON_KEYRING_BACKEND": "_env_keyring.EnvKeyring",
        ENV: json.dumps({f"onewindow/{dept}|{account}": secret for dept in DEPARTMENTS}),
    })
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir), "--log-level",
             "WARNING", "dispatch", "--name", name, "--workers", str(workers), "--lease", str(lease_s),
             "--poll-interval", "0.05"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err)


def wait_started(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Until the service says it started (its first line), so what the test does next meets it working."""
    assert proc.stdout is not None
    ready, _, _ = fd_select.select([proc.stdout], [], [], timeout)
    assert ready, "dispatcher did not start"
    line = proc.stdout.readline().decode("utf-8")
    assert "已启动" in line, line
