"""Render the one canonical application into the 2701 ``input.data``. Pure: the same application, the same bytes."""

from __future__ import annotations

import json
from typing import Any

from adapters.api import CanonicalApplication, RenderedPayload, format_china_time

from . import mapping
from .protocol import CONTENT_TYPE, PLATFORM_TIME

#: canonical item -> (aply_list key, canonical field, how the value is written)
_APLY_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "MI-RETIREE-STATUS": (("retr_date", "app.retirement_date", "date"), ("retr_type", "app.retirement_type", "retirement")),
    "MI-UNEMP-COVERAGE": (("unemp_date", "app.separation_date", "date"), ("unemp_rea", "app.separation_reason", "separation")),
    "MI-FLEX-ENROL": (("begn_date", "app.flex_start_date", "date"), ("flex_emp_type", "app.flex_job_type", "text"),
                      ("clct_base", "app.contribution_base", "money")),
}
_PERSON = (("psn_no", "mi.psn_no"), ("certno", "person.id_number"), ("psn_name", "person.name"))


def cert_type(id_number: str) -> str:
    """psn_cert_type: 01 resident ID card, 07 residence permit of Hong Kong, Macau and Taiwan residents."""
    return "07" if id_number[:2] in ("81", "82", "83") else "01"


def _write(kind: str, value: str) -> str:
    if kind == "retirement":
        return mapping.RETIREMENT_TYPE_TO_DEPT.get(value, "")
    if kind == "separation":
        return mapping.SEPARATION_REASON_TO_DEPT.get(value, "")
    if kind == "money" and value:
        try:
            return f"{float(value):.2f}"
        except ValueError:
            return value
    return value


def render_application(application: CanonicalApplication, adapter_id: str) -> RenderedPayload:
    """``input.data`` of a 2701 submission without ext_biz_sn (the idempotency key is added when sending)."""
    fields = application.fields
    sources: dict[str, str] = {}
    data: dict[str, Any] = {"case_no": application.case_no,
                            "aply_time": format_china_time(application.submitted_at, PLATFORM_TIME)}
    for key, canonical in _PERSON:
        value = fields.get(canonical, "")
        data[key] = value.upper() if key == "certno" else value
        sources[f"input.data.{key}"] = canonical
    data["psn_cert_type"] = cert_type(data["certno"])
    sources["input.data.psn_cert_type"] = "person.id_number"
    items = tuple(code for code in application.items if code in mapping.APLY_TYPES)
    aply_list: list[dict[str, str]] = []
    for index, code in enumerate(items):
        aply = {"aply_type": mapping.APLY_TYPES[code]}
        for key, canonical, kind in _APLY_FIELDS[code]:
            aply[key] = _write(kind, fields.get(canonical, ""))
            sources[f"input.data.aply_list[{index}].{key}"] = canonical
        aply_list.append(aply)
    data["aply_list"] = aply_list
    return RenderedPayload(
        adapter_id=adapter_id, item_codes=items, content_type=CONTENT_TYPE,
        body=json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"),
        preview=json.dumps({"input": {"data": data}}, ensure_ascii=False, sort_keys=True, indent=2),
        field_sources=dict(sorted(sources.items())),
    )
