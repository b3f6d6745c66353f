"""A tiny in-process stand-in for the fictional civil affairs (民政) marriage-record service, for tests and
for ``adapters check example_civil``. Real HTTP on 127.0.0.1, data in memory.

Protocol (JSON, UTF-8; every reply is ``{"code": "0" | "E...", "message": ..., "data": ...}``):
  POST /auth/token                 {"account", "password"} -> {"access_token", "expires_in"}; 401 E401
  GET  /v1/marriage-records?cert_no=&name=   Bearer token + X-Consent-Ref -> {"cert_no", "name", "marital_code"}
  POST /v1/applications            Bearer + Idempotency-Key -> 201 new / 200 {"duplicate": true}
  GET  /v1/applications?key=K      the application filed with that key, or 404
  GET  /v1/applications/APP_NO     {"app_no", "state": SL|SH|TG|BH, "reason"}
  GET  /v1/ping                    liveness
Expired or unknown tokens get 401 E401; a missing consent reference 403 E403; unknown people or
applications 404 E404.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: the demo account of this test back-end (never a real secret)
DEMO_ACCOUNTS = {"civil_demo": "Civil#2026"}
#: department marital codes (GB/T 4766 style) of the demo citizens; everyone else is "10" (unmarried)
MARITAL_CODES = {"retiree_m": "21", "retiree_f": "40", "unemployed": "10", "flexjob": "22", "retiree_m2": "30"}


@dataclass
class _Application:
    app_no: str
    key: str
    body: Any
    state: str = "SL"  # 受理 received; SH in review; TG approved; BH rejected
    reason: str = ""


class CivilAffairsServer:
    def __init__(self, *, port: int = 0, token_ttl_s: float = 300.0,
                 accounts: dict[str, str] | None = None) -> None:
        self.accounts = dict(accounts or DEMO_ACCOUNTS)
        self.token_ttl_s = token_ttl_s
        self._tokens: dict[str, float] = {}
        self._apps_by_key: dict[str, _Application] = {}
        self._apps: dict[str, _Application] = {}
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.people = self._seed()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @staticmethod
    def _seed() -> dict[str, dict[str, str]]:
        text = (resources.files("resources") / "demo" / "citizens.toml").read_text(encoding="utf-8")
        citizens = tomllib.loads(text)["citizens"]
        return {c["id_number"]: {"name": c["name"], "marital_code": MARITAL_CODES.get(key, "10")}
                for key, c in citizens.items()}

    def start(self) -> CivilAffairsServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="civil-affairs-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> CivilAffairsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------------------------
    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def decide(self, app_no: str, state: str, reason: str = "") -> None:
        with self._lock:
            app = self._apps[app_no]
            app.state, app.reason = state, reason

    def applications(self) -> list[str]:
        with self._lock:
            return list(self._apps)

    # -- protocol ---------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: Any,
               body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/v1/ping":
            return 200, {"code": "0", "message": "ok"}
        if method == "POST" and path == "/auth/token":
            return self._login(body)
        if not self._authorised(headers.get("Authorization", "")):
            return 401, {"code": "E401", "message": "令牌无效或已过期"}
        if method == "GET" and path == "/v1/marriage-records":
            if not headers.get("X-Consent-Ref"):
                return 403, {"code": "E403", "message": "缺少当事人授权"}
            person = self.people.get(query.get("cert_no", [""])[0])
            if person is None:
                return 404, {"code": "E404", "message": "无婚姻登记记录"}
            return 200, {"code": "0", "data": {"cert_no": query["cert_no"][0], **person}}
        if method == "POST" and path == "/v1/applications":
            return self._file(headers.get("Idempotency-Key", ""), body)
        if method == "GET" and path == "/v1/applications":
            with self._lock:
                app = self._apps_by_key.get(query.get("key", [""])[0])
            if app is None:
                return 404, {"code": "E404", "message": "无此申请"}
            return 200, {"code": "0", "data": {"app_no": app.app_no}}
        if method == "GET" and path.startswith("/v1/applications/"):
            with self._lock:
                app = self._apps.get(path.rsplit("/", 1)[1])
            if app is None:
                return 404, {"code": "E404", "message": "无此申请"}
            return 200, {"code": "0", "data": {"app_no": app.app_no, "state": app.state, "reason": app.reason}}
        return 404, {"code": "E404", "message": "无此接口"}

    def _login(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"code": "E400", "message": "请求格式错误"}
        if self.accounts.get(data.get("account")) != data.get("password"):
            return 401, {"code": "E401", "message": "账号或口令错误"}
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl_s
        return 200, {"code": "0", "data": {"access_token": token, "expires_in": self.token_ttl_s}}

    def _authorised(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and time.monotonic() < expires

    def _file(self, key: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if not key:
            return 400, {"code": "E400", "message": "缺少幂等键"}
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, {"code": "E400", "message": "请求格式错误"}
        with self._lock:
            existing = self._apps_by_key.get(key)
            if existing is not None:
                return 200, {"code": "0", "data": {"app_no": existing.app_no, "duplicate": True}}
            app = _Application(app_no=f"MZ{next(self._seq):08d}", key=key, body=payload)
            self._apps_by_key[key] = self._apps[app.app_no] = app
        return 201, {"code": "0", "data": {"app_no": app.app_no, "duplicate": False}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, reply = server.handle(self.command, parts.path, parse_qs(parts.query), self.headers, body)
                data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, fmt: str, *args: Any) -> None:
                pass

        return Handler


def start_server(**options: Any) -> CivilAffairsServer:
    """The ``sandbox`` starter named in manifest.toml: a running server on an ephemeral port."""
    return CivilAffairsServer(**options).start()
