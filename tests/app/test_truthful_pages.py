"""Issue 29, items 1–7: pages that never mislead, through AppTest on copies of the demo store.

The store gets a draft round 2018Q3 with three units' results recorded (the rest missing), and an
appeal whose proof cites a web address; the page scan of test_app is extended over it: no rank,
grade or change for a unit whose results are incomplete, and no escaped address in any link.
"""

import datetime as dt
import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import _format_value_for_widget
from test_app import ACCOUNTS, PASSWORD, _texts, open_page, seeded_db  # noqa: F401 (a fixture)

from helpers import ROOT
from scoring import InputFile
from scoring.store import open_store
from scoring.store.appeals import file_appeal
from scoring.store.publish import load_round
from scoring.store.rounds import import_results, rounds_table, set_status
from scoring.store.users import User
from ui.menus import MENUS

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS_FILE = ROOT / "sample_data" / "units.csv"
NAMES = pd.read_csv(UNITS_FILE, dtype=str).set_index("unit_id")["name"]
Q2 = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
RECORDED = sorted(Q2["unit_id"].unique())[:3]  # the units whose 2018Q3 results are all in
URL = "http://www.ahsz.gov.cn/xxgk/tzgg/index.html"
TESTER = User("tester", "evaluator")


def _partial_round(store) -> None:
    part = Q2[Q2["unit_id"].isin(RECORDED)].assign(period="2018Q3")
    import_results(store, RUBRIC, UNITS_FILE, [InputFile("2018Q3-三个单位.csv", part.to_csv(index=False).encode())],
                   TESTER)  # fmt: skip


@pytest.fixture
def draft_db(seeded_db, tmp_path, monkeypatch):  # noqa: F811
    """The demo store with 2018Q3 a draft holding three units' results, and an appeal citing a URL."""
    path = tmp_path / "assess.db"
    shutil.copy(seeded_db, path)
    store = open_store(path)
    _partial_round(store)
    file_appeal(store, "2018Q2", "341322", "GK1.1.1", f"栏目已更新,见 {URL}", f"页面 {URL}(截图)",
                User("xiaoxian", "unit", "341322"))  # fmt: skip
    store.close()
    monkeypatch.setenv("ASSESS_DB", str(path))
    return path


def _offers(box, value) -> bool:
    """Whether a selectbox offers a value (AppTest holds its choices as drawn)."""
    return _format_value_for_widget(box.format_func, value) in box.options


def _choose(at: AppTest, key: str, value) -> AppTest:
    boxes = [b for b in at.selectbox if b.key == key]
    if boxes and _offers(boxes[0], value):
        boxes[0].set_value(value)
        at.run()
    return at


_RANKED = ("排名", "等次", "排名变化", "得分变化", "得分")


def _incomplete_rows_ranked(at: AppTest) -> list[str]:
    """Cells of a shown table giving a rank, grade, change or score to a unit not recorded in full."""
    out = []
    incomplete = set(NAMES.drop(RECORDED))
    for frame in at.dataframe:
        table = frame.value
        if "单位" not in table.columns:
            continue
        rows = table[table["单位"].isin(incomplete)]
        if "期次" in rows.columns:
            rows = rows[rows["期次"] == "2018Q3"]
        for col in [c for c in _RANKED if c in rows.columns]:
            shown = rows[col].astype(object).where(rows[col].notna(), "").astype(str)
            out += [
                f"{u} {col} {v}" for u, v in zip(rows["单位"], shown, strict=True) if v not in ("", "未测完", "未测")
            ]
    return out


_HREF = re.compile(r"\]\(<?([^)>\s]*)")
_LINK = re.compile(r"\[[^\]]*\]\(<[^>]*>\)")
# an address left to the browser's autolinker with markdown escapes in it: it shows the backslashes
# and links to %5C (issue 29)
_BARE = re.compile(r"(?:https?://|www\\?\.)\S*\\\S*")


def _escaped_links(at: AppTest) -> list[str]:
    """Link targets on the page with a markdown escape left in them (``\\`` shown, ``%5C`` followed)."""
    texts = [str(m.value) for m in at.markdown]
    hrefs = [h for t in texts for h in _HREF.findall(t)]
    bare = [b for t in texts for b in _BARE.findall(_LINK.sub("", t))]
    cells = [str(v) for f in at.dataframe for v in f.value.astype(object).to_numpy().ravel()]
    return bare + [h for h in hrefs + [c for c in cells if c.startswith("http")] if "\\" in h or "%5C" in h.upper()]


