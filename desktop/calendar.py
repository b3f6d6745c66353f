"""Working days for due dates: official holidays and adjusted working days, plus local overrides.

chinese_calendar knows the State Council's holiday arrangements only for the years it was
released with (it raises NotImplementedError for others); for those years we fall back to
Monday-Friday and `knows_year` lets the UI warn that due dates are approximate.
A local override file adds closures (e.g. a typhoon day) and extra working days.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import chinese_calendar

from desktop.toml_file import TomlFileError, read_toml

log = logging.getLogger(__name__)


class CalendarError(ValueError):
    """The override file is unreadable or contradicts itself; `message_zh` says where."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


class WorkingCalendar:
    def __init__(self, overrides_path: Path | Traversable | None = None) -> None:
        """`overrides_path` None reads the packaged resources/calendar/overrides.toml."""
        source = overrides_path if overrides_path is not None else (
            resources.files("resources").joinpath("calendar", "overrides.toml"))
        label = str(overrides_path) if overrides_path is not None else "resources/calendar/overrides.toml"
        self.extra_holidays: dict[date, str] = {}
        self.extra_working_days: dict[date, str] = {}
        self._known_years: dict[int, bool] = {}
        if overrides_path is not None or source.is_file():
            self._load_overrides(source, label)

    def knows_year(self, year: int) -> bool:
        """Whether the official arrangement of `year` is known (otherwise Mon-Fri is assumed)."""
        if year not in self._known_years:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                self._known_years[year] = True
            except NotImplementedError:
                log.info("holiday arrangement of %d unknown to chinese_calendar; assuming Mon-Fri", year)
                self._known_years[year] = False
        return self._known_years[year]

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_working_days:
            return True
        if self.knows_year(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The date n working days after `start`; the day of acceptance itself does not count."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (negative when b is before a).

        Consistent with add_working_days: working_days_between(s, add_working_days(s, n)) == n.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def _load_overrides(self, source: Path | Traversable, label: str) -> None:
        try:
            data = read_toml(source, label=label)
        except TomlFileError as exc:
            raise CalendarError(str(exc), exc.message_zh) from exc
        for key, target, other in (("holidays", self.extra_holidays, self.extra_working_days),
                                   ("working_days", self.extra_working_days, self.extra_holidays)):
            entries = data.get(key, [])
            if not isinstance(entries, list):
                raise CalendarError(f"{label}: {key} must be an array of tables",
                                    f"日历调整文件 {label} 中 {key} 应写成 [[{key}]] 条目")
            for index, entry in enumerate(entries, start=1):
                for day, reason in _expand(entry, key, index, label):
                    if day in other:
                        raise CalendarError(
                            f"{label}: {day} is both a holiday and a working day",
                            f"日历调整文件 {label} 中 {day.isoformat()} 同时被列为休息日和工作日")
                    target[day] = reason
        log.info("calendar overrides from %s: %d extra holidays, %d extra working days",
                 label, len(self.extra_holidays), len(self.extra_working_days))


def _expand(entry: object, key: str, index: int, label: str) -> list[tuple[date, str]]:
    """One override entry (`date`, optional `until` for a span, optional `reason`) as single days."""
    where = f"日历调整文件 {label} 第 {index} 个 [[{key}]] 条目"
    if not isinstance(entry, dict):
        raise CalendarError(f"{label}: {key} #{index} is not a table", f"{where}格式不正确")
    first = _as_date(entry.get("date"), where, "date", label)
    last = _as_date(entry.get("until", first), where, "until", label)
    if last < first:
        raise CalendarError(f"{label}: {key} #{index} ends before it starts",
                            f"{where}的结束日期 until 早于开始日期 date")
    reason = str(entry.get("reason", ""))
    return [(first + timedelta(days=offset), reason) for offset in range((last - first).days + 1)]


def _as_date(value: object, where: str, name: str, label: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{label}: {name} is not a date",
                        f"{where}的 {name} 应为日期，例如 2026-07-15")
