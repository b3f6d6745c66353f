"""``python main.py sandbox``: run every department sandbox on loopback until Ctrl-C or SIGTERM.

Fixed ports by default (servers.DEFAULT_PORTS), so a workstation's adapter settings can point at them;
``--port-base N`` puts them on N, N+1, ... instead. Also runnable alone: ``python -m adapters.sandbox.cli``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from .base import DEFAULT_ACCOUNTS, SandboxServer
from .servers import DEFAULT_PORTS, SANDBOXES, start_all

_NAMES = {"social_security": "人社", "medical_insurance": "医保", "employment": "就业", "public_data": "公共数据平台"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sandbox", help="启动四个部门的沙箱接口（本机回环地址），按 Ctrl-C 停止",
                                   description="启动人社、医保、就业、公共数据平台的沙箱服务，供演示与联调使用。")
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    first = min(DEFAULT_PORTS.values())
    parser.add_argument("--port-base", type=int, metavar="PORT",
                        help=f"从该端口起依次使用连续端口（默认固定端口 {first} 起）")
    parser.add_argument("--session-ttl", type=float, default=1800.0, metavar="SECONDS",
                        help="部门会话（票据、签到号、令牌）有效期，秒（默认 1800）")
    parser.add_argument("--review-after", type=float, default=20.0, metavar="SECONDS",
                        help="受理后多少秒进入审核中（默认 20）")
    parser.add_argument("--decide-after", type=float, default=60.0, metavar="SECONDS",
                        help="受理后多少秒给出审核结果（默认 60）")


def run(args: argparse.Namespace) -> int:
    port_base: int | None = args.port_base
    if port_base is not None and not 1 <= port_base <= 65535 - len(SANDBOXES):
        print(f"端口起始值 {port_base} 无效，应在 1～{65535 - len(SANDBOXES)} 之间", file=sys.stderr)
        return 2
    stop = threading.Event()
    try:
        servers = start_all(fixed_ports=port_base is None, port_base=port_base, session_ttl_s=args.session_ttl,
                            review_after_s=args.review_after, decide_after_s=args.decide_after)
    except OSError as exc:
        print(f"沙箱启动失败：端口被占用或无法监听（{exc.strerror or exc}）。可用 --port-base 换一组端口。",
              file=sys.stderr)
        return 1
    previous = _install_sigterm(stop)
    try:
        _announce(servers)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        for server in servers.values():
            server.stop()
        print("沙箱已停止。", flush=True)
    return 0


def _install_sigterm(stop: threading.Event) -> Any:
    """SIGTERM stops the loop like Ctrl-C. Only the main thread may set handlers (tests call run elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return signal.signal(signal.SIGTERM, on_term)


def _announce(servers: dict[str, SandboxServer]) -> None:
    print("部门沙箱已启动（按 Ctrl-C 停止）：")
    for dept, server in servers.items():
        print(f"  {_NAMES.get(dept, dept)}\t{dept}\t{server.url}")
    for account, password in DEFAULT_ACCOUNTS.items():
        print(f"沙箱账号：{account}  密码：{password}（仅用于沙箱）")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adapters.sandbox.cli", description="启动四个部门的沙箱接口")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
