"""gui_stall: how long the clerk's screen ever freezes while the departments are asked and while the
split preview is built (issue 5). Target: the longest gap of the Qt event loop under 50 ms.

    .venv/bin/python tests/benchmarks/gui_stall.py [--latency-ms 300] [--runs 3]

A 5 ms QTimer heartbeat runs on the GUI thread; every gap between two beats longer than the interval is
time the event loop could not run (a frozen screen). The script drives the real intake page of the real
main window (offscreen unless QT_QPA_PLATFORM says otherwise) through the real sandboxes with latency L
on every request, and records the gaps during (1) the parallel pull, from the consent to the last
department's row, and (2) the preview, from opening the step to every department's payload on screen.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from _bench_support import bench_workstation, read_card  # noqa: E402
from ui.app import create_main_window  # noqa: E402
from ui.i18n import install_translators  # noqa: E402
from ui.style import apply_style  # noqa: E402

HEARTBEAT_MS = 5
TARGET_MS = 50.0


class Heartbeat:
    """Records the time between beats of a 5 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.gaps_ms: list[float] = []
        self._last = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        if self._last:
            self.gaps_ms.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps_ms, self._last = [], 0.0
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps_ms


def run_until(done: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Run the event loop (never block it) until ``done()``; the check itself rides on a timer."""
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    check = QTimer()
    check.setInterval(10)
    check.timeout.connect(lambda: loop.quit() if done() or time.monotonic() > deadline else None)
    check.start()
    loop.exec()
    check.stop()
    if not done():
        raise RuntimeError(f"the screen did not reach the expected state in time: {_last_page_state()}")


_PAGES: list[object] = []


def _last_page_state() -> str:
    page = _PAGES[-1] if _PAGES else None
    return f"step {getattr(page, 'current', '?')}, message {page.message.text()!r}" if page is not None else ""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


#: one new case per run (a citizen's second card would bring back the first run's draft)
CITIZENS = ("retiree_m", "retiree_f", "retiree_m2")


def one_run(bench: object, qapp: QApplication, citizen: str) -> tuple[list[float], list[float]]:
    app, clerk = bench.app, bench.clerk  # type: ignore[attr-defined]
    window = create_main_window(app, clerk, idle_ms=0)
    window.resize(1366, 768)
    window.show()
    page = window.open_page("intake")
    page.ctx.open_file = lambda path: True
    _PAGES.append(page)
    heart = Heartbeat()
    try:
        page.open_document(read_card(citizen))
        run_until(lambda: page.current == 2 and page.one_thing.selected_code() is not None)
        page.one_thing.search.setText("退休")
        run_until(lambda: page.one_thing.selected_code() == "OT-RETIRE")
        page.advance()
        run_until(lambda: page.current == 3 and bool(page.consent.department_boxes))

        heart.start()  # (1) the pull: Ctrl+Enter on the consent records it and asks every department
        page.advance()
        run_until(lambda: page.current == 4 and bool(page.pull.rows) and page.pull.running == 0 and all(
            r.status is not None and r.status.state in ("done", "failed") for r in page.pull.rows.values()))
        pull_gaps = heart.stop()

        page.go(5)
        run_until(lambda: bool(page.profile.fields))
        for field in page.profile.open_conflicts():
            page.profile.choose(field.field, field.values[0].source)
        run_until(lambda: not page.profile.open_conflicts())

        heart.start()  # (2) the preview: every department's payload rendered and shown
        page.go(8)
        run_until(lambda: bool(page.preview.previews) and page.preview.tabs.count() == len(page.preview.previews))
        preview_gaps = heart.stop()
    finally:
        window.close()
        window.deleteLater()
        qapp.processEvents()
    return pull_gaps, preview_gaps


def report(name: str, gaps: list[float]) -> bool:
    worst, p99 = max(gaps, default=0.0), percentile(gaps, 99)
    ok = worst < TARGET_MS
    print(f"{name:8s} beats {len(gaps):5d}   max gap {worst:6.1f} ms   p99 {p99:5.1f} ms   "
          f"target < {TARGET_MS:.0f} ms   ratio max/target {worst / TARGET_MS:4.2f}   {'OK' if ok else 'OVER'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3, choices=range(1, len(CITIZENS) + 1))
    args = parser.parse_args(argv)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    install_translators(qapp)
    apply_style(qapp)
    pull: list[float] = []
    preview: list[float] = []
    with bench_workstation(latency_s=args.latency_ms / 1000) as bench:
        for citizen in CITIZENS[:args.runs]:
            a, b = one_run(bench, qapp, citizen)
            pull.extend(a)
            preview.extend(b)
            bench.app.backends.open_all(bench.clerk)  # the window's logout closed them: next clerk shift
            bench.app.backends.wait_until_settled(30)
    print(f"gui_stall: {args.runs} run(s), sandbox latency {args.latency_ms:.0f} ms, heartbeat {HEARTBEAT_MS} ms, "
          f"platform {qapp.platformName()}")
    ok = report("pull", pull) & report("preview", preview)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
