"""`python main.py sandbox`: a real process serving every department sandbox until SIGTERM."""

from __future__ import annotations

import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.sandbox.servers import SANDBOXES

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"^\s*\S+\t(?P<dept>[a-z_]+)\t(?P<url>http://127\.0\.0\.1:\d+)$")


def _free_port_base(count: int) -> int:
    """A base port with ``count`` consecutive free ports (checked by binding each)."""
    for _ in range(50):
        base = random.randint(20000, 60000)
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port range found")


def _reader(stream, lines: queue.Queue[str | None]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)  # the process closed its output


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(*argv: str) -> tuple[subprocess.Popen[str], queue.Queue[str | None]]:
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, text=True, encoding="utf-8",
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
        return proc, lines

    yield start
    for proc in procs:  # only if a test failed half-way
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def _wait_for_urls(lines: queue.Queue[str | None], want: int,
                   timeout: float = 30.0) -> tuple[dict[str, str], list[str]]:
    urls: dict[str, str] = {}
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while len(urls) < want:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"sandbox did not announce its URLs; output so far: {seen}") from None
        if line is None:
            raise AssertionError(f"sandbox exited before announcing its URLs; output: {seen}")
        seen.append(line)
        m = URL_LINE.match(line)
        if m:
            urls[m["dept"]] = m["url"]
        if time.monotonic() > deadline:
            raise AssertionError(f"sandbox did not announce its URLs; output so far: {seen}")
    return urls, seen


@pytest.mark.parametrize("command", [("main.py", "sandbox"), ("-m", "adapters.sandbox.cli")],
                         ids=["main.py", "module"])
def test_sandbox_command_serves_every_department_and_stops_cleanly_on_sigterm(spawn, command) -> None:  # type: ignore[no-untyped-def]
    base = _free_port_base(len(SANDBOXES))
    proc, lines = spawn(*command, "--port-base", str(base))
    urls, seen = _wait_for_urls(lines, len(SANDBOXES))
    assert sorted(urls) == sorted(SANDBOXES)
    assert sorted(int(u.rsplit(":", 1)[1]) for u in urls.values()) == list(range(base, base + len(SANDBOXES)))
    for dept, url in urls.items():
        records = requests.get(f"{url}/_control/records", timeout=5)
        assert records.status_code == 200 and records.json()["department"] == dept
    while len(seen) < len(SANDBOXES) + 2:  # the account line follows the URLs
        seen.append(lines.get(timeout=5) or "")
    assert any("ow_demo" in line for line in seen)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    rest = []
    while (line := lines.get(timeout=5)) is not None:
        rest.append(line)
    assert "沙箱已停止。" in rest
    assert not any("Traceback" in line for line in seen + rest)
    for url in urls.values():
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/_control/records", timeout=2)


def test_a_port_in_use_is_a_clear_message_not_a_traceback(spawn) -> None:  # type: ignore[no-untyped-def]
    base = _free_port_base(len(SANDBOXES))
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", base + 1))
    blocker.listen(1)
    try:
        proc, lines = spawn("-m", "adapters.sandbox.cli", "--port-base", str(base))
        assert proc.wait(timeout=30) == 1
    finally:
        blocker.close()
    output = []
    while (line := lines.get(timeout=5)) is not None:
        output.append(line)
    assert any("端口被占用" in line for line in output), output
    assert not any("Traceback" in line for line in output)
