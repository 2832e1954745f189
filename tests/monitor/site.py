"""A fake government website family served on loopback for the monitor's tests: UTF-8, GBK with
and without a declaration, every date form, stale, empty and failing columns, broken links of every
kind, a slow home page, redirects (one chain too long, one to a host nobody listed), a home page
that fails on some runs. Every page is plainly fake (示例 / 测试) and carries no real address."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Route = tuple[int, dict[str, str], bytes] | Callable[[], tuple[int, dict[str, str], bytes]]

HTML = "text/html; charset=utf-8"


def page(title: str, body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def items(rows: list[tuple[str, str]], table: bool = False) -> str:
    """List items (or table rows) of a column: (link, text with its date)."""
    if table:
        return (
            "<table>"
            + "".join(f'<tr><td><a href="{h}">示例文件</a></td><td>{t}</td></tr>' for h, t in rows)
            + "</table>"
        )
    return "<ul>" + "".join(f'<li><a href="{h}">测试信息</a> <span>{t}</span></li>' for h, t in rows) + "</ul>"


@dataclass
class Site:
    port: int
    routes: dict[str, Route]
    hits: list[str] = field(default_factory=list)
    agents: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(routes: dict[str, Route], host: str = "127.0.0.1") -> tuple[Site, Callable[[], None]]:
    """Serve ``routes`` (path → (status, headers, body) or a function giving one) in a thread."""
    site = Site(0, routes)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits.append(self.path)
            site.agents.add(self.headers.get("User-Agent", ""))
            route = routes.get(self.path.split("#")[0])
            if route is None:
                status, headers, body = (
                    404,
                    {"Content-Type": HTML},
                    page("未找到", "<p>示例网站:页面不存在</p>").encode(),
                )
            else:
                status, headers, body = route() if callable(route) else route
            delay = float(headers.pop("X-Delay", 0)) if "X-Delay" in headers else 0
            if delay:
                time.sleep(delay)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            import sys

            # a monitor that stops reading a page past its size limit closes the connection mid-body
            if not isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
                super().handle_error(request, client_address)

    server = Server((host, 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return site, stop


def ok(html: str, content_type: str = HTML, encoding: str = "utf-8", delay: float = 0) -> Route:
    headers = {"Content-Type": content_type}
    if delay:
        headers["X-Delay"] = str(delay)
    return lambda: (200, dict(headers), html.encode(encoding))


def redirect(to: str, status: int = 302) -> Route:
    return (status, {"Location": to}, b"")


def fixture_routes(closed: int, elsewhere: str) -> dict[str, Route]:
    """The three units' sites (as-of 2017-10-01); the values each rule must give are in the tests."""
    gone = "<p>示例</p>"
    routes: dict[str, Route] = {
        # 甲县: UTF-8 declared in the header
        "/c1/": ok(
            page(
                "甲县人民政府(示例)",
                f"""
            <p>更新日期:2017-09-25</p><!-- 2017-09-30 --><script>var d = "2017-09-30";</script>
            <div data-d="2017-09-30"></div>
            <a href="/c1/news/">工作动态</a> <a href="/c1/notice/">通知公告</a> <a href="/c1/policy/">政策文件</a>
            <a href="/c1/gone">失效链接</a> <a href="/c1/gone#top">同一失效链接</a> <a href="/c1/error">出错页面</a>
            <a href="http://127.0.0.1:{closed}/x">关闭的端口</a> <a href="/c1/moved">已迁移</a>
            <a href="/c1/loop0">重定向过多</a> <a href="/c1/away">重定向到别处</a>
            <img src="/c1/missing.png"> <a href="mailto:test@example.invalid">邮件</a> <a href="javascript:void(0)">脚本</a>
            <link rel="stylesheet" href="{elsewhere}style.css"><script src="{elsewhere}count.js"></script>
        """,
            )
        ),
        "/c1/news/": ok(
            page(
                "工作动态", items([("/c1/n1", "2017-9-28 10:30"), ("/c1/n2", "2017-09-01"), ("/c1/gone", "2017-08-01")])
            )
        ),
        "/c1/notice/": ok(
            page(
                "通知公告",
                items(
                    [("/c1/t1", "2017/02/30 2017/03/01"), ("/c1/t2", "2016/12/01"), ("/c1/old-404", "2016/11/01")],
                    table=True,
                ),
            )
        ),
        "/c1/policy/": ok(page("政策文件", items([("/c1/p1", "关于印发示例办法的通知"), ("/c1/p2", "示例政策")]))),
        "/c1/ysq/": ok(page("依申请公开", '<a href="/c1/form">申请表(示例)</a>')),
        "/c1/error": (500, {"Content-Type": HTML}, gone.encode()),
        "/c1/moved": redirect("/c1/news/", 301),
        "/c1/away": redirect(elsewhere),
        **{f"/c1/loop{i}": redirect(f"/c1/loop{i + 1}") for i in range(6)},
        "/c1/loop6": ok(page("终点", "")),
        # 乙县: GBK, declared only in <meta> (the header names no charset)
        "/c2/": ok(
            page(
                "乙县人民政府(示例)",
                """
            <p>发布时间:2017年8月1日</p><p>版权所有 2099-01-01</p><p>2017年13月1日</p>
            <a href="/c2/news/">政务动态</a> <a href="/c2/policy/">政策解读</a>
        """,
                '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            ),
            "text/html",
            "gbk",
        ),
        "/c2/news/": ok(
            page("政务动态", items([("/c2/n1", "2017.09.20"), ("/c2/n2", "2017.9.2")]), '<meta charset="gbk">'),
            "text/html",
            "gbk",
        ),
        "/c2/policy/": ok(
            page("政策解读", items([("/c2/p1", "2017年3月5日"), ("/c2/p2", "2016年12月31日")]), '<meta charset="gbk">'),
            "text/html",
            "gbk",
        ),
        # 丙县: GB18030 with no declaration at all; the home page slower than the timeout
        "/c3/": ok(page("丙县人民政府(示例)", "<p>2017-09-30</p>"), "text/html", "gb18030", delay=3),
        "/c3/notice/": ok(
            page("通知公告", items([("/c3/ok", "2017-09-04"), ("/c3/t2", "2017-08-04")])), "text/html", "gb18030"
        ),
        "/c3/news/": (500, {"Content-Type": HTML}, gone.encode()),
        "/c3/ysq/": ok(page("依申请公开", "<p>暂无内容(示例)</p>")),
        "/c3/ok": ok(page("示例", "")),
    }
    for path in (
        "/c1/n1",
        "/c1/n2",
        "/c1/t1",
        "/c1/t2",
        "/c1/p1",
        "/c1/p2",
        "/c1/form",
        "/c2/n1",
        "/c2/n2",
        "/c2/p1",
        "/c2/p2",
        "/c3/t2",
    ):
        routes.setdefault(path, ok(page("示例文章", "<p>测试</p>")))
    return routes


def sites_rows(site: Site) -> list[tuple[str, str, str, str]]:
    u = site.url
    return [
        ("C1", "首页", "home", u("/c1/")),
        ("C1", "工作动态", "news", u("/c1/news/")),
        ("C1", "通知公告", "notice", u("/c1/notice/")),
        ("C1", "政策文件", "policy", u("/c1/policy/")),
        ("C1", "机构职能", "static", u("/c1/static/")),
        ("C1", "依申请公开", "page", u("/c1/ysq/")),
        ("C2", "首页", "home", u("/c2/")),
        ("C2", "政务动态", "news", u("/c2/news/")),
        ("C2", "政策解读", "policy", u("/c2/policy/")),
        ("C3", "首页", "home", u("/c3/")),
        ("C3", "通知公告", "notice", u("/c3/notice/")),
        ("C3", "动态", "news", u("/c3/news/")),
        ("C3", "依申请公开", "page", u("/c3/ysq/")),
    ]
