"""`python main.py audit verify|list`: check the hash chain, show recent entries."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="审计日志：校验完整性、查看最近记录")
    actions = parser.add_subparsers(title="操作", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="校验审计日志是否被修改、删除、插入或调换顺序")
    verify.set_defaults(handler=run, audit_action="verify")
    listing = actions.add_parser("list", help="显示最近的审计记录")
    listing.add_argument("-n", "--limit", type=int, default=20, help="显示条数（默认 20）")
    listing.set_defaults(handler=run, audit_action="list")


def run(args: argparse.Namespace) -> int:
    app = args.build_app()
    if args.audit_action == "list":
        for r in reversed(app.audit.recent(max(1, args.limit))):
            citizen = f" 证件 {r.citizen_id_masked}" if r.citizen_id_masked else ""
            subject = f" 对象 {r.subject}" if r.subject else ""
            print(f"{r.seq:>6}  {r.at.astimezone():%Y-%m-%d %H:%M:%S}  {r.actor}  {r.action}{subject}{citizen}")
        return 0
    report = app.audit.verify()
    if report.ok:
        print(f"审计日志完整：共 {report.checked} 条记录，链头哈希 {report.head_hash}")
        print("（可记下链头哈希，日后对照，以发现整条链被重写的情况）")
        return 0
    print(f"审计日志校验失败：共检查 {report.checked} 条，发现 {len(report.findings)} 处问题：")
    for problem in report.problems:
        print(f"  - {problem}")
    return 1
