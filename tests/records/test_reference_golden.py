"""The reference against values worked by hand (tests/records/golden.py holds the records and, in
comments, each working-day count). If the reference and these disagree, the reference is wrong."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from records.golden import EXPECTED, RUBRIC, WINDOW, write_golden
from records.reference import Calendar, format_ratio, reference_values


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    return write_golden(tmp_path_factory.mktemp("golden"))


def test_every_value_at_the_edges(golden):
    lost: dict = {}
    got = reference_values(RUBRIC, golden["units_path"], *WINDOW, cases=golden["cases"], ratings=golden["ratings"],
                           accounts=golden["accounts"], posts=golden["posts"], lost=lost)  # fmt: skip
    # the keys: every roster unit × every records check applying to it (R1.2.2 and the veto: county only)
    assert set(got) == set(EXPECTED)
    assert {k: got[k] for k in sorted(got)} == {k: EXPECTED[k] for k in sorted(EXPECTED)}
    # the records behind the lost points: late c1 c7, overdue unfinished c4; the 差评 fixed late
    assert lost[("A1", "R1.1.1")] == {"BJ2017092800000001", "BJ2017082800000007"}
    assert lost[("A1", "R1.1.2")] == {"BJ2017092800000001", "BJ2017082800000007", "BJ2017101000000004"}
    assert lost[("A1", "R2.1.2")] == {"PJ2017092900000003"}
    assert lost[("A2", "R1.1.2")] == set()


def test_only_the_checks_whose_files_were_given(golden):
    cases_only = reference_values(RUBRIC, golden["units_path"], *WINDOW, cases=golden["cases"])
    assert {c for _, c in cases_only} == {"R1.1.1", "R1.1.2", "R1.1.3", "R1.2.1", "R1.2.2", "R1.2.3"}
    ratings_only = reference_values(RUBRIC, golden["units_path"], *WINDOW, ratings=golden["ratings"])
    assert {c for _, c in ratings_only} == {"R2.1.1", "R2.1.2", "R2.1.3"}  # coverage needs the cases too
    accounts_only = reference_values(RUBRIC, golden["units_path"], *WINDOW, accounts=golden["accounts"])
    # without posts every account has none: A1's four are all stale
    assert accounts_only[("A1", "R3.1.1")] == "4" and accounts_only[("A1", "R3.1.2")] == "1"
    assert accounts_only[("B1", "R3.1.1")] == "1"


def test_the_rubrics_own_day_off_counts(tmp_path):
    # 2017-12-28 (Thu) → 2018-01-02 (Tue): 12-29 is the rubric's local day off, 12-30/31 a weekend,
    # 2018-01-01 New Year's Day: only 01-02 counts → 1 ≤ 1, on time (2 without the rubric's day)
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,group\nA1,甲县,county\n", encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,unit_id,channel,accepted_at,finished_at,promised_days\n"
        "BJ1,A1,online,2017-12-28 09:00,2018-01-02 09:00,1\n"
        "BJ2,A1,online,2017-12-27 09:00,2018-01-02 09:00,1\n",  # 12-28, 01-02: 2 > 1, late
        encoding="utf-8",
    )
    got = reference_values(RUBRIC, units, "2018Q1", "2018-01-01", "2018-01-31", cases=[cases])
    assert got[("A1", "R1.1.1")] == "0.500000"
    assert got[("A1", "R1.1.2")] == "1"


def test_calendar_day_by_day():
    cal = Calendar({"holidays": ["2017-12-29"], "workdays": ["2018-06-30"]})
    d = dt.date
    assert cal.taken(d(2017, 9, 28), d(2017, 10, 10)) == 4  # 09-29, 09-30 (make-up), 10-09, 10-10
    assert cal.taken(d(2017, 9, 30), d(2017, 10, 8)) == 0  # the whole National Day week off
    assert cal.taken(d(2017, 10, 16), d(2017, 10, 16)) == 0  # the same day
    assert cal.taken(d(2018, 6, 29), d(2018, 7, 2)) == 2  # the rubric's make-up Saturday 06-30 and 07-02
    own = Calendar({"years": [2031], "holidays": ["2031-01-01"]})
    assert own.taken(d(2030, 12, 31), d(2031, 1, 3)) == 2  # 01-01 off, 01-02 Thu, 01-03 Fri
    with pytest.raises(NotImplementedError):
        Calendar(None).taken(d(2030, 12, 31), d(2031, 1, 3))  # the library does not know 2031


def test_ratios_are_rounded_half_up_from_the_exact_fraction():
    assert format_ratio(1, 128) == "0.007813"  # 0.0078125: a float would round to even, 0.007812
    assert format_ratio(2, 3) == "0.666667"
    assert format_ratio(0, 7) == "0.000000" and format_ratio(7, 7) == "1.000000"


def test_the_golden_files_read_as_written(golden):
    # GB18030 and a quoted line break inside 事项名称 survive the reader
    text = golden["cases"][0].read_bytes().decode("gb18030")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    assert rows[2][3] == '"个体"设立\n登记' and len(rows) == 10
