"""The configured ID card reader, driven by desktop.devices.ReaderWorker in its own thread; every
document, fault and connection change is re-emitted as a signal, which Qt queues into the GUI thread.

Opening a serial reader talks to the device (handshake), so it happens in the background too. The
demo reader presents a demo citizen only when the clerk asks (``present_demo``): a demo that opened
cases by itself every few seconds would be useless at a counter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.devices import CardReader, ReaderError, create_reader
from desktop.devices.worker import ReaderWorker
from ui.tasks import TaskManager

log = logging.getLogger("onewindow.ui.intake.reader")

#: the demo reader waits this long between cards on its own: i.e. only the clerk's button presents one
_DEMO_INTERVAL_S = 10 ** 7


class CardReaderBridge(QObject):
    sig_document = Signal(object)   # IdentityDocument
    sig_error = Signal(object)      # ReaderError
    sig_connection = Signal(bool)
    #: the reader is open and polling (describe())
    sig_ready = Signal(str)

    def __init__(self, spec: str, tasks: TaskManager, options: Mapping[str, object] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec.strip()
        self._tasks = tasks
        self._options = dict(options or {})
        self._reader: CardReader | None = None
        self._worker: ReaderWorker | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self.ready = False

    @property
    def kind(self) -> str:
        """"sam", "demo", "manual", a vendor's name, or "" when no reader is configured."""
        return self.spec.partition(":")[0]

    @property
    def is_demo(self) -> bool:
        return self.kind == "demo"

    @property
    def has_device(self) -> bool:
        return self.kind not in ("", "manual")

    def start(self) -> None:
        if not self.has_device:
            return
        options = dict(self._options)
        if self.is_demo:
            options.setdefault("demo_interval", float(_DEMO_INTERVAL_S))
        (self._tasks.run_in_background(self._open, options)
         .on_success(self._opened)
         .on_failure(lambda exc: self.sig_error.emit(exc)))

    def _open(self, options: dict[str, object]) -> CardReader | None:
        reader = create_reader(self.spec, options)
        reader.open()
        with self._lock:
            if self._stopped:  # the session ended while the device was opening
                reader.close()
                return None
            self._reader = reader
        return reader

    def _opened(self, reader: CardReader | None) -> None:
        if reader is None:
            return
        self.ready = True
        if not self.is_demo:
            self._start_worker(reader)
        self.sig_ready.emit(reader.describe())

    def _start_worker(self, reader: CardReader) -> None:
        with self._lock:
            if self._stopped or self._worker is not None:
                return
            self._worker = ReaderWorker(reader, self.sig_document.emit, self.sig_error.emit,
                                        on_connection=self.sig_connection.emit, name="intake-card-reader")
            self._worker.start()

    def demo_citizens(self) -> list[str]:
        from desktop.devices.demo_cards import load_demo_cards

        return list(load_demo_cards())

    def present_demo(self, key: str) -> None:
        """Lay a demo citizen's card on the demo reader."""
        reader = self._reader
        if reader is None or not self.is_demo:
            raise ReaderError("not_ready", "演示读卡器尚未就绪", "demo reader not open")
        present: Any = getattr(reader, "present")
        present(key)
        self._start_worker(reader)

    def stop(self) -> None:
        """Stop polling and release the device (joins the worker: at most one wait slice)."""
        with self._lock:
            self._stopped = True
            worker, reader = self._worker, self._reader
            self._worker = self._reader = None
        if worker is not None:
            worker.stop()
        if reader is not None:
            try:
                reader.close()
            except Exception:  # noqa: BLE001 - closing a lost device must not stop the logout
                log.exception("closing reader %s failed", self.spec)
        self.ready = False
