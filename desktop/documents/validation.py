"""Checks every printed document shares: a real case number, and never a full ID number."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from desktop.documents.case_number import parse_case_number
from desktop.documents.errors import DocumentDataError

# 17 digits and a check character, not part of a longer run (a 19-digit bank card is not an ID).
_FULL_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
# A mainland mobile number in full: printed documents carry the masked form only.
_FULL_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def require_printable(data: Any, document_zh: str, *, case_no: str, person_name: str, person_id_masked: str,
                      hall_name: str, clerk_name: str, person_zh: str = "申请人") -> None:
    """What every document needs: its case, a named person with a masked ID, hall and clerk."""
    require_case_number(case_no, document_zh)
    refuse_full_id_numbers(data, document_zh)
    require_text(person_name, "person name", f"{person_zh}姓名", document_zh)
    require_masked_id(person_id_masked, "person ID", document_zh)
    require_text(hall_name, "hall_name", "大厅名称", document_zh)
    require_text(clerk_name, "clerk_name", "经办人", document_zh)


def require_case_number(case_no: str, document_zh: str) -> None:
    if not case_no.strip():
        raise DocumentDataError("case number is empty", f"{document_zh}缺少受理编号，不能打印。")
    if parse_case_number(case_no) is None or case_no != case_no.strip().upper():
        raise DocumentDataError(
            "case number is not in the form YC<hall 6>-<YYYYMMDD>-<seq 4>",
            f"{document_zh}的受理编号格式不正确，不能打印。",
        )


def require_masked_id(value: str, field: str, document_zh: str) -> None:
    """A masked ID keeps some characters hidden; an empty one means the caller forgot it."""
    if "*" not in value:
        raise DocumentDataError(
            f"{field} must be the masked ID number (with '*'), got {len(value)} characters",
            f"{document_zh}中的证件号码必须脱敏显示，不能打印。",
        )


def require_masked_phone(value: str, field: str, document_zh: str) -> None:
    if _FULL_MOBILE_RE.search(value):
        raise DocumentDataError(
            f"{field} holds a full mobile number; pass the masked form (138****5678)",
            f"{document_zh}中的手机号码必须脱敏显示，不能打印。",
        )


def require_text(value: str, field: str, label_zh: str, document_zh: str) -> None:
    if not value.strip():
        raise DocumentDataError(f"{field} is empty", f"{document_zh}缺少{label_zh}，不能打印。")


def refuse_full_id_numbers(data: Any, document_zh: str) -> None:
    """Refuse the data if any text anywhere in it holds a full 18-character ID number.

    The error names the field, never the value, so the log does not leak the number either.
    """
    for path, text in _texts(data, type(data).__name__):
        if _FULL_ID_RE.search(text):
            raise DocumentDataError(
                f"{path} contains a full 18-character ID number; documents print masked IDs only",
                f"{document_zh}中含有完整的身份证号码，已拒绝打印。请使用脱敏号码（如 330106********131X）。",
            )


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key, f"{path}<key>")
            yield from _texts(item, f"{path}[{key!r}]")
