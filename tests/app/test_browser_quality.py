"""Issue 33 in a real browser: the office's 指标质量 page on the demo store — the table with its
flags, the chart of full marks per check, and the table's download. Screenshots in test-artifacts/."""

import pytest
from test_browser import _shot, _wait_ready, app_url, browser, credentials, page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_office_reads_the_quality_of_its_checks(app_url, page, credentials):  # noqa: F811
    sign_in(page, app_url, credentials, "admin", "指标质量")
    page.get_by_text("个有提示", exact=False).first.wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    # the chart draws a bar per check, labelled with its code and name, and the 90% line
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("svg text", has_text="GK1.1.1").first.wait_for()
    assert chart.locator("svg text", has_text="%").count() > 0
    page.get_by_text("一级指标内部一致性", exact=False).first.wait_for()
    _shot(page, "quality")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载表格(CSV)").first.click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("轨道,一级指标,测评点编码,测评点,计分方法") and "提示" in header
    assert "区分度低:" in text and "nan" not in text
    page.get_by_text("只看有提示的测评点").click()
    _wait_ready(page)
    _shot(page, "quality-flagged")
