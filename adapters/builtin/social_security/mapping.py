"""人社 codes and formats <-> canonical fields (resources/fields.toml). Pure functions, no I/O.

The department's code tables are documented in adapters/sandbox/social_security/server.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

#: how 人社 writes timestamps (China Standard Time): SQSJ, SLSJ, GXSJ and the packet sequence
DEPT_TIME = "%Y%m%d%H%M%S"

#: department tag in the 2001 PERSON record -> canonical field
PERSON_FIELDS: dict[str, str] = {
    "AAC001": "ss.person_no", "AAC002": "person.id_number", "AAC003": "person.name", "AAC004": "person.gender",
    "AAC006": "person.birth_date", "AAC010": "person.address", "AAC017": "person.marital_status",
    "AAE005": "person.phone", "AAE009": "person.bank_name", "AAE010": "person.bank_card",
    "AAB004": "ss.employer", "AAC049": "ss.insured_since", "AAC008": "ss.insured_status",
    "AIC090": "ss.contribution_months", "AJC090": "ss.unemployment_insured_months",
}

#: how a value of each department tag is read; tags not listed are free text
_DATE_TAGS = {"AAC006", "AAC049"}
_INTEGER_TAGS = {"AIC090", "AJC090"}

GENDER_FROM_DEPT = {"男": "1", "女": "2", "未知": "0", "未说明": "9"}
GENDER_TO_DEPT = {v: k for k, v in GENDER_FROM_DEPT.items()}
#: GB/T 2261.2 as 人社 keeps it; the canonical table has no 初婚/再婚/复婚 distinction
MARITAL_FROM_DEPT = {"10": "10", "20": "20", "21": "20", "22": "20", "23": "20", "30": "30", "40": "40"}
INSURED_STATUS_FROM_DEPT = {"11": "1", "21": "2", "22": "2", "31": "3", "32": "3", "33": "3"}

RETIREMENT_TYPE_TO_DEPT = {"normal": "1", "early": "2", "flexible": "3"}
SEPARATION_REASON_TO_DEPT = {"contract_end": "11", "dismissed": "12", "bankrupt": "13", "other": "19"}

#: catalog item code -> 人社 事项编码 (SXBM)
ITEM_CODES: dict[str, str] = {"SS-PENSION-CLAIM": "YL01", "SS-UNEMP-BENEFIT": "SY01", "SS-FLEX-ENROL": "LH01"}

#: Chinese labels of what the clerk may have typed, for messages that must name the field
LABELS: dict[str, str] = {
    "person.id_number": "公民身份号码", "person.name": "姓名", "person.gender": "性别", "person.phone": "联系电话",
    "person.bank_name": "开户银行", "person.bank_card": "银行卡号", "ss.person_no": "社保个人编号",
    "app.retirement_date": "退休日期", "app.retirement_type": "退休类型", "app.separation_date": "离职日期",
    "app.separation_reason": "离职原因", "app.flex_start_date": "灵活就业开始日期",
    "app.flex_job_type": "灵活就业形式", "app.contribution_base": "申报缴费基数",
}
_DEPT_LABELS = {"AAC004": "性别", "AAC006": "出生日期", "AAC017": "婚姻状况", "AAC049": "养老保险参保日期",
                "AAC008": "参保状态", "AIC090": "养老保险累计缴费月数", "AJC090": "失业保险累计缴费月数"}


def date_from_dept(text: str) -> str:
    """``19660315`` -> ``1966-03-15``; raises ValueError on anything else."""
    if len(text) != 8:
        raise ValueError(f"not a YYYYMMDD date: {text!r}")
    return datetime.strptime(text, "%Y%m%d").date().isoformat()


def date_to_dept(iso: str) -> str:
    """``1966-03-15`` -> ``19660315``; an empty or unreadable value becomes empty (the department says what
    is missing)."""
    try:
        return datetime.strptime(iso, "%Y-%m-%d").strftime("%Y%m%d") if iso else ""
    except ValueError:
        return ""


def person_to_canonical(record: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """A 2001 PERSON record -> canonical values, plus a Chinese warning for every value it could not read.

    Empty values are left out (the department does not know them), never guessed."""
    values: dict[str, str] = {}
    warnings: list[str] = []
    for tag, canonical in PERSON_FIELDS.items():
        raw = record.get(tag, "").strip()
        if not raw:
            continue
        try:
            values[canonical] = _read(tag, raw)
        except (KeyError, ValueError):
            warnings.append(f"人社返回的{_DEPT_LABELS.get(tag, tag)}“{raw}”无法识别，未采用")
    if "person.id_number" in values:
        values["person.id_number"] = values["person.id_number"].upper()
    return values, warnings


def _read(tag: str, raw: str) -> str:
    if tag in _DATE_TAGS:
        return date_from_dept(raw)
    if tag in _INTEGER_TAGS:
        return str(int(raw))
    table = {"AAC004": GENDER_FROM_DEPT, "AAC017": MARITAL_FROM_DEPT, "AAC008": INSURED_STATUS_FROM_DEPT}.get(tag)
    return table[raw] if table is not None else raw


def money_to_dept(text: str) -> str:
    """``5000`` -> ``5000.00``; unreadable stays as typed so the department's own check names it."""
    try:
        return f"{float(text):.2f}" if text else ""
    except ValueError:
        return text
