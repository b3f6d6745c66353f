"""The one background-task helper (Anki ``aqt/operations`` / superqt ``thread_worker`` style).

Everything slow (argon2, database queries, network, file I/O) runs as::

    tasks.run_in_background(fn, *args, **kwargs).on_success(show).on_failure(explain)

``fn`` runs on the TaskManager's own QThreadPool and must never touch a widget; its result or
exception comes back to the GUI thread through a queued signal, where the callbacks run. A failure
nobody handles goes to the shared error dialog (ui/error_dialog.py) and to the log, so no error is
silently lost. The GUI thread never waits on a worker; only tests and shutdown call
``wait_for_done``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from ui.error_dialog import ErrorReporter, details_for, expected_message, summary_for

log = logging.getLogger("onewindow.ui.tasks")

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]
FinishedCallback = Callable[[], None]


class Task(QObject):
    """Handle of one background call. Callbacks chain and always run on the GUI thread.

    A callback added after the task has already finished still runs (on the next event-loop turn),
    so chaining order never loses a result.
    """

    sig_succeeded = Signal(object)
    sig_failed = Signal(object)
    sig_finished = Signal()

    def __init__(self, manager: TaskManager, name: str) -> None:
        # No Qt parent: the manager holds the task until delivery, then only the caller's references
        # keep it, so a long session does not pile up finished tasks.
        super().__init__()
        self._manager = manager
        self.name = name
        self._success: list[SuccessCallback] = []
        self._failure: list[FailureCallback] = []
        self._finished: list[FinishedCallback] = []
        self._done = False
        self._ok = False
        self._payload: Any = None
        self._details = ""

    @property
    def done(self) -> bool:
        return self._done

    def on_success(self, callback: SuccessCallback) -> Task:
        self._success.append(callback)
        if self._done and self._ok:
            QTimer.singleShot(0, lambda: self._manager._guarded(callback, self._payload))
        return self

    def on_failure(self, callback: FailureCallback) -> Task:
        self._failure.append(callback)
        if self._done and not self._ok:
            QTimer.singleShot(0, lambda: self._manager._guarded(callback, self._payload))
        return self

    def on_finished(self, callback: FinishedCallback) -> Task:
        self._finished.append(callback)
        if self._done:
            QTimer.singleShot(0, lambda: self._manager._guarded(callback))
        return self

    def _deliver(self, ok: bool, payload: Any, details: str) -> None:
        self._done, self._ok, self._payload, self._details = True, ok, payload, details
        if ok:
            for cb in self._success:
                self._manager._guarded(cb, payload)
            self.sig_succeeded.emit(payload)
        else:
            if self._failure:
                for fcb in self._failure:
                    self._manager._guarded(fcb, payload)
            else:
                self._manager.report_failure(payload, details, task_name=self.name)
            self.sig_failed.emit(payload)
        for done_cb in self._finished:
            self._manager._guarded(done_cb)
        self.sig_finished.emit()


class _Runner(QRunnable):
    """Runs on a pool thread. Holds no Qt object except the manager, whose signal it emits."""

    def __init__(self, manager: TaskManager, task_id: int, fn: Callable[..., Any],
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._manager, self._id, self._fn, self._args, self._kwargs = manager, task_id, fn, args, kwargs

    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            self._manager._sig_result.emit(self._id, False, exc, details_for(exc))
        else:
            self._manager._sig_result.emit(self._id, True, result, "")


class TaskManager(QObject):
    """Owns a thread pool; one per window (no module-level singleton).

    ``error_parent`` is the widget the shared error dialog is centred on. ``reporter`` may be
    injected (tests, or a window that collects errors differently).
    """

    #: summary_zh, details — emitted for every failure no callback handled, before the dialog shows
    sig_unhandled_failure = Signal(str, str)
    #: task_id, ok, payload, details — internal bridge from pool threads to the GUI thread
    _sig_result = Signal(int, bool, object, str)

    def __init__(self, parent: QObject | None = None, *, error_parent: QWidget | None = None,
                 reporter: ErrorReporter | None = None, max_threads: int | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        if max_threads is not None:
            self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, Task] = {}
        self._closed = False
        self._reporter = reporter or ErrorReporter(error_parent)
        self._sig_result.connect(self._on_result)

    @property
    def reporter(self) -> ErrorReporter:
        return self._reporter

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def active_threads(self) -> int:
        return self._pool.activeThreadCount()

    def run_in_background(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        """Start ``fn(*args, **kwargs)`` on a pool thread and return its Task handle."""
        if self._closed:
            raise RuntimeError("TaskManager is shut down")
        task_id = next(self._ids)
        task = Task(self, getattr(fn, "__qualname__", repr(fn)))
        self._pending[task_id] = task
        self._pool.start(_Runner(self, task_id, fn, args, kwargs))
        return task

    @Slot(int, bool, object, str)
    def _on_result(self, task_id: int, ok: bool, payload: Any, details: str) -> None:
        task = self._pending.pop(task_id, None)
        if task is None or self._closed:
            # The window that asked is gone; its callbacks would touch deleted widgets.
            if not ok:
                log.warning("background task failed after shutdown: %s", details.strip().splitlines()[-1:])
            return
        task._deliver(ok, payload, details)

    def _guarded(self, callback: Callable[..., None], *args: Any) -> None:
        """Run a GUI-thread callback; a bug in it reaches the error dialog instead of vanishing."""
        try:
            callback(*args)
        except Exception as exc:  # noqa: BLE001 - shown to the user and logged, never swallowed
            self.report_exception(exc, task_name=getattr(callback, "__qualname__", "callback"))

    def report_failure(self, exc: BaseException, details: str, *, task_name: str = "") -> None:
        summary = summary_for(exc)
        log.error("unhandled failure in %s: %s\n%s", task_name or "task", type(exc).__name__, details)
        self.sig_unhandled_failure.emit(summary, details)
        self._reporter.report(summary, details)

    def report_exception(self, exc: BaseException, *, task_name: str = "") -> None:
        self.report_failure(exc, details_for(exc), task_name=task_name)

    def clerk_errors(self, show: Callable[[str], None]) -> FailureCallback:
        """A failure callback for screens: an expected error (one with ``message_zh``: wrong input,
        permission, locked account) is shown in place through ``show``; anything else is a bug: a
        short note goes to ``show`` and the details to the error dialog."""

        def handle(exc: BaseException) -> None:
            message = expected_message(exc)
            if message:
                show(message)
            else:
                show(self.tr("The operation failed. See the error details."))
                self.report_exception(exc)

        return handle

    def wait_for_done(self, timeout_ms: int = 5000) -> bool:
        """Block until every started task has run (tests and shutdown only, never the GUI flow)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Refuse new tasks, drop queued ones, wait for running ones; results arriving later are dropped."""
        self._closed = True
        self._pool.clear()
        finished = self._pool.waitForDone(timeout_ms)
        if not finished:
            log.warning("%d background task(s) still running at shutdown", self._pool.activeThreadCount())
        self._pending.clear()
        self._reporter.close()
        return finished
