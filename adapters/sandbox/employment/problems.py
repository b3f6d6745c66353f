"""RFC 7807 problem details, the way the employment gateway reports every failure (titles in Chinese)."""

from __future__ import annotations

import json

from adapters.sandbox.base import Reply

PROBLEM_BASE = "https://jiuye.sandbox.invalid/problems/"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"


def problem(status: int, code: str, title: str, detail: str = "", **headers: str) -> Reply:
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail or title}
    return Reply(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), PROBLEM_TYPE, dict(headers))
