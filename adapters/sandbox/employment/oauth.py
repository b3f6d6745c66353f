"""OAuth2 client-credentials tokens (RFC 6749 §4.4) with a lifetime, as the employment gateway issues them."""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs


class TokenIssuer:
    """Issues bearer tokens to known clients and says whether a presented token is still valid."""

    def __init__(self, clients: Mapping[str, str], ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clients = dict(clients)
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self.issued = 0

    def client_from(self, authorization: str | None, form_body: bytes) -> tuple[str | None, str | None, str]:
        """(client_id, client_secret, grant_type) from HTTP Basic or the form body (both are allowed)."""
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        cid, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            if ":" in decoded:
                cid, _, secret = decoded.partition(":")
        return cid, secret, form.get("grant_type", "")

    def authenticate(self, client_id: str | None, client_secret: str | None) -> bool:
        if not client_id or client_secret is None:
            return False
        expected = self._clients.get(client_id)
        return expected is not None and secrets.compare_digest(expected.encode(), client_secret.encode())

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = self._clock()
            # forget long-dead tokens so a long demo does not grow without bound
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now - 3600}
            self._tokens[token] = now + self.ttl_s
            self.issued += 1
        return token

    def check(self, authorization: str | None) -> str | None:
        """None when the bearer token is valid, else the reason (for the WWW-Authenticate header)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return "missing"
        token = authorization[7:].strip()
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None:
            return "The access token is unknown"
        if self._clock() >= expires:
            return "The access token expired"
        return None

    def revoke_all(self) -> int:
        """Invalidate every token (what a gateway restart or key rotation does to its clients)."""
        with self._lock:
            n = len(self._tokens)
            self._tokens.clear()
        return n

    def active(self) -> int:
        now = self._clock()
        with self._lock:
            return sum(1 for exp in self._tokens.values() if exp > now)
