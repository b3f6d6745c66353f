"""The public data platform's protocol: HMAC-SHA256 request signing and the ``{code, msg, trace_id, data}``
envelope, with every platform code mapped onto the SDK's errors.

String to sign: ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(body)``; X-Signature is its lowercase hex
HMAC-SHA256 under the app secret. The platform uses no query strings, so PATH covers the whole target.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from adapters.api import (
    AdapterError, AuthError, ConfigError, ConsentError, Credentials, MalformedReplyError, NotFoundError,
    RejectedError, UnavailableError,
)
from adapters.api.http import send

#: platform code -> (SDK error class, Chinese message for the clerk)
CODE_ERRORS: dict[str, tuple[type[AdapterError], str]] = {
    "40100": (AuthError, "公共数据平台签名参数不全"),
    "40101": (AuthError, "公共数据平台不认可本应用标识，请检查部门账号"),
    "40102": (AuthError, "公共数据平台签名校验失败，请检查应用密钥"),
    "40103": (ConfigError, "本机时间与公共数据平台相差过大，请校准系统时间"),
    "40104": (UnavailableError, "公共数据平台判定请求重放，请重试"),
    "40301": (ConsentError, "公共数据平台要求群众授权凭证"),
    "40302": (ConsentError, "群众授权凭证无效或已撤销，请重新取得授权"),
}


def string_to_sign(method: str, path: str, timestamp_ms: str, nonce: str, body: bytes) -> str:
    return "\n".join((method.upper(), path, timestamp_ms, nonce, hashlib.sha256(body).hexdigest()))


def signature(secret: str, method: str, path: str, timestamp_ms: str, nonce: str, body: bytes) -> str:
    text = string_to_sign(method, path, timestamp_ms, nonce, body)
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_headers(credentials: Credentials, method: str, path: str, body: bytes, now: datetime,
                   nonce: str | None = None) -> dict[str, str]:
    """The four signature headers for one request; a fresh random nonce unless one is given."""
    timestamp_ms = str(int(now.timestamp() * 1000))
    nonce = nonce or secrets.token_hex(16)
    return {"X-App-Key": credentials.account, "X-Timestamp": timestamp_ms, "X-Nonce": nonce,
            "X-Signature": signature(credentials.secret, method, path, timestamp_ms, nonce, body)}


@dataclass(frozen=True)
class Envelope:
    code: str
    msg: str
    trace_id: str
    data: Any


def encode_body(obj: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the bytes that are hashed are exactly the bytes that are sent."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class PlatformClient:
    """One platform endpoint: signs every request and reads every reply."""

    def __init__(self, session: requests.Session, endpoint: str, *, adapter_id: str, timeout: float,
                 clock: Callable[[], datetime], credentials: Callable[[], Credentials]) -> None:
        self._session = session
        self._base = endpoint.rstrip("/")
        self._id = adapter_id
        self._timeout = timeout
        self._clock = clock
        self._credentials = credentials

    def call(self, method: str, path: str, *, body: bytes = b"", what: str) -> Envelope:
        headers = signed_headers(self._credentials(), method, path, body, self._clock())
        headers["Accept"] = "application/json"
        if body:
            headers["Content-Type"] = "application/json; charset=utf-8"
        resp = send(self._session, method, self._base + path, adapter_id=self._id, timeout=self._timeout,
                    headers=headers, data=body or None)
        env = self._read(resp, what)
        if env.code != "0":
            raise self._error(env, resp.status_code, what)
        return env

    def _read(self, resp: requests.Response, what: str) -> Envelope:
        try:
            data = json.loads(resp.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if resp.status_code >= 500:
                raise UnavailableError(f"{what}: HTTP {resp.status_code} without an envelope",
                                       adapter_id=self._id, department_code=str(resp.status_code)) from exc
            raise MalformedReplyError(f"{what}: HTTP {resp.status_code} reply is not JSON "
                                      f"({exc.__class__.__name__}: {exc})", adapter_id=self._id) from exc
        if not isinstance(data, dict) or "code" not in data:
            raise MalformedReplyError(f"{what}: reply has no envelope 'code'", adapter_id=self._id)
        return Envelope(str(data["code"]), str(data.get("msg") or ""), str(data.get("trace_id") or ""),
                        data.get("data"))

    def _error(self, env: Envelope, http_status: int, what: str) -> AdapterError:
        detail = f"{what}: platform code {env.code} (HTTP {http_status}, trace {env.trace_id or '-'})"
        kw: dict[str, Any] = {"adapter_id": self._id, "department_code": env.code}
        known = CODE_ERRORS.get(env.code)
        if known is not None:
            cls, zh = known
            return cls(detail, message_zh=zh, **kw)
        zh = f"公共数据平台：{env.msg}" if env.msg else None
        if env.code.startswith("404") or http_status == 404:
            return NotFoundError(detail, message_zh=zh, **kw)
        if env.code[:3] in ("400", "409", "422"):
            return RejectedError(detail, reason=env.msg, message_zh=zh, **kw)
        if env.code.startswith("5") or http_status >= 500:
            return UnavailableError(detail, message_zh=zh, **kw)
        return AdapterError(detail, message_zh=zh, **kw)