PERIOD_KEYS = ("rank_period", "unit_period", "problems_period", "rectify_period", "appeal_period", "round_period")


@pytest.mark.parametrize(("role", "page"), [(r, p) for r, pages in MENUS.items() for p in pages])
def test_no_page_ranks_a_unit_with_results_missing_or_links_through_an_escape(draft_db, role, page):
    """The page scan of issue 17 extended (issue 29): on every page, as every role, with the draft
    round chosen where a page offers it (and an incomplete unit on 单位详情)."""
    at = open_page(page, role)
    for key in PERIOD_KEYS:
        at = _choose(at, key, "2018Q3")
    at = _choose(at, "unit_id", "341323")  # 灵璧县: no 2018Q3 result yet
    assert not at.exception
    # a page showing the draft (one that offers it to this role) shows no incomplete unit ranked
    if any(b.key in PERIOD_KEYS and b.value == "2018Q3" for b in at.selectbox):
        assert _incomplete_rows_ranked(at) == []
    assert _escaped_links(at) == []
    at = _choose(at, "appeal_period", "2018Q2")  # the appeals waiting: the demo's, and one citing a URL
    assert _escaped_links(at) == []
    for aid in (1, 2):  # each as the evaluator deciding it reads it
        picks = [b for b in at.selectbox if b.key == "decide_pick"]
        if picks and _offers(picks[0], aid):
            at.selectbox(key="decide_pick").set_value(aid).run()
            assert _escaped_links(at) == []


def test_a_draft_round_says_how_complete_it_is_and_ranks_only_the_units_recorded_in_full(draft_db):
    store = open_store(draft_db)
    status = load_round(store, "2018Q3", None).scores.checks["status"].astype(str)
    recorded, applicable = int((status == "scored").sum()), int((status != "na").sum())
    assert 0 < recorded < applicable
    at = open_page("ranking", "evaluator")
    at = _choose(at, "rank_period", "2018Q3")
    assert f"已录入 {recorded:,} / {applicable:,} 项" in at.warning[0].value
    table = at.dataframe[0].value.set_index("单位")
    county = [NAMES[u] for u in RECORDED if NAMES[u] in table.index]
    assert county, "the first ranked group holds a recorded unit"
    assert sorted(table.loc[county, "排名"].astype(int)) == list(range(1, len(county) + 1))
    rest = table.drop(index=county)
    assert len(rest) > 0 and (rest["排名"] == "未测完").all() and (rest["等次"] == "未测完").all()
    assert rest["得分"].isna().all() and (rest["排名变化"] == "").all() and (rest["得分变化"] == "").all()
    assert rest["已录结果"].str.fullmatch(r"0 / \d+").all()
    assert (table["排名变化"] == "").all()  # a place among three is no rise from a place among all
    assert at.metric[0].value == str(len(county))  # 参评单位: the recorded ones
    labels = [b.proto.label for b in at.get("download_button")]
    assert not [name for name in labels if "通报" in name or "领导" in name]
    assert any("暂不提供通报" in c.value for c in at.caption)
    # a published round is shown as it was published, circular and all
    at = _choose(at, "rank_period", "2018Q1")
    assert not at.warning and any("通报" in b.proto.label for b in at.get("download_button"))


def test_a_units_page_says_incomplete_instead_of_a_score_and_a_rank(draft_db):
    at = _choose(_choose(open_page("unit", "evaluator"), "unit_id", "341323"), "unit_period", "2018Q3")
    assert [m.label for m in at.metric] == ["政务公开 · 未测完", "政务服务 · 未测完"]
    assert {m.value for m in at.metric} == {"—"}
    assert not [c.value for c in at.caption if "第" in c.value and "名" in c.value]
    assert any("已录入 0 / " in c.value for c in at.caption)


