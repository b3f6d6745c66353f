"""`python main.py catalog check|list`: validate and show the catalog of items and one-things."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from desktop.catalog import SOURCE_LABELS_ZH, Catalog, CatalogError, check_catalog
from desktop.fields import ID_CARD_SUPPLIER, FieldDictionary, FieldDictionaryError

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("catalog", help="检查或列出事项目录（一件事、事项、材料）",
                                   description="检查或列出事项目录（resources/catalog/）")
    actions = parser.add_subparsers(dest="catalog_action", required=True, metavar="{check,list}")
    check = actions.add_parser("check", help="检查目录：未知字段或部门、重复编码、材料来源、循环前置事项")
    list_ = actions.add_parser("list", help="列出一件事、所含事项和材料")
    for sub in (check, list_):
        sub.add_argument("--dir", type=Path, default=None, help="目录文件夹（默认：随程序安装的 resources/catalog）")
        sub.add_argument("--fields", type=Path, default=None, help="字段字典文件（默认：resources/fields.toml）")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        catalog = Catalog.load(args.dir)
        fields = FieldDictionary.load(args.fields)
    except (CatalogError, FieldDictionaryError) as exc:
        log.error("catalog command failed: %s", exc)
        print(f"错误：{exc.message_zh}", file=sys.stderr)
        return 1
    if args.catalog_action == "list":
        _print_list(catalog, fields)
        return 0
    problems = check_catalog(catalog, fields)
    for problem in problems:
        print(problem)
    if problems:
        print(f"目录检查未通过：共 {len(problems)} 个问题。", file=sys.stderr)
        return 1
    materials = {m.code for item in catalog.items.values() for m in item.materials}
    departments = {item.department for item in catalog.items.values()}
    print(f"目录检查通过：{len(catalog.files)} 个文件，{len(catalog.one_things)} 个一件事，"
          f"{len(catalog.items)} 个事项，涉及 {len(departments)} 个部门、{len(materials)} 种材料。")
    return 0


def _print_list(catalog: Catalog, fields: FieldDictionary) -> None:
    for thing in catalog.one_things.values():
        print(f"{thing.code}  {thing.name}")
        for item in catalog.items_of(thing.code):
            department = fields.departments.get(item.department)
            short = department.short if department else item.department
            print(f"  {item.code}  {item.name}（{short}，{item.time_limit_days} 个工作日）")
        for material in catalog.materials_for(thing.code):
            source = SOURCE_LABELS_ZH[material.source] if material.source else "来源未知"
            if material.department:
                department = fields.departments.get(material.department)
                name = department.short if department else material.department
                source += "：" + ("身份证读卡" if material.department == ID_CARD_SUPPLIER else name)
            tolerable = "，可容缺" if material.tolerable else ""
            print(f"    材料 {material.name}（{source}{tolerable}）")
