"""The catalog of items and one-things: the shipped data, the queries, and `catalog check`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.catalog import Catalog, CatalogError, CatalogProblem, MaterialSource, check_catalog
from desktop.cli import catalog as catalog_cli
from desktop.fields import FieldDictionary

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_ITEMS = {
    "SS-PENSION-CLAIM": "social_security", "SS-UNEMP-BENEFIT": "social_security",
    "SS-FLEX-ENROL": "social_security", "MI-RETIREE-STATUS": "medical_insurance",
    "MI-UNEMP-COVERAGE": "medical_insurance", "MI-FLEX-ENROL": "medical_insurance",
    "EMP-RECORD-CLOSE": "employment", "EMP-UNEMP-REGISTER": "employment",
    "EMP-FLEX-REGISTER": "employment", "PD-CERT-ARCHIVE": "public_data", "PD-RETIRE-ARCHIVE": "public_data",
}


@pytest.fixture(scope="module")
def fields() -> FieldDictionary:
    return FieldDictionary.load()


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.load()


def item(code: str, *, department: str = "employment", fields: str = '"person.name"',
         prerequisites: str = "", materials: str = "") -> str:
    return (f'[[items]]\ncode = "{code}"\nname = "事项{code}"\ndepartment = "{department}"\n'
            f'legal_basis = "某法第一条"\ntime_limit_days = 5\nfields = [{fields}]\n'
            f'prerequisites = [{prerequisites}]\n{materials}\n')


def material(code: str, source: str | None = "brought", **extra: str) -> str:
    lines = [f'[[items.materials]]\ncode = "{code}"\nname = "材料{code}"']
    if source is not None:
        lines.append(f'source = "{source}"')
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def one_thing(code: str, items: str) -> str:
    return f'[[one_things]]\ncode = "{code}"\nname = "一件事{code}"\nitems = [{items}]\nkeywords = []\n'


def write_catalog(directory: Path, **files: str) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.toml").write_text(text, encoding="utf-8")
    return directory


def problems_of(directory: Path, fields: FieldDictionary) -> list[CatalogProblem]:
    return check_catalog(Catalog.load(directory), fields)


# ---- the shipped catalog ----

def test_shipped_catalog_checks_clean(shipped: Catalog, fields: FieldDictionary) -> None:
    assert [str(p) for p in check_catalog(shipped, fields)] == []


def test_shipped_catalog_has_the_items_adapters_rely_on(shipped: Catalog) -> None:
    assert {code: item.department for code, item in shipped.items.items()} == SHIPPED_ITEMS
    assert [i.code for i in shipped.items_of("OT-RETIRE")] == [
        "SS-PENSION-CLAIM", "MI-RETIREE-STATUS", "EMP-RECORD-CLOSE", "PD-RETIRE-ARCHIVE"]
    # retirement touches all four departments: the public data platform files the 退休证 人社 issues
    assert {i.department for i in shipped.items_of("OT-RETIRE")} == {
        "social_security", "medical_insurance", "employment", "public_data"}
    assert [i.code for i in shipped.items_of("OT-UNEMPLOY")] == [
        "EMP-UNEMP-REGISTER", "SS-UNEMP-BENEFIT", "MI-UNEMP-COVERAGE"]
    flex_departments = {i.department for i in shipped.items_of("OT-FLEXJOB")}
    assert flex_departments == {"social_security", "medical_insurance", "employment", "public_data"}
    assert all(item.time_limit_days > 0 and item.legal_basis for item in shipped.items.values())


def test_clerk_types_only_what_no_department_can_supply(shipped: Catalog, fields: FieldDictionary) -> None:
    for code in shipped.one_things:
        typed = {name for name in shipped.fields_for(code) if not fields[name].suppliers}
        assert typed and all(name.startswith("app.") for name in typed), code
    assert {"app.retirement_date", "app.retirement_type"} <= set(shipped.fields_for("OT-RETIRE"))


def test_retirement_pulls_household_and_marriage_from_public_data(shipped: Catalog) -> None:
    materials = {m.name: m for m in shipped.materials_for("OT-RETIRE")}
    for name in ("户籍证明（户口簿）", "婚姻状况证明"):
        assert materials[name].source is MaterialSource.PULLED
        assert materials[name].supplier == "public_data"
    assert materials["居民身份证"].supplier == "id_card"
    assert (materials["退休证"].source, materials["退休证"].producer) == (MaterialSource.PRODUCED, "social_security")
    assert shipped.items["PD-RETIRE-ARCHIVE"].prerequisites == ("SS-PENSION-CLAIM",)


def test_one_thing_asks_for_each_material_once(shipped: Catalog) -> None:
    codes = [m.code for m in shipped.materials_for("OT-UNEMPLOY")]
    assert len(codes) == len(set(codes))
    assert codes.count("M-ID-CARD") == 1 and "M-CONTRACT-END" in codes
    fields_needed = shipped.fields_for("OT-UNEMPLOY")
    assert len(fields_needed) == len(set(fields_needed))
    with pytest.raises(KeyError):
        shipped.fields_for("OT-NOTHING")


def test_material_is_tolerable_only_if_every_item_tolerates_it(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path / "c", a=(
        item("A", materials=material("M-X", tolerable="true"))
        + item("B", materials=material("M-X", tolerable="false"))
        + one_thing("OT", '"A", "B"')))
    [merged] = Catalog.load(directory).materials_for("OT")
    assert merged.code == "M-X" and not merged.tolerable


@pytest.mark.parametrize(("query", "first"), [
    ("退休", "OT-RETIRE"), ("tx", "OT-RETIRE"), ("TX", "OT-RETIRE"), ("养老金", "OT-RETIRE"),
    ("失业金", "OT-UNEMPLOY"), ("sy", "OT-UNEMPLOY"), ("灵活", "OT-FLEXJOB"), ("lhjy", "OT-FLEXJOB"),
    ("就业登记注销", "OT-RETIRE"),
])
def test_search_finds_by_chinese_keyword_and_pinyin_initials(shipped: Catalog, query: str, first: str) -> None:
    assert shipped.search(query)[0].code == first


def test_search_without_match_or_text(shipped: Catalog) -> None:
    assert shipped.search("护照") == []
    assert shipped.search("x") == []  # initials match from their start only
    assert [t.code for t in shipped.search("  ")] == list(shipped.one_things)


# ---- unreadable catalogs ----

def test_unreadable_toml_names_the_file_and_line(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path / "c", good=item("A"), bad='[[items]]\ncode = "B"\nname = 事项\n')
    with pytest.raises(CatalogError) as info:
        Catalog.load(directory)
    assert "bad.toml" in info.value.message_zh and "第 3 行" in info.value.message_zh
    assert info.value.line == 3


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path / "absent")
    assert "不存在" in info.value.message_zh
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path / "empty")
    assert ".toml" in info.value.message_zh


# ---- each class of problem ----

def kinds(problems: list[CatalogProblem]) -> list[str]:
    return [p.kind for p in problems]


def test_unknown_field_is_named_with_its_line(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A") + item("B", fields='"person.name", "person.shoe_size"')
    problems = problems_of(write_catalog(tmp_path / "c", emp=text), fields)
    assert kinds(problems) == ["unknown_field"]
    assert "person.shoe_size" in problems[0].message_zh and problems[0].subject == "B"
    assert problems[0].origin.file == "emp.toml"
    assert text.splitlines()[problems[0].origin.line - 1] == 'code = "B"'


def test_unknown_department_of_item_and_producer(tmp_path: Path, fields: FieldDictionary) -> None:
    text = (item("A", department="tax_bureau")
            + item("B", materials=material("M-P", "produced", producer='"tax_bureau"')))
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["unknown_department", "unknown_department"]
    assert all("tax_bureau" in p.message_zh for p in problems)


def test_duplicate_codes_across_files(tmp_path: Path, fields: FieldDictionary) -> None:
    directory = write_catalog(tmp_path / "c", a=item("A") + one_thing("OT", '"A"'),
                              b=item("A") + one_thing("A2", '"A"') + item("A2"))
    problems = problems_of(directory, fields)
    assert kinds(problems) == ["duplicate_code", "duplicate_code"]
    first = problems[0]
    assert first.subject == "A" and first.origin.file == "b.toml" and "a.toml" in first.message_zh


def test_material_without_source(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A", materials=material("M-1", None) + material("M-2", "fetched"))
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["no_source", "no_source"]
    assert "M-1" in problems[0].message_zh and "M-2" in problems[1].message_zh


def test_pulled_material_needs_a_supplier_that_can_supply(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A", materials=(
        material("M-1", "pulled", fields='["person.name"]')
        + material("M-2", "pulled", supplier='"employment"', fields='["person.marital_status"]')
        + material("M-3", "pulled", supplier='"police"', fields='["person.name"]')
        + material("M-4", "pulled", supplier='"public_data"', fields='["person.marital_status"]')))
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["no_source", "supplier_cannot_supply", "unknown_department"]
    assert "employment" in problems[1].message_zh and "person.marital_status" in problems[1].message_zh


def test_one_thing_naming_an_unknown_item(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A") + one_thing("OT", '"A", "GHOST"')
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["unknown_item"]
    assert "GHOST" in problems[0].message_zh and problems[0].subject == "OT"


def test_three_item_cycle_is_spelled_out(tmp_path: Path, fields: FieldDictionary) -> None:
    text = (item("B", prerequisites='"C"') + item("A", prerequisites='"B"')
            + item("C", prerequisites='"A"') + item("D", prerequisites='"A"'))
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["cycle"]
    assert "A → B → C → A" in problems[0].message_zh


def test_two_items_requiring_each_other_and_a_self_requirement(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A", prerequisites='"B"') + item("B", prerequisites='"A"') + item("S", prerequisites='"S"')
    messages = [p.message_zh for p in problems_of(write_catalog(tmp_path / "c", x=text), fields)]
    assert any("A → B → A" in m for m in messages) and any("S → S" in m for m in messages)
    assert len(messages) == 2


def test_unknown_prerequisite_and_bad_time_limit(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A", prerequisites='"NOPE"').replace("time_limit_days = 5", 'time_limit_days = "五"')
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert sorted(kinds(problems)) == ["missing_value", "unknown_item"]


def test_one_material_code_must_mean_one_material(tmp_path: Path, fields: FieldDictionary) -> None:
    text = item("A", materials=material("M-X")) + item("B", materials=material("M-X", "produced",
                                                                              producer='"employment"'))
    problems = problems_of(write_catalog(tmp_path / "c", x=text), fields)
    assert kinds(problems) == ["inconsistent_material"]


# ---- the command ----

def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    catalog_cli.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def test_check_command_on_the_shipped_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command("catalog", "check") == 0
    assert "目录检查通过" in capsys.readouterr().out


def test_check_command_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_catalog(tmp_path / "c", x=item("A", prerequisites='"B"', fields='"foo.bar"')
                              + item("B", prerequisites='"A"'))
    assert run_command("catalog", "check", "--dir", str(directory)) == 1
    out = capsys.readouterr()
    assert "x.toml 第 2 行" in out.out and "foo.bar" in out.out and "A → B → A" in out.out
    assert "2 个问题" in out.err


def test_check_command_on_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_catalog(tmp_path / "c", x="[[items]\n")
    assert run_command("catalog", "check", "--dir", str(directory)) == 1
    assert "x.toml" in capsys.readouterr().err


def test_list_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command("catalog", "list") == 0
    out = capsys.readouterr().out
    assert "OT-FLEXJOB  灵活就业一件事" in out and "PD-CERT-ARCHIVE" in out


@pytest.mark.skipif(not (ROOT / "main.py").exists(), reason="main.py not written yet")
def test_main_py_catalog_check(tmp_path: Path) -> None:
    clean = subprocess.run([sys.executable, "main.py", "catalog", "check"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stderr
    assert "目录检查通过" in clean.stdout
    directory = write_catalog(tmp_path / "c", x=item("A", department="nowhere"))
    broken = subprocess.run([sys.executable, "main.py", "catalog", "check", "--dir", str(directory)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "nowhere" in broken.stdout
