"""The one canonical application -> the employment centre's application JSON. Pure: no I/O, no clock."""

from __future__ import annotations

import json
from typing import Any

from adapters.api import AdapterError, CanonicalApplication, RenderedPayload, format_china_time

from .mapping import (
    CLOSE_REASON_RETIRED, DEPT_TIMESTAMP, RETIREMENT_TYPES, SEPARATION_REASONS, SERVICE_CODES, to_dept_date,
)

CONTENT_TYPE = "application/json; charset=utf-8"
#: catalog order, so the services list never depends on how the case happened to list its items
ITEM_ORDER = ("EMP-RECORD-CLOSE", "EMP-UNEMP-REGISTER", "EMP-FLEX-REGISTER")


def _pick(fields: dict[str, str], sources: dict[str, str], path: str, canonical: str,
          convert: Any = None) -> str | None:
    value = (fields.get(canonical) or "").strip()
    if not value:
        return None
    sources[path] = canonical
    return convert(value) if convert else value


def _code(table: dict[str, str], label_zh: str) -> Any:
    def convert(value: str) -> str:
        if value not in table:
            raise AdapterError(f"{label_zh}: canonical code {value!r} has no employment-centre code",
                               message_zh=f"{label_zh}取值“{value}”无法对应就业服务中心的代码")
        return table[value]
    return convert


def _form(item: str, idx: int, f: dict[str, str], src: dict[str, str]) -> dict[str, Any]:
    p = f"services[{idx}].form."
    if item == "EMP-RECORD-CLOSE":
        form = {"closeDate": _pick(f, src, p + "closeDate", "app.retirement_date",
                                   lambda v: to_dept_date(v, "退休日期")),
                "closeReasonCode": CLOSE_REASON_RETIRED,
                "retireTypeCode": _pick(f, src, p + "retireTypeCode", "app.retirement_type",
                                        _code(RETIREMENT_TYPES, "退休类型"))}
    elif item == "EMP-UNEMP-REGISTER":
        form = {"separationDate": _pick(f, src, p + "separationDate", "app.separation_date",
                                        lambda v: to_dept_date(v, "离职日期")),
                "separationReasonCode": _pick(f, src, p + "separationReasonCode", "app.separation_reason",
                                              _code(SEPARATION_REASONS, "离职原因")),
                "jobIntention": _pick(f, src, p + "jobIntention", "app.job_intention")}
    else:
        form = {"flexJobType": _pick(f, src, p + "flexJobType", "app.flex_job_type"),
                "startDate": _pick(f, src, p + "startDate", "app.flex_start_date",
                                   lambda v: to_dept_date(v, "灵活就业开始日期"))}
    return {k: v for k, v in form.items() if v is not None}


def render_application(app: CanonicalApplication, adapter_id: str) -> RenderedPayload:
    items = [i for i in ITEM_ORDER if i in app.items]
    if not items:
        raise AdapterError(f"case {app.case_no} has no item the employment centre handles",
                           adapter_id=adapter_id, message_zh="该申请不含就业服务中心办理的事项")
    f = dict(app.fields)
    src: dict[str, str] = {}
    applicant = {k: v for k, v in {
        "idNumber": _pick(f, src, "applicant.idNumber", "person.id_number", str.upper),
        "name": _pick(f, src, "applicant.name", "person.name"),
        "mobile": _pick(f, src, "applicant.mobile", "person.phone"),
        "residenceAddress": _pick(f, src, "applicant.residenceAddress", "person.residence_address"),
    }.items() if v is not None}
    if "idNumber" not in applicant or "name" not in applicant:
        raise AdapterError(f"case {app.case_no} lacks the applicant's ID number or name", adapter_id=adapter_id,
                           message_zh="申请缺少申请人的公民身份号码或姓名")
    body: dict[str, Any] = {
        "caseNo": app.case_no,
        "applicant": applicant,
        "services": [{"serviceCode": SERVICE_CODES[item], "itemCode": item, "form": _form(item, i, f, src)}
                     for i, item in enumerate(items)],
        "materials": [{"code": m.code, "name": m.name, "source": m.source, "status": m.status,
                       "sha256": m.sha256 or ""} for m in sorted(app.materials, key=lambda m: m.code)],
        "handler": {"clerk": app.clerk, "counter": app.counter},
        "submittedAt": format_china_time(app.submitted_at, DEPT_TIMESTAMP),
    }
    return RenderedPayload(
        adapter_id=adapter_id, item_codes=tuple(items), content_type=CONTENT_TYPE,
        body=json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"),
        preview=json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2),
        field_sources=dict(sorted(src.items())))
