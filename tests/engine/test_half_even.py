"""rounding.mode half_even (issue 33): ties to the even digit on the decimal value, as R and numpy publish."""

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import make_rubric, run, unit_row
from scoring import parse_rubric
from scoring.errors import InputError
from scoring.rounding import round_half_even, round_half_up, round_published

ONE_COUNTY = [("C1", "甲县", "county")]


def levels(cid, points, fractions):
    return {"id": cid, "name": cid, "method": "levels", "points": points, "levels": fractions}


def by_decimal(text: str, decimals: int) -> float:
    """The reference: Python's decimal on the value as written, never on its binary neighbour."""
    return float(Decimal(text).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


@pytest.mark.parametrize(
    ("text", "decimals", "expected"),
    [
        ("0.125", 2, 0.12),
        ("0.135", 2, 0.14),
        ("2.5", 0, 2.0),
        ("3.5", 0, 4.0),
        ("0.825", 2, 0.82),  # the issue's published mean
        ("2.675", 2, 2.68),  # stored as 2.67499999…: still a tie of the written value, 7 is odd
        ("66.745", 2, 66.74),
        ("89.995", 2, 90.0),
        ("12.3455", 3, 12.346),
        ("12.3445", 3, 12.344),
        ("0.5", 0, 0.0),
        ("33.3333333", 2, 33.33),
    ],
)
def test_exact_halves_go_to_even(text, decimals, expected):
    assert round_half_even(float(text), decimals) == expected == by_decimal(text, decimals)


@given(st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_half_even_agrees_with_decimal_round_half_even(d, decimals):
    text = str(d)
    assert round_half_even(float(text), decimals) == by_decimal(text, decimals)
    arr = round_half_even(np.array([float(text)] * 2), decimals)
    assert arr.tolist() == [by_decimal(text, decimals)] * 2


@given(st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_the_modes_differ_only_on_ties(d, decimals):
    x = float(str(d))
    even, up = round_half_even(x, decimals), round_half_up(x, decimals)
    tie = (Decimal(str(d)).scaleb(decimals) % 1) == Decimal("0.5")
    assert (even != up) == (tie and int(Decimal(str(d)).scaleb(decimals)) % 2 == 0)
    assert round_published(x, decimals) == up
    assert round_published(x, decimals, "half_even") == even


def test_published_score_rounds_half_even_and_target_points_stay_half_up():
    # 8 points, 6.5 earned: 81.25 exact. half_even at 1 decimal: 81.2 (half_up would say 81.3)
    rubric = make_rubric([levels("L", 8, {"x": 0.8125})], rounding={"decimals": 1, "mode": "half_even"})
    r = run(rubric, [("C1", "L", "x")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["base"], row["score"]) == (81.2, 81.2)
    # 81.25 / 100 x 0.04 x 100 = 3.25: target points are SPEC §1 step 8's half-up at 2 decimals
    assert row["target_points"] == 3.25
    dims = r.scores.dimensions
    assert dims["percent"].tolist() == [81.2]
    up = run(make_rubric([levels("L", 8, {"x": 0.8125})], rounding={"decimals": 1}), [("C1", "L", "x")], ONE_COUNTY)
    assert unit_row(up, "C1")["score"] == 81.3  # the default is unchanged


def test_half_even_at_0_decimals_and_the_grade_follows_the_published_score():
    def published(fraction):
        rubric = make_rubric([levels("L", 10, {"x": fraction})], rounding={"decimals": 0, "mode": "half_even"})
        row = unit_row(run(rubric, [("C1", "L", "x")], ONE_COUNTY), "C1")
        return row["score"], row["grade"]

    assert published(0.885) == (88.0, "良好")  # 88.5: 8 is even, stays
    assert published(0.895) == (90.0, "优秀")  # 89.5: 9 is odd, goes up to 90


def test_an_unknown_mode_is_refused_with_its_path():
    text = "id: x\ntitle: t\nversion: '1'\ntarget: {total_points: 100}\nrounding: {decimals: 2, mode: bankers}\n"
    text += "groups: {county: 县}\ntracks:\n- {id: d, name: 公开, kind: disclosure, weight: 0.04, dimensions:\n"
    text += "  [{id: D1, name: n, indicators: [{id: I1, name: n, checks: [{id: C1, name: n, method: binary, points: 1}]}]}]}\n"
    with pytest.raises(InputError) as exc:
        parse_rubric(text, "r.yaml")
    assert any("rounding.mode" in (i.path or "") or "rounding.mode" in i.message for i in exc.value.issues), (
        exc.value.issues
    )


TIES = make_rubric(
    [{"id": f"B{i:02d}", "name": f"B{i:02d}", "method": "binary", "points": 1} for i in range(16)],
    rounding={"decimals": 1, "mode": "half_even"},
)


@given(st.lists(st.lists(st.booleans(), min_size=16, max_size=16), min_size=2, max_size=12))
def test_engine_agrees_with_the_row_by_row_reference_where_every_odd_score_is_a_tie(passes):
    """16 one-point checks: scores are multiples of 6.25, and every odd multiple is a tie at 1 decimal."""
    import sys

    import pandas as pd

    from helpers import ROOT
    from scoring import validate_results
    from scoring.engine import score_findings

    sys.path.insert(0, str(ROOT / "bench"))
    import references

    roster = pd.DataFrame({"unit_id": [f"U{u}" for u in range(len(passes))], "name": "单位", "group": "county"})
    rows = [
        ("2017Q3", f"U{u}", f"B{i:02d}", "1" if p else "0") for u, row in enumerate(passes) for i, p in enumerate(row)
    ]
    results = pd.DataFrame(rows, columns=["period", "unit_id", "check_id", "value"]).assign(
        evidence="", _file="r.csv", _sheet="", _row=np.arange(2, len(rows) + 2)
    )
    expected = references.rowwise_scores(TIES, roster, results)
    got = score_findings(TIES, roster, validate_results(TIES, roster, results)).units
    got = got[references.COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # and by hand: k of 16 passed is 6.25 k, rounded half to even at one decimal
    by_hand = [by_decimal(str(Decimal(100) * sum(r) / 16), 1) for r in passes]
    assert got.set_index("unit_id").loc[[f"U{u}" for u in range(len(passes))], "score"].tolist() == by_hand
