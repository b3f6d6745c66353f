"""Read a human-edited TOML file and turn every way it can be unreadable into one clear message.

The catalog, the field dictionary and the calendar overrides are edited by hand by IT staff;
when one of them is broken the workstation must say which file and which line, in Chinese,
instead of showing a Python traceback.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class TomlFileError(ValueError):
    """A TOML file that cannot be read. `line` is None when the problem is not at one line."""

    def __init__(self, file: str, message: str, message_zh: str, line: int | None = None) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.line = line
        self.message_zh = message_zh


def read_toml(path: Path | Traversable, *, label: str | None = None) -> dict[str, Any]:
    """Parse `path`; `label` is how the file is named in messages (defaults to its path)."""
    name = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TomlFileError(name, f"cannot open: {exc.strerror or exc}",
                            f"无法打开文件 {name}：{exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TomlFileError(name, f"not UTF-8 at line {line}",
                            f"文件 {name} 第 {line} 行不是 UTF-8 编码，请以 UTF-8 保存", line) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        match = _POSITION.search(detail)
        line = int(match.group(1)) if match else None
        where = f"第 {line} 行" if line is not None else ""
        raise TomlFileError(name, f"invalid TOML: {detail}",
                            f"文件 {name} {where}格式错误，无法读取（TOML：{detail}）", line) from exc


def line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """1-based number of the first line at or after `start_line` that contains `needle`."""
    for number, content in enumerate(text.splitlines()[start_line - 1:], start=start_line):
        if needle in content:
            return number
    return None
