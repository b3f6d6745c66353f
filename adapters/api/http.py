"""HTTP helpers for adapters: one requests.Session per adapter with the configured timeout and CA bundle,
and a precise mapping of transport failures onto the SDK's errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from .errors import AdapterTimeout, ConfigError, UnavailableError


def make_session(config: Mapping[str, Any]) -> requests.Session:
    s = requests.Session()
    ca = config.get("ca_bundle")
    if ca:
        s.verify = str(ca)
    s.trust_env = False  # never route department traffic through an environment proxy
    return s


def timeout_of(config: Mapping[str, Any]) -> float:
    try:
        return float(config.get("timeout_s") or 10.0)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"timeout_s is not a number: {config.get('timeout_s')!r}") from exc


def send(session: requests.Session, method: str, url: str, *, adapter_id: str, timeout: float,
         **kw: Any) -> requests.Response:
    """Send one request; transport failures become AdapterTimeout / UnavailableError / ConfigError."""
    try:
        return session.request(method, url, timeout=timeout, **kw)
    except requests.Timeout as exc:
        raise AdapterTimeout(f"{method} {url}: no answer within {timeout:g}s", adapter_id=adapter_id) from exc
    except requests.exceptions.SSLError as exc:
        raise ConfigError(f"{method} {url}: TLS verification failed: {exc}", adapter_id=adapter_id,
                          message_zh="部门接口证书校验失败，请检查 CA 证书配置") from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
        raise ConfigError(f"bad endpoint {url!r}: {exc}", adapter_id=adapter_id) from exc
    except requests.ConnectionError as exc:
        raise UnavailableError(f"{method} {url}: cannot connect: {exc.__class__.__name__}",
                               adapter_id=adapter_id) from exc
