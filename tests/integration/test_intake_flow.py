"""The whole intake of 周建国 (retiree_m) through the service, against the four real sandboxes and a real
database: card -> 退休一件事 -> consent -> parallel pull -> the planted conflicts -> choices -> materials with
one tolerated -> form -> every department's payload; and the draft after a restart."""

from __future__ import annotations

import json
import pytest

from _intake_helpers import HALL_CODE, demo_card, retiree_case, sandboxes, workstation_for, ws  # noqa: F401
from desktop.bootstrap import build_app
from desktop.documents.consent import consent_document
from desktop.documents.notice import notice_document
from desktop.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def test_whole_intake_of_a_retiree(ws, tmp_path):
    intake, clerk = ws.intake, ws.clerk
    summary = intake.open_case_for_document(clerk, demo_card("retiree_m"))
    assert summary.state == "draft" and summary.citizen_name == "周建国"
    assert summary.citizen_id_masked == "330106********1316"
    assert summary.case_no.startswith(f"YC{HALL_CODE}-") and summary.case_no.endswith("-0001")
    case_id = summary.id

    # the one-thing, found the way clerks type it
    assert intake.list_one_things("tx")[0][:2] == ("OT-RETIRE", "退休一件事")
    assert intake.choose_one_thing(clerk, case_id, "OT-RETIRE").one_thing_name == "退休一件事"

    # consent: per department, the fields it is asked for
    scopes = {s.adapter_id: s for s in intake.consent_scope(clerk, case_id)}
    assert set(scopes) == {"social_security", "medical_insurance", "employment", "public_data"}
    assert "婚姻状况" in scopes["public_data"].labels and "社保个人编号" in scopes["social_security"].labels
    record = intake.record_consent(clerk, case_id, list(scopes.values()), "办理退休一件事", "signature")
    assert record.clerk == "王小明" and len(record.consent_ref) == 32
    printed = intake.consent_data(clerk, case_id)
    assert printed.citizen_id_masked == "330106********1316" and len(printed.scopes) == 4
    consent_document(printed)  # the printable form accepts it (no full ID number, every scope named)

    # the pull: every department at once, each reporting as it goes
    seen = []
    statuses = intake.pull(clerk, case_id, on_status=seen.append)
    assert {s.adapter_id: s.state for s in statuses} == dict.fromkeys(scopes, "done")
    assert all(s.field_count > 0 for s in statuses)
    for adapter_id in scopes:
        assert [s.state for s in seen if s.adapter_id == adapter_id] == ["pending", "running", "done"]
    pulls = [r for r in ws.app.audit.recent(50) if r.action == "department.pull"]
    assert sorted(r.detail["adapter"] for r in pulls) == sorted(scopes)
    assert {r.citizen_id_masked for r in pulls} == {"330106********1316"}

    # the planted disagreements are conflicts, side by side, nothing merged
    profile = {f.field: f for f in intake.profile(clerk, case_id)}
    conflicts = {name for name, f in profile.items() if f.chosen_source is None}
    assert conflicts == {"person.address", "person.marital_status"}
    marital = profile["person.marital_status"]
    assert {(v.source, v.display) for v in marital.values} == {("public_data", "丧偶"), ("social_security", "已婚")}
    address = {v.source: v.value for v in profile["person.address"].values}
    assert address["id_card"] == address["public_data"] != address["social_security"]
    assert profile["ss.person_no"].value == "33010600012601" and profile["ss.person_no"].values[0].verified
    assert profile["person.id_number"].values[0].display == "330106********1316"
    missing = intake.missing_for_submit(clerk, case_id)
    assert any("户籍地址" in m for m in missing) and any("婚姻状况" in m for m in missing)

    chosen = intake.choose_value(clerk, case_id, "person.address", "id_card")
    assert chosen.chosen_source == "id_card" and chosen.value == address["id_card"]
    intake.choose_value(clerk, case_id, "person.marital_status", "public_data")
    profile = {f.field: f for f in intake.profile(clerk, case_id)}
    assert not [f for f in profile.values() if f.chosen_source is None]
    assert [r.detail for r in ws.app.audit.recent(10) if r.action == "profile.value_chosen"][0] == \
        {"field": "person.marital_status", "source": "public_data", "others": 1}

    # materials: one set; pulled ones ticked, produced one named, brought ones received or tolerated
    materials = {m.code: m for m in intake.materials(clerk, case_id)}
    assert {c for c, m in materials.items() if m.status == "pulled"} == {"M-ID-CARD", "M-HOUSEHOLD", "M-MARRIAGE"}
    assert materials["M-PENSION-APPROVAL"].status_zh == "由人力资源和社会保障局（社保）出具"
    scan = tmp_path / "bank-card.png"
    scan.write_bytes(PNG)
    bank = intake.attach_file(clerk, case_id, "M-BANK-CARD", scan)
    assert bank.status == "received" and bank.files[0][0] == "bank-card.png"
    stored = intake.material_file_path(clerk, case_id, "M-BANK-CARD", bank.files[0][1])
    assert stored.read_bytes() == PNG
    photo = intake.tolerate(clerk, case_id, "M-PHOTO", "本人承诺于领取待遇前补交")
    assert photo.status == "tolerated" and photo.owed_by > ws.app.clock().date()
    intake.mark_received(clerk, case_id, "M-CONTRACT-END")
    notice = intake.notice_data(clerk, case_id)
    assert [m.name for m in notice.owed] == ["近期免冠照片（一寸）"]
    notice_document(notice)

    # the form asks only what nobody supplied
    form = {f.field: f for f in intake.form_fields(clerk, case_id)}
    assert {n for n, f in form.items() if f.required} == {"app.retirement_date", "app.retirement_type"}
    assert not form.get("person.former_names") or not form["person.former_names"].required
    errors = intake.save_form(clerk, case_id, {"app.retirement_date": "2026-13-01", "app.retirement_type": "normal"})
    assert set(errors) == {"app.retirement_date"} and "日期" in errors["app.retirement_date"]
    assert {f.field: f.value for f in intake.form_fields(clerk, case_id)}["app.retirement_date"] == "2026-13-01"
    assert intake.save_form(clerk, case_id, {"app.retirement_date": "2026-03-15"}) == {}
    assert intake.missing_for_submit(clerk, case_id) == []

    # the split preview: each of the four retirement departments' own payload, with where each value came from
    previews = {p.adapter_id: p for p in intake.preview(clerk, case_id)}
    assert set(previews) == {"social_security", "medical_insurance", "employment", "public_data"}
    assert all(not p.error_zh for p in previews.values())
    archive = json.loads(previews["public_data"].preview)
    assert archive["items"] == ["PD-RETIRE-ARCHIVE"] and [c["zzmc"] for c in archive["licenses"]] == ["退休证"]
    ss = previews["social_security"]
    assert "<AIC162>20260315</AIC162>" in ss.preview and "33010600012601" in ss.preview
    assert ("ITEMLIST/ITEM[1]/AIC162", "app.retirement_date", "退休日期") in ss.field_sources
    assert "2026-03-15" in previews["medical_insurance"].preview
    assert any(canonical == "person.phone" for _, canonical, _ in previews["employment"].field_sources)


