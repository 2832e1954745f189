"""A fake site family for the content rules (SPEC 4a), served on loopback, as of 2017-10-01: wrong
wording (one inside a right form), ID numbers of every kind (valid, bad check digit, masked, inside
a longer run of digits, born after as-of) on pages and in an attachment of each format, links
hidden by each kind of style beside visible ones, messages answered in time, late, unanswered
old and recent, an article beyond max_articles, and hostile attachments. Every page is plainly
fake (示例); the ID numbers are made up for these tests and belong to no one."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
from monitor.site import Route, items, ok, page

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(first17: str) -> str:
    """A number with a valid GB 11643 check digit (hand-written, apart from the engine's)."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def bad_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# valid numbers, each planted once (V1 on two pages)
V = {
    "page": id_number("34130119900307121"),  # on the home page and on article n1
    "pdf": id_number("34130219850615002"),
    "docx": id_number("34130319720101003"),
    "xlsx": id_number("34132219600229004"),  # 1960 is a leap year
    "csv": id_number("34132319991231005"),
    "txt": id_number("34132419550505006"),
    "other": id_number("34132519880808007"),  # C2's plain-text attachment, beside the hostile ones
}
INVALID = bad_check(id_number("34130119800101008"))
FUTURE = id_number("34130120990101009")  # born 2099: no resident's number as of 2017
AFTER_AS_OF = id_number("34130120171002001")  # born the day after as-of
EMBEDDED = "88" + id_number("34130119700101002") + "7"  # inside a 21-digit serial number
MASKED = "3413************12"
# the numbers a leak scan looks for (the embedded one is no ID number: its digits stay)
PLANTED = [*V.values(), INVALID, FUTURE, AFTER_AS_OF]

WORDS_CSV = (
    "错误表述,正确表述,严重程度\n"
    "国土资源局,自然资源和规划局,严重\n"
    "苏洲,苏州,一般\n"
    "江苏州际,江苏洲际,一般\n"  # 江苏洲际 is a right form: the 苏洲 inside it is no error
    "环境保护局,生态环境局,严重\n"
)

HIDDEN = "http://casino.example.invalid/"
QUERY = f"?sfzh={V['page']}"  # a message's address that carries the asker's number


def hidden_block() -> str:
    """Links hidden every way SPEC 4a names (h1-h6) beside links that are not (v1-v4)."""
    h = HIDDEN
    return f"""
    <div style="display: none"><a href="{h}h1">示例</a></div>
    <span style="VISIBILITY:hidden;"><a href="{h}h2">示例</a></span>
    <p style="font-size:0px"><a href="{h}h3">示例</a></p>
    <div style="width:0;height:10px;overflow:hidden"><ul><li><a href="{h}h4">示例</a></li></ul></div>
    <div style="position:absolute; top:-1200px"><a href="{h}h5">示例</a></div>
    <section hidden><div><a href="{h}h6">示例</a></div></section>
    <a href="{h}v1">可见链接(示例)</a>
    <div style="position:absolute;left:-10px"><a href="{h}v2">仅略微偏移</a></div>
    <div style="width:0"><a href="{h}v3">宽为 0 但未隐藏溢出</a></div>
    <div style="display:none"><a href="/d1/">本站首页(本站的主机不计)</a></div>
    <a style="display:block" href="{h}v4">示例</a>
    """


def pdf_with(text: str) -> bytes:
    """A one-page PDF written by hand (Helvetica, ASCII text), with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def docx_with(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph("示例名单(测试用,非真实)")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "示例人员"
    table.rows[0].cells[1].text = text
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_with(text: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws.append(["示例人员", text])  # as text, as a published list keeps it
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb_docx() -> bytes:
    """A .docx whose document part inflates 10 MB of blanks from a few KB (ratio far past 500)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b" " * (10 * 2**20))
    return buf.getvalue()


def _file(body: bytes, ctype: str) -> Route:
    return lambda: (200, {"Content-Type": ctype}, body)


