"""Two app processes on one PostgreSQL store, as a province runs them behind a proxy (issue 30):
what one process writes, the other lists after a reload, and both show the same demo accounts."""

import os
from contextlib import ExitStack

import pytest

from helpers import served_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


@pytest.fixture
def two_apps(pg_url):
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip("Debian chromium is not installed (CI installs it)")
    with ExitStack() as stack:
        # started together: the demo is seeded once, whichever takes the writer's lock first
        yield [stack.enter_context(served_app(pg_url)) for _ in range(2)]


def _idle(page) -> None:
    page.wait_for_selector("h1", timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def _credentials(page, url: str) -> dict[str, str]:
    page.goto(url)
    _idle(page)
    page.get_by_text("演示模式", exact=False).first.wait_for(timeout=120_000)
    page.locator("table tbody tr").first.wait_for()
    rows = [row.locator("td").all_inner_texts() for row in page.locator("table tbody tr").all()]
    return {r[-3].strip(): r[-2].strip() for r in rows if len(r) >= 4}


def _rounds_page(page, url: str, password: str) -> None:
    """Sign in as the office (a reload: a new session) and open 测评轮次."""
    page.goto(url)
    _idle(page)
    page.get_by_label("账号").fill("admin")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="测评轮次").first.click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText === '测评轮次'",
                           timeout=120_000)  # fmt: skip
    _idle(page)


def test_a_round_opened_in_one_process_is_listed_in_the_other(two_apps):
    from playwright.sync_api import sync_playwright

    first, second = two_apps
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            a = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1100}).new_page()
            b = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1100}).new_page()
            shown = _credentials(a, first)
            assert _credentials(b, second) == shown and len(shown) == 6  # neither start reset the other's
            _rounds_page(b, second, shown["admin"])  # the other process has read the rounds (and cached them)
            waiting = b.get_by_text("已开启、尚未导入结果的期次", exact=False).first
            assert "2018Q4" not in waiting.inner_text()
            _rounds_page(a, first, shown["admin"])
            a.get_by_text("开启新期次").first.click()
            a.get_by_label("期次编码", exact=False).fill("2018Q4")
            a.get_by_role("button", name="开启期次").click()
            a.get_by_text("期次 2018Q4 已开启", exact=False).first.wait_for(timeout=60_000)
            _rounds_page(b, second, shown["admin"])
            b.get_by_text("已开启、尚未导入结果的期次:2018Q3、2018Q4", exact=False).first.wait_for(timeout=60_000)
        finally:
            browser.close()
