"""pull_fanout: from the card on the reader to a complete profile, with every department asked at once,
against the four sandboxes each answering every request after an injected latency L.

    python tests/benchmarks/pull_fanout.py [--latency-ms 300] [--runs 3] [--citizen retiree_m]

Prints, measured in the same run (medians of --runs):
- card -> complete profile with the parallel pull, divided by L (target <= 1.10 when every department
  answers a lookup in one round trip);
- the same divided by the slowest department's lookup on its own (the physical limit; target <= 1.10);
- asking the departments one after another, divided by the parallel time.
The clerk's shift login (every department session) happens before the clock starts, as at the counter.
"""

from __future__ import annotations

import argparse
import sys

from _bench_support import DEPARTMENTS, Bench, bench_workstation, median, now, read_card

TARGET = 1.10


def _prepare(bench: Bench, citizen: str) -> int:
    """Card read -> the case -> 退休一件事 -> the citizen's authorisation (all service calls)."""
    intake, clerk = bench.app.intake, bench.clerk
    summary = intake.open_case_for_document(clerk, read_card(citizen))
    intake.choose_one_thing(clerk, summary.id, "OT-RETIRE")
    intake.record_consent(clerk, summary.id, intake.consent_scope(clerk, summary.id), "办理退休一件事", "signature")
    return summary.id


def _fanout(bench: Bench, citizen: str) -> tuple[float, dict[str, int]]:
    counts = {d: s.request_count for d, s in bench.sandboxes.items()}
    start = now()
    case_id = _prepare(bench, citizen)
    statuses = bench.app.intake.pull(bench.clerk, case_id)
    bench.app.intake.profile(bench.clerk, case_id)
    elapsed = now() - start
    failed = [s for s in statuses if s.state != "done"]
    if failed:
        raise RuntimeError(f"pull failed: {[(s.adapter_id, s.message_zh, s.detail) for s in failed]}")
    return elapsed, {d: s.request_count - counts[d] for d, s in bench.sandboxes.items()}


def _one_by_one(bench: Bench, citizen: str) -> tuple[float, dict[str, float]]:
    start = now()
    case_id = _prepare(bench, citizen)
    alone: dict[str, float] = {}
    for department in DEPARTMENTS:
        began = now()
        status = bench.app.intake.pull_one(bench.clerk, case_id, department)
        if status.state != "done":
            raise RuntimeError(f"{department}: {status.message_zh} {status.detail}")
        alone[department] = now() - began
    bench.app.intake.profile(bench.clerk, case_id)
    return now() - start, alone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=300.0, help="latency L of every sandbox request")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--citizen", default="retiree_m", help="demo citizen key (resources/demo/citizens.toml)")
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000.0
    with bench_workstation(latency_s=latency, timeout_s=max(10.0, latency * 20)) as bench:
        _fanout(bench, args.citizen)  # warm-up: imports, first connections, the case itself
        parallel, sequential, requests = [], [], {}
        alone: dict[str, list[float]] = {d: [] for d in DEPARTMENTS}
        for _ in range(args.runs):
            elapsed, requests = _fanout(bench, args.citizen)
            parallel.append(elapsed)
            elapsed, per_department = _one_by_one(bench, args.citizen)
            sequential.append(elapsed)
            for department, seconds in per_department.items():
                alone[department].append(seconds)
    t_parallel, t_sequential = median(parallel), median(sequential)
    t_alone = {d: median(v) for d, v in alone.items()}
    slowest = max(t_alone.values())
    print(f"pull_fanout: L = {args.latency_ms:.0f} ms per request, citizen {args.citizen}, "
          f"median of {args.runs} runs")
    print(f"{'department':<20}{'requests/lookup':>16}{'alone (ms)':>12}")
    for department in DEPARTMENTS:
        print(f"{department:<20}{requests.get(department, 0):>16}{t_alone[department] * 1000:>12.0f}")
    print(f"card -> complete profile, all departments at once: {t_parallel * 1000:8.0f} ms")
    print(f"card -> complete profile, one after another:       {t_sequential * 1000:8.0f} ms")
    by_latency = t_parallel / latency if latency else float("nan")
    by_slowest = t_parallel / slowest
    print(f"ratio parallel / L:                       {by_latency:6.2f}  "
          f"(target <= {TARGET:.2f} for one round trip per department)")
    print(f"ratio parallel / slowest department alone: {by_slowest:5.2f}  (target <= {TARGET:.2f})"
          f"  {'met' if by_slowest <= TARGET else 'NOT met'}")
    print(f"ratio one-after-another / parallel:       {t_sequential / t_parallel:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
