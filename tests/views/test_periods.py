"""Issue 29: what a period id says about the calendar (网站监测's date, 年度汇总's year)."""

import datetime as dt

import pytest

from scoring.views.periods import date_within, period_span, period_year, year_groups

D = dt.date


@pytest.mark.parametrize(
    ("period", "span"),
    [
        ("2018Q3", (D(2018, 7, 1), D(2018, 9, 30))),
        ("2018Q4", (D(2018, 10, 1), D(2018, 12, 31))),
        ("2018q1", (D(2018, 1, 1), D(2018, 3, 31))),
        ("2018H1", (D(2018, 1, 1), D(2018, 6, 30))),
        ("2016-02", (D(2016, 2, 1), D(2016, 2, 29))),
        ("2019", (D(2019, 1, 1), D(2019, 12, 31))),
        ("pilot", None),
        ("2018Q5", None),
    ],
)
def test_a_period_id_names_its_days(period, span):
    assert period_span(period) == span


def test_the_as_of_date_falls_inside_the_chosen_period():
    assert date_within("2018Q3", D(2018, 9, 28)) == D(2018, 9, 28)  # inside: kept
    assert date_within("2018Q3", D(2026, 12, 7)) == D(2018, 9, 30)  # the period is over: its last day
    assert date_within("2018Q3", D(2018, 1, 5)) == D(2018, 7, 1)  # still to come: its first day
    assert date_within("pilot", D(2026, 12, 7)) == D(2026, 12, 7)


def test_periods_by_calendar_year():
    periods = ["2017Q3", "2017Q4", "2018Q1", "2018Q2", "pilot"]
    assert year_groups(periods) == {"2017": ["2017Q3", "2017Q4"], "2018": ["2018Q1", "2018Q2"]}
    assert period_year("2018Q1") == "2018" and period_year("20181") is None and period_year("pilot") is None
