"""单项否决 四 of the national inspection measured by the monitor (issue 32): the shipped
rubrics/gov-website-2019.yaml's V4.1-V4.3 count columns with a threshold (``at_least``), on
fake sites served on loopback, at the boundary of each count and of each kind's limit."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from monitor.site import items, ok, page, serve

from helpers import ROOT, csv_file, units_file
from scoring.monitor.rules import rule_values
from scoring.monitor.sites import COLUMN_KINDS
from scoring.rubric.model import MonitorSpec

AS_OF = dt.date(2017, 10, 1)
RUBRIC = ROOT / "rubrics" / "gov-website-2019.yaml"
UNITS = [("A", "甲县政府门户网站", "portal"), ("B", "乙县政府门户网站", "portal"), ("C", "丙县政府门户网站", "portal")]

# unit → its columns: (name, kind, age of the newest item in days; None lists undated items only,
# a negative number answers with that HTTP status)
COLUMNS = {
    # V4.1: 2 news 15 days old (limit 14), a notice and 2 policies 184 days old (limit 183) = 5, and
    # at the limits a news column 14 days old and a notice 183 days old, not counted; a static column
    # 400 days old is not a V4.1 kind (but 1 long-stale column for V4.2, and stale for D2.1)
    "A": [("要闻一", "news", 15), ("要闻二", "news", 15), ("公告一", "notice", 184), ("文件一", "policy", 184),
          ("文件二", "policy", 184), ("动态", "news", 14), ("公告二", "notice", 183), ("概况", "static", 400)],
    # 4 stale of the V4.1 kinds; 4 empty (one answering 500, three listing no date); 9 static columns
    # 366 days old: all one short of their threshold
    "B": [("要闻", "news", 15), ("公告", "notice", 184), ("文件一", "policy", 184), ("文件二", "policy", 200),
          ("动态", "news", 14), ("空一", "notice", -500), ("空二", "policy", None), ("空三", "static", None),
          ("空四", "news", None)] + [(f"静态{i}", "static", 366) for i in range(9)],
    # 5 empty (a 404 and four undated); 10 columns more than 365 days old, 5 of them news or notice
    "C": [("空一", "news", -404), ("空二", "notice", None), ("空三", "policy", None), ("空四", "static", None),
          ("空五", "static", None)] + [(f"旧动态{i}", "news", 400) for i in range(2)]
         + [(f"旧公告{i}", "notice", 500) for i in range(3)] + [(f"静态{i}", "static", 366) for i in range(5)],
}  # fmt: skip
EXPECTED = {
    "A": {"V4.1": "1", "V4.2": "0", "V4.3": "0", "D2.1": "6", "D2.2": "0"},
    "B": {"V4.1": "0", "V4.2": "0", "V4.3": "0", "D2.1": "13", "D2.2": "4"},
    "C": {"V4.1": "1", "V4.2": "1", "V4.3": "1", "D2.1": "10", "D2.2": "5"},
}


def _day(age: int) -> str:
    return (AS_OF - dt.timedelta(days=age)).isoformat()


def site_routes() -> dict[str, object]:
    routes: dict[str, object] = {}
    for unit, columns in COLUMNS.items():
        home = " ".join(f'<a href="/{unit}/{i}/">{name}</a>' for i, (name, _, _) in enumerate(columns))
        routes[f"/{unit}/"] = ok(page(f"{unit} 示例网站", f"<p>更新日期 {_day(1)}</p>{home}"))
        for i, (name, _, age) in enumerate(columns):
            if age is not None and age < 0:
                routes[f"/{unit}/{i}/"] = (-age, {"Content-Type": "text/html; charset=utf-8"}, b"")
                continue
            when = "" if age is None else _day(age)
            routes[f"/{unit}/{i}/"] = ok(page(f"{name}(示例)", items([(f"/{unit}/{i}/", when)])))
    return routes


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    site, stop = serve(site_routes())
    tmp = tmp_path_factory.mktemp("vetoes")
    rows = [(u, "首页", "home", site.url(f"/{u}/")) for u in COLUMNS]
    rows += [(u, name, kind, site.url(f"/{u}/{i}/")) for u, cols in COLUMNS.items()
             for i, (name, kind, _) in enumerate(cols)]  # fmt: skip
    (tmp / "sites.csv").write_bytes(csv_file("sites.csv", ["unit_id", "column", "kind", "url"], rows).data)
    (tmp / "units.csv").write_bytes(units_file(UNITS).data)
    out = tmp / "monitor.csv"
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "monitor", "--rubric", RUBRIC, "--units",
                        tmp / "units.csv", "--sites", tmp / "sites.csv", "--period", "2017Q3", "--out", out,
                        "--as-of", AS_OF.isoformat()], capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    stop()
    assert p.returncode == 0, p.stderr
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    return rows.set_index(["unit_id", "check_id"]), site


def test_the_column_vetoes_take_effect_at_their_thresholds_and_not_one_below(measured):
    rows, _ = measured
    got = {u: {c: rows.loc[(u, c), "value"] for c in EXPECTED[u]} for u in EXPECTED}
    assert got == EXPECTED


def test_a_column_veto_names_every_column_it_counted(measured):
    rows, site = measured
    ev = rows["evidence"]
    assert ev["A", "V4.1"].startswith("未按期更新的栏目 5 个,达到 5 个(单项否决):")
    for i, name in enumerate(["要闻一", "要闻二", "公告一", "文件一", "文件二"]):
        assert f"「{name}」{site.url(f'/A/{i}/')}" in ev["A", "V4.1"]
    assert "「要闻一」" + site.url("/A/0/") + ":最新 2017-09-16(已 15 天,限 14 天)" in ev["A", "V4.1"]
    assert "「公告一」" + site.url("/A/2/") + ":最新 2017-03-31(已 184 天,限 183 天)" in ev["A", "V4.1"]
    # at the limits, and a kind V4.1 does not count, are not named
    assert (
        "「动态」" not in ev["A", "V4.1"] and "「公告二」" not in ev["A", "V4.1"] and "「概况」" not in ev["A", "V4.1"]
    )
    assert ev["B", "V4.1"].startswith("未按期更新的栏目 4 个,未达到 5 个:")
    assert ev["B", "V4.3"].startswith("空白栏目 4 个,未达到 5 个:") and "HTTP 500" in ev["B", "V4.3"]
    assert ev["B", "V4.2"].startswith("未按期更新的栏目 9 个,未达到 10 个:")
    assert "(已 366 天,限 365 天)" in ev["B", "V4.2"]
    assert ev["C", "V4.2"].startswith("未按期更新的栏目 10 个,达到 10 个(单项否决):")
    assert ev["C", "V4.3"].startswith("空白栏目 5 个,达到 5 个(单项否决):") and "HTTP 404" in ev["C", "V4.3"]
    # nothing counted: the columns checked are named, as for a deduction
    assert ev["A", "V4.3"].startswith("已检查栏目 8 个:均有带日期的条目 | 「要闻一」")


@settings(max_examples=60, deadline=None)
@given(
    ages=st.lists(st.one_of(st.none(), st.integers(0, 800)), min_size=0, max_size=14),
    kinds=st.lists(st.sampled_from(COLUMN_KINDS), min_size=14, max_size=14),
    at_least=st.integers(1, 12),
    rule=st.sampled_from(["stale_columns", "empty_columns"]),
)
def test_a_column_veto_is_the_deductions_count_reaching_its_threshold(ages, kinds, at_least, rule):
    """Whatever the columns, the veto is 1 exactly when the count the deduction would take is at
    least ``at_least``; the threshold never changes what is counted."""
    pages = pd.DataFrame({
        "unit_id": "U", "column": [f"栏目{i}" for i in range(len(ages))], "kind": kinds[: len(ages)],
        "url": [f"http://127.0.0.1:9/{i}/" for i in range(len(ages))], "ok": True, "said": "HTTP 200",
        "unreadable": "", "dated_items": [0 if a is None else 1 for a in ages],
        "newest_item": pd.to_datetime([None if a is None else AS_OF - dt.timedelta(days=a) for a in ages]),
    })  # fmt: skip
    home = pd.DataFrame({"unit_id": ["U"], "column": ["首页"], "kind": ["home"], "url": ["http://127.0.0.1:9/"],
                         "ok": [True], "said": ["HTTP 200"], "unreadable": [""], "dated_items": [0],
                         "newest_item": pd.to_datetime([None])})  # fmt: skip
    pages = pd.concat([home, pages], ignore_index=True)
    links = pd.DataFrame(columns=["unit_id", "target", "probed", "ok", "said"])
    counted = rule_values(MonitorSpec(rule=rule), "deduct", pages, links, pd.DataFrame(), AS_OF)
    vetoed = rule_values(MonitorSpec(rule=rule, at_least=at_least), "veto", pages, links, pd.DataFrame(), AS_OF)
    assert vetoed.loc["U", "value"] == ("1" if int(counted.loc["U", "value"]) >= at_least else "0")
