"""Case numbers: what a receipt's barcode encodes and what the barcode scanner recognises.

Format: ``YC`` + 6-digit hall code (the hall's region code) + ``-`` + acceptance day ``YYYYMMDD``
+ ``-`` + 4-digit daily sequence, e.g. ``YC330106-20261124-0007``. Only ASCII, so Code128 carries it
and any keyboard-wedge scanner types it back on any keyboard layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from desktop.documents.errors import DocumentDataError

CASE_NUMBER_PREFIX = "YC"
MAX_DAILY_SEQUENCE = 9999
# Strict and canonical (upper case); `parse_case_number` also forgives case and surrounding spaces.
CASE_NUMBER_RE = re.compile(r"YC(?P<hall>\d{6})-(?P<day>\d{8})-(?P<seq>\d{4})")


@dataclass(frozen=True)
class CaseNumberParts:
    hall_code: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return format_case_number(self.hall_code, self.day, self.sequence)


def format_case_number(hall_code: str, day: date, sequence: int) -> str:
    """The case number of the `sequence`-th case accepted by hall `hall_code` on `day`."""
    if not (len(hall_code) == 6 and hall_code.isascii() and hall_code.isdigit()):
        raise DocumentDataError(
            f"hall code must be 6 ASCII digits, got {len(hall_code)} characters",
            "大厅编码必须是6位数字，请管理员检查设置。",
        )
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise DocumentDataError(
            f"daily case sequence must be 1..{MAX_DAILY_SEQUENCE}, got {sequence}",
            f"当日受理序号超出范围（1–{MAX_DAILY_SEQUENCE}）。",
        )
    return f"{CASE_NUMBER_PREFIX}{hall_code}-{day:%Y%m%d}-{sequence:04d}"


def parse_case_number(text: str) -> CaseNumberParts | None:
    """The parts of a case number, or None when `text` is not one.

    Upper-cases first: a wedge scanner on a workstation with Caps Lock on types the letters inverted.
    """
    match = CASE_NUMBER_RE.fullmatch(text.strip().upper())
    if match is None:
        return None
    digits = match["day"]
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    sequence = int(match["seq"])
    if sequence == 0:
        return None
    return CaseNumberParts(hall_code=match["hall"], day=day, sequence=sequence)
