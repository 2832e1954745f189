"""How a lost point was computed, in the words a unit reads (单位详情 and the unit report)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_rubric, run, two_rounds
from scoring.views.explain import lost_points, unsupported_losses

ONE = [("C1", "甲县", "county")]


def computations(result, unit="C1", period="2017Q3"):
    lost = lost_points(result, unit, period)
    return dict(zip(lost["check_id"], lost["computation"], strict=True))


def test_every_method_says_how_its_loss_was_computed():
    text = computations(two_rounds())
    assert text == {
        "V": "触发单项否决:本轨道得分封顶 59 分",
        "B": "未通过:得 0 分,失 10 分",
        "N": "未通过:得 0 分,失 10 分",
        "K": "3 条 × 每条扣 2 分 = 6 分:失 6 分",
        "L": "评为「B」,得满分的 50%:6 × 0.5 = 3 分,失 3 分",
    }
    assert computations(two_rounds(), "C3")["B"] == "缺少测评结果,按 0 分计:失 10 分"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.85", "10 × (85% − 60%) ÷ (90% − 60%) = 8.33 分,失 1.67 分"),
        ("55%", "55% 不高于下限 60%:得 0 分,失 10 分"),
    ],
)
def test_ratio_names_its_floor_and_target(value, text):
    ratio = {"id": "R", "name": "答复率", "method": "ratio", "points": 10, "floor": 0.6, "target": 0.9}
    assert computations(run(make_rubric([ratio]), [("C1", "R", value)], ONE)) == {"R": text}


def test_a_deduction_beyond_the_points_says_it_stopped_at_zero():
    deduct = {"id": "K", "name": "逾期", "method": "deduct", "points": 5, "per_item": 2}
    result = run(make_rubric([deduct]), [("C1", "K", "4")], ONE)
    assert computations(result) == {"K": "4 条 × 每条扣 2 分 = 8 分,扣完为止:失 5 分"}


@settings(max_examples=40, deadline=None)
@given(count=st.integers(1, 12), per_item=st.sampled_from([0.5, 1, 2, 2.5]), points=st.sampled_from([3, 4, 6, 10]),
       ratio=st.integers(0, 99))  # fmt: skip
def test_the_stated_loss_is_the_scored_loss(count, per_item, points, ratio):
    checks = [
        {"id": "K", "name": "扣分", "method": "deduct", "points": points, "per_item": per_item},
        {"id": "R", "name": "比率", "method": "ratio", "points": points, "floor": 0.5},
    ]
    result = run(make_rubric(checks), [("C1", "K", str(count)), ("C1", "R", f"{ratio}%")], ONE)
    lost = lost_points(result, "C1", "2017Q3")
    for r in lost.itertuples():
        assert r.computation.endswith(f"失 {round(r.lost, 2):g} 分"), r.computation


def test_losses_without_evidence_are_listed_and_losses_with_it_are_not():
    checks = [
        {"id": "B", "name": "栏目", "method": "binary", "points": 10},
        {"id": "K", "name": "逾期", "method": "deduct", "points": 10, "per_item": 2},
        {"id": "V", "name": "网站打不开", "method": "veto", "cap": 59},
    ]
    rows = [
        ("2017Q3", "C1", "B", "0", "截图 1.png"), ("2017Q3", "C1", "K", "2", " "), ("2017Q3", "C1", "V", "0", ""),
        ("2017Q3", "C2", "B", "0", ""), ("2017Q3", "C2", "K", "0", ""), ("2017Q3", "C2", "V", "1", ""),
    ]  # fmt: skip
    result = run(make_rubric(checks), rows, [("C1", "甲县", "county"), ("C2", "乙县", "county")])
    bare = unsupported_losses(result, ["2017Q3"])
    # C1's B has its screenshot; C1's K has blank evidence; C2 lost B and violated V with none
    assert list(zip(bare["unit_id"], bare["check_id"], strict=True)) == [("C1", "K"), ("C2", "B"), ("C2", "V")]
    assert list(bare["unit_name"]) == ["甲县", "乙县", "乙县"]
    assert unsupported_losses(result, ["2017Q4"]).empty


_EVIDENCE = st.sampled_from(["", " ", "\u3000", "\t", "截图.png", " | "])


@settings(max_examples=60, deadline=None)
@given(findings=st.lists(st.tuples(st.sampled_from(["C1", "C2"]), st.sampled_from(["B", "K", "V"]),
                                   st.integers(0, 3), _EVIDENCE), min_size=1, max_size=12))  # fmt: skip
def test_an_import_lists_the_losses_without_evidence_the_whole_check_table_shows(findings):
    """Issue 34: an import lists them without building the check table; the same rows either way,
    blank evidence, several findings of one deduction (their evidence joined) included."""
    checks = [
        {"id": "B", "name": "栏目", "method": "binary", "points": 10},
        {"id": "K", "name": "逾期", "method": "deduct", "points": 10, "per_item": 2},
        {"id": "V", "name": "网站打不开", "method": "veto", "cap": 59},
    ]
    seen, rows = set(), []
    for unit, check, value, evidence in findings:
        if check != "K" and (unit, check) in seen:
            continue  # one result per binary and veto check
        seen.add((unit, check))
        rows.append(("2017Q3", unit, check, str(value if check == "K" else value % 2), evidence))
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county")]
    quick = run(make_rubric(checks), rows, units)
    bare = unsupported_losses(quick, ["2017Q3"])
    assert callable(quick.scores._checks)  # the check table was not built for the list
    whole = run(make_rubric(checks), rows, units)
    assert len(whole.scores.checks)
    pd.testing.assert_frame_equal(bare, unsupported_losses(whole, ["2017Q3"]))


def test_blank_evidence_is_what_str_strip_leaves_empty():
    """The engine finds blank evidence in Arrow (scoring.engine.BLANK); str.strip() decides what blank is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from scoring.engine import BLANK

    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000]
    texts = pa.array(["", *chars, *(c * 3 for c in " \u3000\x1c\u200b"), " a ", "\u3000政\u3000"])
    got = pc.match_substring_regex(texts, BLANK).to_pylist()
    assert got == [t.strip() == "" for t in texts.to_pylist()]


def test_missing_results_are_listed_per_unit():
    from scoring.views.explain import missing_results

    result = two_rounds()  # C3 has no result for B in 2017Q3, nor for N in 2017Q4
    assert missing_results(result, "2017Q3").values.tolist() == [["C3", "丙县", 1, "B"]]
    assert missing_results(result, "2017Q4").values.tolist() == [["C3", "丙县", 1, "N"]]
    assert missing_results(result, "2018Q1").empty
