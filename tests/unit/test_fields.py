"""The canonical field dictionary and the validation of values typed at the counter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.fields import FieldDictionary, FieldDictionaryError


@pytest.fixture(scope="module")
def fields() -> FieldDictionary:
    return FieldDictionary.load()


def test_shipped_dictionary_loads_fields_and_departments(fields: FieldDictionary) -> None:
    assert set(fields.departments) == {"social_security", "medical_insurance", "employment", "public_data"}
    assert fields.departments["medical_insurance"].short == "医保"
    gender = fields["person.gender"]
    assert gender.label == "性别"
    assert gender.choices["2"] == "女"
    assert "id_card" in gender.suppliers
    assert fields["person.id_number"].sensitive
    assert fields.get("app.retirement_date") is not None and fields["app.retirement_date"].suppliers == ()
    assert "person.name" in fields and "nobody.knows" not in fields and fields.get("nobody.knows") is None


@pytest.mark.parametrize(("name", "value"), [
    ("app.retirement_date", "2026-03-15"),
    ("app.retirement_date", date(2024, 2, 29)),
    ("person.gender", "2"),
    ("person.phone", "13812345678"),
    ("person.phone", "138 1234 5678"),
    ("person.phone", "0571-88888888"),
    ("person.phone", "01088888888"),
    ("person.bank_card", "6222 0212 3456 7890 128"),
    ("person.bank_card", "4111111111111111"),
    ("person.id_number", "330106196603151316"),
    ("ss.contribution_months", "372"),
    ("app.contribution_base", "4500"),
    ("app.contribution_base", "4500.50"),
    ("person.address", "浙江省杭州市西湖区文三路100号"),
    ("person.name", "周建国"),
])
def test_good_values_pass(fields: FieldDictionary, name: str, value: object) -> None:
    assert fields.validate_value(name, value) is None


@pytest.mark.parametrize(("name", "value", "says"), [
    ("app.retirement_date", "2026-02-30", "不是存在的日期"),
    ("app.retirement_date", "2026/03/15", "YYYY-MM-DD"),
    ("person.gender", "3", "只能是"),
    ("person.marital_status", "已婚", "20（已婚）"),
    ("person.phone", "1381234567", "11 位手机号"),
    ("person.phone", "23812345678", "11 位手机号"),
    ("person.phone", "87654321", "区号"),
    ("person.bank_card", "6222021234567890123", "校验位"),
    ("person.bank_card", "62220212345", "12 到 19 位"),
    ("person.bank_card", "6222O21234567890128", "12 到 19 位"),
    ("person.id_number", "330106196603151317", "校验码错误：应为 6，实为 7"),
    ("ss.contribution_months", "三十", "整数"),
    ("app.contribution_base", "4500.555", "两位小数"),
    ("app.contribution_base", "-100", "金额"),
    ("person.address", "西湖区", "过短"),
    ("person.name", "   ", "不能为空"),
    ("nobody.knows", "x", "未知字段"),
])
def test_bad_values_are_explained_without_echoing_them(fields: FieldDictionary, name: str,
                                                      value: str, says: str) -> None:
    message = fields.validate_value(name, value)
    assert message is not None and says in message
    if len(value.strip()) > 4:
        assert value not in message


def test_unreadable_dictionary_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "fields.toml"
    broken.write_text('[fields."person.name"]\nlabel = "姓名\n', encoding="utf-8")
    with pytest.raises(FieldDictionaryError) as info:
        FieldDictionary.load(broken)
    assert "fields.toml" in info.value.message_zh and "第 2 行" in info.value.message_zh


def test_unknown_field_type_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "fields.toml"
    odd.write_text('[fields."x.y"]\nlabel = "某"\ntype = "colour"\n', encoding="utf-8")
    with pytest.raises(FieldDictionaryError) as info:
        FieldDictionary.load(odd)
    assert "colour" in info.value.message_zh
