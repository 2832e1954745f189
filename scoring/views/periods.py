"""What a period id says about the calendar: 2018Q3 is July to September 2018, 2018H1 the first
half, 2018 the year. SPEC extension 2a leaves period ids free (1–32 letters, digits, '-', '_'),
so an id that names no time (``pilot``) simply has no span and no year."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["date_within", "period_span", "period_year", "year_groups"]

_QUARTER = re.compile(r"(\d{4})[-_]?Q([1-4])", re.IGNORECASE)
_HALF = re.compile(r"(\d{4})[-_]?H([12])", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})[-_]?(0[1-9]|1[0-2])")
_YEAR = re.compile(r"(\d{4})")
_LEADING_YEAR = re.compile(r"(\d{4})(?!\d)")


def period_span(period: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the time a period id names, or None if it names none."""
    if m := _QUARTER.fullmatch(period):
        year, first = int(m.group(1)), 3 * int(m.group(2)) - 2
        return dt.date(year, first, 1), _month_end(year, first + 2)
    if m := _HALF.fullmatch(period):
        year, first = int(m.group(1)), 6 * int(m.group(2)) - 5
        return dt.date(year, first, 1), _month_end(year, first + 5)
    if m := _MONTH.fullmatch(period):
        year, month = int(m.group(1)), int(m.group(2))
        return dt.date(year, month, 1), _month_end(year, month)
    if m := _YEAR.fullmatch(period):
        return dt.date(int(m.group(1)), 1, 1), dt.date(int(m.group(1)), 12, 31)
    return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def date_within(period: str, day: dt.date) -> dt.date:
    """``day`` if it falls in the period's span, else the span's nearer end (the last day for a
    period already over, the first for one to come); ``day`` for a period that names no time."""
    span = period_span(period)
    if span is None:
        return day
    return min(max(day, span[0]), span[1])


def period_year(period: str) -> str | None:
    """The calendar year a period id begins with (2017Q3 → 2017), or None."""
    m = _LEADING_YEAR.match(period)
    return m.group(1) if m else None


def year_groups(periods: list[str]) -> dict[str, list[str]]:
    """The periods by calendar year, in the given order; periods naming no year are left out."""
    out: dict[str, list[str]] = {}
    for p in periods:
        if (year := period_year(p)) is not None:
            out.setdefault(year, []).append(p)
    return out
