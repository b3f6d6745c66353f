"""Working days for due dates: official holidays, adjusted working days, overrides, fallback years."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.calendar import CalendarError, WorkingCalendar


def unknown_year(calendar: WorkingCalendar) -> int:
    """A year chinese_calendar has no data for, however new the installed version is."""
    year = date.today().year + 1
    while calendar.knows_year(year):
        year += 1
    return year


def test_national_day_is_a_holiday_and_the_adjusted_saturday_a_working_day() -> None:
    calendar = WorkingCalendar()
    assert calendar.knows_year(2026)
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 2, 28))  # a Saturday worked for the Spring Festival
    assert not calendar.is_working_day(date(2026, 3, 7))  # an ordinary Saturday


def test_due_date_skips_the_golden_week_and_excludes_the_acceptance_day() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 9, 29), 1) == date(2026, 9, 30)
    assert calendar.add_working_days(date(2026, 9, 29), 0) == date(2026, 9, 29)
    # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the adjusted Saturday), then Monday 12 Oct.
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_working_days_between_agrees_with_add_working_days() -> None:
    calendar = WorkingCalendar()
    start = date(2026, 9, 25)
    for n in range(0, 12):
        due = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, due) == n
        assert calendar.working_days_between(due, start) == -n
    with pytest.raises(ValueError):
        calendar.add_working_days(start, -1)


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    calendar = WorkingCalendar()
    year = unknown_year(calendar)
    assert not calendar.knows_year(year)
    days = [date(year, 10, d) for d in range(1, 8)]
    assert [calendar.is_working_day(d) for d in days] == [d.weekday() < 5 for d in days]
    friday = next(d for d in days if d.weekday() == 4)
    monday = date.fromordinal(friday.toordinal() + 3)
    assert calendar.add_working_days(friday, 1) == monday


def test_override_file_adds_a_closure_and_an_extra_working_day(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.toml"
    overrides.write_text(
        '[[holidays]]\ndate = 2026-07-15\nuntil = 2026-07-16\nreason = "台风停工"\n'
        '[[working_days]]\ndate = "2026-12-26"\nreason = "年终集中办理日"\n', encoding="utf-8")
    calendar = WorkingCalendar(overrides)
    assert not calendar.is_working_day(date(2026, 7, 15))
    assert not calendar.is_working_day(date(2026, 7, 16))
    assert calendar.is_working_day(date(2026, 7, 17))
    assert calendar.is_working_day(date(2026, 12, 26))  # a Saturday
    assert calendar.add_working_days(date(2026, 7, 14), 1) == date(2026, 7, 17)
    assert calendar.extra_holidays[date(2026, 7, 15)] == "台风停工"


def test_override_in_an_unknown_year_still_applies(tmp_path: Path) -> None:
    year = unknown_year(WorkingCalendar())
    monday = date(year, 1, 1)
    while monday.weekday() != 0:
        monday = date.fromordinal(monday.toordinal() + 1)
    overrides = tmp_path / "overrides.toml"
    overrides.write_text(f'[[holidays]]\ndate = {monday.isoformat()}\n', encoding="utf-8")
    assert not WorkingCalendar(overrides).is_working_day(monday)


@pytest.mark.parametrize(("content", "says"), [
    ('[[holidays]]\ndate = 2026-07-15\n[[working_days]]\ndate = 2026-07-15\n', "同时被列为休息日和工作日"),
    ('[[holidays]]\ndate = "明天"\n', "应为日期"),
    ('[[holidays]]\ndate = 2026-07-16\nuntil = 2026-07-15\n', "早于开始日期"),
    ('holidays = "2026-07-15"\n', "[[holidays]]"),
    ('[[holidays]\ndate = 2026-07-15\n', "第 1 行"),
])
def test_broken_override_file_is_explained(tmp_path: Path, content: str, says: str) -> None:
    overrides = tmp_path / "overrides.toml"
    overrides.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        WorkingCalendar(overrides)
    assert says in info.value.message_zh


def test_missing_override_file_is_an_error_when_named(tmp_path: Path) -> None:
    with pytest.raises(CalendarError) as info:
        WorkingCalendar(tmp_path / "absent.toml")
    assert "无法打开" in info.value.message_zh
