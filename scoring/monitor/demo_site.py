"""The demo's websites: one plainly fake site per unit (演示网站,非真实), with fresh, stale, empty
and failing columns and a few broken links, dated relative to an as-of date, deterministic per
unit. The demo seeds a real monitor run against them; the benchmark serves 500 of them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from scoring.monitor.loopback import Pages

__all__ = ["COLUMNS", "demo_pages", "demo_sites_frame"]

HTML = "text/html; charset=utf-8"
# (column name, kind, path): the columns every demo site has
COLUMNS = [("工作动态", "news", "news/"), ("通知公告", "notice", "notice/"), ("政策文件", "policy", "policy/"),
           ("机构概况", "static", "about/"), ("依申请公开", "page", "ysq/")]  # fmt: skip
LIMITS = {"news": 14, "notice": 183, "policy": 183, "static": 365}


def _draw(unit_id: str, what: str, n: int) -> int:
    """A deterministic number in [0, n) for this unit and purpose."""
    return int(hashlib.sha256(f"{unit_id}/{what}".encode()).hexdigest()[:8], 16) % n


def _html(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f"<p>【演示网站,非真实政府网站】</p><h1>{title}</h1>{body}</body></html>").encode()  # fmt: skip


def demo_pages(unit_id: str, name: str, as_of: dt.date, articles: int = 4) -> Pages:
    """One unit's fake site: home, the five columns, ``articles`` articles per list column."""
    pages: dict[str, tuple[int, str, bytes]] = {}
    links = []
    for col, kind, path in COLUMNS:
        roll = _draw(unit_id, kind, 10)
        if kind == "page":
            body = '<a href="form.html">申请表(演示)</a>' if roll else "<p>暂无内容</p>"
        elif roll == 0 and kind != "news":
            pages[f"/{path}"] = (500, HTML, _html("出错", ""))  # a failing column
            links.append(f'<a href="/{path}">{col}</a>')
            continue
        else:
            # most columns fresh; one in four older than its kind's limit; one in ten undated
            age = LIMITS[kind] + 1 + roll * 3 if roll in (1, 5) else _draw(unit_id, kind + "a", LIMITS[kind])
            items = []
            for i in range(articles):
                day = as_of - dt.timedelta(days=age + i * 3)
                when = "" if roll == 9 else f"{day.year}-{day.month:02d}-{day.day:02d}"
                items.append(f'<li><a href="a{i}.html">{col}示例信息 {i + 1}</a> <span>{when}</span></li>')
                pages[f"/{path}a{i}.html"] = (200, HTML, _html(f"{col}示例信息 {i + 1}", f"<p>{when}</p>"))
            body = "<ul>" + "".join(items) + "</ul>"
        pages[f"/{path}"] = (200, HTML, _html(f"{name} · {col}", body))
        links.append(f'<a href="/{path}">{col}</a>')
    for k in range(_draw(unit_id, "broken", 4) // 2):  # none, or one broken link
        links.append(f'<a href="/old-page-{k}.html">旧页面</a>')
    home_age = 3 if _draw(unit_id, "home", 8) else 30
    home_day = as_of - dt.timedelta(days=home_age)
    pages["/"] = (200, HTML, _html(f"{name}(演示)", f"<p>更新日期:{home_day.isoformat()}</p>" + " ".join(links)))
    return pages


def demo_sites_frame(roster: pd.DataFrame, ports: list[int]) -> pd.DataFrame:
    """The sites file of the demo sites, unit by unit in roster order, each on its own port."""
    rows = []
    for (uid, _), port in zip(roster[["unit_id", "name"]].itertuples(index=False), ports, strict=True):
        base = f"http://127.0.0.1:{port}/"
        rows.append((uid, "首页", "home", base))
        rows += [(uid, col, kind, base + path) for col, kind, path in COLUMNS]
    return pd.DataFrame(rows, columns=["unit_id", "column", "kind", "url"])
