"""The common machinery of every sandbox department server.

A sandbox is a small, real HTTP server on 127.0.0.1 that speaks one department's protocol. This module
gives each department the parts that are the same everywhere:

- a threaded HTTP server with start/stop (ephemeral port for tests, fixed port for ``main.py sandbox``)
- fault injection (latency, error rate, hang/timeout, malformed body, outage), set in code or over HTTP
- an idempotent submission store whose records progress received -> in_review -> approved|rejected,
  by time or by a control call
- a control API under ``/_control/`` (faults, advance, records, reset) used by tests, benchmarks and demos

A department subclass implements ``handle(req) -> Reply`` and may override ``error_reply`` and
``malformed_reply`` so injected faults look like that department's own failures.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import random
import socket
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("onewindow.sandbox")

#: department accounts every sandbox accepts unless given others (sandbox only, never a real secret)
DEFAULT_ACCOUNTS: Mapping[str, str] = {"ow_demo": "Sandbox#2026"}

STATES = ("received", "in_review", "approved", "rejected")


def load_demo_citizens() -> dict[str, dict[str, Any]]:
    """The synthetic citizens of resources/demo/citizens.toml, keyed by their key (retiree_m, ...)."""
    text = (resources.files("resources") / "demo" / "citizens.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["citizens"])


@dataclass
class Faults:
    """What goes wrong, and how often. Counters (``*_next``) are consumed one request at a time and make
    tests deterministic; rates use the server's seeded RNG."""

    latency_s: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    #: every request hangs (the client's timeout fires); a hung request is released when the server stops
    hang: bool = False
    hang_s: float = 30.0
    #: connections are accepted and dropped without a reply, as when the back-end is down behind a proxy
    outage: bool = False
    fail_next: int = 0
    malformed_next: int = 0
    hang_next: int = 0
    #: only requests whose path starts with one of these are affected (empty = all, except /_control)
    paths: tuple[str, ...] = ()

    def update(self, data: Mapping[str, Any]) -> None:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        for k, v in data.items():
            setattr(self, k, tuple(v) if k == "paths" else v)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> Reply:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers=dict(headers))


@dataclass
class Submission:
    ref: str
    key: str
    items: tuple[str, ...]
    payload: Any
    created_at: datetime
    state: str = "received"
    reason: str = ""
    updated_at: datetime | None = None
    #: decided at intake by the department's rules: the state the review will end in, and why
    outcome: str = "approved"
    outcome_reason: str = ""

    def public(self) -> dict[str, Any]:
        return {"ref": self.ref, "key": self.key, "items": list(self.items), "state": self.state,
                "reason": self.reason, "created_at": self.created_at.isoformat(),
                "updated_at": (self.updated_at or self.created_at).isoformat()}


