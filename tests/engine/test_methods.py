"""Hand-computed golden cases for every scoring method (SPEC §1, 'Scoring methods')."""

import io

import openpyxl
import pytest

from helpers import check_row, make_rubric, run, unit_row
from scoring.views.explain import unit_tracks
from scoring.workbooks.report import unit_report

ONE_COUNTY = [("C1", "甲县", "county")]


def binary(cid="B", points=10, **kw):
    return {"id": cid, "name": "是否", "method": "binary", "points": points, **kw}


@pytest.mark.parametrize("token", ["1", "true", "TRUE", " yes ", "Y", "pass", "是", "通过", "1.0"])
def test_binary_pass_tokens_earn_full_points(token):
    r = run(make_rubric([binary(), binary("B2")]), [("C1", "B", token), ("C1", "B2", "0")], ONE_COUNTY)
    assert check_row(r, "C1", "B")["earned"] == 10
    assert check_row(r, "C1", "B")["value"] == "1"
    # 10 of 20 base points
    assert unit_row(r, "C1")["score"] == 50.0


@pytest.mark.parametrize("token", ["0", "false", "No", "n", "FAIL", "否", "未通过", "0.0"])
def test_binary_fail_tokens_earn_nothing(token):
    r = run(make_rubric([binary(), binary("B2")]), [("C1", "B", token), ("C1", "B2", "1")], ONE_COUNTY)
    row = check_row(r, "C1", "B")
    assert (row["earned"], row["max"], row["lost"], row["value"]) == (0, 10, 10, "0")


def test_levels_earn_points_times_fraction_and_match_labels_case_insensitively():
    lv = {"id": "L", "name": "质量", "method": "levels", "points": 6, "levels": {"A": 1, "B": 0.67, "C": 0.33, "D": 0}}
    r = run(make_rubric([lv]), [("C1", "L", " b ")], ONE_COUNTY)
    row = check_row(r, "C1", "L")
    # 6 x 0.67 = 4.02; the value shown is the rubric's label
    assert row["earned"] == pytest.approx(4.02)
    assert row["value"] == "B"
    assert unit_row(r, "C1")["score"] == 67.0


def test_one_label_written_in_two_cases_in_one_file_is_one_level():
    lv = {"id": "L", "name": "质量", "method": "levels", "points": 6, "levels": {"A": 1, "B": 0.5}}
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county")]
    r = run(make_rubric([lv]), [("C1", "L", "b"), ("C2", "L", "B")], units)
    for unit in ("C1", "C2"):
        row = check_row(r, unit, "L")
        assert (row["earned"], row["value"]) == (3, "B")


@pytest.mark.parametrize(
    ("value", "earned"),
    [
        ("0.85", 10 * (0.85 - 0.6) / (0.9 - 0.6)),  # 8.3333
        ("85%", 10 * (0.85 - 0.6) / (0.9 - 0.6)),
        ("0.95", 10.0),  # above target: clipped to full points
        ("50%", 0.0),  # below floor: clipped to zero
        ("0.6", 0.0),
        ("0.9", 10.0),
    ],
)
def test_ratio_with_floor_and_target(value, earned):
    ratio = {"id": "R", "name": "答复率", "method": "ratio", "points": 10, "floor": 0.6, "target": 0.9}
    r = run(make_rubric([ratio]), [("C1", "R", value)], ONE_COUNTY)
    assert check_row(r, "C1", "R")["earned"] == pytest.approx(earned)


def test_ratio_defaults_to_floor_0_target_1():
    ratio = {"id": "R", "name": "答复率", "method": "ratio", "points": 8}
    r = run(make_rubric([ratio]), [("C1", "R", "75%")], ONE_COUNTY)
    assert check_row(r, "C1", "R")["earned"] == 6.0
    assert check_row(r, "C1", "R")["value"] == "0.75"


