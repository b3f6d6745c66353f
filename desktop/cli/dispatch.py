"""`python main.py dispatch`: the headless dispatcher, a service for a hall's server.

Sends the outbox's department branches and follows their status until Ctrl-C or SIGTERM, which let the
calls in flight finish and be recorded before it exits. Department accounts are the same as at a counter:
the adapter's ``account`` option and its secret in this machine's OS keyring.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dispatch", help="发送待报送的部门分支并跟踪办理状态（服务模式，Ctrl-C 或 SIGTERM 停止）",
        description="后台报送服务：把已提交办件的各部门分支发送到部门系统，失败自动重试，并查询办理状态。"
                    "多台服务器可共用一个 PostgreSQL 数据库同时运行，同一分支不会重复报送。")
    parser.add_argument("--once", action="store_true", help="只处理一轮到期的分支和状态查询，然后退出")
    parser.add_argument("--name", metavar="NAME", help="本报送服务的名称（日志与分支记录中显示；默认 主机名:进程号）")
    parser.add_argument("--workers", type=_positive_int, default=8, metavar="N", help="并行发送数（默认 8）")
    parser.add_argument("--lease", type=_positive_float, default=120.0, metavar="SECONDS",
                        help="领取一个分支后独占的时长，须长于部门接口超时（默认 120 秒）")
    parser.add_argument("--poll-interval", type=_positive_float, default=1.0, metavar="SECONDS",
                        help="空闲时查看新分支的间隔（默认 1 秒）")
    parser.add_argument("--status-interval", type=_positive_float, default=60.0, metavar="SECONDS",
                        help="向部门查询办理状态的间隔（默认 60 秒）")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop.adapter_host import build_registry
    from desktop.services.backends import BackendSessions
    from desktop.services.dispatcher import Dispatcher, department_names

    app = args.build_app()
    registry = getattr(app, "registry", None) or build_registry(app.db)
    # the workstation's department sessions when it has them (closed with the app); adapters log in on
    # first use, so a server that never sends to a department never logs in there
    own = getattr(app, "backends", None) is None
    backends = BackendSessions(registry, app.secrets, app.settings, app.clock, keepalive=False) if own \
        else app.backends
    dispatcher = Dispatcher(app.db, backends, name=args.name, clock=app.clock, max_workers=args.workers,
                            lease_s=args.lease, poll_interval_s=args.poll_interval,
                            status_interval_s=args.status_interval,
                            department_names=department_names(registry, getattr(app, "fields", None)))
    try:
        if args.once:
            sent = dispatcher.run_once()
            polled = dispatcher.poll_statuses()
            print(f"本轮发送 {sent} 个分支，查询状态 {polled} 个分支。")
            return 0
        stop = threading.Event()
        previous = _on_stop_signals(stop)
        print(f"报送服务 {dispatcher.name} 已启动（并行 {args.workers}）。按 Ctrl-C 停止。", flush=True)
        try:
            dispatcher.run_forever(stop)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        print("报送服务已停止。", flush=True)
        return 0
    finally:
        dispatcher.close()
        if own:
            backends.close()


def _on_stop_signals(stop: threading.Event) -> dict[int, Any]:
    """SIGTERM (systemd, docker stop) and Ctrl-C set ``stop`` instead of interrupting: the calls in flight
    finish and are recorded. Only the main thread may install handlers; returns the previous ones."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d received: stopping after the calls in flight", signum)
        stop.set()

    return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，不能是 {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为数字，不能是 {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"应为正数，不能是 {text}")
    return value
