"""The app's wiring, page by page, through Streamlit's AppTest (numbers are proven in the engine tests)."""

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from helpers import ROOT
from scoring import load_rubric
from ui import charts
from ui.pages.upload import next_period
from ui.tables import change_text, evidence_links, value_text

APP = str(ROOT / "app.py")
TIMEOUT = 120


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(f"ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("page", "title"), [(None, "排名总览"), ("unit", "单位详情"), ("upload", "导入测评结果"),
                                             ("rubric", "指标体系")])  # fmt: skip
def test_every_page_renders_without_exception(page, title):
    at = open_page(page)
    assert [t.value for t in at.title] == [title]


def test_ranking_page_shows_the_latest_county_ranking():
    at = open_page()
    table = at.dataframe[0].value
    assert list(table.columns) == ["排名", "单位", "得分", "等次", "目标管理分", "排名变化", "得分变化", "单项否决"]
    assert list(table["单位"]) == ["灵璧县人民政府", "埇桥区人民政府", "泗县人民政府", "砀山县人民政府", "萧县人民政府"]
    assert list(table["得分"]) == [95.75, 91.21, 84.58, 73.15, 66.23]
    assert table.loc[4, "排名变化"] == "▼ 2"  # 萧县 slipped from 3rd to 5th
    assert "政务公开权重 4%(按要求不低于 4%)" in at.caption[0].value


def test_ranking_page_marks_a_veto_and_follows_the_selection():
    at = open_page()
    at.selectbox(key="rank_period").set_value("2017Q4")
    at.selectbox[2].set_value("department").run()
    table = at.dataframe[0].value
    fgj = table[table["单位"] == "市房管局"].iloc[0]
    assert (fgj["得分"], fgj["等次"], fgj["单项否决"]) == (59.0, "不合格", "✖ 否决")
    assert len(table) == 33


def test_first_round_has_no_change_to_show():
    at = open_page()
    at.selectbox(key="rank_period").set_value("2017Q3").run()
    assert set(at.dataframe[0].value["排名变化"]) == {"首期"}


def test_unit_selection_changes_the_drill_down():
    at = open_page("unit")
    first = at.dataframe[0].value
    at.selectbox(key="unit_id").set_value("FGJ")
    at.selectbox(key="unit_period").set_value("2017Q4").run()
    assert not at.exception
    lost = at.dataframe[0].value
    assert not lost.equals(first)
    assert lost.iloc[0]["测评点"] == "网站无法访问或首页长期不更新"
    assert lost.iloc[0]["情况"] == "单项否决"
    assert "本期触发单项否决" in at.error[0].value
    assert {"评分标准", "佐证", "依据", "失分"} <= set(lost.columns)
    assert (lost["失分"].iloc[1:].diff().dropna() <= 0).all()  # largest loss first after the veto


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, mime))
    return at.run()


def test_bad_upload_shows_located_errors():
    at = open_page("upload")
    bad = "期次,单位编码,测评点编码,结果\n2018Q3,341302,GK1.1.1,也许\n2018Q3,XX9,GK1.1.2,0\n"
    _upload(at, "bad.csv", bad.encode("utf-8"), "text/csv")
    assert not at.exception
    issues = at.dataframe[0].value
    assert list(issues.columns) == ["文件", "工作表", "行", "列", "问题"]
    value = issues[issues["列"] == "结果"].iloc[0]
    assert (value["文件"], value["行"]) == ("bad.csv", 2)
    assert "不接受结果 “也许”" in value["问题"]
    unit = issues[issues["列"] == "单位编码"].iloc[0]
    assert (unit["行"], unit["问题"]) == (3, "单位编码 XX9 不在单位名单中")
    assert "未计分" in at.error[0].value


def test_good_upload_previews_scores_and_joins_the_session():
    at = open_page("upload")
    data = (ROOT / "sample_data" / "results" / "2018Q2.csv").read_bytes().replace(b"2018Q2", b"2018Q3")
    _upload(at, "2018Q3.csv", data, "text/csv")
    assert not at.exception
    assert "校验通过" in at.success[0].value
    preview = at.dataframe[0].value
    assert set(preview["期次"]) == {"2018Q3"}
    at.switch_page("ui/pages/ranking.py").run()
    assert "2018Q3" in at.selectbox(key="rank_period").options


def test_template_download_is_a_workbook_for_the_next_round():
    at = open_page("upload")
    assert at.text_input[0].value == "2018Q3"
    from ui import data

    wb = openpyxl.load_workbook(io.BytesIO(data.template_bytes("2018Q3")))
    ws = wb["测评结果"]
    assert ws["A2"].value == "2018Q3"
    assert ws.max_row - 1 == len(load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml").applicability(
        data.assessment([]).roster))  # fmt: skip


@pytest.mark.parametrize(
    ("latest", "expected"), [("2017Q3", "2017Q4"), ("2017Q4", "2018Q1"), ("2018年上半年", "2018年上半年")]
)
def test_next_period(latest, expected):
    assert next_period([latest]) == expected


def test_display_helpers():
    import pandas as pd

    assert list(change_text(pd.Series([3, -2, 0, None]), True)) == ["▲ 3", "▼ 2", "—", ""]
    assert list(evidence_links(pd.Series(["截图 a.png | http://x.gov.cn/a", "文号"]))) == ["http://x.gov.cn/a", None]
    got = value_text(
        pd.Series(["binary", "binary", "ratio", "deduct", "veto", "levels", "ratio"]),
        pd.Series(["1", "0", "0.845", "3", "1", "良", "NA"]),
        pd.Series(["scored"] * 6 + ["na"]),
    )
    assert list(got) == ["通过", "未通过", "84.5%", "3 条", "发生", "良", "不涉及"]


def test_ranking_chart_puts_the_best_on_top():
    import pandas as pd

    table = pd.DataFrame({"unit_name": ["甲", "乙", "丙"], "rank": [1, 2, 3], "score": [90.0, 80.0, 50.0],
                          "grade": ["优秀", "良好", "不合格"], "vetoed": [False, False, True]})  # fmt: skip
    fig = charts.ranking_bars(table, ["优秀", "良好", "合格", "不合格"])
    assert list(fig.layout.yaxis.categoryarray) == ["丙 ✖", "乙", "甲"]
    assert {t.marker.color for t in fig.data} == {"#2e7d32", "#1565c0", "#c62828"}
