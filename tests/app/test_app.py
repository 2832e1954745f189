"""The app's wiring, page by page, through Streamlit's AppTest (numbers are proven in the engine tests).

Each test gets its own copy of a store seeded with the demo rounds (2017Q3–2018Q1 published,
2018Q2 in its appeal window with one open appeal).
"""

import io
import itertools
import re
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from helpers import ROOT, filled_template
from scoring.store import open_store
from scoring.store.accounts import OPERATOR, User, add_user, disable_user, set_password
from scoring.store.appeals import appeals_table, decide_appeal
from scoring.store.evidence import cited_files
from scoring.store.publish import all_rounds, revision_digests
from scoring.store.rounds import rounds_table, set_status
from ui import charts
from ui.demo import seed_demo
from ui.menus import MENUS
from ui.tables import change_text, evidence_links, next_period, plain, ranking_style, value_text

APP = str(ROOT / "app.py")
TIMEOUT = 180


PASSWORD = "correct-horse-1"
ACCOUNTS = {
    "admin": ("boss", None),
    "evaluator": ("tester", None),
    "leader": ("mayor", None),
    "unit": ("xiaoxian", "341322"),
}


OP = User("test", OPERATOR)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "assess.db"
    store = open_store(path)
    assert seed_demo(store)
    for role, (name, unit) in ACCOUNTS.items():
        add_user(store, name, role, PASSWORD, OP, unit_id=unit)
    add_user(store, "caizheng", "unit", PASSWORD, OP, unit_id="CZJ")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def db(seeded_db, tmp_path, monkeypatch):
    path = tmp_path / "assess.db"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("ASSESS_DB", str(path))
    return path


