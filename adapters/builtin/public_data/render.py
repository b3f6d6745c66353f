"""The one canonical application -> the platform's certificate-archive request. Pure: no I/O, no clock."""

from __future__ import annotations

import json
from typing import Any

from adapters.api import AdapterError, CanonicalApplication, MaterialRef, RenderedPayload, format_china_time

from .mapping import PLATFORM_TIME
from .protocol import encode_body

#: archive item -> the certificates (produced material codes) it files into the citizen's e-license wallet;
#: None: every certificate the case produces (办件结果电子证照归集 collects all of a case's results)
ARCHIVED: dict[str, frozenset[str] | None] = {
    "PD-CERT-ARCHIVE": None,
    # 退休证电子证照归集 files the retirement certificate only: approval notices stay with the departments
    "PD-RETIRE-ARCHIVE": frozenset({"M-RETIRE-CERT"}),
}
CONTENT_TYPE = "application/json; charset=utf-8"


def _archived(item: str, material: MaterialRef) -> bool:
    wanted = ARCHIVED[item]
    return material.source == "produced" and (wanted is None or material.code in wanted)


def render_archive(app: CanonicalApplication, adapter_id: str) -> RenderedPayload:
    """Archive request for the case's result certificates (materials the departments produce)."""
    items = tuple(sorted(i for i in app.items if i in ARCHIVED))
    if not items:
        raise AdapterError(f"case {app.case_no} has no archive item", adapter_id=adapter_id,
                           message_zh="该申请不含公共数据平台办理的事项")
    id_number = (app.fields.get("person.id_number") or "").strip().upper()
    name = (app.fields.get("person.name") or "").strip()
    if not id_number or not name:
        raise AdapterError(f"case {app.case_no} lacks the holder's ID number or name", adapter_id=adapter_id,
                           message_zh="申请缺少持证人的公民身份号码或姓名")
    produced = sorted((m for m in app.materials if any(_archived(i, m) for i in items)), key=lambda m: m.code)
    body: dict[str, Any] = {
        "case_no": app.case_no,
        "items": list(items),
        "holder": {"gmsfhm": id_number, "xm": name},
        "licenses": [{"zzbs": m.code, "zzmc": m.name, "zt": m.status, "sha256": m.sha256 or ""} for m in produced],
        "operator": {"clerk": app.clerk, "counter": app.counter},
        "submit_time": format_china_time(app.submitted_at, PLATFORM_TIME),
    }
    return RenderedPayload(
        adapter_id=adapter_id, item_codes=items, content_type=CONTENT_TYPE, body=encode_body(body),
        preview=json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2),
        field_sources={"holder.gmsfhm": "person.id_number", "holder.xm": "person.name"})