def content_routes() -> dict[str, Route]:
    """C1 (甲县) holds every planted finding; C2 (乙县) the hostile attachments."""
    v = V
    routes: dict[str, Route] = {
        "/d1/": ok(
            page(
                "甲县人民政府(示例)",
                f"""
            <p>2017-09-30 示例市国土资源局发布 国土资源局 江苏洲际酒店(示例)</p>
            <p>公示:{v["page"]} 校验位错误 {INVALID} 已遮盖 {MASKED} 出生日期在将来 {FUTURE} {AFTER_AS_OF}
               流水号 {EMBEDDED}</p>
            <a href="/d1/news/">工作动态</a> <a href="/d1/policy/">政策文件</a> <a href="/d1/msg/">留言</a>
            {hidden_block()}""",
            )
        ),
        # n3 first in page order but the oldest: with --max-articles 2 it is not read
        "/d1/news/": ok(
            page("工作动态", items([("/d1/n3", "2017-08-01"), ("/d1/n1", "2017-09-28"), ("/d1/n2", "2017-09-20")]))
        ),
        "/d1/n1": ok(page("示例新闻一", f"<p>苏洲示例 国土资源局 {v['page']}</p>")),
        "/d1/n2": ok(
            page(
                "示例新闻二",
                f"""<p>示例</p>
            <div style="display:none"><a href="{HIDDEN}h1">同一目标</a></div>
            <div style="display:none"><div><p><a href="{HIDDEN}h7">祖先元素隐藏</a></p></div></div>""",
            )
        ),
        "/d1/n3": ok(page("示例新闻三", f"<p>环境保护局 {v['other']}</p>")),
        "/d1/policy/": ok(page("政策文件", items([("/d1/p1", "2017-09-10"), ("/d1/f/list.csv", "2017-09-09")]))),
        "/d1/p1": ok(
            page(
                "示例政策",
                """<a href="/d1/f/list.pdf">名单.pdf</a> <a href="/d1/f/copy.pdf">同一名单</a>
            <a href="/d1/f/list.docx">名单.docx</a> <a href="/d1/f/list.xlsx">名单.xlsx</a>
            <a href="/d1/f/note.txt">说明.txt</a>""",
            )
        ),
        "/d1/f/list.pdf": _file(pdf_with(f"ID {v['pdf']}"), "application/pdf"),
        "/d1/f/copy.pdf": _file(pdf_with(f"ID {v['pdf']}"), "application/pdf"),
        "/d1/f/list.docx": _file(docx_with(v["docx"]), "application/octet-stream"),
        "/d1/f/list.xlsx": _file(xlsx_with(v["xlsx"]), "application/octet-stream"),
        "/d1/f/list.csv": _file(f"姓名,身份证号\n示例人员,{v['csv']}\n".encode("gb18030"), "text/csv"),
        "/d1/f/note.txt": _file(f"示例说明:环境保护局 {v['txt']}".encode(), "text/plain"),
        # as of 2017-10-01, days 90: m1 in time, m2 answered after 122 days, m3 unanswered for 153,
        # m4 asked 11 days ago, m5 unanswered for exactly 90 (not more): 2 counted (m2, m3)
        "/d1/msg/": ok(
            page(
                "留言",
                "<table>"
                + "".join(
                    f'<tr><td><a href="/d1/m{i}{QUERY if i == 4 else ""}">{t}</a></td><td>{d}</td></tr>'
                    for i, t, d in (
                        (1, "示例咨询一", "留言 2017-09-01 答复 2017-09-05"),
                        (2, "示例咨询二", "留言 2017-03-01 答复 2017-07-01"),
                        (3, "示例咨询三", "留言 2017-05-01 未答复"),
                        (4, "示例咨询四", "留言 2017-09-20"),
                        (5, "示例咨询五", "留言 2017-07-03"),
                    )
                )
                + "</table>",
            )
        ),
        "/c2/": ok(
            page(
                "乙县人民政府(示例)",
                """<p>2017-09-30</p>
            <a href="/c2/f/bomb.docx">压缩炸弹</a> <a href="/c2/f/huge.pdf">超大 PDF</a> <a href="/c2/f/ok.txt">说明</a>""",
            )
        ),
        "/c2/f/bomb.docx": _file(zip_bomb_docx(), "application/octet-stream"),
        "/c2/f/huge.pdf": _file(b"%PDF-1.4\n" + b"0" * (21 * 2**20), "application/pdf"),
        "/c2/f/ok.txt": _file(f"示例 {v['other']}".encode(), "text/plain"),
    }
    for i in range(1, 6):
        routes[f"/d1/m{i}{QUERY if i == 4 else ''}"] = ok(page(f"示例咨询{i}", "<p>示例</p>"))
    # a clean site, and one whose only article answers after 3 s (for a deadline)
    routes["/clean/"] = ok(page("丙县人民政府(示例)", "<p>2017-09-30 苏州市自然资源和规划局(示例)</p>"))
    routes["/slow/"] = ok(page("丙县人民政府(示例)", '<p>2017-09-30</p><a href="/slow/news/">动态</a>'))
    routes["/slow/news/"] = ok(page("动态", items([("/slow/a1", "2017-09-29")])))
    routes["/slow/a1"] = ok(page("示例", f"<p>{V['other']}</p>"), delay=3)
    return routes


def content_sites(url) -> list[tuple[str, str, str, str]]:
    return [
        ("C1", "首页", "home", url("/d1/")),
        ("C1", "工作动态", "news", url("/d1/news/")),
        ("C1", "政策文件", "policy", url("/d1/policy/")),
        ("C1", "留言", "messages", url("/d1/msg/")),
        ("C2", "首页", "home", url("/c2/")),
    ]
