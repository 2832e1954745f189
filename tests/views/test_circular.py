"""通报草稿: every figure in the draft is the tables' own."""

import re

import pytest

from helpers import make_rubric, run
from scoring.store import open_store
from scoring.store.publish import all_rounds
from scoring.views.circular import circular_text
from scoring.views.explain import common_problems, ranking_table
from scoring.views.rectification import rectification, rectification_summary
from ui.demo import seed_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("demo") / "a.db")
    seed_demo(store)
    return all_rounds(store)[0]


def section(text: str, title: str) -> str:
    return re.search(rf"、{title}\n(.*?)\n\n", text, re.S).group(1)


def test_the_draft_says_what_the_tables_say(demo):
    text = circular_text(demo, "2018Q1", "2018Q1 · 已发布 第 1 版")
    assert text.startswith(
        "2017年度全市政务公开政务服务绩效考核第三方测评情况通报(2018年第一季度)\n\n(依据 2018Q1 · 已发布 第 1 版 的测评结果)"
    )
    u = demo.scores.units
    now, before = u[u["period"] == "2018Q1"], u[u["period"] == "2017Q4"]
    overview = section(text, "总体情况")
    assert f"本期共测评 {now['unit_id'].nunique()} 家单位" in overview
    mean = now.loc[now["track"] == "disclosure", "score"].mean()
    change = mean - before.loc[before["track"] == "disclosure", "score"].mean()
    assert f"政务公开:平均得分 {mean:.2f} 分,较上期{'上升' if change > 0 else '下降'} {abs(change):.2f} 分" in overview
    vetoed = now.loc[now["vetoed"], "unit_name"]
    assert all(name in overview for name in vetoed) and "触发单项否决" in overview

    county = ranking_table(demo.scores, "2018Q1", "disclosure", "county")
    first, last = county.iloc[0], county.iloc[-1]
    assert f"县区政府:政务公开第一名 {first['unit_name']}({first['score']:.2f} 分),末位 {last['unit_name']}" in text

    problems = common_problems(demo, "2018Q1", "disclosure", list(demo.roster["unit_id"]))
    top = problems.iloc[0]
    assert f"1. 政务公开 · {top['check_name']}" in text and f"{top['losing']} 家单位失分" in text

    table = rectification(demo.scores.checks, "2018Q1", "2017Q4")
    units = now.drop_duplicates("unit_id")[["unit_id", "unit_name"]]
    summary = rectification_summary(table, units)
    assert (
        f"对照上期(2017Q4)发现的 {summary['losses_before'].sum()} 个失分点,本期已整改 {summary['rectified'].sum()} 个"
        in text
    )


def test_a_first_round_has_no_comparison(demo):
    text = circular_text(demo, "2017Q3")
    assert "整改情况" not in text and "较上期" not in text and "进步较大" not in text
    assert [line for line in text.splitlines() if re.match("[一二三四]、", line)] == ["一、总体情况", "二、各组排名",
                                                                                   "三、共性问题"]  # fmt: skip


def test_units_tied_for_first_are_both_named():
    rubric = make_rubric([{"id": "B", "name": "栏目", "method": "binary", "points": 10}])
    result = run(rubric, [("C1", "B", "1"), ("C2", "B", "1"), ("C3", "B", "0"), ("M1", "B", "1")])
    text = circular_text(result, "2017Q3")
    assert "县区政府:政务公开第一名 甲县(100.00 分)、乙县(100.00 分),末位 丙县(0.00 分)" in text
    assert "1. 政务公开 · 栏目(维度):1 家单位失分(占已测评 4 家的 25%)" in text
