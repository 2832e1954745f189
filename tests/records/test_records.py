"""assess records (SPEC extension 6, issue 28): every measure hand-worked at its edges, bad exports
located, the command line, the store, and properties of the ratios.

2017's National Day: 10-01 (Sun) to 10-08 (Sun) are days off, Saturday 09-30 is a make-up workday
(调休上班), 10-09 (Mon) is worked. The window is 2017-09-01 to 2017-10-13 (a Friday) unless said.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT, UNITS, csv_file, make_rubric, open_periods, rubric_dict, units_file
from scoring.errors import InputError
from scoring.pipeline import read_roster
from scoring.records import compute_records
from scoring.store import open_store
from scoring.tables import InputFile

START, END = dt.date(2017, 9, 1), dt.date(2017, 10, 13)

CHECKS = [
    {"id": "R1", "name": "按期办结率", "method": "ratio", "points": 10, "records": {"measure": "on_time_rate"}},
    {"id": "R2", "name": "逾期办件", "method": "deduct", "points": 10, "per_item": 1,
     "records": {"measure": "overdue_cases"}},
    {"id": "R3", "name": "网上可办", "method": "ratio", "points": 10, "records": {"measure": "online_rate"}},
    {"id": "R4", "name": "即办件", "method": "ratio", "points": 10, "records": {"measure": "instant_rate"}},
    {"id": "R5", "name": "最多跑一次", "method": "ratio", "points": 10, "records": {"measure": "one_visit_rate"}},
    {"id": "R6", "name": "时限压缩", "method": "ratio", "points": 10, "records": {"measure": "time_reduction"}},
    {"id": "R7", "name": "满意率", "method": "ratio", "points": 10, "records": {"measure": "satisfaction"}},
    {"id": "R8", "name": "差评整改", "method": "ratio", "points": 10, "records": {"measure": "bad_fixed_on_time"}},
    {"id": "R9", "name": "差评回访", "method": "ratio", "points": 10, "records": {"measure": "callback_rate"}},
    {"id": "R10", "name": "评价覆盖", "method": "ratio", "points": 10, "records": {"measure": "rating_coverage"}},
    {"id": "R11", "name": "新媒体更新", "method": "deduct", "points": 10, "per_item": 2,
     "records": {"measure": "stale_accounts"}},
    {"id": "R12", "name": "新媒体僵尸号", "method": "veto", "cap": 59, "records": {"measure": "stale_accounts"}},
    {"id": "H", "name": "人工测评", "method": "binary", "points": 10},
]  # fmt: skip

CASE_HEADER = ["case_id", "unit_id", "item_code", "channel", "accepted_at", "finished_at", "promised_days",
               "statutory_days", "visits", "operator"]  # fmt: skip
# 甲县 C1, UTF-8 CSV with English headers and an extra column
C1_CASES = [
    # finished the day it was accepted: 0 working days, within a promise of 0 (即办件)
    ("A1", "C1", "I1", "online", "2017-09-04 10:00:00", "2017-09-04 15:00:00", "0", "5", "0", "x"),
    # 09-29 → 10-09 across the holiday: 09-30 (make-up Saturday) and 10-09 = 2 days ≤ 2: on time
    ("A2", "C1", "I2", "mobile", "2017-09-29", "2017-10-09", "2", "10", "1", "x"),
    # 09-28 → 10-10: 09-29, 09-30, 10-09, 10-10 = 4 > 2: late by 2
    ("A3", "C1", "I2", "window", "2017/9/28", "2017-10-10", "2", "10", "2", "x"),
    # unfinished; 10-09 → --to 10-13: 10-10..10-13 = 4 > 3: its deadline (10-12) has passed
    ("A4", "C1", "I4", "self_service", "2017-10-09", "", "3", "", "", "x"),
    # unfinished; 10-10 → 10-13 = 3 ≤ 5: not yet due. Promised = statutory: reduction 0
    ("A5", "C1", "I3", "online", "2017-10-10", "", "5", "5", "0", "x"),
    # accepted and finished in August: outside the window
    ("A6", "C1", "I1", "online", "2017-08-20", "2017-08-25", "5", "5", "0", "x"),
]  # fmt: skip
# 乙县 C2, XLSX with Chinese headers and values
C2_CASES = [("B1", "C2", "I9", "窗口", "2017-09-11", "2017-09-13", 5, 20, 1),
            ("B2", "XX", "I9", "窗口", "2017-09-11", "2017-09-13", 5, 20, 1)]  # fmt: skip

RATING_HEADER = ["评价编号", "单位编码", "办件编号", "评价时间", "评价等级", "核实结果", "整改完成时间", "回访时间"]
RATINGS = [
    ("P1", "C1", "A2", "2017-09-05", "非常满意", "", "", ""),
    # 差评 fixed 09-29 → 10-10: 09-30, 10-09, 10-10 = 3 ≤ 5: on time; called back
    ("P2", "C1", "", "2017-09-29", "不满意", "属实", "2017-10-10", "2017-10-11"),
    # unfounded (不属实): left out of every measure, so A3 counts as not rated
    ("P3", "C1", "A3", "2017-09-20", "1", "不属实", "", ""),
    # 差评 fixed 09-22 → 10-10: 09-25..09-30 (6) + 10-09, 10-10 = 8 > 5: fixed late; no callback
    ("P4", "C1", "", "2017-09-22", "非常不满意", "属实", "2017-10-10", ""),
    # 差评 of 10-11: 2 working days to --to < 5: not yet due, not fixed — out of bad_fixed_on_time
    ("P5", "C1", "", "2017-10-11", "2", "", "", "2017-10-12"),
    ("P6", "C1", "", "2017-09-25", "基本满意", "", "", ""),
    # 差评 of 10-11 fixed 10-12: not yet due, but fixed by --to, so counted (1 working day: on time)
    ("P8", "C1", "", "2017-10-11", "不满意", "", "2017-10-12", ""),
    ("P7", "C1", "", "2017-08-30", "满意", "", "", ""),  # outside the window
]  # fmt: skip
ACCOUNTS = {"account_id": ["W1", "W2", "W3"], "unit_id": ["C1", "C1", "C2"], "platform": ["微信", "微博", "抖音"],
            "name": ["甲县发布", "甲县政务", "乙县发布"]}  # fmt: skip
POSTS = [("W1", "2017-10-01 09:00", "国庆"), ("W2", "2017-09-20", "旧"), ("W2", "2017-10-20", "--to 之后")]

# hand-worked (see the comments above); C3 has no record at all, M1 neither
EXPECTED = {
    "C1": {
        "R1": "0.666667",  # finished in window A1, A2, A3; on time A1, A2
        "R2": "2",  # A3 finished late, A4 unfinished past its deadline
        "R3": "0.600000",  # accepted in window A1..A5; online or mobile A1, A2, A5
        "R4": "0.200000",  # promised 0: A1 of 5
        "R5": "0.750000",  # visits recorded A1, A2, A3, A5; ≤ 1: A1, A2, A5
        "R6": "0.600000",  # I1 1 − 0/5 = 1; I2 by its latest case A2: 1 − 2/10 = 0.8; I3 0 → 1.8 / 3
        "R7": "0.333333",  # P1, P2, P4, P5, P6, P8 (P3 unfounded, P7 outside); level ≥ 3: P1, P6
        "R8": "0.666667",  # P2 and P8 on time, P4 late; P5 not yet due and not fixed
        "R9": "0.500000",  # 差评 P2, P4, P5, P8; called back P2, P5
        "R10": "0.333333",  # finished A1, A2, A3; named by a founded rating: A2 only
        "R11": "1",  # W2: newest post by --to 09-20 is 23 days old > 14; W1 12 days
        "R12": "1",
    },
    "C2": {"R1": "1.000000", "R2": "0", "R3": "0.000000", "R4": "0.000000", "R5": "1.000000", "R6": "0.750000",
           "R7": "NA", "R8": "NA", "R9": "NA", "R10": "0.000000", "R11": "1", "R12": "1"},  # W3 has no post
    "C3": {c: "NA" for c in ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12")},
}  # fmt: skip
EXPECTED["M1"] = EXPECTED["C3"]


def xlsx(name: str, header: list[str], rows: list[tuple], sheet: str = "办件") -> InputFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return InputFile(name, buf.getvalue())


def parquet(name: str, columns: dict[str, list]) -> InputFile:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return InputFile(name, buf.getvalue())


def gb18030_csv(name: str, header: list[str], rows: list[tuple]) -> InputFile:
    text = "\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n"
    return InputFile(name, text.encode("gb18030"))


def inputs() -> dict[str, object]:
    c2_header = [
        "办件编号",
        "单位编码",
        "事项编码",
        "办理渠道",
        "受理时间",
        "办结时间",
        "承诺时限",
        "法定时限",
        "跑动次数",
    ]
    return {
        "cases": [csv_file("cases_c1.csv", CASE_HEADER, C1_CASES), xlsx("cases_c2.xlsx", c2_header, C2_CASES)],
        "ratings": [csv_file("ratings.csv", RATING_HEADER, RATINGS)],
        "accounts": parquet("accounts.parquet", ACCOUNTS),
        "posts": [gb18030_csv("posts.csv", ["账号编码", "发布时间", "标题"], POSTS)],
    }


def rubric(checks=CHECKS):
    return make_rubric(checks, kind="service", weight=0.1)


def roster():
    return read_roster(units_file(), None)


def run(**files):
    return compute_records(rubric(), roster(), "2017Q3", START, END, **(files or inputs()))


def test_every_measure_at_its_edges_is_the_hand_worked_value():
    got = run().rows
    assert list(got.columns) == [
        "period",
        "unit_id",
        "check_id",
        "value",
        "evidence",
        "note",
        "evaluator",
        "checked_at",
    ]
    table = {(r.unit_id, r.check_id): r.value for r in got.itertuples()}
    assert table == {(u, c): v for u, checks in EXPECTED.items() for c, v in checks.items()}
    # roster order, then rubric order; H is typed by hand and not written
    assert list(got["unit_id"].unique()) == ["C1", "C2", "C3", "M1"]
    assert list(got["check_id"][:12]) == [f"R{i}" for i in range(1, 13)]
    assert set(got["evaluator"]) == {"records"} and set(got["checked_at"]) == {"2017-10-13"}


def test_the_working_day_index_counts_the_holiday_and_the_make_up_saturday():
    from scoring.records.days import DayIndex
    from scoring.workdays import work_calendar

    index = DayIndex.of(work_calendar())
    day = lambda text: np.array([np.datetime64(text, "D").astype(np.int64)])  # noqa: E731
    assert index.taken(day("2017-09-29"), day("2017-10-09"))[0] == 2  # 09-30 and 10-09
    assert index.taken(day("2017-09-04"), day("2017-09-04"))[0] == 0
    # the deadline of 3 working days from 10-09 is 10-12; of 2 from 09-29, 10-09 (the holiday skipped)
    due = index.nth_after(np.concatenate([day("2017-10-09"), day("2017-09-29")]), np.array([3, 2]))
    assert list(due.astype("datetime64[D]").astype(str)) == ["2017-10-12", "2017-10-09"]
    assert not index.inside(day("2031-01-06"))[0] and index.inside(day("2017-10-01"))[0]


def test_evidence_names_the_counts_and_the_records_that_cost_points():
    got = run().rows.set_index(["unit_id", "check_id"])["evidence"]
    assert got["C1", "R1"] == "办结 3 件,按期办结 2 件;逾期:A3"
    assert got["C1", "R2"] == "办结及未办结 5 件,逾期 2 件(逾期办结 1 件,超期未办结 1 件);逾期:A3、A4"
    assert got["C1", "R6"] == "事项 3 个,平均压缩承诺时限 60.0%;压缩最少:I3(0.0%)、I2(80.0%)"
    assert got["C1", "R8"] == "应整改差评 3 条,5 个工作日内整改 2 条;未按期整改:P4"
    assert got["C1", "R11"] == "账号 2 个,超过 14 天未更新 1 个;未更新:W2"
    assert got["C3", "R7"] == "无记录:期内没有评价"


def test_detail_holds_numerator_denominator_and_lost_ids():
    d = run().detail.set_index(["unit_id", "check_id"])
    row = d.loc[("C1", "R10")]
    assert (row["numerator"], row["denominator"], row["lost"], row["lost_ids"]) == (1, 3, 2, ("A1", "A3"))
    assert d.loc[("C1", "R1"), "value"] == pytest.approx(2 / 3)
    # worst first: A3 finished 2 working days late, A4 is 1 day past its deadline at --to
    assert d.loc[("C1", "R2"), "lost_ids"] == ("A3", "A4")
    assert pd.isna(d.loc[("C3", "R1"), "value"]) and d.loc[("C3", "R1"), "denominator"] == 0


def test_more_than_five_lost_records_are_counted_not_all_named():
    rows = [(f"Z{i}", "C1", "I1", "window", "2017-09-04", "2017-09-04", "0", "", "", "") for i in range(8)]
    got = run(cases=[csv_file("c.csv", CASE_HEADER, rows)]).rows.set_index(["unit_id", "check_id"])["evidence"]
    assert got["C1", "R3"] == "受理 8 件,网上办理(含移动端)0 件;线下办理:Z0、Z1、Z2、Z3、Z4 等 8 件"


def test_parameters_change_the_measures():
    checks = [
        {"id": "V", "name": "跑两次", "method": "ratio", "points": 10, "records": {"measure": "one_visit_rate", "max_visits": 2}},
        {"id": "F", "name": "整改", "method": "ratio", "points": 10, "records": {"measure": "bad_fixed_on_time", "days": 8}},
        {"id": "S", "name": "更新", "method": "deduct", "points": 10, "per_item": 1, "records": {"measure": "stale_accounts", "days": 30}},
    ]  # fmt: skip
    got = compute_records(rubric(checks), roster(), "2017Q3", START, END, **inputs()).rows
    table = {(r.unit_id, r.check_id): r.value for r in got.itertuples() if r.unit_id == "C1"}
    # visits ≤ 2: all four; P4 took 8 ≤ 8 and P5 (2 of 8 days) is not due; W2 23 ≤ 30 days
    assert table == {("C1", "V"): "1.000000", ("C1", "F"): "1.000000", ("C1", "S"): "0"}


def test_only_the_checks_whose_files_were_given_are_written():
    files = inputs()
    got = compute_records(rubric(), roster(), "2017Q3", START, END, ratings=files["ratings"]).rows
    assert sorted(set(got["check_id"])) == ["R7", "R8", "R9"]  # rating_coverage needs the cases too


# ---- bad input, every problem located


def located(exc: InputError) -> set[tuple]:
    return {(i.file, i.row, i.column, i.code) for i in exc.issues}


def test_bad_exports_are_every_one_located():
    bad_cases = [
        ("A1", "C1", "I1", "online", "2017-09-04", "2017-09-03", "0", "", "", ""),  # finished before accepted
        ("A2", "C1", "I1", "fax", "2017-09-04", "", "0", "", "", ""),  # unknown channel
        ("A3", "C1", "I1", "online", "2017-02-30", "", "0", "", "", ""),  # impossible date
        ("A4", "C1", "I1", "online", "2017-09-04", "", "2.5", "", "", ""),  # promised not whole
        ("A5", "C1", "I1", "online", "2031-01-06", "", "1", "", "-1", ""),  # year not in calendar; visits < 0
        ("A6", "C1", "I1", "online", "2017-09-04", "", "", "", "", ""),  # promised empty
    ]  # fmt: skip
    other = [("A2", "C2", "I1", "online", "2017-09-04", "", "0", "", "", "")]
    ratings = [("P1", "C1", "", "2017-09-05", "很好", "也许", "2017-09-01", "")]
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("bad.csv", CASE_HEADER, bad_cases), csv_file("more.csv", CASE_HEADER, other)],
            ratings=[csv_file("r.csv", RATING_HEADER, ratings)])  # fmt: skip
    assert located(err.value) == {
        ("bad.csv", 2, "finished_at", "records-order"),
        ("bad.csv", 3, "channel", "records-bad-value"),
        ("bad.csv", 4, "accepted_at", "records-bad-date"),
        ("bad.csv", 5, "promised_days", "records-bad-count"),
        ("bad.csv", 6, "accepted_at", "records-calendar"),
        ("bad.csv", 6, "visits", "records-bad-count"),
        ("bad.csv", 7, "promised_days", "records-empty-cell"),
        ("more.csv", 2, "办件编号", "records-duplicate-id"),
        ("r.csv", 2, "评价等级", "records-bad-value"),
        ("r.csv", 2, "核实结果", "records-bad-value"),
        ("r.csv", 2, "整改完成时间", "records-order"),
    }
    messages = {i.code: i.message for i in err.value.issues}
    assert "2031 年" in messages["records-calendar"]
    assert "bad.csv 第 3 行" in messages["records-duplicate-id"]  # both rows named
    said = {i.column: i.message for i in err.value.issues if i.code == "records-bad-value"}
    assert "“fax” 无法识别;可填 online(网上办理)" in said["channel"] and "非常满意" in said["评价等级"]


def test_a_nul_character_in_an_id_or_name_is_located_in_csv_and_parquet(tmp_path):
    # PostgreSQL refuses U+0000 in text and SQLite keeps it (a later copy then fails): the ids and
    # names the store keeps are checked as the results files' cells are, by path and by upload
    cases = [("A\x001", "C1", "I1", "online", "2017-09-04", "", "0", "", "", ""),
             ("A2", "C1", "I\x00", "online", "2017-09-04", "", "0", "", "", "")]  # fmt: skip
    ratings = [("P1", "C1", "A2\x00", "2017-09-05", "非常满意", "", "", "")]
    accounts = {**ACCOUNTS, "name": ["甲县\x00发布", "甲县政务", "乙县发布"]}
    on_disk = tmp_path / "ratings.csv"
    on_disk.write_bytes(csv_file("ratings.csv", RATING_HEADER, ratings).data)
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("c.csv", CASE_HEADER, cases)], ratings=[on_disk],
            accounts=parquet("accounts.parquet", accounts), posts=inputs()["posts"])  # fmt: skip
    assert located(err.value) == {
        ("c.csv", 2, "case_id", "nul-character"),
        ("c.csv", 3, "item_code", "nul-character"),
        (str(on_disk), 2, "办件编号", "nul-character"),
        ("accounts.parquet", 2, "name", "nul-character"),
    }
    assert all("U+0000" in i.message and i.value is None for i in err.value.issues)  # the cell is not echoed


def test_a_finish_dated_without_a_time_on_the_day_of_acceptance_is_not_before_it():
    rows = [
        ("A1", "C1", "", "window", "2017-09-04 10:30:00", "2017-09-04", "0", "", "", ""),  # date only: same day
        ("A2", "C1", "", "window", "2017-09-04 10:30:00", "2017-09-04 00:00:00", "0", "", "", ""),  # a date cell
        ("A3", "C1", "", "window", "2017-09-04 10:30:00", "2017-09-04 09:00:00", "0", "", "", ""),  # truly before
    ]  # fmt: skip
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("c.csv", CASE_HEADER, rows)])
    assert located(err.value) == {("c.csv", 4, "finished_at", "records-order")}


def test_a_file_given_by_path_streams_in_blocks_to_the_same_rows(tmp_path, monkeypatch):
    import scoring.records.read as read

    files = inputs()
    paths = {}
    for f in [*files["cases"], *files["ratings"], files["accounts"], *files["posts"]]:
        (tmp_path / f.name).write_bytes(f.data)
        paths[f.name] = tmp_path / f.name
    # CRLF and a BOM, and blocks so small that a Chinese character is cut between two of them
    crlf = b"\xef\xbb\xbf" + files["ratings"][0].data.replace(b"\n", b"\r\n")
    paths["ratings.csv"].write_bytes(crlf)
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 301)
    assert read._complete("ab甲".encode()[:4]) == 2 and read._complete("ab甲".encode()) == 5
    by_path = compute_records(rubric(), roster(), "2017Q3", START, END,
                              cases=[paths["cases_c1.csv"], paths["cases_c2.xlsx"]], ratings=[paths["ratings.csv"]],
                              accounts=paths["accounts.parquet"], posts=[paths["posts.csv"]])  # fmt: skip
    pd.testing.assert_frame_equal(by_path.rows, run().rows)


def test_a_blank_line_in_a_file_given_by_path_keeps_the_row_numbers(tmp_path):
    rows = [("A1", "C1", "", "window", "2017-09-04", "", "0", "", "", ""), ("A2", "C1", "", "fax", "2017-09-04", "", "0", "", "", "")]  # fmt: skip
    data = csv_file("c.csv", CASE_HEADER, rows).data
    first_end = data.index(b"\n", data.index(b"\n") + 1)
    path = tmp_path / "c.csv"
    path.write_bytes(data[: first_end + 1] + b"\n" + data[first_end + 1 :] + b"\n\n")
    with pytest.raises(InputError) as err:
        run(cases=[path])
    assert located(err.value) == {(str(path), 4, "channel", "records-bad-value")}


def test_a_window_outside_the_calendar_or_backwards_is_refused():
    with pytest.raises(InputError) as err:
        compute_records(rubric(), roster(), "Q", dt.date(2017, 9, 1), dt.date(2031, 1, 5), **inputs())
    assert [i.code for i in err.value.issues] == ["records-calendar"] and "2031 年" in err.value.issues[0].message
    with pytest.raises(InputError) as err:
        compute_records(rubric(), roster(), "Q", END, START, **inputs())
    assert [i.code for i in err.value.issues] == ["records-window"]


def test_a_rubric_check_with_both_monitor_and_records_or_a_wrong_method_is_refused():
    from scoring.rubric import parse_rubric

    checks = [
        {"id": "X", "name": "两者", "method": "binary", "points": 1, "monitor": {"rule": "page_exists", "column": "a"},
         "records": {"measure": "online_rate"}},
        {"id": "Y", "name": "方法", "method": "binary", "points": 1, "records": {"measure": "satisfaction"}},
        {"id": "Z", "name": "参数", "method": "ratio", "points": 1, "records": {"measure": "online_rate", "days": 3}},
    ]  # fmt: skip
    with pytest.raises(InputError) as err:
        parse_rubric(json.dumps(rubric_dict(checks), ensure_ascii=False), "r.yaml")
    got = {(i.code, i.path) for i in err.value.issues}
    assert ("records-and-monitor", "tracks[T].dimensions[D].indicators[I].checks[X].records") in got
    assert ("records-method", "tracks[T].dimensions[D].indicators[I].checks[Y].records.measure") in got
    assert ("records-param-unused", "tracks[T].dimensions[D].indicators[I].checks[Z].records.days") in got


def test_a_missing_column_and_an_unknown_file_type_are_named():
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("c.csv", ["case_id", "unit_id"], [("A", "C1")]), InputFile("c.json", b"{}")])
    assert {(i.file, i.code) for i in err.value.issues} == {
        ("c.csv", "records-missing-column"),
        ("c.json", "file-type"),
    }


def test_many_problems_are_capped_and_counted():
    rows = [(f"A{i}", "C1", "", "fax", "2017-09-04", "", "0", "", "", "") for i in range(250)]
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("c.csv", CASE_HEADER, rows)])
    assert len(err.value.issues) == 201
    assert err.value.issues[-1].message == "另有 50 处同类问题(列 channel)未列出"


# ---- properties


case_rows = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "M1"]),
        st.sampled_from(["online", "mobile", "window", "self_service"]),
        st.dates(dt.date(2017, 8, 20), dt.date(2017, 10, 20)),
        st.one_of(st.none(), st.integers(0, 15)),  # days until finished
        st.integers(0, 6),
        st.one_of(st.none(), st.integers(0, 10)),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    max_size=40,
)


rating_rows = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "M1"]),
        st.dates(dt.date(2017, 8, 20), dt.date(2017, 10, 20)),
        st.sampled_from(["1", "2", "3", "非常满意", "不满意"]),
        st.sampled_from(["", "属实", "不属实"]),
        st.one_of(st.none(), st.integers(0, 20)),  # days until fixed
        st.booleans(),  # called back
        st.integers(0, 50),  # the case it names
    ),
    max_size=30,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=case_rows, ratings=rating_rows, seed=st.randoms(use_true_random=False), cut=st.integers(0, 40))
def test_ratios_lie_in_0_1_and_ignore_row_order_and_file_splits(rows, ratings, seed, cut):
    table = [
        (f"K{i}", u, f"I{i % 3}", ch, acc.isoformat(), "" if fin is None else (acc + dt.timedelta(days=fin)).isoformat(),
         str(p), "" if s is None else str(s), "" if v is None else str(v), "")
        for i, (u, ch, acc, fin, p, s, v) in enumerate(rows)
    ]  # fmt: skip
    rated = [
        (f"P{i}", u, f"K{k}", at.isoformat(), level, verified,
         "" if fix is None else (at + dt.timedelta(days=fix)).isoformat(), at.isoformat() if called else "")
        for i, (u, at, level, verified, fix, called, k) in enumerate(ratings)
    ]  # fmt: skip
    checks = [c for c in CHECKS if c["id"] not in ("R11", "R12", "H")]
    once = compute_records(rubric(checks), roster(), "Q", START, END, cases=[csv_file("a.csv", CASE_HEADER, table)],
                           ratings=[csv_file("r.csv", RATING_HEADER, rated)])  # fmt: skip
    values = pd.to_numeric(once.rows.loc[once.rows["check_id"] != "R2", "value"], errors="coerce").dropna()
    assert ((values >= 0) & (values <= 1)).all()
    shuffled, reordered = list(table), list(rated)
    seed.shuffle(shuffled)
    seed.shuffle(reordered)
    cut = min(cut, len(shuffled))
    half = len(reordered) // 2
    split = compute_records(rubric(checks), roster(), "Q", START, END,
                            cases=[csv_file("a.csv", CASE_HEADER, shuffled[:cut]),
                                   csv_file("b.csv", CASE_HEADER, shuffled[cut:])],
                            ratings=[csv_file("r.csv", RATING_HEADER, reordered[:half]),
                                     csv_file("s.csv", RATING_HEADER, reordered[half:])])  # fmt: skip
    pd.testing.assert_frame_equal(once.rows, split.rows)
    pd.testing.assert_frame_equal(once.detail, split.detail)


# ---- the command line and the store


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def write_inputs(tmp_path) -> list[object]:
    (tmp_path / "rubric.yaml").write_text(
        json.dumps(rubric_dict(CHECKS, kind="service", weight=0.1), ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "units.csv").write_bytes(units_file().data)
    files = inputs()
    args: list[object] = []
    for flag in ("cases", "ratings", "accounts", "posts"):
        given_files = files[flag] if isinstance(files[flag], list) else [files[flag]]
        args.append(f"--{flag}")
        for f in given_files:
            (tmp_path / f.name).write_bytes(f.data)
            args.append(tmp_path / f.name)
    return ["--rubric", tmp_path / "rubric.yaml", "--units", tmp_path / "units.csv", "--period", "2017Q3",
            "--from", "2017-09-01", "--to", "2017-10-13", *args]  # fmt: skip


def test_cli_writes_the_rows_and_counts_what_it_left_out(tmp_path):
    out = tmp_path / "records.csv"
    p = cli("records", *write_inputs(tmp_path), "--out", out)
    assert p.returncode == 0, p.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert {(r.unit_id, r.check_id): r.value for r in got.itertuples()} == {
        (u, c): v for u, checks in EXPECTED.items() for c, v in checks.items()
    }
    assert "1 条办件记录的单位不在单位名单中" in p.stderr  # B2 of unit XX
    assert "1 条办件记录不在统计区间" in p.stderr  # A6
    assert "1 条评价记录不在统计区间" in p.stderr  # P7 (P3 is unfounded, not outside)
    assert "1 条发文记录晚于 --to 2017-10-13" in p.stderr


def test_the_rows_score_with_assess_score(tmp_path):
    out = tmp_path / "records.csv"
    assert cli("records", *write_inputs(tmp_path), "--out", out).returncode == 0
    typed = csv_file(
        "typed.csv", ["period", "unit_id", "check_id", "value"], [("2017Q3", u, "H", "1") for u, *_ in UNITS]
    )
    (tmp_path / "typed.csv").write_bytes(typed.data)
    p = cli("score", "--rubric", tmp_path / "rubric.yaml", "--units", tmp_path / "units.csv", "--results", out,
            tmp_path / "typed.csv", "--out", tmp_path / "scores")  # fmt: skip
    assert p.returncode == 0, p.stderr
    checks = pd.read_csv(tmp_path / "scores" / "check_scores.csv", dtype=str, keep_default_na=False)
    row = checks[(checks["unit_id"] == "C1") & (checks["check_id"] == "R1")].iloc[0]
    assert (row["value"], row["earned"]) == ("0.666667", "6.6667")  # 10 × 0.666667, at 4 decimals
    vetoed = pd.read_csv(tmp_path / "scores" / "unit_scores.csv", dtype=str).set_index("unit_id")["vetoed"]
    assert vetoed["C1"] == "true" and vetoed["C3"] == "false"


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    args = write_inputs(tmp_path)
    (tmp_path / "cases_c1.csv").write_bytes(
        csv_file("x", CASE_HEADER, [("A1", "C1", "", "fax", "2017-09-04", "", "0", "", "", "")]).data
    )
    out = tmp_path / "records.csv"
    p = cli("records", *args, "--out", out)
    assert p.returncode == 2
    assert "cases_c1.csv 第 2 行 列「channel」" in p.stderr
    assert not out.exists()


def test_db_keeps_the_rows_with_an_open_round_and_refuses_a_closed_one(tmp_path):
    db, out = tmp_path / "s.db", tmp_path / "records.csv"
    p = cli("records", *write_inputs(tmp_path), "--out", out, "--db", db)
    assert p.returncode == 2 and "尚未开启" in p.stderr and not out.exists()
    open_periods(db, "2017Q3")
    p = cli("records", *write_inputs(tmp_path), "--out", out, "--db", db)
    assert p.returncode == 0, p.stderr
    store = open_store(db)
    stored = store.db.execute(
        "SELECT name, content FROM evidence_file WHERE name GLOB '办件评价结果_2017Q3_*'"
    ).fetchall()
    assert len(stored) == 1 and bytes(stored[0][1]) == out.read_bytes()
    audits = store.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'records.run'").fetchone()[0]
    assert audits == 1


def test_a_parquet_that_declares_gigabytes_is_refused_before_it_is_decoded(tmp_path):
    """Issue 27's hostile files, for the records exports: 1.1 GB of case ids, zstd-compressed to a few
    hundred kilobytes, uploaded to the app. Refused from the file's own metadata, nothing decoded."""
    path = tmp_path / "bomb.parquet"
    schema = pa.schema([(n, pa.string()) for n in CASE_HEADER])
    big = "B" * 2**20
    with pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=False) as w:
        for i in range(1100):  # a row at a time: the test itself never holds the gigabyte
            cells = {n: [f"{big}{i}-{k}" if n == CASE_HEADER[0] else "" for k in range(1)] for n in CASE_HEADER}
            w.write_table(pa.table(cells, schema=schema))
    data = path.read_bytes()
    assert len(data) < 5 * 2**20
    with pytest.raises(InputError) as err:
        compute_records(rubric(), roster(), "2017Q3", START, END, cases=[InputFile("bomb.parquet", data)])
    [issue] = err.value.issues
    assert (issue.code, issue.file) == ("parquet-too-large", "bomb.parquet")
    assert "超过上限" in issue.message and "1,100 行" in issue.message
