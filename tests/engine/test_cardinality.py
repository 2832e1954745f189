"""Rounds whose distinct values cross the boundaries of pandas' and Arrow's code widths.

pandas keeps a categorical's codes as int8 up to 127 categories and int16 up to 32,767; Arrow
dictionaries from the CSV reader are int32. Offsetting or adding such codes overflowed once
(issue 14: 126 distinct rates and a levels check crashed the check table). Each case here
makes one kind of value take exactly N distinct values — ratio values, counts, level labels,
evidence texts, unit ids, check ids — and checks the engine, through every reader path and the
CSV writer, against bench's row-by-row reference: unit scores and ranks, and every check's
normalised value and points.
"""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest

from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import references
import synth

from scoring import InputFile, parse_rubric, validate_results
from scoring.engine import score_findings
from scoring.output import csv_bytes, score_tables_as_text
from scoring.tables import read_result_files

BOUNDARIES = [1, 127, 128, 255, 256, 32767, 32768]
KINDS = ["ratio", "count", "label", "evidence", "unit", "check"]
GROUPS = {"county": "县区政府", "department": "市直部门"}


def _rubric(kind: str, n: int):
    """Every method in one track; the kind under test gets n distinct values of its own."""
    n_labels = n if kind == "label" else 4
    levels = {f"等次{i:05d}": round(i / max(n_labels - 1, 1), 6) for i in range(n_labels)}
    checks = [
        {"id": "R", "name": "公开率", "method": "ratio", "points": 10, "floor": 0.6},
        {"id": "L", "name": "质量", "method": "levels", "points": 5, "levels": levels},
        {"id": "B", "name": "栏目", "method": "binary", "points": 3, "applies_to": ["county"]},
        {"id": "D", "name": "错误", "method": "deduct", "points": 8, "per_item": 0.5},
        {"id": "X", "name": "创新", "method": "bonus", "points": 2, "per_item": 0.25},
        {"id": "V", "name": "否决", "method": "veto", "cap": 59},
    ]
    if kind == "check":
        checks += [{"id": f"K{i:05d}", "name": f"测评点{i}", "method": "binary", "points": 1}
                   for i in range(n - len(checks))]  # fmt: skip
    data = {"id": "c", "title": "基数", "version": "1", "target": {"total_points": 100}, "groups": GROUPS,
            "tracks": [{"id": "T", "name": "政务公开", "kind": "disclosure", "weight": 0.04, "bonus_max": 3,
                        "dimensions": [{"id": "D1", "name": "维度", "indicators": [
                            {"id": "I1", "name": "指标", "checks": checks}]}]}]}  # fmt: skip
    return parse_rubric(json.dumps(data, ensure_ascii=False), "c.yaml")


def _case(kind: str, n: int):
    rng = np.random.default_rng(n)
    rubric = _rubric(kind, n)
    n_units = n if kind in ("ratio", "count", "label", "unit") else max(3, min(n, 300) if kind != "check" else 3)
    if kind == "evidence":
        n_units = max(3, -(-n // len(rubric.checks)))
    units = pd.DataFrame({"unit_id": [f"{341300 + i:07d}" for i in range(n_units)],
                          "name": [f"单位{i}" for i in range(n_units)],
                          "group": np.where(np.arange(n_units) % 3 == 2, "department", "county")})  # fmt: skip
    pairs = rubric.applicability(units).merge(rubric.checks[["check_id", "method", "levels"]])
    m = pairs["method"].to_numpy()
    u = units.set_index("unit_id").index.get_indexer(pairs["unit_id"])
    value = np.empty(len(pairs), dtype=object)
    if kind == "ratio":  # n distinct rates: the unit's number over n, written to four decimals
        value[m == "ratio"] = [f"{(i + 1) / (n + 1):.6f}" for i in u[m == "ratio"]]
    else:
        value[m == "ratio"] = synth.rates(rng, int((m == "ratio").sum()))
    labels = list(pairs["levels"].iloc[np.flatnonzero(m == "levels")[0]]) if (m == "levels").any() else []
    value[m == "levels"] = np.asarray(labels, dtype=object)[u[m == "levels"] % len(labels)]
    value[m == "binary"] = np.where(rng.random(int((m == "binary").sum())) < 0.7, "是", "否")
    value[m == "deduct"] = u[m == "deduct"] % n if kind == "count" else rng.integers(0, 6, (m == "deduct").sum())
    value[m == "bonus"] = rng.integers(0, 4, int((m == "bonus").sum()))
    value[m == "veto"] = np.where(rng.random(int((m == "veto").sum())) < 0.05, "1", "0")
    results = pd.DataFrame({"period": "2017Q3", "unit_id": pairs["unit_id"], "check_id": pairs["check_id"],
                            "value": value.astype(str)})  # fmt: skip
    if kind == "evidence":
        results["evidence"] = [f"http://www.example.gov.cn/{i % n}/index.html,截图 “{i % n}”\n第{i % n}页"
                               for i in range(len(results))]  # fmt: skip
    else:
        results["evidence"] = "http://www.example.gov.cn/" + results["check_id"]
    return rubric, units, results


def _csv(results: pd.DataFrame) -> InputFile:
    buf = io.StringIO()
    results.to_csv(buf, index=False, lineterminator="\n")
    return InputFile("round.csv", buf.getvalue().encode("utf-8"))


def _located(results: pd.DataFrame) -> pd.DataFrame:
    return results.assign(_file="r.csv", _sheet="", _row=np.arange(2, len(results) + 2))


def _categorical(results: pd.DataFrame) -> pd.DataFrame:
    # pandas picks int8 or int16 codes by the number of categories: the widths under test
    return results.astype({c: "category" for c in ("period", "unit_id", "check_id", "value")})


def _assert_matches_reference(rubric, roster, frame: pd.DataFrame, expected: pd.DataFrame, values: dict) -> None:
    scores = score_findings(rubric, roster, validate_results(rubric, roster, frame))
    got = scores.units[references.COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    checks = scores.checks
    keys = list(zip(checks["period"].astype(str), checks["unit_id"].astype(str), checks["check_id"].astype(str),
                    strict=True))  # fmt: skip
    assert checks["value"].astype(str).tolist() == [values[k] for k in keys]
    text = score_tables_as_text(scores, rubric.spec.rounding.decimals)
    written = pd.read_csv(io.BytesIO(csv_bytes(text["check_scores.csv"])), dtype=str, keep_default_na=False)
    assert written["value"].tolist() == [values[k] for k in keys]
    assert written["evidence"].tolist() == checks["evidence"].astype(str).tolist()


@pytest.mark.parametrize("n", BOUNDARIES)
@pytest.mark.parametrize("kind", KINDS)
def test_engine_agrees_with_the_reference_across_code_widths(kind, n):
    rubric, roster, results = _case(kind, n)
    expected = references.rowwise_scores(rubric, roster, results), references.rowwise_values(rubric, roster, results)
    _assert_matches_reference(rubric, roster, _located(results), *expected)
    _assert_matches_reference(rubric, roster, _located(_categorical(results)), *expected)
    read, _, issues = read_result_files([_csv(results)])
    assert issues == []
    _assert_matches_reference(rubric, roster, read, *expected)
