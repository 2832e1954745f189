"""Golden cases for the track-score rules: NA policy, scope, rounding, grades, ranks, target points."""

import pytest

from helpers import check_row, make_rubric, run, unit_row
from scoring import round_half_up

ONE_COUNTY = [("C1", "甲县", "county")]


def binary(cid, points=10, **kw):
    return {"id": cid, "name": cid, "method": "binary", "points": points, **kw}


def levels(cid, points, fractions):
    return {"id": cid, "name": cid, "method": "levels", "points": points, "levels": fractions}


def test_na_under_rescale_leaves_earned_and_max():
    rubric = make_rubric([binary("A", 10), binary("B", 30)], na_policy="rescale")
    r = run(rubric, [("C1", "A", "1"), ("C1", "B", "不涉及")], ONE_COUNTY)
    row = check_row(r, "C1", "B")
    assert (row["status"], row["value"], row["earned"], row["max"], row["lost"]) == ("na", "NA", 0, 0, 0)
    assert unit_row(r, "C1")["score"] == 100.0  # 10 / 10


def test_na_under_full_earns_full_points():
    rubric = make_rubric([binary("A", 10), binary("B", 30)], na_policy="full")
    r = run(rubric, [("C1", "A", "0"), ("C1", "B", "N/A")], ONE_COUNTY)
    row = check_row(r, "C1", "B")
    assert (row["status"], row["earned"], row["max"]) == ("na", 30, 30)
    assert unit_row(r, "C1")["score"] == 75.0  # 30 / 40


def test_all_base_checks_na_under_rescale_means_not_scored():
    rubric = make_rubric([binary("A", 10)], na_policy="rescale")
    r = run(rubric, [("C1", "A", "不适用"), ("C2", "A", "1")], [("C1", "甲", "county"), ("C2", "乙", "county")])
    assert list(r.scores.units["unit_id"]) == ["C2"]
    assert unit_row(r, "C2")["rank_of"] == 1
    # the unit still has its check row and a dimension row with an empty percent
    assert check_row(r, "C1", "A")["status"] == "na"
    d = r.scores.dimensions
    assert d.loc[d["unit_id"] == "C1", "percent"].isna().all()


def test_checks_restricted_by_group_and_by_unit_list():
    checks = [
        binary("ALL", 10),
        binary("CTY", 10, applies_to=["county"]),
        binary("OWN", 20, units=["C1", "M1"]),
    ]
    rows = [
        ("C1", "ALL", "1"), ("C1", "CTY", "1"), ("C1", "OWN", "0"),
        ("C2", "ALL", "1"), ("C2", "CTY", "0"),
        ("M1", "ALL", "0"), ("M1", "OWN", "1"),
    ]  # fmt: skip
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("M1", "市财政局", "department")]
    r = run(make_rubric(checks), rows, units, allow_missing=False)
    assert unit_row(r, "C1")["score"] == 50.0  # 20 / 40
    assert unit_row(r, "C2")["score"] == 50.0  # 10 / 20: OWN is not his
    assert unit_row(r, "M1")["score"] == pytest.approx(66.67)  # 20 / 30
    assert sorted(r.scores.checks.loc[r.scores.checks["unit_id"] == "M1", "check_id"]) == ["ALL", "OWN"]


def test_unit_with_no_applicable_check_is_not_scored_or_ranked():
    rubric = make_rubric([binary("CTY", 10, applies_to=["county"])])
    units = [("C1", "甲县", "county"), ("M1", "市财政局", "department")]
    r = run(rubric, [("C1", "CTY", "1")], units, allow_missing=False)
    assert list(r.scores.units["unit_id"]) == ["C1"]
    assert "M1" not in set(r.scores.checks["unit_id"])


def test_missing_results_allowed_score_zero_and_are_marked():
    rubric = make_rubric([binary("A", 10), binary("B", 10)])
    r = run(rubric, [("C1", "A", "1")], ONE_COUNTY, allow_missing=True)
    row = check_row(r, "C1", "B")
    assert (row["status"], row["value"], row["earned"], row["max"], row["findings"]) == ("missing", "", 0, 10, 0)
    assert unit_row(r, "C1")["score"] == 50.0


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (5.4954, 0, 5.0),  # never 6 by way of 5.50
        (5.5, 0, 6.0),
        (2.675, 2, 2.68),  # 2.675 is 2.67499999... in binary; half-up by hand gives 2.68
        (1.005, 2, 1.01),
        (89.995, 2, 90.0),
        (66.665, 2, 66.67),
        (0.125, 2, 0.13),
        (100 / 3, 2, 33.33),
        (200 / 3, 2, 66.67),
        (12.34549, 3, 12.345),
        (12.3455, 3, 12.346),
    ],
)
def test_round_half_up(x, decimals, expected):
    assert round_half_up(x, decimals) == expected


