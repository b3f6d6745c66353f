"""The four department sandboxes in a process of their own, as the departments are at a real counter
(remote machines): the workstation process under measurement then holds only its own threads, and the
sandboxes' request handling no longer competes with the GUI thread for the GIL.

Child side (``python tests/benchmarks/_sandbox_process.py``): starts every sandbox on an ephemeral
loopback port, prints one JSON line ``{department: url}``, and serves until its stdin closes (so it
never outlives the benchmark, even one killed mid-run). Parent side: ``sandbox_process()``.
Faults are set over each sandbox's own control API (``POST /_control/faults``), as a remote test rig would.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RemoteSandboxes:
    """The sandboxes of a child process, seen from the benchmark: their URLs and their control API."""

    urls: dict[str, str]
    process: subprocess.Popen[str]

    def set_faults(self, **faults: Any) -> None:
        body = json.dumps(faults).encode("utf-8")
        for department, url in self.urls.items():
            request = urllib.request.Request(f"{url}/_control/faults", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 - loopback URL we started
                if reply.status != 200:
                    raise RuntimeError(f"{department} sandbox refused the faults {faults}: HTTP {reply.status}")


@contextlib.contextmanager
def sandbox_process() -> Iterator[RemoteSandboxes]:
    """Start the child, wait for its URLs, and stop it (stdin closed, then terminate as a last resort)."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve())], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the child prints its URLs once every sandbox listens
        if not line:
            raise RuntimeError(f"the sandbox process exited before listening (exit code {process.wait(5)})")
        yield RemoteSandboxes(json.loads(line), process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=5)


def _serve() -> int:
    sys.path.insert(0, str(ROOT))
    from adapters.sandbox.servers import start_all

    servers = start_all()  # ephemeral ports: nothing to collide with
    try:
        print(json.dumps({department: server.url for department, server in servers.items()}), flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin (or dies)
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
