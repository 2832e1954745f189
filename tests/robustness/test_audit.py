"""assess audit (issue 33): indicator quality of a small round worked by hand, properties of the
figures against numpy and scipy, and the command's files."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers import ROOT, csv_file, make_rubric, rubric_dict, run
from scoring.robustness.audit import audit_round, cronbach_alpha, grouped_correlation

UNITS = [(f"U{i}", f"单位{i}", "county") for i in range(1, 6)]


def binary(cid, dim="D1"):
    return {"id": cid, "name": f"测评点{cid}", "method": "binary", "points": 10}


def two_dimensions(checks_d1, checks_d2):
    data = rubric_dict([])
    track = data["tracks"][0]
    track["dimensions"] = [
        {"id": "D1", "name": "一级一", "indicators": [{"id": "I1", "name": "指标", "checks": checks_d1}]},
        {"id": "D2", "name": "一级二", "indicators": [{"id": "I2", "name": "指标", "checks": checks_d2}]},
    ]
    return data


# U1..U5. A: everybody passes. R runs against the rest of its dimension. E: two of five not applicable.
RESULTS = {
    "A": ["1", "1", "1", "1", "1"],
    "B": ["1", "1", "1", "0", "0"],
    "C": ["1", "1", "0", "0", "0"],
    "D": ["1", "1", "1", "1", "0"],
    "R": ["0", "0", "1", "1", "1"],
    "E": ["1", "0", "不涉及", "不涉及", "1"],
}


@pytest.fixture(scope="module")
def small_round():
    from scoring import parse_rubric

    data = two_dimensions([binary(c) for c in "ABCDR"], [binary("E")])
    rubric = parse_rubric(json.dumps(data, ensure_ascii=False), "r.yaml")
    rows = [(f"U{u + 1}", c, v[u]) for c, v in RESULTS.items() for u in range(5)]
    return run(rubric, rows, UNITS, allow_missing=False)


def test_hand_worked_figures_per_check(small_round):
    a = audit_round(small_round).checks.set_index("check_id")
    assert a.loc["A", ["units", "tested", "full_share", "zero_share", "distinct", "mean_lost"]].tolist() == [
        5, 5, 1.0, 0.0, 1, 0.0]  # fmt: skip
    # a check everybody passes: no correlation (a constant), and flagged with its threshold
    assert np.isnan(a.at["A", "r_dimension"]) and np.isnan(a.at["A", "r_track"])
    assert a.at["A", "flags"] == "区分度低:满分单位占 100%(≥ 90%)"
    assert a.at["A", "flag_codes"] == "low_discrimination"
    # B: 3 of 5 pass, 2 lose 10 points each -> mean lost 20 / 5 = 4
    assert a.loc["B", ["full_share", "zero_share", "distinct", "mean_lost", "flags"]].tolist() == [0.6, 0.4, 2, 4.0, ""]
    # B against the rest of D1 (A+C+D+R = 3,3,3,3,2 of 4): x dev (.4,.4,.4,-.6,-.6), rest dev (.2,.2,.2,.2,-.8)
    # sxy = .08 + .08 + .08 - .12 + .48 = .6, sxx = 1.2, syy = .8 -> r = .6 / sqrt(.96) = 0.6124
    assert a.at["B", "r_dimension"] == pytest.approx(0.6124, abs=1e-4)
    # R = (0,0,1,1,1) against A+B+C+D = (4,4,3,2,1): sxy = -2.4, sxx = 1.2, syy = 6.8 -> r = -2.4 / sqrt(8.16)
    assert a.at["R", "r_dimension"] == pytest.approx(-2.4 / np.sqrt(8.16), abs=1e-4)
    assert a.at["R", "flags"].startswith("方向存疑:与所在一级指标其余测评点的相关系数 -0.84(< 0)")
    # C = (1,1,0,0,0) against (3,3,4,3,2): sxy = 0 exactly -> 0, not negative
    assert a.at["C", "r_dimension"] == 0
    # but against the rest of the track (with E: 40/50, 30/50, 40/40, 30/40, 30/50 = .8 .6 1 .75 .6):
    # dev (.05, -.15, .25, 0, -.15), sxy = -.1, sxx = 1.2, syy = .11 -> r = -.1 / sqrt(.132) = -0.2752
    assert a.at["C", "r_track"] == pytest.approx(-0.1 / np.sqrt(0.132), abs=1e-4)
    assert a.at["C", "flags"] == "方向存疑:与所在轨道其余测评点的相关系数 -0.28(< 0)"
    # E: 2 of 5 not applicable (40% > 35%); alone in D2, so no rest there; against the track's rest
    # (D1 shares .8, .8, .4 for U1, U2, U5) E = (1, 0, 1) gives r = -0.5 exactly
    e = a.loc["E"]
    assert (e["units"], e["tested"], e["na_share"], e["full_share"]) == (5, 3, 0.4, round(2 / 3, 4))
    assert np.isnan(e["r_dimension"]) and e["r_track"] == pytest.approx(-0.5)
    assert e["flags"] == "方向存疑:与所在轨道其余测评点的相关系数 -0.50(< 0);覆盖不足:不涉及占 40%(> 35%)"
    assert e["flag_codes"] == "reversed low_coverage"


def test_hand_worked_alpha_per_dimension(small_round):
    d = audit_round(small_round).dimensions.set_index("dimension_id")
    # points: item variances 0, 30, 30, 20, 30 (sum 110); totals 40,40,40,30,20 vary by 80
    # alpha = 5/4 x (1 - 110/80) = -0.46875
    assert d.at["D1", "alpha"] == pytest.approx(-0.46875, abs=1e-4)
    assert (d.at["D1", "items"], d.at["D1", "units"]) == (5, 5)
    assert np.isnan(d.at["D2", "alpha"])  # one check: no alpha


def test_rest_score_matches_the_engines_dimension_score_without_the_check(small_round):
    """The correlation's rest is the dimension score the engine publishes, the check taken out."""
    a = audit_round(small_round).checks.set_index("check_id")
    dims = small_round.scores.dimensions
    c = small_round.scores.checks
    d1 = dims[dims["dimension_id"] == "D1"].set_index("unit_id")
    b = c[c["check_id"] == "B"].set_index("unit_id")
    rest = (d1["earned"] - b["earned"]) / (d1["max"] - b["max"])
    assert a.at["B", "r_dimension"] == pytest.approx(np.corrcoef(b["earned"], rest)[0, 1], abs=1e-4)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=3, max_size=30).filter(lambda v: len(set(v)) > 1), st.integers(2, 8))
