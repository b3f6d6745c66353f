#!/usr/bin/env python3
"""Regenerate the Chinese UI translations from the ui/ sources and compile them.

    .venv/bin/python installer/update_translations.py             # update .ts, compile .qm
    .venv/bin/python installer/update_translations.py --check     # change nothing; exit 1 if out of date
    .venv/bin/python installer/update_translations.py --fill zh.toml   # take translations from a TOML file

How to add or change UI text (anyone adding a screen under ui/):
 1. Write the source string in English inside ``self.tr("...")`` (in a QObject subclass) or
    ``QCoreApplication.translate("Context", "...")`` (anywhere else). The string must be a literal
    (lupdate reads the source, it does not run it). For values use named placeholders and format
    AFTER translating: ``self.tr("Counter: {counter}").format(counter=c)``.
 2. Run this script. New strings are added to resources/translations/onewindow_zh_CN.ts marked
    ``type="unfinished"``; strings no longer in the source are dropped; existing translations stay.
    The script lists every unfinished string.
 3. Translate them: open the .ts in ``.venv/bin/pyside6-linguist`` (mark each one done), or edit
    the XML: put the Chinese inside ``<translation>`` and delete ``type="unfinished"``, or write a
    TOML file with one table per context and pass it with ``--fill``::

        [LoginWindow]
        "Log in" = "登录"
        "Counter: {counter}" = "窗口：{counter}"

    Keep every ``{placeholder}`` of the source in the translation.
 4. Run this script again: it compiles onewindow_zh_CN.qm, which the application loads.
 5. ``tests/ui/test_translations.py`` fails while any string is unfinished, a placeholder is lost,
    or the .qm is older than the .ts.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "ui"
TS_FILE = ROOT / "resources" / "translations" / "onewindow_zh_CN.ts"
QM_FILE = TS_FILE.with_suffix(".qm")
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translation: str
    unfinished: bool


def tool(name: str) -> str:
    """The PySide6 tool next to this interpreter (the project venv), else one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found; run this script with the project venv's python")
    return found


def sources(source_dir: Path = SOURCE_DIR) -> list[Path]:
    return sorted(p for p in source_dir.rglob("*.py") if "__pycache__" not in p.parts)


def update_ts(ts_file: Path, source_dir: Path = SOURCE_DIR) -> None:
    """Merge the strings of the sources into ``ts_file`` (created when missing)."""
    files = [str(p) for p in sources(source_dir)]
    # No source locations in the file: otherwise every edit that moves a line changes the .ts.
    cmd = [tool("pyside6-lupdate"), *files, "-ts", str(ts_file), "-no-obsolete", "-locations", "none",
           "-source-language", "en", "-target-language", "zh_CN", "-silent"]
    subprocess.run(cmd, check=True, cwd=ROOT)


def compile_qm(ts_file: Path, qm_file: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts_file), "-qm", str(qm_file), "-silent"],
                   check=True, cwd=ROOT)


def messages(ts_file: Path) -> list[Message]:
    out: list[Message] = []
    for context in ET.parse(ts_file).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            out.append(Message(
                context=name, source=message.findtext("source", ""),
                translation=(translation.text or "") if translation is not None else "",
                unfinished=kind == "unfinished" or translation is None or not (translation.text or "").strip(),
            ))
    return out


def fill(ts_file: Path, translations: dict[str, dict[str, str]]) -> int:
    """Set translations by context and source (marking them finished); returns how many were set."""
    tree = ET.parse(ts_file)
    count = 0
    for context in tree.getroot().iter("context"):
        table = translations.get(context.findtext("name", ""), {})
        for message in context.iter("message"):
            text = table.get(message.findtext("source", ""))
            if text is None:
                continue
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            translation.text = text
            translation.attrib.pop("type", None)
            count += 1
    tree.write(ts_file, encoding="utf-8", xml_declaration=True)
    return count


def problems(ts_file: Path) -> list[str]:
    """Every unfinished string and every translation that lost or invented a {placeholder}."""
    found: list[str] = []
    for m in messages(ts_file):
        if m.unfinished:
            found.append(f"unfinished: [{m.context}] {m.source!r}")
        elif set(PLACEHOLDER.findall(m.source)) != set(PLACEHOLDER.findall(m.translation)):
            found.append(f"placeholders differ: [{m.context}] {m.source!r} -> {m.translation!r}")
    return found


def check(ts_file: Path = TS_FILE, qm_file: Path = QM_FILE, source_dir: Path = SOURCE_DIR) -> list[str]:
    """Without touching the repository: what is out of date. Empty means all is well."""
    report: list[str] = []
    if not ts_file.exists():
        return [f"{ts_file} is missing; run installer/update_translations.py"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh_ts = Path(tmp) / ts_file.name
        shutil.copyfile(ts_file, fresh_ts)
        update_ts(fresh_ts, source_dir)
        if fresh_ts.read_bytes() != ts_file.read_bytes():
            report.append(f"{ts_file.name} does not match the ui/ sources; run installer/update_translations.py")
        report.extend(problems(fresh_ts))
        fresh_qm = Path(tmp) / qm_file.name
        compile_qm(ts_file, fresh_qm)
        if not qm_file.exists() or fresh_qm.read_bytes() != qm_file.read_bytes():
            report.append(f"{qm_file.name} is stale; run installer/update_translations.py to compile it")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when out of date")
    parser.add_argument("--fill", type=Path, metavar="TOML",
                        help="translations to take over: [Context] tables of \"source\" = \"译文\"")
    args = parser.parse_args(argv)
    if args.check:
        report = check()
        for line in report:
            print(line)
        return 1 if report else 0
    update_ts(TS_FILE)
    if args.fill is not None:
        print(f"filled {fill(TS_FILE, tomllib.loads(args.fill.read_text(encoding='utf-8')))} translations")
        update_ts(TS_FILE)  # back to lupdate's own layout, so the file diffs cleanly
    compile_qm(TS_FILE, QM_FILE)
    todo = problems(TS_FILE)
    for line in todo:
        print(line)
    total = len(messages(TS_FILE))
    print(f"{TS_FILE.relative_to(ROOT)}: {total} strings, {len(todo)} to fix; compiled {QM_FILE.name}")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
