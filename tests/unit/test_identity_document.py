"""IdentityDocument, its validation, manual entry, the demo reader, discovery and the worker."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from importlib.metadata import EntryPoint

import pytest

from desktop.devices.base import CardReader
from desktop.devices.demo import DemoReader
from desktop.devices.demo_cards import load_demo_cards
from desktop.devices.document import CardType, IdentityDocument
from desktop.devices.errors import ReaderConfigError, ReaderError, ReaderUnavailableError
from desktop.devices.from_card import document_from_card_text
from desktop.devices.manual import ManualEntryError, ManualEntryReader, document_from_manual
from desktop.devices.nations import NATIONS, nation_code
from desktop.devices.registry import create_reader, discover_readers, open_reader
from desktop.devices.sam.driver import SamSerialReader
from desktop.devices.validation import validate_document
from desktop.devices.worker import ReaderWorker
from desktop.identity import make_id_number

TODAY = date(2025, 6, 1)
CARDS = load_demo_cards()


def demo_doc(key: str) -> IdentityDocument:
    return document_from_card_text(CARDS[key], sam_id="S", source="demo", today=TODAY)


def codes(doc: IdentityDocument, today: date = TODAY) -> list[str]:
    return [p.code for p in validate_document(doc, today)]


# -- the document ------------------------------------------------------------------------------
def test_repr_and_str_never_show_the_full_number_or_address() -> None:
    doc = demo_doc("retiree_m")
    for shown in (repr(doc), str(doc), f"{doc}", repr([doc])):
        assert "330106196603151316" not in shown and "文三路" not in shown
        assert "330106********1316" in shown


def test_masked_id_and_labels() -> None:
    doc = demo_doc("retiree_f")
    assert doc.masked_id == "330102********2427"
    assert (doc.gender_name, doc.nation_name, doc.card_type.label_zh) == ("女", "汉族", "居民身份证")


def test_nation_table_is_complete() -> None:
    assert len(NATIONS) == 58 and NATIONS["01"] == "汉族" and NATIONS["56"] == "基诺族"
    assert NATIONS["97"] == "其他" and NATIONS["98"] == "外国血统中国籍人士"
    assert nation_code("回") == "03" and nation_code("3") == "03" and nation_code("火星族") is None


# -- validation --------------------------------------------------------------------------------
def test_seeded_citizens_are_clean_except_the_expired_ones() -> None:
    flagged = {key: [p.code for p in demo_doc(key).problems] for key in CARDS}
    assert flagged["flexjob"] == ["expired"]
    assert all(not v for k, v in flagged.items() if k not in ("flexjob", "hk_permit"))
    assert flagged["hk_permit"] == []  # expires 2026-01-05, after TODAY
    assert codes(demo_doc("hk_permit"), date(2026, 1, 6)) == ["expired"]


def test_expired_card_is_flagged_with_its_end_date() -> None:
    problems = validate_document(demo_doc("flexjob"), TODAY)
    assert [(p.code, p.field) for p in problems] == [("expired", "valid_to")]
    assert problems[0].message_zh == "证件已过有效期（有效期至 2025-02-14）"
    # the last day printed on the card is still valid
    assert codes(demo_doc("flexjob"), date(2025, 2, 14)) == []


def test_number_disagreeing_with_the_card_is_flagged() -> None:
    doc = demo_doc("retiree_m")
    assert codes(replace(doc, birth_date=date(1966, 3, 16))) == ["birth_date_mismatch"]
    assert codes(replace(doc, gender="2")) == ["gender_mismatch"]
    msg = validate_document(replace(doc, gender="2"), TODAY)[0].message_zh
    assert msg == "号码中的性别（男）与卡面性别（女）不一致"


def test_invalid_number_is_flagged_with_the_reason() -> None:
    doc = replace(demo_doc("retiree_m"), id_number="330106196603151317")
    problems = validate_document(doc, TODAY)
    assert [p.code for p in problems] == ["invalid_id_number"]
    assert "校验码错误" in problems[0].message_zh and "330106196603151317" not in problems[0].message_zh


def test_permit_with_a_resident_number_is_flagged() -> None:
    doc = replace(demo_doc("hk_permit"), id_number=make_id_number("330106", date(1980, 5, 12), 613))
    assert codes(doc) == ["number_card_type_mismatch"]


def test_other_date_and_code_problems() -> None:
    doc = demo_doc("retiree_f")
    assert "validity_inverted" in codes(replace(doc, valid_to=date(2010, 1, 1)))
    assert "not_yet_valid" in codes(replace(doc, valid_from=date(2027, 1, 1), valid_to=date(2047, 1, 1)))
    assert "invalid_nation" in codes(replace(doc, nation="77"))
    assert "invalid_gender" in codes(replace(doc, gender="5"))
    assert "long_term_not_allowed" in codes(replace(demo_doc("hk_permit"), valid_to=None))


# -- manual entry ------------------------------------------------------------------------------
GOOD = {"name": "周建国", "id_number": "330106 19660315 131x".replace("x", "6"), "nation": "汉",
        "address": "浙江省杭州市西湖区文三路100号", "issuing_authority": "杭州市公安局西湖分局",
        "valid_from": "2016.03.01", "valid_to": "长期"}


def test_manual_entry_derives_birth_and_gender_from_the_number() -> None:
    doc = document_from_manual(GOOD, TODAY)
    assert doc.id_number == "330106196603151316" and doc.source == "manual"
    assert (doc.birth_date, doc.gender, doc.nation, doc.valid_to) == (date(1966, 3, 15), "1", "01", None)
    assert doc.problems == ()


def test_manual_entry_refuses_bad_fields_one_message_each() -> None:
    bad = {**GOOD, "id_number": "330106196603151317", "name": " ", "valid_from": "2016-02-30",
           "valid_to": "明年", "nation": "火星", "gender": "X"}
    with pytest.raises(ManualEntryError) as info:
        document_from_manual(bad, TODAY)
    errors = info.value.field_errors
    assert set(errors) == {"id_number", "name", "valid_from", "valid_to", "nation", "gender"}
    assert errors["id_number"] == "校验码错误：应为 6，实为 7"
    assert errors["valid_from"] == "有效期起始日期不存在（2016年2月30日）"
    assert errors["valid_to"] == "有效期截止日期格式不正确（应为 YYYY-MM-DD）"
    assert errors["name"] == "姓名不能为空"
    assert "330106196603151317" not in str(info.value) and "330106196603151317" not in info.value.message_zh


def test_manual_entry_flags_what_a_card_read_would_flag() -> None:
    doc = document_from_manual({**GOOD, "birth_date": "1966-03-16", "gender": "女", "valid_to": "2020-01-01",
                                "valid_from": "20100101"}, TODAY)
    assert [p.code for p in doc.problems] == ["birth_date_mismatch", "gender_mismatch", "expired"]


def test_manual_entry_of_a_permit_and_a_foreigner_card() -> None:
    permit = document_from_manual({"card_type": "J", "name": "黄家明", "id_number": "810000198005126137",
                                   "address": "地址", "issuing_authority": "杭州市公安局", "valid_from": "2021-01-05",
                                   "valid_to": "2026-01-05", "permit_number": "H60001234", "issue_count": "01"},
                                  date(2025, 1, 1))
    assert permit.card_type is CardType.HK_MO_TW_PERMIT and permit.problems == ()
    with pytest.raises(ManualEntryError) as info:
        document_from_manual({"card_type": "I", "english_name": "TESTER, BOB", "id_number": "USA330075091501",
                              "gender": "男", "birth_date": "1975-09-10", "nationality": "US",
                              "issuing_authority": "1500", "valid_from": "2020-01-01", "valid_to": "2030-01-01"},
                             TODAY)
    assert info.value.field_errors == {"nationality": "国籍应为三位字母代码（如 USA）"}


def test_manual_reader_hands_out_submitted_documents() -> None:
    reader = ManualEntryReader(today=lambda: TODAY)
    reader.open()
    assert reader.wait_for_card(0.01) is None
    submitted = reader.submit(GOOD)
    assert reader.wait_for_card(0.01) == submitted
    with pytest.raises(ManualEntryError):
        reader.submit({})
    assert reader.wait_for_card(0.01) is None


# -- demo reader -------------------------------------------------------------------------------
def test_demo_reader_presents_the_citizens_in_turn() -> None:
    reader = DemoReader(interval=0.0, today=lambda: TODAY)
    with reader:
        names = [reader.wait_for_card(0.1).name for _ in range(len(CARDS) + 1)]  # type: ignore[union-attr]
    expected = [c.name for c in CARDS.values()]
    assert names == expected + expected[:1]


def test_demo_reader_waits_between_presentations_and_can_be_told_whom_next() -> None:
    reader = DemoReader(interval=60.0, start="unemployed", today=lambda: TODAY)
    reader.open()
    first = reader.wait_for_card(0.1)
    assert first is not None and first.name == "王志强" and first.source == "demo"
    assert reader.wait_for_card(0.05) is None
    reader.present("hk_permit")
    second = reader.wait_for_card(0.1)
    assert second is not None and second.card_type is CardType.HK_MO_TW_PERMIT


# -- discovery ---------------------------------------------------------------------------------
def test_installed_readers_are_discovered() -> None:
    readers = discover_readers()
    assert {"sam", "manual", "demo"} <= set(readers)
    assert readers["sam"].factory is SamSerialReader and readers["demo"].ok


def test_a_broken_reader_plugin_is_reported_not_fatal() -> None:
    eps = [EntryPoint("demo", "desktop.devices.demo:DemoReader", "onewindow.readers"),
           EntryPoint("broken", "no_such_vendor.reader:Reader", "onewindow.readers"),
           EntryPoint("notareader", "desktop.devices.document:IdentityDocument", "onewindow.readers")]
    readers = discover_readers(eps)
    assert readers["demo"].ok
    assert readers["broken"].factory is None and "ModuleNotFoundError" in (readers["broken"].error or "")
    assert "not a CardReader" in (readers["notareader"].error or "")
    with pytest.raises(ReaderUnavailableError) as info:
        create_reader("broken", readers=readers)
    assert "无法加载" in info.value.message_zh


def test_reader_specs() -> None:
    reader = open_reader("demo:retiree_f", {"demo_interval": 0.0})
    try:
        assert reader.wait_for_card(0.1).name == "陈秀英"  # type: ignore[union-attr]
    finally:
        reader.close()
    sam = create_reader("sam:/dev/ttyUSB7", {"poll_interval": 0.05, "demo_interval": 1})
    assert isinstance(sam, SamSerialReader) and sam.describe() == "sam:/dev/ttyUSB7"
    with pytest.raises(ReaderConfigError) as info:
        create_reader("sam")
    assert info.value.message_zh == "未指定读卡器串口（例如 sam:/dev/ttyUSB0）"
    with pytest.raises(ReaderConfigError) as info:
        create_reader("nfc:/dev/x")
    assert info.value.code == "unknown_reader" and "nfc" in info.value.message_zh
    with pytest.raises(ReaderConfigError):
        create_reader("manual:extra")


# -- worker ------------------------------------------------------------------------------------
class FlakyReader(CardReader):
    """Fails in every way a vendor reader might, then yields one document."""

    def __init__(self, doc: IdentityDocument) -> None:
        self.steps: list[object] = [ReaderError("x", "故障", "first"), RuntimeError("vendor bug"), doc]

    def open(self) -> None: ...
    def close(self) -> None: ...
    def sam_id(self) -> str:
        return ""

    def wait_for_card(self, timeout: float) -> IdentityDocument | None:
        if not self.steps:
            threading.Event().wait(min(timeout, 0.01))
            return None
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step  # type: ignore[return-value]


def test_worker_reports_faults_and_documents_and_stops() -> None:
    doc = demo_doc("retiree_m")
    got_doc = threading.Event()
    docs: list[IdentityDocument] = []
    errors: list[ReaderError] = []

    def on_document(d: IdentityDocument) -> None:
        docs.append(d)
        got_doc.set()

    worker = ReaderWorker(FlakyReader(doc), on_document, errors.append, wait_slice=0.01, error_backoff=0.0)
    worker.start()
    assert got_doc.wait(5.0)
    worker.stop()
    assert not worker.running
    assert docs == [doc]
    assert [e.code for e in errors] == ["x", "internal"]
    assert "RuntimeError: vendor bug" in errors[1].detail


def test_worker_stop_interrupts_a_long_wait() -> None:
    reader = ManualEntryReader()
    reader.open()
    worker = ReaderWorker(reader, lambda d: None, lambda e: None, wait_slice=3600.0)
    worker.start()
    worker.stop(timeout=5.0)
    assert not worker.running
