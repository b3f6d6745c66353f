"""Misbehaving back-ends on 127.0.0.1 for the error-mapping checks: a port nobody listens on, a black hole
that accepts connections and never answers, and a server that answers every request with garbage."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GARBAGE = b"\xff\xfe<<this is not a department reply>>\x00\x81"


class _LoopbackPort:
    """A TCP socket bound on 127.0.0.1; stopping it releases the port."""

    def __init__(self, *, listen: bool) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        if listen:
            self._sock.listen(64)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def stop(self) -> None:
        self._sock.close()

    def __enter__(self) -> _LoopbackPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ClosedPort(_LoopbackPort):
    """A reserved port that refuses connections: bound (so nobody else takes it) but not listening."""

    def __init__(self) -> None:
        super().__init__(listen=False)


class BlackHole(_LoopbackPort):
    """Accepts TCP connections (the kernel completes the handshake from the backlog) and never answers,
    like a back-end that hangs behind a load balancer. Stopping it resets every waiting connection."""

    def __init__(self) -> None:
        super().__init__(listen=True)


class _GarbageHandler(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(GARBAGE)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(GARBAGE)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _reply

    def log_message(self, fmt: str, *args: Any) -> None:
        pass  # the kit reports what matters; request lines would only clutter its output


class GarbageServer:
    """Answers every request, any path and method, with HTTP 200 and a body no adapter can read."""

    def __init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _GarbageHandler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="conformance-garbage", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> GarbageServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