def test_the_monitor_offers_only_rounds_still_taking_results_and_dates_inside_them(draft_db):
    at = open_page("monitor", "evaluator")
    box = at.selectbox(key="monitor_period")
    assert box.options == ["2018Q3"]  # 2017Q3–2018Q1 published, 2018Q2 in its appeal window
    assert at.date_input(key="monitor_as_of_2018Q3").value == min(dt.date.today(), dt.date(2018, 9, 30))


def test_the_appeals_menu_opens_on_the_round_whose_appeals_can_be_decided(draft_db):
    store = open_store(draft_db)
    set_status(store, "2018Q3", "feedback", User("boss", "admin"))
    # a unit appeals in 2018Q3's feedback: waiting, but not to be decided before the appeal window
    file_appeal(store, "2018Q3", "341322", "GK1.1.1", "结果有误", "", User("xiaoxian", "unit", "341322"))
    waiting = rounds_table(store).set_index("period")["open_appeals"]
    assert (waiting["2018Q2"], waiting["2018Q3"]) == (2, 1)
    at = open_page("appeals", "evaluator")
    assert at.selectbox(key="appeal_period").value == "2018Q2"
    picks = at.selectbox(key="decide_pick")
    assert _offers(picks, 1) and _offers(picks, 2)


def test_an_evidence_address_is_shown_as_written_and_linked_as_written(draft_db):
    at = open_page("appeals", "evaluator")
    at.selectbox(key="decide_pick").set_value(2).run()
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert f"](<{URL}>)" in shown  # linked as written
    assert "[http://www\\.ahsz\\.gov\\.cn/xxgk/tzgg/index\\.html](" in shown  # the text escaped for markdown only


def test_the_evaluator_corrects_a_result_in_the_draft_by_uploading_again(draft_db):
    part = Q2[Q2["unit_id"] == RECORDED[0]].assign(period="2018Q3")
    row = part.index[part["value"].isin(["通过", "未通过"])][0]
    part.loc[row, "value"] = {"通过": "未通过", "未通过": "通过"}[part.loc[row, "value"]]
    at = open_page("upload", "evaluator")
    at.file_uploader(key="upload").set_value(("更正.csv", part.to_csv(index=False).encode(), "text/csv"))
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("1 项结果已按此文件更正" in i.value for i in at.info)


def test_a_mismatched_password_keeps_the_account_being_made(draft_db):
    at = open_page("accounts", "admin")
    table = at.dataframe[0].value.set_index("账号")
    assert table.loc["xiaoxian", "单位"] == "萧县人民政府" and "单位编码" not in table.columns
    assert at.radio(key="change_action").value is None  # nothing preselected
    at.text_input(key="new_name").set_value("lingbi3")
    at.selectbox(key="new_role").set_value("unit")
    at.selectbox(key="new_unit").set_value("341323")
    at.text_input(key="new_password").set_value("correct-horse-9")
    at.text_input(key="new_password_again").set_value("correct-horse-8")
    next(b for b in at.button if b.label == "新建账号").click()
    at.run()
    assert at.error[0].value == "两次输入的密码不一致。"
    assert at.text_input(key="new_name").value == "lingbi3"
    assert (at.selectbox(key="new_role").value, at.selectbox(key="new_unit").value) == ("unit", "341323")
    assert at.text_input(key="new_password").value == "" and at.text_input(key="new_password_again").value == ""
    next(b for b in at.button if b.label == "确定").click()
    at.run()
    assert "请先选择操作" in at.error[0].value


def test_a_blank_alpha_says_why_and_a_small_sample_says_so(draft_db):
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q1.csv", dtype=str, keep_default_na=False)
    sample = frame[frame["unit_id"].isin(sorted(frame["unit_id"].unique())[:4])]
    at = open_page("agreement", "admin")
    at.selectbox(key="agreement_period").set_value("2018Q1").run()
    at.file_uploader(key="agreement_file").set_value(("second.csv", sample.to_csv(index=False).encode(), "text/csv"))
    at.run()
    table = at.dataframe[0].value
    alpha, note = table["Krippendorff's α"], table["提示"]
    assert (note[alpha.isna()] != "").all()  # never blank without a word
    assert note[alpha.isna()].str.contains("α 无定义").all()
    assert note.str.contains("全部一致(所有结果相同),α 无定义", regex=False).any()
    assert note[alpha.notna() & (table["比较对数"] < 10)].str.contains("样本较少").all()
