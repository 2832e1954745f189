"""Issue 29 in a real browser: a draft round is no ranking, and an address in an appeal is linked as
written (the autolinker once showed ``www\\.`` and followed ``%5C``). Screenshots in test-artifacts/."""

import os

import pandas as pd
import pytest
from test_browser import CHROMIUM, _shot, _wait_ready, browser, credentials, page, sign_in  # noqa: F401

from helpers import ROOT, served_app
from scoring import InputFile
from scoring.store import open_store
from scoring.store.appeals import decide_appeal, file_appeal
from scoring.store.rounds import import_results
from scoring.store.users import User
from ui.demo import seed_demo

pytestmark = pytest.mark.browser

URL = "http://www.ahsz.gov.cn/xxgk/tzgg/index.html"


def _store_with_a_draft_and_an_address(path) -> None:
    """The demo, 2018Q3 a draft with three units' results, and the one appeal waiting citing a URL."""
    store = open_store(path)
    seed_demo(store)
    q2 = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q2.csv", dtype=str, keep_default_na=False)
    part = q2[q2["unit_id"].isin(sorted(q2["unit_id"].unique())[:3])].assign(period="2018Q3")
    evaluator = User("评估员", "evaluator")
    import_results(store, ROOT / "rubrics" / "suzhou-2017.yaml", ROOT / "sample_data" / "units.csv",
                   [InputFile("2018Q3-部分.csv", part.to_csv(index=False).encode())], evaluator)  # fmt: skip
    decide_appeal(store, 1, "upheld", "测评时栏目确未更新", evaluator)
    file_appeal(store, "2018Q2", "341322", "GK1.1.1", f"栏目已更新,见 {URL}", f"页面 {URL}(截图)",
                User("xiaoxian", "unit", "341322"))  # fmt: skip
    store.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip("Debian chromium is not installed (CI installs it)")
    db = tmp_path_factory.mktemp("draft") / "demo.db"
    _store_with_a_draft_and_an_address(db)
    with served_app(db) as url:
        yield url


def test_a_draft_round_in_the_browser_says_how_far_it_is_and_ranks_no_incomplete_unit(app_url, page, credentials):  # noqa: F811
    sign_in(page, app_url, credentials, "evaluator")
    page.get_by_label("期次").first.click()
    page.get_by_role("option", name="2018Q3 · 草稿(初步结果,未发布)").click()
    page.get_by_text("本期结果尚未录完", exact=False).first.wait_for()
    _wait_ready(page)
    body = page.locator("body").inner_text()
    assert "已录入" in body and "项" in body
    assert "暂不提供通报" in body and "下载通报" not in body
    grid = page.locator('[data-testid="stDataFrame"]').first.inner_text()
    assert "未测完" in grid or page.get_by_text("未测完").count() > 0
    _shot(page, "ranking-draft-round")


def test_an_address_in_an_appeal_is_shown_and_linked_as_written(app_url, page, credentials):  # noqa: F811
    sign_in(page, app_url, credentials, "evaluator")
    # the menu counts the appeal waiting in the appeal window, and opens on its round
    page.locator('[data-testid="stSidebarNav"] a', has_text="申诉复核(1 件待复核)").first.click()
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText === '申诉复核'"
    )
    _wait_ready(page)
    page.get_by_role("button", name="提交复核结论").wait_for()
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert URL in hrefs
    assert [h for h in hrefs if "%5c" in h.lower() or "\\" in h] == []
    shown = page.locator("main").inner_text()
    assert URL in shown and "www\\." not in shown
    _shot(page, "appeal-with-an-address")
