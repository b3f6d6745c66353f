"""The dispatcher against the real department sandboxes (real HTTP on 127.0.0.1) and a real database
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set): delivery, status polling, rejection, retries with
backoff, the circuit breaker, timeouts that must not become successes, and leases of a crashed holder."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from _dispatch_helpers import (
    DEPARTMENTS, Departments, assert_each_delivered_once, backend_sessions, branches, configure_departments,
    render_payloads, seed_backlog, state_counts,
)
from desktop.services.backends import BackendSessions
from desktop.services.dispatcher import Dispatcher, start_in_background
from desktop.services.dispatcher_claim import OutboxStore
from desktop.storage.case_models import Case, CaseEvent, OutboxBranch
from desktop.storage.db import Database


class World:
    def __init__(self, db: Database, departments: Departments, backends: BackendSessions) -> None:
        self.db, self.departments, self.backends = db, departments, backends
        self.payloads = render_payloads(backends, departments.servers)
        self.dispatchers: list[Dispatcher] = []

    def dispatcher(self, **options: Any) -> Dispatcher:
        settings: dict[str, Any] = {"name": "test", "max_workers": 4, "backoff_base_s": 0.05, "backoff_max_s": 0.2,
                                    "poll_interval_s": 0.02, "status_interval_s": 0.0, "seed": 7,
                                    "department_names": {"social_security": "人社", "medical_insurance": "医保",
                                                         "employment": "就业", "public_data": "公共数据"}}
        settings.update(options)
        d = Dispatcher(self.db, self.backends, **settings)
        self.dispatchers.append(d)
        return d

    def events(self, kind_prefix: str = "") -> list[CaseEvent]:
        with self.db.unit_of_work(read_only=True) as uow:
            return [e for e in uow.session.scalars(select(CaseEvent).order_by(CaseEvent.id))
                    if e.kind.startswith(kind_prefix)]

    def case_states(self) -> list[str]:
        with self.db.unit_of_work(read_only=True) as uow:
            return list(uow.session.scalars(select(Case.state).order_by(Case.id)))


def _world(db: Database, tmp_path: Any, departments: Departments, timeout_s: float) -> Iterator[World]:
    registry = configure_departments(db, departments.endpoints(), timeout_s=timeout_s)
    backends = backend_sessions(db, registry, tmp_path)
    world = World(db, departments, backends)
    try:
        yield world
    finally:
        for d in world.dispatchers:
            d.close()
        backends.close()


@pytest.fixture
def world(db, tmp_path) -> Iterator[World]:
    with Departments(DEPARTMENTS) as departments:
        yield from _world(db, tmp_path, departments, timeout_s=2.0)


@pytest.fixture
def ss_world(db, tmp_path) -> Iterator[World]:
    """Only 人社, with a short timeout: for the fault tests."""
    with Departments(["social_security"]) as departments:
        yield from _world(db, tmp_path, departments, timeout_s=0.3)


def drain(d: Dispatcher, db: Database, *, until: set[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d.run_once()
        if set(state_counts(db)) <= until:
            return
        time.sleep(0.02)
    raise AssertionError(f"not drained: {state_counts(db)}")


def test_every_branch_reaches_its_department_once_and_the_timeline_says_so(world) -> None:
    total = seed_backlog(world.db, world.payloads, cases=6)
    d = world.dispatcher()
    handled = [d.run_once() for _ in range(3)]
    assert sum(handled) == total == 24 and handled[-1] == 0
    assert state_counts(world.db) == {"received": 24}
    assert_each_delivered_once(world.db, world.departments)
    assert sum(world.departments.submits.values()) == 24  # one request per branch, none twice
    received = world.events("branch_received")
    assert len(received) == 24 and all("已受理（受理编号" in e.text for e in received)
    assert {e.text[:2] for e in received} == {"人社", "医保", "就业", "公共"}
    assert set(world.case_states()) == {"in_progress"}
    assert len(world.events("case_in_progress")) == 6
    assert d.run_once() == 0  # nothing is sent twice


def test_statuses_are_polled_until_final_and_the_case_follows(world) -> None:
    seed_backlog(world.db, world.payloads, cases=2)
    d = world.dispatcher()
    d.run_once()
    rows = branches(world.db)
    first_case = rows[0].case_id
    for row in rows:
        server = world.departments.servers[row.adapter_id]
        if row.case_id == first_case and row.adapter_id == "social_security":
            server.store.advance(row.department_ref, "rejected", "累计缴费不足15年，不符合按月领取条件")
        else:
            server.store.advance(row.department_ref, "approved")
    assert d.poll_statuses() == 8
    states = {(b.case_id, b.adapter_id): (b.state, b.department_reason) for b in branches(world.db)}
    assert states[(first_case, "social_security")] == ("rejected", "累计缴费不足15年，不符合按月领取条件")
    assert sorted(world.case_states()) == ["completed", "rejected"]
    rejected = [e.text for e in world.events("branch_rejected")]
    assert rejected == ["人社不予通过：累计缴费不足15年，不符合按月领取条件"]
    assert len(world.events("branch_approved")) == 7
    assert d.poll_statuses() == 0  # final: nobody asks again


def test_a_department_refusal_at_intake_is_rejected_with_its_words(world) -> None:
    payload = world.payloads["social_security"]
    # the name does not match the ID number: the department refuses the packet itself (RETCODE 3001)
    wrong = payload.body.replace("周建国".encode("gbk"), "周建军".encode("gbk"))
    seed_backlog(world.db, {"social_security": type(payload)(payload.adapter_id, payload.item_codes,
                                                             payload.content_type, wrong, "", {})}, cases=1)
    world.dispatcher().run_once()
    [row] = branches(world.db)
    assert row.state == "rejected" and row.department_ref is None
    assert row.department_reason == "姓名与公民身份号码不一致"
    assert world.case_states() == ["rejected"]


def test_a_backend_down_for_a_while_gets_everything_once_when_back(world) -> None:
    seed_backlog(world.db, world.payloads, cases=5)
    world.departments.faults("medical_insurance", outage=True)
    d = world.dispatcher(breaker_threshold=3, breaker_cooldown_s=0.3, max_attempts=50, max_workers=8)
    d.run_once()
    counts = state_counts(world.db)
    assert counts["received"] == 15  # the other departments are not held up
    assert counts["received"] + counts["unknown"] + counts["retry_wait"] + counts["pending"] == 20
    assert d.breakers.state("medical_insurance") == "open"
    # a dropped connection may have carried the packet: never "received", always asked about first
    mi = [b for b in branches(world.db) if b.adapter_id == "medical_insurance"]
    assert all(b.department_ref is None and b.state in ("unknown", "pending", "retry_wait") for b in mi)
    hits = world.departments.servers["medical_insurance"].request_count
    time.sleep(0.1)
    d.run_once()  # open: the dead back-end is left alone
    assert world.departments.servers["medical_insurance"].request_count == hits

    world.departments.servers["medical_insurance"].clear_faults()
    drain(d, world.db, until={"received"})
    assert d.breakers.state("medical_insurance") == "closed"
    assert_each_delivered_once(world.db, world.departments)
    assert world.departments.submits["medical_insurance"] == 5  # sent once each once it was back


def test_an_open_breaker_probes_once_and_opens_again_when_still_down(ss_world) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=6)
    ss_world.departments.faults("social_security", error_rate=1.0)  # HTTP 500 系统繁忙: certainly not taken
    d = ss_world.dispatcher(breaker_threshold=2, breaker_cooldown_s=0.2, max_workers=1, max_attempts=50)
    d.run_once()
    server = ss_world.departments.servers["social_security"]
    assert d.breakers.state("social_security") == "open"
    after_open = server.request_count
    time.sleep(0.25)
    d.run_once()  # half-open: exactly one branch is tried
    assert d.breakers.state("social_security") == "open"
    probes = server.request_count - after_open
    assert 1 <= probes <= 2  # the probe (a login may precede it)
    assert state_counts(ss_world.db)["retry_wait"] >= 2
    assert not [b for b in branches(ss_world.db) if b.state == "received"]
    server.clear_faults()
    time.sleep(0.25)
    drain(d, ss_world.db, until={"received"})
    assert_each_delivered_once(ss_world.db, ss_world.departments)


def test_a_timeout_is_unknown_until_the_department_confirms_it(ss_world) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=1)
    server = ss_world.departments.servers["social_security"]
    d = ss_world.dispatcher(max_attempts=50)
    d.run_once()  # log in and deliver one, so the slow-down below hits the submit itself
    seed_backlog(ss_world.db, ss_world.payloads, cases=1, prefix="YD")
    # the department takes the packet but answers after the client gave up (0.3 s)
    server.set_faults(latency_s=0.8)
    d.run_once()
    row = [b for b in branches(ss_world.db) if b.idempotency_key.startswith("YD")][0]
    assert row.state == "unknown" and row.department_ref is None  # no success it did not receive
    assert "超时" in row.last_error
    assert "结果待核实" in ss_world.events("branch_unknown")[0].text
    time.sleep(0.9)  # the department has stored it by now
    server.clear_faults()
    drain(d, ss_world.db, until={"received"})
    row = [b for b in branches(ss_world.db) if b.idempotency_key.startswith("YD")][0]
    assert ss_world.events("branch_received")[-1].text.startswith("经按业务编号核实")
    assert_each_delivered_once(ss_world.db, ss_world.departments)
    assert ss_world.departments.submits["social_security"] == 2  # resolved by asking, not by sending again
    assert row.department_ref == ss_world.departments.records("social_security")[-1]["ref"]


def test_a_hung_request_the_department_never_took_is_sent_again_with_the_same_key(ss_world) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=1)
    ss_world.departments.faults("social_security", hang_next=1, hang_s=1.0)
    d = ss_world.dispatcher(max_attempts=50)
    d.run_once()  # the login hangs and times out: nothing reached the department
    drain(d, ss_world.db, until={"received"})
    assert_each_delivered_once(ss_world.db, ss_world.departments)
    assert ss_world.departments.submits["social_security"] == 1


def test_retries_stop_at_the_limit_and_ask_for_a_person(ss_world) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=1)
    ss_world.departments.faults("social_security", error_rate=1.0)
    d = ss_world.dispatcher(max_attempts=3, breaker_threshold=100)
    drain(d, ss_world.db, until={"attention"}, timeout=10)
    [row] = branches(ss_world.db)
    assert row.attempts == 3 and row.department_ref is None
    assert "系统繁忙" in row.last_error
    kinds = [e.kind for e in ss_world.events("branch_")]
    assert kinds == ["branch_retry", "branch_retry", "branch_attention"]
    assert "请人工处理" in ss_world.events("branch_attention")[0].text
    waits = [e.at for e in ss_world.events("branch_")]
    assert waits == sorted(waits)


def test_a_refused_login_needs_a_person_at_once(ss_world, memory_keyring) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=1)
    for key in list(memory_keyring.store):
        memory_keyring.store[key] = "wrong-password"
    ss_world.dispatcher().run_once()
    [row] = branches(ss_world.db)
    assert row.state == "attention" and "登录失败" in row.last_error
    assert ss_world.departments.submits["social_security"] == 0


def test_a_crashed_holders_branch_is_resumed_after_its_lease_and_asked_about_first(ss_world, clock) -> None:
    seed_backlog(ss_world.db, ss_world.payloads, cases=2, now=clock())
    # a dispatcher that claimed both, sent the first, and died before recording anything
    dead = OutboxStore(ss_world.db, "dead#000000")
    claimed = dead.claim_sends(now=clock(), lease_until=clock() + timedelta(seconds=30), limit=10)
    assert [c.prior_state for c in claimed] == ["pending", "pending"]
    adapter = ss_world.backends.adapter("social_security")
    from adapters.api import RenderedPayload
    first = claimed[0]
    ref = adapter.submit(RenderedPayload(first.adapter_id, first.item_codes, first.content_type, first.payload,
                                         "", {}), first.idempotency_key).department_ref

    d = ss_world.dispatcher(clock=clock)
    assert d.run_once() == 0  # leased: nobody else touches them
    clock.advance(seconds=31)
    assert d.run_once() == 2
    rows = {b.idempotency_key: b for b in branches(ss_world.db)}
    assert rows[first.idempotency_key].department_ref == ref  # found, not sent again
    assert_each_delivered_once(ss_world.db, ss_world.departments)
    assert ss_world.departments.submits["social_security"] == 2
    # the dead holder cannot overwrite what the living one recorded
    from desktop.services.dispatcher_claim import Outcome
    assert dead.record([Outcome(c, "attention", clock()) for c in claimed], now=clock()) == 0
    assert state_counts(ss_world.db) == {"received": 2}


def test_the_background_dispatcher_drains_and_stops_cleanly(world) -> None:
    seed_backlog(world.db, world.payloads, cases=10)
    handle = start_in_background(world.dispatcher())
    try:
        deadline = time.monotonic() + 20
        while state_counts(world.db) != {"received": 40} and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        handle.stop()
    assert not handle.running
    assert_each_delivered_once(world.db, world.departments)


def test_two_dispatchers_on_one_database_never_send_a_branch_twice(world, db) -> None:
    seed_backlog(world.db, world.payloads, cases=40)
    stop = threading.Event()
    first, second = world.dispatcher(name="a"), world.dispatcher(name="b")
    threads = [threading.Thread(target=d.run_forever, args=(stop,)) for d in (first, second)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while state_counts(db) != {"received": 160} and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert_each_delivered_once(db, world.departments)
    assert sum(world.departments.submits.values()) == 160


def test_unsent_branches_of_a_cancelled_case_stay_unsent(world) -> None:
    seed_backlog(world.db, world.payloads, cases=1)
    with world.db.unit_of_work() as uow:
        uow.session.execute(update(OutboxBranch).values(state="cancelled"))
        uow.session.execute(update(Case).values(state="cancelled"))
    assert world.dispatcher().run_once() == 0
    assert sum(world.departments.submits.values()) == 0
