"""GB 11643 identity numbers: what the clerk sees when a number is typed or read from a card."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.identity import (
    IdKind,
    IdNumberError,
    check_character,
    convert_15_to_18,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2026, 3, 1)
RETIREE = "330106196603151316"  # synthetic demo citizen: born 1966 in 西湖区, created 1983


def rejection(text: str) -> IdNumberError:
    with pytest.raises(IdNumberError) as info:
        parse_id_number(text, today=TODAY)
    return info.value


def test_valid_number_gives_birth_date_gender_and_region() -> None:
    info = parse_id_number(RETIREE, today=TODAY)
    assert info.kind is IdKind.RESIDENT
    assert info.birth_date == date(1966, 3, 15)
    assert info.gender == "1"
    assert info.region_code == "330106"
    # 西湖区 was created in 1983, after this birth year: still a genuine number.
    assert info.region_name == "浙江省杭州市西湖区"
    assert info.masked == "330106********1316"


def test_even_sequence_is_female_and_municipality_has_no_prefecture() -> None:
    female = parse_id_number("330102197106082427", today=TODAY)
    assert female.gender == "2"
    assert female.region_name == "浙江省杭州市上城区"
    assert parse_id_number("110105196609015174", today=TODAY).region_name == "北京市朝阳区"


def test_spaces_and_lower_case_x_are_accepted() -> None:
    number = make_id_number("110101", date(1980, 1, 1), 3)
    while not number.endswith("X"):  # find a sequence whose check character is X
        number = make_id_number("110101", date(1980, 1, 1), int(number[14:17]) + 1)
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    assert parse_id_number(spaced, today=TODAY).number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in RETIREE)  # typed with a Chinese input method
    assert parse_id_number(full_width, today=TODAY).number == RETIREE


def test_wrong_check_character_says_what_it_should_be() -> None:
    error = rejection(RETIREE[:17] + "3")
    assert error.code == "checksum"
    assert error.message_zh == "校验码错误：应为 6，实为 3"
    assert RETIREE not in str(error)


def test_check_character_follows_the_weights() -> None:
    digits = "11010519491231002"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    expected = "10X98765432"[sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11]
    assert check_character(digits) == expected == "X"


@pytest.mark.parametrize(("text", "code"), [
    ("33010619660315131", "length"),
    ("3301061966031513166", "length"),
    ("", "length"),
    ("33010619660315A316", "charset"),
    ("33010619660315131Y", "charset"),
])
def test_malformed_numbers_are_rejected_with_a_reason(text: str, code: str) -> None:
    error = rejection(text)
    assert error.code == code
    assert error.message_zh


def test_feb_29_exists_only_in_leap_years() -> None:
    assert parse_id_number(make_id_number("330106", date(1988, 2, 29), 11), today=TODAY).birth_date \
        == date(1988, 2, 29)
    first17 = "330106" + "19890229" + "011"
    error = rejection(first17 + check_character(first17))
    assert error.code == "date"
    assert "1989年2月29日不存在" in error.message_zh


def test_birth_date_after_today_is_rejected() -> None:
    error = rejection(make_id_number("330106", date(2026, 3, 2), 11))
    assert error.code == "future_date"
    assert parse_id_number(make_id_number("330106", date(2026, 3, 1), 11), today=TODAY)


def test_unknown_region_is_rejected() -> None:
    error = rejection(make_id_number("339999", date(1980, 5, 5), 11))
    assert error.code == "region"
    assert "339999" in error.message_zh


def test_region_abolished_long_ago_is_still_accepted() -> None:
    # 110103 崇文区 existed until 2010; people registered there keep their number.
    info = parse_id_number(make_id_number("110103", date(1960, 1, 1), 11), today=TODAY)
    assert info.region_name == "北京市崇文区"


def test_15_digit_numbers_convert_to_18() -> None:
    assert convert_15_to_18("330106660315131") == "330106196603151316"
    info = parse_id_number("330106660315131", today=TODAY)
    assert info.number == RETIREE
    assert info.gender == "1"
    with pytest.raises(IdNumberError):
        convert_15_to_18("33010666031513")


@pytest.mark.parametrize(("region", "kind", "name"), [
    ("810000", IdKind.HK, "香港特别行政区"),
    ("820000", IdKind.MACAU, "澳门特别行政区"),
    ("830000", IdKind.TAIWAN, "台湾地区"),
])
def test_residence_permits_of_hk_macau_taiwan(region: str, kind: IdKind, name: str) -> None:
    info = parse_id_number(make_id_number(region, date(1990, 7, 1), 124), today=TODAY)
    assert info.kind is kind
    assert info.region_name == name
    assert info.gender == "2"


def test_2023_foreigner_card() -> None:
    # 9, accepting province 33 (浙江), nationality 840, birth date, sequence, check character.
    number = make_id_number("933840", date(1985, 4, 12), 7)
    info = parse_id_number(number, today=TODAY)
    assert info.kind is IdKind.FOREIGNER
    assert info.region_code == "330000"
    assert info.region_name == "840"
    assert info.birth_date == date(1985, 4, 12)
    assert not is_valid_id_number(make_id_number("999840", date(1985, 4, 12), 7))  # province 99
    assert not is_valid_id_number(number[:17] + ("0" if number[17] != "0" else "1"))


@pytest.mark.parametrize(("number", "masked"), [
    ("330106196603151316", "330106********1316"),
    ("33010619660315131x", "330106********131X"),
    ("330106660315131", "330106*****5131"),
    ("1234567", "*****67"),
    ("12", "**"),
    ("", ""),
])
def test_mask_keeps_only_first_six_and_last_four(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


regions = st.sampled_from(["110101", "330106", "440305", "510104", "650102", "810000", "830000"])
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, sequence=st.integers(0, 999))
def test_generated_numbers_always_validate(region: str, birth: date, sequence: int) -> None:
    number = make_id_number(region, birth, sequence)
    info = parse_id_number(number, today=TODAY)
    assert (info.number, info.birth_date, info.region_code) == (number, birth, region)
    assert info.gender == ("1" if sequence % 2 else "2")


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, sequence=st.integers(0, 999),
       position=st.integers(0, 17), delta=st.integers(1, 10))
def test_any_single_character_change_is_rejected(region: str, birth: date, sequence: int,
                                                 position: int, delta: int) -> None:
    number = make_id_number(region, birth, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    replacement = alphabet[(current + delta) % len(alphabet)]
    if replacement == number[position]:  # delta 10 on a digit position wraps around to itself
        replacement = alphabet[(current + 1) % len(alphabet)]
    changed = number[:position] + replacement + number[position + 1:]
    assert not is_valid_id_number(changed)
