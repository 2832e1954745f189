"""整改跟踪: each earlier loss against the later round, hand-computed, and the invariants."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import two_rounds as scored
from scoring.views.rectification import RECTIFICATION_STATUSES, rectification, rectification_summary


def test_hand_computed_statuses_worst_first():
    table = rectification(scored().scores.checks, "2017Q4", "2017Q3")
    got = table[["unit_id", "check_id", "status", "lost_before", "lost_now"]].fillna(-1)
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("C1", "V", "not_rectified", 0.0, 0.0),  # a veto violated again, listed first
        ("C1", "L", "not_rectified", 3.0, 6.0),  # 6 x (1 - 0.5) = 3, then 6 x (1 - 0) = 6
        ("C1", "K", "partly", 6.0, 2.0),  # 3 x 2 = 6, then 1 x 2 = 2
        ("C2", "B", "new", 0.0, 10.0),
        ("C2", "K", "new", 0.0, 10.0),  # 5 x 2 = 10, floored at the check's 10 points
        ("C3", "B", "new", 10.0, 10.0),  # missing in Q3 (lost 10 as missing), not an earlier finding
        ("C1", "B", "rectified", 10.0, 0.0),
        ("C1", "N", "unchecked", 10.0, -1),  # not applicable in Q4
        ("C3", "N", "unchecked", 10.0, -1),  # no result in Q4
    ]
    l_row = table[(table["unit_id"] == "C1") & (table["check_id"] == "L")].iloc[0]
    assert (l_row["value_before"], l_row["value_now"]) == ("B", "C")
    v_row = table[table["check_id"] == "V"].iloc[0]
    assert bool(v_row["violated_before"]) and bool(v_row["violated_now"])


def test_summary_counts_and_rate_per_unit():
    result = scored()
    table = rectification(result.scores.checks, "2017Q4", "2017Q3")
    summary = rectification_summary(table, result.roster[["unit_id", "name"]]).set_index("unit_id")
    cols = [*RECTIFICATION_STATUSES, "losses_before"]
    assert summary.loc["C1", cols].tolist() == [2, 1, 0, 1, 1, 5]
    # C1: 1 rectified of the 5 - 1 unchecked that Q4 could check
    assert summary.loc["C1", "rate"] == 25.0
    assert summary.loc["C2", cols].tolist() == [0, 0, 2, 0, 0, 0]
    assert summary.loc["C3", cols].tolist() == [0, 0, 1, 0, 1, 1]
    # nothing lost before (C2), or nothing Q4 could check (C3): no rate rather than 0% or 100%
    assert np.isnan(summary.loc["C2", "rate"]) and np.isnan(summary.loc["C3", "rate"])
    # the most unrectified first, then unit order
    assert list(summary.index) == ["C1", "C2", "C3"]
    assert summary.loc["C1", "name"] == "甲县"


def test_a_round_against_itself_has_nothing_new_and_nothing_fixed():
    table = rectification(scored().scores.checks, "2017Q3", "2017Q3")
    assert set(table["status"]) == {"not_rectified"}
    assert len(table) == 4 + 1 + 1  # C1's four losses and its violated veto, and C3's N
    assert (table["lost_before"] == table["lost_now"]).all()


STATUS = st.sampled_from(["scored", "scored", "scored", "na", "missing"])
CELL = st.tuples(STATUS, st.sampled_from([0.0, 0.0, 1.5, 4.0, 10.0]), st.booleans())


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(["U1", "U2", "U3"]), st.sampled_from(["K1", "K2", "K3", "K4"])),
                       st.tuples(st.one_of(st.none(), CELL), st.one_of(st.none(), CELL)), max_size=12))  # fmt: skip
def test_every_loss_of_either_round_appears_once_with_a_consistent_status(cells):
    rows = []
    for (unit, check), pair in cells.items():
        for period, cell in zip(["P1", "P2"], pair, strict=True):
            if cell is None:
                continue
            status, lost, veto = cell
            rows.append({"period": period, "track": "T", "unit_id": unit, "check_id": check,
                         "method": "veto" if veto else "deduct", "status": status, "value": "x",
                         "lost": 0.0 if veto else lost, "violated": veto and lost > 0 and status == "scored"})  # fmt: skip
    checks = pd.DataFrame(rows, columns=["period", "track", "unit_id", "check_id", "method", "status", "value", "lost",
                                         "violated"])  # fmt: skip
    table = rectification(checks, "P2", "P1")

    def losses(period):
        r = checks[(checks["period"] == period) & (checks["status"] == "scored")]
        return set(map(tuple, r.loc[(r["lost"] > 0) | r["violated"], ["unit_id", "check_id"]].to_numpy()))

    keys = list(zip(table["unit_id"], table["check_id"], strict=True))
    assert len(keys) == len(set(keys))
    before = {k for k, s in zip(keys, table["status"], strict=True) if s != "new"}
    now = {k for k, s in zip(keys, table["status"], strict=True) if s in ("not_rectified", "partly", "new")}
    assert before == losses("P1")
    assert now == losses("P2")
    fixed = table[table["status"] == "rectified"]
    assert (fixed["lost_now"] == 0).all() and not fixed["violated_now"].any()
    part = table[table["status"] == "partly"]
    assert ((part["lost_now"] > 0) & (part["lost_now"] < part["lost_before"])).all()
    order = table["status"].map(RECTIFICATION_STATUSES.index)
    assert order.is_monotonic_increasing


def test_limiting_to_some_units_gives_their_rows_of_the_whole_table():
    checks = scored().scores.checks
    whole = rectification(checks, "2017Q4", "2017Q3")
    for units in (["C1"], ["C2", "C3"], []):
        part = rectification(checks, "2017Q4", "2017Q3", units)
        expected = whole[whole["unit_id"].isin(units)].reset_index(drop=True)
        assert part.equals(expected)
