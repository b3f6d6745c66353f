"""Opening cases (manual entry, several counters at once), scanned materials, tolerated materials, and a case
that has left the draft state."""

from __future__ import annotations

import threading

import pytest

from _intake_helpers import demo_card, retiree_case, sandboxes, workstation_for, ws  # noqa: F401
from desktop.bootstrap import build_app
from desktop.devices.manual import ManualEntryError
from desktop.services import case_repo
from desktop.services.intake_errors import CaseNotEditable, InvalidInput, MaterialFileError
from desktop.services.material_files import store_file
from desktop.settings import Settings
from desktop.storage.case_models import Case, Citizen

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_manual_entry_opens_a_case_and_bad_input_stores_nothing(ws):
    with pytest.raises(ManualEntryError) as err:
        ws.intake.open_case_manual(ws.clerk, {"name": "周建国", "id_number": "330106196603151317"})
    assert err.value.field_errors
    with ws.app.db.unit_of_work(read_only=True) as uow:
        assert uow.session.query(Case).count() == 0 and uow.session.query(Citizen).count() == 0
    summary = ws.intake.open_case_manual(ws.clerk, {
        "name": "周建国", "id_number": "330106196603151316", "gender": "男", "nation": "汉",
        "birth_date": "1966-03-15", "address": "浙江省杭州市西湖区文三路100号2幢301室",
        "issuing_authority": "杭州市公安局西湖分局", "valid_from": "2016-03-01", "valid_to": "长期"})
    assert summary.citizen_id_masked == "330106********1316"
    # the card read later finds the same citizen's open case
    assert ws.intake.open_case_for_document(ws.clerk, demo_card("retiree_m")).id == summary.id


def test_two_counters_opening_cases_at_once_get_distinct_numbers(ws, db_url, tmp_path, sandboxes, fast_hasher):
    other = build_app(Settings(db_url=db_url, data_dir=tmp_path / "other"), clock=ws.app.clock,
                      password_hasher=fast_hasher)
    try:
        with workstation_for(other, sandboxes, users=False) as second:
            barrier = threading.Barrier(2)
            numbers: list[str] = []
            errors: list[BaseException] = []

            def open_cases(station, keys):
                try:
                    barrier.wait()
                    for key in keys:
                        numbers.append(station.intake.open_case_for_document(station.clerk, demo_card(key)).case_no)
                except BaseException as exc:  # reported below, in the test's thread
                    errors.append(exc)

            threads = [threading.Thread(target=open_cases, args=(ws, ["retiree_m", "retiree_f", "unemployed"])),
                       threading.Thread(target=open_cases, args=(second, ["flexjob", "retiree_m2", "hk_permit"]))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
    finally:
        other.close()
    assert not errors
    assert sorted(int(n[-4:]) for n in numbers) == [1, 2, 3, 4, 5, 6]


def test_scans_must_be_images_or_pdf_by_content(ws, tmp_path):
    case_id = retiree_case(ws, consent=False)
    fake = tmp_path / "scan.png"
    fake.write_text("this is not a picture", encoding="utf-8")
    with pytest.raises(MaterialFileError) as err:
        ws.intake.attach_file(ws.clerk, case_id, "M-BANK-CARD", fake)
    assert "图片" in err.value.message_zh
    assert [m.status for m in ws.intake.materials(ws.clerk, case_id) if m.code == "M-BANK-CARD"] == ["pending"]

    pdf = tmp_path / "bank.pdf"
    pdf.write_bytes(PDF)
    first = ws.intake.attach_file(ws.clerk, case_id, "M-BANK-CARD", pdf)
    again = ws.intake.attach_file(ws.clerk, case_id, "M-BANK-CARD", pdf)
    assert first.files == again.files and len(first.files) == 1  # the same content is kept once
    path = ws.intake.material_file_path(ws.clerk, case_id, "M-BANK-CARD", first.files[0][1])
    assert path.is_relative_to(ws.app.settings.data_dir) and path.read_bytes() == PDF
    assert [r.action for r in ws.app.audit.recent(1)] == ["material.file_viewed"]

    path.write_bytes(PDF + b"tampered")
    with pytest.raises(MaterialFileError) as err:
        ws.intake.material_file_path(ws.clerk, case_id, "M-BANK-CARD", first.files[0][1])
    assert "校验" in err.value.message_zh


def test_oversized_scans_are_refused(tmp_path):
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + bytes(4096))
    with pytest.raises(MaterialFileError) as err:
        store_file(big, tmp_path / "store", max_bytes=1024)
    assert "过大" in err.value.message_zh
    assert not (tmp_path / "store").exists()


def test_only_tolerable_materials_may_be_owed(ws):
    case_id = retiree_case(ws, consent=False)
    with pytest.raises(InvalidInput) as err:
        ws.intake.tolerate(ws.clerk, case_id, "M-BANK-CARD", "下次带来")
    assert "不可容缺" in err.value.message_zh
    with pytest.raises(InvalidInput):
        ws.intake.tolerate(ws.clerk, case_id, "M-PHOTO", "   ")
    with pytest.raises(InvalidInput):
        ws.intake.mark_received(ws.clerk, case_id, "M-PENSION-APPROVAL")
    owed = ws.intake.tolerate(ws.clerk, case_id, "M-PHOTO", "本人承诺补交")
    assert ws.app.calendar.working_days_between(case_repo.local_day(ws.app.clock()), owed.owed_by) == 10
    reasons = ws.intake.missing_for_submit(ws.clerk, case_id)
    assert any("本人社会保障卡或银行卡" in r for r in reasons)
    assert not any("免冠照片" in r for r in reasons)


def test_a_case_that_left_the_draft_state_is_not_changed_by_intake(ws):
    case_id = retiree_case(ws)
    with ws.app.db.unit_of_work() as uow:
        uow.session.get(Case, case_id).state = "submitted"
    with pytest.raises(CaseNotEditable) as err:
        ws.intake.pull(ws.clerk, case_id)
    assert "已提交" in err.value.message_zh
    with pytest.raises(CaseNotEditable):
        ws.intake.save_form(ws.clerk, case_id, {"app.retirement_type": "normal"})
    # the citizen comes back: the card opens the submitted case, not a new draft
    assert ws.intake.open_case_for_document(ws.clerk, demo_card("retiree_m")).id == case_id
