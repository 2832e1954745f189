"""assess monitor (SPEC extension 4, issue 19) against a real HTTP server on loopback."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from monitor.site import closed_port, fixture_routes, ok, page, serve, sites_rows

from helpers import ROOT, csv_file, open_periods, units_file
from scoring.monitor.dates import dates_in
from scoring.monitor.pages import decode, read_page
from scoring.store import open_store
from scoring.store.probes import probes_table

AS_OF = "2017-10-01"
CHECKS = [
    {"id": "W1", "name": "网站无法访问", "method": "veto", "cap": 59,
     "monitor": {"rule": "unreachable", "max_failure_rate": 0.05, "timeout_s": 1}},
    {"id": "W2", "name": "首页及时更新", "method": "binary", "points": 10, "monitor": {"rule": "home_stale", "days": 14}},
    {"id": "W3", "name": "栏目及时更新", "method": "deduct", "points": 10, "per_item": 2,
     "monitor": {"rule": "stale_columns"}},
    {"id": "W4", "name": "无空白栏目", "method": "deduct", "points": 10, "per_item": 2,
     "monitor": {"rule": "empty_columns"}},
    {"id": "W5", "name": "链接可用", "method": "deduct", "points": 10, "per_item": 1, "monitor": {"rule": "broken_links"}},
    {"id": "W6", "name": "依申请公开页面", "method": "binary", "points": 10,
     "monitor": {"rule": "page_exists", "column": "依申请公开"}},
    {"id": "H1", "name": "人工测评", "method": "binary", "points": 50},
]  # fmt: skip
# hand-worked from tests/monitor/site.py, as of 2017-10-01
EXPECTED = {
    # 甲县: home dated 09-25 (6 days); 通知公告 newest 03-01 (214 > 183); 政策文件 undated and 机构职能 404 are
    # empty; broken: /c1/gone (twice, once counted), 500, closed port, 6 redirects, a redirect to an
    # unlisted host, a missing image, and a 404 linked from 通知公告
    "C1": {"W1": "0", "W2": "1", "W3": "1", "W4": "2", "W5": "7", "W6": "1"},
    # 乙县 (GBK): home newest 2017年8月1日 (61 days; 2099 and 13月 ignored); 政策解读 2017年3月5日 stale;
    # no 依申请公开 row
    "C2": {"W1": "0", "W2": "0", "W3": "1", "W4": "0", "W5": "0", "W6": "0"},
    # 丙县 (undeclared GB18030): home slower than 1 s (1 of 1 probes failed); 动态 500 is empty;
    # 依申请公开 lists no link
    "C3": {"W1": "1", "W2": "0", "W3": "0", "W4": "1", "W5": "0", "W6": "0"},
}


def write_rubric(tmp_path, checks=CHECKS):
    import json

    from helpers import rubric_dict

    path = tmp_path / "rubric.yaml"
    path.write_text(json.dumps(rubric_dict(checks), ensure_ascii=False), encoding="utf-8")
    return path


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def elsewhere():
    """A host nobody listed (another loopback address): the monitor must never reach it."""
    site, stop = serve({"/": ok(page("别处", ""))}, host="127.0.0.2")
    yield site
    stop()


@pytest.fixture(scope="module")
def site(elsewhere):
    site, stop = serve(fixture_routes(closed_port(), f"http://127.0.0.2:{elsewhere.port}/"))
    yield site
    stop()


@pytest.fixture
def files(tmp_path, site):
    rubric = write_rubric(tmp_path)
    units = tmp_path / "units.csv"
    units.write_bytes(units_file().data)
    sites = tmp_path / "sites.csv"
    sites.write_bytes(csv_file("sites.csv", ["unit_id", "column", "kind", "url"], sites_rows(site)).data)
    return rubric, units, sites


def read_rows(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_dates_in_every_form_the_spec_names():
    as_of = dt.date(2017, 10, 1)
    text = ("2017-09-04 10:30 / 2017/9/4 / 2017.09.04 / 2017年9月4日 / 2017 年 9 月 5 日 / 2017-02-30 / 2018-01-01"
            " / 12017-01-01 / 2017-9-41 / 2017-09/04")  # fmt: skip
    assert dates_in(text, as_of) == [dt.date(2017, 9, 4)] * 4 + [dt.date(2017, 9, 5)]


def test_pages_are_decoded_as_the_spec_orders():
    gbk = "<html><body>通知公告</body></html>".encode("gbk")
    assert decode(gbk, "text/html; charset=GBK") == ("<html><body>通知公告</body></html>", "gb18030")
    assert decode(b'<meta charset="gb2312">' + gbk, "text/html")[1] == "gb18030"
    assert decode("通知".encode(), "text/html")[1] == "utf-8"
    assert decode(gbk, "")[0].endswith("通知公告</body></html>")  # not UTF-8: GB18030
    # the header wins over <meta>
    assert decode(b'<meta charset="gbk">' + "通知".encode(), "text/html; charset=utf-8")[1] == "utf-8"


def test_a_page_read_items_dates_and_links():
    html = ('<body><ul><li><a href="a.html#x">甲</a> 2017-9-4</li><li>无链接 2017-09-30</li>'
            '<li><a href="/b">乙</a></li></ul><p>2017-09-10</p><img src="//cdn.example.invalid/x.png">'
            '<a href="mailto:x@y.invalid">m</a><style>p{}</style><script>"2017-09-29"</script></body>')  # fmt: skip
    p = read_page(html, "http://h.invalid/col/index.html", dt.date(2017, 10, 1))
    assert (p.items, p.dated_items, p.newest_item, p.newest_text) == (2, 1, dt.date(2017, 9, 4), dt.date(2017, 9, 30))
    assert p.anchors == 3
    assert p.links == ("http://h.invalid/col/a.html", "http://h.invalid/b", "http://cdn.example.invalid/x.png")


def test_the_monitor_finds_what_the_fixture_site_holds(files, tmp_path, site, elsewhere):
    rubric, units, sites = files
    out = tmp_path / "monitor.csv"
    p = cli("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3", "--out", out,
            "--as-of", AS_OF)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "单位 M1 不在站点清单中" in p.stderr  # a roster unit without sites rows gets no rows
    rows = read_rows(out)
    assert list(rows.columns) == ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator",
                                  "checked_at"]  # fmt: skip
    got = {u: dict(zip(g["check_id"], g["value"], strict=True)) for u, g in rows.groupby("unit_id")}
    assert got == EXPECTED
    assert set(rows["evaluator"]) == {"monitor"} and set(rows["checked_at"]) == {AS_OF}
    assert list(rows["unit_id"].drop_duplicates()) == ["C1", "C2", "C3"]
    ev = rows.set_index(["unit_id", "check_id"])["evidence"]
    assert "通知公告" in ev["C1", "W3"] and "最新 2017-03-01(已 214 天,限 183 天)" in ev["C1", "W3"]
    assert site.url("/c1/gone") + "(HTTP 404)" in ev["C1", "W5"]
    assert ev["C1", "W5"].count(site.url("/c1/gone")) == 1  # the same broken link twice is counted once
    assert "重定向超过 5 次" in ev["C1", "W5"] and "未访问" in ev["C1", "W5"]
    assert "1 秒内未完整响应" in ev["C3", "W1"] and "失败 1 次" in ev["C3", "W1"]
    assert "首页最新日期 2017-08-01(距测评日 61 天,限 14 天)" in ev["C2", "W2"]
    assert "站点清单中没有栏目「依申请公开」" in ev["C2", "W6"]
    # a row with nothing wrong names the pages checked, not only their archives (issue 31)
    assert ev["C2", "W4"].startswith(f"已检查栏目 2 个:均有带日期的条目 | 「政务动态」{site.url('/c2/news/')} | "
                                     f"「政策解读」{site.url('/c2/policy/')} | 存档 ")  # fmt: skip
    assert ev["C2", "W5"].startswith(f"已检查链接 6 个:均可访问 | 链接所在网页:{site.url('/c2/')} | "
                                     f"{site.url('/c2/news/')} | {site.url('/c2/policy/')} | 存档 ")  # fmt: skip
    # it contacted no host that nobody listed, and said who it is
    assert elsewhere.hits == []
    assert all(a.startswith("assess-monitor/") for a in site.agents)
    # the same site, the same as-of: the same bytes
    again = tmp_path / "again.csv"
    cli("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3", "--out", again,
        "--as-of", AS_OF)  # fmt: skip
    assert again.read_bytes() == out.read_bytes()


def test_every_problem_of_a_sites_file_is_located(files, tmp_path):
    rubric, units, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text("单位编码,栏目,类型,网址\nC1,首页,home,http://127.0.0.1:9/\nC1,首页2,home,http://127.0.0.1:9/a\n"
                   "X9,首页,home,http://127.0.0.1:9/\nC2,动态,blog,ftp://example.invalid/\nC3,,news,\n",
                   encoding="utf-8")  # fmt: skip
    p = cli("monitor", "--rubric", rubric, "--units", units, "--sites", bad, "--period", "2017Q3",
            "--out", tmp_path / "o.csv", "--as-of", AS_OF)  # fmt: skip
    assert p.returncode == 2, p.stderr
    for said in ("第 3 行 列「类型」: 单位 C1 有不止一行首页(第 2、3 行)", "第 4 行 列「单位编码」: 单位编码 X9 不在单位名单中",
                 "第 5 行 列「类型」: 类型 blog 不可用", "第 5 行 列「网址」: 网址 ftp://example.invalid/ 不是完整的",
                 "第 6 行 列「栏目」: 必填单元格为空", "第 6 行 列「网址」: 必填单元格为空",
                 "单位 C2 没有类型为 home(首页)的行"):  # fmt: skip
        assert said in p.stderr, p.stderr
    assert not (tmp_path / "o.csv").exists()
    assert "Traceback" not in p.stderr


def test_daily_runs_into_the_store_make_the_periods_failure_rate(tmp_path):
    """A home page that fails on the second of four daily runs: 0/1, 1/2, 1/3, 1/4 failed with
    max_failure_rate 0.3 → not vetoed, vetoed, vetoed, not vetoed; each probe and page stored."""
    calls = {"n": 0}

    def flaky():
        calls["n"] += 1
        if calls["n"] == 2:
            return 503, {"Content-Type": "text/html"}, b"busy"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page("示例", "<p>2017-09-30</p>").encode()

    site, stop = serve({"/": flaky})
    try:
        checks = [{**CHECKS[0], "monitor": {"rule": "unreachable", "max_failure_rate": 0.3}}, CHECKS[-1]]
        rubric = write_rubric(tmp_path, checks)
        units = tmp_path / "units.csv"
        units.write_bytes(units_file().data)
        sites = tmp_path / "sites.csv"
        sites.write_text(f"unit_id,column,kind,url\nC1,首页,home,{site.url('/')}\n", encoding="utf-8")
        db = tmp_path / "s.db"
        args = ("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3",
                "--as-of", AS_OF, "--db", db)  # fmt: skip
        refused = cli(*args, "--out", tmp_path / "x.csv")
        assert refused.returncode == 2 and "期次 2017Q3 尚未开启" in refused.stderr
        assert site.hits == []  # refused before any page was fetched
        open_periods(db, "2017Q3")
        values = []
        for day in range(4):
            p = cli(*args, "--out", tmp_path / f"day{day}.csv")
            assert p.returncode == 0, p.stderr
            values.append(read_rows(tmp_path / f"day{day}.csv").set_index("check_id").loc["W1", "value"])
        assert values == ["0", "1", "1", "0"]
        assert "本期探测 4 次,失败 1 次(25%,限 30%)" in read_rows(tmp_path / "day3.csv")["evidence"].iloc[0]
        store = open_store(db)
        stored = probes_table(store, "2017Q3")
        assert len(stored) == 4 and list(stored["status"].iloc[::-1]) == [200, 503, 200, 200]
        # the page is kept as an evidence file, once (the same content each day), named in the row
        evidence = read_rows(tmp_path / "day3.csv")["evidence"].iloc[0]
        names = [r[0] for r in store.db.execute("SELECT name FROM evidence_file WHERE name GLOB '网页存档-*'")]
        assert len(names) == 1 and names[0] in evidence
        # and each day's rows, so that the page shows the latest run's rows in a later session
        from scoring.store.probes import latest_results

        kept = latest_results(store, "2017Q3")
        assert kept is not None and kept[1] == (tmp_path / "day3.csv").read_bytes()
    finally:
        stop()


def test_monitor_rows_flow_through_import_score_appeal_and_publish(files, tmp_path):
    rubric, units, sites = files
    out, db = tmp_path / "monitor.csv", tmp_path / "s.db"
    open_periods(db, "2017Q3")
    assert cli("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3", "--out", out,
               "--as-of", AS_OF, "--db", db).returncode == 0  # fmt: skip
    p = cli("import", "--db", db, "--rubric", rubric, "--units", units, "--results", out)
    assert p.returncode == 0, p.stderr
    assert cli("rounds", "--db", db, "--period", "2017Q3", "--status", "feedback").returncode == 0
    assert cli("rounds", "--db", db, "--period", "2017Q3", "--status", "appeal").returncode == 0
    p = cli("appeal", "file", "--db", db, "--period", "2017Q3", "--unit", "C2", "--check", "W6",
            "--reason", "依申请公开页面另有网址(示例)")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert cli("appeal", "decide", "1", "--db", db, "--correct", "1", "--reason", "复核属实").returncode == 0
    p = cli("publish", "--db", db, "--period", "2017Q3", "--allow-missing")
    assert p.returncode == 0, p.stderr
    scores = tmp_path / "r.xlsx"
    assert cli("report", "--db", db, "--period", "2017Q3", "--unit", "C1", "--out", scores).returncode == 0
    import openpyxl

    lost = {r[1]: r for r in openpyxl.load_workbook(scores)["失分明细"].iter_rows(min_row=2, values_only=True)}
    assert lost["W5"][6] == 7.0  # 7 broken links × 1 point
    assert "网页存档-" in lost["W5"][9]  # the kept pages are cited as evidence


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/chromium") and __import__("os").environ.get("CI") != "true",
                    reason="Debian chromium is not installed (CI installs it)")  # fmt: skip
def test_screenshots_are_kept_beside_the_pages_and_reach_no_other_host(files, tmp_path, elsewhere):
    """--screenshots: each page that answered is photographed by chromium and stored as an evidence
    file the row cites; the style sheet and script 甲县's home page loads from a host nobody listed
    are blocked, so that host still sees no request."""
    import io as _io

    from PIL import Image

    rubric, units, sites = files
    out, db = tmp_path / "monitor.csv", tmp_path / "s.db"
    assert cli("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3",
               "--out", out, "--as-of", AS_OF, "--screenshots").returncode == 2  # fmt: skip
    open_periods(db, "2017Q3")
    p = cli("monitor", "--rubric", rubric, "--units", units, "--sites", sites, "--period", "2017Q3", "--out", out,
            "--as-of", AS_OF, "--db", db, "--screenshots")  # fmt: skip
    assert p.returncode == 0, p.stderr
    store = open_store(db)
    shots = [r[0] for r in store.db.execute("SELECT name FROM evidence_file WHERE name LIKE '网页截图-%'")]
    assert len(shots) >= 5  # 甲县's six pages but the 404 column, and the others' that answered
    from scoring.store.evidence import evidence_content

    assert Image.open(_io.BytesIO(evidence_content(store, shots[0]))).size == (1280, 900)
    evidence = " ".join(read_rows(out)["evidence"])
    assert all(name in evidence for name in shots)
    assert elsewhere.hits == []


def test_a_sites_workbook_with_chinese_headers_reads_the_same(files, tmp_path, site):
    import openpyxl

    rubric, units, _ = files
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"  # a note sheet first, as offices' workbooks have: passed over
    wb.active.append(["每个栏目一行", "网址以 http 开头"])
    ws = wb.create_sheet("站点清单")
    ws.append(["单位编码", "栏目", "类型", "网址"])
    for row in sites_rows(site):
        ws.append(list(row))
    wb.save(tmp_path / "sites.xlsx")
    out = tmp_path / "x.csv"
    p = cli("monitor", "--rubric", rubric, "--units", units, "--sites", tmp_path / "sites.xlsx", "--period", "2017Q3",
            "--out", out, "--as-of", AS_OF)  # fmt: skip
    assert p.returncode == 0, p.stderr
    rows = read_rows(out)
    assert {u: dict(zip(g["check_id"], g["value"], strict=True)) for u, g in rows.groupby("unit_id")} == EXPECTED


def test_validate_names_the_checks_the_monitor_measures():
    p = cli("validate", ROOT / "rubrics" / "website-inspection.yaml")
    assert p.returncode == 0, p.stderr
    assert (
        "由网站监测(assess monitor)自动测评的测评点 12 个:W1.1.2(broken_links)、W2.1.1(wrong_words)、W2.1.2(stale_columns)"
        in p.stdout
    )


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2017, 10, 1)),
    form=st.sampled_from(["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日"]),
    pad=st.booleans(),
    before=st.text(alphabet="发布时间:【】 abc,。\\n", max_size=12),
    after=st.sampled_from(["", " 10:30", " 来源:示例", "发布"]),
)
def test_any_date_in_a_spec_form_is_read_back(day, form, pad, before, after):
    """Property: a date written in any of the four forms, padded or not, amid other text, is read
    back as itself; the same date after as-of is not."""
    f = "{:02d}" if pad else "{}"
    text = before + form.format(y=day.year, m=f.format(day.month), d=f.format(day.day)) + after
    assert dates_in(text, dt.date(2017, 10, 1)) == [day]
    assert dates_in(text, day - dt.timedelta(days=1)) == []
