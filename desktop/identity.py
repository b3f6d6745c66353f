"""Citizen identity numbers (GB 11643-1999): validation, derived facts and the display mask.

The check rule and the GB/T 2260 region table come from python-stdnum. One deliberate
difference from `stdnum.cn.ric.validate`: stdnum rejects a region code created after the
birth year (330106 西湖区 exists since 1983, so it rejects someone born there in 1966), but a
number is assigned when the card is first issued, not at birth, so such numbers are genuine.
We therefore only require that the region code exists at all, and show its latest name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum

from stdnum import numdb
from stdnum.cn import ric

# Codes GB/T 2260 does not list under these names (830000 is not listed at all) but the
# residence permits of Hong Kong, Macau and Taiwan residents use (PROTOCOLS.md §2).
_PERMIT_REGIONS = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区"}
# Prefecture-level entries that are placeholders rather than names ("市辖区" of a municipality).
_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖行政单位", "省直辖县级行政单位", "自治区直辖县级行政单位"}
_WHITESPACE = re.compile(r"\s+")
_EARLIEST_BIRTH_YEAR = 1900


class IdNumberError(ValueError):
    """A rejected identity number. `code` is machine-readable, `message_zh` is for the clerk.

    The English text never contains the full number (it may reach a log).
    """

    def __init__(self, code: str, message_zh: str, detail: str) -> None:
        super().__init__(f"invalid id number ({code}): {detail}")
        self.code = code
        self.message_zh = message_zh


class IdKind(str, Enum):
    RESIDENT = "resident"
    HK = "hk"
    MACAU = "macau"
    TAIWAN = "taiwan"
    FOREIGNER = "foreigner"


_PERMIT_KINDS = {"810000": IdKind.HK, "820000": IdKind.MACAU, "830000": IdKind.TAIWAN}


@dataclass(frozen=True)
class IdNumberInfo:
    """What an identity number says about its holder.

    For a 2023 foreigner card `region_code` is the accepting province (digits 2-3 + "0000")
    and `region_name` the three nationality code digits (digits 4-6).
    """

    number: str
    kind: IdKind
    birth_date: date
    gender: str  # "1" male, "2" female: the codes of person.gender in fields.toml
    region_code: str
    region_name: str

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters of a 15/18-character number; otherwise only the last 2."""
    text = _WHITESPACE.sub("", number).upper()
    if len(text) in (15, 18):
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) <= 2:
        return "*" * len(text)
    return "*" * (len(text) - 2) + text[-2:]


def check_character(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_character needs exactly 17 ASCII digits")
    # stdnum's function takes the whole 18-character number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def convert_15_to_18(text: str) -> str:
    """Convert a first-generation 15-digit number (born 19xx) to its 18-character form."""
    number = _WHITESPACE.sub("", text)
    if len(number) != 15:
        raise IdNumberError("length", f"旧版身份号码应为 15 位，实为 {len(number)} 位",
                            f"15-digit number expected, got {len(number)} characters")
    _require_digits(number, len(number))
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """A number with a valid check character, for synthetic test and demo data only."""
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError("region must be 6 digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be within 0..999")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    if len(first17) != 17:
        raise ValueError("birth year must have 4 digits")
    return first17 + check_character(first17)


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except IdNumberError:
        return False
    return True


def parse_id_number(text: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate `text` fully and return what it says; raise IdNumberError saying why not."""
    # NFKC turns full-width digits and letters typed with a Chinese input method into ASCII.
    number = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not number:
        raise IdNumberError("length", "未填写身份号码", "empty")
    if len(number) == 15:
        number = convert_15_to_18(number)
    if len(number) != 18:
        raise IdNumberError("length", f"身份号码应为 18 位（或旧版 15 位），实为 {len(number)} 位",
                            f"18 characters expected, got {len(number)}")
    _require_digits(number[:17], 18)
    if not (number[17].isascii() and number[17].isdigit()) and number[17] != "X":
        raise IdNumberError("charset", f"第 18 位（校验码）只能是数字或 X，实为“{number[17]}”",
                            "check character is neither a digit nor X")

    birth = _birth_date(number, today or date.today())
    if number[0] == "9":
        kind = IdKind.FOREIGNER
        region_code = number[1:3] + "0000"
        if _region_name(region_code) is None:
            raise IdNumberError("region", f"外国人永久居留身份证号码第 2-3 位“{number[1:3]}”不是有效的省级受理地代码",
                                "unknown accepting province of a foreigner card")
        region_name = number[3:6]
    else:
        region_code = number[:6]
        kind = _PERMIT_KINDS.get(region_code, IdKind.RESIDENT)
        name = _region_name(region_code)
        if name is None:
            raise IdNumberError("region", f"地址码“{region_code}”不是有效的行政区划代码（GB/T 2260）",
                                "unknown region code")
        region_name = name

    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError("checksum", f"校验码错误：应为 {expected}，实为 {number[17]}",
                            f"check character mismatch (expected {expected}, got {number[17]})")
    gender = "1" if int(number[16]) % 2 == 1 else "2"
    return IdNumberInfo(number=number, kind=kind, birth_date=birth, gender=gender,
                        region_code=region_code, region_name=region_name)


def _require_digits(part: str, total: int) -> None:
    for position, char in enumerate(part, start=1):
        if not (char.isascii() and char.isdigit()):
            raise IdNumberError("charset", f"第 {position} 位“{char}”不是数字（共 {total} 位）",
                                f"non-digit at position {position}")


def _birth_date(number: str, today: date) -> date:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        birth = date(year, month, day)
    except ValueError:
        raise IdNumberError("date", f"出生日期无效：{year}年{month}月{day}日不存在",
                            "birth date does not exist") from None
    if year < _EARLIEST_BIRTH_YEAR:
        raise IdNumberError("date", f"出生日期无效：{year} 年早于 {_EARLIEST_BIRTH_YEAR} 年",
                            "birth year implausibly early")
    if birth > today:
        raise IdNumberError("future_date", f"出生日期 {birth.isoformat()} 晚于今天，号码有误",
                            "birth date in the future")
    return birth


def _region_name(code: str) -> str | None:
    """Full name of a GB/T 2260 code (province + prefecture + county), or None when unknown."""
    if code in _PERMIT_REGIONS:
        return _PERMIT_REGIONS[code]
    county = _latest_name(code)
    if county is None:
        return None
    province = _latest_name(code[:2] + "0000") or ""
    if code[2:] == "0000":
        return county
    prefecture = ""
    if code[4:] != "00":
        candidate = _latest_name(code[:4] + "00") or ""
        if candidate not in _PLACEHOLDER_NAMES and candidate != province:
            prefecture = candidate
    if county in _PLACEHOLDER_NAMES:
        county = ""
    return province + prefecture + county


def _latest_name(code: str) -> str | None:
    """The county-level name stdnum lists for `code`, choosing the most recent period."""
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[-1][1]:
        return None
    best_name, best_end = "", -1
    for entry in parts[-1][1]["county"].split(","):
        end = 10_000  # an open period ("[1983-]" or no bracket) is the latest
        name = entry
        if entry.startswith("["):
            period, name = entry[1:].split("]", 1)
            finish = period.split("-", 1)[1]
            end = int(finish) if finish else 10_000
        if end >= best_end:
            best_name, best_end = name, end
    return best_name
