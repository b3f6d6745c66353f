"""gui_stall: how long the clerk's screen ever freezes while the departments are asked and while the
split preview is built (issue 5). Target: the longest gap of the Qt event loop under 50 ms.

    .venv/bin/python tests/benchmarks/gui_stall.py [--latency-ms 300] [--runs 3]
        [--sandboxes process|inline|both] [--trace-ms 20]

A 5 ms QTimer heartbeat runs on the GUI thread; every gap between two beats longer than the interval is
time the event loop could not run (a frozen screen). The script drives the real intake page of the real
main window (offscreen unless QT_QPA_PLATFORM says otherwise) through the real sandboxes with latency L
on every request, one new window and demo citizen per run, and records the gaps during (1) the parallel
pull, from Ctrl+Enter on the consent to the last department's row, and (2) the preview, from opening the
step to the first department's payload on screen; each window also takes the 100 ms after its end state,
so the layout and painting of that state are measured too.

The sandboxes run in a process of their own (``_sandbox_process.py``; latency set over their
``/_control/faults`` API), as the departments are remote at a real counter: the workstation process holds
only what it holds in production (the GUI thread, the worker threads doing HTTP and the database).
``--sandboxes inline`` runs them inside the workstation process as before (their request handlers then
compete with the GUI thread for the GIL), ``both`` prints both; the verdict (exit code) is the first.

Each longest gap is split into the GUI thread running (our code and Qt's layout, style and painting),
waiting for a CPU (the machine is busy: Linux run-queue time) and blocked (neither: in practice waiting for
the GIL held by a worker thread). ``--trace-ms N`` prints every gap over N ms with the GUI thread's Python
stacks sampled by a watchdog thread (an investigation aid; it perturbs the figures).
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

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from _bench_support import bench_workstation, read_card  # noqa: E402
from _heartbeat import Gap, Heartbeat, Watchdog  # noqa: E402
from _sandbox_process import RemoteSandboxes, sandbox_process  # noqa: E402
from ui.app import create_main_window  # noqa: E402
from ui.i18n import install_translators  # noqa: E402
from ui.style import apply_style  # noqa: E402

TARGET_MS = 50.0
#: after the last department's row (or the payload) is final, its layout and painting are still measured
SETTLE_MS = 100


def run_until(done: Callable[[], bool], timeout_s: float = 60.0, settle_ms: int = 0) -> None:
    """Run the event loop (never block it) until ``done()``, then ``settle_ms`` more (the layout and the
    painting of that last state belong to the measured window); the check itself rides on a timer."""
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
    if settle_ms:
        QTimer.singleShot(settle_ms, loop.quit)
        loop.exec()


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


def one_run(bench: object, qapp: QApplication, citizen: str,
            watchdog: Watchdog | None = None) -> tuple[list[Gap], list[Gap]]:
    app, clerk = bench.app, bench.clerk  # type: ignore[attr-defined]
    window = create_main_window(app, clerk, idle_ms=0)
    window.resize(1366, 768)
    window.show()
    page = window.open_page("intake")
    page.ctx.open_file = lambda path: True
    _PAGES.append(page)
    heart = Heartbeat(watchdog)
    try:
        page.open_document(read_card(citizen))
        run_until(lambda: page.current == 2 and page.one_thing.selected_code() is not None)
        page.one_thing.search.setText("退休")
        run_until(lambda: page.one_thing.selected_code() == "OT-RETIRE")
        page.advance()
        run_until(lambda: page.current == 3 and bool(page.consent.department_boxes))

        heart.start(f"pull {citizen}")  # (1) the pull: Ctrl+Enter on the consent records it, asks everyone
        page.advance()
        run_until(lambda: page.current == 4 and bool(page.pull.rows) and page.pull.running == 0 and all(
            r.status is not None and r.status.state in ("done", "failed") for r in page.pull.rows.values()),
            settle_ms=SETTLE_MS)
        pull_gaps = heart.stop()

        page.go(5)
        run_until(lambda: bool(page.profile.fields))
        for field in page.profile.open_conflicts():
            page.profile.choose(field.field, field.values[0].source)
        run_until(lambda: not page.profile.open_conflicts())

        heart.start(f"preview {citizen}")  # (2) the preview: every department's payload rendered and shown
        page.go(8)
        run_until(lambda: bool(page.preview.previews) and page.preview.tabs.count() == len(page.preview.previews)
                  and getattr(page.preview.tabs.currentWidget(), "complete", True), settle_ms=SETTLE_MS)
        preview_gaps = heart.stop()
    finally:
        window.close()
        window.deleteLater()
        qapp.processEvents()
    return pull_gaps, preview_gaps


def report(name: str, gaps: list[Gap]) -> bool:
    walls = [g.wall_ms for g in gaps]
    worst = max(gaps, key=lambda g: g.wall_ms, default=Gap(0.0, 0.0, 0.0))
    busiest = max((g.cpu_ms for g in gaps), default=0.0)
    ok = worst.wall_ms < TARGET_MS
    queued = f"{worst.queued_ms:.0f}" if worst.queued_ms >= 0 else "?"
    print(f"{name:8s} beats {len(gaps):5d}   max gap {worst.wall_ms:6.1f} ms   p99 {percentile(walls, 99):5.1f} ms   "
          f"target < {TARGET_MS:.0f} ms   ratio max/target {worst.wall_ms / TARGET_MS:4.2f}   {'OK' if ok else 'OVER'}")
    print(f"{'':8s} longest gap = GUI thread running {worst.cpu_ms:.0f} + waiting for a CPU {queued} + blocked "
          f"(GIL) {worst.blocked_ms:.0f} ms;   most GUI-thread CPU in one gap {busiest:.1f} ms")
    return ok


def measure(qapp: QApplication, latency_s: float, runs: int, remote: RemoteSandboxes | None,
            watchdog: Watchdog | None) -> tuple[list[Gap], list[Gap]]:
    pull: list[Gap] = []
    preview: list[Gap] = []
    with bench_workstation(latency_s=latency_s, remote=remote) as bench:
        for citizen in CITIZENS[:runs]:
            a, b = one_run(bench, qapp, citizen, watchdog)
            print(f"   {citizen:10s} pull max {max(g.wall_ms for g in a):5.1f} ms p99 "
                  f"{percentile([g.wall_ms for g in a], 99):5.1f} ms   preview max {max(g.wall_ms for g in b):5.1f} ms",
                  file=sys.stderr)
            pull.extend(a)
            preview.extend(b)
            bench.app.backends.open_all(bench.clerk)  # the window's logout closed them: next clerk shift
            bench.app.backends.wait_until_settled(30)
    return pull, preview


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3, choices=range(1, len(CITIZENS) + 1))
    parser.add_argument("--sandboxes", choices=("process", "inline", "both"), default="process",
                        help="process: the sandboxes run in a process of their own, as remote departments "
                             "(the measured figure); inline: in the workstation process (their request "
                             "handling competes for the GIL); both: print both")
    parser.add_argument("--trace-ms", type=float, default=0.0,
                        help="investigation: print every gap longer than this with the GUI thread's Python "
                             "stack, sampled by a watchdog thread (which itself perturbs the figures)")
    args = parser.parse_args(argv)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    install_translators(qapp)
    apply_style(qapp)
    watchdog = Watchdog(args.trace_ms) if args.trace_ms > 0 else None
    modes = ("process", "inline") if args.sandboxes == "both" else (args.sandboxes,)
    results: dict[str, tuple[list[Gap], list[Gap]]] = {}
    for mode in modes:
        if mode == "process":
            with sandbox_process() as remote:
                results[mode] = measure(qapp, args.latency_ms / 1000, args.runs, remote, watchdog)
        else:
            results[mode] = measure(qapp, args.latency_ms / 1000, args.runs, None, watchdog)
    print(f"gui_stall: {args.runs} run(s), sandbox latency {args.latency_ms:.0f} ms, heartbeat {Heartbeat.INTERVAL_MS} ms, "
          f"platform {qapp.platformName()}, {os.cpu_count()} CPU(s)")
    verdict = True
    for mode, (pull, preview) in results.items():
        print("-- sandboxes in their own process (as remote departments)" if mode == "process" else
              "-- sandboxes inside the workstation process (comparison only: their handlers compete for the GIL)")
        ok = report("pull", pull) & report("preview", preview)
        if mode == modes[0]:
            verdict = ok
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
