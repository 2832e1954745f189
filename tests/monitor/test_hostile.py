"""The monitor against a hostile web (issue 27, finding 4), on a real loopback server: link bodies
are never kept, a page is read up to a limit, --max-links and --deadline bound the work, any page
that cannot be read is that one page's problem, and every rule takes any subset of page kinds.
In each case the other units' rows are still written."""

from __future__ import annotations

import datetime as dt
import encodings.aliases
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from monitor.site import page, serve
from monitor.test_monitor import CHECKS, read_rows, write_rubric

from helpers import ROOT, open_periods, units_file
from scoring.monitor import pages
from scoring.store import open_store
from scoring.store.probes import probes_table

AS_OF = "2017-10-01"
HTML = "text/html; charset=utf-8"
HOSTILE_CODECS = ["base64", "rot13", "hex", "zlib", "uu", "bz2", "quopri", "idna", "undefined", "no-such-codec"]
# the same rules with a generous timeout: these tests are about size and shape, not speed
SLOW_OK = [{**c, "monitor": {**c["monitor"], "timeout_s": 30}} if c["id"] == "W1" else c for c in CHECKS]


def fixed(body: bytes, content_type: str = HTML, delay: float = 0, encoding: str = ""):
    headers = {"Content-Type": content_type, **({"X-Delay": str(delay)} if delay else {}),
               **({"Content-Encoding": encoding} if encoding else {})}  # fmt: skip
    return lambda: (200, dict(headers), body)


NEWS = page("工作动态", '<ul><li><a href="/ok">示例</a> 2017-09-25</li></ul>').encode()  # a fresh column


def good_home(title: str) -> bytes:
    return page(title, '<p>更新日期:2017-09-25</p><a href="/ok">示例</a>').encode()


