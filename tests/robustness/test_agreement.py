"""assess agreement (SPEC extension 5, issue 20): two evaluators' results, hand-worked."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from helpers import ROOT, csv_file, rubric_dict, units_file
from scoring.robustness.agreement import SMALL_SAMPLE, _alpha, agreement_table, alpha_notes

CHECKS = [
    {"id": "B", "name": "栏目", "method": "binary", "points": 10},
    {"id": "L", "name": "质量", "method": "levels", "points": 10, "levels": {"A": 1, "B": 0.5, "C": 0}},
    {"id": "K", "name": "逾期", "method": "deduct", "points": 10, "per_item": 2},
    {"id": "V", "name": "网站打不开", "method": "veto", "cap": 59},
    {"id": "R", "name": "办结率", "method": "ratio", "points": 10},
]
HEADER = ["period", "unit_id", "check_id", "value"]
FIRST = [("C1", "B", "1"), ("C1", "L", "A"), ("C1", "K", "2"), ("C1", "V", "0"), ("C1", "R", "80%"),
         ("C2", "B", "0"), ("C2", "L", "B"), ("C2", "K", "1"), ("C2", "V", "0"), ("C2", "R", "0.9"),
         ("C3", "B", "1"), ("C3", "L", "C"), ("C3", "K", "0"), ("C3", "V", "1"), ("C3", "R", "NA"),
         ("M1", "B", "1"), ("M1", "L", "A"), ("M1", "K", "1"), ("M1", "K", "2"), ("M1", "V", "0"), ("M1", "R", "0.5")]  # fmt: skip
SECOND = [("C1", "B", "1"), ("C1", "L", "A"), ("C1", "K", "2"), ("C1", "V", "0"), ("C1", "R", "0.8"),
          ("C2", "B", "1"), ("C2", "L", "B"), ("C2", "K", "1"), ("C2", "V", "0"), ("C2", "R", "0.85"),
          ("C3", "B", "1"), ("C3", "L", "B"), ("C3", "K", "0"), ("C3", "V", "1"), ("C3", "R", "0.7")]  # fmt: skip


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)  # fmt: skip


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "rubric.yaml").write_text(json.dumps(rubric_dict(CHECKS), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "units.csv").write_bytes(units_file().data)
    for name, rows in (("first.csv", FIRST), ("second.csv", SECOND)):
        (tmp_path / name).write_bytes(csv_file(name, HEADER, [("2017Q3", *r) for r in rows]).data)
    return tmp_path


def test_alpha_on_hand_computed_cases():
    # nominal: units (1,1) (0,0) (1,0) (1,1): Do = 2/8, De = 2·5·3/(8·7), alpha = 1 − 0.25/(30/56)
    assert _alpha(np.array(["1", "0", "1", "1"]), np.array(["1", "0", "0", "1"]), False) == pytest.approx(
        1 - 0.25 / (30 / 56)
    )
    # interval: (1,1) (2,2) (3,4): Do = 2/6, De = 82/30
    assert _alpha(np.array([1.0, 2, 3]), np.array([1.0, 2, 4]), True) == pytest.approx(1 - (2 / 6) / (82 / 30))
    assert _alpha(np.array(["1", "1"]), np.array(["1", "1"]), False) is None  # no variation: undefined
    assert _alpha(np.array(["1"]), np.array(["0"]), False) is None  # one pair: undefined


def test_two_evaluators_agree_as_worked_by_hand(inputs):
    p = cli("agreement", "--rubric", inputs / "rubric.yaml", "--units", inputs / "units.csv", "--results",
            inputs / "first.csv", inputs / "second.csv", "--out", inputs / "agreement.csv")  # fmt: skip
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(inputs / "agreement.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["check_id", "method", "pairs", "agreement", "alpha"]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    # B: (1,0,1) vs (1,1,1): Do = De = 1/3 → alpha 0. L: (A,B,C) vs (A,B,B): alpha 1 − (1/3)/(22/30) = 12/22.
    # K and V agree everywhere. R: C3 is NA in the first file, so two pairs (0.8 = 80%; 0.9 vs 0.85):
    # Do = 0.005/4, De = 0.055/12 → alpha 1 − 0.00125/0.0045833 = 0.727273
    assert rows == [
        ("B", "binary", "3", "0.666667", "0.0"),
        ("L", "levels", "3", "0.666667", "0.545455"),
        ("K", "deduct", "3", "1.0", "1.0"),
        ("V", "veto", "3", "1.0", "1.0"),
        ("R", "ratio", "2", "0.5", "0.727273"),
        ("ALL", "binary", "3", "0.666667", "0.0"),
        ("ALL", "levels", "3", "0.666667", "0.545455"),
        ("ALL", "deduct", "3", "1.0", "1.0"),
        ("ALL", "veto", "3", "1.0", "1.0"),
        ("ALL", "ratio", "2", "0.5", "0.727273"),
    ]
    # M1 is only in the first file: five keys counted, with examples, not scored
    assert "5 个结果只在" in p.stderr and "2017Q3/M1/B" in p.stderr


def test_the_same_file_twice_is_refused(inputs):
    p = cli("agreement", "--rubric", inputs / "rubric.yaml", "--units", inputs / "units.csv", "--results",
            inputs / "first.csv", inputs / "first.csv", "--out", inputs / "a.csv")  # fmt: skip
    assert p.returncode == 2 and "同一个文件给了两次" in p.stderr and not (inputs / "a.csv").exists()


def test_a_blank_alpha_says_why_and_a_small_sample_says_so():
    """Issue 29, item 7: the page says why an alpha is blank and flags one from few pairs."""
    pairs = pd.DataFrame({
        "period": "2017Q3", "unit_id": [f"U{i}" for i in range(13)],
        "check_id": ["ONE"] + ["SAME"] * 3 + ["FEW"] * 4 + ["ENOUGH"] * 5,  # ENOUGH gets 5 more below
        "method": "binary",
        "first": ["1"] + ["1"] * 3 + ["1", "0", "1", "1"] + ["1", "0", "1", "1", "0"],
        "second": ["0"] + ["1"] * 3 + ["1", "0", "0", "1"] + ["1", "0", "1", "1", "0"],
    })  # fmt: skip
    more = pairs[pairs["check_id"] == "ENOUGH"].assign(unit_id=lambda f: f["unit_id"] + "b")
    table = agreement_table(pd.concat([pairs, more], ignore_index=True), ["ONE", "SAME", "FEW", "ENOUGH"])
    notes = dict(zip(table["check_id"] + "/" + table["method"], alpha_notes(table), strict=True))
    assert notes == {"ONE/binary": "too_few", "SAME/binary": "no_variation", "FEW/binary": "small_sample",
                     "ENOUGH/binary": "", "ALL/binary": ""}  # fmt: skip
    assert table.set_index("check_id").loc["ENOUGH", "pairs"] == 10 and SMALL_SAMPLE == 10
