"""Working days (工作日) as the State Council's notices make them: the national calendar of public
holidays and make-up workdays (调休上班), with a rubric's own days on top (SPEC extension 1a).

The national days come from ``chinesecalendar`` (README: why that library), a table of every
holiday and make-up workday the State Council has announced since 2004, updated each year when
the next year's notice is published. A rubric may add days (``holidays``, ``workdays``) and take
whole years from its own lists alone (``years``), for a year the library does not yet cover.

Counting is vectorised: ``numpy.busday_count`` over the weekday holidays, plus the make-up
weekend days found by binary search; each distinct date pair is counted once by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["WorkCalendar", "work_calendar"]

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of the covered years: Monday to Friday except ``holidays``, plus ``workdays``."""

    holidays: np.ndarray  # datetime64[D], sorted: weekdays that are days off
    workdays: np.ndarray  # datetime64[D], sorted: weekend days worked (调休上班)
    years: frozenset[int]  # the years whose days are known

    def taken(self, received: np.ndarray, answered: np.ndarray) -> np.ndarray:
        """Working days d with received < d ≤ answered (the day of receipt is not counted), for
        arrays of datetime64[D] with received ≤ answered and every year covered."""
        weekdays = np.busday_count(received + DAY, answered + DAY, holidays=self.holidays)
        made_up = np.searchsorted(self.workdays, answered, "right") - np.searchsorted(self.workdays, received, "right")
        return weekdays + made_up

    def uncovered_year(self, received: np.ndarray, answered: np.ndarray) -> np.ndarray:
        """For each pair the first year of the counted days (received, answered] this calendar does
        not know, or 0 when every one is known."""
        first = (received + DAY).astype("datetime64[Y]").astype(int) + 1970
        last = answered.astype("datetime64[Y]").astype(int) + 1970
        out = np.zeros(len(first), dtype=np.int64)
        for year in sorted(set(range(int(first.min(initial=0)), int(last.max(initial=0)) + 1)) - self.years):
            hit = (out == 0) & (first <= year) & (year <= last)
            out[hit] = year
        return out


def _national() -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    from chinese_calendar import constants

    return constants.holidays, constants.workdays


def _dates(days: object) -> np.ndarray:
    return np.array(sorted({np.datetime64(d, "D") for d in days}), dtype="datetime64[D]")


@lru_cache(maxsize=16)
def work_calendar(
    years: tuple[int, ...] = (), holidays: tuple[str, ...] = (), workdays: tuple[str, ...] = ()
) -> WorkCalendar:
    """The national calendar with a rubric's ``calendar`` applied: its ``years`` from its lists
    alone, its ``holidays`` and ``workdays`` on top of the library's in the other years."""
    national_off, national_on = _national()
    own = set(years)
    off = {np.datetime64(d, "D") for d in national_off if d.year not in own}
    on = {np.datetime64(d, "D") for d in national_on if d.year not in own}
    for d in map(np.datetime64, holidays):
        off.add(d)
        on.discard(d)
    for d in map(np.datetime64, workdays):
        on.add(d)
        off.discard(d)
    weekend = lambda d: bool(~np.is_busday(d, weekmask="1111100"))  # noqa: E731 - a one-line test
    known = {d.year for d in national_off} | {d.year for d in national_on}
    return WorkCalendar(
        holidays=_dates(d for d in off if not weekend(d)),
        workdays=_dates(d for d in on if weekend(d)),
        years=frozenset((known - own) | own),
    )
