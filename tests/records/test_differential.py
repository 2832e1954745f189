"""`assess records` against the independent reference (tests/records/reference.py), row by row.

Three sources of records: the hand-worked golden exports (values known by hand too), a realistic
province (hundreds of units, about 50,000 cases in exports of both vocabularies and every file
format, exported three weeks after the quarter so that finishes, fixes and callbacks after --to
exist), and hypothesis's small exports with dates around the 2017 National Day and the 2018
Spring Festival. Every value must be the reference's, as written (ratios to the 6th decimal).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records.golden import EXPECTED, RUBRIC, WINDOW, write_golden
from records.reference import reference_values

from helpers import ROOT
from sample_data.records_synth import Records, export_table, synth_records, write_export

ID = re.compile(r"(?<![A-Za-z0-9])(?:BJ|PJ)\d{8,}(?!\d)")  # Chinese text may touch an id


def run_records(
    out: Path,
    units_path: Path,
    period: str,
    start: str,
    end: str,
    cases=(),
    ratings=(),
    accounts=None,
    posts=(),
) -> list[dict[str, str]]:
    """`assess records` as a real process; its rows, or a failure showing what it said."""
    args = [sys.executable, "-m", "scoring.cli", "records", "--rubric", str(RUBRIC), "--units", str(units_path),
            "--period", period, "--from", start, "--to", end, "--out", str(out)]  # fmt: skip
    if cases:
        args += ["--cases", *map(str, cases)]
    if ratings:
        args += ["--ratings", *map(str, ratings)]
    if accounts is not None:
        args += ["--accounts", str(accounts)]
    if posts:
        args += ["--posts", *map(str, posts)]
    p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    with out.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def values_of(rows: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    got: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["unit_id"], r["check_id"])
        assert key not in got, f"two rows for {key}"
        got[key] = r["value"]
    return got


def assert_same(got: dict[tuple[str, str], str], want: dict[tuple[str, str], str]) -> None:
    assert sorted(set(got) - set(want)) == [], "rows the reference does not have"
    assert sorted(set(want) - set(got)) == [], "rows missing from assess records"
    wrong = {k: (got[k], want[k]) for k in sorted(want) if got[k] != want[k]}
    assert wrong == {}, f"{len(wrong)} of {len(want)} values differ (assess records, reference)"


# ---------------------------------------------------------------- the golden exports


def test_golden_exports_give_the_hand_worked_values(tmp_path):
    files = write_golden(tmp_path / "in")
    rows = run_records(tmp_path / "out.csv", files["units_path"], *WINDOW, **_named(files))
    assert_same(values_of(rows), EXPECTED)
    assert {(r["period"], r["evaluator"], r["checked_at"]) for r in rows} == {("2017Q4", "records", "2017-10-20")}
    by_key = {(r["unit_id"], r["check_id"]): r for r in rows}
    # the evidence names the records that cost points: c1, c7 finished late and c4 overdue unfinished
    overdue = set(ID.findall(by_key[("A1", "R1.1.2")]["evidence"]))
    assert overdue == {"BJ2017092800000001", "BJ2017082800000007", "BJ2017101000000004"}
    # the 差评 fixed late
    assert set(ID.findall(by_key[("A1", "R2.1.2")]["evidence"])) == {"PJ2017092900000003"}


def _named(files: dict) -> dict:
    return {k: files[k] for k in ("cases", "ratings", "accounts", "posts")}


# ---------------------------------------------------------------- a realistic province

PROVINCE_WINDOW = ("2017Q4", "2017-10-01", "2017-12-31")


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict:
    """300 roster units (two groups), of which 280 have records, plus 8 units of another roster
    whose records must be ignored; 50,000 cases accepted from 2017-09-01, exported 2018-01-20."""
    folder = tmp_path_factory.mktemp("province")
    roster = [(f"P{i:03d}", f"演示单位{i}", "county" if i % 3 == 0 else "department") for i in range(300)]
    units = folder / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位编码", "单位名称", "分组"], *roster])
    with_records = [u for u, _, _ in roster[:280]] + [f"X{i}" for i in range(8)]
    rec = synth_records(with_records, "2017-10-01", "2017-12-31", 50_000, 7, export_at="2018-01-20")
    half = rec.cases.num_rows // 2
    cases = [
        write_export(_slice(rec, "cases", 0, half, "zh"), folder / "cases_a.csv", "gb18030"),
        write_export(_slice(rec, "cases", half, None, "en"), folder / "cases_b.parquet"),
    ]
    third = rec.ratings.num_rows // 3
    ratings = [
        write_export(_slice(rec, "ratings", 0, third, "zh"), folder / "ratings_a.csv"),
        write_export(_slice(rec, "ratings", third, 2 * third, "en"), folder / "ratings_b.xlsx"),
        write_export(_slice(rec, "ratings", 2 * third, None, "zh"), folder / "ratings_c.parquet"),
    ]
    accounts = write_export(export_table(rec, "accounts", "zh"), folder / "accounts.xlsx")
    posts = [write_export(export_table(rec, "posts", "en"), folder / "posts.csv")]
    return {"units_path": units, "cases": cases, "ratings": ratings, "accounts": accounts, "posts": posts,
            "records": rec, "folder": folder}  # fmt: skip


def _slice(rec: Records, kind: str, start: int, stop: int | None, vocabulary: str) -> pa.Table:
    table = export_table(rec, kind, vocabulary)
    return table.slice(start, (stop if stop is not None else table.num_rows) - start)


def test_a_realistic_province_row_by_row(province):
    files = {k: province[k] for k in ("cases", "ratings", "accounts", "posts")}
    lost: dict = {}
    want = reference_values(RUBRIC, province["units_path"], *PROVINCE_WINDOW, **files, lost=lost)
    # the data reach every branch: NA units, late cases, 差评 due and not, stale accounts
    assert sum(v == "NA" for v in want.values()) > 20
    assert any(k[1] == "R1.1.2" and v not in ("0", "NA") for k, v in want.items())
    assert len({v for k, v in want.items() if k[1] == "R2.1.2"}) > 10
    assert any(k[1] == "R3.1.2" and v == "1" for k, v in want.items())
    rows = run_records(province["folder"] / "out.csv", province["units_path"], *PROVINCE_WINDOW, **files)
    assert_same(values_of(rows), want)
    assert {r["evaluator"] for r in rows} == {"records"} and {r["checked_at"] for r in rows} == {"2017-12-31"}
    # evidence: up to five ids of records that cost points (late cases, overdue ones, 差评 fixed late)
    for r in rows:
        key = (r["unit_id"], r["check_id"])
        if r["check_id"] in ("R1.1.1", "R1.1.2", "R2.1.2"):
            named = set(ID.findall(r["evidence"]))
            assert named <= lost[key], (key, named - lost[key])
            assert len(named) == min(5, len(lost[key])), (key, r["evidence"])


# ---------------------------------------------------------------- hypothesis: small exports near holidays

# 2017: 09-30 (Sat) worked, 10-01..10-08 off. 2018: 02-11 (Sun) and 02-24 (Sat) worked, 02-15..21 off.
ANCHORS = [dt.date(2017, 9, 22), dt.date(2018, 2, 5)]
CHANNELS = {"zh": ["网上办理", "移动端", "窗口", "自助终端"], "en": ["online", "mobile", "window", "self_service"]}
LEVELS = {"zh": ["非常不满意", "不满意", "基本满意", "满意", "非常满意"], "en": ["1", "2", "3", "4", "5"]}
HEADERS = {
    "zh": (["办件编号", "单位编码", "事项编码", "办理渠道", "受理时间", "办结时间", "承诺时限", "法定时限", "跑动次数"],
           ["评价编号", "单位编码", "办件编号", "评价时间", "评价等级", "核实结果", "整改完成时间", "回访时间"],
           ["账号编码", "单位编码", "平台", "账号名称"], ["账号编码", "发布时间", "标题"]),
    "en": (["case_id", "unit_id", "item_code", "channel", "accepted_at", "finished_at", "promised_days",
            "statutory_days", "visits"],
           ["rating_id", "unit_id", "case_id", "rated_at", "level", "verified", "fixed_at", "callback_at"],
           ["account_id", "unit_id", "platform", "name"], ["account_id", "published_at", "title"]),
}  # fmt: skip


@st.composite
def small_exports(draw) -> dict:
    anchor = draw(st.sampled_from(ANCHORS))
    day = lambda lo, hi: anchor + dt.timedelta(days=draw(st.integers(lo, hi)))  # noqa: E731
    start = day(0, 12)
    end = start + dt.timedelta(days=draw(st.integers(0, 20)))
    units = [f"U{i}" for i in range(draw(st.integers(1, 4)))]
    vocab = draw(st.sampled_from(["zh", "en"]))
    cases = []
    for i in range(draw(st.integers(0, 14))):
        accepted = day(-10, 30)
        finished = (
            None if draw(st.booleans()) and draw(st.booleans()) else accepted + dt.timedelta(draw(st.integers(0, 16)))
        )
        promised = draw(st.integers(0, 6))
        statutory = draw(st.one_of(st.none(), st.integers(0, 8)))
        cases.append([f"BJ{accepted:%Y%m%d}{i:04d}", draw(st.sampled_from(units)),
                      draw(st.sampled_from(["I1", "I2", "I3", ""])), draw(st.sampled_from(CHANNELS[vocab])),
                      f"{accepted} 09:{i:02d}:00", "" if finished is None else f"{finished} 17:00:00", str(promised),
                      "" if statutory is None else str(statutory),
                      draw(st.sampled_from(["", "0", "1", "2", "3"]))])  # fmt: skip
    ratings = []
    for i in range(draw(st.integers(0, 12))):
        rated = day(-5, 30)
        later = lambda r=rated: "" if draw(st.booleans()) else f"{r + dt.timedelta(draw(st.integers(0, 14)))} 18:00:00"  # noqa: E731
        # a rating naming a case is the case's unit's, as the platform records it
        case = draw(st.sampled_from([None, *cases]))
        unit = draw(st.sampled_from(units)) if case is None else case[1]
        ratings.append([f"PJ{rated:%Y%m%d}{i:04d}", unit, "" if case is None else case[0], f"{rated} 09:00:00",
                        draw(st.sampled_from(LEVELS[vocab])), draw(st.sampled_from(["", "属实", "不属实"])),
                        later(), later()])  # fmt: skip
    accounts, posts = [], []
    for i in range(draw(st.integers(0, 5))):
        accounts.append([f"A{i}", draw(st.sampled_from(units)), "微信公众号", f"账号{i}"])
        for _ in range(draw(st.integers(0, 3))):
            posts.append([f"A{i}", f"{day(-30, 30)} 12:00:00", "标题"])
    return {"window": (start.isoformat(), end.isoformat()), "units": units, "vocab": vocab,
            "cases": cases, "ratings": ratings, "accounts": accounts, "posts": posts}  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])  # fmt: skip
@given(data=small_exports())
def test_small_exports_near_holidays(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("small")
    units = folder / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["unit_id", "name", "group"], *[(u, f"单位{u}", "county") for u in data["units"]]])
    heads = HEADERS[data["vocab"]]
    files: dict = {}
    for key, head, name in zip(("cases", "ratings", "accounts", "posts"), heads, ("c", "r", "a", "p"), strict=True):
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([head, *data[key]])
        files[key] = path if key == "accounts" else [path]
    want = reference_values(RUBRIC, units, "P", *data["window"], **files)
    rows = run_records(folder / "out.csv", units, "P", *data["window"], **files)
    assert_same(values_of(rows), want)