def test_deduct_sums_several_finding_rows_and_floors_at_zero():
    ded = {"id": "X", "name": "扣分", "method": "deduct", "points": 5, "per_item": 0.5}
    rubric = make_rubric([ded, binary()])
    r = run(rubric, [("C1", "X", "2"), ("C1", "X", "1"), ("C1", "X", "0"), ("C1", "B", "1")], ONE_COUNTY)
    row = check_row(r, "C1", "X")
    # 3 findings x 0.5 = 1.5 off 5 points
    assert (row["earned"], row["lost"], row["findings"], row["value"]) == (3.5, 1.5, 3, "3")
    assert unit_row(r, "C1")["score"] == 90.0  # 13.5 / 15

    r = run(rubric, [("C1", "X", "7"), ("C1", "X", "9"), ("C1", "B", "1")], ONE_COUNTY)
    assert check_row(r, "C1", "X")["earned"] == 0.0  # 16 x 0.5 = 8 > 5: never negative


def test_deduct_evidence_of_all_rows_is_joined():
    ded = {"id": "X", "name": "扣分", "method": "deduct", "points": 5, "per_item": 1}
    rows = [("2017Q3", "C1", "X", "1", "http://a.gov.cn/1"), ("2017Q3", "C1", "X", "1", "shot-2.png")]
    r = run(make_rubric([ded]), rows, ONE_COUNTY)
    assert check_row(r, "C1", "X")["evidence"] == "http://a.gov.cn/1 | shot-2.png"


