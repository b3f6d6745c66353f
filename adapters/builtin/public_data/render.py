"""The one canonical application -> the platform's certificate-archive request. Pure: no I/O, no clock."""

from __future__ import annotations

import json
from typing import Any

from adapters.api import AdapterError, CanonicalApplication, RenderedPayload

from .mapping import to_platform_time
from .protocol import encode_body

ITEM = "PD-CERT-ARCHIVE"
CONTENT_TYPE = "application/json; charset=utf-8"


def render_archive(app: CanonicalApplication, adapter_id: str) -> RenderedPayload:
    """Archive request for the case's result certificates (materials the departments produce)."""
    if ITEM not in app.items:
        raise AdapterError(f"case {app.case_no} has no {ITEM} item", adapter_id=adapter_id,
                           message_zh="该申请不含公共数据平台办理的事项")
    id_number = (app.fields.get("person.id_number") or "").strip().upper()
    name = (app.fields.get("person.name") or "").strip()
    if not id_number or not name:
        raise AdapterError(f"case {app.case_no} lacks the holder's ID number or name", adapter_id=adapter_id,
                           message_zh="申请缺少持证人的公民身份号码或姓名")
    produced = sorted((m for m in app.materials if m.source == "produced"), key=lambda m: m.code)
    body: dict[str, Any] = {
        "case_no": app.case_no,
        "items": [ITEM],
        "holder": {"gmsfhm": id_number, "xm": name},
        "licenses": [{"zzbs": m.code, "zzmc": m.name, "zt": m.status, "sha256": m.sha256 or ""} for m in produced],
        "operator": {"clerk": app.clerk, "counter": app.counter},
        "submit_time": to_platform_time(app.submitted_at),
    }
    return RenderedPayload(
        adapter_id=adapter_id, item_codes=(ITEM,), content_type=CONTENT_TYPE, body=encode_body(body),
        preview=json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2),
        field_sources={"holder.gmsfhm": "person.id_number", "holder.xm": "person.name"})
