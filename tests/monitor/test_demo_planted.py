"""The demo sites' planted content problems (issue 31) are there, fictional, and what the content
rules must find: a valid, unmasked ID number of a province that does not exist; a display:none link
to a host no sites row names; the wrong forms of the demo's words list; a message unanswered for
more than 90 days."""

from __future__ import annotations

import datetime as dt
import re

from scoring.monitor.demo_site import DEMO_WORDS, MESSAGES, PLANTED, PLANTED_ID, demo_pages

AS_OF = dt.date(2018, 9, 28)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def text(unit: str, path: str) -> str:
    return demo_pages(unit, "示例单位", AS_OF)[path][2].decode("utf-8")


def test_the_planted_id_number_is_valid_and_fictional():
    digits = [int(c) for c in PLANTED_ID[:17]]
    assert "10X98765432"[sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11] == PLANTED_ID[17]
    assert PLANTED_ID[:2] == "99"  # no such province
    assert dt.date(int(PLANTED_ID[6:10]), int(PLANTED_ID[10:12]), int(PLANTED_ID[12:14])) <= AS_OF
    page = text("341323", "/notice/a1.html")
    assert re.search(rf"(?<![0-9]){PLANTED_ID}(?![0-9])", page) and "低保" in page


def test_each_planted_problem_is_on_its_units_page_only():
    wrong = [w for w, _, _ in DEMO_WORDS]
    assert "萧县国土资源局" in text("341322", "/news/a0.html") and "荡山县" in text("341321", "/news/a1.html")
    hidden = text("341324", "/news/a1.html")
    assert re.search(r'<div style="display:none"><a href="http://bocai-demo\.example/">', hidden)
    others = "".join(b.decode() for u in ("341302", "CZJ") for _, _, b in demo_pages(u, "示例单位", AS_OF).values())
    assert not any(w in others for w in wrong) and PLANTED_ID not in others and "bocai" not in others
    assert set(PLANTED) == {"341322", "341321", "341323", "341324"}


def test_one_message_is_unanswered_for_more_than_90_days():
    late = text("341302", f"/{MESSAGES[2]}")
    asked = re.findall(r"留言时间:(\d{4}-\d{2}-\d{2})</span> <span>(待答复|答复时间:[\d-]+)", late)
    waiting = [dt.date.fromisoformat(d) for d, reply in asked if reply == "待答复"]
    assert sorted((AS_OF - d).days for d in waiting) == [7, 150]  # only the 150-day one is late
    on_time = text("CZJ", f"/{MESSAGES[2]}")
    assert "待答复" not in on_time