def monitor(tmp_path, sites: list[tuple[str, str, str, str]], *extra: object, checks=SLOW_OK, peak: bool = False,
            timeout: float = 300) -> tuple[subprocess.CompletedProcess, dict, float]:  # fmt: skip
    """Run ``assess monitor`` as a child process; its rows as {unit: {check: value}}, and its peak
    resident memory in MB when ``peak`` (read by a wrapper process from RUSAGE_CHILDREN, so that no
    earlier child of the test process counts)."""
    rubric = write_rubric(tmp_path, checks)
    units = tmp_path / "units.csv"
    units.write_bytes(units_file().data)
    sites_csv = tmp_path / "sites.csv"
    sites_csv.write_text("unit_id,column,kind,url\n" + "".join(",".join(r) + "\n" for r in sites), encoding="utf-8")
    out = tmp_path / "monitor.csv"
    args = [sys.executable, "-m", "scoring.cli", "monitor", "--rubric", rubric, "--units", units,
            "--sites", sites_csv, "--period", "2017Q3", "--out", out, "--as-of", AS_OF, *extra]  # fmt: skip
    rss = tmp_path / "rss"
    if peak:
        wrap = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[2:]); "
                "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
                "sys.exit(p.returncode)")  # fmt: skip
        args = [sys.executable, "-c", wrap, rss, *args]
    p = subprocess.run(list(map(str, args)), capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    rows = read_rows(out) if out.exists() else None
    got = (
        {}
        if rows is None
        else {u: dict(zip(g["check_id"], g["value"], strict=True)) for u, g in rows.groupby("unit_id")}
    )
    ev = {} if rows is None else rows.set_index(["unit_id", "check_id"])["evidence"].to_dict()
    return p, {"values": got, "evidence": ev}, (int(rss.read_text()) / 1024 if peak else 0.0)


def test_link_probes_keep_no_bodies(tmp_path):
    """A home page linking 150 pages of 20 MB each (3 GB in all): the monitor streams each link's
    body through a hash and keeps none, so its peak memory stays far below one tenth of that."""
    big = b"\0" * (20 * 2**20)
    links = "".join(f'<a href="/big/{i}">附件{i}</a>' for i in range(150))
    routes = {
        "/c1/": fixed(page("甲县人民政府(示例)", f"<p>2017-09-25</p>{links}").encode()),
        "/c2/": fixed(good_home("乙县人民政府(示例)")),
        "/ok": fixed(page("示例", "").encode()),
        "/news": fixed(NEWS),
        **{f"/big/{i}": fixed(big, "application/octet-stream") for i in range(150)},
    }
    site, stop = serve(routes)
    try:
        p, got, peak_mb = monitor(tmp_path, [("C1", "首页", "home", site.url("/c1/")),
                                             ("C1", "工作动态", "news", site.url("/news")),
                                             ("C2", "首页", "home", site.url("/c2/"))], peak=True)  # fmt: skip
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert sum(h.startswith("/big/") for h in site.hits) == 150  # every link was probed, body and all
    assert got["values"]["C1"]["W5"] == "0" and "已检查链接 151 个:均可访问" in got["evidence"]["C1", "W5"]
    assert got["values"]["C2"]["W5"] == "0"
    assert peak_mb < 500, f"peak {peak_mb:.0f} MB"
    print(f"peak {peak_mb:.0f} MB")


def test_a_page_over_the_limit_is_unreadable_and_the_million_link_page_ends_in_seconds(tmp_path):
    """A home page of a million links (16 MB) is read no further than 5 MB: the probe answered
    (not unreachable), the page is unreadable (no date, no links), in seconds; the rest is measured."""
    million = ("<html><body><p>2017-09-30</p>" + "".join(f'<a href="/l{i}">x</a>' for i in range(1_000_000))).encode()
    site, stop = serve({"/c1/": fixed(million), "/c2/": fixed(good_home("乙县人民政府(示例)")),
                        "/ok": fixed(page("示例", "").encode()), "/news": fixed(NEWS)})  # fmt: skip
    db = tmp_path / "s.db"
    open_periods(db, "2017Q3")
    try:
        start = time.monotonic()
        p, got, _ = monitor(tmp_path, [("C1", "首页", "home", site.url("/c1/")),
                                       ("C1", "工作动态", "news", site.url("/news")),
                                       ("C2", "首页", "home", site.url("/c2/"))], "--db", db, timeout=120)  # fmt: skip
        took = time.monotonic() - start
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert took < 30
    assert not any(h.startswith("/l") for h in site.hits)
    assert site.hits.count("/ok") == 1  # the column's link was probed
    c1 = got["values"]["C1"]
    assert (c1["W1"], c1["W2"], c1["W5"]) == ("0", "0", "0")  # reachable, undated, no links probed
    assert "首页无法读取(网页超过 5 MB,未读取)" in got["evidence"]["C1", "W2"]
    assert "无法读取(网页超过 5 MB,未读取),其中链接未检查" in got["evidence"]["C1", "W5"]
    assert got["values"]["C2"] == {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0", "W6": "0"}
    # the store keeps every probe, and as evidence only the pages that were read whole
    stored = probes_table(open_store(db), "2017Q3").set_index("url")
    assert stored.loc[site.url("/c1/"), "evidence"] == "" and stored.loc[site.url("/c1/"), "failure"] == ""
    assert stored.loc[site.url("/c2/"), "evidence"].startswith("网页存档-")
    news = stored.loc[site.url("/news"), "evidence"]
    assert news.startswith("网页存档-") and got["evidence"]["C1", "W2"].endswith(f" | 存档 {news}")  # the home: none


def test_at_most_max_links_per_page_are_probed_and_the_rest_is_counted(tmp_path):
    links = "".join(f'<a href="/l{i}">链接{i}</a><a href="/l{i}#again">同一链接</a>' for i in range(2000))
    routes = {"/c1/": fixed(page("甲县人民政府(示例)", f"<p>2017-09-25</p>{links}").encode()),
              "/c2/": fixed(good_home("乙县人民政府(示例)")), "/ok": fixed(page("示例", "").encode()),
              **{f"/l{i}": fixed(b"<p>ok</p>") for i in range(2000)}}  # fmt: skip
    site, stop = serve(routes)
    try:
        p, got, _ = monitor(tmp_path, [("C1", "首页", "home", site.url("/c1/")),
                                       ("C2", "首页", "home", site.url("/c2/"))], "--max-links", 50)  # fmt: skip
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert sorted(h for h in site.hits if h.startswith("/l")) == sorted(f"/l{i}" for i in range(50))
    # the page whose links were checked is named, not only its archive (issue 31)
    assert got["evidence"]["C1", "W5"].startswith(
        f"已检查链接 50 个:均可访问 | 另有 1950 个链接未探测(每页最多探测 50 个) | 链接所在网页:{site.url('/c1/')} | 存档 "
    )
    assert got["values"]["C2"]["W5"] == "0"


def test_max_links_and_deadline_out_of_range_are_refused(tmp_path):
    p, _, _ = monitor(tmp_path, [("C1", "首页", "home", "http://127.0.0.1:9/")], "--max-links", 0)
    assert p.returncode == 2 and "--max-links 须为 1 到 100000 之间的整数" in p.stderr
    p, _, _ = monitor(tmp_path, [("C1", "首页", "home", "http://127.0.0.1:9/")], "--deadline", "nan")
    assert p.returncode == 2 and "--deadline 须为大于 0、不超过 1440 的分钟数" in p.stderr


@pytest.mark.parametrize("codec", HOSTILE_CODECS)
def test_a_codec_that_is_no_text_encoding_falls_back_as_the_spec_orders(codec):
    text = "<html><body><p>通知公告 2017-09-04</p></body></html>"
    for body, header in ((text.encode(), f"text/html; charset={codec}"),
                         (f'<meta charset="{codec}">{text}'.encode(), "text/html"),
                         (f'<meta http-equiv="Content-Type" content="text/html; charset={codec}">{text}'.encode("gbk"),
                          "text/html")):  # fmt: skip
        decoded, used = pages.decode(body, header)
        assert used in ("utf-8", "gb18030") and "通知公告 2017-09-04" in decoded
        assert pages.read_body(body, header, "http://h.invalid/", dt.date(2017, 10, 1)).newest_text == dt.date(
            2017, 9, 4
        )


@pytest.mark.parametrize(
    ("body", "content_type", "said"),
    [
        (b"", HTML, "网页内容为空(0 字节)"),
        (bytes(range(256)) * 64, "text/html", "内容不是可读的文本"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "不是网页(Content-Type: application/pdf)"),
        (b"<div>" * 100_000 + b"2017-09-04", HTML, "网页元素嵌套过深(约 100000 层)"),
        (b"</div>" * 200_000 + b"<div></span>" * 200_000, HTML, "网页元素嵌套过深(约 200000 层)"),
        (b"<optgroup>" * 400_000 + b"<pre>" * 100_000, HTML, "网页元素嵌套过深(约 500000 层)"),
        (b"<table><tr><td>" * 300_000, HTML, "网页的列表条目嵌套过深,5 秒内未能读完"),
        (b"<li><object>" * 300_000, HTML, "网页的列表条目嵌套过深,5 秒内未能读完"),
    ],
    ids=[
        "empty",
        "binary",
        "pdf",
        "nested",
        "nested-behind-stray-end-tags",
        "nested-optgroup-pre",
        "nested-tables",
        "nested-items",
    ],
)
def test_a_page_that_cannot_be_read_says_why_quickly(body, content_type, said):
    start = time.monotonic()
    with pytest.raises(pages.Unreadable, match=said.replace("(", r"\(").replace(")", r"\)")):
        pages.read_body(body, content_type, "http://h.invalid/", dt.date(2017, 10, 1))
    assert time.monotonic() - start < 15  # the items' budget (5 s) and the parse


LABELS = st.sampled_from(sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())))


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(st.binary(max_size=3000), st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    label=st.one_of(LABELS, st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", max_size=12)),
    where=st.sampled_from(["header", "meta", "both"]),
    media=st.sampled_from(["text/html", "application/octet-stream", "", "image/png", "application/xhtml+xml"]),
)
def test_any_bytes_under_any_label_give_a_page_or_a_reason(body, label, where, media):
    """Property: whatever the bytes and whatever codec the header or <meta> names (every alias
    Python knows, bytes-to-bytes codecs included, and made-up names), reading gives a Page or
    Unreadable with a reason, never another exception."""
    header = f"{media}; charset={label}" if where != "meta" else media
    if where != "header":
        body = f'<meta charset="{label}">'.encode() + body
    try:
        read = pages.read_body(body, header, "http://h.invalid/a/", dt.date(2017, 10, 1), max_links=5)
    except pages.Unreadable as exc:
        assert str(exc)
    else:
        assert len(read.links) <= 5 and read.unprobed >= 0


def test_hostile_pages_make_one_page_unreadable_never_the_run(tmp_path):
    """甲县's home declares base64 in its header and its columns are binary garbage, empty, a PDF,
    100 000 nested <div> and a rot13 <meta>; 乙县's home declares hex in <meta>. Exit 0, every
    unit's rows, the unreadable pages counted as empty columns with the reason."""
    nested = b"<html><body>" + b"<div>" * 100_000 + b"2017-09-04"
    rot13 = page("政策文件", '<ul><li><a href="/p1">示例</a> 2017-09-20</li></ul>', '<meta charset="rot13">')
    routes = {
        "/c1/": fixed(page("甲县人民政府(示例)", '<p>2017-09-25</p><a href="/ok">示例</a>').encode(),
                      "text/html; charset=base64"),
        "/c1/news/": fixed(bytes(range(256)) * 64, "text/html"),
        "/c1/notice/": fixed(b"", "text/html"),
        "/c1/static/": fixed(b"%PDF-1.4\n1 0 obj", "application/pdf"),
        "/c1/ysq/": fixed(nested),
        "/c1/policy/": fixed(rot13.encode(), "text/html"),
        "/c2/": fixed(page("乙县人民政府(示例)", '<p>2017-09-28</p><a href="/ok">示例</a>',
                           '<meta http-equiv="Content-Type" content="text/html; charset=hex">').encode(), "text/html"),
        "/c3/": fixed(good_home("丙县人民政府(示例)"), "text/html; charset=zlib"),
        "/ok": fixed(page("示例", "").encode()),
        "/p1": fixed(page("示例", "").encode()),
    }  # fmt: skip
    site, stop = serve(routes)
    u = site.url
    try:
        p, got, _ = monitor(tmp_path, [
            ("C1", "首页", "home", u("/c1/")), ("C1", "工作动态", "news", u("/c1/news/")),
            ("C1", "通知公告", "notice", u("/c1/notice/")), ("C1", "机构职能", "static", u("/c1/static/")),
            ("C1", "依申请公开", "page", u("/c1/ysq/")), ("C1", "政策文件", "policy", u("/c1/policy/")),
            ("C2", "首页", "home", u("/c2/")), ("C3", "首页", "home", u("/c3/")),
        ])  # fmt: skip
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert got["values"] == {
        "C1": {"W1": "0", "W2": "1", "W3": "0", "W4": "3", "W5": "0", "W6": "0"},
        "C2": {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0", "W6": "0"},
        "C3": {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0", "W6": "0"},
    }
    ev = got["evidence"]
    for said in ("「工作动态」" + u("/c1/news/") + ":无法读取(内容不是可读的文本", "无法读取(网页内容为空(0 字节))",
                 "无法读取(不是网页(Content-Type: application/pdf))"):  # fmt: skip
        assert said in ev["C1", "W4"], ev["C1", "W4"]
    assert "无法读取(网页元素嵌套过深(约 100000 层),不予解析)" in ev["C1", "W6"]
    assert "首页最新日期 2017-09-28" in ev["C2", "W2"]


def test_every_rule_works_with_home_pages_only(tmp_path):
    site, stop = serve({"/c1/": fixed(good_home("甲县人民政府(示例)")), "/c2/": fixed(good_home("乙县人民政府(示例)")),
                        "/ok": fixed(page("示例", "").encode())})  # fmt: skip
    try:
        p, got, _ = monitor(tmp_path, [("C1", "首页", "home", site.url("/c1/")),
                                       ("C2", "首页", "home", site.url("/c2/"))])  # fmt: skip
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert got["values"]["C1"] == got["values"]["C2"] == {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0",
                                                          "W6": "0"}  # fmt: skip
    assert got["evidence"]["C1", "W3"].startswith("站点清单中没有该单位的栏目(动态、通知公告、政策文件、静态) | 存档 ")


def test_every_rule_works_with_page_rows_or_one_kind_of_column(tmp_path):
    site, stop = serve({"/c1/": fixed(good_home("甲县")), "/c2/": fixed(good_home("乙县")),
                        "/ysq": fixed(page("依申请公开", '<a href="/ok">表</a>').encode()),
                        "/n": fixed(page("动态", '<ul><li><a href="/ok">示例</a> 2017-08-01</li></ul>').encode()),
                        "/ok": fixed(page("示例", "").encode())})  # fmt: skip
    try:
        p, got, _ = monitor(tmp_path, [("C1", "首页", "home", site.url("/c1/")),
                                       ("C1", "依申请公开", "page", site.url("/ysq")),
                                       ("C2", "首页", "home", site.url("/c2/")), ("C2", "动态", "news", site.url("/n"))])  # fmt: skip
    finally:
        stop()
    assert p.returncode == 0, p.stderr
    assert got["values"]["C1"] == {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0", "W6": "1"}
    assert got["values"]["C2"] == {"W1": "0", "W2": "1", "W3": "1", "W4": "0", "W5": "0", "W6": "0"}


def test_the_deadline_ends_the_run_with_what_it_has(tmp_path):
    """甲县's home links to pages that answer after 20 s; --deadline 0.05 (3 s) ends the run: 甲县
    gets no broken_links row (its links were not all probed), named on stderr; 乙县 (another host)
    and 甲县's other checks get every row."""
    routes = {"/c1/": fixed(page("甲县", '<p>2017-09-25</p><a href="/slow1">慢</a><a href="/slow2">慢</a>').encode()),
              "/slow1": fixed(b"<p>late</p>", delay=20), "/slow2": fixed(b"<p>late</p>", delay=20)}  # fmt: skip
    slow, stop_slow = serve(routes)
    other, stop_other = serve({"/c2/": fixed(good_home("乙县")), "/ok": fixed(page("示例", "").encode())})
    try:
        start = time.monotonic()
        p, got, _ = monitor(tmp_path, [("C1", "首页", "home", slow.url("/c1/")),
                                       ("C2", "首页", "home", other.url("/c2/"))], "--deadline", 0.05)  # fmt: skip
        took = time.monotonic() - start
    finally:
        stop_slow()
        stop_other()
    assert p.returncode == 0, p.stderr
    assert took < 15
    assert got["values"]["C1"] == {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W6": "0"}  # no W5
    assert got["values"]["C2"] == {"W1": "0", "W2": "1", "W3": "0", "W4": "0", "W5": "0", "W6": "0"}
    assert "已到时限(--deadline 0.05 分钟),2 个网址未访问或未读完" in p.stderr
    assert "未写出结果:甲县(C1)「链接可用」(W5)\n" in p.stderr


def _gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed in a stream (about 1,000 : 1)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 2**20
    return b"".join(packer.compress(block) for _ in range(size // 2**20)) + packer.flush()


def test_compressed_pages_are_inflated_within_the_limit():
    """A page sent gzip or deflate (zlib or raw) reads as itself; a 256 MB gzip bomb (260 KB sent) stops
    at the 5 MB limit, having read a sliver of what was sent; a damaged or unknown compression makes
    the page unreadable; a link's body is never inflated at all."""
    import asyncio
    import gzip
    import zlib

    from scoring.monitor.fetch import Fetcher

    html = page("示例", "<ul><li><a href='/x'>条目</a> 2017-09-04</li></ul>").encode()
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    bomb = _gzip_bomb(2**28)
    routes = {
        "/gzip": fixed(gzip.compress(html)),
        "/zlib": fixed(zlib.compress(html)),
        "/raw": fixed(raw.compress(html) + raw.flush()),
        "/bomb": fixed(bomb),
        "/damaged": fixed(gzip.compress(html)[:20] + b"\xff" * 40),
        "/br": fixed(b"\x1b\x00"),
    }
    coding = {"/gzip": "gzip", "/zlib": "deflate", "/raw": "deflate", "/bomb": "gzip", "/damaged": "gzip", "/br": "br"}
    for path, enc in coding.items():
        body = routes[path]()[2]
        routes[path] = fixed(body, HTML, encoding=enc)
    site, stop = serve(routes)
    try:

        async def probe(keep: bool):
            async with Fetcher([site.url("/")], timeout_s=30) as f:
                return await f.probe_all([site.url(p) for p in coding], keep_body=keep)

        pages_, links = asyncio.run(probe(True)), asyncio.run(probe(False))
    finally:
        stop()
    for path in ("/gzip", "/zlib", "/raw"):
        got = pages_[site.url(path)]
        assert got.ok and got.body == html and not got.unread, path
    assert pages_[site.url("/bomb")].unread == "网页超过 5 MB,未读取" and pages_[site.url("/bomb")].body == b""
    assert pages_[site.url("/bomb")].length < len(bomb) // 2  # stopped reading early
    assert pages_[site.url("/damaged")].unread == "压缩内容已损坏,无法解压"
    assert pages_[site.url("/br")].unread.startswith("内容编码 br 无法解读")
    # links: answered, counted as sent, nothing kept or inflated
    assert all(p.ok and p.body == b"" and not p.unread for p in links.values())
    assert links[site.url("/bomb")].length == len(bomb)
