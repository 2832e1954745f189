"""Explanations and Excel reports: what a unit is told about where it lost points."""

import io

import openpyxl
import pandas as pd
import pytest

from helpers import ROOT
from scoring import InputFile, assess
from scoring.views.explain import dimension_profile, grade_counts, lost_points, previous_period, ranking_table
from scoring.workbooks.report import table_csv, table_xlsx, unit_report

EXAMPLE = ROOT / "docs" / "example"


@pytest.fixture(scope="module")
def example():
    return assess(EXAMPLE / "rubric.yaml", EXAMPLE / "units.csv", [EXAMPLE / "results.csv"])


def test_previous_period_sorts_rounds_as_text():
    assert previous_period(["2018Q1", "2017Q3", "2017Q4"], "2018Q1") == "2017Q4"
    assert previous_period(["2017Q3"], "2017Q3") is None


def test_lost_points_put_the_veto_first_then_the_largest_loss(example):
    lost = lost_points(example, "C02", "2017Q3")
    assert list(lost["check_id"]) == ["D3.1.2", "D1.1.1"]
    assert lost.loc[0, "violated"]
    assert lost.loc[1, "lost"] == 10.0
    assert lost.loc[1, "criteria"] == "未完善的不得分"
    lost = lost_points(example, "C01", "2017Q3")
    assert list(lost["check_id"]) == ["D1.1.2", "D2.1.2", "D2.1.1"]  # 4, 4, 2 points lost
    assert lost.loc[0, "evidence"] == "缺 8 月 | 缺 9 月"


def test_dimension_profile_against_the_group(example):
    prof = dimension_profile(example, "C01", "2017Q3", "disclosure").set_index("dimension_id")
    # D1: 甲县 16/20 = 80%, 乙县 10/20 = 50% -> mean 65, best 80
    assert prof.loc["D1", ["percent", "group_mean", "group_best"]].tolist() == [80.0, 65.0, 80.0]
    assert prof.loc["D1", "dimension_name"] == "主动公开"


def test_ranking_table_and_grade_counts(example):
    table = ranking_table(example.scores, "2017Q3", "disclosure", "county")
    assert list(table["unit_id"]) == ["C01", "C02"]
    assert table["rank_change"].isna().all()  # the first round has nothing to compare with
    counts = grade_counts(table, ["优秀", "良好", "合格", "不合格"])
    assert counts["count"].tolist() == [0, 1, 0, 1]


def test_ranking_table_movement_between_rounds():
    text = (EXAMPLE / "results.csv").read_text(encoding="utf-8")
    # in 2017Q4 乙县 passes the catalogue check and has no veto: it overtakes 甲县
    q4 = text.replace("2017Q3", "2017Q4").replace("2017Q4,C02,D1.1.1,0,", "2017Q4,C02,D1.1.1,1,")
    q4 = q4.replace("2017Q4,C02,D3.1.2,是,截图 c02-down.png", "2017Q4,C02,D3.1.2,否,")
    files = [EXAMPLE / "results.csv", InputFile("q4.csv", q4.encode("utf-8"))]
    result = assess(EXAMPLE / "rubric.yaml", EXAMPLE / "units.csv", files)
    table = ranking_table(result.scores, "2017Q4", "disclosure", "county").set_index("unit_id")
    assert table.loc["C02", "rank"] == 1
    assert table.loc["C02", "rank_change"] == 1
    assert table.loc["C01", "rank_change"] == -1
    assert table.loc["C02", "score_change"] == pytest.approx(100.0 - 59.0)


