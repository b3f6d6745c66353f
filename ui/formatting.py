"""Small display helpers shared by screens (times and masked identifiers)."""

from __future__ import annotations

from datetime import datetime

from desktop.identity import mask_id_number


def local_time(moment: datetime, *, now: datetime | None = None) -> str:
    """``HH:MM`` for today, ``YYYY-MM-DD HH:MM`` otherwise, in the workstation's local time zone."""
    local = moment.astimezone() if moment.tzinfo else moment
    today = (now or datetime.now(local.tzinfo)).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


def mask_id(value: str | None) -> str:
    """A citizen id as a list may show it: masked (values stored masked pass through unchanged)."""
    if not value:
        return ""
    return value if "*" in value else mask_id_number(value)
