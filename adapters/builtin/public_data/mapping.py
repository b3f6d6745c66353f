"""The platform's codes and formats (公安 data element names: xm, xb, csrq, hyzk, ...) to canonical fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.api import MalformedReplyError

#: how the platform writes its timestamps (China Standard Time)
PLATFORM_TIME = "%Y-%m-%d %H:%M:%S"
#: 户口性质: platform code -> canonical person.household_type
HOUSEHOLD_TYPES = {"10": "1", "20": "2"}
#: archive status code -> canonical branch state name
ARCHIVE_STATUS = {"1": "received", "2": "in_review", "3": "approved", "9": "rejected"}
HOUSEHOLD_FIELDS = ("person.id_number", "person.name", "person.gender", "person.nation", "person.birth_date",
                    "person.address", "person.household_type", "person.household_region")


def marital_status(code: str) -> str | None:
    """GB/T 4766 -> canonical: 21 初婚, 22 再婚 and 23 复婚 are all 已婚 (20); 90 未说明 has no canonical code."""
    if code in ("10", "20", "30", "40"):
        return code
    if code in ("21", "22", "23"):
        return "20"
    if code == "90":
        return None
    raise MalformedReplyError(f"marital status code {code!r} is not GB/T 4766")


def _date(text: str, what: str) -> str:
    try:
        return datetime.strptime(text, "%Y%m%d").strftime("%Y-%m-%d")
    except (TypeError, ValueError) as exc:
        raise MalformedReplyError(f"{what}: {text!r} is not a yyyyMMdd date") from exc


def household_fields(data: Mapping[str, Any]) -> dict[str, str]:
    try:
        out = {"person.id_number": str(data["gmsfhm"]).upper(), "person.name": str(data["xm"]).strip(),
               "person.birth_date": _date(str(data["csrq"]), "household csrq")}
    except KeyError as exc:
        raise MalformedReplyError(f"household record lacks {exc}") from exc
    gender = str(data.get("xb") or "")
    if gender:
        if gender not in ("0", "1", "2", "9"):
            raise MalformedReplyError(f"gender code {gender!r} is not GB/T 2261.1")
        out["person.gender"] = gender
    nation = str(data.get("mz") or "")
    if nation:
        if not re.fullmatch(r"\d{2}", nation):
            raise MalformedReplyError(f"nation code {nation!r} is not two digits (GB 3304)")
        out["person.nation"] = nation
    hkxz = str(data.get("hkxz") or "")
    if hkxz:
        if hkxz not in HOUSEHOLD_TYPES:
            raise MalformedReplyError(f"household type code {hkxz!r} unknown")
        out["person.household_type"] = HOUSEHOLD_TYPES[hkxz]
    region = str(data.get("hjdqh") or "")
    if region:
        if not re.fullmatch(r"\d{6}", region):
            raise MalformedReplyError(f"household region {region!r} is not six digits")
        out["person.household_region"] = region
    if data.get("hjdz"):
        out["person.address"] = str(data["hjdz"]).strip()
    return out


def former_names(data: Mapping[str, Any]) -> str:
    names = data.get("cym")
    if isinstance(names, str):  # some deployments send one name as a bare string
        names = [names]
    if not isinstance(names, list):
        raise MalformedReplyError("former names reply lacks the list 'cym'")
    return ",".join(str(n).strip() for n in names if str(n).strip())
