"""The clerk's sessions with every enabled department back-end: one login at the start of the shift,
kept alive until the clerk logs out.

Each back-end gets its own worker thread, so a department that hangs or refuses the login never holds up
the others. The worker logs in, renews the session shortly before it expires (the adapter reports the
expiry), and after a failure tries again with a growing pause; every change of state reaches the listeners
(the status bar) from that worker thread. The department account is the adapter's ``account`` option; its
secret is read from the OS keyring (SecretStore, service ``onewindow/<adapter id>``) on every login, so an
administrator's new password is used at the next renewal. There is no plaintext fallback: without a usable
keyring ``open_all`` raises NoKeyringError once and every back-end shows why it is not connected.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.api import Adapter, AdapterError, AuthError, Credentials, SessionInfo, SessionState
from adapters.registry import AdapterRegistry, RegistryError
from desktop.clock import Clock
from desktop.security.accounts import Role, UserInfo, require_role
from desktop.security.secrets import NoKeyringError, SecretStore
from desktop.settings import Settings

log = logging.getLogger(__name__)

SessionListener = Callable[[str, SessionInfo], None]

#: a connected session without an expiry is left alone until a pull finds it broken (which wakes the worker)
_IDLE_CHECK_S = 3600.0
#: how long close() waits for each worker; a worker blocks at most for one department call
_JOIN_TIMEOUT_S = 15.0
#: a department reporting an expiry in the past must not be hammered with logins
_MIN_ATTEMPT_INTERVAL_S = 0.5


class _NotConnected(Exception):
    """open_session returned without raising, yet without a session (a plugin's bug)."""

    def __init__(self, info: SessionInfo) -> None:
        super().__init__(f"open_session returned state {info.state.value}")
        self.message_zh = info.reason or "部门系统未能建立会话"


@dataclass
class _Backend:
    adapter_id: str
    adapter: Adapter | None = None
    #: why the adapter could not even be created (configuration, broken plugin), shown as FAILED
    error: Exception | None = None
    thread: threading.Thread | None = None
    wake: threading.Event = field(default_factory=threading.Event)


class BackendSessions:
    def __init__(self, registry: AdapterRegistry, secrets: SecretStore, settings: Settings, clock: Clock, *,
                 keepalive: bool = True, retry_base_s: float = 2.0, retry_max_s: float = 300.0,
                 auth_retry_s: float = 60.0, renew_lead_s: float = 5.0) -> None:
        """``auth_retry_s``: the first pause after a refused login. Longer than for an outage, because a
        wrong password does not fix itself, and departments lock accounts that keep trying."""
        self._registry = registry
        self._secrets = secrets
        self._settings = settings
        self._clock = clock
        self._keepalive = keepalive
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s
        self._auth_retry_s = auth_retry_s
        self._renew_lead_s = renew_lead_s
        self._lock = threading.RLock()
        self._backends: dict[str, _Backend] = {}
        self._states: dict[str, SessionInfo] = {}
        self._listeners: list[SessionListener] = []
        self._stopping = threading.Event()

    # -- listeners and state ------------------------------------------------------------------------
    def add_listener(self, listener: SessionListener) -> None:
        """``listener(adapter_id, info)`` is called from worker threads; a UI must marshal it to its thread."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: SessionListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def states(self) -> dict[str, SessionInfo]:
        with self._lock:
            return dict(self._states)

    def _set(self, adapter_id: str, info: SessionInfo) -> None:
        with self._lock:
            if self._states.get(adapter_id) == info:
                return
            self._states[adapter_id] = info
            listeners = list(self._listeners)
            backend = self._backends.get(adapter_id)
        if info.state is SessionState.FAILED:
            log.info("back-end %s: session failed: %s", adapter_id, info.reason)
        else:
            log.debug("back-end %s: session %s", adapter_id, info.state.value)
        if backend is not None and info.state in (SessionState.FAILED, SessionState.DISCONNECTED) \
                and not self._stopping.is_set():
            backend.wake.set()  # a pull found the session broken: the worker reconnects now
        for listener in listeners:
            try:
                listener(adapter_id, info)
            except Exception:  # a listener's bug must not stop the session worker
                log.exception("session listener failed for %s", adapter_id)

    # -- the shift ----------------------------------------------------------------------------------
    def open_all(self, user: UserInfo) -> None:
        """Start a session with every enabled back-end, each in its own thread; returns at once.

        Raises NoKeyringError (once) when no keyring backend is usable; the back-ends then show FAILED
        with that message and none is contacted.
        """
        require_role(user, Role.CLERK, Role.SUPERVISOR)
        ids = [rec.id for rec in self._registry.enabled()]
        if not self._secrets.available():
            error = NoKeyringError("no usable keyring backend: department sessions not opened")
            for adapter_id in ids:
                self._set(adapter_id, SessionInfo(SessionState.FAILED, reason=error.message_zh))
            log.error("%s", error)
            raise error
        log.info("opening back-end sessions for %s: %s", user.username, ", ".join(ids) or "(none enabled)")
        self._stopping.clear()
        for adapter_id in ids:
            backend = self._backend(adapter_id)
            with self._lock:
                running = backend.thread is not None and backend.thread.is_alive()
                if running:
                    backend.wake.set()
                    continue
                backend.thread = threading.Thread(target=self._run, args=(backend,), daemon=False,
                                                  name=f"backend-{adapter_id}")
            backend.thread.start()

    def wait_until_settled(self, timeout: float) -> bool:
        """True once every opened back-end is CONNECTED or FAILED (for tests, benchmarks and the CLI)."""
        done = threading.Event()

        def settled() -> bool:
            with self._lock:
                ids = list(self._backends)
                states = dict(self._states)
            return all(states.get(i, SessionInfo(SessionState.DISCONNECTED)).state
                       in (SessionState.CONNECTED, SessionState.FAILED) for i in ids)

        def listener(_adapter_id: str, _info: SessionInfo) -> None:
            if settled():
                done.set()

        self.add_listener(listener)
        try:
            return settled() or done.wait(timeout) or settled()
        finally:
            self.remove_listener(listener)

    def adapter(self, adapter_id: str) -> Adapter:
        """The live adapter of a back-end (created on first use). Raises the adapter's ConfigError or the
        registry's PluginLoadError when it cannot be created; the caller reports that department's error."""
        backend = self._backend(adapter_id)
        if backend.adapter is None:
            assert backend.error is not None
            raise backend.error
        return backend.adapter

    def close(self) -> None:
        """Stop every worker, log out of every department. Safe to call twice; open_all works again after."""
        self._stopping.set()
        with self._lock:
            backends = list(self._backends.values())
        for backend in backends:
            backend.wake.set()
        for backend in backends:
            if backend.thread is not None:
                backend.thread.join(timeout=_JOIN_TIMEOUT_S)
                if backend.thread.is_alive():
                    log.warning("back-end %s worker still busy after %.0fs", backend.adapter_id, _JOIN_TIMEOUT_S)
        for backend in backends:
            if backend.adapter is not None:
                try:
                    backend.adapter.close()
                except Exception:  # Adapter.close must not raise; a plugin that does is only logged
                    log.exception("closing adapter %s failed", backend.adapter_id)
        with self._lock:
            self._backends.clear()
            self._states.clear()

    # -- creating adapters --------------------------------------------------------------------------
    def _backend(self, adapter_id: str) -> _Backend:
        with self._lock:
            backend = self._backends.get(adapter_id)
            if backend is not None and (backend.adapter is not None or backend.thread is not None):
                return backend
            # new, or its creation failed before: the administrator may have fixed the configuration since
            backend = _Backend(adapter_id)
            try:
                backend.adapter = self._registry.create(
                    adapter_id, self._credentials_source(adapter_id),
                    config_overrides=self._settings.adapters.get(adapter_id),
                    on_session_change=lambda info: self._set(adapter_id, info))
            except (AdapterError, RegistryError) as exc:
                backend.error = exc
                log.warning("back-end %s cannot be used: %s", adapter_id, exc)
            self._backends[adapter_id] = backend
        if backend.error is not None:
            self._set(adapter_id, SessionInfo(SessionState.FAILED, reason=_message_zh(backend.error)))
        return backend

    def _account(self, adapter_id: str) -> str:
        override = (self._settings.adapters.get(adapter_id) or {}).get("account")
        if override:
            return str(override)
        record = self._registry.get(adapter_id)
        stored = (record.config or {}).get("account")
        if stored:
            return str(stored)
        option = record.manifest.option("account") if record.manifest else None
        return str(option.default) if option is not None and option.default else ""

    def _department_label(self, adapter_id: str) -> str:
        try:
            record = self._registry.get(adapter_id)
        except RegistryError:
            return adapter_id
        return record.manifest.name if record.manifest else adapter_id

    def _credentials_source(self, adapter_id: str) -> Callable[[], Credentials]:
        def credentials() -> Credentials:
            label = self._department_label(adapter_id)
            account = self._account(adapter_id)
            if not account:
                raise AuthError(f"no department account configured for {adapter_id}", adapter_id=adapter_id,
                                message_zh=f"未配置{label}的部门账号，请管理员在接口设置中填写")
            try:
                secret = self._secrets.get(adapter_id, account)
            except NoKeyringError as exc:
                raise AuthError(str(exc), adapter_id=adapter_id, message_zh=exc.message_zh) from None
            if not secret:
                raise AuthError(f"no secret in the keyring for {adapter_id} account {account}",
                                adapter_id=adapter_id,
                                message_zh=f"系统密钥环中没有{label}部门账号“{account}”的密码，请管理员录入")
            return Credentials(account, secret)

        return credentials

    # -- the worker -----------------------------------------------------------------------------------
    def _run(self, backend: _Backend) -> None:
        adapter = backend.adapter
        if adapter is None:
            return  # already FAILED with the creation error; an administrator must fix the configuration
        failures = 0
        last_attempt = float("-inf")
        while not self._stopping.is_set():
            info = adapter.session_info()
            wait = max(self._seconds_until_renewal(info), last_attempt + _MIN_ATTEMPT_INTERVAL_S - time.monotonic())
            if wait > 0:
                self._sleep(backend, wait)
                continue
            before = info.expires_at
            last_attempt = time.monotonic()
            try:
                info = adapter.open_session()
                if info.state is not SessionState.CONNECTED:
                    raise _NotConnected(info)
            except Exception as exc:  # noqa: BLE001 - one department's failure, whatever it is, stays its own
                failures += 1
                delay = self._retry_delay(exc, failures)
                if not isinstance(exc, (AdapterError, _NotConnected)):
                    log.exception("back-end %s: open_session raised a non-adapter error", backend.adapter_id)
                if not self._keepalive or self._stopping.is_set():
                    self._set(backend.adapter_id, SessionInfo(SessionState.FAILED, reason=_message_zh(exc)))
                    return
                self._set(backend.adapter_id, SessionInfo(
                    SessionState.FAILED, reason=f"{_message_zh(exc)}（{_seconds_zh(delay)}后自动重试）"))
                backend.wake.clear()
                self._sleep(backend, delay, wake_early=False)
                continue
            failures = 0
            # the adapters report through on_session_change; this covers one that does not
            self._set(backend.adapter_id, info)
            if not self._keepalive:
                return
            if info.state is SessionState.CONNECTED and info.expires_at is not None and info.expires_at == before:
                # the adapter still considered its session fresh: ask again at the expiry it reported
                self._sleep(backend, max(0.0, (info.expires_at - self._clock()).total_seconds()))

    def _seconds_until_renewal(self, info: SessionInfo) -> float:
        if info.state is not SessionState.CONNECTED:
            return 0.0
        if info.expires_at is None:
            return _IDLE_CHECK_S
        remaining = (info.expires_at - self._clock()).total_seconds()
        # renew a little before the expiry, but never spend more than half a short session waiting to renew
        lead = min(self._renew_lead_s, max(0.0, remaining) / 2)
        return max(0.0, remaining - lead)

    def _retry_delay(self, exc: Exception, failures: int) -> float:
        base = self._auth_retry_s if isinstance(exc, AuthError) else self._retry_base_s
        return min(self._retry_max_s, base * 2 ** (failures - 1))

    def _sleep(self, backend: _Backend, seconds: float, *, wake_early: bool = True) -> None:
        """Wait ``seconds``, or less when stopping (and, with ``wake_early``, when a pull saw a failure)."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if backend.wake.wait(left):
                backend.wake.clear()
                if wake_early or self._stopping.is_set():
                    return


def _message_zh(exc: BaseException) -> str:
    message = getattr(exc, "message_zh", None)
    return str(message) if message else "连接部门系统时发生内部错误，请联系管理员查看日志"


def _seconds_zh(seconds: float) -> str:
    if seconds >= 60:
        return f"{round(seconds / 60)} 分钟"
    return f"{max(1, round(seconds))} 秒"