def test_published_scores_round_half_up_at_0_decimals_and_grade_uses_published_score():
    # 10 x 0.8955 = 8.955 of 10 -> 89.55 -> published 90 at 0 decimals -> 优秀
    rubric = make_rubric([levels("L", 10, {"x": 0.8955})], rounding={"decimals": 0})
    r = run(rubric, [("C1", "L", "x")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["score"], row["grade"]) == (90.0, "优秀")
    assert row["score_exact"] == pytest.approx(89.55)


def test_scores_round_half_up_at_2_decimals():
    # 5 x 0.5349 + 5 x 0.8 = 6.6745 of 10 -> 66.745 -> 66.75 (half-up, not banker's)
    rubric = make_rubric([levels("L", 5, {"x": 0.5349}), levels("M", 5, {"y": 0.8})])
    r = run(rubric, [("C1", "L", "x"), ("C1", "M", "y")], ONE_COUNTY)
    assert unit_row(r, "C1")["score"] == 66.75


def _ranked(rubric, values):
    units = [(u, u, "county") for u in values]
    rows = [(u, "L", v) for u, v in values.items()]
    r = run(rubric, rows, units)
    return {u: int(unit_row(r, u)["rank"]) for u in values}, r


LV = {"a": 1, "b": 0.9, "c": 0.8, "d": 0.80004}


def test_competition_ranking_with_ties():
    rubric = make_rubric([levels("L", 10, LV)])
    ranks, r = _ranked(rubric, {"U1": "a", "U2": "b", "U3": "b", "U4": "c"})
    assert ranks == {"U1": 1, "U2": 2, "U3": 2, "U4": 4}
    assert set(r.scores.units["rank_of"]) == {4}


def test_dense_ranking_with_ties():
    rubric = make_rubric([levels("L", 10, LV)], ranking={"method": "dense"})
    ranks, _ = _ranked(rubric, {"U1": "a", "U2": "b", "U3": "b", "U4": "c"})
    assert ranks == {"U1": 1, "U2": 2, "U3": 2, "U4": 3}


def test_rounded_ranking_ties_what_rounds_equal_and_exact_ranking_splits_it():
    # 80.004 and 80.000 both publish as 80.00
    ranks, _ = _ranked(make_rubric([levels("L", 10, LV)]), {"U1": "c", "U2": "d"})
    assert ranks == {"U1": 1, "U2": 1}
    ranks, _ = _ranked(make_rubric([levels("L", 10, LV)], ranking={"by": "exact"}), {"U1": "c", "U2": "d"})
    assert ranks == {"U1": 2, "U2": 1}


def test_exact_ranking_ignores_float_noise():
    # 0.1 + 0.2 != 0.3 in floats; as scores they must tie
    checks = [levels("L", 10, {"p": 0.1, "q": 0.3}), levels("M", 10, {"p": 0.2, "z": 0.0})]
    rubric = make_rubric(checks, ranking={"by": "exact"})
    units = [("U1", "U1", "county"), ("U2", "U2", "county")]
    r = run(rubric, [("U1", "L", "p"), ("U1", "M", "p"), ("U2", "L", "q"), ("U2", "M", "z")], units)
    assert unit_row(r, "U1")["rank"] == unit_row(r, "U2")["rank"] == 1


def test_groups_are_ranked_separately():
    rubric = make_rubric([binary("A", 10), binary("B", 10)])
    units = [("C1", "甲", "county"), ("C2", "乙", "county"), ("M1", "局", "department")]
    r = run(rubric, [("C1", "A", "1"), ("C1", "B", "1"), ("C2", "A", "1"), ("C2", "B", "0"),
                     ("M1", "A", "0"), ("M1", "B", "0")], units)  # fmt: skip
    assert (unit_row(r, "M1")["rank"], unit_row(r, "M1")["rank_of"]) == (1, 1)
    assert (unit_row(r, "C2")["rank"], unit_row(r, "C2")["rank_of"]) == (2, 2)


def test_target_points_from_the_unrounded_score():
    # score 66.666...; weight 0.5 of 1000 points: 333.33 from the exact score, 333.35 from the published 66.67
    rubric = make_rubric(
        [binary("A", 10), binary("B", 10), binary("C", 10)], weight=0.5, kind="service", target={"total_points": 1000}
    )
    r = run(rubric, [("C1", "A", "1"), ("C1", "B", "1"), ("C1", "C", "0")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert row["score"] == 66.67
    assert row["target_points"] == 333.33


def test_custom_grades():
    grades = [{"name": "A", "min": 95}, {"name": "B", "min": 50}, {"name": "C", "min": 0}]
    rubric = make_rubric([binary("A", 10), binary("B", 10)], grades=grades)
    units = [("U1", "U1", "county"), ("U2", "U2", "county")]
    r = run(rubric, [("U1", "A", "1"), ("U1", "B", "1"), ("U2", "A", "1"), ("U2", "B", "0")], units)
    assert (unit_row(r, "U1")["grade"], unit_row(r, "U2")["grade"]) == ("A", "B")


def test_several_periods_are_scored_and_ranked_apart():
    rubric = make_rubric([binary("A", 10)])
    rows = [("2017Q3", "C1", "A", "1"), ("2017Q4", "C1", "A", "0")]
    r = run(rubric, rows, ONE_COUNTY)
    assert unit_row(r, "C1", "2017Q3")["score"] == 100.0
    assert unit_row(r, "C1", "2017Q4")["score"] == 0.0
    assert r.scores.periods == ["2017Q3", "2017Q4"]
