"""共性问题: per check, how many units lost points on it, hand-computed on a small round."""

import pytest

from helpers import two_rounds as scored
from scoring.views.explain import common_problems, units_losing


def test_checks_most_units_lost_points_on_come_first():
    result = scored()  # three counties, 2017Q4: see helpers.TWO_ROUND_ROWS
    table = common_problems(result, "2017Q4", "T", ["C1", "C2", "C3"]).set_index("check_id")
    assert list(table.index) == ["B", "K", "L", "V", "N"]
    # B: C1 passed, C2 failed, C3 failed (10 each)
    assert table.loc["B", ["tested", "losing", "lost_total", "lost_mean"]].tolist() == [3, 2, 20.0, 10.0]
    assert table.loc["B", "loss_rate"] == pytest.approx(200 / 3)
    # K: 1 finding x 2 for C1, 5 x 2 = 10 for C2, none for C3
    assert table.loc["K", ["losing", "lost_total", "lost_mean"]].tolist() == [2, 12.0, 6.0]
    # a violated veto counts as a loss, though it costs no check points
    assert table.loc["V", ["losing", "lost_total"]].tolist() == [1, 0.0]
    # N: not applicable for C1, no result for C3, passed by C2
    assert table.loc["N", ["tested", "losing", "na", "missing"]].tolist() == [1, 0, 1, 1]
    assert table.loc["B", "check_name"] == "栏目"


def test_only_the_chosen_units_count():
    table = common_problems(scored(), "2017Q4", "T", ["C1"]).set_index("check_id")
    assert table.loc["B", ["tested", "losing"]].tolist() == [1, 0]
    assert table.loc["L", ["tested", "losing", "lost_total"]].tolist() == [1, 1, 6.0]


def test_units_losing_on_one_check_largest_loss_first():
    who = units_losing(scored(), "2017Q4", "K", ["C1", "C2", "C3"])
    assert list(zip(who["unit_id"], who["lost"], who["value"], strict=True)) == [("C2", 10.0, "5"), ("C1", 2.0, "1")]
    assert list(who["unit_name"]) == ["乙县", "甲县"]
