"""What printed documents say, and what they refuse to print (no Qt)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from desktop.documents.case_number import CASE_NUMBER_RE, CaseNumberParts, format_case_number, parse_case_number
from desktop.documents.consent import ConsentScope, consent_document
from desktop.documents.errors import DocumentDataError
from desktop.documents.layout import Paragraph, SignatureLine, Table
from desktop.documents.notice import notice_document
from desktop.documents.receipt import Delivery, ReceiptItem, ToleratedMaterial, receipt_document
from desktop.documents.samples import SAMPLE_CASE_NO, sample_consent, sample_notice, sample_receipt

FULL_ID = "330106196603151316"  # demo citizen retiree_m, synthetic


def _texts(document) -> str:
    parts: list[str] = [document.title, document.issuer, document.reference]
    for block in document.blocks:
        if isinstance(block, Table):
            parts += [block.title, *block.headers, *(cell for row in block.rows for cell in row)]
        elif isinstance(block, Paragraph):
            parts += [block.heading, block.text]
        elif isinstance(block, SignatureLine):
            parts += list(block.labels)
        else:
            parts += [text for pair in block.pairs for text in pair]
    return "\n".join(parts)


# --- case numbers -------------------------------------------------------------------------

def test_case_number_reads_hall_day_and_sequence():
    assert format_case_number("330106", date(2026, 11, 24), 7) == "YC330106-20261124-0007"


def test_case_number_round_trips_through_parse():
    text = format_case_number("330106", date(2026, 1, 2), 9999)
    assert CASE_NUMBER_RE.fullmatch(text)
    assert parse_case_number(text) == CaseNumberParts("330106", date(2026, 1, 2), 9999)
    assert str(parse_case_number(text)) == text


def test_parse_forgives_case_and_spaces_of_a_scan():
    assert str(parse_case_number("  yc330106-20261124-0007\n")) == SAMPLE_CASE_NO


@pytest.mark.parametrize("text", [
    "", "YC330106-20261124-007", "YC330106-20261332-0007", "YC330106-20261124-0000",
    "XX330106-20261124-0007", "YC330106-20261124-0007X", "YC33O106-20261124-0007", FULL_ID,
])
def test_parse_refuses_what_is_not_a_case_number(text):
    assert parse_case_number(text) is None


@pytest.mark.parametrize("hall, sequence", [("33010", 1), ("33010A", 1), ("３３０１０６", 1),
                                            ("330106", 0), ("330106", 10000)])
def test_format_refuses_bad_parts_with_a_chinese_message(hall, sequence):
    with pytest.raises(DocumentDataError) as caught:
        format_case_number(hall, date(2026, 11, 24), sequence)
    assert caught.value.message_zh


# --- the receipt ----------------------------------------------------------------------------

def test_sample_receipt_is_printable():
    sample_receipt().validate()


def test_receipt_refuses_an_empty_case_number():
    with pytest.raises(DocumentDataError) as caught:
        dataclasses.replace(sample_receipt(), case_no="  ").validate()
    assert "受理编号" in caught.value.message_zh


def test_receipt_refuses_a_malformed_case_number():
    with pytest.raises(DocumentDataError):
        dataclasses.replace(sample_receipt(), case_no="CASE-7").validate()


@pytest.mark.parametrize("change", [
    {"applicant_id_masked": FULL_ID},
    {"applicant_id_masked": FULL_ID[:17] + "x"},
    {"notes": ("身份证号 " + FULL_ID + " 已核验",)},
    {"materials_received": ("居民身份证" + FULL_ID + "复印件",)},
    {"materials_tolerated": (ToleratedMaterial("档案", date(2026, 12, 4), f"本人{FULL_ID}承诺补交"),)},
    {"delivery": Delivery("courier", f"文三路100号（{FULL_ID}）", "138****5678")},
    {"items": (ReceiptItem(FULL_ID, "退休申请", "社保", 15),)},
])
def test_receipt_refuses_a_full_id_number_anywhere_and_does_not_repeat_it(change):
    with pytest.raises(DocumentDataError) as caught:
        dataclasses.replace(sample_receipt(), **change).validate()
    assert "身份证号码" in caught.value.message_zh
    assert FULL_ID[6:14] not in str(caught.value) + caught.value.message_zh


def test_receipt_builder_validates_before_laying_anything_out():
    with pytest.raises(DocumentDataError):
        receipt_document(dataclasses.replace(sample_receipt(), applicant_id_masked=FULL_ID))


def test_receipt_refuses_an_unmasked_id_field_even_when_short():
    with pytest.raises(DocumentDataError) as caught:
        dataclasses.replace(sample_receipt(), applicant_id_masked="").validate()
    assert "脱敏" in caught.value.message_zh


def test_numbers_that_are_not_id_numbers_pass():
    # 19-digit bank card, phone, dates: not an 18-character ID number
    receipt = dataclasses.replace(sample_receipt(), notes=("银行卡 6222021234567890123", "电话 0571-12345678"))
    receipt.validate()


@pytest.mark.parametrize("delivery", [
    Delivery("courier", "", "138****5678"),
    Delivery("courier", "文三路100号", ""),
    Delivery("courier", "文三路100号", "13812345678"),
    Delivery("drone"),  # type: ignore[arg-type]
])
def test_receipt_refuses_incomplete_or_unmasked_delivery(delivery):
    with pytest.raises(DocumentDataError) as caught:
        dataclasses.replace(sample_receipt(), delivery=delivery).validate()
    assert caught.value.message_zh


def test_receipt_refuses_dates_before_acceptance_and_no_items():
    for change in ({"due_date": date(2026, 11, 23)}, {"items": ()},
                   {"materials_tolerated": (ToleratedMaterial("档案", date(2026, 11, 1), "承诺"),)}):
        with pytest.raises(DocumentDataError):
            dataclasses.replace(sample_receipt(), **change).validate()


def test_receipt_says_items_materials_due_date_delivery_and_clerk():
    document = receipt_document(sample_receipt())
    text = _texts(document)
    assert document.title == "受理回执" and document.reference == SAMPLE_CASE_NO
    for expected in ("退休一件事", "职工基本养老保险退休申请", "15个工作日", "即办", "户口簿首页及本人页复印件",
                     "个人人事档案（原件）", "2026年12月4日", "2026年12月15日前", "邮寄送达",
                     "文三路100号2幢301室", "138****5678", "王小明", "综合窗口3号", "330106********1316"):
        assert expected in text
    assert FULL_ID not in text


def test_receipt_without_tolerated_materials_has_no_tolerated_table_and_pickup_names_the_counter():
    receipt = dataclasses.replace(sample_receipt(courier=False), materials_tolerated=())
    document = receipt_document(receipt)
    titles = [block.title for block in document.blocks if isinstance(block, Table)]
    assert titles == ["办理事项", "已收取材料"]
    assert "窗口领取：办结后请凭本回执到杭州市西湖区政务服务中心综合窗口3号领取" in _texts(document)


# --- the one-time notice ----------------------------------------------------------------------

def test_notice_lists_every_owed_material_with_reason_source_and_due_date():
    data = sample_notice(extra_materials=2)
    document = notice_document(data)
    owed_table = next(block for block in document.blocks if isinstance(block, Table))
    assert [row[1] for row in owed_table.rows] == [m.name for m in data.owed]
    assert owed_table.rows[0][2:] == ("档案存放于原单位，未随身携带", "原工作单位人事部门或区人才服务中心", "2026年12月4日")
    text = _texts(document)
    assert "一次性告知书" in text and "优化营商环境条例" in text and "不再要求您补交其他材料" in text


def test_notice_with_nothing_owed_or_a_full_id_is_refused():
    with pytest.raises(DocumentDataError):
        dataclasses.replace(sample_notice(), owed=()).validate()
    with pytest.raises(DocumentDataError):
        dataclasses.replace(sample_notice(), legal_basis=f"依据 {FULL_ID}").validate()
    with pytest.raises(DocumentDataError):
        dataclasses.replace(sample_notice(), case_no="").validate()


# --- the consent form -----------------------------------------------------------------------

def test_consent_lists_fields_per_department_and_asks_for_a_signature():
    document = consent_document(sample_consent(method="signature"))
    scope_table = next(block for block in document.blocks if isinstance(block, Table))
    assert scope_table.rows[1][1:] == ("医疗保障局", "医保人员编号、险种类型、医保参保状态")
    assert isinstance(document.blocks[-1], SignatureLine)
    assert "签字" in _texts(document)


def test_consent_by_face_or_sms_records_the_method_instead_of_a_signature_line():
    for method, label in (("face", "刷脸核验"), ("sms", "短信验证码")):
        document = consent_document(sample_consent(method=method))
        assert not any(isinstance(block, SignatureLine) for block in document.blocks)
        assert f"经{label}确认" in _texts(document)


def test_consent_refuses_empty_scope_unknown_method_and_full_ids():
    for change in ({"scopes": ()}, {"scopes": (ConsentScope("医疗保障局", ()),)}, {"method": "fax"},
                   {"citizen_id_masked": FULL_ID}, {"purpose": f"为 {FULL_ID} 办理"}):
        with pytest.raises(DocumentDataError):
            dataclasses.replace(sample_consent(), **change).validate()
