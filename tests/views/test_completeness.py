"""Issue 29: an open round with results missing is never read as a ranking. A unit whose results
are incomplete has no score, rank or grade (未测完); the complete ones rank among themselves."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_rubric, run
from scoring.views.completeness import complete_units, provisional, result_counts, round_progress
from scoring.views.explain import ranking_table

CHECKS = [
    {"id": "B", "name": "栏目", "method": "binary", "points": 10},
    {"id": "N", "name": "办事指南", "method": "binary", "points": 10},
]
UNITS = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("C3", "丙县", "county"), ("C4", "丁县", "county"),
         ("M1", "市财政局", "department")]  # fmt: skip
# C1 and C2 complete (100 and 50); C3 has one of its two results (engine: 50, tied with C2);
# C4 none (engine: 0, last); M1, alone in its group, none
ROWS = [("C1", "B", "1"), ("C1", "N", "1"), ("C2", "B", "1"), ("C2", "N", "0"), ("C3", "B", "1")]


def _units(result):
    return result.scores.units.set_index("unit_id")


def test_a_hand_built_draft_says_how_far_each_unit_is_and_ranks_only_the_complete():
    scored = run(make_rubric(CHECKS), ROWS, UNITS)
    engine = _units(scored)
    assert engine.loc["C3", "score"] == 50 and engine.loc["C3", "rank"] == 2  # what the page once showed
    u = _units(provisional(scored))
    assert u["recorded"].to_dict() == {"C1": 2, "C2": 2, "C3": 1, "C4": 0, "M1": 0}
    assert u["applicable"].to_dict() == dict.fromkeys(["C1", "C2", "C3", "C4", "M1"], 2)
    assert u["complete"].to_dict() == {"C1": True, "C2": True, "C3": False, "C4": False, "M1": False}
    assert u.loc["C1", "score"] == 100 and u.loc["C2", "score"] == 50
    assert u.loc[["C1", "C2"], "rank"].tolist() == [1, 2] and u.loc[["C1", "C2"], "rank_of"].tolist() == [2, 2]
    for unit in ("C3", "C4", "M1"):
        row = u.loc[unit]
        assert pd.isna(row["score"]) and pd.isna(row["rank"]) and pd.isna(row["rank_of"]) and pd.isna(row["grade"])
        assert pd.isna(row["target_points"])
    assert u.loc["C1", "grade"] == engine.loc["C1", "grade"]
    assert round_progress(scored.scores, "2017Q3") == (5, 10)


def test_not_applicable_checks_are_not_counted_as_missing():
    rows = [("C1", "B", "1"), ("C1", "N", "不涉及")]
    u = _units(provisional(run(make_rubric(CHECKS), rows, UNITS[:1])))
    assert (u.loc["C1", "recorded"], u.loc["C1", "applicable"], u.loc["C1", "complete"]) == (1, 1, True)
    assert u.loc["C1", "rank"] == 1


def test_ties_among_the_complete_stay_tied():
    rows = [("C1", "B", "1"), ("C1", "N", "1"), ("C2", "B", "1"), ("C2", "N", "1"), ("C3", "B", "0")]
    u = _units(provisional(run(make_rubric(CHECKS), rows, UNITS[:3])))
    assert u.loc[["C1", "C2"], "rank"].tolist() == [1, 1] and pd.isna(u.loc["C3", "rank"])


def test_a_draft_round_shows_no_rank_change_and_no_score_change_for_the_incomplete():
    full = [("2017Q3", u, c, v) for u, c, v in [("C1", "B", "0"), ("C1", "N", "1"), ("C2", "B", "1"), ("C2", "N", "1"),
                                                 ("C3", "B", "1"), ("C3", "N", "1")]]  # fmt: skip
    part = [("2017Q4", "C1", "B", "1"), ("2017Q4", "C1", "N", "1"), ("2017Q4", "C2", "B", "1")]
    table = ranking_table(provisional(run(make_rubric(CHECKS), full + part, UNITS[:3])).scores, "2017Q4", "T",
                          "county").set_index("unit_id")  # fmt: skip
    assert table.loc["C1", "score_change"] == 50  # 50 -> 100: the unit's own score is whole
    assert table["rank_change"].isna().all()  # rank 1 of 1 is no rise from 3rd of 3
    assert pd.isna(table.loc["C2", "score_change"]) and pd.isna(table.loc["C3", "score_change"])
    assert list(table.index) == ["C1", "C2", "C3"]  # the ranked first, then the rest
    assert complete_units(table).tolist() == [True, False, False]


def test_a_published_table_without_progress_columns_counts_as_complete():
    scored = run(make_rubric(CHECKS), ROWS, UNITS)
    assert complete_units(scored.scores.units).all()
    mixed = pd.concat([scored.scores.units, provisional(scored).scores.units], ignore_index=True)
    assert complete_units(mixed).tolist() == [True] * 5 + [True, True, False, False, False]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3", "C4"]), st.sampled_from(["B", "N"]),
                          st.sampled_from(["0", "1"])), min_size=1, max_size=8, unique_by=lambda r: r[:2]))  # fmt: skip
def test_only_complete_units_are_ranked_and_their_ranks_follow_their_scores(rows):
    scored = run(make_rubric(CHECKS), rows, UNITS[:4])
    u = _units(provisional(scored))
    counts = result_counts(scored.scores.checks).set_index("unit_id")
    assert (u["recorded"] == counts["recorded"].reindex(u.index)).all()
    assert (u["complete"] == (u["recorded"] == u["applicable"])).all()
    done = u[u["complete"]]
    rest = u[~u["complete"]]
    assert rest["score"].isna().all() and rest["rank"].isna().all() and rest["grade"].isna().all()
    assert done["score"].notna().all() and done["grade"].notna().all()
    if not done.empty:
        assert (done["rank_of"] == len(done)).all()
        # a rank is 1 + how many complete units scored strictly more
        above = [(done["score_exact"] > s + 1e-9).sum() + 1 for s in done["score_exact"]]
        assert done["rank"].tolist() == above
