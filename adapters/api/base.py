"""The contract an adapter implements, and the session keeper that renews department sessions."""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from .errors import AdapterError, AuthError, ConfigError
from .manifest import Manifest
from .types import (
    CanonicalApplication, Credentials, HealthResult, LookupRequest, LookupResult, RenderedPayload,
    SessionInfo, SessionState, StatusResult, SubmitResult,
)

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class AdapterContext:
    """Everything the host hands an adapter. The adapter never reads settings, keyring or database itself."""

    manifest: Manifest
    #: configuration values, defaults filled in (endpoint, timeout_s, ca_bundle, account, ...)
    config: Mapping[str, Any]
    #: returns the department account for the clerk on duty; raises AuthError when there is none
    credentials: Callable[[], Credentials]
    clock: Callable[[], datetime] = utc_now
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("onewindow.adapter"))
    #: called (from any thread) whenever the department session changes state
    on_session_change: Callable[[SessionInfo], None] | None = None


class SessionExpired(Exception):
    """Raised inside an adapter call when the department says the session/token is no longer valid."""


class SessionReporter:
    """The current state of one department session, told to the host (``context.on_session_change``) on every
    change, in the order the changes happen; setting the state it already has tells nobody (concurrent calls
    that each confirm the session report it once). Thread-safe. A listener that raises is logged and
    ignored: the host's bug must not fail the department call that changed the state. SessionKeeper reports
    through one; an adapter whose department has no login (e.g. a signed-request platform) uses one directly."""

    def __init__(self, context: AdapterContext) -> None:
        self._ctx = context
        self._lock = threading.RLock()
        self._info = SessionInfo(SessionState.DISCONNECTED)

    @property
    def info(self) -> SessionInfo:
        return self._info

    def set(self, info: SessionInfo) -> None:
        with self._lock:
            if info == self._info:
                return
            self._info = info
            if self._ctx.on_session_change is not None:
                try:
                    self._ctx.on_session_change(info)
                except Exception:  # a listener's bug must not break the department call
                    self._ctx.logger.exception("session listener failed")


class SessionKeeper:
    """Keeps one department session alive: logs in on first use, renews before expiry, and re-logs in once
    when the department says the session expired. Thread-safe; calls run concurrently, logins do not: when
    several concurrent calls find the same token refused, only the first logs in again, the others use the
    new token.

    ``login(credentials) -> (token, expires_at | None)``.
    """

    def __init__(self, context: AdapterContext, login: Callable[[Credentials], tuple[str, datetime | None]],
                 *, renew_margin: timedelta = timedelta(seconds=5)) -> None:
        self._ctx = context
        self._login = login
        self._margin = renew_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires: datetime | None = None
        self._reporter = SessionReporter(context)

    @property
    def info(self) -> SessionInfo:
        return self._reporter.info

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        return self._expires is None or self._ctx.clock() + self._margin < self._expires

    def token(self, *, force: bool = False, replacing: str | None = None) -> str:
        """The current token, logging in first when there is none or it is about to expire.

        ``force`` logs in again regardless; ``replacing`` logs in again only if the current token is still
        the one given (the department refused it), so concurrent callers share one renewal."""
        with self._lock:
            refused = replacing is not None and self._token == replacing
            if force or refused or not self._fresh():
                renewing = self._token is not None
                self._reporter.set(SessionInfo(SessionState.RENEWING if renewing else SessionState.CONNECTING))
                try:
                    token, expires = self._login(self._ctx.credentials())
                except AdapterError as exc:
                    self._token = None
                    self._reporter.set(SessionInfo(SessionState.FAILED, reason=exc.message_zh))
                    raise
                self._token, self._expires = token, expires
                self._reporter.set(SessionInfo(SessionState.CONNECTED, expires_at=expires))
            assert self._token is not None
            return self._token

    def call(self, fn: Callable[[str], T]) -> T:
        """Run ``fn(token)``; if it raises SessionExpired, log in again once and retry."""
        token = self.token()
        try:
            return fn(token)
        except SessionExpired:
            self._ctx.logger.info("%s: session expired, renewing", self._ctx.manifest.id)
            try:
                return fn(self.token(replacing=token))
            except SessionExpired as exc:
                raise AuthError("session rejected right after renewal", adapter_id=self._ctx.manifest.id) from exc

    def drop(self) -> None:
        with self._lock:
            self._token = None
            self._reporter.set(SessionInfo(SessionState.DISCONNECTED))


class Adapter(abc.ABC):
    """One department back-end. Every method may block (network); the host calls it from worker threads
    with its own timeout on top of the adapter's. Every failure is an AdapterError subclass."""

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.manifest = context.manifest

    @property
    def id(self) -> str:
        return self.manifest.id

    def ensure_own_payload(self, payload: RenderedPayload) -> None:
        """ConfigError when ``payload`` was rendered by another adapter: the host handed a branch to the wrong
        department, and sending it would file one department's form with another."""
        if payload.adapter_id != self.id:
            raise ConfigError(f"payload rendered by {payload.adapter_id!r}, not {self.id!r}", adapter_id=self.id)

    # -- session -------------------------------------------------------------------------------
    @abc.abstractmethod
    def open_session(self) -> SessionInfo:
        """Log in now (at the start of the clerk's shift). Raises AuthError/UnavailableError."""

    @abc.abstractmethod
    def session_info(self) -> SessionInfo: ...

    def close(self) -> None:
        """Log out and release connections. Must not raise."""

    # -- the contract ----------------------------------------------------------------------------
    @abc.abstractmethod
    def lookup(self, request: LookupRequest) -> LookupResult:
        """What the department knows of one citizen, as canonical fields with provenance."""

    @abc.abstractmethod
    def render(self, application: CanonicalApplication) -> RenderedPayload:
        """Pure and deterministic: the same application always gives byte-identical output; no I/O."""

    @abc.abstractmethod
    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        """Send once. The same key twice gives the same department reference and never a second record."""

    @abc.abstractmethod
    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        """Ask the department whether it holds a submission with this key (resolves a timed-out submit)."""

    @abc.abstractmethod
    def status(self, department_ref: str) -> StatusResult: ...

    @abc.abstractmethod
    def health(self) -> HealthResult: ...
