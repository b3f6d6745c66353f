"""dispatch_throughput — the price of durability (issue 6).

Drains a backlog of submitted branches (10,000 by default, a quarter per department) from the outbox to the
four department sandboxes, and compares the rate with a bare loop that sends the same payloads to the same
servers in the same run, with the same number of threads and no database: each thread calls the same
adapters' ``submit`` (one HTTP request over a kept-alive ``requests.Session``, the department's envelope
and login included), nothing claimed, nothing recorded. The bare loop runs before and after the
dispatcher and their mean is the reference, so drift during the run does not favour either side.

    .venv/bin/python tests/benchmarks/dispatch_throughput.py [--branches 10000] [--workers 8] [--postgres]

The sandboxes run in their own process (``python -m adapters.sandbox.cli``) so the servers do not share
the dispatcher's interpreter. SQLite by default; ``--postgres`` (with TEST_DATABASE_URL) runs the same on a
fresh PostgreSQL schema, and then two headless dispatchers (``python main.py dispatch``, two processes)
sharing that database. Target: dispatcher / bare at least 0.8.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import keyring
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "integration"), str(Path(__file__).parent)]

from _bench_support import MemoryKeyring  # noqa: E402
from _dispatch_helpers import (  # noqa: E402
    DEPARTMENTS, backend_sessions, configure_departments, render_payloads, seed_backlog, spawn_dispatcher,
    wait_started,
)
from adapters.api import RenderedPayload  # noqa: E402
from adapters.sandbox.servers import SANDBOXES  # noqa: E402
from desktop.clock import utc_now  # noqa: E402
from desktop.services.backends import BackendSessions  # noqa: E402
from desktop.services.dispatcher import Dispatcher  # noqa: E402
from desktop.storage.case_models import OutboxBranch  # noqa: E402
from desktop.storage.db import Database, open_database  # noqa: E402


def free_port_base(count: int) -> int:
    """A run of ``count`` consecutive free ports on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            socks = []
            for port in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports found")


@contextmanager
def sandbox_process() -> Iterator[dict[str, str]]:
    """The four sandboxes in a process of their own; yields department -> URL."""
    base = free_port_base(len(SANDBOXES))
    proc = subprocess.Popen([sys.executable, "-m", "adapters.sandbox.cli", "--port-base", str(base),
                             "--review-after", "86400", "--decide-after", "86400"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urls = {dept: f"http://127.0.0.1:{base + i}" for i, dept in enumerate(SANDBOXES)}
    try:
        deadline = time.monotonic() + 30
        for url in urls.values():
            while True:
                try:
                    requests.get(f"{url}/_control/records", timeout=1)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("sandboxes did not start") from None
                    time.sleep(0.1)
        yield urls
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@dataclass
class Phase:
    rate: float
    #: this process's CPU (all threads) per branch, in ms: what the work costs here, whatever the load
    cpu_ms: float


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def bare_loop(backends: BackendSessions, payloads: Mapping[str, RenderedPayload], cases: int, workers: int,
              tag: str) -> Phase:
    """The same submits without the outbox."""
    jobs = [(dept, f"{tag}-{i:06d}:{dept}") for i in range(cases) for dept in payloads]

    def send(job: tuple[str, str]) -> str:
        dept, key = job
        return backends.adapter(dept).submit(payloads[dept], key).department_ref

    cpu, started = _cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        refs = list(pool.map(send, jobs))
    elapsed = time.perf_counter() - started
    assert all(refs)
    return Phase(len(jobs) / elapsed, (_cpu() - cpu) / len(jobs) * 1000)


def received(db: Database) -> int:
    with db.unit_of_work(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxBranch)
                                  .where(OutboxBranch.state == "received")) or 0


def wait_received(db: Database, total: int, started: datetime, timeout: float = 600.0) -> float:
    """Seconds from ``started`` to the recording of the last branch (the outbox's own ``updated_at``, so
    how often this polls does not change the figure)."""
    deadline = time.monotonic() + timeout
    while received(db) < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {received(db)} of {total} delivered")
        time.sleep(0.25)
    with db.unit_of_work(read_only=True) as uow:
        last = uow.session.scalar(select(func.max(OutboxBranch.updated_at)))
    assert last is not None
    return (last - started).total_seconds()


def dispatcher_run(db: Database, backends: BackendSessions, total: int, workers: int) -> Phase:
    """One in-process dispatcher draining the backlog just written to the outbox."""
    stop = threading.Event()
    dispatcher = Dispatcher(db, backends, name="bench", max_workers=workers, status_interval_s=3600)
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,))
    before = received(db)
    cpu, started = _cpu(), utc_now()
    thread.start()
    try:
        elapsed = wait_received(db, before + total, started)
        used = _cpu() - cpu
    finally:
        stop.set()
        thread.join()
        dispatcher.close()
    return Phase(total / elapsed, used / total * 1000)


