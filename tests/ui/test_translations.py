"""Every UI string has a finished Chinese translation, and the compiled .qm matches the .ts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_translations", ROOT / "installer" / "update_translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_translations_are_complete_and_compiled() -> None:
    tool = load_tool()
    report = tool.check()
    assert report == [], "run installer/update_translations.py and translate:\n" + "\n".join(report)


def test_check_notices_an_untranslated_string_and_a_stale_qm(tmp_path) -> None:
    tool = load_tool()
    source_dir = tmp_path / "ui"
    source_dir.mkdir()
    (source_dir / "screen.py").write_text(
        "from PySide6.QtWidgets import QWidget\n"
        "class Screen(QWidget):\n"
        "    def title(self):\n"
        "        return self.tr('Counter: {counter}')\n", encoding="utf-8")
    ts, qm = tmp_path / "t_zh_CN.ts", tmp_path / "t_zh_CN.qm"
    tool.update_ts(ts, source_dir)
    report = tool.check(ts, qm, source_dir)
    assert any("unfinished" in line and "Counter: {counter}" in line for line in report)
    assert any("stale" in line for line in report)

    tool.fill(ts, {"Screen": {"Counter: {counter}": "窗口"}})  # lost its placeholder
    tool.update_ts(ts, source_dir)
    tool.compile_qm(ts, qm)
    assert [line for line in tool.check(ts, qm, source_dir) if "placeholders" in line]

    tool.fill(ts, {"Screen": {"Counter: {counter}": "窗口：{counter}"}})
    tool.update_ts(ts, source_dir)
    tool.compile_qm(ts, qm)
    assert tool.check(ts, qm, source_dir) == []
