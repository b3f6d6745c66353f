"""`python main.py adapters list|check|enable|disable|configure|validate|schema`: the IT administrator's
tools for department adapter plugins."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

from adapters.api import API_VERSION, Credentials, ManifestError
from adapters.api.schema import decode_manifest, render_schema, validate_manifest
from adapters.conformance import DEFAULT_CITIZEN, check_installed, load_field_dictionary
from adapters.registry import AdapterRegistry, PluginRecord, RegistryError
from desktop.adapter_host import build_registry

#: the department secret for `check --account` comes from the environment, never from the command line
SECRET_ENV = "ONEWINDOW_CHECK_SECRET"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("adapters", help="部门接口插件：列出、合规检查、启用、停用、配置、校验清单")
    actions = parser.add_subparsers(title="操作", metavar="ACTION", required=True)

    ls = actions.add_parser("list", help="列出已安装的插件及其状态")
    ls.add_argument("--ids", action="store_true", help="每行只打印一个插件编号（供脚本使用）")
    ls.add_argument("-v", "--verbose", action="store_true", help="同时打印出错插件的详细信息")
    ls.set_defaults(handler=run, adapters_action="list")

    check = actions.add_parser("check", help="对插件运行合规检查（默认启动其测试后端）")
    check.add_argument("adapter_id", metavar="ID")
    check.add_argument("--endpoint", metavar="URL", help="测试后端地址（切勿使用生产系统：检查会提交测试申请）")
    check.add_argument("--citizen", default=DEFAULT_CITIZEN, help=f"测试用演示群众（默认 {DEFAULT_CITIZEN}）")
    check.add_argument("--account", help=f"测试后端的部门账号（口令从环境变量 {SECRET_ENV} 读取）")
    check.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS", help="每次调用的超时（秒）")
    check.set_defaults(handler=run, adapters_action="check")

    for name, help_zh in (("enable", "启用插件"), ("disable", "停用插件")):
        p = actions.add_parser(name, help=help_zh)
        p.add_argument("adapter_id", metavar="ID")
        p.add_argument("--by", default=None, help="操作人（默认：当前系统用户）")
        p.set_defaults(handler=run, adapters_action=name)

    configure = actions.add_parser("configure", help="设置插件配置项（key=value；key= 恢复默认值）")
    configure.add_argument("adapter_id", metavar="ID")
    configure.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    configure.add_argument("--by", default=None, help="操作人（默认：当前系统用户）")
    configure.set_defaults(handler=run, adapters_action="configure")

    validate = actions.add_parser("validate", help="部署前校验一个插件清单文件（TOML 或 JSON）")
    validate.add_argument("path", metavar="PATH")
    validate.set_defaults(handler=run, adapters_action="validate")

    schema = actions.add_parser("schema", help="打印插件清单的 JSON Schema")
    schema.set_defaults(handler=run, adapters_action="schema")


def run(args: argparse.Namespace) -> int:
    action = args.adapters_action
    if action == "schema":
        sys.stdout.write(render_schema())
        return 0
    if action == "validate":
        return _validate(Path(args.path))
    try:
        registry = _registry(args)
        if action == "list":
            return _list(registry, ids_only=args.ids, verbose=args.verbose)
        if action == "check":
            return _check(registry, args)
        by = args.by or f"cli:{getpass.getuser()}"
        if action == "enable":
            registry.enable(args.adapter_id, by)
            print(f"已启用插件 {args.adapter_id}")
        elif action == "disable":
            registry.disable(args.adapter_id, by)
            print(f"已停用插件 {args.adapter_id}")
        elif action == "configure":
            return _configure(registry, args.adapter_id, args.pairs, by)
        return 0
    except RegistryError as exc:
        print(exc.message_zh, file=sys.stderr)
        if exc.details and exc.details != exc.message_zh:
            print(exc.details, file=sys.stderr)
        return 1


def _registry(args: argparse.Namespace) -> AdapterRegistry:
    app = args.build_app()
    registry = getattr(app, "registry", None)
    return registry if registry is not None else build_registry(app.db)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _row(rec: PluginRecord) -> list[str]:
    m = rec.manifest
    status = f"错误（{rec.error.kind}）：{rec.error.message_zh}" if rec.error else "正常"
    return [rec.id, m.name if m else "—", m.department if m else "—", rec.version,
            "是" if rec.enabled else "否", status]


def _list(registry: AdapterRegistry, *, ids_only: bool, verbose: bool) -> int:
    records = registry.records()
    if ids_only:
        for rec in records:
            print(rec.id)
        return 0
    if not records:
        print(f"没有安装任何部门接口插件（入口点组 {registry.entry_point_group}）")
        return 0
    rows = [["编号", "名称", "部门", "版本", "启用", "状态"]] + [_row(r) for r in records]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([_pad(cell, w) for cell, w in zip(row, widths)] + [row[-1]]))
    broken = [r for r in records if r.error]
    if verbose:
        for rec in broken:
            assert rec.error is not None
            print(f"\n== {rec.id}（{rec.source}）\n{rec.error.details}")
    elif broken:
        print(f"\n{len(broken)} 个插件有错误；加 -v 查看详细信息")
    return 0


def _check(registry: AdapterRegistry, args: argparse.Namespace) -> int:
    credentials = None
    if args.account:
        credentials = Credentials(args.account, os.environ.get(SECRET_ENV, ""))
    try:
        report = check_installed(registry, args.adapter_id, endpoint=args.endpoint, citizen=args.citizen,
                                 credentials=credentials, timeout_s=args.timeout)
    except KeyError as exc:  # an unknown demo citizen
        print(f"没有这位演示群众：{exc.args[0]}", file=sys.stderr)
        return 2
    print(report.text())
    return 0 if report.ok else 1


def _configure(registry: AdapterRegistry, adapter_id: str, pairs: list[str], by: str) -> int:
    values: dict[str, Any] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            print(f"配置项格式应为 key=value：{item}", file=sys.stderr)
            return 2
        values[key.strip()] = value
    shown = registry.configure(adapter_id, values, by) if values else registry.effective_config(adapter_id)
    print(f"插件 {adapter_id} 的配置" + ("已保存" if values else "") + "：")
    for key, value in shown.items():
        print(f"  {key} = {'' if value is None else value}")
    return 0


def _validate(path: Path) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"无法读取清单文件 {path}：{exc}", file=sys.stderr)
        return 1
    problems: list[str] = []
    try:
        manifest = validate_manifest(decode_manifest(text, path.name))
    except ManifestError as exc:
        problems = list(exc.problems)
        manifest = None
    if manifest is not None:
        dictionary = load_field_dictionary()
        problems += [f"fields: '{f}' is not in the canonical field dictionary (resources/fields.toml)"
                     for f in manifest.fields if f not in dictionary]
        if not manifest.compatible_with(API_VERSION):
            problems.append(f"api: range {manifest.api!r} excludes this workstation's API_VERSION {API_VERSION}")
    if problems:
        print(f"清单 {path} 有 {len(problems)} 处问题，不能部署：", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    assert manifest is not None
    print(f"清单有效：{manifest.id}（{manifest.name}）{manifest.version}，接口版本范围 {manifest.api}，"
          f"本机接口版本 {API_VERSION}")
    return 0