def two_processes(db: Database, db_url: str, payloads: Mapping[str, RenderedPayload], cases: int, workers: int,
                  workdir: Path) -> float:
    """Two headless dispatchers (processes), started and idle; then the backlog lands in one commit."""
    log = workdir / "dispatch.log"
    # the bare loop's concurrency, split between the two
    procs = [spawn_dispatcher(db_url, workdir / f"d{n}", log, f"bench-{n}", workers=max(1, workers // 2))
             for n in range(2)]
    try:
        for proc in procs:
            wait_started(proc)
        before = received(db)
        total = seed_backlog(db, payloads, cases=cases, prefix="PG2-")
        started = utc_now()  # the backlog is visible to the dispatchers from its commit on
        return total / wait_received(db, before + total, started)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.communicate(timeout=60)


def check_records(urls: Mapping[str, str], db: Database, prefix: str) -> None:
    """Every outbox branch of this run (its keys start with ``prefix``) is held by its department under its
    key with the recorded reference, and the department holds nothing else of this run."""
    with db.unit_of_work(read_only=True) as uow:
        ours = {(b.adapter_id, b.idempotency_key): b.department_ref for b in uow.session.scalars(
            select(OutboxBranch).where(OutboxBranch.idempotency_key.like(f"{prefix}%")))}
    held = {}
    for dept, url in urls.items():
        for record in requests.get(f"{url}/_control/records", timeout=60).json()["records"]:
            if record["key"].startswith(prefix):
                held[(dept, record["key"])] = record["ref"]
    if held != ours:
        wrong = [k for k in ours.keys() | held.keys() if held.get(k) != ours.get(k)]
        raise RuntimeError(f"{len(wrong)} branch(es) not held as recorded, e.g. {wrong[:3]}")


def reset(urls: Mapping[str, str]) -> None:
    """Forget the departments' records: a sandbox holding hundreds of thousands of them gets slower (its
    garbage collector walks them all), which would make later phases look slower than earlier ones."""
    for url in urls.values():
        requests.post(f"{url}/_control/reset", json={}, timeout=60).raise_for_status()


def measure(label: str, db: Database, db_url: str, urls: Mapping[str, str], args: argparse.Namespace,
            workdir: Path) -> None:
    cases = args.branches // len(DEPARTMENTS)
    total = cases * len(DEPARTMENTS)
    registry = configure_departments(db, urls, timeout_s=30.0)
    backends = backend_sessions(db, registry, workdir)
    print(f"{label}: a backlog of {total} branches, {args.workers} workers, {args.rounds} round(s)")
    try:
        payloads = render_payloads(backends, DEPARTMENTS)
        # log in and import every adapter before anything is timed
        for dept, payload in payloads.items():
            backends.adapter(dept).submit(payload, f"warmup-{uuid.uuid4().hex[:8]}:{dept}")
        ratios: list[float] = []
        bare_rates: list[float] = []
        for n in range(1, args.rounds + 1):
            run = uuid.uuid4().hex[:6]
            reset(urls)
            before = bare_loop(backends, payloads, cases, args.workers, f"B1{run}")
            reset(urls)
            seed_backlog(db, payloads, cases=cases, prefix=f"D{run}-")
            outbox = dispatcher_run(db, backends, total, args.workers)
            check_records(urls, db, f"D{run}-")
            reset(urls)
            after = bare_loop(backends, payloads, cases, args.workers, f"B2{run}")
            bare = (before.rate + after.rate) / 2
            bare_cpu = (before.cpu_ms + after.cpu_ms) / 2
            ratios.append(outbox.rate / bare)
            bare_rates.append(bare)
            print(f"  round {n}: bare loop {before.rate:5.0f} /s before, {after.rate:5.0f} /s after;"
                  f" dispatcher {outbox.rate:5.0f} /s; ratio {outbox.rate / bare:.2f};"
                  f" CPU here {bare_cpu:.2f} ms (bare) vs {outbox.cpu_ms:.2f} ms (dispatcher) per branch")
        print(f"  dispatcher / bare loop, median of {len(ratios)}: {statistics.median(ratios):.2f}   (target >= 0.80)")
        if args.postgres and db.dialect == "postgresql":
            reset(urls)
            two = two_processes(db, db_url, payloads, cases, args.workers, workdir)
            check_records(urls, db, "PG2-")
            print(f"  two dispatcher processes: {two:5.0f} /s; ratio to the bare loop"
                  f" {two / statistics.median(bare_rates):.2f}")
    finally:
        backends.close()


@contextmanager
def postgres_schema() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        raise SystemExit("--postgres needs TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2,
                        help="bare loop, dispatcher, bare loop this many times (the median ratio is the figure)")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp, sandbox_process() as urls:
        workdir = Path(tmp)
        url = f"sqlite+pysqlite:///{workdir / 'outbox.db'}"
        db = open_database(url)
        try:
            measure("SQLite", db, url, urls, args, workdir)
        finally:
            db.dispose()
        if args.postgres:
            with postgres_schema() as pg_url:
                pg = open_database(pg_url)
                try:
                    measure("PostgreSQL", pg, pg_url, urls, args, workdir)
                finally:
                    pg.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