def sign_in(name: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def open_page(page: str | None = None, role: str = "evaluator") -> AppTest:
    at = sign_in(ACCOUNTS[role][0])
    assert not at.exception, at.exception
    if page:
        at.switch_page(f"ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


PAGES = [(None, "排名总览"), ("annual", "年度汇总"), ("rectification", "整改跟踪"), ("problems", "共性问题"),
         ("unit", "单位详情"), ("accounts", "账号管理"), ("upload", "导入测评结果"),
         ("appeals", "申诉复核"), ("rounds", "测评轮次"), ("rubric", "指标体系"), ("monitor", "网站监测"),
         ("records", "政务服务记录"), ("agreement", "评分一致性"), ("quality", "指标质量")]  # fmt: skip


TITLES = dict((p or "ranking", t) for p, t in PAGES)


@pytest.mark.parametrize(("role", "page"), [(r, p) for r, pages in MENUS.items() for p in pages])
def test_every_page_renders_for_every_role_that_has_it(db, role, page):
    at = open_page(page, role)
    assert [t.value for t in at.title] == [TITLES[page]]


@pytest.mark.parametrize(("role", "page"), [("leader", "upload"), ("leader", "rounds"), ("unit", "upload"),
                                            ("unit", "rounds"), ("unit", "rectification"), ("unit", "problems"),
                                            ("leader", "accounts"), ("evaluator", "accounts"),
                                            ("admin", "upload")])  # fmt: skip
def test_pages_outside_a_roles_menu_cannot_be_reached(db, role, page):
    at = open_page(None, role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"ui/pages/{page}.py")


def test_without_sign_in_only_the_sign_in_page_exists(db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["登录"]
    assert not at.dataframe
    with pytest.raises(ValueError):
        at.switch_page("ui/pages/ranking.py")


def test_a_wrong_password_is_refused_and_five_lock_the_account(db):
    for _ in range(5):
        at = sign_in("mayor", "wrong-password")
        assert "账号或密码错误" in at.error[0].value
    at = sign_in("mayor")
    assert "账号已锁定" in at.error[0].value
    assert [t.value for t in at.title] == ["登录"]


def test_an_empty_store_without_accounts_says_how_to_begin(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESS_DB", str(tmp_path / "empty.db"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "assess user add" in at.info[0].value


def test_demo_mode_shows_fresh_demo_accounts_and_they_work(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESS_DB", str(tmp_path / "demo.db"))
    monkeypatch.setenv("ASSESS_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    creds = at.table[0].value
    assert set(creds["账号"]) == {"admin", "evaluator", "leader", "lingbi", "xiaoxian", "caizheng"}
    # nothing to misread when copying by eye (issue 29 item 15)
    assert not set("".join(creds["密码"])) & set("lI10Oo-_")
    row = creds[creds["账号"] == "leader"].iloc[0]
    at.text_input[0].input("leader")
    at.text_input[1].input(row["密码"])
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["排名总览"]
    assert "演示模式" in at.sidebar.info[0].value
    # outside demo mode the same store's demo accounts do not open
    monkeypatch.delenv("ASSESS_DEMO")
    from scoring.store.accounts import SignInError, authenticate

    with pytest.raises(SignInError):
        authenticate(open_store(tmp_path / "demo.db"), "leader", row["密码"])


def test_demo_passwords_have_no_look_alike_characters():
    from ui.demo import PASSWORD_LENGTH, demo_password

    drawn = [demo_password() for _ in range(500)]
    assert {len(p) for p in drawn} == {PASSWORD_LENGTH} and len(set(drawn)) == 500
    used = set("".join(drawn))
    assert not used & set("lI10Oo-_")
    assert {"A", "z", "9", "2"} <= used  # letters of both cases and digits all drawn


def test_ranking_page_opens_on_the_latest_published_round(db):
    at = open_page(None, "leader")
    assert at.selectbox(key="rank_period").value == "2018Q1"
    # a leader sees published rounds only
    assert all("已发布" in o for o in at.selectbox(key="rank_period").options)
    assert "正在查看:2018Q1 · 已发布 第 1 版" in [c.value for c in at.caption]


def test_ranking_page_shows_the_county_ranking(db):
    at = open_page()
    at.selectbox(key="rank_period").set_value("2018Q2").run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["排名", "单位", "得分", "等次", "目标管理分", "排名变化", "得分变化", "单项否决"]
    assert list(table["单位"]) == ["灵璧县人民政府", "埇桥区人民政府", "泗县人民政府", "萧县人民政府", "砀山县人民政府"]
    assert list(table["得分"]) == [99.87, 90.97, 86.35, 73.41, 69.64]
    assert list(table["排名变化"]) == ["▲ 1", "▼ 1", "—", "—", "—"]  # 灵璧县 back on top of 埇桥区
    captions = [c.value for c in at.caption]
    assert "正在查看:2018Q2 · 申诉复核(初步结果,未发布)" in captions
    assert any("政务公开权重 4%(按要求不低于 4%)" in c for c in captions)


def test_rubric_page_states_each_tracks_bonus_cap(db):
    at = open_page("rubric", role="leader")
    captions = [c.value for c in at.caption]
    # the shipped rubric: bonus_max 3 for 政务公开, 2 for 政务服务, and no 加分起算线
    assert [c for c in captions if c.startswith("加分上限")] == ["加分上限 3 分", "加分上限 2 分"]
    # next year's rubric starts from this one; the schema beside it is for the office that writes it
    assert [b.proto.label for b in at.get("download_button")] == ["下载指标体系文件(YAML)"]
    admin = open_page("rubric", role="admin")
    assert [b.proto.label for b in admin.get("download_button")] == [
        "下载指标体系文件(YAML)",
        "下载指标体系 JSON Schema",
    ]


def test_rubric_page_says_how_the_rubrics_points_become_scores_out_of_100(db):
    """Issue 29 item 13: 220 and 228 points beside scores out of 100 no longer puzzle a reader."""
    at = open_page("rubric", role="leader")
    captions = [c.value for c in at.caption]
    assert any(c.startswith("政务公开基础分满分 220 分,折算为 100 分制") for c in captions)
    assert any(c.startswith("政务服务基础分满分 228 分,折算为 100 分制") for c in captions)
    titles = [e.label for e in at.expander]
    assert "GK2 重点领域信息公开(128 分,折合百分制 58.2 分;" in "".join(titles)  # 128 / 220 = 58.18%
    assert len(at.get("plotly_chart")) == 2  # one treemap per track


def test_points_treemap_boxes_state_points_and_their_share_of_100():
    from scoring import load_rubric
    from ui.charts import points_treemap

    rubric = load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml")
    tree = points_treemap(rubric, "disclosure").data[0]
    assert tree.type == "treemap" and tree.branchvalues == "total"
    nodes = {
        i: (p, v, tuple(c)) for i, p, v, c in zip(tree.ids, tree.parents, tree.values, tree.customdata, strict=True)
    }
    assert nodes["disclosure"] == ("", 220.0, ("220", 100.0))
    assert nodes["GK2"] == ("disclosure", 128.0, ("128", 58.2))
    dims = [v for p, v, _ in nodes.values() if p == "disclosure"]
    assert sum(dims) == 220.0  # every box is its children's sum ("total"): the picture adds up
    kids = [v for i, (p, v, _) in nodes.items() if p == "GK2"]
    assert sum(kids) == 128.0 and all("/" in i for i, (p, _, _) in nodes.items() if p == "GK2")


def test_ranking_page_marks_a_veto_and_follows_the_selection(db):
    at = open_page()
    at.selectbox(key="rank_period").set_value("2017Q4")
    at.selectbox[2].set_value("department").run()
    table = at.dataframe[0].value
    fgj = table[table["单位"] == "市房管局"].iloc[0]
    assert (fgj["得分"], fgj["等次"], fgj["单项否决"]) == (59.0, "不合格", "✖ 否决")
    assert len(table) == 33


def test_the_circular_draft_is_offered_to_leaders_not_to_units(db):
    def downloads(at):
        return [b.proto.label for b in at.get("download_button")]

    assert {"下载通报草稿(文本)", "下载通报草稿(Word)"} <= set(downloads(open_page(None, "leader")))
    assert not {"下载通报草稿(文本)", "下载通报草稿(Word)"} & set(downloads(open_page("ranking", "unit")))


def test_a_group_with_no_unit_on_a_track_says_so(db):
    # 中央驻宿单位 have no 政务服务 checks; a later round once failed comparing them with the earlier one
    at = open_page(None, "leader")
    at.selectbox[1].set_value("service")
    at.selectbox[2].set_value("central").run()
    assert not at.exception
    assert at.info[0].value == "该期次、轨道、分组没有可排名的单位。"
    assert not at.dataframe


def test_annual_page_averages_the_published_rounds(db):
    at = open_page("annual", "leader")
    # the latest calendar year's published rounds by default, said (issue 29); 2018Q2 is unpublished
    assert at.multiselect(key="annual_periods").value == ["2018Q1"]
    assert "本汇总为 2018 年度,计入 1 期:2018Q1。" in [c.value for c in at.caption]
    assert at.multiselect(key="annual_periods").options == ["2017Q3", "2017Q4", "2018Q1"]
    at.multiselect(key="annual_periods").set_value(["2017Q3", "2017Q4", "2018Q1"]).run()
    assert "所选期次跨越 2017、2018 多个年度" in at.warning[0].value
    year = at.dataframe[0].value.set_index("单位")
    rounds = year[["2017Q3", "2017Q4", "2018Q1"]]
    # the annual score is the mean of the round scores shown beside it, to the cent
    expected = (rounds.sum(axis=1) / 3 * 100 + 0.5 + 1e-9).apply(int) / 100
    assert (year["得分"] - expected).abs().max() < 1e-9
    assert year["排名"].tolist() == sorted(year["排名"].tolist())
    assert set(year["参评期数"]) == {3}
    # what the year adds to the target-management assessment: both tracks' points and their sum
    totals = at.dataframe[1].value.set_index("单位")
    assert (totals["政务公开目标管理分"] == year.loc[totals.index, "目标管理分"]).all()
    both = totals["政务公开目标管理分"] + totals["政务服务目标管理分"]
    assert ((totals["合计目标管理分"] - both).abs() < 1e-9).all()
    assert totals["合计目标管理分"].is_monotonic_decreasing
    at.multiselect(key="annual_periods").set_value(["2018Q1"]).run()
    one = at.dataframe[0].value.set_index("单位")
    assert (one["得分"] == one["2018Q1"]).all()


def test_a_unit_sees_the_year_of_its_own_group_only(db):
    labels = [b.proto.label for b in open_page("annual", "leader").get("download_button")]
    assert "下载年度汇总工作簿(Excel)" in labels
    at = open_page("annual", "unit")
    assert "下载年度汇总工作簿(Excel)" not in [b.proto.label for b in at.get("download_button")]
    assert at.selectbox(key="annual_group").options == ["县区政府"]
    assert "萧县人民政府" in set(at.dataframe[0].value["单位"])


def test_rectification_page_compares_a_round_with_the_one_before(db):
    at = open_page("rectification", "leader")
    # the first round has nothing to compare with, and leaders see published rounds only
    assert at.selectbox(key="rectify_period").options == ["2018Q1 · 已发布 第 1 版", "2017Q4 · 已发布 第 1 版"]
    assert "2017Q4" in at.caption[0].value and "2018Q1" in at.caption[0].value
    summary = at.dataframe[0].value
    assert len(summary) == 5  # the five counties
    parts = summary[["已整改", "部分整改", "未整改", "本期未测"]].sum(axis=1)
    assert (summary["上期失分点"] == parts).all()
    assert summary["未整改"].is_monotonic_decreasing
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["上期失分点"]) == summary["上期失分点"].sum()
    # one unit's detail lists exactly the items its row counts
    first = summary.iloc[0]
    detail = at.dataframe[1].value
    counts = detail["整改情况"].value_counts()
    assert [int(counts.get(k, 0)) for k in ["已整改", "未整改", "新增失分"]] == [first["已整改"], first["未整改"],
                                                                            first["新增失分"]]  # fmt: skip
    at.selectbox(key="rectify_track").set_value("service").run()
    service = at.dataframe[0].value
    assert (service["上期失分点"] <= summary.set_index("单位").loc[service["单位"], "上期失分点"].to_numpy()).all()
    assert set(at.dataframe[1].value["轨道"]) <= {"政务服务"}


def test_a_unit_sees_what_it_fixed_since_the_last_round(db):
    at = open_page("unit", "unit")
    at.selectbox(key="unit_period").set_value("2018Q2").run()
    assert "整改情况(对比上一期 2018Q1 · 已发布 第 1 版)" in [h.value for h in at.subheader]
    detail = at.dataframe[1].value
    counts = detail["整改情况"].value_counts()
    line = next(c.value for c in at.caption if c.value.startswith("上期失分点"))
    assert f"已整改 {counts.get('已整改', 0)}," in line and f"未整改 {counts.get('未整改', 0)}," in line
    assert f"新增失分 {counts.get('新增失分', 0)} 个" in line
    at.selectbox(key="unit_period").set_value("2017Q3").run()
    assert not [h for h in at.subheader if h.value.startswith("整改情况")]  # the first round


def test_common_problems_page_lists_the_widest_losses_and_who_lost(db):
    at = open_page("problems", "leader")
    assert at.selectbox(key="problems_period").options[0] == "2018Q1 · 已发布 第 1 版"
    table = at.dataframe[0].value
    assert table["失分单位"].is_monotonic_decreasing
    assert (table["失分单位"] <= table["已测评单位"]).all()
    # all groups: 50 units, more than any one group
    assert table["已测评单位"].max() > 33
    at.selectbox(key="problems_group").set_value("county").run()
    table = at.dataframe[0].value
    assert table["已测评单位"].max() <= 5
    # the drill-down lists exactly the units the table counts for the chosen check
    first = table.iloc[0]
    at.selectbox(key="problems_check").set_value(table.columns[0] and first.iloc[0]).run()
    who = at.dataframe[1].value
    assert len(who) == first["失分单位"]
    assert who["失分"].is_monotonic_decreasing
    assert set(who["单位"]) <= {"埇桥区人民政府", "砀山县人民政府", "萧县人民政府", "灵璧县人民政府", "泗县人民政府"}


def test_first_round_has_no_change_to_show(db):
    at = open_page()
    at.selectbox(key="rank_period").set_value("2017Q3").run()
    assert set(at.dataframe[0].value["排名变化"]) == {"首期"}


def test_unit_selection_changes_the_drill_down(db):
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


def test_unit_page_lists_the_units_appeals(db):
    at = open_page("unit", "unit")
    assert at.selectbox(key="unit_id").options == ["萧县人民政府(341322)"]
    at.selectbox(key="unit_period").set_value("2018Q2").run()
    appeals = next(d.value for d in at.dataframe if "申诉理由" in d.value.columns)
    # the outcome beside the case, before the long texts: read without scrolling sideways (issue 29)
    assert list(appeals.columns) == ["编号", "单位", "测评点", "复核结论", "更正结果", "复核理由", "申诉理由", "证明材料",
                                     "申诉人", "申诉时间", "复核人", "复核时间"]  # fmt: skip
    # names, not codes (issue 17): the unit by name, the check with its name, the filer as who they are
    assert list(appeals["测评点"].str.split(" ").str[0]) == ["GK3.2.1"]
    assert appeals["测评点"].iloc[0] != "GK3.2.1 "
    assert list(appeals["单位"]) == ["萧县人民政府"]
    assert list(appeals["复核结论"]) == ["待复核"]
    assert list(appeals["申诉人"]) == ["萧县人民政府"]
    assert list(appeals["复核人"]) == [""] and list(appeals["更正结果"]) == [""]
    assert appeals["申诉时间"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()  # Beijing time, not ISO UTC


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, mime))
    at.button[0].click()
    return at.run()


def test_a_unit_sees_only_its_own_drill_down_and_group(db):
    at = open_page("unit", "unit")
    at.query_params["unit"] = "FGJ"  # another unit's drill-down by query parameter
    at.run()
    assert "无权查看" in at.error[0].value
    assert not at.dataframe
    at = open_page("ranking", "unit")
    assert at.selectbox[2].options == ["县区政府"]
    assert all("已发布" in o for o in at.selectbox(key="rank_period").options)
    table = at.dataframe[0].value
    assert len(table) == 5


def test_a_unit_opens_the_screenshots_behind_its_lost_points(db):
    at = open_page("unit", "unit")
    at.selectbox(key="unit_period").set_value("2018Q2").run()
    lost = at.dataframe[0].value
    cited = {n for cell in lost["佐证"] for n in re.findall(r"截图 (\S+\.png)", cell)}
    assert cited, "the demo round cites screenshots for 萧县's lost points"
    files = at.expander[0]
    assert files.label == f"佐证文件({len(cited)} 个)"
    assert len(files.get("image")) == len(cited)
    assert not files.get("download_button")  # real PNGs: every one shown, none only offered


def test_the_evaluator_deciding_an_appeal_sees_its_screenshots(db):
    at = open_page("appeals", "evaluator")
    at.selectbox(key="appeal_period").set_value("2018Q2").run()
    assert at.expander[0].label == "佐证文件(1 个)"  # 2018Q2-341322-GK3.2.1-01.png, the screenshot the finding cites


def test_an_appeal_carries_its_proof_files_to_the_evaluator(db):
    at = open_page("appeals", "unit")
    at.selectbox[1].select_index(0)
    at.text_area[0].set_value("该栏目已按时更新")
    # not a real PNG: the evaluator's page must still open, offering it as a download
    at.file_uploader(key="appeal_files").set_value(("更新记录.png", b"not really a png", "image/png"))
    at.button[0].click().run()
    assert "已登记申诉" in at.success[0].value
    aid = int(re.search(r"申诉 (\d+)", at.success[0].value).group(1))
    store = open_store(db)
    appeal = appeals_table(store, "2018Q2").set_index("id").loc[aid]
    assert appeal["proof"].endswith("申诉2018Q2-341322-" + appeal["check_id"] + "-更新记录.png")
    ev = open_page("appeals", "evaluator")
    ev.selectbox(key="appeal_period").set_value("2018Q2").run()
    ev.selectbox(key="decide_pick").set_value(aid).run()
    assert not ev.exception
    checks = all_rounds(store)[0].scores.checks
    finding = checks[(checks["period"] == "2018Q2") & (checks["unit_id"] == "341322")
                     & (checks["check_id"] == appeal["check_id"])].iloc[0]  # fmt: skip
    cited = cited_files(store, [finding["evidence"], appeal["proof"]])
    assert ev.expander[0].label == f"佐证文件({len(cited)} 个)"


def test_evidence_files_are_uploaded_once_and_never_replaced(db):
    at = open_page("upload", "evaluator")
    at.file_uploader(key="evidence_upload").set_value(("答复函.pdf", b"%PDF-1.4 demo", "application/pdf"))
    next(b for b in at.button if b.label == "保存佐证文件").click()
    at.run()
    assert "已保存 1 个佐证文件" in at.success[0].value
    at.file_uploader(key="evidence_upload").set_value(("答复函.pdf", b"%PDF-1.4 other", "application/pdf"))
    next(b for b in at.button if b.label == "保存佐证文件").click()
    at.run()
    assert "所有文件均未保存" in at.error[0].value
    assert "已存有同名佐证文件 答复函.pdf" in at.error[0].value


def test_a_unit_files_an_appeal_for_itself_only(db):
    at = open_page("appeals", "unit")
    assert not [b for b in at.button if b.label == "提交复核结论"]  # no deciding for units
    at.selectbox[1].select_index(0)
    at.text_area[0].set_value("该栏目已按时更新,见截图")
    at.button[0].click().run()
    assert "已登记申诉" in at.success[0].value
    appeals = at.dataframe[0].value
    assert set(appeals["单位"]) == {"萧县人民政府"}
    # another unit never sees 萧县's appeals
    other = sign_in("caizheng")
    other.switch_page("ui/pages/appeals.py").run()
    assert not other.dataframe or "萧县人民政府" not in set(other.dataframe[0].value["单位"])


def test_bad_upload_shows_located_errors_and_stores_nothing(db):
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
    assert issues["行"].tolist() == [2, 3]  # in file order, as a person fixes them
    assert issues["工作表"].tolist() == ["", ""]  # a CSV has no sheet
    message = at.error[0].value
    assert "未计分" in message
    assert message.index("第 2 行") < message.index("第 3 行")
    assert list(rounds_table(open_store(db))["period"]) == ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]


def test_good_upload_is_stored_as_a_draft_round_and_previewed(db):
    at = open_page("upload")
    data = (ROOT / "sample_data" / "results" / "2018Q2.csv").read_bytes().replace(b"2018Q2", b"2018Q3")
    _upload(at, "2018Q3.csv", data, "text/csv")
    assert not at.exception
    assert "已导入 1 个文件" in at.success[0].value
    assert set(at.dataframe[0].value["期次"]) == {"2018Q3"}
    assert not at.warning  # every loss in the demo rounds has its evidence
    rounds = rounds_table(open_store(db)).set_index("period")
    assert rounds.loc["2018Q3", "status"] == "draft"
    at.switch_page("ui/pages/ranking.py").run()
    assert "2018Q3 · 草稿(初步结果,未发布)" in at.selectbox(key="rank_period").options
    # the same file again is refused, naming the earlier batch
    at.switch_page("ui/pages/upload.py").run()
    _upload(at, "again.csv", data, "text/csv")
    assert "同一文件不能重复导入" in at.error[0].value


def test_losses_without_evidence_are_pointed_out_before_publication(db):
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
    frame = frame.assign(period="2018Q3", evidence="")  # a round recorded without any evidence
    at = _upload(open_page("upload"), "2018Q3.csv", frame.to_csv(index=False).encode(), "text/csv")
    assert "已导入 1 个文件" in at.success[0].value
    checks = all_rounds(open_store(db))[0].scores.checks
    now = checks[(checks["period"] == "2018Q3") & (checks["status"] == "scored")]
    losses = int(((now["lost"] > 1e-9) | now["violated"]).sum())
    assert losses > 0
    assert f"有 {losses} 个失分点" in at.warning[0].value
    assert len(at.dataframe[1].value) == losses
    # the office sees the same before it publishes
    rounds = open_page("rounds", "admin")
    rounds.selectbox(key="round_period").set_value("2018Q3").run()
    assert f"有 {losses} 个失分点" in rounds.warning[0].value


def test_the_office_sees_missing_results_before_publishing(db):
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
    part = frame.assign(period="2018Q3").iloc[: len(frame) // 2]  # the evaluator's first half
    _upload(open_page("upload"), "2018Q3-part.csv", part.to_csv(index=False).encode(), "text/csv")
    at = open_page("rounds", "admin")
    at.selectbox(key="round_period").set_value("2018Q3").run()
    checks = all_rounds(open_store(db))[0].scores.checks
    gaps = checks[(checks["period"] == "2018Q3") & (checks["status"] == "missing")]
    assert len(gaps) > 0
    assert f"{gaps['unit_id'].nunique()} 个单位还缺少 {len(gaps)} 条测评结果" in at.warning[0].value
    table = at.dataframe[1].value
    assert table["缺少条数"].sum() == len(gaps) and table["缺少条数"].is_monotonic_decreasing


def test_appeal_is_decided_with_a_correction_that_rescores_the_round(db):
    at = open_page("appeals", "evaluator")
    assert at.selectbox(key="appeal_period").value == "2018Q2"
    # the evaluator sees what is appealed: the rule, the finding as recorded, the unit's case
    panel = next(m.value for m in at.markdown if "申诉理由" in m.value)
    assert "评分标准:" in panel and "测评结果:" in panel and "佐证:" in panel
    assert "申诉理由:测评所指“通知公告”栏目已于测评前更新" in panel
    at.radio[0].set_value("corrected")
    at.text_input[0].set_value("0")  # the evaluator confirms no stale column was found
    at.text_area[0].set_value("复核截图确认栏目已更新")
    at.button[-2].click()
    at.run()
    assert not at.exception
    assert "申诉 1 已复核" in at.success[0].value
    assert "没有待复核的申诉" in at.info[0].value  # the decided appeal has left the open ones
    decided = appeals_table(open_store(db), "2018Q2").iloc[0]
    assert (decided["outcome"], decided["new_value"]) == ("corrected", "0")
    at.switch_page("ui/pages/unit.py").run()
    at.selectbox(key="unit_id").set_value("341322")
    at.selectbox(key="unit_period").set_value("2018Q2").run()
    lost = at.dataframe[0].value
    assert "网站信息公开栏目规范和更新" not in set(lost["测评点"])


def test_rounds_page_publishes_and_verifies(db):
    at = open_page("rounds", "admin")
    assert at.selectbox(key="round_period").value == "2018Q2"
    assert at.radio(key="round_choice").value == "feedback"  # never the irreversible step preselected
    at.radio(key="round_choice").set_value("publish")
    at.button[-3].click().run()
    assert "请先勾选上方的确认框" in at.error[0].value  # publishing asks for confirmation
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q2", "status"] == "appeal"
    at.radio(key="round_choice").set_value("publish")
    at.checkbox(key="round_sure").check()
    at.button[-3].click().run()
    assert "还有 1 个申诉未复核(编号 1)" in at.error[0].value  # the demo round's appeal is still open
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q2", "status"] == "appeal"
    decide_appeal(open_store(db), 1, "upheld", "复核维持", User("tester", "evaluator"))  # an account of the store
    at.radio(key="round_choice").set_value("publish")
    at.checkbox(key="round_sure").check()
    at.button[-3].click().run()
    assert not at.exception
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q2", "status"] == "published"
    digest = revision_digests(open_store(db), "2018Q2")["digest"].iloc[-1]
    # said after the page redrew, not lost in it; with the digest to keep outside the store
    assert at.success[0].value.startswith(f"期次 2018Q2 已发布第 1 版。发布摘要(sha256):{digest}")
    assert digest in at.dataframe[0].value.set_index("期次").loc["2018Q2", "发布摘要(sha256)"]
    at.button[-2].click().run()
    assert "核验通过:4 个已发布版本" in at.success[0].value
    # the audit log in Chinese and Beijing time, never ISO UTC
    log = at.dataframe[-1].value
    assert "发布" in set(log["操作"]) and "开启期次" in set(log["操作"])
    assert log["时间(北京时间)"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d").all()


def _new_account(at: AppTest, name: str, role: str, unit: str | None, password: str) -> AppTest:
    at.text_input(key="new_name").set_value(name)
    at.selectbox(key="new_role").set_value(role)
    at.selectbox(key="new_unit").set_value(unit)
    at.text_input(key="new_password").set_value(password)
    at.text_input(key="new_password_again").set_value(password)
    next(b for b in at.button if b.label == "新建账号").click()
    return at.run()


def _change_account(at: AppTest, name: str, action: str) -> AppTest:
    at.selectbox(key="change_name").set_value(name)
    at.radio(key="change_action").set_value(action)
    next(b for b in at.button if b.label == "确定").click()
    return at.run()


def test_the_office_manages_accounts_in_the_app(db):
    at = open_page("accounts", "admin")
    listed = at.dataframe[0].value
    assert {"boss", "tester", "mayor", "xiaoxian"} <= set(listed["账号"])
    # a unit account bound to 灵璧县, with the password typed twice
    _new_account(at, "lingbi2", "unit", "341323", "correct-horse-9")
    assert at.success[0].value == "已创建账号 lingbi2。"
    row = at.dataframe[0].value.set_index("账号").loc["lingbi2"]
    assert (row["角色"], row["单位"], row["状态"]) == ("被考核单位", "灵璧县人民政府", "正常")  # by name (issue 29)
    assert sign_in("lingbi2", "correct-horse-9").selectbox(key="unit_id").options == ["灵璧县人民政府(341323)"]
    # every problem of a bad account at once, and nothing created
    _new_account(at, "mayor", "unit", None, "short")
    problems = at.error[0].value
    assert "须指定单位编码" in problems and "密码至少 8 位" in problems and "账号 mayor 已存在" in problems
    # disable an account; the office's own cannot be
    _change_account(at, "mayor", "disable")
    assert at.success[0].value == "已停用账号 mayor。"
    assert at.dataframe[0].value.set_index("账号").loc["mayor", "状态"] == "停用"
    _change_account(at, "boss", "disable")
    assert "不能停用自己" in at.error[0].value


def test_template_download_is_a_workbook_for_the_next_round(db):
    at = open_page("upload")
    assert at.selectbox(key="template_period").value == "2018Q3"  # the period the office opened last
    from ui import data

    wb = openpyxl.load_workbook(io.BytesIO(data.template_bytes("2018Q3")))
    ws = wb["测评结果"]
    assert ws["A2"].value == "2018Q3"
    result = data.assessment()
    assert ws.max_row - 1 == len(result.rubric.applicability(result.roster))


@pytest.mark.parametrize(
    ("latest", "expected"), [("2017Q3", "2017Q4"), ("2017Q4", "2018Q1"), ("2018年上半年", "2018年上半年")]
)
def test_next_period(latest, expected):
    assert next_period([latest]) == expected


def test_user_text_in_markdown_is_shown_as_typed():
    evil = "![x](http://evil.example/i.png) **急** <b>1.5</b> $x$\n第二行"
    escaped = plain(evil)
    assert escaped.replace("\\", "").replace("  \n", "\n") == evil  # every character kept
    assert "![" not in escaped and "**" not in escaped and "<b>" not in escaped
    assert plain(None) == ""


def test_display_helpers():
    assert list(change_text(pd.Series([3, -2, 0, None]), True)) == ["▲ 3", "▼ 2", "—", ""]
    assert list(evidence_links(pd.Series(["截图 a.png | http://x.gov.cn/a", "文号"]))) == [
        "http://x.gov.cn/a",
        "",
    ]  # blank, never "None"
    got = value_text(
        pd.Series(["binary", "binary", "ratio", "deduct", "veto", "levels", "ratio"]),
        pd.Series(["1", "0", "0.845", "3", "1", "良", "NA"]),
        pd.Series(["scored"] * 6 + ["na"]),
    )
    assert list(got) == ["通过", "未通过", "84.5%", "3 条", "发生", "良", "不涉及"]


def test_ranking_chart_puts_the_best_on_top():
    table = pd.DataFrame({"unit_name": ["甲", "乙", "丙"], "rank": [1, 2, 3], "score": [90.0, 80.0, 50.0],
                          "grade": ["优秀", "良好", "不合格"], "vetoed": [False, False, True]})  # fmt: skip
    fig = charts.ranking_bars(table, ["优秀", "良好", "合格", "不合格"])
    assert list(fig.layout.yaxis.categoryarray) == ["丙 ✖", "乙", "甲"]
    assert {t.marker.color for t in fig.data} == {"#2e7d32", "#1565c0", "#c62828"}


def test_rectification_chart_stacks_earlier_losses_then_new_ones_worst_unit_on_top():
    summary = pd.DataFrame({"unit_name": ["甲", "乙"], "not_rectified": [3, 0], "partly": [1, 0], "rectified": [2, 4],
                            "unchecked": [0, 1], "new": [5, 0]})  # fmt: skip
    fig = charts.rectification_bars(summary)
    assert [t.name for t in fig.data] == ["未整改", "部分整改", "已整改", "本期未测", "新增失分"]
    # plotly draws the first category at the bottom: the summary's first (worst) unit goes last
    assert list(fig.data[0].y) == ["乙", "甲"]
    assert list(fig.data[0].x) == [0, 3] and list(fig.data[-1].x) == [0, 5]


ROUNDS = ["2018Q2", "2018Q1", "2017Q4", "2017Q3"]
TRACKS, GROUPS = ["disclosure", "service"], ["county", "park", "department", "central"]
ALL_UNITS = pd.read_csv(ROOT / "sample_data" / "units.csv", dtype=str)["unit_id"].tolist()
FILTERS = {
    # page, role: every selectbox (key, or position when it has none) with every value a person can pick
    ("ranking", "evaluator"): [("rank_period", ROUNDS), (1, TRACKS), (2, GROUPS)],
    ("ranking", "leader"): [("rank_period", ROUNDS[1:]), (1, TRACKS), (2, GROUPS)],
    ("rectification", "evaluator"): [
        ("rectify_period", ROUNDS[:3]),
        ("rectify_track", ["", *TRACKS]),
        ("rectify_group", GROUPS),
    ],
    ("problems", "leader"): [
        ("problems_period", ROUNDS[1:]),
        ("problems_track", TRACKS),
        ("problems_group", ["", *GROUPS]),
    ],
    ("annual", "evaluator"): [("annual_track", TRACKS), ("annual_group", GROUPS)],
    ("unit", "evaluator"): [("unit_period", ["2018Q2", "2017Q3"]), ("unit_id", ALL_UNITS)],
    ("unit", "unit"): [("unit_period", ROUNDS)],
    ("appeals", "evaluator"): [("appeal_period", ROUNDS)],
    ("appeals", "unit"): [("appeal_period", ROUNDS)],
    ("rounds", "admin"): [("round_period", ROUNDS)],
}


@pytest.mark.parametrize(("page", "role"), list(FILTERS))
def test_every_choice_of_every_filter_renders(db, page, role):
    # a group with no unit on a track (中央驻宿单位 on 政务服务) once crashed the ranking page
    at = open_page(page, role)
    title = at.title[0].value
    failed = []
    for combo in itertools.product(*[values for _, values in FILTERS[page, role]]):
        for (key, _), value in zip(FILTERS[page, role], combo, strict=True):
            (at.selectbox(key=key) if isinstance(key, str) else at.selectbox[key]).set_value(value)
        at.run()
        if at.exception or [t.value for t in at.title] != [title]:
            failed.append((combo, at.exception[0].message if at.exception else [t.value for t in at.title]))
            at = open_page(page, role)
    assert not failed


def test_rank_history_puts_units_in_the_chosen_order_and_rounds_in_time_order():
    history = pd.DataFrame({"period": ["2017Q3", "2017Q3", "2017Q4", "2017Q4"], "unit_name": ["甲", "乙", "乙", "甲"],
                            "score": [90.0, 80.0, 85.0, 70.0], "rank": [1, 2, 1, 2]})  # fmt: skip
    fig = charts.rank_history(history, ["乙", "甲"])
    heat = fig.data[0]
    assert list(heat.x) == ["2017Q3", "2017Q4"] and list(heat.y) == ["乙", "甲"]
    assert heat.z.tolist() == [[80.0, 85.0], [90.0, 70.0]]
    assert heat.text.tolist() == [["2", "1"], ["1", "2"]]


def test_ranking_page_shows_the_group_over_the_rounds_a_reader_may_see(db):
    import json

    def heatmap(at):
        charts_ = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return next(c["data"][0] for c in charts_ if c["data"][0]["type"] == "heatmap")

    at = open_page(None, "leader")
    assert "历次得分与排名" in [h.value for h in at.subheader]
    # a leader's history holds the published rounds only, the units in this round's ranking order
    heat = heatmap(at)
    assert heat["x"] == ["2017Q3", "2017Q4", "2018Q1"]
    assert heat["y"] == list(at.dataframe[0].value["单位"])
    assert [row[-1] for row in heat["text"]] == [str(r) for r in at.dataframe[0].value["排名"]]
    at = open_page(None, "evaluator")
    assert heatmap(at)["x"] == ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("evaluator", False), ("leader", False), ("unit", False)])
def test_the_store_path_is_shown_to_the_office_only(db, role, shown):
    at = open_page(None, role)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert (str(db) in captions) == shown


def test_the_preview_of_a_partial_round_ranks_only_the_tested_units(db):
    """Issue 17: units without any result yet are 未测 and unranked, never 0 分 / 不合格 at the bottom;
    the outcome is said once; a veto is a mark, not a checkbox."""
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
    units = sorted(frame["unit_id"].unique())
    part = frame[frame["unit_id"].isin(units[:3])].assign(period="2018Q3")  # three units recorded so far
    at = _upload(open_page("upload"), "2018Q3-part.csv", part.to_csv(index=False).encode(), "text/csv")
    assert not at.exception
    assert len(at.success) == 1 and "已导入 1 个文件" in at.success[0].value
    table = at.dataframe[0].value
    tested = table[table["等次"] != "未测"]
    assert set(tested["单位"]) <= set(pd.read_csv(ROOT / "sample_data" / "units.csv", dtype=str)
                                          .set_index("unit_id").loc[units[:3], "name"])  # fmt: skip
    assert len(tested) > 0 and (tested["排名"] != "").all()
    assert tested.groupby(["轨道", "分组"])["排名"].apply(lambda r: "1" in set(r)).all()
    untested = table[table["等次"] == "未测"]
    assert len(untested) > 0 and (untested["排名"] == "").all() and (untested["得分"] == "").all()
    assert set(table["单项否决"]) <= {"", "✖ 否决"}
    assert untested["已录结果"].str.startswith("0 / ").all()


# what must never reach an official's screen: Python's missing values, ISO UTC timestamps
_LEAKS = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00")


# English words an official may meet: file formats, the digest's name, the demo's evaluator
# account names (as typed by the office); anything else is an untranslated word
# (codes such as GGZY are upper case and not words); paths, URLs and file names are not words either
_WORDS = re.compile(r"(?<![A-Za-z0-9_.-])(?=[A-Za-z]*[a-z])[A-Za-z]{3,}(?![A-Za-z0-9_-])")
_URLS = re.compile(r"(https?://|www\.)\S+|\S+@\S+|\S*/\S*|\S+\.(?:csv|xlsx|yaml|json|docx|txt|png|jpg|pdf)\b")
_ALLOWED_WORDS = {
    "Excel",
    "Word",
    "sha",
    "boss",
    "tester",
    "mayor",
    "xiaoxian",
    "caizheng",
    "test",
    "monitor",  # the monitor rows' evaluator, as SPEC extension 4 names it
    "records",  # the records rows' evaluator, as SPEC extension 6 names it
    "Parquet",  # a file format the records page accepts
    "Krippendorff",  # a statistic's name
    "Cronbach",  # a statistic's name (指标质量, issue 33)
}


def _texts(at: AppTest) -> list[str]:
    """Every text a page shows: headings, captions, alerts, metrics, choices and table cells."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        out += [str(e.value) for e in getattr(at, kind) if "<style" not in str(e.value)]  # the print CSS is not shown
    out += [f"{m.label} {m.value}" for m in at.metric]
    for box in at.selectbox:
        out += [str(o) for o in box.options]  # as drawn: AppTest holds the formatted choices
    for frame in at.dataframe:
        cells = frame.value.astype(object)
        text = cells.where(cells.notna(), "")  # blank cells are drawn blank (placeholder="")
        out += [str(v) for v in text.to_numpy().ravel()] + [str(c) for c in frame.value.columns]
    return out


@pytest.mark.parametrize(("role", "page"), [(r, p) for r, pages in MENUS.items() for p in pages])
def test_no_page_shows_none_nan_or_utc_to_any_role(db, role, page):
    """Issue 17: a scan of every page as every role."""
    at = open_page(page, role)
    texts = _texts(at)
    leaks = sorted({t for t in texts if _LEAKS.search(t)})
    assert leaks == []
    english = sorted({w for t in texts for w in _WORDS.findall(_URLS.sub("", t))} - _ALLOWED_WORDS)
    assert english == []


def test_a_unit_sees_no_group_comparison_before_publication(db):
    """Issue 17: before publication the unit's page never shows 组内平均 = 组内最高 = 本单位."""
    at = open_page("unit", "unit")
    at.selectbox(key="unit_period").set_value("2018Q2").run()  # in the appeal window
    assert any("组内平均和组内最高在发布后显示" in c.value for c in at.caption)
    at.selectbox(key="unit_period").set_value("2018Q1").run()  # published
    assert not any("组内平均和组内最高在发布后显示" in c.value for c in at.caption)


def test_the_office_publishes_a_round_with_gaps_only_when_it_says_so(db):
    """Issue 17: the units still lacking results in one table of names (downloadable), and what
    --allow-missing does offered on the page: refused in one line without it, published with it."""
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
    part = frame.assign(period="2018Q3").iloc[: len(frame) // 2]
    _upload(open_page("upload"), "2018Q3-part.csv", part.to_csv(index=False).encode(), "text/csv")
    store, office = open_store(db), User("boss", "admin")
    set_status(store, "2018Q3", "feedback", office)
    set_status(store, "2018Q3", "appeal", office)
    at = open_page("rounds", "admin")
    at.selectbox(key="round_period").set_value("2018Q3").run()
    gaps = at.dataframe[1].value
    assert list(gaps.columns) == ["单位", "缺少条数", "缺少结果的测评点"]
    assert not gaps["单位"].str.fullmatch(r"[0-9A-Z]+").any()  # names, not codes
    at.radio(key="round_choice").set_value("publish")
    at.checkbox(key="round_sure").check()
    at.button[-3].click().run()
    assert len(at.error) == 1 and f"{len(gaps)} 个单位还缺少测评结果(见上表),未发布" in at.error[0].value
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q3", "status"] == "appeal"
    at.radio(key="round_choice").set_value("publish")
    at.checkbox(key="round_sure").check()
    at.checkbox(key="round_allow_missing").check()
    at.button[-3].click().run()
    assert not at.exception and not at.error
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q3", "status"] == "published"


def test_leaders_see_every_group_at_a_glance_and_a_unit_its_own_row_marked(db):
    """Issue 17: all groups on one overview; ▲ green, ▼ red; the signed-in unit's row shaded."""
    at = open_page(None, "leader")
    assert any(e.label.startswith("各组概览") for e in at.expander)
    overview = next(d.value for d in at.dataframe if "第一名" in d.value.columns)
    assert list(overview["分组"]) == ["县区政府", "园区管委会", "市直部门", "中央驻宿单位"][: len(overview)]
    assert set(overview.columns) >= {"参评单位", "平均分", "第一名", "末位"}
    table = pd.DataFrame({"单位": ["甲县", "萧县人民政府"], "排名变化": ["▲ 1", "▼ 1"]})
    html = ranking_style(table, "萧县人民政府").to_html()
    assert "#2e7d32" in html and "#c62828" in html and html.count("#fff3e0") == 2  # both cells of 萧县's row


def test_the_audit_log_reads_in_chinese():
    """Issue 17: the stored details stay as written (insert-only); the page says them in Chinese."""
    from ui.tables import audit_actions, audit_details

    roster = pd.DataFrame({"unit_id": ["CZJ"], "name": ["市财政局"]})
    details = pd.Series(["role unit, unit CZJ", "role evaluator", "appeal 3: 栏目已更新", "10044 bytes, sha256 ab",
                         "batch 2, 540 rows, sha256 cd", "revision 2;摘要 ef", "rubric suzhou-2017 1.2",
                         "feedback -> appeal;理由:补测", "demo rounds 2017Q3–2018Q2 loaded", "", None, "手写说明"])  # fmt: skip
    assert list(audit_details(details, roster, {"suzhou-2017": "2017年度考核"})) == [
        "角色:被考核单位;单位:市财政局", "角色:第三方评估机构", "申诉 3:栏目已更新", "10044 字节,sha256 ab",
        "第 2 批,540 行,sha256 cd", "第 2 版;摘要 ef", "指标体系 2017年度考核,版本 1.2", "反馈 → 申诉复核;理由:补测",
        "载入演示数据 2017Q3–2018Q2", "", "", "手写说明",
    ]  # fmt: skip
    assert list(audit_actions(pd.Series(["denied.round.publish", "sign-in"]))) == ["被拒绝的操作(发布)", "登录"]


def test_the_template_round_trip_in_the_app(db):
    """Issue 17: an evaluator uploads the round's template blank, then part-filled, then complete
    (the same file again), and the office publishes it without --allow-missing."""
    from scoring import build_template, load_rubric, read_roster

    rubric = load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml")
    template = build_template(rubric, read_roster(ROOT / "sample_data" / "units.csv", rubric), "2018Q3")
    total = openpyxl.load_workbook(io.BytesIO(template))["测评结果"].max_row - 1
    at = _upload(open_page("upload"), "模板.xlsx", template, XLSX_TYPE)
    assert f"{total} 行尚未填写结果" in " ".join(e.value for e in at.error)
    at = _upload(open_page("upload"), "模板.xlsx", filled_template(template, 0.4), XLSX_TYPE)
    assert not at.error and len(at.success) == 1
    half = round(total * 0.4)
    assert f"{total - half} 行尚未填写结果" in " ".join(i.value for i in at.info)
    at = _upload(open_page("upload"), "模板.xlsx", filled_template(template, 1.0), XLSX_TYPE)
    assert not at.error and len(at.success) == 1
    assert f"{total - half} 行结果" in at.success[0].value  # only the new rows are added
    assert f"{half} 行与已导入的结果完全相同" in " ".join(i.value for i in at.info)
    store, office = open_store(db), User("boss", "admin")
    assert rounds_table(store).set_index("period").loc["2018Q3", "findings"] == total
    set_status(store, "2018Q3", "feedback", office)
    set_status(store, "2018Q3", "appeal", office)
    at = open_page("rounds", "admin")
    at.selectbox(key="round_period").set_value("2018Q3").run()
    at.radio(key="round_choice").set_value("publish")
    at.checkbox(key="round_sure").check()
    at.button[-3].click().run()
    assert not at.error, [e.value for e in at.error]
    assert rounds_table(open_store(db)).set_index("period").loc["2018Q3", "status"] == "published"


def test_the_office_runs_the_monitor_on_the_demo_sites_and_imports_its_rows(db, monkeypatch):
    """Issue 19: the 网站监测 page runs a real monitor against the demo's loopback websites for the
    open round, shows the rows with names and evidence, stores the probes, and imports the rows as
    a batch of evaluator monitor; the demo seeded one run already."""
    from scoring.store.probes import probes_table

    monkeypatch.setenv("ASSESS_DEMO", "1")
    store = open_store(db)
    seeded = len(probes_table(store, "2018Q3"))
    assert seeded > 0  # the demo's own run
    # its rows are shown as soon as the page opens (kept with the run), before anyone runs it again
    first = open_page("monitor", "evaluator")
    assert any("本期最近一次监测的结果" in c.value for c in first.caption)
    assert len(first.dataframe[0].value) > 0
    office = open_page("monitor", "admin")  # the office may run it; importing is the evaluators' part
    office.button(key="monitor_go").click().run(timeout=120)
    assert not office.error
    assert any("由第三方评估机构的账号导入" in c.value for c in office.caption)
    at = open_page("monitor", "evaluator")
    assert at.selectbox(key="monitor_period").value == "2018Q3"
    at.button(key="monitor_go").click().run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["单位", "测评点", "结果", "佐证(网址、状态、日期)"]
    assert set(rows["测评点"]) == {"网站信息公开栏目规范和更新", "网站无法访问或首页长期不更新"}
    assert not rows["单位"].str.fullmatch(r"[0-9A-Z]+").any()
    evidence = rows["佐证(网址、状态、日期)"]
    assert evidence.str.contains("http://127.0.0.1:").any() and evidence.str.contains("网页存档-").all()
    assert len(probes_table(open_store(db), "2018Q3")) > seeded  # this run's probes are kept too
    at.button(key="monitor_import").click().run(timeout=120)
    assert len(at.success) == 1 and "已导入" in at.success[0].value, [e.value for e in at.error]
    batches = rounds_table(open_store(db)).set_index("period").loc["2018Q3"]
    assert batches["findings"] == len(rows)


RECORDS_SHOWN = ["单位", "测评点", "结果", "符合条件", "统计总数", "扣分记录数", "扣分记录(编号,最需关注的在前)"]


def test_the_records_page_computes_the_demo_exports_and_imports_them_as_a_batch(db, monkeypatch):
    """Issue 28: 政务服务记录 computes the 政务服务 checks of the open round from the bundled exports
    (every file up to 2018Q3, window its quarter by default), shows per unit the value, the counts
    and the overdue cases' ids, keeps the rows with the round, and an evaluator imports them as a
    batch whose rows are evaluator records; the office may compute but not import."""
    from scoring.store.records import latest_records
    from scoring.store.rounds import round_rows

    monkeypatch.setenv("ASSESS_DEMO", "1")
    seeded = latest_records(open_store(db), "2018Q3")
    assert seeded is not None  # the demo's own run, ready to import
    first = open_page("records", "evaluator")
    assert any("本期最近一次计算的结果" in c.value for c in first.caption)
    assert len(first.dataframe[0].value) == len(pd.read_csv(io.BytesIO(seeded[1])))
    office = open_page("records", "admin")
    assert str(office.date_input(key="records_from_2018Q3").value) == "2018-07-01"
    assert str(office.date_input(key="records_to_2018Q3").value) == "2018-09-30"
    office.button(key="records_demo").click().run(timeout=120)
    assert not office.exception and not office.error, [e.value for e in office.error]
    assert any("由第三方评估机构的账号导入" in c.value for c in office.caption)
    at = open_page("records", "evaluator")
    at.button(key="records_demo").click().run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = at.dataframe[0].value
    assert list(shown.columns) == RECORDS_SHOWN
    assert set(shown["测评点"]) == {"本单位事项网上可办", "承诺时限内办结"}
    assert not shown["单位"].str.fullmatch(r"[0-9A-Z]+").any()  # names, not codes
    # 萧县 in 2018Q3: 385 of 411 finished cases on time = 0.936740 (tests/records prove the engine)
    xiao = shown[shown["单位"] == "萧县人民政府"].set_index("测评点")
    on_time = xiao.loc["承诺时限内办结"]
    assert (on_time["结果"], on_time["符合条件"], on_time["统计总数"], on_time["扣分记录数"]) == (
        "93.7%",
        "385",
        "411",
        "26",
    )
    assert on_time["扣分记录(编号,最需关注的在前)"].startswith("BJ2018070310018415、BJ2018071810028240、")
    assert on_time["扣分记录(编号,最需关注的在前)"].endswith(" 等 26 件")
    assert any("已读取办件" in c.value and "结果文件已保存为 办件评价结果_2018Q3_" in c.value for c in at.caption)
    at.button(key="records_import").click().run(timeout=120)
    assert len(at.success) == 1 and "已导入" in at.success[0].value, [e.value for e in at.error]
    _, _, findings = round_rows(open_store(db), "2018Q3")
    assert len(findings) == len(shown) and set(findings["evaluator"]) == {"records"}
    row = findings[(findings["unit_id"] == "341322") & (findings["check_id"] == "FW3.1.4")].iloc[0]
    assert row["value"] == "0.936740" and "逾期:BJ2018070310018415、" in row["evidence"]
    # once the office opens the round for feedback, 萧县 reads under its lost points which cases cost them
    set_status(open_store(db), "2018Q3", "feedback", OP)
    # demo mode gave the demo's own 萧县 account a fresh password: another account of the unit
    add_user(open_store(db), "xiao2", "unit", PASSWORD, OP, unit_id="341322")
    unit = sign_in("xiao2")
    unit.switch_page("ui/pages/unit.py").run()
    assert unit.selectbox(key="unit_period").value == "2018Q3"
    listed = next(m.value for m in unit.markdown if "由办件、评价记录计算的失分点" in m.value)
    assert ("**承诺时限内办结**:办结 411 件,按期办结 385 件;逾期:BJ2018070310018415、BJ2018071810028240、"
            "BJ2018071210024588、BJ2018071810028574、BJ2018090610060056 等 26 件") in listed.replace("\\", "")  # fmt: skip


def test_a_bad_records_file_is_refused_with_every_problem_located(db):
    """Issue 28: an upload whose rows are wrong lists each problem with file, row and column, and
    nothing is computed or kept."""
    from scoring.store.records import latest_records

    before = latest_records(open_store(db), "2018Q3")
    bad = ("办件编号,单位编码,办理渠道,受理时间,办结时间,承诺时限\n"
           "BJ1,341322,网上办理,2018-07-02 09:00,2018-07-01 10:00,5\n"
           "BJ2,341322,信鸽,2018-07-03 09:00,,1.5\n"
           "BJ1,341322,窗口,2018-07-04 09:00,,3\n").encode()  # fmt: skip
    at = open_page("records", "evaluator")
    at.file_uploader(key="records_cases").set_value([("办件.csv", bad, "text/csv")]).run()
    at.button(key="records_go").click().run(timeout=120)
    assert not at.exception
    assert "记录文件中发现" in at.error[0].value and "未计算" in at.error[0].value
    problems = at.dataframe[0].value
    assert set(problems["文件"]) == {"办件.csv"}
    located = set(zip(problems["行"], problems["列"], strict=True))
    assert {(2, "办结时间"), (3, "办理渠道"), (3, "承诺时限"), (4, "办件编号")} <= located, located
    assert latest_records(open_store(db), "2018Q3") == before  # nothing kept


def test_records_that_measure_no_check_of_the_rubric_say_so_and_keep_nothing(db):
    """The shipped rubric measures cases only: ratings alone compute no row, and the page says why."""
    from scoring.store.records import latest_records

    before = latest_records(open_store(db), "2018Q3")
    ratings = "评价编号,单位编码,评价时间,评价等级\nP1,341322,2018-07-02 10:00,非常满意\n".encode()
    at = open_page("records", "evaluator")
    at.file_uploader(key="records_ratings").set_value([("评价.csv", ratings, "text/csv")]).run()
    at.button(key="records_go").click().run(timeout=120)
    assert not at.exception and not at.error
    assert "所给文件不足以计算任何由记录计算的测评点" in at.warning[0].value
    assert latest_records(open_store(db), "2018Q3") == before


def test_the_ranking_shows_how_far_each_rank_can_be_trusted(db):
    """Issue 20: each rank's p05–p95 interval as an error bar; neighbours whose intervals overlap named."""
    import json

    at = open_page(None, "leader")
    assert "排名稳健性" in [h.value for h in at.subheader]
    import base64

    def values(v):  # plotly sends numbers as typed arrays
        return list(np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])) if isinstance(v, dict) else list(v)

    charts_ = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = next(c["data"][0] for c in charts_ if c["data"] and c["data"][0].get("error_x"))
    table = at.dataframe[0].value
    assert values(bars["y"])[::-1] == list(table["单位"])  # best rank on top, as the table
    assert values(bars["x"])[::-1] == list(table["排名"])
    assert min(values(bars["error_x"]["array"]) + values(bars["error_x"]["arrayminus"])) >= 0
    assert any("差异不显著" in c.value or "本组排名在权重变化下稳定" in c.value for c in at.caption)


def test_a_unit_sees_what_to_fix_first_and_can_try_other_results(db):
    """Issue 20: 整改优先级 ordered by the score each fix regains, with the rank after fixing the
    top N; the what-if panel rescoring on the page only (the store is not touched)."""
    at = open_page("unit", "unit")
    at.selectbox(key="unit_period").set_value("2018Q1").run()
    assert "整改优先级" in [h.value for h in at.subheader]
    priorities = next(d.value for d in at.dataframe if "可挽回得分" in d.value.columns)
    for _, rows in priorities.groupby("轨道"):
        assert (rows["可挽回得分"].diff().dropna() <= 1e-9).all()
        assert (rows["整改后得分"].diff().dropna() >= -1e-9).all()  # fixing more never lowers the score
        assert (rows["整改后排名"].diff().dropna() <= 0).all()
    before = rounds_table(open_store(db)).set_index("period")["findings"].to_dict()
    at.button(key="whatif_run").click().run()
    said = [s.value for s in at.success if "→" in s.value]
    assert said and all("得分" in s and "排名" in s for s in said)
    assert rounds_table(open_store(db)).set_index("period")["findings"].to_dict() == before


def test_the_office_compares_a_second_evaluators_sample(db):
    """Issue 20: 评分一致性 — a second evaluator's results for a sample of units, against the round as
    stored: agreement and alpha per check, low alphas flagged; nothing is imported."""
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q1.csv", dtype=str, keep_default_na=False)
    sample = frame[frame["unit_id"].isin(sorted(frame["unit_id"].unique())[:10])].copy()
    flip = sample["value"].isin(["0", "1"]) & (np.arange(len(sample)) % 4 == 0)
    sample.loc[flip, "value"] = sample.loc[flip, "value"].map({"0": "1", "1": "0"})
    before = rounds_table(open_store(db)).set_index("period")["findings"].to_dict()
    at = open_page("agreement", "admin")
    at.selectbox(key="agreement_period").set_value("2018Q1").run()
    at.file_uploader(key="agreement_file").set_value(("second.csv", sample.to_csv(index=False).encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert list(table.columns) == ["测评点", "计分方法", "比较对数", "一致率", "Krippendorff's α", "提示"]
    assert table["测评点"].iloc[0].startswith("GK") and "合计(按方法)" in set(table["测评点"])
    assert (table["一致率"] < 100).any()  # the flipped results disagree
    assert any("比较了 10 个单位" in c.value for c in at.caption)
    assert rounds_table(open_store(db)).set_index("period")["findings"].to_dict() == before


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda s: disable_user(s, "tester", User("boss", "admin")), "您的账号已被考核办停用,已退出登录"),
        (lambda s: set_password(s, "tester", "battery-staple-2", User("boss", "admin")), "您的账号密码已被重置"),
        (lambda s: s.db.execute("UPDATE account SET role = 'leader' WHERE name = 'tester'"), "角色或所属单位已变更"),
    ],
    ids=["disabled", "password-reset", "role-changed"],
)  # fmt: skip
def test_an_open_session_ends_at_its_next_run_once_the_office_changes_the_account(db, change, said):
    at = open_page("appeals", "evaluator")
    assert [t.value for t in at.title] == ["申诉复核"]
    change(open_store(db))
    at.run()  # the evaluator's next click
    assert not at.exception
    assert [t.value for t in at.title] == ["登录"]
    assert said in at.warning[0].value
    ended = open_store(db).db.execute("SELECT actor, action FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(ended) == ("tester", "sign-out.ended")


def test_a_damaged_store_is_said_on_the_page_not_as_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "assess.db"
    path.write_bytes(b"not a database!!" + bytes(4080))
    monkeypatch.setenv("ASSESS_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "测评数据库现在无法使用:存储文件已损坏或不是本程序的存储" in at.error[0].value
    assert not at.text_input  # no sign-in form on a store that cannot be read


_WARM_HARNESS = """
import os, threading, time
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx
from ui import data

path = os.environ["ASSESS_DB"]
# another session seeds the demo store, holding the store's cache while it does
threading.Thread(target=data._store, args=(path, True), daemon=True).start()
time.sleep(0.5)
# the warm-up, carrying this run's context as ui/data.py starts it, waits for that cache ...
warm = threading.Thread(target=data._warm, args=(path,), name="assess-warm-up")
add_script_run_ctx(warm)
warm.start()
st.session_state["warm"] = warm
time.sleep(0.5)
st.stop()  # ... and this run ends (as at st.stop, st.rerun or the server's shutdown)
"""


def test_the_warm_up_ends_quietly_when_the_run_it_came_from_ends(tmp_path, monkeypatch):
    """Issue 29 item 15: the StopException traceback in the server log at shutdown. Streamlit polls
    the stop request of the run a thread's context belongs to while that thread waits for a cache;
    once the run has ended it raises StopException there. The warm-up must end without a traceback."""
    import threading

    monkeypatch.setenv("ASSESS_DB", str(tmp_path / "demo.db"))
    monkeypatch.setenv("ASSESS_DEMO", "1")
    escaped = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_type.__name__))
    at = AppTest.from_string(_WARM_HARNESS, default_timeout=TIMEOUT).run()
    warm = at.session_state["warm"]
    warm.join(timeout=TIMEOUT)
    assert not warm.is_alive()
    assert escaped == []  # was ["StopException"]: "Exception in thread assess-warm-up" in the log


def test_the_demo_store_never_holds_the_planted_id_number_in_full(seeded_db):
    """Issue 31: the demo's 灵璧县 低保 list carries a (fictional) ID number in full; whatever the
    monitor read and kept of it (findings, evidence, archived pages, audit, results rows) shows it
    masked only. Every text and blob cell of every table is scanned."""
    import sqlite3

    from scoring.monitor.demo_site import PLANTED_ID

    with sqlite3.connect(seeded_db) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        seen = 0
        for table in tables:
            for row in raw.execute(f"SELECT * FROM {table}"):
                for cell in row:
                    text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
                    assert PLANTED_ID not in text, table
                    seen += 1
    assert seen > 1000 and "content_run" in tables
