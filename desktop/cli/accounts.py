"""`python main.py accounts add|disable|reset|list`: local accounts for the IT administrator.

Passwords are typed at a prompt (twice) or piped with --password-stdin, never given as an argument
(it would stay in the shell history and the process list)."""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from typing import Any

from desktop.errors import UserFacingError
from desktop.security.accounts import Role, UserSummary


class PasswordInputError(UserFacingError):
    pass


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("accounts", help="本地账号：新增、停用、重置密码、列表")
    actions = parser.add_subparsers(title="操作", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="新增账号")
    add.add_argument("username", help="登录名")
    add.add_argument("--name", required=True, help="姓名（界面显示）")
    add.add_argument("--role", required=True, choices=[r.value for r in Role],
                     help="角色：clerk 窗口人员，supervisor 值班长，admin 系统管理员")
    add.add_argument("--counter", default="", help="窗口，例如 3号窗口")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    add.set_defaults(handler=run, accounts_action="add")

    disable = actions.add_parser("disable", help="停用账号")
    disable.add_argument("username")
    disable.set_defaults(handler=run, accounts_action="disable")

    reset = actions.add_parser("reset", help="重置密码并解除锁定")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（一行）")
    reset.set_defaults(handler=run, accounts_action="reset")

    listing = actions.add_parser("list", help="列出全部账号")
    listing.set_defaults(handler=run, accounts_action="list")


def run(args: argparse.Namespace) -> int:
    action = args.accounts_action
    if action in ("add", "reset"):
        # Ask before opening the database, so a typo at the prompt costs nothing.
        password = _read_password(args.password_stdin)
    app = args.build_app()
    accounts = app.accounts
    if action == "add":
        user = accounts.add_user(None, args.username, args.name, args.role, args.counter, password)
        print(f"已新增账号 {user.username}（{user.display_name}，{user.role.label_zh}）")
    elif action == "disable":
        accounts.disable_user(None, args.username)
        print(f"已停用账号 {args.username}")
    elif action == "reset":
        accounts.reset_password(None, args.username, password)
        print(f"已重置账号 {args.username} 的密码，并解除锁定")
    else:
        _print_users(accounts.list_users(None), app.clock())
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PasswordInputError("no password on stdin", "标准输入中没有密码")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise PasswordInputError("no terminal for the password prompt",
                                 "当前不是交互终端，无法输入密码；请使用 --password-stdin 从标准输入提供密码")
    first = getpass.getpass("密码：")
    second = getpass.getpass("再次输入密码：")
    if first != second:
        raise PasswordInputError("passwords differ", "两次输入的密码不一致，未做任何修改")
    return first


def _print_users(users: list[UserSummary], now: Any) -> None:
    if not users:
        print("还没有任何账号。用 `python main.py accounts add 登录名 --name 姓名 --role admin` 新增管理员。")
        return
    print(_row("登录名", 16) + _row("姓名", 14) + _row("角色", 12) + _row("窗口", 12) + "状态")
    for summary in users:
        user = summary.user
        if summary.disabled:
            state = "已停用"
        elif summary.locked_until is not None and summary.locked_until > now:
            state = f"锁定至 {summary.locked_until.astimezone():%H:%M}"
        else:
            state = "正常"
        print(_row(user.username, 16) + _row(user.display_name, 14) + _row(user.role.label_zh, 12)
              + _row(user.counter or "-", 12) + state)


def _row(text: str, width: int) -> str:
    """Pad to `width` terminal columns; a Chinese character takes two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)
