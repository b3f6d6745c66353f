"""The canonical field dictionary (resources/fields.toml): one vocabulary for catalog, adapters and forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from stdnum import luhn

from desktop.identity import IdNumberError, parse_id_number
from desktop.toml_file import TomlFileError, read_toml

FIELD_TYPES = frozenset(
    {"string", "date", "enum", "id_number", "phone", "bank_card", "address", "integer", "money"})
# A supplier is a department id or the citizen's ID card read at the counter.
ID_CARD_SUPPLIER = "id_card"

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes are 3-4 digits starting with 0; subscriber numbers 7-8 digits; optional extension.
_LANDLINE = re.compile(r"0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?")
_INTEGER = re.compile(r"-?\d+")
_MONEY = re.compile(r"\d+(\.\d{1,2})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MIN_ADDRESS_LENGTH = 6


class FieldDictionaryError(ValueError):
    """The field dictionary file is unreadable or malformed; `message_zh` names file and entry."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str
    format: str = ""
    choices: dict[str, str] = field(default_factory=dict)
    suppliers: tuple[str, ...] = ()
    sensitive: bool = False


@dataclass(frozen=True)
class DepartmentDef:
    id: str
    name: str
    short: str


class FieldDictionary:
    def __init__(self, fields: dict[str, FieldDef], departments: dict[str, DepartmentDef]) -> None:
        self.fields = fields
        self.departments = departments

    @classmethod
    def load(cls, path: Path | Traversable | None = None) -> FieldDictionary:
        source = path if path is not None else resources.files("resources").joinpath("fields.toml")
        label = str(path) if path is not None else "resources/fields.toml"
        try:
            data = read_toml(source, label=label)
        except TomlFileError as exc:
            raise FieldDictionaryError(str(exc), exc.message_zh) from exc
        return cls._from_data(data, label)

    @classmethod
    def _from_data(cls, data: dict[str, Any], label: str) -> FieldDictionary:
        departments: dict[str, DepartmentDef] = {}
        for dept_id, entry in _table(data, "departments", label).items():
            entry = _entry(entry, f"departments.{dept_id}", label)
            departments[dept_id] = DepartmentDef(
                id=dept_id, name=str(entry.get("name", dept_id)), short=str(entry.get("short", dept_id)))
        fields: dict[str, FieldDef] = {}
        for name, entry in _table(data, "fields", label).items():
            entry = _entry(entry, f"fields.{name}", label)
            kind = entry.get("type", "string")
            if kind not in FIELD_TYPES:
                raise FieldDictionaryError(
                    f"{label}: field {name} has unknown type {kind!r}",
                    f"字段字典 {label} 中字段 {name} 的类型“{kind}”无法识别")
            choices = entry.get("choices", {})
            suppliers = entry.get("suppliers", [])
            if not isinstance(choices, dict) or not isinstance(suppliers, list):
                raise FieldDictionaryError(
                    f"{label}: field {name} has malformed choices or suppliers",
                    f"字段字典 {label} 中字段 {name} 的 choices 或 suppliers 格式不正确")
            fields[name] = FieldDef(
                name=name, label=str(entry.get("label", name)), type=kind,
                format=str(entry.get("format", "")),
                choices={str(k): str(v) for k, v in choices.items()},
                suppliers=tuple(str(s) for s in suppliers), sensitive=bool(entry.get("sensitive", False)))
        return cls(fields, departments)

    def get(self, name: str) -> FieldDef | None:
        return self.fields.get(name)

    def __getitem__(self, name: str) -> FieldDef:
        return self.fields[name]

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __iter__(self) -> Iterator[FieldDef]:
        return iter(self.fields.values())

    def __len__(self) -> int:
        return len(self.fields)

    def is_supplier(self, supplier: str) -> bool:
        """True for a department id or the ID card."""
        return supplier == ID_CARD_SUPPLIER or supplier in self.departments

    def validate_value(self, name: str, value: object) -> str | None:
        """None when `value` is acceptable for field `name`, else a Chinese message saying why.

        The message never repeats the value: it may be personal data and may end up in a log.
        """
        definition = self.fields.get(name)
        if definition is None:
            return f"未知字段：{name}"
        text = _as_text(value)
        if not text:
            return f"{definition.label}不能为空"
        return _VALIDATORS[definition.type](definition, text)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _check_string(definition: FieldDef, text: str) -> str | None:
    return None


def _check_date(definition: FieldDef, text: str) -> str | None:
    if _ISO_DATE.fullmatch(text):
        try:
            date.fromisoformat(text)
            return None
        except ValueError:
            return f"{definition.label}不是存在的日期"
    return f"{definition.label}应为日期，格式 YYYY-MM-DD（例如 2026-03-15）"


def _check_enum(definition: FieldDef, text: str) -> str | None:
    if not definition.choices or text in definition.choices:
        return None
    allowed = "、".join(f"{code}（{label}）" for code, label in definition.choices.items())
    return f"{definition.label}只能是：{allowed}"


def _check_phone(definition: FieldDef, text: str) -> str | None:
    compact = text.replace(" ", "")
    if _MOBILE.fullmatch(compact.replace("-", "")) or _LANDLINE.fullmatch(compact):
        return None
    return f"{definition.label}格式不正确：应为 11 位手机号，或带区号的固定电话（如 0571-88888888）"


def _check_bank_card(definition: FieldDef, text: str) -> str | None:
    compact = text.replace(" ", "")
    if not (compact.isascii() and compact.isdigit()) or not 12 <= len(compact) <= 19:
        return f"{definition.label}应为 12 到 19 位数字"
    if not luhn.is_valid(compact):
        return f"{definition.label}校验位不正确，请核对卡号"
    return None


def _check_id_number(definition: FieldDef, text: str) -> str | None:
    try:
        parse_id_number(text)
    except IdNumberError as exc:
        return f"{definition.label}无效：{exc.message_zh}"
    return None


def _check_integer(definition: FieldDef, text: str) -> str | None:
    return None if _INTEGER.fullmatch(text) else f"{definition.label}应为整数"


def _check_money(definition: FieldDef, text: str) -> str | None:
    if _MONEY.fullmatch(text):
        return None
    return f"{definition.label}应为金额，最多两位小数（例如 4500 或 4500.50）"


def _check_address(definition: FieldDef, text: str) -> str | None:
    if len(text) >= _MIN_ADDRESS_LENGTH:
        return None
    return f"{definition.label}过短：请填写到街道门牌（至少 {_MIN_ADDRESS_LENGTH} 个字）"


_VALIDATORS = {
    "string": _check_string, "date": _check_date, "enum": _check_enum, "phone": _check_phone,
    "bank_card": _check_bank_card, "id_number": _check_id_number, "integer": _check_integer,
    "money": _check_money, "address": _check_address,
}


def _table(data: dict[str, Any], key: str, label: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise FieldDictionaryError(f"{label}: [{key}] is not a table",
                                   f"字段字典 {label} 中 [{key}] 应为表")
    return table


def _entry(entry: object, where: str, label: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FieldDictionaryError(f"{label}: {where} is not a table",
                                   f"字段字典 {label} 中 {where} 应为表")
    return entry
