"""抽查复核 (issue 33): the stratified re-check sample and the reconciliation of a second evaluator."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT, csv_file, make_rubric, rubric_dict, units_file
from scoring import assess
from scoring.pipeline import read_results
from scoring.robustness.recheck import NO_EVALUATOR, allocate, draw_sample, reconcile, sample_workbook

CHECKS = [
    {"id": "B", "name": "栏目", "method": "binary", "points": 10},
    {"id": "L", "name": "质量", "method": "levels", "points": 10, "levels": {"A": 1, "B": 0.5, "C": 0}},
    {"id": "K", "name": "逾期", "method": "deduct", "points": 10, "per_item": 2},
    {"id": "V", "name": "网站打不开", "method": "veto", "cap": 59},
]
HEADER = ["period", "unit_id", "check_id", "value", "evaluator"]
# C1 26/30 = 86.67, C2 13/30 = 43.33, C3 20/30 capped at 59 by its veto, M1 28/30 = 93.33
FIRST = [("C1", "B", "1", "王"), ("C1", "L", "A", "王"), ("C1", "K", "2", "王"), ("C1", "V", "0", "王"),
         ("C2", "B", "0", "王"), ("C2", "L", "B", "王"), ("C2", "K", "1", "王"), ("C2", "V", "0", "王"),
         ("C3", "B", "1", "李"), ("C3", "L", "C", "李"), ("C3", "K", "0", "李"), ("C3", "V", "1", "李"),
         ("M1", "B", "1", "李"), ("M1", "L", "A", "李"), ("M1", "K", "1", ""), ("M1", "V", "0", "李")]  # fmt: skip


def first_file():
    return csv_file("first.csv", HEADER, [("2017Q3", *r) for r in FIRST])


@pytest.fixture(scope="module")
def first():
    return assess(make_rubric(CHECKS), units_file(), [first_file()])


def raw_rows():
    return read_results([first_file()]).rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=20), st.integers(1, 400))
def test_allocation_is_proportional_with_one_per_non_empty_stratum(counts, size):
    counts = np.asarray(counts)
    got = allocate(counts, size)
    non_empty = counts > 0
    assert ((got >= 1) == non_empty).all() and (got <= counts).all()
    assert got.sum() == min(max(size, int(non_empty.sum())), int(counts.sum()))
    # beyond the first of each, each stratum's share is its share of what was left, within one
    left, extra = counts - non_empty, got.sum() - non_empty.sum()
    if left.sum():
        assert (np.abs((got - non_empty) - left * extra / left.sum()) < 1).all()


def test_the_sample_is_stratified_and_reproducible(first):
    sample, strata = draw_sample(first, raw_rows(), "2017Q3", 6, seed=11)
    # strata: evaluator x group x method of the 16 recorded results: 王 county (4 methods, 2 each),
    # 李 county (4) and department (3: M1's K names nobody, a stratum of its own)
    assert len(strata) == 4 + 4 + 3 + 1 and strata["population"].sum() == 16
    assert (
        strata.set_index(["evaluator", "group", "method"]).at[(NO_EVALUATOR, "department", "deduct"), "population"] == 1
    )
    # 12 strata and 6 asked for: one from each, 12 in all
    assert len(sample) == 12 and (strata["sampled"] == 1).all()
    drawn = sample.groupby(["evaluator", "group", "method"]).size()
    assert (drawn == 1).all() and len(drawn) == 12
    # 14 asked for: the 2 beyond one each go to strata with results left (王's), ties to the earlier strata (binary, deduct before levels, veto)
    _, more = draw_sample(first, raw_rows(), "2017Q3", 14, seed=11)
    wang = more["evaluator"] == "王"
    assert more.loc[wang, "sampled"].tolist() == [2, 2, 1, 1] and (more.loc[~wang, "sampled"] == 1).all()
    again, _ = draw_sample(first, raw_rows(), "2017Q3", 6, seed=11)
    pd.testing.assert_frame_equal(sample, again)
    seeds = {tuple(draw_sample(first, raw_rows(), "2017Q3", 6, seed=s)[0]["unit_id"]) for s in range(20)}
    assert len(seeds) > 1  # the seed decides which unit of a stratum is taken
    whole, _ = draw_sample(first, raw_rows(), "2017Q3", 100, seed=0)
    assert len(whole) == 16 and not whole.duplicated(["unit_id", "check_id"]).any()


def test_the_sample_workbook_hides_the_recorded_values(first):
    sample, strata = draw_sample(first, raw_rows(), "2017Q3", 100, seed=0)
    wb = openpyxl.load_workbook(io.BytesIO(sample_workbook(first, "2017Q3", sample, strata, 0)))
    ws = wb["测评结果"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    assert sorted((r["单位编码"], r["测评点编码"]) for r in rows) == sorted(
        zip(sample["unit_id"], sample["check_id"], strict=True)
    )
    assert all(r["结果"] is None for r in rows)
    assert "随机种子 0" in "".join(str(c.value) for c in wb["填写说明"]["A"])
    s = wb["抽样分层"]
    assert [c.value for c in s[1]] == ["测评人", "分组", "计分方法", "结果数", "抽取数"]
    assert ["王", "县区政府", "是否达标", 2, 2] in [[c.value for c in r] for r in s.iter_rows(min_row=2)]


def test_reconciliation_by_hand(first):
    # the second evaluator: C1's B failed (86.67 -> 16/30 = 53.33), C2's L is an A (43.33 -> 18/30 =
    # 60.00), C3's K does not apply (20/30 capped at 59 -> 10/20 = 50.00), and C1's L agrees
    second_rows = [("2017Q3", "C1", "B", "0", "赵"), ("2017Q3", "C2", "L", "A", "赵"),
                   ("2017Q3", "C3", "K", "不涉及", "赵"), ("2017Q3", "C1", "L", "A", "赵")]  # fmt: skip
    second = assess(first.rubric, units_file(), [csv_file("second.csv", HEADER, second_rows)], allow_missing=True)
    table = reconcile(first, second)
    got = table[["unit_id", "check_id", "first", "second", "earned_first", "earned_second", "score_before",
                 "score_after", "rank_before", "rank_after", "changed_in_unit"]].values.tolist()  # fmt: skip
    # county ranks before: C1 86.67, C3 59, C2 43.33; after: C2 60, C1 53.33, C3 50
    assert got == [
        ["C1", "B", "1", "0", 10.0, 0.0, 86.67, 53.33, 1, 2, 1],
        ["C2", "L", "B", "A", 5.0, 10.0, 43.33, 60.0, 3, 1, 1],
        ["C3", "K", "0", "NA", 10.0, 0.0, 59.0, 50.0, 2, 3, 1],
    ]
    assert table["unit_name"].tolist() == ["甲县", "乙县", "丙县"] and table["check_name"].tolist() == [
        "栏目",
        "质量",
        "逾期",
    ]
    assert reconcile(first, first).empty


def test_counts_and_rates_are_compared_as_numbers(first):
    """80% and 0.8 are one rate, 2 and 2.0 one count: no difference to reconcile."""
    rubric = make_rubric([*CHECKS, {"id": "R", "name": "办结率", "method": "ratio", "points": 10}])
    a = assess(rubric, units_file(), [csv_file("a.csv", HEADER[:4], [("2017Q3", "C1", "R", "80%"), ("2017Q3", "C1", "K", "2")])],
               allow_missing=True)  # fmt: skip
    b = assess(rubric, units_file(), [csv_file("b.csv", HEADER[:4], [("2017Q3", "C1", "R", "0.8"), ("2017Q3", "C1", "K", "2.0")])],
               allow_missing=True)  # fmt: skip
    assert reconcile(a, b).empty


def test_sample_and_reconcile_from_the_command_line(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                              cwd=ROOT, timeout=300)  # fmt: skip

    rubric, units, results, db = tmp_path / "r.yaml", tmp_path / "u.csv", tmp_path / "first.csv", tmp_path / "a.db"
    rubric.write_text(json.dumps(rubric_dict(CHECKS), ensure_ascii=False), encoding="utf-8")
    units.write_bytes(units_file().data)
    results.write_bytes(first_file().data)
    assert cli("rounds", "--db", db, "--open", "--period", "2017Q3").returncode == 0
    p = cli("import", "--db", db, "--rubric", rubric, "--units", units, "--results", results)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "sample.xlsx"
    p = cli("sample", "--db", db, "--period", "2017Q3", "--size", "100", "--seed", "5", "--out", out)
    assert p.returncode == 0, p.stderr
    assert "抽取 16 项" in p.stdout and "分 12 层" in p.stdout
    again = tmp_path / "again.xlsx"
    assert (
        cli("sample", "--db", db, "--period", "2017Q3", "--size", "100", "--seed", "5", "--out", again).returncode == 0
    )
    assert out.read_bytes() == again.read_bytes()
    # the re-checker fills it in: the same values but C1's B
    wb = openpyxl.load_workbook(out)
    ws = wb["测评结果"]
    header = [c.value for c in ws[1]]
    u, c, v = (header.index(h) for h in ("单位编码", "测评点编码", "结果"))
    recorded = {(r[0], r[1]): r[2] for r in FIRST}
    for row in ws.iter_rows(min_row=2):
        key = (row[u].value, row[c].value)
        row[v].value = "0" if key == ("C1", "B") else recorded[key]
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    p = cli("agreement", "--rubric", rubric, "--units", units, "--results", results, filled, "--out",
            tmp_path / "ag.csv", "--reconcile", tmp_path / "rec.csv")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "1 项结果两次不一致" in p.stdout
    rec = pd.read_csv(tmp_path / "rec.csv", encoding="utf-8-sig", dtype=str)
    assert rec[["单位", "测评点", "原结果", "复核结果", "单位原得分", "按复核结果的单位得分", "原排名", "按复核结果的排名"]].values.tolist() == [
        ["甲县", "栏目", "1", "0", "86.67", "53.33", "1", "2"]]  # fmt: skip
    bad = cli("sample", "--db", db, "--period", "2017Q3", "--size", "0", "--out", tmp_path / "x.txt")
    assert bad.returncode == 2 and "--size 0 不可用" in bad.stderr and "--out 须为 .xlsx 文件" in bad.stderr
    unknown = cli("sample", "--db", db, "--period", "2099Q1", "--size", "3", "--out", tmp_path / "y.xlsx")
    assert unknown.returncode == 2 and "2099Q1" in unknown.stderr and "Traceback" not in unknown.stderr
