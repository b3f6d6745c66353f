"""`python main.py db upgrade|current|revision`: the database schema from the command line."""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from typing import Any

from desktop.bootstrap import resolve_db_url
from desktop.storage import migrate
from desktop.storage.db import current_revision, default_sqlite_url, open_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="数据库结构：升级、查看版本")
    actions = parser.add_subparsers(title="操作", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="把数据库结构升级到本程序的版本（启动时也会自动升级）")
    upgrade.set_defaults(handler=run, db_action="upgrade")
    current = actions.add_parser("current", help="显示数据库当前结构版本，不做修改")
    current.set_defaults(handler=run, db_action="current")
    revision = actions.add_parser("revision", help="（开发者）按模型变化生成新的迁移文件")
    revision.add_argument("-m", "--message", required=True, help="这次结构变化的说明（英文）")
    revision.add_argument("--empty", action="store_true", help="生成空白迁移（不比较模型）")
    revision.set_defaults(handler=run, db_action="revision")


def run(args: argparse.Namespace) -> int:
    action = args.db_action
    if action == "revision":
        return _revision(args.message, autogenerate=not args.empty)
    url = resolve_db_url(args.settings)
    db = open_database(url, migrate=False)
    try:
        before = current_revision(db)
    finally:
        db.dispose()
    head = migrate.head_revision()
    if action == "current":
        state = "已是最新" if before == head else "需要升级（运行 db upgrade，或启动工作站时自动升级）"
        print(f"数据库：{db.url}\n当前结构版本：{before or '（空数据库）'}\n本程序版本：{head}\n状态：{state}")
        return 0
    open_database(url, migrate=True).dispose()
    if before == head:
        print(f"数据库结构已是最新版本（{head}），无需升级")
    else:
        print(f"数据库结构已从 {before or '（空数据库）'} 升级到 {head}")
    return 0


def _revision(message: str, *, autogenerate: bool) -> int:
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"
    with tempfile.TemporaryDirectory(prefix="onewindow-rev-") as tmp:
        db = open_database(default_sqlite_url(Path(tmp)))
        try:
            with db.engine.begin() as conn:
                path = migrate.make_revision(conn, message, slug, autogenerate=autogenerate)
        finally:
            db.dispose()
    print(f"已生成迁移文件：{path}\n请检查其内容（尤其是 SQLite 与 PostgreSQL 的差异）后再提交。")
    return 0
