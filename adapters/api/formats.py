"""Formats every department adapter needs: department timestamps in China Standard Time, and ID numbers
masked for logs and messages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: China Standard Time (UTC+8, no daylight saving): the local time of every department's timestamps
CHINA_TIME = timezone(timedelta(hours=8))


def parse_china_time(text: object, fmt: str) -> datetime | None:
    """A department's local timestamp in ``fmt`` (e.g. ``"%Y%m%d%H%M%S"``) -> an aware datetime; None when
    it is absent or unreadable (a missing acceptance time is not a reason to fail a submission)."""
    try:
        return datetime.strptime(str(text), fmt).replace(tzinfo=CHINA_TIME)
    except (TypeError, ValueError):
        return None


def format_china_time(when: datetime, fmt: str) -> str:
    """``when`` as a department's local timestamp in ``fmt``. A naive datetime is taken as UTC, so the result
    never depends on the workstation's time zone (rendering stays deterministic)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
    return aware.astimezone(CHINA_TIME).strftime(fmt)


def mask_id(number: str) -> str:
    """An ID number fit for a log line or a message: ``330106********131X`` (first 6, last 4); anything of
    10 characters or fewer is masked completely."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) > 10 else "*" * len(number)
