"""The one source of "now" for the core. Services take a clock so tests can move time (lockouts,
due dates) without sleeping; nothing in desktop/ should call datetime.now() directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

#: A clock returns an aware datetime in UTC.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
