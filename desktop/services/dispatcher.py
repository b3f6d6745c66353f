"""The dispatcher: sends the outbox's department branches, in parallel, and follows them until the
department decides. It runs inside the workstation (``start_in_background``) or headless on a hall's
server (``python main.py dispatch``); several may share one database.

What it promises:

- It records only what a department said. A submit that timed out, came back unreadable or lost its
  connection may have reached the department: the branch is ``unknown`` and is resolved by asking the
  department for the same idempotency key (``find_submission``), never by guessing. Only when the
  department holds no record is it sent again, with the same key.
- A failure is retried for that branch only, with exponential backoff and jitter, up to
  ``max_attempts``; then the branch needs a person (``attention``).
- A department that keeps failing opens its circuit breaker: its branches wait without spending attempts
  until a probe gets through.
- Killed at any moment, nothing is lost: a claimed branch carries a lease, and whoever claims it after the
  lease ran out asks the department first.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from adapters.api import (
    Adapter, AdapterError, AdapterTimeout, BranchState, MalformedReplyError, RejectedError, RenderedPayload,
    SubmitResult,
)
from desktop.clock import Clock, utc_now
from desktop.security.redact import mask_id_numbers_in_text
from desktop.services import dispatcher_states as st
from desktop.services.dispatcher_breaker import Backoff, CircuitBreakers
from desktop.services.dispatcher_claim import ClaimedBranch, Outcome, OutboxStore
from desktop.storage.db import Database

log = logging.getLogger(__name__)

#: outcomes are written together once this many are in, or this long after the first one came in
_FLUSH_SIZE = 128
_FLUSH_AFTER_S = 0.1
#: branches claimed per worker at most; refilled when the queue is down to one per worker
_QUEUE_DEPTH = 8
_REFILL_AT = 4


class AdapterProvider(Protocol):
    """Where the dispatcher gets a live adapter (desktop.services.backends.BackendSessions is one)."""

    def adapter(self, adapter_id: str) -> Adapter: ...


@dataclass(frozen=True)
class DispatcherOptions:
    max_workers: int = 8
    #: how long a claim holds a branch; must exceed the slowest department call (adapter timeouts)
    lease_s: float = 120.0
    backoff_base_s: float = 2.0
    backoff_max_s: float = 600.0
    max_attempts: int = 8
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 30.0
    #: how long an idle dispatcher waits before looking for due work again
    poll_interval_s: float = 1.0
    #: how often a branch the department holds is asked for its status
    status_interval_s: float = 60.0


class Dispatcher:
    def __init__(self, db: Database, adapters: AdapterProvider | Callable[[str], Adapter], *,
                 name: str | None = None, clock: Clock = utc_now,
                 max_workers: int = 8, lease_s: float = 120.0, backoff_base_s: float = 2.0,
                 backoff_max_s: float = 600.0, max_attempts: int = 8, breaker_threshold: int = 5,
                 breaker_cooldown_s: float = 30.0, poll_interval_s: float = 1.0, status_interval_s: float = 60.0,
                 department_names: Mapping[str, str] | None = None, seed: int | None = None) -> None:
        if max_workers < 1 or max_attempts < 1 or lease_s <= 0:
            raise ValueError("max_workers, max_attempts and lease_s must be positive")
        self.options = DispatcherOptions(max_workers, lease_s, backoff_base_s, backoff_max_s, max_attempts,
                                         breaker_threshold, breaker_cooldown_s, poll_interval_s, status_interval_s)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        # BackendSessions (an object with .adapter) or its bound method, as the tracking service takes it
        self._adapter_of: Callable[[str], Adapter] = getattr(adapters, "adapter", adapters)
        self._clock = clock
        # the suffix tells two dispatchers apart even when an operator gives both the same name
        self._store = OutboxStore(db, f"{self.name}#{uuid.uuid4().hex[:6]}", department_names=department_names)
        self.breakers = CircuitBreakers(breaker_threshold, breaker_cooldown_s)
        self._backoff = Backoff(backoff_base_s, backoff_max_s, rng=random.Random(seed))
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"dispatch-{self.name}")
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Wait for the calls in flight and stop the worker threads. Adapters belong to the provider."""
        if not self._closed:
            self._closed = True
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim the due branches (one batch) and send them in parallel. Returns how many were handled."""
        claimed = self._claim_sends(self.options.max_workers * _QUEUE_DEPTH)
        self._finish(self._send, claimed)
        return len(claimed)

    def poll_statuses(self) -> int:
        """Ask the departments for the status of the branches they hold whose query is due."""
        now = self._clock()
        claimed = self._store.claim_polls(now=now, lease_until=now + timedelta(seconds=self.options.lease_s),
                                          limit=self.options.max_workers * _QUEUE_DEPTH, skip=self.breakers.blocked())
        self._finish(self._poll, claimed)
        return len(claimed)

    def run_forever(self, stop: threading.Event) -> None:
        """Send and poll until ``stop`` is set; then finish the calls in flight, record them and return.

        The pool is kept busy: new branches are claimed while earlier ones are still being sent, and what
        comes back is written in batches, so the database sees few, short transactions."""
        results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        inflight = 0
        buffered: list[Outcome] = []
        first_buffered = 0.0
        workers = self.options.max_workers
        log.info("dispatcher %s started (%d workers)", self.name, workers)
        while True:
            stopping = stop.is_set()
            # None: no claim this round (the pool was busy); []: nothing was due
            claimed: list[ClaimedBranch] | None = None
            if not stopping and inflight <= _REFILL_AT * workers:
                # a deep queue means few, large claims: a claim costs about the same for 8 rows as for 32
                claimed = self._guarded(lambda: self._claim_sends(_QUEUE_DEPTH * workers - inflight), [])
                for b in claimed:
                    self._start(self._send, b, results)
                inflight += len(claimed)
            if inflight:
                arrived = _take(results, timeout=_FLUSH_AFTER_S)
                if arrived and not buffered:
                    first_buffered = time.monotonic()
                inflight -= len(arrived)
                buffered += arrived
            if buffered and (len(buffered) >= _FLUSH_SIZE or not inflight
                             or time.monotonic() - first_buffered >= _FLUSH_AFTER_S):
                self._guarded(lambda: self._record(buffered), 0)
                buffered = []
            if stopping and not inflight:
                break
            if claimed == [] and not inflight and not stopping:
                if not self._guarded(self.poll_statuses, 0):
                    stop.wait(self.options.poll_interval_s)
        log.info("dispatcher %s stopped", self.name)

    # -- claiming and recording --------------------------------------------------------------------------
    def _claim_sends(self, limit: int) -> list[ClaimedBranch]:
        now = self._clock()
        lease_until = now + timedelta(seconds=self.options.lease_s)
        claimed = self._store.claim_sends(now=now, lease_until=lease_until, limit=limit,
                                          skip=self.breakers.blocked() | self.breakers.probe_ready())
        for adapter_id in sorted(self.breakers.probe_ready()):
            # half-open: one branch goes as the probe; the rest wait for its answer
            claimed += self._store.claim_sends(now=now, lease_until=lease_until, limit=1, only=adapter_id)
        return claimed

    def _finish(self, work: Callable[[ClaimedBranch], Outcome], claimed: list[ClaimedBranch]) -> None:
        results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        for b in claimed:
            self._start(work, b, results)
        buffered: list[Outcome] = []
        left = len(claimed)
        while left:
            arrived = _take(results, timeout=None)
            left -= len(arrived)
            buffered += arrived
            if len(buffered) >= _FLUSH_SIZE or (buffered and not left):
                self._record(buffered)
                buffered = []

    def _start(self, work: Callable[[ClaimedBranch], Outcome], branch: ClaimedBranch,
               results: queue.SimpleQueue[Outcome]) -> None:
        def job() -> None:
            try:
                outcome = work(branch)
            except Exception:  # noqa: BLE001 - _send and _poll catch everything; the last line of defence
                log.exception("dispatcher %s: branch %d crashed its worker", self.name, branch.id)
                # a send that blew up may have gone out: unknown, asked about before anything else
                state = st.UNKNOWN if work == self._send else branch.prior_state
                outcome = Outcome(branch, state, self._later(self.options.backoff_base_s))
            results.put(outcome)

        self._pool.submit(job)

    def _record(self, outcomes: list[Outcome]) -> int:
        return self._store.record(outcomes, now=self._clock())

    def _guarded(self, fn: Callable[[], Any], fallback: Any) -> Any:
        """The loop survives a database outage: log, wait a little, carry on. Branches claimed but not
        recorded keep their lease and are resolved with the department once it runs out."""
        try:
            return fn()
        except Exception:  # noqa: BLE001 - the service must outlive a database hiccup
            log.exception("dispatcher %s: database step failed; retrying", self.name)
            time.sleep(min(5.0, self.options.poll_interval_s))
            return fallback

    # -- one branch -----------------------------------------------------------------------------------------
    def _send(self, b: ClaimedBranch) -> Outcome:
        name = self._store.department_name(b.adapter_id)
        if not self.breakers.allow(b.adapter_id):
            wait_s = max(self.breakers.reopen_in(b.adapter_id), self.options.poll_interval_s)
            return Outcome(b, None, self._clock() + timedelta(seconds=wait_s))
        # an earlier attempt may have reached the department and nobody has asked it since
        doubt = b.prior_state in (st.SENDING, st.UNKNOWN)
        try:
            adapter = self._adapter_of(b.adapter_id)
        except Exception as exc:  # noqa: BLE001 - a broken or disabled plugin is that department's problem
            self.breakers.release_probe(b.adapter_id)
            return self._failed(b, name, exc, doubt=doubt, give_up=True)
        try:
            if b.must_resolve:
                found = adapter.find_submission(b.idempotency_key)
                if found is not None:
                    self.breakers.success(b.adapter_id)
                    return self._received(b, name, found, resolved=True, attempted=False)
                doubt = False  # the department holds nothing under this key: sending it is safe
            payload = RenderedPayload(b.adapter_id, b.item_codes, b.content_type, b.payload, "", {})
            result = adapter.submit(payload, b.idempotency_key)
        except RejectedError as exc:
            self.breakers.success(b.adapter_id)
            reason = exc.reason or exc.message_zh
            log.info("%s: branch %s rejected by %s: %s", self.name, b.idempotency_key, b.adapter_id,
                     mask_id_numbers_in_text(exc.detail))
            return Outcome(b, st.REJECTED, self._later(self.options.status_interval_s), attempted=True,
                           reason=reason, error="", event=f"{name}退回：{reason}", event_kind="branch_rejected")
        except AdapterError as exc:
            if not exc.retryable:
                self.breakers.success(b.adapter_id)  # it answered; the problem is ours or the account's
                return self._failed(b, name, exc, doubt=doubt, give_up=True)
            self.breakers.failure(b.adapter_id)
            if isinstance(exc, (AdapterTimeout, MalformedReplyError)) or _maybe_delivered(exc):
                return self._resolve_after_doubt(adapter, b, name, exc)
            return self._failed(b, name, exc, doubt=doubt)
        except Exception as exc:  # noqa: BLE001 - a plugin bug; whether it sent is unknown, so ask next time
            log.exception("%s: adapter %s raised a non-adapter error on %s", self.name, b.adapter_id,
                          b.idempotency_key)
            self.breakers.failure(b.adapter_id)
            return self._failed(b, name, exc, doubt=True)
        self.breakers.success(b.adapter_id)
        return self._received(b, name, result, resolved=False, attempted=True)

    def _resolve_after_doubt(self, adapter: Adapter, b: ClaimedBranch, name: str, exc: AdapterError) -> Outcome:
        """The submit may or may not have arrived: ask the department (same key) at once."""
        log.info("%s: %s to %s is unknown (%s); asking the department", self.name, b.idempotency_key,
                 b.adapter_id, exc.kind)
        try:
            found = adapter.find_submission(b.idempotency_key)
        except Exception as again:  # noqa: BLE001 - still no answer: stays unknown, asked again later
            log.info("%s: find_submission %s failed too: %s", self.name, b.idempotency_key,
                     mask_id_numbers_in_text(str(again)))
            return self._failed(b, name, exc, doubt=True)
        if found is not None:
            return self._received(b, name, found, resolved=True, attempted=True)
        return self._failed(b, name, exc, doubt=False)

    def _received(self, b: ClaimedBranch, name: str, result: SubmitResult, *, resolved: bool,
                  attempted: bool) -> Outcome:
        log.debug("%s: %s -> %s %s%s", self.name, b.idempotency_key, b.adapter_id, result.department_ref,
                  " (resolved)" if resolved else "")
        how = "经按业务编号核实，" if resolved else ""
        return Outcome(b, st.RECEIVED, self._later(self.options.status_interval_s), attempted=attempted,
                       department_ref=result.department_ref, reason="", error="",
                       event=f"{how}{name}已受理（受理编号 {result.department_ref}）", event_kind="branch_received")

    def _failed(self, b: ClaimedBranch, name: str, exc: BaseException, *, doubt: bool,
                give_up: bool = False) -> Outcome:
        """A failed attempt. With ``doubt`` the department may hold the branch: it stays ``unknown`` and is
        asked about again (never given up on, never cancellable as unsent). Otherwise it waits for a retry,
        or needs a person when the error will not go away by itself or the attempts are used up."""
        attempts = b.attempts + 1
        message = _message_zh(exc)
        log.info("%s: attempt %d of %s to %s failed%s: %s", self.name, attempts, b.idempotency_key, b.adapter_id,
                 " (outcome unknown)" if doubt else "", mask_id_numbers_in_text(str(exc)))
        exhausted = give_up or attempts >= self.options.max_attempts
        if doubt:
            delay = self.options.backoff_max_s if exhausted else self._backoff.delay(attempts)
            advice = "；已多次无法核实，请与部门联系确认" if exhausted else ""
            return Outcome(b, st.UNKNOWN, self._later(delay), attempted=True, error=message,
                           event=f"向{name}发送后未得到明确答复（{message}），结果待核实；"
                                 f"约{_seconds_zh(delay)}后按同一业务编号向部门核实{advice}",
                           event_kind="branch_unknown")
        if exhausted:
            tried = f"已尝试{attempts}次仍未成功（{message}），已停止自动重发" if not give_up else f"无法发送：{message}"
            return Outcome(b, st.ATTENTION, self._later(0), attempted=True, error=message,
                           event=f"向{name}{tried}，请人工处理", event_kind="branch_attention")
        delay = self._backoff.delay(attempts)
        return Outcome(b, st.RETRY_WAIT, self._later(delay), attempted=True, error=message,
                       event=f"向{name}发送失败（{message}），第{attempts}次；约{_seconds_zh(delay)}后重发",
                       event_kind="branch_retry")

    def _poll(self, b: ClaimedBranch) -> Outcome:
        name = self._store.department_name(b.adapter_id)
        again = self._later(self.options.status_interval_s)
        if not self.breakers.allow(b.adapter_id):
            return Outcome(b, b.prior_state, again)
        try:
            status = self._adapter_of(b.adapter_id).status(b.department_ref or "")
        except AdapterError as exc:
            if exc.retryable:
                self.breakers.failure(b.adapter_id)
            else:
                self.breakers.release_probe(b.adapter_id)
            log.info("%s: status of %s at %s failed: %s", self.name, b.department_ref, b.adapter_id,
                     mask_id_numbers_in_text(str(exc)))
            return Outcome(b, b.prior_state, again)
        except Exception:  # noqa: BLE001 - a plugin bug must not stop the polling of the others
            log.exception("%s: status of %s at %s raised", self.name, b.department_ref, b.adapter_id)
            self.breakers.failure(b.adapter_id)
            return Outcome(b, b.prior_state, again)
        self.breakers.success(b.adapter_id)
        new = status.state.value
        if new == b.prior_state and (status.reason or "") == b.reason:
            return Outcome(b, new, again)
        reason = status.reason or ""
        text = {BranchState.RECEIVED.value: f"{name}已受理",
                BranchState.IN_REVIEW.value: f"{name}审核中",
                BranchState.APPROVED.value: f"{name}审核通过" + (f"：{reason}" if reason else ""),
                BranchState.REJECTED.value: f"{name}不予通过：{reason or '（部门未说明原因）'}"}[new]
        return Outcome(b, new, again, reason=reason, event=text, event_kind=f"branch_{new}")

    def _later(self, seconds: float) -> datetime:
        return self._clock() + timedelta(seconds=seconds)


class DispatcherHandle:
    """A dispatcher running in a background thread of the workstation."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"dispatcher-{dispatcher.name}", daemon=False)

    def _run(self) -> None:
        try:
            self.dispatcher.run_forever(self._stop)
        except Exception:  # noqa: BLE001 - logged; the outbox waits for the next start
            log.exception("dispatcher %s stopped by an error", self.dispatcher.name)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the calls in flight, record them, stop the workers. Safe to call twice."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        self.dispatcher.close()


