"""The platform's gate: app key + HMAC-SHA256 signature, timestamp freshness and nonce replay protection.

String to sign: ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(body)``, PATH as sent (no query strings are
used by this platform); X-Signature is the lowercase hex HMAC-SHA256 of it under the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Denial:
    http_status: int
    code: str
    msg: str


MISSING = Denial(401, "40100", "缺少签名参数")
UNKNOWN_APP = Denial(401, "40101", "应用标识无效")
BAD_SIGNATURE = Denial(401, "40102", "签名校验失败")
STALE = Denial(401, "40103", "请求时间戳超出允许范围")
REPLAYED = Denial(401, "40104", "请求已被处理（随机数重复）")


class RequestVerifier:
    """Checks one request's signature headers. Thread-safe; remembers nonces for twice the allowed skew."""

    def __init__(self, app_secrets: Mapping[str, str], *, max_skew_s: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._secrets = dict(app_secrets)
        self.max_skew_s = max_skew_s
        self._clock = clock
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], float] = {}
        #: prune when the table reaches this size; doubled after a prune that frees little, so a busy
        #: platform (thousands of requests inside the window) is not rescanned on every request
        self._prune_at = 4096

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Denial | None:
        app_key = headers.get("x-app-key", "")
        timestamp = headers.get("x-timestamp", "")
        nonce = headers.get("x-nonce", "")
        signature = headers.get("x-signature", "")
        if not (app_key and timestamp and nonce and signature) or not 8 <= len(nonce) <= 64:
            return MISSING
        secret = self._secrets.get(app_key)
        if secret is None:
            return UNKNOWN_APP
        text = "\n".join((method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()))
        expected = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            return BAD_SIGNATURE
        try:
            sent_s = int(timestamp) / 1000.0
        except ValueError:
            return STALE
        now = self._clock()
        if abs(now - sent_s) > self.max_skew_s:
            return STALE
        with self._lock:
            horizon = now - 2 * self.max_skew_s
            if len(self._nonces) > self._prune_at:
                self._nonces = {k: t for k, t in self._nonces.items() if t > horizon}
                self._prune_at = max(4096, 2 * len(self._nonces))
            seen = self._nonces.get((app_key, nonce))
            if seen is not None and seen > horizon:
                return REPLAYED
            self._nonces[(app_key, nonce)] = now
        return None
