"""The demo's websites: one plainly fake site per unit (演示网站,非真实), with fresh, stale, empty
and failing columns and a few broken links, dated relative to an as-of date, deterministic per
unit. The demo seeds a real monitor run against them; the benchmark serves 500 of them.

A few units' sites carry planted content problems (SPEC 4a), fictional and obviously so, for the
content rules to find (PLANTED): an outdated agency name and a misspelt county name in an article,
a resident ID number of the nonexistent province 99 (valid check digit) in a 低保 list, a link to a
made-up gambling host on the reserved .example domain hidden with display:none, and a message left
unanswered for more than 90 days. Every site has a 互动交流 (messages) page."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from scoring.monitor.loopback import Pages

__all__ = ["COLUMNS", "DEMO_WORDS", "MESSAGES", "PLANTED", "PLANTED_ID", "demo_pages", "demo_sites_frame"]

HTML = "text/html; charset=utf-8"
# (column name, kind, path): the columns every demo site has
COLUMNS = [("工作动态", "news", "news/"), ("通知公告", "notice", "notice/"), ("政策文件", "policy", "policy/"),
           ("机构概况", "static", "about/"), ("依申请公开", "page", "ysq/")]  # fmt: skip
LIMITS = {"news": 14, "notice": 183, "policy": 183, "static": 365}
MESSAGES = ("互动交流", "messages", "hudong/")  # the messages page (留言) every demo site has

# fictional: province 99 does not exist; 1950-01-01; the check digit is valid (GB 11643)
PLANTED_ID = "990101195001010010"
BOCAI = "http://bocai-demo.example/"  # RFC 2606 reserves .example: no such host can exist
# the starter words list the demo's office keeps (wrong form, right form, severity)
DEMO_WORDS = [("萧县国土资源局", "萧县自然资源和规划局", "严重"), ("荡山县", "砀山县", "一般"),
              ("国家工商行政管理总局", "国家市场监督管理总局", "严重")]  # fmt: skip
# unit → (path of the article, what it says); what the content rules must find in the demo
PLANTED = {
    "341322": ("news/a0.html", "<p>(演示)萧县国土资源局召开土地例行督察整改工作推进会。</p>"),
    "341321": ("news/a1.html", "<p>(演示)荡山县举办梨花节文化旅游活动。</p>"),
    "341323": ("notice/a1.html", "<p>2018年第三季度城乡低保对象名单公示(演示,人员和号码均为虚构)</p>"
               f"<table><tr><td>示例甲</td><td>{PLANTED_ID}</td><td>城市低保</td></tr>"
               "<tr><td>示例乙</td><td>9901**********1234</td><td>农村低保</td></tr></table>"),
    "341324": ("news/a1.html", '<p>(演示)泗县召开安全生产工作会议。</p><div style="display:none">'
               f'<a href="{BOCAI}">示例博彩网站(演示,非真实)</a></div>'),
}  # fmt: skip


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
                body = f"<p>{when}</p>"
                if PLANTED.get(unit_id, ("",))[0] == f"{path}a{i}.html":
                    body += PLANTED[unit_id][1]
                pages[f"/{path}a{i}.html"] = (200, HTML, _html(f"{col}示例信息 {i + 1}", body))
            body = "<ul>" + "".join(items) + "</ul>"
        pages[f"/{path}"] = (200, HTML, _html(f"{name} · {col}", body))
        links.append(f'<a href="/{path}">{col}</a>')
    pages[f"/{MESSAGES[2]}"] = (200, HTML, _html(f"{name} · {MESSAGES[0]}", _messages(unit_id, as_of, pages)))
    links.append(f'<a href="/{MESSAGES[2]}">{MESSAGES[0]}</a>')
    for k in range(_draw(unit_id, "broken", 4) // 2):  # none, or one broken link
        links.append(f'<a href="/old-page-{k}.html">旧页面</a>')
    home_age = 3 if _draw(unit_id, "home", 8) else 30
    home_day = as_of - dt.timedelta(days=home_age)
    pages["/"] = (200, HTML, _html(f"{name}(演示)", f"<p>更新日期:{home_day.isoformat()}</p>" + " ".join(links)))
    return pages


def _messages(unit_id: str, as_of: dt.date, pages: dict[str, tuple[int, str, bytes]]) -> str:
    """The messages page: each item a message's title, the day it was left and the day it was
    answered; 埇桥区's oldest was never answered (more than 90 days), its newest not yet (a week)."""
    late = unit_id == "341302"
    rows = [
        ("关于小区路灯维修的咨询(演示)", 150 if late else 40, None if late else 36),
        ("关于办理居住证所需材料的咨询(演示)", 20, 18),
        ("关于公交线路调整的建议(演示)", 7, None if late else 5),
    ]
    items = []
    for i, (title, asked, answered) in enumerate(rows):
        d1 = as_of - dt.timedelta(days=asked)
        reply = f"答复时间:{(as_of - dt.timedelta(days=answered)).isoformat()}" if answered is not None else "待答复"
        items.append(
            f'<li><a href="m{i}.html">{title}</a> <span>留言时间:{d1.isoformat()}</span> <span>{reply}</span></li>'
        )
        pages[f"/{MESSAGES[2]}m{i}.html"] = (200, HTML, _html(title, f"<p>留言时间:{d1.isoformat()}</p><p>{reply}</p>"))
    return "<ul>" + "".join(items) + "</ul>"


def demo_sites_frame(roster: pd.DataFrame, ports: list[int]) -> pd.DataFrame:
    """The sites file of the demo sites, unit by unit in roster order, each on its own port."""
    rows = []
    for (uid, _), port in zip(roster[["unit_id", "name"]].itertuples(index=False), ports, strict=True):
        base = f"http://127.0.0.1:{port}/"
        rows.append((uid, "首页", "home", base))
        rows += [(uid, col, kind, base + path) for col, kind, path in (*COLUMNS, MESSAGES)]
    return pd.DataFrame(rows, columns=["unit_id", "column", "kind", "url"])
