"""Render the one canonical application into the 人社 3001 BODY. Pure: the same application, the same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.api import CanonicalApplication, RenderedPayload, format_china_time

from . import mapping
from .protocol import CONTENT_TYPE, XML_DECLARATION, check_gbk, to_gbk_document

#: BODY/PERSON tag -> canonical field, in the order the department documents them
_PERSON: tuple[tuple[str, str], ...] = (
    ("AAC001", "ss.person_no"), ("AAC002", "person.id_number"), ("AAC003", "person.name"),
    ("AAC004", "person.gender"), ("AAE005", "person.phone"), ("AAE009", "person.bank_name"),
    ("AAE010", "person.bank_card"),
)
#: catalog item -> (ITEM tag, canonical field, how the value is written)
_ITEMS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "SS-PENSION-CLAIM": (("AIC162", "app.retirement_date", "date"), ("AIC161", "app.retirement_type", "retirement")),
    "SS-UNEMP-BENEFIT": (("AJC050", "app.separation_date", "date"), ("AJC093", "app.separation_reason", "separation")),
    "SS-FLEX-ENROL": (("AAE030", "app.flex_start_date", "date"), ("AAC062", "app.flex_job_type", "text"),
                      ("AAE180", "app.contribution_base", "money")),
}


def _write(kind: str, value: str) -> str:
    if kind == "date":
        return mapping.date_to_dept(value)
    if kind == "money":
        return mapping.money_to_dept(value)
    if kind == "retirement":
        return mapping.RETIREMENT_TYPE_TO_DEPT.get(value, "")
    if kind == "separation":
        return mapping.SEPARATION_REASON_TO_DEPT.get(value, "")
    if kind == "gender":
        return mapping.GENDER_TO_DEPT.get(value, "")
    return value


def render_application(application: CanonicalApplication, adapter_id: str) -> RenderedPayload:
    """The BODY of a 3001 submission without BUSKEY (the idempotency key is added when sending)."""
    fields = application.fields
    sources: dict[str, str] = {}
    labels: dict[str, str] = {}
    body = ET.Element("BODY")
    ET.SubElement(body, "CASENO").text = application.case_no
    ET.SubElement(body, "SQSJ").text = format_china_time(application.submitted_at, mapping.DEPT_TIME)
    person = ET.SubElement(body, "PERSON")
    for tag, canonical in _PERSON:
        value = fields.get(canonical, "")
        ET.SubElement(person, tag).text = _write("gender" if tag == "AAC004" else "text",
                                                 value.upper() if tag == "AAC002" else value)
        sources[f"PERSON/{tag}"] = canonical
        labels[f"PERSON/{tag}"] = mapping.LABELS[canonical]
    items = tuple(code for code in application.items if code in mapping.ITEM_CODES)
    item_list = ET.SubElement(body, "ITEMLIST")
    for index, code in enumerate(items, start=1):
        item = ET.SubElement(item_list, "ITEM")
        ET.SubElement(item, "SXBM").text = mapping.ITEM_CODES[code]
        for tag, canonical, kind in _ITEMS[code]:
            ET.SubElement(item, tag).text = _write(kind, fields.get(canonical, ""))
            path = f"ITEMLIST/ITEM[{index}]/{tag}"
            sources[path] = canonical
            labels[f"ITEMLIST/ITEM/{tag}"] = mapping.LABELS[canonical]
    check_gbk(body, adapter_id=adapter_id, labels=labels)
    pretty = ET.fromstring(ET.tostring(body, encoding="unicode"))
    ET.indent(pretty)
    return RenderedPayload(
        adapter_id=adapter_id, item_codes=items, content_type=CONTENT_TYPE, body=to_gbk_document(body),
        preview=XML_DECLARATION + ET.tostring(pretty, encoding="unicode"),
        field_sources=dict(sorted(sources.items())),
    )
