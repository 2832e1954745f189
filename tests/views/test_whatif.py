"""What-if and 整改优先级 (issue 20): a variant is scored as the engine scores the round."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import ROOT
from scoring import InputError, InputFile, assess
from scoring.views.whatif import fix_priorities, rank_among, recorded_values, score_variants

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
Q1 = ROOT / "sample_data" / "results" / "2018Q1.csv"


@pytest.fixture(scope="module")
def round_q1():
    return assess(RUBRIC, UNITS, [Q1])


@pytest.mark.parametrize("unit", ["341322", "CZJ", "BB"])
def test_the_unchanged_variant_is_the_published_score_and_rank(round_q1, unit):
    base = recorded_values(round_q1, unit, "2018Q1")
    got = score_variants(round_q1, unit, {"now": {}}, base).set_index("track")
    u = round_q1.scores.units
    published = u[u["unit_id"] == unit].set_index("track")
    assert (got["score"] == published.loc[got.index, "score"]).all()
    for track in got.index:
        rank = rank_among(round_q1, unit, "2018Q1", track, [got.loc[track, "score"]], [got.loc[track, "score_exact"]])
        assert rank[0] == published.loc[track, "rank"]


def test_a_changed_result_scores_as_the_round_rescored_with_it(round_q1, tmp_path):
    unit = "341322"
    lost = recorded_values(round_q1, unit, "2018Q1")
    lost = lost[lost["lost"] > 0].iloc[0]
    frame = pd.read_csv(Q1, dtype=str, keep_default_na=False)
    frame = frame[~((frame["unit_id"] == unit) & (frame["check_id"] == lost["check_id"]))]
    best = {"binary": "1", "deduct": "0", "ratio": "1", "deadline": "0", "veto": "0"}.get(lost["method"], "优")
    frame = pd.concat([frame, pd.DataFrame([{"period": "2018Q1", "unit_id": unit, "check_id": lost["check_id"],
                                             "value": best}])])  # fmt: skip
    again = assess(RUBRIC, UNITS, [InputFile("q1.csv", frame.to_csv(index=False).encode())])
    u = again.scores.units
    expected = u[(u["unit_id"] == unit) & (u["track"] == lost["track"])].iloc[0]
    got = score_variants(round_q1, unit, {"fixed": {lost["check_id"]: best}}, recorded_values(round_q1, unit, "2018Q1"))
    got = got.set_index("track").loc[lost["track"]]
    assert got["score"] == expected["score"]
    rank = rank_among(round_q1, unit, "2018Q1", lost["track"], [got["score"]], [got["score_exact"]])[0]
    assert rank == expected["rank"]


def test_priorities_regain_in_order_and_fixing_more_never_lowers_the_score(round_q1):
    out = fix_priorities(round_q1, "341322", "2018Q1")
    assert not out.empty
    for _, rows in out.groupby("track"):
        assert (rows["regained"].diff().dropna() <= 1e-9).all()
        assert (rows["score_after"].diff().dropna() >= 0).all()
        assert (rows["rank_after"].diff().dropna() <= 0).all()


def test_a_value_the_method_refuses_is_a_located_problem(round_q1):
    base = recorded_values(round_q1, "341322", "2018Q1")
    binary = base[base["method"] == "binary"]["check_id"].iloc[0]
    with pytest.raises(InputError) as info:
        score_variants(round_q1, "341322", {"bad": {binary: "也许"}}, base)
    assert any("也许" in (i.value or "") or "也许" in i.message for i in info.value.issues)
