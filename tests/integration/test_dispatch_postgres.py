"""Three headless dispatchers (`python main.py dispatch`, separate processes) share one PostgreSQL database
and 1,000 branches: the rows are claimed with FOR UPDATE SKIP LOCKED, each branch reaches its department
exactly once, counted from the submit requests the sandboxes received and from their own records."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from sqlalchemy import select

from _dispatch_helpers import (
    DEPARTMENTS, Departments, assert_each_delivered_once, configured_backlog, spawn_dispatcher, state_counts,
    wait_started,
)
from desktop.storage.case_models import CaseEvent

DISPATCHERS = 3


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_three_dispatchers_share_a_thousand_branches_and_send_none_twice(db_url, db, tmp_path) -> None:
    with Departments(DEPARTMENTS) as departments:
        total = configured_backlog(db, departments, tmp_path, cases=250, timeout_s=5.0)
        assert total == 1000
        log = tmp_path / "dispatch.log"
        procs = [spawn_dispatcher(db_url, tmp_path / f"data{n}", log, f"hall-{n}", workers=4)
                 for n in range(DISPATCHERS)]
        try:
            for proc in procs:
                wait_started(proc)
            deadline = time.monotonic() + 60
            while state_counts(db).get("received") != total and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            outputs = [proc.communicate(timeout=30)[0].decode("utf-8") for proc in procs]
        assert [p.returncode for p in procs] == [0] * DISPATCHERS, log.read_text(encoding="utf-8")[-3000:]
        assert all("报送服务已停止" in out for out in outputs)

        assert state_counts(db) == {"received": total}
        assert_each_delivered_once(db, departments)
        twice = [(key, n) for key, n in departments.submitted.items() if n > 1]
        assert not twice, twice
        assert sum(departments.submits.values()) == total
        # the work really was shared: every dispatcher recorded some of the deliveries
        with db.unit_of_work(read_only=True) as uow:
            by = Counter(actor.split("#")[0] for actor in uow.session.scalars(
                select(CaseEvent.actor).where(CaseEvent.kind == "branch_received")))
        assert sum(by.values()) == total
        assert set(by) == {f"hall-{n}" for n in range(DISPATCHERS)}, by
