"""How dates and times read on a printed document (Chinese, unambiguous, no locale dependence)."""

from __future__ import annotations

from datetime import date, datetime


def format_date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_datetime_zh(moment: datetime) -> str:
    return f"{format_date_zh(moment.date())} {moment:%H:%M}"