def test_unit_report_holds_summary_dimensions_and_lost_points(example):
    wb = openpyxl.load_workbook(io.BytesIO(unit_report(example, "C01", "2017Q3")))
    assert wb.sheetnames == ["概况", "维度得分", "失分明细"]
    assert "甲县(C01)" in wb["概况"]["A1"].value
    summary = [c.value for c in wb["概况"][5]]
    assert summary == ["政务公开", 77.78, 4.0, 81.78, "良好", "1/2", "否", 3.27, None]  # no bonus withheld
    lost = list(wb["失分明细"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in lost] == ["D1.1.2", "D2.1.2", "D2.1.1"]
    assert lost[0][6] == 4.0
    assert lost[0][7] == "2 条 × 每条扣 2 分 = 4 分:失 4 分"  # how the loss was computed
    assert lost[0][8] == "每缺一个月扣 2 分,扣完为止"
    assert lost[0][9] == "缺 8 月 | 缺 9 月"
    # values as the unit's page shows them, not the engine's 2 / 0.8
    assert [r[5] for r in lost] == ["2 条", "80%", "良"]


def test_unit_report_is_reproducible(example):
    assert unit_report(example, "C01", "2017Q3") == unit_report(example, "C01", "2017Q3")


def test_user_text_never_becomes_a_formula_in_reports(example):
    text = (EXAMPLE / "results.csv").read_text(encoding="utf-8")
    evil = '"=HYPERLINK(""http://evil.example/steal"",""点我"")"'  # one CSV field
    text = text.replace("2017Q3,C01,D1.1.2,1,缺 8 月", "2017Q3,C01,D1.1.2,1," + evil)
    result = assess(EXAMPLE / "rubric.yaml", EXAMPLE / "units.csv", [InputFile("r.csv", text.encode("utf-8"))])
    wb = openpyxl.load_workbook(io.BytesIO(unit_report(result, "C01", "2017Q3")))
    cells = [
        c for row in wb["失分明细"].iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert cells, "the evidence should be in the report"
    assert all(c.data_type == "s" for c in cells)

    frame = pd.DataFrame({"单位": ["=1+1", "@SUM(A1)"], "得分": [1.0, float("nan")]})
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(frame)))["Sheet1"]
    assert ws["A2"].value == "=1+1"
    assert ws["A2"].data_type == "s"
    assert ws["B3"].value is None


def test_csv_download_keeps_formulas_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame(
        {
            "单位": ["=1+1", "@SUM(A1)", "-2+3", "泗县", None],
            "得分": [-1.5, 2.0, float("nan"), 90.25, 1.0],
            "等次": pd.Categorical(["+优秀", "良好", "良好", "良好", "良好"]),
        }
    )
    text = table_csv(frame)
    assert text.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(text), encoding="utf-8-sig", keep_default_na=False)
    assert back["单位"].tolist() == ["'=1+1", "'@SUM(A1)", "'-2+3", "泗县", ""]
    assert back["得分"].astype(str).tolist() == ["-1.5", "2.0", "", "90.25", "1.0"]
    assert back["等次"].tolist() == ["'+优秀", "良好", "良好", "良好", "良好"]


def test_unit_report_appeals_in_beijing_time_with_people_named_as_on_the_page(example):
    """Issue 29 item 9: the 申诉复核 sheet says what the page says, not ISO UTC and login names."""
    appeals = pd.DataFrame(
        {
            "id": [1, 2], "period": ["2017Q3"] * 2, "unit_id": ["C01"] * 2, "check_id": ["D1.1.2", "D2.1.1"],
            "reason": ["8 月已公开", "=1+1"], "proof": ["截图 a.png", None], "filed_by": ["jiaxian", "jiaxian"],
            "filed_at": ["2018-01-05T06:03:10+00:00", "2018-01-05T17:30:00+00:00"], "outcome": ["corrected", "open"],
            "new_value": ["1 条", None], "decision_reason": ["核实", None], "decided_by": ["zhang", None],
            "decided_at": ["2018-01-06T01:00:00+00:00", None],
        }
    )  # fmt: skip
    accounts = pd.DataFrame({"name": ["jiaxian", "zhang"], "role": ["unit", "evaluator"], "unit_id": ["C01", None]})
    wb = openpyxl.load_workbook(io.BytesIO(unit_report(example, "C01", "2017Q3", appeals, accounts=accounts)))
    rows = list(wb["申诉复核"].iter_rows(values_only=True))
    assert rows[0] == ("编号", "测评点", "复核结论", "更正结果", "复核理由", "申诉理由", "证明材料", "申诉人",
                       "申诉时间", "复核人", "复核时间")  # fmt: skip
    assert rows[1] == (1, "D1.1.2 财政信息按月公开", "已更正", "1 条", "核实", "8 月已公开", "截图 a.png", "甲县",
                       "2018-01-05 14:03", "zhang(第三方评估机构)", "2018-01-06 09:00")  # fmt: skip
    # 17:30 UTC is the next day in Beijing; an open appeal has no decision, blank rather than "None"
    assert rows[2][2:5] == ("待复核", None, None) and rows[2][8:] == ("2018-01-06 01:30", None, None)
    assert wb["申诉复核"]["F3"].data_type == "s"  # the unit's text stays text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from scoring.store import open_store
    from scoring.store.publish import all_rounds
    from ui.demo import seed_demo

    store = open_store(tmp_path_factory.mktemp("demo") / "a.db")
    seed_demo(store)
    return all_rounds(store)[0]


