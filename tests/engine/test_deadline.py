"""Statutory deadlines in working days (SPEC extension 1a), hand-counted on the State Council's
calendars: 2017 国庆中秋 (10-01..10-08 off, Saturday 09-30 worked) and 2018 春节 (02-15..02-21 off,
Sunday 02-11 and Saturday 02-24 worked).
"""

import pytest

from helpers import check_row, make_rubric, run, unit_row
from scoring import InputError
from scoring.views.explain import lost_points

ONE = [("C1", "甲县", "county")]


def deadline(points=4, limit=20, **kw):
    return {"id": "DL", "name": "依申请公开答复时限", "method": "deadline", "points": points, "limit": limit, **kw}


def other():
    return {"id": "B", "name": "栏目", "method": "binary", "points": 6}


def score(value: str, **kw):
    rubric = make_rubric([deadline(**{k: v for k, v in kw.items() if k != "calendar"}), other()],
                         **({"calendar": kw["calendar"]} if "calendar" in kw else {}))  # fmt: skip
    return run(rubric, [("C1", "DL", value), ("C1", "B", "1")], ONE)


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("2017-09-04/2017-09-22", 14),  # Mon to Fri three weeks on: 4 + 5 + 5
        ("2017-09-28/2017-10-10", 4),  # 09-29, Saturday 09-30 worked, then 10-09 and 10-10
        ("2017-09-22/2017-10-09", 7),  # 09-25..29, 09-30, 10-09
        ("2018-02-09/2018-02-26", 8),  # Sunday 02-11, 02-12..14, 02-22, 02-23, Saturday 02-24, 02-26
        ("2017-09-04/2017-09-04", 0),  # answered on the day of receipt
        ("2017-09-04 / 2017-09-22", 14),  # spaces around '/' allowed
        ("14", 14),  # a count of working days instead of dates
    ],
)
def test_working_days_taken_across_the_national_holidays(value, taken):
    r = score(value)
    row = check_row(r, "C1", "DL")
    assert row["value"] == str(taken)
    assert row["earned"] == 4  # within 20 working days


@pytest.mark.parametrize(
    ("value", "kw", "earned"),
    [
        ("23", {"per_day": 1}, 1.0),  # 3 days late, 1 point off each
        ("26", {"per_day": 1}, 0.0),  # 6 late: never below zero
        ("21", {}, 0.0),  # late without per_day: nothing
        ("20", {}, 4.0),  # on the last day: on time
        ("未答复", {"per_day": 1}, 0.0),
        ("unanswered", {}, 0.0),
    ],
)
def test_late_and_unanswered(value, kw, earned):
    r = score(value, **kw)
    row = check_row(r, "C1", "DL")
    assert row["earned"] == earned and row["max"] == 4
    assert row["value"] == ("unanswered" if value in ("未答复", "unanswered") else value)
    assert unit_row(r, "C1")["score"] == pytest.approx((earned + 6) * 10)


def test_the_rubric_adds_and_removes_days():
    # a local holiday on Friday 09-22 and Saturday 09-23 worked: 14 - 1 + 1
    cal = {"holidays": ["2017-09-22"], "workdays": ["2017-09-23"]}
    assert check_row(score("2017-09-04/2017-09-25", calendar=cal), "C1", "DL")["value"] == str(14 - 1 + 1 + 1)
    # the national make-up Saturday 09-30 declared a day off after all
    assert check_row(score("2017-09-28/2017-10-10", calendar={"holidays": ["2017-09-30"]}), "C1", "DL")["value"] == "3"


def test_a_year_no_calendar_covers_is_an_error_naming_it_and_the_rubric_may_cover_it():
    with pytest.raises(InputError) as info:
        score("2031-01-06/2031-01-20")
    [issue] = info.value.issues
    assert (issue.row, issue.column) == (2, "结果")
    assert "未覆盖 2031 年" in issue.message
    # a year given in the rubric is counted from its lists alone: weekdays, less its holidays
    cal = {"years": [2031], "holidays": ["2031-01-10"]}
    assert check_row(score("2031-01-06/2031-01-20", calendar=cal), "C1", "DL")["value"] == "9"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2017-09-22/2017-09-04", "答复日期早于收到日期"),
        ("2017-02-30/2017-03-02", "日期不存在"),
        ("2017/09/04-2017/09/22", "收到与答复日期"),
        ("-3", "收到与答复日期"),
        ("1e3", "收到与答复日期"),
    ],
)
def test_bad_deadline_values_are_located_errors(value, says):
    with pytest.raises(InputError) as info:
        score(value)
    [issue] = info.value.issues
    assert issue.row == 2 and says in issue.message


def test_two_rows_for_one_deadline_are_an_error():
    rubric = make_rubric([deadline(), other()])
    with pytest.raises(InputError) as info:
        run(rubric, [("C1", "DL", "3"), ("C1", "DL", "4"), ("C1", "B", "1")], ONE)
    assert any("重复" in i.message for i in info.value.issues)


def test_a_date_in_both_calendar_lists_is_a_rubric_error():
    with pytest.raises(InputError) as info:
        make_rubric([deadline()], calendar={"holidays": ["2017-09-30"], "workdays": ["2017-09-30"]})
    assert any("既是节假日" in i.message for i in info.value.issues)


def test_the_computation_says_how_the_days_were_counted():
    r = score("2017-09-28/2017-10-10")
    lost = lost_points(r, "C1", "2017Q3")
    assert lost.empty  # on time: nothing lost
    late = score("23", per_day=1)
    text = lost_points(late, "C1", "2017Q3").set_index("check_id").loc["DL", "computation"]
    assert "用时 23 个工作日" in text and "时限 20 个工作日" in text and "逾期 3 个工作日" in text


# every make-up workday and the last day off of each long holiday, 2017-2019, as the State
# Council's notices give them (国办发明电〔2016〕17号, 〔2017〕12号, 〔2018〕15号, 〔2019〕2号)
NOTICES_WORKED = ["2017-01-22", "2017-02-04", "2017-04-01", "2017-05-27", "2017-09-30", "2018-02-11", "2018-02-24",
                  "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30", "2018-12-29", "2019-02-02", "2019-02-03",
                  "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12"]  # fmt: skip
NOTICES_OFF = ["2017-02-02", "2017-10-08", "2018-02-21", "2018-10-05", "2019-02-08", "2019-05-03", "2019-10-07"]


def test_the_national_calendar_matches_the_notices_2017_to_2019():
    import numpy as np

    from scoring.workdays import work_calendar

    cal = work_calendar()
    worked = np.array(NOTICES_WORKED, dtype="datetime64[D]")
    off = np.array(NOTICES_OFF, dtype="datetime64[D]")
    assert (cal.taken(worked - 1, worked) == 1).all()  # each is a working day
    assert (cal.taken(off - 1, off) == 0).all()  # each is a day off
    assert {2017, 2018, 2019} <= cal.years
