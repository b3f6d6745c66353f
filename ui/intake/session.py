"""What one logged-in clerk's window shares while the session lasts: the sessions with every
department back-end (opened at login, closed at logout) and the intake service built on them.

BackendSessions reports state changes from its worker threads; ``sig_backend_changed`` carries them
to the GUI thread (a queued signal), so listeners here may touch widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from adapters.api import SessionInfo
from desktop.security.accounts import UserInfo
from desktop.services.backends import BackendSessions
from desktop.services.intake import IntakeService
from ui.tasks import TaskManager

log = logging.getLogger("onewindow.ui.intake.session")


def build_submission(app: Any, backends: BackendSessions, intake: IntakeService) -> Any | None:
    """The submission service when that part of the workstation is installed, else None (drafts only)."""
    try:
        from desktop.services.submission import SubmissionService
    except ImportError:
        return None
    return SubmissionService(app, adapters=backends.adapter, intake=intake)


class ClerkSession(QObject):
    #: adapter_id, SessionInfo: a back-end session changed state (delivered on the GUI thread)
    sig_backend_changed = Signal(str, object)
    #: message_zh: no keyring backend, so no department session could be opened
    sig_keyring_missing = Signal(str)

    def __init__(self, app: Any, user: UserInfo, tasks: TaskManager, *,
                 backends: BackendSessions | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app, self.user, self.tasks = app, user, tasks
        # The App owns one BackendSessions (closed with it); a session opens it at login and closes it at
        # logout, and open_all works again for the next clerk.
        self.backends = backends or getattr(app, "backends", None) or \
            BackendSessions(app.registry, app.secrets, app.settings, app.clock)
        # Built here rather than taking app.intake: it reads the settings current at login (counter, hall).
        self.service = IntakeService(app, self.backends)
        self.submission = build_submission(app, self.backends, self.service)
        self.keyring_message = ""
        #: the status bar's indicator of this session's back-ends (set by the registration)
        self.status_widget: Any = None
        self._closers: list[Callable[[], None]] = []
        self._closed = False
        # Emitting a signal from a worker thread queues the call into the GUI thread.
        self.backends.add_listener(self._from_worker)

    def _from_worker(self, adapter_id: str, info: SessionInfo) -> None:
        self.sig_backend_changed.emit(adapter_id, info)

    def department_names(self, *, short: bool = False) -> dict[str, str]:
        """adapter id -> department name (or short name), for every enabled back-end, in registry order."""
        names: dict[str, str] = {}
        for record in self.app.registry.enabled():
            manifest = record.manifest
            department = self.app.fields.departments.get(manifest.department) if manifest else None
            if department is not None:
                names[record.id] = department.short if short else department.name
            else:
                names[record.id] = manifest.name if manifest else record.id
        return names

    def open_backends(self) -> None:
        """Log in to every enabled back-end (the shift's one login), in the background."""
        (self.tasks.run_in_background(self.backends.open_all, self.user)
         .on_failure(self._open_failed))

    def start_dispatcher(self) -> None:
        """Send this hall's submitted branches while the clerk works (unless the settings leave it to a
        server's `main.py dispatch`). It uses this session's department logins; it is stopped before
        they close, finishing the calls in flight (each bounded by its adapter's timeout)."""
        if self.submission is None or not getattr(self.app.settings, "workstation_dispatcher", True):
            return
        from desktop.services.dispatcher import Dispatcher, department_names, start_in_background

        name = f"ws-{self.app.settings.counter or 'counter'}-{self.user.username}"
        dispatcher = Dispatcher(self.app.db, self.backends, name=name, clock=self.app.clock,
                                department_names=department_names(self.app.registry, self.app.fields))
        handle = start_in_background(dispatcher)
        self.on_close(handle.stop)

    def _open_failed(self, exc: BaseException) -> None:
        message = str(getattr(exc, "message_zh", "") or "")
        if type(exc).__name__ == "NoKeyringError":
            self.keyring_message = message
            self.sig_keyring_missing.emit(message)
            return
        log.error("opening back-end sessions failed: %s: %s", type(exc).__name__, exc)
        self.tasks.report_exception(exc, task_name="open back-end sessions")

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run ``closer`` when the session ends (reader workers, timers of the pages)."""
        self._closers.append(closer)

    def close(self) -> None:
        """End of the shift: stop the pages' workers, then log out of every back-end. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # noqa: BLE001 - one part failing to stop must not keep the others running
                log.exception("closing part of the clerk session failed")
        self.backends.remove_listener(self._from_worker)
        self.backends.close()
