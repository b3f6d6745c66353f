"""The employment centre's codes and formats, to canonical fields (resources/fields.toml) and back."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.api import AdapterError, MalformedReplyError

#: how the centre writes timestamps (China Standard Time): createdAt, updatedAt, submittedAt
DEPT_TIMESTAMP = "%Y%m%d%H%M%S"

#: centre status code -> canonical emp.employment_status
EMPLOYMENT_STATUS = {"11": "employed", "12": "flexible", "21": "unemployed", "31": "retired"}
#: catalog item -> the centre's service code
SERVICE_CODES = {"EMP-RECORD-CLOSE": "JY0105", "EMP-UNEMP-REGISTER": "JY0201", "EMP-FLEX-REGISTER": "JY0103"}
#: canonical app.separation_reason -> the centre's separation reason code
SEPARATION_REASONS = {"contract_end": "01", "dismissed": "02", "bankrupt": "03", "other": "09"}
#: canonical app.retirement_type -> the centre's retirement type code
RETIREMENT_TYPES = {"normal": "1", "early": "2", "flexible": "3"}
#: the centre closes a record at retirement with close reason 03 (退休)
CLOSE_REASON_RETIRED = "03"
#: the centre's application status code -> canonical branch state name
APPLICATION_STATUS = {"01": "received", "02": "in_review", "03": "approved", "04": "rejected"}

_DEPT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def education(code: str) -> str:
    """GB/T 4658-2006 (the centre's) -> canonical emp.education: 1x 研究生, 2x 本科, 3x 专科,
    4x/6x 中专或高中, 7x and below 初中及以下."""
    if not re.fullmatch(r"\d{2}", code or ""):
        raise ValueError(f"education code {code!r} is not two digits")
    return {"1": "10", "2": "20", "3": "30", "4": "40", "5": "40", "6": "40"}.get(code[0], "50")


def from_dept_date(text: str, what: str) -> str:
    """yyyyMMdd -> YYYY-MM-DD; a date that does not exist is unreadable, not passed on."""
    m = _DEPT_DATE.match(text or "")
    if not m:
        raise MalformedReplyError(f"{what}: date {text!r} is not yyyyMMdd")
    iso = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    try:
        datetime.strptime(iso, "%Y-%m-%d")
    except ValueError as exc:
        raise MalformedReplyError(f"{what}: {text!r} is not a calendar date") from exc
    return iso


def to_dept_date(value: str, label_zh: str) -> str:
    """Canonical YYYY-MM-DD -> yyyyMMdd; a bad canonical date is the application's fault, said in Chinese."""
    m = _ISO_DATE.match(value or "")
    if not m:
        raise AdapterError(f"canonical date {label_zh} is not YYYY-MM-DD", message_zh=f"{label_zh}格式有误，应为年-月-日")
    return f"{m.group(1)}{m.group(2)}{m.group(3)}"


def current_record(records: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The open employment record (no end date); the latest-starting one if the centre lists several."""
    open_ = [r for r in records if not r.get("endDate")]
    return max(open_, key=lambda r: str(r.get("startDate", ""))) if open_ else None


def person_fields(person: Mapping[str, Any], records: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """Canonical field -> value from the person resource and (when fetched) every employment record."""
    try:
        status_code = str(person["employmentStatus"]["code"])
        out = {"person.id_number": str(person["idNumber"]).upper(), "person.name": str(person["name"]),
               "emp.registration_no": str(person["registrationNo"])}
    except (KeyError, TypeError) as exc:
        raise MalformedReplyError(f"person resource lacks {exc}") from exc
    if status_code not in EMPLOYMENT_STATUS:
        raise MalformedReplyError(f"unknown employment status code {status_code!r}")
    out["emp.employment_status"] = EMPLOYMENT_STATUS[status_code]
    edu = person.get("education") or {}
    if isinstance(edu, Mapping) and edu.get("code"):
        try:
            out["emp.education"] = education(str(edu["code"]))
        except ValueError as exc:
            raise MalformedReplyError(str(exc)) from exc
    for src, dst in (("residenceAddress", "person.residence_address"), ("mobile", "person.phone")):
        if person.get(src):
            out[dst] = str(person[src]).strip()
    if records is not None:
        current = current_record(records)
        if current is not None:
            out["emp.employer"] = str(current.get("employerName", "")).strip()
            out["emp.employed_since"] = from_dept_date(str(current.get("startDate", "")), "employment record")
    return {k: v for k, v in out.items() if v}
