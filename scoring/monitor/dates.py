"""Dates as Chinese government pages write them: 2017-09-04, 2017/9/4, 2017.09.04, 2017年9月4日.

Written by hand rather than with a date-guessing library: those are tuned to European orders
(day/month) and would read 2017.09.04 or a bare 09-04 in ways a Chinese list never means."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

__all__ = ["DATE_PATTERN", "age_days", "dates_in", "first_date", "newest_date"]

# a time after the date (2017-09-04 10:30) is left alone; digits either side mean it is no date
DATE_PATTERN = re.compile(
    r"(?<!\d)(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)(?!\d)"
)


def dates_in(text: str, as_of: dt.date, first: bool = False) -> list[dt.date]:
    """Every date of the accepted forms in ``text``, in order; impossible dates and dates after
    ``as_of`` are left out (a page's 2099 copyright line or 2017-02-30 is no publication date).
    ``first``: stop at the first one (an item's date)."""
    out = []
    for m in DATE_PATTERN.finditer(text):
        year = int(m.group(1))
        month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
        try:
            when = dt.date(year, int(month), int(day))
        except ValueError:
            continue
        if when <= as_of:
            out.append(when)
            if first:
                break
    return out


def first_date(text: str, as_of: dt.date) -> dt.date | None:
    found = dates_in(text, as_of, first=True)
    return found[0] if found else None


def newest_date(text: str, as_of: dt.date) -> dt.date | None:
    found = dates_in(text, as_of)
    return max(found) if found else None


def age_days(newest: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Calendar days from each date (datetime64[D], NaT for none) to ``as_of``; NaN for none."""
    days = (np.datetime64(as_of, "D") - newest).astype("timedelta64[D]").astype("float64")
    return np.where(np.isnat(newest), np.nan, days)
