"""The GUI thread's heartbeat for gui_stall: a 5 ms timer whose late beats are the time the event loop
could not run, each gap split into the GUI thread running, waiting for a CPU and blocked; and a watchdog
that samples the GUI thread's Python stack during long gaps (``--trace-ms``)."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer


class Watchdog:
    """Investigation aid (``--trace-ms``): a thread that, while the heartbeat is late by more than
    ``threshold_ms``, samples the GUI thread's Python stack every millisecond or so; each such gap is
    printed with the stacks seen during it (most frequent first). A stack ending in the benchmark's own
    ``loop.exec()`` means the time went to Qt's C++ (layout, painting, style), not to Python code."""

    def __init__(self, threshold_ms: float) -> None:
        self.threshold_s = threshold_ms / 1000
        self.gui_thread = threading.get_ident()
        self.last_beat = 0.0
        self.label = ""
        self._samples: Counter[str] = Counter()
        self._sampled_beat = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, label: str) -> None:
        self.label, self.last_beat = label, 0.0
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="gui-stall-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._thread = None

    def beat(self, now: float) -> None:
        """Called by the heartbeat on the GUI thread: a late beat closes the gap the samples belong to."""
        if self._samples and self._sampled_beat == self.last_beat:
            gap_ms = (now - self.last_beat) * 1000
            print(f"[{self.label}] gap {gap_ms:.1f} ms, GUI thread stacks sampled during it:", file=sys.stderr)
            for stack, count in self._samples.most_common(4):
                print(f"  x{count}\n{stack}", file=sys.stderr)
            self._samples.clear()
        self.last_beat = now

    def _watch(self) -> None:
        while not self._stop.wait(0.001):
            last = self.last_beat
            if not last or time.perf_counter() - last < self.threshold_s:
                continue
            frame = sys._current_frames().get(self.gui_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-8:]
            if self._sampled_beat != last:
                self._samples.clear()
                self._sampled_beat = last
            self._samples["".join(f"    {Path(f.filename).name}:{f.lineno} {f.name}\n" for f in stack)] += 1


@dataclass
class Gap:
    """The time between two beats, and where it went on the GUI thread."""

    wall_ms: float
    #: the GUI thread ran (our Python and Qt's C++: layout, style, painting)
    cpu_ms: float
    #: the GUI thread was ready but the machine ran something else (Linux run-queue wait; -1: unknown)
    queued_ms: float

    @property
    def blocked_ms(self) -> float:
        """Neither running nor queued: asleep, and past the timer's deadline that means waiting for a
        lock, in practice the GIL held by a worker thread (includes up to one idle interval)."""
        return max(0.0, self.wall_ms - self.cpu_ms - max(self.queued_ms, 0.0))


def _queued_s(native_id: int) -> float:
    """Seconds the thread has waited on a run queue (Linux schedstat); -1 where unavailable."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat", encoding="ascii") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return -1.0


class Heartbeat:
    """Records the time between beats of a 5 ms timer on the GUI thread, with the GUI thread's CPU time
    and run-queue wait in each gap (so a freeze caused by our code tells itself apart from a busy machine)."""

    INTERVAL_MS = 5

    def __init__(self, watchdog: Watchdog | None = None) -> None:
        self.watchdog = watchdog
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self._beat)
        self.gaps: list[Gap] = []
        self._native_id = threading.get_native_id()
        self._last = (0.0, 0.0, 0.0)

    def _beat(self) -> None:
        now = (time.perf_counter(), time.thread_time(), _queued_s(self._native_id))
        if self._last[0]:
            queued = (now[2] - self._last[2]) * 1000 if now[2] >= 0 else -1.0
            self.gaps.append(Gap((now[0] - self._last[0]) * 1000, (now[1] - self._last[1]) * 1000, queued))
        self._last = now
        if self.watchdog is not None:
            self.watchdog.beat(now[0])

    def start(self, label: str) -> None:
        self.gaps, self._last = [], (0.0, 0.0, 0.0)
        if self.watchdog is not None:
            self.watchdog.start(label)
        self.timer.start()

    def stop(self) -> list[Gap]:
        self.timer.stop()
        if self.watchdog is not None:
            self.watchdog.stop()
        return self.gaps