def test_alpha_of_identical_items_is_one(column, k):
    items = np.tile(np.asarray(column, dtype=float)[:, None], (1, k))
    assert cronbach_alpha(items) == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 40), st.integers(2, 9))
def test_alpha_matches_the_textbook_formula(seed, n, k):
    items = np.random.default_rng(seed).integers(0, 5, size=(n, k)).astype(float)
    total = items.sum(axis=1)
    if total.var(ddof=1) == 0:
        assert np.isnan(cronbach_alpha(items))
        return
    reference = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert cronbach_alpha(items) == pytest.approx(reference, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_grouped_correlation_matches_scipy_per_group(seed, n_groups):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, 60)
    x = rng.integers(0, 3, 60) / 2  # few distinct values, as checks have
    y = rng.random(60)
    x[group == 0] = 1.0  # a constant check
    got = grouped_correlation(group, x, y, n_groups)
    for g in range(n_groups):
        m = group == g
        if g == 0 or m.sum() < 3 or np.ptp(x[m]) == 0:
            assert np.isnan(got[g])
        else:
            assert got[g] == pytest.approx(stats.pearsonr(x[m], y[m]).statistic, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["A", "B", "C"]), st.integers(2, 6))
def test_a_constant_check_has_no_correlation_and_is_flagged_not_a_crash(level, n):
    """A levels check on which every unit gets the same level (full, middling or zero)."""
    checks = [{"id": "L", "name": "质量", "method": "levels", "points": 10, "levels": {"A": 1, "B": 0.5, "C": 0}},
              binary("X")]  # fmt: skip
    units = UNITS[:n]
    rows = [(u, "L", level) for u, _, _ in units] + [(u, "X", str(i % 2)) for i, (u, _, _) in enumerate(units)]
    a = audit_round(run(make_rubric(checks), rows, units)).checks.set_index("check_id")
    assert np.isnan(a.at["L", "r_dimension"]) and np.isnan(a.at["L", "r_track"])
    assert a.at["L", "distinct"] == 1 and "区分度低" in a.at["L", "flags"]


def test_audit_command_writes_csv_with_bom_and_a_workbook(tmp_path):
    data = two_dimensions([binary(c) for c in "ABCDR"], [binary("E")])
    (tmp_path / "r.yaml").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "units.csv").write_bytes(csv_file("u.csv", ["unit_id", "name", "group"], UNITS).data)
    rows = [("2017Q3", f"U{u + 1}", c, v[u]) for c, v in RESULTS.items() for u in range(5)]
    (tmp_path / "res.csv").write_bytes(csv_file("res.csv", ["period", "unit_id", "check_id", "value"], rows).data)
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "audit", "--rubric", tmp_path / "r.yaml", "--units",
                        tmp_path / "units.csv", "--results", tmp_path / "res.csv", "--out", tmp_path / "out"],
                       capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "审查了 1 期、6 个测评点:4 项有提示" in p.stdout
    raw = (tmp_path / "out" / "check_quality.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"nan" not in raw
    checks = pd.read_csv(tmp_path / "out" / "check_quality.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert checks["check_id"].tolist() == list("ABCDRE")
    assert checks.set_index("check_id").at["A", "r_dimension"] == ""
    dims = pd.read_csv(tmp_path / "out" / "dimension_quality.csv", encoding="utf-8-sig")
    assert dims["alpha"].iloc[0] == pytest.approx(-0.46875, abs=1e-4)
    wb = openpyxl.load_workbook(tmp_path / "out" / "quality.xlsx")
    assert wb.sheetnames == ["测评点质量", "一级指标一致性"]
    ws = wb["测评点质量"]
    header = [c.value for c in ws[1]]
    row_a = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert (row_a["测评点"], row_a["计分方法"], row_a["满分占比%"], row_a["与一级指标其余部分的相关"]) == (
        "测评点A", "是否达标", 100, None)  # fmt: skip


def test_audit_command_refuses_bad_results_with_exit_2_and_writes_nothing(tmp_path):
    data = two_dimensions([binary(c) for c in "ABCDR"], [binary("E")])
    (tmp_path / "r.yaml").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "units.csv").write_bytes(csv_file("u.csv", ["unit_id", "name", "group"], UNITS).data)
    rows = [("2017Q3", "U1", "A", "maybe")]
    (tmp_path / "res.csv").write_bytes(csv_file("res.csv", ["period", "unit_id", "check_id", "value"], rows).data)
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "audit", "--rubric", tmp_path / "r.yaml", "--units",
                        tmp_path / "units.csv", "--results", tmp_path / "res.csv", "--out", tmp_path / "out"],
                       capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert p.returncode == 2 and "res.csv" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()
