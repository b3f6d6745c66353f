"""Drives any CardReader from one background thread and hands each document or fault to callbacks.

The UI wraps this and forwards the callbacks to the GUI thread; the callbacks themselves run in
the worker thread and must not touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from desktop.devices.base import CardReader
from desktop.devices.document import IdentityDocument
from desktop.devices.errors import ReaderError, ReaderInternalError

log = logging.getLogger(__name__)


class ReaderWorker:
    """``start()`` then ``stop()``; stop always joins the thread (it is not a daemon, so a reader
    is never left half-way through an exchange at exit). The reader is opened and closed by the
    owner, before start() and after stop()."""

    def __init__(self, reader: CardReader, on_document: Callable[[IdentityDocument], None],
                 on_error: Callable[[ReaderError], None], *,
                 on_connection: Callable[[bool], None] | None = None,
                 wait_slice: float = 0.5, error_backoff: float = 1.0, name: str = "card-reader") -> None:
        self._reader = reader
        self._on_document = on_document
        self._on_error = on_error
        self._on_connection = on_connection
        self._wait_slice = wait_slice
        # After a fault, pause before polling again so a reader stuck in an error state does not
        # flood the clerk with the same message.
        self._error_backoff = error_backoff
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=False)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._reader.interrupt()
        if self._thread.ident is not None:  # never started: nothing to join
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("reader worker %s did not stop within %.1fs", self._thread.name, timeout)

    def _run(self) -> None:
        connected = self._reader.connected
        while not self._stop.is_set():
            try:
                doc = self._reader.wait_for_card(self._wait_slice)
            except ReaderError as exc:
                log.warning("reader %s: %s", self._reader.describe(), exc)
                self._deliver(self._on_error, exc)
                self._stop.wait(self._error_backoff)
                doc = None
            except Exception as exc:  # a vendor reader's bug must not end card reading silently
                log.exception("reader %s failed unexpectedly", self._reader.describe())
                error = ReaderInternalError("internal", "读卡器程序内部错误，请重新放卡；如反复出现请联系管理员",
                                            f"{type(exc).__name__}: {exc}")
                self._deliver(self._on_error, error)
                self._stop.wait(self._error_backoff)
                doc = None
            if doc is not None and not self._stop.is_set():
                self._deliver(self._on_document, doc)
            now = self._reader.connected
            if now != connected:
                connected = now
                if self._on_connection is not None:
                    self._deliver(self._on_connection, now)

    def _deliver(self, callback: Callable[..., None], value: object) -> None:
        try:
            callback(value)
        except Exception:
            log.exception("reader worker callback %r raised", callback)
