"""The synthetic exports look like a platform's and are valid SPEC 6 input; the demo's are the
committed ones (sample_data/records/, written by sample_data/generate.py)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import chinese_calendar
import numpy as np
import openpyxl
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from helpers import ROOT
from sample_data.records_synth import (
    CHANNELS,
    DEMO_PERIODS,
    LEVELS,
    export_table,
    synth_records,
    write_demo_records,
    write_export,
)

RECORDS = ROOT / "sample_data" / "records"


@pytest.fixture(scope="module")
def rec():
    return synth_records([f"U{i:03d}" for i in range(120)], "2017-10-01", "2017-12-31", 120_000, 3,
                         export_at="2018-01-20")  # fmt: skip


def _np(table, column):
    return table.column(column).to_numpy(zero_copy_only=False)


def test_same_seed_same_records(rec):
    again = synth_records([f"U{i:03d}" for i in range(120)], "2017-10-01", "2017-12-31", 120_000, 3,
                          export_at="2018-01-20")  # fmt: skip
    for kind in ("cases", "ratings", "accounts", "posts"):
        assert getattr(again, kind).equals(getattr(rec, kind)), kind


def test_cases_are_valid_and_shaped_like_a_platforms(rec):
    c = rec.cases
    ids = _np(c, "case_id")
    assert len(set(ids)) == len(ids) and all(i.startswith("BJ2017") for i in ids[:1000])
    accepted, finished = _np(c, "accepted_at"), _np(c, "finished_at")
    done = ~np.isnat(finished)
    assert (finished[done] >= accepted[done]).all()  # never finished before accepted
    assert 0.002 < 1 - done.mean() < 0.2  # some unfinished at the export (stuck ones, weeks later)
    assert (finished[done] <= np.datetime64("2018-01-20T23:59:59")).all()  # nothing after the export
    promised = _np(c, "promised_days")
    assert 0.15 < (promised == 0).mean() < 0.3 and promised.max() <= 20  # about a fifth 即办件
    statutory = c.column("statutory_days").to_pandas()
    given = statutory.notna()
    assert 0.05 < 1 - given.mean() < 0.25
    assert ((statutory[given] >= promised[given.to_numpy()]) | (statutory[given] == 0)).all()
    assert (statutory[given] == promised[given.to_numpy()]).mean() > 0.05  # some promise all the law allows
    days = accepted.astype("datetime64[D]")
    off = np.array([not chinese_calendar.is_workday(d.item()) for d in np.unique(days)])
    share_off = np.isin(days, np.unique(days)[off]).mean()
    assert 0 < share_off < 0.03  # accepted on a weekend or holiday: rarely, but it happens
    # Zipf-like items: in a unit, its tenth most used items carry most of its cases
    per_item = c.group_by(["unit_id", "item_code"]).aggregate([("case_id", "count")]).to_pandas()
    top = per_item.sort_values("case_id_count", ascending=False).groupby("unit_id")["case_id_count"]
    shares = top.apply(lambda s: s.head(max(1, len(s) // 10)).sum() / s.sum())
    assert shares.median() > 0.3 and per_item.groupby("unit_id").size().median() > 80
    visits = c.column("visits")
    assert 0.03 < visits.null_count / len(c) < 0.15 and pc.max(visits).as_py() == 3


def test_ratings_are_valid_and_shaped_like_haochaping(rec):
    r = rec.ratings
    n_cases = rec.cases.num_rows
    assert 0.15 < r.num_rows / n_cases < 0.3
    level = _np(r, "level")
    bad = level <= 2
    assert 0.01 < bad.mean() < 0.1 and (level == 5).mean() > 0.6
    rated = _np(r, "rated_at")
    for column in ("fixed_at", "callback_at"):
        t = _np(r, column)
        assert (t[~np.isnat(t)] >= rated[~np.isnat(t)]).all(), column  # never before the rating
    verified, fixed = _np(r, "verified"), _np(r, "fixed_at")
    assert set(np.unique(verified[bad])) == {0, 1, 2}  # not yet verified, 属实, 不属实
    assert np.isnat(fixed[~bad]).all() and np.isnat(fixed[bad & (verified == 2)]).all()
    fixed_bad = bad & ~np.isnat(fixed)
    assert 0.5 < fixed_bad.sum() / bad.sum() < 0.95  # some never fixed
    days = (fixed[fixed_bad].astype("datetime64[D]") - rated[fixed_bad].astype("datetime64[D]")).astype(int)
    assert (days > 9).any() and (days <= 7).mean() > 0.5  # mostly in time, some late
    assert 0.02 < r.column("case_id").null_count / r.num_rows < 0.1  # some name no case
    ids = _np(r, "rating_id")
    assert len(set(ids)) == len(ids)


def test_some_accounts_fall_silent(rec):
    a, p = rec.accounts, rec.posts
    assert set(a.column("platform").to_pylist()) == {"微信公众号", "微博", "抖音", "头条号"}
    newest = p.group_by("account_id").aggregate([("published_at", "max")]).to_pandas()
    age = (dt.datetime(2017, 12, 31) - newest["published_at_max"]).dt.days
    assert (age > 14).any() and (age <= 14).any()
    assert len(newest) < a.num_rows  # some accounts never posted


def test_exports_speak_one_vocabulary_each(rec, tmp_path):
    zh, en = export_table(rec, "cases", "zh"), export_table(rec, "cases", "en")
    assert zh.column_names[:3] == ["办件编号", "单位编码", "事项编码"] and en.column_names[:3] == [
        "case_id",
        "unit_id",
        "item_code",
    ]
    assert set(zh.column("办理渠道").to_pylist()) == {zh for _, zh in CHANNELS}
    assert set(en.column("channel").to_pylist()) == {en for en, _ in CHANNELS}
    assert set(export_table(rec, "ratings", "zh").column("评价等级").to_pylist()) == set(LEVELS.values())
    assert set(export_table(rec, "ratings", "en").column("level").to_pylist()) == {"1", "2", "3", "4", "5"}
    # GB18030 CSV as Chinese Excel saves it: not UTF-8, and the quoted line breaks survive
    path = write_export(zh.slice(0, 500), tmp_path / "cases.csv", "gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    rows = list(csv.reader(path.read_bytes().decode("gb18030").splitlines(keepends=True)))
    assert len(rows) == 501 and any("\n" in r[3] for r in rows[1:]) and any('"' in r[3] for r in rows[1:])
    xlsx = write_export(export_table(rec, "ratings", "zh").slice(0, 50), tmp_path / "ratings.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["D1"].value == "评价时间" and isinstance(ws["D2"].value, dt.datetime)


def test_the_demo_records_are_the_generators(tmp_path):
    units = list(csv.DictReader((ROOT / "sample_data" / "units.csv").open(encoding="utf-8-sig")))
    from sample_data.generate import SEED  # the demo's one seed

    written = write_demo_records([u["unit_id"] for u in units], [u["name"] for u in units], tmp_path, SEED)
    assert sorted(p.name for p in written) == sorted(p.name for p in RECORDS.iterdir())
    for path in written:
        committed = RECORDS / path.name
        if path.suffix == ".parquet":
            assert pq.read_table(path).equals(pq.read_table(committed)), f"{path.name}: run sample_data/generate.py"
        else:
            assert path.read_bytes() == committed.read_bytes(), path.name
    cases = sum(pq.read_metadata(RECORDS / f"cases_{p}.parquet").num_rows for p in DEMO_PERIODS)
    ratings = sum(pq.read_metadata(RECORDS / f"ratings_{p}.parquet").num_rows for p in DEMO_PERIODS)
    assert cases == 300_000 and 20_000 < ratings < 100_000
    assert 20 <= pq.read_metadata(RECORDS / "accounts.parquet").num_rows <= 80
    assert sum(p.stat().st_size for p in RECORDS.iterdir()) < 10 * 2**20


def test_demo_files_are_valid_for_their_rounds():
    # ids unique across every file of the year; every date in a year the calendar covers
    ids = np.concatenate([pq.read_table(RECORDS / f"cases_{p}.parquet", columns=["办件编号"]).column(0).to_numpy()
                          for p in DEMO_PERIODS])  # fmt: skip
    assert len(np.unique(ids)) == len(ids)
    for p, (first, last) in DEMO_PERIODS.items():
        accepted = pq.read_table(RECORDS / f"cases_{p}.parquet", columns=["受理时间"]).column(0).to_numpy()
        lo = np.datetime64(first) - (30 if p == "2017Q3" else 0)
        assert accepted.min() >= lo and accepted.max() < np.datetime64(last) + 1, p
    example = Path(RECORDS / "cases_example.csv").read_text(encoding="utf-8").splitlines()[0]
    assert example.startswith('"办件编号","单位编码"')
