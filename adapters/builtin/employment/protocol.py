"""The employment gateway's HTTP protocol: OAuth2 client-credentials tokens, bearer calls, 429 back-off,
RFC 7807 problems, and the mapping of every failure onto the SDK's errors."""

from __future__ import annotations

import email.utils
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import requests

from adapters.api import (
    AdapterError, AuthError, ConfigError, ConsentError, Credentials, MalformedReplyError, NotFoundError,
    RejectedError, SessionExpired, UnavailableError,
)
from adapters.api.http import send

#: when the gateway throttles without saying for how long, wait this long before the one retry
DEFAULT_RETRY_AFTER_S = 1.0


@dataclass(frozen=True)
class Problem:
    """An RFC 7807 problem as the gateway sent it; ``code`` is the last segment of its ``type``."""

    status: int
    code: str
    title: str
    detail: str

    @property
    def text_zh(self) -> str:
        return self.title if not self.detail or self.detail == self.title else f"{self.title}：{self.detail}"


def read_problem(resp: requests.Response) -> Problem:
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, Mapping):
        return Problem(resp.status_code, "", "", resp.text[:200])
    ptype = str(data.get("type") or "")
    return Problem(resp.status_code, ptype.rstrip("/").rsplit("/", 1)[-1], str(data.get("title") or ""),
                   str(data.get("detail") or ""))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class ThrottleBudget:
    """How long one adapter operation may spend waiting out 429s in all. A wait that would overrun the
    budget is not started: the clerk learns at once that the department is throttling. Shared by the
    concurrent requests of one operation; their waits add up even when they overlap (erring on the side of
    answering the clerk sooner)."""

    def __init__(self, limit_s: float, closed: threading.Event, adapter_id: str, logger: logging.Logger) -> None:
        self.limit_s = limit_s
        self.spent_s = 0.0
        self._closed = closed
        self._adapter_id = adapter_id
        self._log = logger
        self._lock = threading.Lock()

    def wait(self, seconds: float, what: str) -> None:
        with self._lock:
            left = self.limit_s - self.spent_s
            if seconds > left:
                raise UnavailableError(
                    f"{what}: throttled (429), Retry-After {seconds:g}s exceeds the remaining wait budget "
                    f"{left:.2f}s", adapter_id=self._adapter_id, department_code="429",
                    message_zh="就业服务中心接口限流，请稍后再试")
            self.spent_s += seconds
        self._log.info("%s: %s throttled (429), waiting %gs as Retry-After asks", self._adapter_id, what, seconds)
        if self._closed.wait(seconds):
            raise UnavailableError(f"{what}: adapter closed while waiting out a 429", adapter_id=self._adapter_id)


class EmploymentClient:
    """One gateway: base URL, HTTP session, timeout. Knows the protocol, not the canonical fields."""

    def __init__(self, session: requests.Session, endpoint: str, *, adapter_id: str, timeout: float,
                 clock: Callable[[], datetime]) -> None:
        self._session = session
        self._base = endpoint.rstrip("/")
        self._id = adapter_id
        self.timeout = timeout
        self._clock = clock

    def url(self, path: str) -> str:
        return self._base + path

    def send_once(self, method: str, path: str, *, token: str | None = None,
                  headers: Mapping[str, str] | None = None, **kw: Any) -> requests.Response:
        """One attempt. A 401 invalid_token raises SessionExpired (for the SessionKeeper); a 429 is returned."""
        hdrs = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        resp = send(self._session, method, self.url(path), adapter_id=self._id, timeout=self.timeout,
                    headers=hdrs, **kw)
        if resp.status_code == 401 and token is not None and \
                "invalid_token" in resp.headers.get("WWW-Authenticate", ""):
            raise SessionExpired(f"{method} {path}: access token rejected")
        return resp

    def throttled(self, resp: requests.Response, budget: ThrottleBudget, what: str) -> bool:
        """True after waiting out a 429 (the caller then tries again); raises when the wait is over budget."""
        if resp.status_code != 429:
            return False
        wait = parse_retry_after(resp.headers.get("Retry-After"), self._clock())
        budget.wait(DEFAULT_RETRY_AFTER_S if wait is None else wait, what)
        return True

    def request(self, method: str, path: str, budget: ThrottleBudget, **kw: Any) -> requests.Response:
        """Send without a token, waiting out 429s within ``budget``."""
        while True:
            resp = self.send_once(method, path, **kw)
            if not self.throttled(resp, budget, f"{method} {path}"):
                return resp

    def fetch_token(self, credentials: Credentials, budget: ThrottleBudget) -> tuple[str, float]:
        """(access_token, expires_in seconds) by client credentials over HTTP Basic."""
        resp = self.request("POST", "/oauth/token", budget, data={"grant_type": "client_credentials"},
                            auth=(credentials.account, credentials.secret))
        if resp.status_code in (400, 401):
            err = self._oauth_error(resp)
            if err == "invalid_client" or resp.status_code == 401:
                raise AuthError(f"token endpoint refused client {credentials.account!r}: {err}",
                                adapter_id=self._id, department_code=err or None,
                                message_zh="就业服务中心拒绝了部门账号（客户端标识或密钥错误）")
            raise ConfigError(f"token endpoint refused the request: {err}", adapter_id=self._id,
                              department_code=err or None)
        data = self.json_of(resp, "token")
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float) or expires_in <= 0:
            raise MalformedReplyError("token reply lacks access_token or a positive expires_in",
                                      adapter_id=self._id)
        if str(data.get("token_type", "")).lower() != "bearer":
            raise MalformedReplyError(f"token_type {data.get('token_type')!r} is not Bearer", adapter_id=self._id)
        return token, float(expires_in)

    @staticmethod
    def _oauth_error(resp: requests.Response) -> str:
        try:
            return str(resp.json().get("error", ""))
        except (ValueError, AttributeError):
            return ""

    def json_of(self, resp: requests.Response, what: str) -> dict[str, Any]:
        """The JSON object of a 2xx reply; any other status becomes its SDK error."""
        self.raise_for(resp, what)
        try:
            data = json.loads(resp.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedReplyError(f"{what}: reply is not JSON ({exc.__class__.__name__}: {exc})",
                                      adapter_id=self._id) from exc
        if not isinstance(data, dict):
            raise MalformedReplyError(f"{what}: reply is a {type(data).__name__}, not a JSON object",
                                      adapter_id=self._id)
        return data

    def raise_for(self, resp: requests.Response, what: str) -> None:
        status = resp.status_code
        if 200 <= status < 300:
            return
        p = read_problem(resp)
        detail = f"{what}: HTTP {status} {p.code or '(no problem type)'}"
        code = p.code or str(status)
        kw: dict[str, Any] = {"adapter_id": self._id, "department_code": code}
        if p.text_zh:
            kw["message_zh"] = f"就业服务中心：{p.text_zh}"
        if status in (401, 403) and p.code == "consent-required":
            raise ConsentError(detail, **kw)
        if status in (401, 403):
            raise AuthError(detail, **kw)
        if status == 404:
            raise NotFoundError(detail, **kw)
        if status in (400, 409, 422):
            raise RejectedError(detail, reason=p.detail or p.title, **kw)
        if status == 429:
            raise UnavailableError(detail, **{**kw, "message_zh": "就业服务中心接口限流，请稍后再试"})
        if status >= 500:
            raise UnavailableError(detail, **kw)
        raise AdapterError(detail, **kw)
