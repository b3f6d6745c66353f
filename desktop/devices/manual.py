"""Manual entry: the same IdentityDocument from fields the clerk typed, with the same checks.

Input that cannot make a document (a number failing GB 11643, a date that does not exist, a
missing name) is refused with one Chinese message per field; facts that are merely suspicious
(an expired card, a birth date disagreeing with the number) become the document's problems,
exactly as for a card that was read.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from desktop.devices.base import CardReader
from desktop.devices.document import LONG_TERM_ZH, CardType, IdentityDocument
from desktop.devices.errors import ReaderError, ReaderNotOpenError
from desktop.devices.nations import nation_code, nation_name
from desktop.devices.validation import OLD_FOREIGNER_NUMBER, validate_document
from desktop.identity import IdNumberError, parse_id_number

_DATE = re.compile(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*[-./月]?\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_GENDERS = {"1": "1", "2": "2", "0": "0", "9": "9", "男": "1", "女": "2", "M": "1", "F": "2",
            "未知": "0", "未说明": "9"}
_CARD_TYPES = {"": CardType.RESIDENT, "resident": CardType.RESIDENT, "居民身份证": CardType.RESIDENT,
               "J": CardType.HK_MO_TW_PERMIT, "港澳台居民居住证": CardType.HK_MO_TW_PERMIT,
               "I": CardType.FOREIGNER_PERMANENT, "外国人永久居留身份证": CardType.FOREIGNER_PERMANENT}
MANUAL_SAM_ID = ""


class ManualEntryError(ReaderError):
    """Typed fields that cannot form a document. ``field_errors``: field name -> Chinese message."""

    def __init__(self, field_errors: Mapping[str, str]) -> None:
        self.field_errors = dict(field_errors)
        summary = "；".join(self.field_errors.values())
        super().__init__("manual_invalid", f"手工录入的证件信息有误：{summary}",
                         f"invalid manual entry fields: {sorted(self.field_errors)}")


def document_from_manual(fields: Mapping[str, str], today: date) -> IdentityDocument:
    """Build and validate a document from typed fields (keys: IdentityDocument attribute names)."""
    errors: dict[str, str] = {}

    def text(key: str) -> str:
        return str(fields.get(key, "") or "").strip()

    card_type = _CARD_TYPES.get(text("card_type"))
    if card_type is None:
        errors["card_type"] = f"证件类型“{text('card_type')}”无效"
        card_type = CardType.RESIDENT
    foreigner = card_type is CardType.FOREIGNER_PERMANENT

    number = re.sub(r"\s+", "", text("id_number")).upper()
    derived_birth: date | None = None
    derived_gender = ""
    if not number:
        errors["id_number"] = "证件号码不能为空"
    elif not (foreigner and OLD_FOREIGNER_NUMBER.match(number)):
        try:
            info = parse_id_number(number, today=today)
        except IdNumberError as exc:
            errors["id_number"] = exc.message_zh
        else:
            number, derived_birth, derived_gender = info.number, info.birth_date, info.gender

    name, english_name = text("name"), text("english_name")
    if not name and not (foreigner and english_name):
        errors["name"] = "姓名不能为空"

    gender = derived_gender
    if text("gender"):
        gender = _GENDERS.get(text("gender").upper(), "")
        if not gender:
            errors["gender"] = f"性别“{text('gender')}”无效（应为 男/女 或 1/2）"
    elif not derived_gender and "id_number" not in errors:  # a bad number already says why
        errors["gender"] = "性别不能为空"

    birth = _date_field(text("birth_date"), "出生日期", errors, "birth_date") if text("birth_date") else derived_birth
    if birth is None and "birth_date" not in errors and "id_number" not in errors:
        errors["birth_date"] = "出生日期不能为空"

    nation = ""
    if card_type is CardType.RESIDENT:
        code = nation_code(text("nation")) if text("nation") else None
        if code is None:
            errors["nation"] = f"民族“{text('nation')}”无效" if text("nation") else "民族不能为空"
        nation = code or ""

    if not foreigner:
        for key, label in (("address", "住址"), ("issuing_authority", "签发机关")):
            if not text(key):
                errors[key] = f"{label}不能为空"
    nationality = "CHN"
    if foreigner:
        nationality = text("nationality").upper()
        if not re.fullmatch(r"[A-Z]{3}", nationality):
            errors["nationality"] = "国籍应为三位字母代码（如 USA）"
        if not text("issuing_authority"):
            errors["issuing_authority"] = "签发机关代码不能为空"
    if card_type is CardType.HK_MO_TW_PERMIT and not text("permit_number"):
        errors["permit_number"] = "通行证号码不能为空"
    if text("issue_count") and not text("issue_count").isdigit():
        errors["issue_count"] = "签发次数应为数字"

    valid_from = _date_field(text("valid_from"), "有效期起始日期", errors, "valid_from")
    valid_to: date | None = None
    if text("valid_to") != LONG_TERM_ZH:
        valid_to = _date_field(text("valid_to"), "有效期截止日期", errors, "valid_to")

    if errors:
        raise ManualEntryError(errors)
    assert birth is not None and valid_from is not None  # guaranteed by the checks above
    doc = IdentityDocument(
        card_type=card_type, name=name, english_name=english_name, gender=gender, nation=nation,
        nation_name=nation_name(nation) if nation else "", birth_date=birth,
        address="" if foreigner else text("address"), id_number=number, nationality=nationality,
        issuing_authority=text("issuing_authority"), valid_from=valid_from, valid_to=valid_to,
        permit_number=text("permit_number"), issue_count=text("issue_count"), sam_id=MANUAL_SAM_ID,
        source="manual")
    return replace(doc, problems=validate_document(doc, today))


def _date_field(value: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not value:
        errors[key] = f"{label}不能为空"
        return None
    match = _COMPACT_DATE.match(value) or _DATE.match(value)
    if match is None:
        errors[key] = f"{label}格式不正确（应为 YYYY-MM-DD）"
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        errors[key] = f"{label}不存在（{year}年{month}月{day}日）"
        return None


class ManualEntryReader(CardReader):
    """A reader fed by the manual-entry form: ``submit`` validates and queues, ``wait_for_card``
    hands the queued documents out like cards presented to a reader."""

    def __init__(self, *, today: Callable[[], date] = date.today) -> None:
        self._today = today
        self._queue: queue.Queue[IdentityDocument | None] = queue.Queue()
        self._opened = False

    def open(self) -> None:
        self._opened = True

    def close(self) -> None:
        self._opened = False

    def sam_id(self) -> str:
        return MANUAL_SAM_ID

    def describe(self) -> str:
        return "manual"

    def submit(self, fields: Mapping[str, str]) -> IdentityDocument:
        """Validate typed fields; raises ManualEntryError, or queues and returns the document."""
        doc = document_from_manual(fields, self._today())
        self._queue.put(doc)
        return doc

    def interrupt(self) -> None:
        self._queue.put(None)

    def wait_for_card(self, timeout: float) -> IdentityDocument | None:
        if not self._opened:
            raise ReaderNotOpenError("not_open", "读卡器未打开", "manual entry reader is not open")
        try:
            return self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

