"""The 256-byte text block, built by hand from the offsets table of PROTOCOLS.md §1."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.devices.document import CardType
from desktop.devices.errors import CardDataError
from desktop.devices.from_card import document_from_card_text
from desktop.devices.sam.text import CardText, decode_text_block, encode_text_block
from desktop.identity import make_id_number

TODAY = date(2026, 6, 1)


def block(fields: dict[int, tuple[str, int]], type_char: str) -> bytes:
    """A space-padded block with each text written at (offset -> (text, byte size))."""
    data = bytearray(" ".encode("utf-16-le") * 128)
    for offset, (text, size) in fields.items():
        encoded = text.encode("utf-16-le")
        assert len(encoded) <= size
        data[offset:offset + len(encoded)] = encoded
    data[248:250] = type_char.encode("utf-16-le")
    return bytes(data)


RESIDENT_NUMBER = make_id_number("330106", date(1970, 1, 2), 123)  # 123: odd, male


def resident_block(valid_to: str = "长期") -> bytes:
    return block({0: ("测试甲", 30), 30: ("1", 2), 32: ("01", 4), 36: ("19700102", 16),
                  52: ("浙江省杭州市西湖区测试路1号", 70), 122: (RESIDENT_NUMBER, 36),
                  158: ("杭州市公安局西湖分局", 30), 188: ("20160301", 16), 204: (valid_to, 16)}, " ")


def test_resident_card() -> None:
    text = decode_text_block(resident_block())
    assert text.card_type is CardType.RESIDENT
    assert (text.name, text.gender, text.nation, text.birth_date) == ("测试甲", "1", "01", "19700102")
    assert text.address == "浙江省杭州市西湖区测试路1号"
    assert text.id_number == RESIDENT_NUMBER
    assert (text.issuing_authority, text.valid_from, text.valid_to) == ("杭州市公安局西湖分局", "20160301", "长期")

    doc = document_from_card_text(text, sam_id="S", source="sam", today=TODAY)
    assert doc.valid_to is None and doc.validity_text == "2016.03.01-长期"
    assert doc.nation_name == "汉族" and doc.nationality == "CHN"
    assert doc.birth_date == date(1970, 1, 2)
    assert doc.photo_decoded is False and doc.photo_note == "照片未解码（需厂商解码库）"
    assert doc.problems == ()


def test_hk_macau_taiwan_residence_permit() -> None:
    number = make_id_number("810000", date(1985, 7, 9), 222)
    raw = block({0: ("测试乙", 30), 30: ("2", 2), 36: ("19850709", 16), 52: ("广东省深圳市福田区测试路2号", 70),
                 122: (number, 36), 158: ("深圳市公安局", 30), 188: ("20220101", 16), 204: ("20270101", 16),
                 220: ("H12345678", 18), 238: ("02", 4)}, "J")
    text = decode_text_block(raw)
    assert text.card_type is CardType.HK_MO_TW_PERMIT
    assert (text.permit_number, text.issue_count, text.nation) == ("H12345678", "02", "")
    doc = document_from_card_text(text, sam_id="S", source="sam", today=TODAY)
    assert doc.card_type.label_zh == "港澳台居民居住证"
    assert doc.valid_to == date(2027, 1, 1) and doc.nationality == "CHN"
    assert doc.problems == ()


def test_foreigner_permanent_residence_card() -> None:
    raw = block({0: ("TESTER, ALICE MARY", 120), 120: ("2", 2), 122: ("USA330075091501", 30), 152: ("USA", 6),
                 158: ("爱丽丝", 30), 188: ("20200315", 16), 204: ("20300315", 16), 220: ("19750910", 16),
                 236: ("02", 4), 240: ("1500", 8)}, "I")
    text = decode_text_block(raw)
    assert text.card_type is CardType.FOREIGNER_PERMANENT
    assert (text.english_name, text.name, text.nationality) == ("TESTER, ALICE MARY", "爱丽丝", "USA")
    assert (text.id_number, text.birth_date, text.card_version, text.authority_code) == (
        "USA330075091501", "19750910", "02", "1500")
    doc = document_from_card_text(text, sam_id="S", source="sam", today=TODAY)
    assert doc.nationality == "USA" and doc.gender == "2" and doc.nation == ""
    assert doc.issuing_authority == "1500"
    assert doc.masked_id == "USA330*****1501"
    assert doc.problems == ()


@pytest.mark.parametrize("text", [
    CardText(CardType.RESIDENT, name="甲", gender="1", nation="03", birth_date="19700102", address="地址",
             id_number=RESIDENT_NUMBER, issuing_authority="机关", valid_from="20100101", valid_to="20300101"),
    CardText(CardType.HK_MO_TW_PERMIT, name="乙", gender="2", birth_date="19850709", address="地址",
             id_number="810000198507092220", issuing_authority="机关", valid_from="20220101",
             valid_to="20270101", permit_number="H12345678", issue_count="01"),
    CardText(CardType.FOREIGNER_PERMANENT, english_name="X" * 60, gender="1", id_number="CAN000000000000",
             nationality="CAN", name="丙", valid_from="20200101", valid_to="20300101", birth_date="19800101",
             card_version="02", authority_code="1500"),
])
def test_encode_then_decode_gives_the_same_fields(text: CardText) -> None:
    assert decode_text_block(encode_text_block(text)) == text


def test_a_field_too_long_for_the_card_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        encode_text_block(CardText(CardType.RESIDENT, name="名" * 16))


def test_unknown_card_type_is_a_precise_error() -> None:
    raw = bytearray(resident_block())
    raw[248:250] = "Y".encode("utf-16-le")
    with pytest.raises(CardDataError) as info:
        decode_text_block(bytes(raw))
    assert info.value.code == "unknown_card_type"
    assert "0x0059" in info.value.detail and "证件类型" in info.value.message_zh


def test_invalid_ucs2_names_the_field_and_byte() -> None:
    raw = bytearray(resident_block())
    raw[60:62] = b"\x00\xd8"  # a lone surrogate inside the address
    with pytest.raises(CardDataError) as info:
        decode_text_block(bytes(raw))
    assert info.value.code == "invalid_text"
    assert info.value.detail == "field address (offset 52): invalid UCS-2 code unit 0xD800 at byte 60"


def test_wrong_block_length() -> None:
    with pytest.raises(CardDataError) as info:
        decode_text_block(resident_block()[:255])
    assert info.value.code == "bad_text_length"


@pytest.mark.parametrize(("valid_to", "detail"), [("20230230", "valid_to: month or day out of range"),
                                                  ("2023-01-", "valid_to: 8 characters, expected 8 digits YYYYMMDD"),
                                                  ("", "valid_to: 0 characters, expected 8 digits YYYYMMDD")])
def test_dates_must_be_real_dates(valid_to: str, detail: str) -> None:
    text = decode_text_block(resident_block(valid_to))
    with pytest.raises(CardDataError) as info:
        document_from_card_text(text, sam_id="", source="sam", today=TODAY)
    assert info.value.code == "bad_date" and info.value.detail == detail
    assert "有效期截止日期" in info.value.message_zh


@settings(max_examples=3000, deadline=None)
@given(st.binary(min_size=256, max_size=256), st.sampled_from([" ", "I", "J"]))
def test_fuzz_text_blocks_raise_only_card_data_errors(data: bytes, type_char: str) -> None:
    raw = bytearray(data)
    raw[248:250] = type_char.encode("utf-16-le")
    for candidate in (bytes(raw), data):
        try:
            text = decode_text_block(candidate)
            document_from_card_text(text, sam_id="", source="sam", today=TODAY)
        except CardDataError as exc:
            assert exc.code and exc.message_zh and exc.detail


card_chars = st.characters(min_codepoint=0x20, max_codepoint=0xFFFD, blacklist_categories=("Cs", "Cc"))


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(list(CardType)), st.data())
def test_fuzz_well_encoded_cards_with_arbitrary_field_text(card_type: CardType, data: st.DataObject) -> None:
    from desktop.devices.sam.text import LAYOUTS

    values = {name: data.draw(st.text(card_chars, max_size=size // 2), label=name).rstrip(" ")
              for name, (_, size) in LAYOUTS[card_type].items()}
    text = CardText(card_type, **values)
    assert decode_text_block(encode_text_block(text)) == text
    try:
        doc = document_from_card_text(text, sam_id="", source="sam", today=TODAY)
    except CardDataError as exc:
        assert exc.code == "bad_date"
    else:
        assert all(p.code and p.message_zh for p in doc.problems)
