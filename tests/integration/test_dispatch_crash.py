"""Kill -9 of the headless dispatcher (`python main.py dispatch`, a real subprocess) at many random moments
while it drains a backlog to the four real sandboxes; restart it each time. In the end every branch is
delivered, and the departments' own records show each idempotency key exactly once with the reference
the outbox recorded: zero lost, zero duplicates, and not one submit request sent twice."""

from __future__ import annotations

import random
import signal
import time

import pytest
from sqlalchemy import func, select

from _dispatch_helpers import (
    DEPARTMENTS, Departments, assert_each_delivered_once, configured_backlog, spawn_dispatcher, state_counts,
    wait_started,
)
from desktop.storage.case_models import CaseEvent
from desktop.storage.db import Database, open_database

KILLS = 15
LEASE_S = 1.5


def resolved_after_crash(db: Database) -> int:
    with db.unit_of_work(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.kind == "branch_received", CaseEvent.text.like("经按业务编号核实%"))) or 0


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_and_sends_nothing_twice(tmp_path) -> None:
    db_url = f"sqlite+pysqlite:///{tmp_path / 'outbox.db'}"
    db = open_database(db_url)
    rng = random.Random(20260316)
    # slow enough departments that the backlog takes several lives of the dispatcher to drain
    with Departments(DEPARTMENTS) as departments:
        for dept in DEPARTMENTS:
            departments.faults(dept, latency_s=0.02)
        total = configured_backlog(db, departments, tmp_path, cases=200, timeout_s=1.0)
        log = tmp_path / "dispatch.log"
        kills = 0
        progress: list[int] = []
        for n in range(KILLS):
            proc = spawn_dispatcher(db_url, tmp_path / "data", log, f"crashy-{n}", lease_s=LEASE_S)
            try:
                if n % 4 == 3:
                    time.sleep(rng.uniform(0.0, 1.2))  # now and then while it is still starting up
                else:
                    wait_started(proc)
                    time.sleep(rng.uniform(0.2, 0.9))
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
                if proc.stdout:
                    proc.stdout.close()
            kills += 1
            progress.append(state_counts(db)["received"])
        assert kills == KILLS
        assert progress[-1] < total, "the backlog drained before the last kill: it was not killed while working"

        # the last life: runs until everything is delivered, then stops cleanly on SIGTERM
        proc = spawn_dispatcher(db_url, tmp_path / "data", log, "last", lease_s=LEASE_S)
        try:
            wait_started(proc)
            deadline = time.monotonic() + 60
            while state_counts(db).get("received") != total and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
        assert "报送服务已停止" in out.decode("utf-8")

        assert state_counts(db) == {"received": total}, log.read_text(encoding="utf-8")[-3000:]
        assert_each_delivered_once(db, departments)
        # some kills came between a department's answer and its recording: those were asked about, by key
        assert resolved_after_crash(db) > 0
        # resumed branches were asked about with their key, never sent a second time
        twice = [(k, n) for k, n in departments.submitted.items() if n > 1]
        assert not twice, (twice, log.read_text(encoding="utf-8")[-3000:])
        assert sum(departments.submits.values()) == total
    db.dispose()
