"""The last line of defence for ID numbers: mask anything shaped like an 18-character citizen ID
in free text (log lines, audit details) even when the caller forgot to."""

from __future__ import annotations

import logging
import re
from typing import Any

from desktop.identity import mask_id_number

ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_id_numbers_in_text(text: str) -> str:
    return ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)


def mask_id_numbers_in(value: Any) -> Any:
    """The same for JSON-like data: strings at any depth of dicts, lists and tuples (as lists)."""
    if isinstance(value, str):
        return mask_id_numbers_in_text(value)
    if isinstance(value, dict):
        return {str(k): mask_id_numbers_in(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_id_numbers_in(v) for v in value]
    return value


class IdNumberMaskFilter(logging.Filter):
    """Put on every log handler: renders the message (and any traceback) with ID numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_id_numbers_in_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_id_numbers_in_text(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = mask_id_numbers_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers_in_text(record.stack_info)
        return True
