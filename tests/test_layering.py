"""The one rule about imports (ARCHITECTURE.md): desktop/ and adapters/ never import Qt or ui/, the
SDK imports nothing of the workstation, and the core never names a built-in adapter. Checked twice:
by import-linter (contracts in pyproject.toml) and by a plain AST scan that cannot be configured away."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "desktop": ("PySide6", "ui", "adapters.builtin", "adapters.sandbox"),
    "adapters": ("PySide6", "ui"),
    "adapters/api": ("desktop", "ui", "adapters.builtin", "adapters.sandbox"),
}


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.fail(f"lint-imports not installed next to {sys.executable}: install the [test] extra")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_import_in_source(package):
    banned = FORBIDDEN[package]
    offenders = []
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for line, module in imported_modules(tree):
            if any(module == b or module.startswith(b + ".") for b in banned):
                offenders.append(f"{file.relative_to(REPO)}:{line} imports {module}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)


def test_the_scan_catches_a_qt_import():
    tree = ast.parse("from PySide6.QtWidgets import QLabel\nimport ui.app\n")
    assert [m for _, m in imported_modules(tree)] == ["PySide6.QtWidgets", "PySide6.QtWidgets.QLabel", "ui.app"]