class SubmissionStore:
    """Idempotent by key: the same key returns the first record and never creates a second one.

    States progress by time when ``review_after_s``/``decide_after_s`` are set (measured from intake),
    or by ``advance``. Thread-safe."""

    def __init__(self, prefix: str, *, review_after_s: float | None = None, decide_after_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._prefix = prefix
        self._lock = threading.Lock()
        self._by_key: dict[str, Submission] = {}
        self._by_ref: dict[str, Submission] = {}
        self._started: dict[str, float] = {}
        self._seq = itertools.count(1)
        self._clock = clock
        self.review_after_s = review_after_s
        self.decide_after_s = decide_after_s

    def submit(self, key: str, items: tuple[str, ...], payload: Any, *, outcome: str = "approved",
               outcome_reason: str = "") -> tuple[Submission, bool]:
        with self._lock:
            existing = self._by_key.get(key)
            if existing is not None:
                return existing, True
            ref = f"{self._prefix}{datetime.now(timezone.utc):%Y%m%d}{next(self._seq):06d}"
            sub = Submission(ref=ref, key=key, items=items, payload=payload, created_at=datetime.now(timezone.utc),
                             outcome=outcome, outcome_reason=outcome_reason)
            self._by_key[key] = sub
            self._by_ref[ref] = sub
            self._started[ref] = self._clock()
            return sub, False

    def _progress(self, sub: Submission) -> None:
        elapsed = self._clock() - self._started[sub.ref]
        if sub.state in ("approved", "rejected"):
            return
        if self.decide_after_s is not None and elapsed >= self.decide_after_s:
            self._set(sub, sub.outcome, sub.outcome_reason)
        elif self.review_after_s is not None and elapsed >= self.review_after_s and sub.state == "received":
            self._set(sub, "in_review", "")

    @staticmethod
    def _set(sub: Submission, state: str, reason: str) -> None:
        sub.state, sub.reason, sub.updated_at = state, reason, datetime.now(timezone.utc)

    def get(self, ref: str) -> Submission | None:
        with self._lock:
            sub = self._by_ref.get(ref)
            if sub is not None:
                self._progress(sub)
            return sub

    def find(self, key: str) -> Submission | None:
        with self._lock:
            sub = self._by_key.get(key)
            if sub is not None:
                self._progress(sub)
            return sub

    def advance(self, ref: str, state: str | None = None, reason: str = "") -> Submission:
        """Move a record on: to ``state`` if given, else one step along its path."""
        with self._lock:
            sub = self._by_ref[ref]
            if state is None:
                state = {"received": "in_review", "in_review": sub.outcome}.get(sub.state, sub.state)
                reason = reason or (sub.outcome_reason if state == sub.outcome else "")
            if state not in STATES:
                raise ValueError(f"unknown state {state!r}")
            self._set(sub, state, reason)
            return sub

    def all(self) -> list[Submission]:
        with self._lock:
            return list(self._by_ref.values())

    def reset(self) -> None:
        with self._lock:
            self._by_key.clear()
            self._by_ref.clear()
            self._started.clear()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # a reply goes out in two writes (head, then body): with Nagle on, the client's delayed ACK holds the
    # body back ~40 ms on every keep-alive request, which would make every sandbox look 40x slower
    disable_nagle_algorithm = True

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet; the sandbox logs what matters
        log.debug("%s %s", self.server.owner.department, fmt % args)

    def _dispatch(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # the client went away mid-request (killed between headers and body): like any real server,
            # never hand a truncated request to the department
            log.debug("%s: request cut short (%d of %d bytes); dropped", owner.department, len(body), length)
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        req = Request(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body)
        if parts.path.startswith("/_control/"):
            reply = owner._control(req)
        else:
            owner.request_count += 1
            fault = owner._pick_fault(req)
            if fault == "outage":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault == "hang":
                owner._stopping.wait(owner.faults.hang_s)
                self.close_connection = True
                return
            if owner.faults.latency_s and self._in_scope(req):
                owner._stopping.wait(owner.faults.latency_s)
            if fault == "error":
                reply = owner.error_reply(req)
            elif fault == "malformed":
                reply = owner.malformed_reply(req)
            else:
                try:
                    reply = owner.handle(req)
                except Exception:  # a sandbox bug must look like a 500, and be visible in the log
                    log.exception("%s sandbox failed on %s %s", owner.department, req.method, req.path)
                    reply = Reply(500, b"internal sandbox error", "text/plain")
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(reply.body)

    def _in_scope(self, req: Request) -> bool:
        paths = self.server.owner.faults.paths
        return not paths or any(req.path.startswith(p) for p in paths)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SandboxServer


class SandboxServer:
    """Base class of the department sandboxes. Use as a context manager or start()/stop()."""

    department = "sandbox"
    #: prefix of department references, e.g. "RS" -> RS20261124000001
    ref_prefix = "SB"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None,
                 accounts: Mapping[str, str] | None = None, seed: int = 2026,
                 review_after_s: float | None = None, decide_after_s: float | None = None) -> None:
        self.host, self.port = host, port
        self.faults = faults or Faults()
        self.accounts = dict(accounts or DEFAULT_ACCOUNTS)
        self.rng = random.Random(seed)
        self.store = SubmissionStore(self.ref_prefix, review_after_s=review_after_s, decide_after_s=decide_after_s)
        self.citizens = load_demo_citizens()
        self.request_count = 0
        self._stopping = threading.Event()
        self._fault_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("sandbox not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def start(self) -> SandboxServer:
        self._stopping.clear()
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sandbox-{self.department}", daemon=False)
        self._thread.start()
        log.info("%s sandbox listening on %s", self.department, self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung and slow requests
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- department hooks --------------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, req: Request) -> Reply:
        return Reply(500, "系统繁忙，请稍后再试".encode("utf-8"), "text/plain; charset=utf-8")

    def malformed_reply(self, req: Request) -> Reply:
        return Reply(200, b'{"code": 0, "data": {"unterminated', "application/json; charset=utf-8")

    def decide(self, items: tuple[str, ...], payload: Any) -> tuple[str, str]:
        """The department's review outcome for a new submission: ("approved", "") or ("rejected", reason)."""
        return "approved", ""

    # -- faults ------------------------------------------------------------------------------------
    def set_faults(self, **settings: Any) -> None:
        with self._fault_lock:
            self.faults.update(settings)

    def clear_faults(self) -> None:
        with self._fault_lock:
            self.faults = Faults()

    def _pick_fault(self, req: Request) -> str | None:
        with self._fault_lock:
            f = self.faults
            if f.paths and not any(req.path.startswith(p) for p in f.paths):
                return None
            if f.outage:
                return "outage"
            if f.hang:
                return "hang"
            for name in ("hang_next", "fail_next", "malformed_next"):
                if getattr(f, name) > 0:
                    setattr(f, name, getattr(f, name) - 1)
                    return {"hang_next": "hang", "fail_next": "error", "malformed_next": "malformed"}[name]
            if f.error_rate and self.rng.random() < f.error_rate:
                return "error"
            if f.malformed_rate and self.rng.random() < f.malformed_rate:
                return "malformed"
            return None

    # -- control API -------------------------------------------------------------------------------
    def _control(self, req: Request) -> Reply:
        action = req.path[len("/_control/"):]
        try:
            if action == "faults" and req.method == "POST":
                data = req.json() if req.body else {}
                if data.get("clear"):
                    self.clear_faults()
                    data = {k: v for k, v in data.items() if k != "clear"}
                self.set_faults(**data)
                return Reply.json(dataclasses.asdict(self.faults))
            if action == "advance" and req.method == "POST":
                data = req.json()
                sub = self.store.advance(data["ref"], data.get("state"), data.get("reason", ""))
                return Reply.json(sub.public())
            if action == "records":
                return Reply.json({"department": self.department,
                                   "records": [s.public() for s in self.store.all()]})
            if action == "reset" and req.method == "POST":
                self.store.reset()
                self.clear_faults()
                return Reply.json({"ok": True})
        except (KeyError, ValueError, json.JSONDecodeError) as exc:
            return Reply.json({"error": str(exc)}, status=400)
        return Reply.json({"error": f"unknown control action {action!r}"}, status=404)