def test_bonus_capped_by_its_points_and_by_the_track():
    checks = [
        binary(),
        {"id": "P1", "name": "创新", "method": "bonus", "points": 3, "per_item": 1},
        {"id": "P2", "name": "推广", "method": "bonus", "points": 4, "per_item": 2},
    ]
    rubric = make_rubric(checks, bonus_max=5)
    # P1: min(3, 1 x 5) = 3; P2: min(4, 2 x 1) = 2; track: min(5, 5) = 5
    r = run(rubric, [("C1", "B", "1"), ("C1", "P1", "5"), ("C1", "P2", "1")], ONE_COUNTY)
    assert check_row(r, "C1", "P1")["earned"] == 3.0
    assert (check_row(r, "C1", "P1")["max"], check_row(r, "C1", "P1")["lost"]) == (3.0, 0.0)
    row = unit_row(r, "C1")
    assert (row["base"], row["bonus"], row["score"]) == (100.0, 5.0, 105.0)
    # P1 3 + P2 min(4, 6) = 7, above the track's bonus_max of 5
    r = run(rubric, [("C1", "B", "0"), ("C1", "P1", "3"), ("C1", "P2", "3")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["base"], row["bonus"], row["score"]) == (0.0, 5.0, 5.0)


def test_bonus_counts_only_from_the_tracks_bonus_min_base_up():
    checks = [binary("B1", 25), binary("B2", 25), binary("B3", 25), binary("B4", 25),
              {"id": "P", "name": "创新", "method": "bonus", "points": 5, "per_item": 1}]  # fmt: skip
    rubric = make_rubric(checks, bonus_max=5, bonus_min_base=60)
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county")]
    rows = [(u, f"B{i}", "1" if i <= passed else "0") for u, passed in (("C1", 2), ("C2", 3)) for i in range(1, 5)]
    r = run(rubric, [*rows, ("C1", "P", "3"), ("C2", "P", "3")], units)
    # C1: base 50 is under 60, so its 3 bonus points are withheld (and said so); C2: 75 + 3
    c1, c2 = unit_row(r, "C1"), unit_row(r, "C2")
    assert (c1["base"], c1["bonus"], c1["score"], c1["bonus_withheld"]) == (50.0, 0.0, 50.0, 3.0)
    assert (c2["base"], c2["bonus"], c2["score"], c2["bonus_withheld"]) == (75.0, 3.0, 78.0, 0.0)
    assert check_row(r, "C1", "P")["earned"] == 3.0  # the check itself was earned; the track withholds it
    # the unit is told why, on its page and in its report
    notes = [unit_tracks(r.scores, u, "2017Q3", rubric).loc[0, "bonus_note"] for u in ("C1", "C2")]
    assert notes == ["基础分 50 未达加分起算线 60,已得加分 3 分不计入得分", ""]
    sheet = openpyxl.load_workbook(io.BytesIO(unit_report(r, "C1", "2017Q3")))["概况"]
    assert [c.value for c in sheet[5]][2:4] == [0, 50] and sheet.cell(5, 9).value == notes[0]


@pytest.mark.parametrize(("decimals", "bonus"), [(2, 0.0), (0, 2.0)])
def test_the_base_compared_with_bonus_min_base_is_the_published_one(decimals, bonus):
    # base 119 / 200 = 59.5: 59.50 at 2 decimals is under 60; 60 at 0 decimals reaches it
    checks = [binary("B1", 119), binary("B2", 81), {"id": "P", "name": "创新", "method": "bonus", "points": 2,
                                                     "per_item": 1}]  # fmt: skip
    rubric = make_rubric(checks, bonus_max=2, bonus_min_base=60, rounding={"decimals": decimals})
    r = run(rubric, [("C1", "B1", "1"), ("C1", "B2", "0"), ("C1", "P", "2")], ONE_COUNTY)
    assert unit_row(r, "C1")["bonus"] == bonus


def test_veto_cap_0_and_cap_59_and_smallest_cap_wins():
    checks = [
        binary(),
        {"id": "V59", "name": "网站打不开", "method": "veto", "cap": 59},
        {"id": "V0", "name": "泄密", "method": "veto"},
    ]
    rubric = make_rubric(checks)
    r = run(rubric, [("C1", "B", "1"), ("C1", "V59", "是"), ("C1", "V0", "否")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["score"], row["vetoed"], row["grade"]) == (59.0, True, "不合格")
    assert row["base"] == 100.0  # the base stays visible; only the score is capped
    veto = check_row(r, "C1", "V59")
    assert (veto["earned"], veto["max"], veto["lost"], veto["value"]) == (0, 0, 0, "1")

    r = run(rubric, [("C1", "B", "1"), ("C1", "V59", "1"), ("C1", "V0", "1")], ONE_COUNTY)
    assert unit_row(r, "C1")["score"] == 0.0

    r = run(rubric, [("C1", "B", "1"), ("C1", "V59", "0"), ("C1", "V0", "0")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["score"], row["vetoed"], row["grade"]) == (100.0, False, "优秀")


def test_veto_cap_above_score_still_marks_vetoed_and_lowest_grade():
    checks = [binary(), binary("B2"), {"id": "V", "name": "否决", "method": "veto", "cap": 59}]
    r = run(make_rubric(checks), [("C1", "B", "1"), ("C1", "B2", "0"), ("C1", "V", "1")], ONE_COUNTY)
    row = unit_row(r, "C1")
    assert (row["score"], row["vetoed"], row["grade"]) == (50.0, True, "不合格")


def test_cells_are_trimmed_before_they_are_compared_whichever_file_they_come_from():
    """The reader keeps ids and values as codes; ' 是 ' and '是', ' C1' and 'C1' must still be one value."""
    from helpers import assess, results_file, units_file

    rubric = make_rubric([binary(), binary("B2")])
    first = results_file([("2017Q3", " C1", "B", " 是 "), ("2017Q3", "C2", "B", "否"), ("2017Q3", "C2", "B2", "是")],
                         "a.csv")  # fmt: skip
    second = results_file([("2017Q3", "C1 ", " B2", "是"), ("2017Q4", "C1", "B", "通过")], "b.csv")
    r = assess(rubric, units_file(), [first, second], allow_missing=True)
    assert unit_row(r, "C1")["score"] == 100.0
    assert unit_row(r, "C2")["score"] == 50.0
    assert unit_row(r, "C1", "2017Q4")["score"] == 50.0  # B2 is missing there: 0 points
    assert check_row(r, "C1", "B2")["value"] == "1"
    assert sorted(r.findings.periods) == ["2017Q3", "2017Q4"]
