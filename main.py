"""OneWindow (一窗通) composition root and command line.

    python main.py                 start the workstation
    python main.py --demo          start it on a throwaway database with demo accounts
    python main.py COMMAND ...     run a headless command (db, accounts, audit, catalog, adapters...)

Each command lives in its own module (CLI_MODULES) exposing `register(subparsers)` and `run(args)`;
a command gets the workstation through `args.build_app()`, which builds it on first use, so a
command that needs no database (catalog check) never opens one.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import logging.handlers
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

log = logging.getLogger("onewindow")

CLI_MODULES: tuple[str, ...] = (
    "desktop.cli.db",
    "desktop.cli.accounts",
    "desktop.cli.audit",
    "desktop.cli.catalog",
    "desktop.cli.adapters",
    "desktop.cli.reader",
    "desktop.cli.dispatch",
    "adapters.sandbox.cli",
)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_COUNT = 5


class CliParser(argparse.ArgumentParser):
    """argparse, but a mistake is one clear line (not the whole usage) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: 命令行参数有误：{message}\n"
                     f"运行 `{self.prog} --help` 查看用法。\n")


def build_parser(prog: str = "main.py") -> CliParser:
    parser = CliParser(prog=prog, description="一窗通综合窗口工作站。不带命令时启动图形界面。")
    parser.add_argument("--demo", action="store_true", default=None,
                        help="演示模式：临时数据库、演示账号（启动时打印密码）、演示读卡器")
    parser.add_argument("--db", metavar="URL", dest="db_url",
                        help="数据库地址，例如 postgresql+psycopg://用户@主机:5432/库名（默认：本机 SQLite）")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（SQLite 文件与日志）")
    parser.add_argument("--reader", metavar="SPEC", help="身份证读卡器，例如 sam:/dev/ttyUSB0、manual、demo")
    parser.add_argument("--config", metavar="FILE", help="设置文件（默认：用户配置目录下的 settings.toml）")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="WARNING", type=str.upper,
                        help="终端日志级别（日志文件始终记录 INFO 及以上）")
    subparsers = parser.add_subparsers(title="命令", metavar="COMMAND")
    for name in CLI_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def configure_logging(data_dir: Path, level: str) -> list[logging.Handler]:
    """stderr at `level` plus a rotating file in the data dir; both mask ID numbers. Returns the
    handlers so the caller can remove them (tests call main() many times in one process)."""
    from desktop.security.redact import IdNumberMaskFilter

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if level == "DEBUG" else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(level)
    handlers: list[logging.Handler] = [stderr]
    try:
        log_dir = data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        file = logging.handlers.RotatingFileHandler(log_dir / "onewindow.log", maxBytes=LOG_FILE_BYTES,
                                                    backupCount=LOG_FILE_COUNT, encoding="utf-8")
        file.setLevel(logging.DEBUG if level == "DEBUG" else logging.INFO)
        handlers.append(file)
    except OSError as exc:
        print(f"无法写入日志文件（{data_dir}）：{exc.strerror or exc}；日志只输出到终端", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(IdNumberMaskFilter())
        root.addHandler(handler)
    return handlers


def _remove_logging(handlers: list[logging.Handler], level: int) -> None:
    root = logging.getLogger()
    for handler in handlers:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or Path(sys.argv[0]).name or "onewindow"
    args = build_parser(prog).parse_args(argv)

    from desktop.settings import SettingsError, load_settings

    overrides = {"db_url": args.db_url, "data_dir": args.data_dir, "reader": args.reader, "demo": args.demo}
    try:
        settings = load_settings(args.config, overrides)
    except SettingsError as exc:
        print(exc.message_zh, file=sys.stderr)
        return 2
    for problem in settings.problems:
        print(f"设置提示：{problem}", file=sys.stderr)

    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    with contextlib.ExitStack() as stack:
        previous_level = logging.getLogger().level
        stack.callback(_remove_logging, configure_logging(settings.data_dir, args.log_level), previous_level)
        if settings.demo:
            from desktop.demo import demo_settings

            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="onewindow-demo-")))
            settings = demo_settings(settings, workdir)
        args.settings = settings
        args.build_app = _lazy_app_builder(settings, stack, announce_to=sys.stderr if handler else sys.stdout)
        try:
            if handler is not None:
                return handler(args)
            return _run_gui(args.build_app, [prog, *argv])
        except Exception as exc:  # noqa: BLE001 - the one place that turns failures into a message
            message_zh = getattr(exc, "message_zh", None)
            if message_zh is None:
                raise
            # The clerk-facing message goes to the terminal; the English detail to the log file.
            log.info("command failed: %s: %s", type(exc).__name__, exc)
            print(message_zh, file=sys.stderr)
            return 1
    return 0  # unreachable; keeps type checkers content


def _lazy_app_builder(settings: Any, stack: contextlib.ExitStack, announce_to: Any) -> Callable[[], Any]:
    built: list[Any] = []

    def build_app() -> Any:
        if built:
            return built[0]
        from desktop.bootstrap import build_app as build

        app = build(settings)
        stack.callback(app.close)
        built.append(app)
        if settings.demo:
            from desktop.demo import seed_demo

            passwords = seed_demo(app)
            print("演示模式（临时数据库，退出后删除）。演示账号：", file=announce_to)
            for username, password in passwords.items():
                print(f"  {username}  密码 {password}", file=announce_to)
            _start_demo_backends(app, stack, announce_to)
            announce_to.flush()
        return app

    return build_app


def _start_demo_backends(app: Any, stack: contextlib.ExitStack, announce_to: Any) -> None:
    """--demo: the four department sandboxes on loopback, and every built-in adapter pointed at its
    sandbox with the sandbox account, as an administrator would configure a real hall."""
    from adapters.sandbox.base import DEFAULT_ACCOUNTS
    from adapters.sandbox.servers import start_all
    from desktop.services.demo_backends import seed_backend_accounts

    if not app.secrets.available():
        # A bare machine has no system keyring. The sandbox accounts are throwaway demo values, so they
        # are held in this process's memory only (never written anywhere); a real workstation still
        # refuses to run its department logins without a system keyring.
        import keyring

        from desktop.security.memory_keyring import MemoryKeyring

        keyring.set_keyring(MemoryKeyring())
        print("演示模式：本机没有系统密钥环，沙箱部门账号仅保存在本进程内存中。", file=announce_to)
    # Statuses move on by themselves (in review after 20 s, decided after 60 s) so a demo shows progress.
    servers = start_all(review_after_s=20.0, decide_after_s=60.0)
    stack.callback(lambda: [server.stop() for server in servers.values()])
    seed_backend_accounts(app.registry, app.secrets, {dept: s.url for dept, s in servers.items()},
                          DEFAULT_ACCOUNTS)
    print("部门沙箱（本机回环地址）：", file=announce_to)
    for dept, server in servers.items():
        print(f"  {dept}  {server.url}", file=announce_to)


def _run_gui(build_app: Callable[[], Any], qt_argv: list[str]) -> int:
    try:
        ui_app = importlib.import_module("ui.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("ui.app", "ui"):
            raise
        print("无法启动图形界面：未找到界面模块 ui.app。可用 `python main.py --help` 查看命令行功能。",
              file=sys.stderr)
        return 1
    return int(ui_app.run_gui(build_app(), qt_argv))


def cli_entry() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    cli_entry()
