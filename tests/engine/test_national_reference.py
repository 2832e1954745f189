"""The engine against bench's row-by-row reference on the national rubric (hypothesis): unscored
vetoes, deduction pools, the strict bonus threshold and the 75-point department group, on random
rounds of the shipped rubrics/gov-website-2019.yaml."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import references

from scoring import load_rubric, validate_results
from scoring.engine import score_findings

RUBRIC = load_rubric(ROOT / "rubrics" / "gov-website-2019.yaml")
GROUPS = list(RUBRIC.groups)


@st.composite
def rounds(draw):
    n = draw(st.integers(2, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    veto_rate = draw(st.sampled_from([0.0, 0.02, 0.2]))
    na_rate = draw(st.sampled_from([0.0, 0.1]))
    # deductions from none to far beyond a pool's points, so pools are exhausted in some rounds
    scale = draw(st.sampled_from([3, 40, 400]))
    roster = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "name": [f"单位{i}" for i in range(n)],
                           "group": rng.choice(GROUPS, n)})  # fmt: skip
    rows = []
    for unit, group in zip(roster["unit_id"], roster["group"], strict=True):
        for c in RUBRIC.checks.itertuples():
            if c.applies_to is not None and group not in c.applies_to:
                continue
            if rng.random() < na_rate:
                value = "不涉及"
            elif c.method == "veto":
                value = str(int(rng.random() < veto_rate))
            else:
                value = str(int(rng.integers(0, scale + 1)))
            rows.append(("2019H1", unit, c.check_id, value))
    results = pd.DataFrame(rows, columns=["period", "unit_id", "check_id", "value"]).assign(evidence="")
    return roster, results.assign(_file="r.csv", _sheet="", _row=np.arange(2, len(results) + 2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_engine_agrees_with_the_row_by_row_reference_on_the_national_flow(data):
    roster, results = data
    expected = references.rowwise_scores(RUBRIC, roster, results)
    scores = score_findings(RUBRIC, roster, validate_results(RUBRIC, roster, results))
    got = scores.units[references.COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # the pool never yields less than 0 nor more than its points, whatever the deductions
    c = scores.checks
    pooled = c[c["check_id"].astype(str).str.match(r"D[12]\.")]
    sums = pooled.groupby([pooled["unit_id"], pooled["check_id"].astype(str).str[:2]], observed=True)["earned"].sum()
    assert (sums >= -1e-9).all() and (sums <= 75 + 1e-9).all()
