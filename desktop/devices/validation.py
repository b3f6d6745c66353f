"""Checks every document gets, whoever read it: the number by GB 11643, the number against the
card's own fields, the dates, and the validity period. Problems are flagged, never hidden; the
clerk decides what to do with an expired card."""

from __future__ import annotations

import re
from datetime import date

from desktop.devices.document import GENDER_NAMES, CardType, DocumentProblem, IdentityDocument
from desktop.devices.nations import NATIONS
from desktop.identity import IdKind, IdNumberError, parse_id_number

# The 2017 foreigner card carries a 15-character number: ISO alpha-3 nationality + 12 digits.
# GB 11643 does not apply to it; only the 2023 card (18 digits starting with 9) follows it.
OLD_FOREIGNER_NUMBER = re.compile(r"^[A-Z]{3}[0-9]{12}$")
_ALPHA3 = re.compile(r"^[A-Z]{3}$")

_KINDS_FOR_CARD = {
    CardType.RESIDENT: {IdKind.RESIDENT},
    CardType.HK_MO_TW_PERMIT: {IdKind.HK, IdKind.MACAU, IdKind.TAIWAN},
    CardType.FOREIGNER_PERMANENT: {IdKind.FOREIGNER},
}


def validate_document(doc: IdentityDocument, today: date) -> tuple[DocumentProblem, ...]:
    problems: list[DocumentProblem] = []
    problems += _check_names(doc)
    problems += _check_number(doc, today)
    problems += _check_codes(doc)
    problems += _check_dates(doc, today)
    return tuple(problems)


def _check_names(doc: IdentityDocument) -> list[DocumentProblem]:
    if doc.name.strip() or doc.english_name.strip():
        return []
    return [DocumentProblem("name_missing", "name", "证件上没有姓名")]


def _check_number(doc: IdentityDocument, today: date) -> list[DocumentProblem]:
    number = doc.id_number.strip().upper()
    if doc.card_type is CardType.FOREIGNER_PERMANENT and OLD_FOREIGNER_NUMBER.match(number):
        if doc.nationality and number[:3] != doc.nationality:
            return [DocumentProblem("number_nationality_mismatch", "id_number",
                                    f"证件号码的国籍代码“{number[:3]}”与卡面国籍“{doc.nationality}”不一致")]
        return []
    try:
        info = parse_id_number(number, today=today)
    except IdNumberError as exc:
        return [DocumentProblem("invalid_id_number", "id_number", f"证件号码无效：{exc.message_zh}")]
    problems: list[DocumentProblem] = []
    if info.kind not in _KINDS_FOR_CARD[doc.card_type]:
        problems.append(DocumentProblem("number_card_type_mismatch", "id_number",
                                        f"证件号码不是{doc.card_type.label_zh}的号码格式"))
    if info.birth_date != doc.birth_date:
        problems.append(DocumentProblem(
            "birth_date_mismatch", "birth_date",
            f"号码中的出生日期（{info.birth_date.isoformat()}）与卡面出生日期（{doc.birth_date.isoformat()}）不一致"))
    if doc.gender in ("1", "2") and info.gender != doc.gender:
        problems.append(DocumentProblem(
            "gender_mismatch", "gender",
            f"号码中的性别（{GENDER_NAMES[info.gender]}）与卡面性别（{GENDER_NAMES[doc.gender]}）不一致"))
    return problems


def _check_codes(doc: IdentityDocument) -> list[DocumentProblem]:
    problems: list[DocumentProblem] = []
    if doc.gender not in GENDER_NAMES:
        problems.append(DocumentProblem("invalid_gender", "gender", f"性别代码“{doc.gender}”无效"))
    if doc.card_type is CardType.RESIDENT and doc.nation not in NATIONS:
        problems.append(DocumentProblem("invalid_nation", "nation",
                                        f"民族代码“{doc.nation}”不在 GB 3304 代码表中"))
    if not _ALPHA3.match(doc.nationality):
        problems.append(DocumentProblem("invalid_nationality", "nationality",
                                        f"国籍代码“{doc.nationality}”不是三位字母代码"))
    return problems


def _check_dates(doc: IdentityDocument, today: date) -> list[DocumentProblem]:
    problems: list[DocumentProblem] = []
    if doc.birth_date > today:
        problems.append(DocumentProblem("birth_in_future", "birth_date",
                                        f"出生日期 {doc.birth_date.isoformat()} 晚于今天"))
    if doc.valid_from < doc.birth_date:
        problems.append(DocumentProblem("valid_from_before_birth", "valid_from", "有效期起始日期早于出生日期"))
    if doc.valid_to is None:
        if doc.card_type is not CardType.RESIDENT:
            problems.append(DocumentProblem("long_term_not_allowed", "valid_to",
                                            f"{doc.card_type.label_zh}不应为长期有效"))
    elif doc.valid_to < doc.valid_from:
        problems.append(DocumentProblem("validity_inverted", "valid_to", "有效期截止日期早于起始日期"))
    elif doc.valid_to < today:
        problems.append(DocumentProblem("expired", "valid_to",
                                        f"证件已过有效期（有效期至 {doc.valid_to.isoformat()}）"))
    if doc.valid_from > today:
        problems.append(DocumentProblem("not_yet_valid", "valid_from",
                                        f"证件尚未生效（自 {doc.valid_from.isoformat()} 起有效）"))
    return problems
