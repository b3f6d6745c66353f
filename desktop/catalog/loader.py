"""Read the catalog's TOML files (format: resources/catalog/README.md) into model objects.

Reading is lenient about content: a missing or mistyped value becomes a CatalogProblem that
`check_catalog` reports alongside every other problem, so IT staff see all of them at once.
Only a file that cannot be read at all raises CatalogError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from desktop.catalog.model import CatalogProblem, Item, Material, MaterialSource, OneThing, Origin
from desktop.toml_file import TomlFileError, read_toml


class CatalogError(ValueError):
    """The catalog cannot be read; `message_zh` names the file (and line when known)."""

    def __init__(self, message: str, message_zh: str, file: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.message_zh = message_zh
        self.file = file
        self.line = line


@dataclass
class LoadedCatalog:
    items: list[Item] = field(default_factory=list)
    one_things: list[OneThing] = field(default_factory=list)
    problems: list[CatalogProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def read_directory(directory: Path | Traversable) -> LoadedCatalog:
    if not directory.is_dir():
        raise CatalogError(f"catalog directory {directory} does not exist",
                           f"事项目录 {directory} 不存在或不是文件夹", str(directory))
    files = sorted((entry for entry in directory.iterdir()
                    if entry.name.endswith(".toml") and entry.is_file()), key=lambda e: e.name)
    if not files:
        raise CatalogError(f"no .toml files in catalog directory {directory}",
                           f"事项目录 {directory} 中没有 .toml 文件", str(directory))
    loaded = LoadedCatalog()
    for entry in files:
        _read_file(entry, loaded)
    return loaded


def _read_file(path: Path | Traversable, loaded: LoadedCatalog) -> None:
    name = path.name
    try:
        data = read_toml(path, label=name)
    except TomlFileError as exc:
        raise CatalogError(str(exc), exc.message_zh, name, exc.line) from exc
    loaded.files.append(name)
    locator = _Locator(path.read_text(encoding="utf-8"))
    file_origin = Origin(name)
    unknown = sorted(set(data) - {"items", "one_things"})
    for key in unknown:
        loaded.problems.append(CatalogProblem(
            "malformed", key, f"无法识别的表“{key}”（只允许 [[items]] 和 [[one_things]]）", file_origin))
    for index, raw in enumerate(_array(data, "items", file_origin, loaded.problems), start=1):
        loaded.items.append(_item(raw, index, name, locator, loaded.problems))
    for index, raw in enumerate(_array(data, "one_things", file_origin, loaded.problems), start=1):
        loaded.one_things.append(_one_thing(raw, index, name, locator, loaded.problems))


class _Locator:
    """Finds the line of `code = "X"` so that problems can point at the entry's line."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._used: set[int] = set()

    def line_of_code(self, code: str, after: int = 0) -> int | None:
        pattern = re.compile(r"^\s*code\s*=\s*([\"'])" + re.escape(code) + r"\1")
        for number, content in enumerate(self._lines[after:], start=after + 1):
            if number not in self._used and pattern.match(content):
                self._used.add(number)
                return number
        return None


def _array(data: dict[str, Any], key: str, origin: Origin,
           problems: list[CatalogProblem]) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if isinstance(value, list) and all(isinstance(entry, dict) for entry in value):
        return value
    problems.append(CatalogProblem("malformed", key, f"“{key}”应写成 [[{key}]] 表数组", origin))
    return []


def _item(raw: dict[str, Any], index: int, file: str, locator: _Locator,
          problems: list[CatalogProblem]) -> Item:
    code, origin, subject = _identify(raw, f"第 {index} 个事项", file, locator, problems)
    limit = raw.get("time_limit_days")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        problems.append(CatalogProblem(
            "missing_value", subject, f"事项 {subject} 的办结时限 time_limit_days 应为正整数（工作日）", origin))
        limit = 0
    for key, label in (("name", "名称 name"), ("department", "部门 department"),
                       ("legal_basis", "设定依据 legal_basis")):
        if not _text(raw.get(key)):
            problems.append(CatalogProblem("missing_value", subject, f"事项 {subject} 缺少{label}", origin))
    materials = []
    raw_materials = raw.get("materials", [])
    if not isinstance(raw_materials, list) or not all(isinstance(m, dict) for m in raw_materials):
        problems.append(CatalogProblem(
            "malformed", subject, f"事项 {subject} 的材料应写成 [[items.materials]] 表数组", origin))
        raw_materials = []
    after = origin.line or 0
    for position, material in enumerate(raw_materials, start=1):
        materials.append(_material(material, position, subject, after, file, locator, problems))
    return Item(
        code=code, name=_text(raw.get("name")), department=_text(raw.get("department")),
        legal_basis=_text(raw.get("legal_basis")), time_limit_days=limit,
        fields=_strings(raw, "fields", subject, origin, problems),
        materials=tuple(materials),
        prerequisites=_strings(raw, "prerequisites", subject, origin, problems),
        origin=origin)


def _material(raw: dict[str, Any], position: int, item: str, after: int, file: str,
              locator: _Locator, problems: list[CatalogProblem]) -> Material:
    code = _text(raw.get("code"))
    origin = Origin(file, (locator.line_of_code(code, after) if code else None) or after or None)
    label = f"事项 {item} 的材料 {code or f'第 {position} 项'}"
    if not code:
        problems.append(CatalogProblem("missing_value", item, f"{label}缺少 code", origin))
    if not _text(raw.get("name")):
        problems.append(CatalogProblem("missing_value", item, f"{label}缺少名称 name", origin))
    source_text = _text(raw.get("source"))
    source: MaterialSource | None = None
    try:
        source = MaterialSource(source_text)
    except ValueError:
        pass  # reported by check_catalog as "no source", with the value found
    return Material(
        code=code, name=_text(raw.get("name")), source=source,
        supplier=_text(raw.get("supplier")), producer=_text(raw.get("producer")),
        tolerable=bool(raw.get("tolerable", False)),
        fields=_strings(raw, "fields", item, origin, problems), note=_text(raw.get("note")))


def _one_thing(raw: dict[str, Any], index: int, file: str, locator: _Locator,
               problems: list[CatalogProblem]) -> OneThing:
    code, origin, subject = _identify(raw, f"第 {index} 个一件事", file, locator, problems)
    if not _text(raw.get("name")):
        problems.append(CatalogProblem("missing_value", subject, f"一件事 {subject} 缺少名称 name", origin))
    return OneThing(
        code=code, name=_text(raw.get("name")), description=_text(raw.get("description")),
        items=_strings(raw, "items", subject, origin, problems),
        keywords=_strings(raw, "keywords", subject, origin, problems), origin=origin)


def _identify(raw: dict[str, Any], placeholder: str, file: str, locator: _Locator,
              problems: list[CatalogProblem]) -> tuple[str, Origin, str]:
    """The entry's code, where it is written, and how messages name it (even without a code)."""
    code = _text(raw.get("code"))
    origin = Origin(file, locator.line_of_code(code) if code else None)
    subject = code or placeholder
    if not code:
        problems.append(CatalogProblem("missing_value", subject, f"{subject}缺少 code", origin))
    return code, origin, subject


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(raw: dict[str, Any], key: str, subject: str, origin: Origin,
             problems: list[CatalogProblem]) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        return tuple(entry.strip() for entry in value)
    problems.append(CatalogProblem("malformed", subject, f"{subject} 的 {key} 应为字符串列表", origin))
    return ()