def test_the_draft_survives_a_restart(ws, db_url, tmp_path, sandboxes, fast_hasher):
    case_id = retiree_case(ws)
    ws.intake.pull(ws.clerk, case_id)
    ws.intake.choose_value(ws.clerk, case_id, "person.marital_status", "public_data")
    ws.intake.tolerate(ws.clerk, case_id, "M-PHOTO", "承诺补交")
    ws.intake.save_form(ws.clerk, case_id, {"app.retirement_date": "2026-03-15", "app.retirement_type": "bogus"})
    before = {f.field: (f.chosen_source, [v.value for v in f.values]) for f in ws.intake.profile(ws.clerk, case_id)}
    ws.backends.close()
    ws.app.close()

    # a new process: the same database, a new workstation object graph
    again = build_app(Settings(db_url=db_url, data_dir=tmp_path / "data"), clock=ws.app.clock,
                      password_hasher=fast_hasher)
    try:
        with workstation_for(again, sandboxes, users=False) as second:
            clerk = second.clerk
            summary = second.intake.open_case_for_document(clerk, demo_card("retiree_m"))
            assert summary.id == case_id and summary.state == "draft" and summary.one_thing == "OT-RETIRE"
            after = {f.field: (f.chosen_source, [v.value for v in f.values])
                     for f in second.intake.profile(clerk, case_id)}
            assert after == before
            form = {f.field: f.value for f in second.intake.form_fields(clerk, case_id)}
            assert form["app.retirement_date"] == "2026-03-15" and form["app.retirement_type"] == "bogus"
            photo = [m for m in second.intake.materials(clerk, case_id) if m.code == "M-PHOTO"][0]
            assert photo.status == "tolerated"
            assert second.intake.consent_scope(clerk, case_id)  # consent and scope still there
            assert second.intake.current_consent(clerk, case_id) is not None
            # the second card read the same day is not a second visit
            assert summary.visits == 1
    finally:
        again.close()


def test_a_card_read_on_a_later_day_counts_a_second_visit(ws):
    case_id = retiree_case(ws, consent=False)
    ws.app.clock.advance(days=3)
    summary = ws.intake.open_case_for_document(ws.clerk, demo_card("retiree_m"))
    assert summary.id == case_id and summary.visits == 2


@pytest.mark.parametrize("key", ["flexjob"])
def test_card_problems_go_on_the_timeline(ws, key):
    summary = ws.intake.open_case_for_document(ws.clerk, demo_card(key))
    with ws.app.db.unit_of_work(read_only=True) as uow:
        from desktop.storage.case_models import CaseEvent
        texts = [e.text for e in uow.session.query(CaseEvent).filter_by(case_id=summary.id, kind="card_problem")]
    assert texts and any("有效期" in t or "过期" in t for t in texts)


def test_case_numbers_count_up_per_day(ws):
    first = ws.intake.open_case_for_document(ws.clerk, demo_card("retiree_m"))
    second = ws.intake.open_case_for_document(ws.clerk, demo_card("retiree_f"))
    assert first.case_no[:-4] == second.case_no[:-4]
    assert int(second.case_no[-4:]) == int(first.case_no[-4:]) + 1
    ws.app.clock.advance(days=1)
    third = ws.intake.open_case_for_document(ws.clerk, demo_card("unemployed"))
    assert third.case_no.endswith("-0001") and third.case_no != first.case_no


def test_form_json_keeps_what_was_typed(ws):
    case_id = retiree_case(ws, consent=False)
    ws.intake.save_form(ws.clerk, case_id, {"app.retirement_type": "early"})
    with ws.app.db.unit_of_work(read_only=True) as uow:
        from desktop.storage.case_models import Case
        assert json.loads(uow.session.get(Case, case_id).form_json) == {"app.retirement_type": "early"}
