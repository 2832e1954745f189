"""The engine against the independent row-by-row scorer of bench/, on random rounds (hypothesis).

The benchmark's reference is written from docs/formats.md alone, one loop over rows and dicts;
here it checks the engine's dense-grid arithmetic on a 300-check rubric with two tracks (one
scoring NA as full points, one rescaling it), every method, group-restricted checks, vetoes
with caps 0 and 59, counting checks with several rows, and several periods.
"""

import json
import sys

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import references
import synth

from scoring import parse_rubric, validate_results
from scoring.engine import score_findings
from scoring.ranking import _ranks
from scoring.rubric.model import BASE_METHODS

RUBRIC = parse_rubric(json.dumps(synth.rubric_dict(), ensure_ascii=False), "bench.yaml")
# issue 33: published scores rounded half to even, at 0 decimals where ties are common
RUBRIC_EVEN = parse_rubric(
    json.dumps({**synth.rubric_dict(), "rounding": {"decimals": 0, "mode": "half_even"}}, ensure_ascii=False),
    "bench-even.yaml",
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# rounds come from a seed, which shrinking cannot make smaller in any useful way; it only takes minutes
NO_SHRINK = settings(SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])


@st.composite
def rounds(draw):
    n_units = draw(st.integers(3, 40))
    periods = sorted(draw(st.sets(st.sampled_from(synth.PERIODS), min_size=1, max_size=3)))
    na_rate = draw(st.sampled_from([0.0, 0.05, 0.6, 1.0]))
    veto_rate = draw(st.sampled_from([0.0, 0.05, 0.5]))
    seed = draw(st.integers(0, 2**32 - 1))
    # rates as evaluators write them: one to six decimals, as percents or fractions, thousands of distinct values
    decimals = tuple(draw(st.sets(st.integers(1, 6), min_size=1)))
    roster, results = synth.findings(n_units * len(RUBRIC.checks) * len(periods), seed, periods=periods,
                                     na_rate=na_rate, veto_rate=veto_rate, decimals=decimals)  # fmt: skip
    # where each row came from, as the reader records it
    return roster, results.assign(_file="r.csv", _sheet="", _row=np.arange(2, len(results) + 2))


def coded(results: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same rows as a reader would code them, but with categories in a shuffled order and one
    that no row uses, as rows taken from a bigger file have."""
    rng = np.random.default_rng(seed)
    out = results.copy()
    for name in ("period", "unit_id", "check_id", "value"):
        cats = [*pd.unique(out[name]), "9999Q9" if name == "period" else "unused"]
        out[name] = pd.Categorical(out[name], categories=list(rng.permutation(np.asarray(cats, dtype=object))))
    return out


@NO_SHRINK
@given(rounds(), st.integers(0, 1000))
def test_engine_agrees_with_the_row_by_row_reference(data, seed):
    roster, results = data
    expected = references.rowwise_scores(RUBRIC, roster, results)
    values = references.rowwise_values(RUBRIC, roster, results)
    for frame in (results, coded(results, seed)):
        findings = validate_results(RUBRIC, roster, frame)
        assert findings.periods == sorted(results["period"].unique())
        scores = score_findings(RUBRIC, roster, findings)
        got = scores.units[references.COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        c = scores.checks
        keys = zip(c["period"].astype(str), c["unit_id"].astype(str), c["check_id"].astype(str), strict=True)
        assert c["value"].astype(str).tolist() == [values[k] for k in keys]


@settings(NO_SHRINK, max_examples=10)
@given(rounds())
def test_half_even_rounding_agrees_with_the_row_by_row_reference(data):
    roster, results = data
    expected = references.rowwise_scores(RUBRIC_EVEN, roster, results)
    scores = score_findings(RUBRIC_EVEN, roster, validate_results(RUBRIC_EVEN, roster, results))
    got = scores.units[references.COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@NO_SHRINK
@given(rounds())
def test_dimension_scores_add_up_the_check_table(data):
    roster, results = data
    scores = score_findings(RUBRIC, roster, validate_results(RUBRIC, roster, results))
    base = scores.checks[scores.checks["method"].isin(BASE_METHODS)]
    sums = base.groupby(["period", "track", "unit_id", "dimension_id"], observed=True)[["earned", "max"]].sum()
    dims = scores.dimensions.set_index(["period", "track", "unit_id", "dimension_id"])
    assert sorted(dims.index) == sorted(sums.index)  # a row exactly where the unit has a base check
    np.testing.assert_allclose(dims["earned"], sums.loc[dims.index, "earned"], atol=1e-9)
    np.testing.assert_allclose(dims["max"], sums.loc[dims.index, "max"], atol=1e-9)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("xy"), st.sampled_from([50.0, 60.5, 99.0]))),
       st.booleans())  # fmt: skip
def test_ranks_are_what_pandas_ranks_within_each_group(rows, dense):
    frame = pd.DataFrame(rows, columns=["g1", "g2", "key"])
    group = pd.factorize(frame["g1"] + frame["g2"])[0]
    rank, size = _ranks(frame["key"].to_numpy(), group, dense=dense)
    by = frame.groupby(["g1", "g2"])["key"]
    assert rank.tolist() == by.rank(method="dense" if dense else "min", ascending=False).astype(int).tolist()
    assert size.tolist() == by.transform("size").tolist()