def start_in_background(dispatcher: Dispatcher) -> DispatcherHandle:
    handle = DispatcherHandle(dispatcher)
    handle._thread.start()
    return handle


def _take(results: queue.SimpleQueue[Outcome], timeout: float | None) -> list[Outcome]:
    """Whatever has arrived, waiting up to ``timeout`` for the first one (None: until one comes)."""
    try:
        got = [results.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            got.append(results.get_nowait())
        except queue.Empty:
            return got


def department_names(registry: Any, fields: Any = None) -> dict[str, str]:
    """adapter id -> the department's Chinese name for timeline texts (the field dictionary's name of the
    adapter's department when known, else the plugin's name)."""
    names: dict[str, str] = {}
    departments = getattr(fields, "departments", None) or {}
    for rec in registry.records():
        manifest = rec.manifest
        if manifest is None:
            continue
        department = departments.get(manifest.department)
        names[rec.id] = getattr(department, "name", None) or manifest.name
    return names


#: transport errors raised after the request may have left: the department may hold it
_AFTER_SENDING = frozenset({"ProtocolError", "RemoteDisconnected", "ConnectionResetError", "BrokenPipeError",
                            "ConnectionAbortedError", "IncompleteRead", "ChunkedEncodingError", "ReadTimeout"})


def _maybe_delivered(exc: BaseException) -> bool:
    """Whether a failed call may have reached the department: a connection refused did not, a connection
    dropped while waiting for the answer may have. Walks the causes (requests nests urllib3's error in
    ``args``)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if type(e).__name__ in _AFTER_SENDING:
            return True
        todo += [x for x in (e.__cause__, e.__context__, *e.args) if isinstance(x, BaseException)]
    return False


def _message_zh(exc: BaseException) -> str:
    message = getattr(exc, "message_zh", None)
    text = str(message) if message else "部门接口发生内部错误，请联系管理员查看日志"
    return mask_id_numbers_in_text(text)


def _seconds_zh(seconds: float) -> str:
    if seconds >= 90:
        return f"{round(seconds / 60)}分钟"
    return f"{max(1, round(seconds))}秒"
