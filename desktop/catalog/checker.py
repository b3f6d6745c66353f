"""`check_catalog`: every problem of a catalog against the field dictionary, each named precisely."""

from __future__ import annotations

from collections import defaultdict

from desktop.catalog.catalog import Catalog
from desktop.catalog.model import CatalogProblem, Item, Material, MaterialSource, OneThing, Origin
from desktop.fields import ID_CARD_SUPPLIER, FieldDictionary


def check_catalog(catalog: Catalog, fields: FieldDictionary) -> list[CatalogProblem]:
    problems = list(catalog.load_problems)
    problems += _duplicates(catalog)
    for item in catalog.all_items:
        problems += _check_item(item, catalog, fields)
    for thing in catalog.all_one_things:
        problems += _check_one_thing(thing, catalog)
    problems += _inconsistent_materials(catalog)
    problems += _cycles(catalog)
    return problems


def _duplicates(catalog: Catalog) -> list[CatalogProblem]:
    places: dict[str, list[tuple[str, Origin]]] = defaultdict(list)
    for item in catalog.all_items:
        if item.code:
            places[item.code].append(("事项", item.origin))
    for thing in catalog.all_one_things:
        if thing.code:
            places[thing.code].append(("一件事", thing.origin))
    problems = []
    for code, where in places.items():
        for kind, origin in where[1:]:
            first_kind, first = where[0]
            problems.append(CatalogProblem(
                "duplicate_code", code, f"{kind}编码 {code} 重复：已在 {first} 定义为{first_kind}", origin))
    return problems


def _check_item(item: Item, catalog: Catalog, fields: FieldDictionary) -> list[CatalogProblem]:
    problems = []

    def report(kind: str, message: str, origin: Origin = item.origin) -> None:
        problems.append(CatalogProblem(kind, item.code, message, origin))

    if item.department and item.department not in fields.departments:
        report("unknown_department", f"事项 {item.code} 的部门“{item.department}”不存在（可用：{_known(fields)}）")
    for name in item.fields:
        if name not in fields:
            report("unknown_field", f"事项 {item.code} 需要未知字段“{name}”（字段字典中没有）")
    for name in sorted({n for n in item.fields if item.fields.count(n) > 1}):
        report("duplicate_field", f"事项 {item.code} 重复列出字段“{name}”")
    for code in item.prerequisites:
        if code not in catalog.items:
            report("unknown_item", f"事项 {item.code} 的前置事项“{code}”不存在")
    codes = [m.code for m in item.materials]
    for code in sorted({c for c in codes if c and codes.count(c) > 1}):
        report("duplicate_code", f"事项 {item.code} 重复列出材料 {code}")
    for material in item.materials:
        for kind, message in _check_material(material, fields):
            report(kind, f"事项 {item.code} 的材料 {material.code}（{material.name}）{message}")
    return problems


def _check_material(material: Material, fields: FieldDictionary) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if material.source is None:
        return [("no_source", "没有有效的来源 source（应为 pulled 共享获取、produced 部门出具或 brought 申请人提交）")]
    if material.source is MaterialSource.PULLED:
        if not material.supplier:
            problems.append(("no_source", "为共享获取，但没有写明提供方 supplier"))
        elif not fields.is_supplier(material.supplier):
            problems.append(("unknown_department", f"的提供方“{material.supplier}”不存在（可用：{_known(fields)}、{ID_CARD_SUPPLIER}）"))
        if not material.fields:
            problems.append(("no_source", "为共享获取，但没有写明所含字段 fields"))
        for name in material.fields:
            definition = fields.get(name)
            if definition is None:
                problems.append(("unknown_field", f"含未知字段“{name}”"))
            elif material.supplier and fields.is_supplier(material.supplier) \
                    and material.supplier not in definition.suppliers:
                problems.append(("supplier_cannot_supply",
                                 f"由“{material.supplier}”共享获取，但该方不能提供字段“{name}”"
                                 f"（可提供方：{'、'.join(definition.suppliers) or '无'}）"))
    elif material.source is MaterialSource.PRODUCED:
        if not material.producer:
            problems.append(("no_source", "为部门出具，但没有写明出具部门 producer"))
        elif material.producer not in fields.departments:
            problems.append(("unknown_department", f"的出具部门“{material.producer}”不存在（可用：{_known(fields)}）"))
    return problems


def _check_one_thing(thing: OneThing, catalog: Catalog) -> list[CatalogProblem]:
    problems = []
    if not thing.items:
        problems.append(CatalogProblem("unknown_item", thing.code, f"一件事 {thing.code} 没有包含任何事项", thing.origin))
    for code in thing.items:
        if code not in catalog.items:
            problems.append(CatalogProblem("unknown_item", thing.code,
                                           f"一件事 {thing.code} 包含不存在的事项“{code}”", thing.origin))
    return problems


def _inconsistent_materials(catalog: Catalog) -> list[CatalogProblem]:
    """One material code must mean one material everywhere, or deduplication would hide a difference."""
    first: dict[str, tuple[Material, Item]] = {}
    problems = []
    for item in catalog.all_items:
        for material in item.materials:
            if not material.code:
                continue
            if material.code not in first:
                first[material.code] = (material, item)
                continue
            earlier, owner = first[material.code]
            if (earlier.name, earlier.source, earlier.department) != \
                    (material.name, material.source, material.department):
                problems.append(CatalogProblem(
                    "inconsistent_material", item.code,
                    f"材料 {material.code} 在事项 {item.code} 与事项 {owner.code} 中的名称或来源不一致", item.origin))
    return problems


def _cycles(catalog: Catalog) -> list[CatalogProblem]:
    """Each cycle of prerequisites once, spelled out from its smallest code: "A → B → C → A"."""
    graph = {code: [p for p in item.prerequisites if p in catalog.items] for code, item in catalog.items.items()}
    found: set[tuple[str, ...]] = set()
    problems = []
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(code: str) -> None:
        state[code] = 1
        path.append(code)
        for nxt in graph[code]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):]
                start = cycle.index(min(cycle))
                canonical = tuple(cycle[start:] + cycle[:start])
                if canonical not in found:
                    found.add(canonical)
                    spelled = " → ".join(canonical + (canonical[0],))
                    problems.append(CatalogProblem(
                        "cycle", canonical[0], f"前置事项循环依赖：{spelled}", catalog.items[canonical[0]].origin))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[code] = 2

    for code in graph:
        if code not in state:
            visit(code)
    return problems


def _known(fields: FieldDictionary) -> str:
    return "、".join(fields.departments)
