"""Working days as one cumulative index over the calendar's years: a lookup per date.

``count[d]`` is the number of working days from the first covered day up to and including day d,
so the working days d with START < d ≤ END are ``count[END] − count[START]`` — make-up workdays
(调休上班) included, which ``numpy.busday_count`` cannot express — and the day on which a case's
``n``-th working day falls is a binary search in the same array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.workdays import WorkCalendar

__all__ = ["DayIndex"]

EPOCH_YEAR = 1970


@dataclass(frozen=True)
class DayIndex:
    first: int  # day number (days since 1970-01-01) of the first day indexed
    count: np.ndarray  # int32: working days from ``first`` up to and including each day
    covered: np.ndarray  # bool: the day's year is one the calendar knows

    @classmethod
    def of(cls, calendar: WorkCalendar) -> DayIndex:
        years = sorted(calendar.years)
        start = np.datetime64(f"{years[0]}-01-01", "D")
        days = np.arange(start, np.datetime64(f"{years[-1] + 1}-01-01", "D"))
        working = np.is_busday(days, weekmask="1111100", holidays=calendar.holidays) | np.isin(days, calendar.workdays)
        year = days.astype("datetime64[Y]").astype(np.int64) + EPOCH_YEAR
        return cls(
            first=int(start.astype(np.int64)),
            count=np.cumsum(working, dtype=np.int32),
            covered=np.isin(year, np.array(years)),
        )

    def inside(self, day: np.ndarray) -> np.ndarray:
        """Which day numbers lie in a year the calendar covers."""
        if self.covered.all():  # the usual calendar, its years one run: two comparisons
            return (day >= self.first) & (day < self.first + len(self.count))
        pos = day.astype(np.int64) - self.first
        ok = (pos >= 0) & (pos < len(self.count))
        out = np.zeros(len(day), dtype=bool)
        out[ok] = self.covered[pos[ok]]
        return out

    def at(self, day: np.ndarray) -> np.ndarray:
        """Working days up to and including each day (every day covered)."""
        return self.count[np.subtract(day, self.first, dtype=np.int64 if day.dtype.itemsize > 4 else np.int32)]

    def taken(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days d with start < d ≤ end (SPEC extension 1a); a same-day pair took 0."""
        return self.at(end) - self.at(start)

    def nth_after(self, start: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The day of the ``n``-th working day after ``start`` (``start`` itself when n is 0), or −1
        past the calendar's last year."""
        target = self.at(start) + n
        pos = np.searchsorted(self.count, target, "left")
        day = np.where(n <= 0, start, pos + self.first)
        return np.where(pos >= len(self.count), -1, day)

    @staticmethod
    def year_of(day: np.ndarray) -> np.ndarray:
        return day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + EPOCH_YEAR
