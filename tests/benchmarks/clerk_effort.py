"""clerk_effort: for each shipped one-thing, with the demo citizens, what the clerk types and how often they
log in per case, against the baseline of every department's own system.

    python tests/benchmarks/clerk_effort.py

Per case (card -> one-thing -> consent -> pull -> picks -> form -> preview, all through the intake service):
- typed: the fields the unified form requires (what no department supplied);
- baseline typed: the sum over departments of the fields its payload carries (the rendered payload's
  field_sources), i.e. typing each department's form separately;
- logins: department logins during the case, counted by the sandboxes (0 after the shift login);
- baseline logins: one per department back-end the case involves (pulled from or submitted to).
Target for 退休一件事: typed <= 10 % of the baseline, 0 logins per case.
"""

from __future__ import annotations

import sys

from _bench_support import Bench, bench_workstation, logins, read_card

#: which demo citizens each shipped one-thing is tried with (resources/demo/citizens.toml)
CITIZENS = {"OT-RETIRE": ("retiree_m", "retiree_f", "retiree_m2"), "OT-UNEMPLOY": ("unemployed",),
            "OT-FLEXJOB": ("flexjob",)}
#: what the clerk would type into the unified form (plausible synthetic values)
TYPED = {"app.retirement_date": "2026-03-15", "app.retirement_type": "normal", "app.separation_date": "2026-10-31",
         "app.separation_reason": "contract_end", "app.job_intention": "仓储管理", "app.flex_job_type": "网约配送",
         "app.flex_start_date": "2026-12-01", "app.contribution_base": "5000"}
TARGET_SHARE = 0.10


def one_case(bench: Bench, one_thing: str, citizen: str) -> dict[str, object]:
    intake, clerk = bench.app.intake, bench.clerk
    logins_before = logins(bench.sandboxes)
    case_id = intake.open_case_for_document(clerk, read_card(citizen)).id
    intake.choose_one_thing(clerk, case_id, one_thing)
    scopes = intake.consent_scope(clerk, case_id)
    intake.record_consent(clerk, case_id, scopes, "办理" + bench.app.catalog.one_things[one_thing].name, "signature")
    statuses = intake.pull(clerk, case_id)
    picks = 0
    for field in intake.profile(clerk, case_id):
        if field.chosen_source is None:  # the clerk picks one source: a click, not typing
            intake.choose_value(clerk, case_id, field.field, field.values[0].source)
            picks += 1
    form = intake.form_fields(clerk, case_id)
    required = [f for f in form if f.required]
    values = {f.field: TYPED.get(f.field, "") for f in required}
    errors = intake.save_form(clerk, case_id, values)
    previews = intake.preview(clerk, case_id)
    baseline_fields = sum(len(p.field_sources) for p in previews if not p.error_zh)
    involved = {s.adapter_id for s in statuses} | {p.adapter_id for p in previews}
    return {
        "one_thing": one_thing, "citizen": citizen, "typed": len(required), "optional": len(form) - len(required),
        "picks": picks, "baseline": baseline_fields, "logins": logins(bench.sandboxes) - logins_before,
        "baseline_logins": len(involved), "failed": [s.adapter_id for s in statuses if s.state != "done"],
        "render_errors": [p.adapter_id for p in previews if p.error_zh], "form_errors": sorted(errors),
    }


def main() -> int:
    rows = []
    with bench_workstation() as bench:
        for one_thing in bench.app.catalog.one_things:
            for citizen in CITIZENS.get(one_thing, ()):
                rows.append(one_case(bench, one_thing, citizen))
    print("clerk_effort: fields typed and logins per case, against typing each department's form and logging "
          "into each back-end")
    print(f"{'one-thing':<13}{'citizen':<12}{'typed':>6}{'baseline':>9}{'share':>8}{'picks':>6}"
          f"{'logins':>7}{'baseline':>9}  notes")
    for row in rows:
        share = row["typed"] / row["baseline"] if row["baseline"] else float("nan")  # type: ignore[operator]
        notes = []
        if row["optional"]:
            notes.append(f"{row['optional']} optional")
        for key in ("failed", "render_errors", "form_errors"):
            if row[key]:
                notes.append(f"{key}: {','.join(row[key])}")  # type: ignore[arg-type]
        print(f"{row['one_thing']:<13}{row['citizen']:<12}{row['typed']:>6}{row['baseline']:>9}{share:>8.1%}"
              f"{row['picks']:>6}{row['logins']:>7}{row['baseline_logins']:>9}  {'; '.join(notes)}")
    retire = [r for r in rows if r["one_thing"] == "OT-RETIRE"]
    worst = max(r["typed"] / r["baseline"] for r in retire)  # type: ignore[operator]
    most_logins = max(r["logins"] for r in retire)  # type: ignore[type-var]
    met = worst <= TARGET_SHARE and most_logins == 0
    print(f"退休一件事: at most {worst:.1%} of the baseline fields typed (target <= {TARGET_SHARE:.0%}), "
          f"{most_logins} logins per case (target 0): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