def test_figures_are_rounded_half_up_to_the_published_decimals():
    from scoring.workbooks.report import _num, arrows, fixed

    # 110.125 is exact in binary: Python's round() gives 110.12, the engine's half-up 110.13
    assert [_num(110.125), _num(4.992), _num(-0.125), _num(2.675), _num(float("nan"))] == [
        110.13, 4.99, -0.13, 2.68, None]  # fmt: skip
    assert (fixed(2), fixed(0), arrows(), arrows(2)) == ("0.00", "0", '"▲"0;"▼"0;"—"', '"▲"0.00;"▼"0.00;"—"')


def _column(ws, header: str, row: int = 1) -> list:
    col = [c.value for c in ws[row]].index(header)
    return [r[col] for r in ws.iter_rows(min_row=row + 1)]


def test_leaders_workbook_changes_are_numbers_shown_with_arrows_and_figures_have_two_decimals(demo):
    """Issue 29 item 10: ▲▼ by number format on signed numbers, 是/否 for the veto, never 4.992."""
    from scoring.workbooks.report import leaders_report

    wb = openpyxl.load_workbook(io.BytesIO(leaders_report(demo, "2018Q1")))
    ws = wb["政务公开排名"]
    table = ranking_table(demo.scores, "2018Q1", "disclosure", "county")
    first = [c.value for c in ws[2]]
    assert first[3] == table.loc[0, "unit_name"] and first[8] == int(table.loc[0, "rank_change"])
    changes = _column(ws, "排名变化")
    assert all(isinstance(c.value, int) for c in changes) and any(c.value < 0 for c in changes)
    assert {c.number_format for c in changes} == {'"▲"0;"▼"0;"—"'}
    score_changes = _column(ws, "得分变化")
    assert all(isinstance(c.value, float) and round(c.value, 2) == c.value for c in score_changes)
    assert {c.number_format for c in score_changes} == {'"▲"0.00;"▼"0.00;"—"'}
    assert {c.number_format for c in _column(ws, "得分")} == {"0.00"}
    u = demo.scores.units
    vetoed = u[(u["period"] == "2018Q1") & (u["track"] == "disclosure")]["vetoed"]
    assert sorted(c.value for c in _column(ws, "单项否决")) == sorted(vetoed.map({True: "是", False: "否"}))
    movers = wb["排名变化"]
    assert [c.value for c in movers[1]][3] == "排名变化"
    assert {c.number_format for c in _column(movers, "排名变化")} == {'"▲"0;"▼"0;"—"'}
    assert [c.value for c in wb["等次统计"][1]][-1] == "单项否决单位数"  # a count, not 是/否
    lost = _column(wb["共性问题"], "合计失分")
    assert all(round(c.value, 2) == c.value and c.number_format == "0.00" for c in lost)
    assert any(round(c.value, 1) != c.value for c in lost)  # the demo has losses in hundredths


def test_unit_report_lost_points_have_the_published_decimals(demo):
    wb = openpyxl.load_workbook(io.BytesIO(unit_report(demo, "341322", "2018Q1")))
    lost = _column(wb["失分明细"], "失分")
    assert lost and all(round(c.value, 2) == c.value and c.number_format == "0.00" for c in lost)
    assert {c.number_format for c in _column(wb["概况"], "得分", row=4)} == {"0.00"}


def test_ranking_download_keeps_changes_numbers_and_says_yes_or_no(demo):
    from ui.tables import ranking_download

    table = ranking_table(demo.scores, "2018Q1", "disclosure", "county")
    columns = ["rank", "unit_name", "score", "grade", "target_points", "rank_change", "score_change", "vetoed"]
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(ranking_download(table, columns, True, 2), "排名")))["排名"]
    changes = _column(ws, "排名变化")
    assert [c.value for c in changes] == [None if pd.isna(v) else int(v) for v in table["rank_change"]]
    assert {c.number_format for c in changes} == {'"▲"0;"▼"0;"—"'}
    assert {c.number_format for c in _column(ws, "得分")} == {"0.00"}
    assert {c.value for c in _column(ws, "单项否决")} <= {"是", "否"}
    first = openpyxl.load_workbook(io.BytesIO(table_xlsx(ranking_download(table, columns, False, 2))))["Sheet1"]
    assert {c.value for c in _column(first, "排名变化")} == {None}  # a first round compares with nothing
