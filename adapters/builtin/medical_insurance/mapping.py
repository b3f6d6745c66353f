"""医保 codes and shapes <-> canonical fields. Pure functions, no I/O.

1101 output is read in both shapes real gateways send (``insuinfo`` as a list or as one object, ``idetinfo``
present or not, ``brdy`` as yyyy-MM-dd or yyyyMMdd); whatever cannot be read becomes a Chinese warning for the
clerk, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

GENDERS = {"1", "2", "0", "9"}
#: GB 3304 nation codes 01-56, plus 97 other and 98 foreign origin
NATIONS = {f"{n:02d}" for n in range(1, 57)} | {"97", "98"}
#: the basic medical insurance types the canonical mi.insutype knows; supplementary types (320, 330, ...) are
#: records of their own and never the person's basic insurance
BASIC_INSUTYPES = ("310", "390")
INSURED_STATUSES = {"1", "2", "4"}

#: catalog item code -> 2701 aply_type
APLY_TYPES: dict[str, str] = {"MI-RETIREE-STATUS": "01", "MI-UNEMP-COVERAGE": "02", "MI-FLEX-ENROL": "03"}
RETIREMENT_TYPE_TO_DEPT = {"normal": "1", "early": "2", "flexible": "3"}
SEPARATION_REASON_TO_DEPT = {"contract_end": "11", "dismissed": "12", "bankrupt": "13", "other": "19"}

_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def read_date(text: Any) -> str:
    """A platform date in any of the shapes seen in deployments -> ``YYYY-MM-DD``; ValueError otherwise."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(str(text).strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class _Reader:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.warnings: list[str] = []

    def code(self, field: str, raw: Any, allowed: set[str], label: str) -> None:
        text = _text(raw)
        if not text:
            return
        if text in allowed:
            self.values[field] = text
        else:
            self.warnings.append(f"医保返回的{label}代码“{text}”无法识别，未采用")

    def date(self, field: str, raw: Any, label: str) -> None:
        if not _text(raw):
            return
        try:
            self.values[field] = read_date(raw)
        except ValueError:
            self.warnings.append(f"医保返回的{label}“{_text(raw)}”不是可识别的日期，未采用")

    def text(self, field: str, raw: Any) -> None:
        if _text(raw):
            self.values[field] = _text(raw)


def person_to_canonical(output: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """1101 output -> canonical values and warnings. Raises ValueError when there is no baseinfo at all."""
    base = output.get("baseinfo")
    if not isinstance(base, Mapping):
        raise ValueError("1101 output has no baseinfo object")
    r = _Reader()
    r.text("person.id_number", _text(base.get("certno")).upper())
    r.text("person.name", base.get("psn_name"))
    r.code("person.gender", base.get("gend"), GENDERS, "性别")
    r.code("person.nation", base.get("naty"), NATIONS, "民族")
    r.date("person.birth_date", base.get("brdy"), "出生日期")
    r.text("person.residence_address", base.get("live_addr"))
    r.text("mi.psn_no", base.get("psn_no"))
    _read_insurance(r, output.get("insuinfo"))
    if "idetinfo" not in output:
        r.warnings.append("医保未返回人员身份信息（idetinfo），人员身份类别未读取")
    elif output.get("idetinfo") is not None and not isinstance(output.get("idetinfo"), list):
        r.warnings.append("医保返回的人员身份信息（idetinfo）不是列表，未读取")
    return r.values, r.warnings


def _read_insurance(r: _Reader, insuinfo: Any) -> None:
    if isinstance(insuinfo, Mapping):
        r.warnings.append("医保返回的参保信息（insuinfo）是单条记录而不是列表，已按一条读取；"
                          "该人员如还有其他险种的参保记录，本次未能读取")
        rows: list[Any] = [insuinfo]
    elif isinstance(insuinfo, list):
        rows = insuinfo
    else:
        r.warnings.append("医保未返回参保信息（insuinfo），参保险种、状态、单位等未读取")
        return
    readable = [row for row in rows if isinstance(row, Mapping)]
    if len(readable) != len(rows):
        r.warnings.append(f"医保返回的参保信息中有{len(rows) - len(readable)}条格式无法识别，未读取")
    basic = [row for row in readable if _text(row.get("insutype")) in BASIC_INSUTYPES]
    if not basic:
        found = "、".join(sorted({_text(row.get("insutype")) or "空" for row in readable})) or "无"
        r.warnings.append(f"医保参保信息中没有基本医疗保险（310/390）记录（险种：{found}），参保状态未读取")
        return
    # the current basic insurance: a normally insured record first, employee before resident insurance
    row = min(basic, key=lambda x: (_text(x.get("psn_insu_stas")) != "1", _text(x.get("insutype"))))
    r.values["mi.insutype"] = _text(row.get("insutype"))
    r.code("mi.insured_status", row.get("psn_insu_stas"), INSURED_STATUSES, "参保状态")
    r.date("mi.insured_since", row.get("psn_insu_date"), "参保日期")
    r.text("mi.employer", row.get("emp_name"))
    region = _text(row.get("insuplc_admdvs"))
    if region and (len(region) != 6 or not region.isdigit()):
        r.warnings.append(f"医保返回的参保地区划“{region}”不是6位代码，未采用")
    elif region:
        r.values["mi.insured_region"] = region
