"""Screenshots of the monitored pages (``assess monitor --screenshots``), taken with Debian's
chromium through playwright and kept as evidence files beside the pages' HTML.

The browser would fetch a page's style sheets, scripts and images from wherever the page says;
every request to a host that is neither in the sites file nor linked from the pages is aborted,
so that the screenshots keep the monitor's promise of contacting no one else."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterable

from scoring.errors import InputError, Issue
from scoring.monitor.fetch import USER_AGENT, host_of

__all__ = ["CHROMIUM", "screenshot_name", "screenshots"]

CHROMIUM = os.environ.get("ASSESS_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}
AT_ONCE = 4


def screenshot_name(png: bytes) -> str:
    return f"网页截图-{hashlib.sha256(png).hexdigest()[:16]}.png"


def screenshots(urls: Iterable[str], allowed: Iterable[str], timeout_s: float) -> dict[str, bytes]:
    """PNG of each page as a visitor's browser shows it (the first screen, 1280 × 900); a page the
    browser cannot load in ``timeout_s`` gets none."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise InputError([Issue(code="screenshots-unavailable",
                                message="--screenshots 需要 playwright(pip install playwright)和 Debian chromium")]) from None  # fmt: skip
    if not os.path.exists(CHROMIUM):
        raise InputError([Issue(code="screenshots-unavailable",
                                message=f"--screenshots 需要 chromium:{CHROMIUM} 不存在(apt-get install chromium)")])  # fmt: skip
    hosts = {host_of(u) for u in allowed}
    wanted = list(dict.fromkeys(urls))

    async def take() -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = await browser.new_context(viewport=VIEWPORT, user_agent=USER_AGENT, service_workers="block")

            async def guard(route) -> None:
                if host_of(route.request.url) in hosts or not route.request.url.startswith("http"):
                    await route.continue_()
                else:
                    await route.abort()

            await context.route("**/*", guard)
            slots = asyncio.Semaphore(AT_ONCE)

            async def one(url: str) -> None:
                async with slots:
                    page = await context.new_page()
                    try:
                        await page.goto(url, timeout=timeout_s * 1000, wait_until="load")
                        out[url] = await page.screenshot(type="png")
                    except Exception:
                        pass  # a page the browser cannot show has no screenshot; its HTML is still kept
                    finally:
                        await page.close()

            await asyncio.gather(*(one(u) for u in wanted))
            await browser.close()
        return out

    return asyncio.run(take())
