"""The website monitor at scale (issues 19 and 31): 500 sites × about 40 pages on loopback, and
with ``--articles 20 --attachments 4`` the content rules' articles and attachments.

    python bench/monitor_scale.py [--sites 500] [--articles 9] [--attachments 0] [--concurrency 32]

A separate process serves the demo's fake sites (scoring/monitor/demo_site.py), one 127.0.0.1
port per site so that each is its own host to the monitor's per-host limits; then ``assess
monitor`` runs on the shipped website-inspection rubric (every rule that needs no history, and
unreachable), as a fresh process whose wall time and peak memory (ru_maxrss) are reported. With
``--articles 9`` a site has 42 pages: home, five column pages and nine articles in each of four list
columns, all probed (the articles as the columns' links). With ``--attachments K`` each site also
serves K attachments (PDF, DOCX, XLSX, TXT in turn, each distinct, a few KB with a made-up ID
number and an outdated agency name), each article links one of them, and the run reads them with
``--words sample_data/words.csv``: the rubric's content rules then read every article and
attachment. Both processes' CPU time is reported beside wall time (the machine is shared). ``BENCH_PROFILE=1``
writes a pyinstrument profile of the monitor to /tmp/monitor-profile.txt. Deterministic; results to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2018, 6, 29)


def _attachment(kind: str, unit: str, k: int) -> bytes:
    """A small attachment of ``kind``, distinct per site and number (so that none is read once for all)."""
    import io

    text = f"演示单位 {unit} 附件 {k}:原国土资源局 示例号码 11010519491231002X"
    if kind == "pdf":
        sys.path.insert(0, str(ROOT / "tests"))
        from monitor.content_site import pdf_with

        return pdf_with(f"demo {unit} {k} 11010519491231002X")
    if kind == "docx":
        import docx

        d = docx.Document()
        for _ in range(20):
            d.add_paragraph(text)
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()
    if kind == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        for r in range(50):
            wb.active.append([unit, k, r, text])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    return (text + "\n").encode() * 50


def _with_attachments(pages: dict, unit: str, count: int) -> dict:
    """The demo site with ``count`` attachments, each article linking one of them."""
    kinds = ("pdf", "docx", "xlsx", "txt")
    files = {f"/files/f{k}.{kinds[k % 4]}": _attachment(kinds[k % 4], unit, k) for k in range(count)}
    out = dict(pages)
    names = list(files)
    articles = sorted(p for p in pages if p.rsplit("/", 1)[-1].startswith("a") and p.endswith(".html"))
    for i, path in enumerate(articles):
        status, ctype, body = pages[path]
        link = f'<a href="{names[i % len(names)]}">附件</a>'.encode()
        out[path] = (status, ctype, body.replace(b"</body>", link + b"</body>"))
    out.update({name: (200, "application/octet-stream", data) for name, data in files.items()})
    return out


def _serve(n: int, articles: int, attachments: int, ready, ports_out) -> None:
    from scoring.monitor.demo_site import demo_pages
    from scoring.monitor.loopback import serve_sites

    sites = [demo_pages(f"S{i:04d}", f"演示单位{i}", AS_OF, articles) for i in range(n)]
    if attachments:
        sites = [_with_attachments(p, f"S{i:04d}", attachments) for i, p in enumerate(sites)]
    ports, _ = serve_sites(sites)
    ports_out.extend(ports)
    ready.set()
    while True:
        time.sleep(3600)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--articles", type=int, default=9)
    ap.add_argument("--attachments", type=int, default=0)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    import pandas as pd

    from scoring.monitor.demo_site import demo_sites_frame

    manager = multiprocessing.Manager()
    ready, ports = manager.Event(), manager.list()
    server = multiprocessing.Process(
        target=_serve, args=(args.sites, args.articles, args.attachments, ready, ports), daemon=True
    )
    server.start()
    ready.wait(120)
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    roster = pd.DataFrame({"unit_id": [f"S{i:04d}" for i in range(args.sites)],
                           "name": [f"演示单位{i}" for i in range(args.sites)], "group": "county"})  # fmt: skip
    roster.to_csv(work / "units.csv", index=False)
    demo_sites_frame(roster, list(ports)).to_csv(work / "sites.csv", index=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = _cpu_of(server.pid)
    start = time.perf_counter()
    content = ["--words", ROOT / "sample_data" / "words.csv", "--max-articles", str(args.articles)]
    prof = ["-m", "pyinstrument", "-o", "/tmp/monitor-profile.txt"] if os.environ.get("BENCH_PROFILE") else []
    p = subprocess.run([sys.executable, *prof, "-m", "scoring.cli", "monitor", "--rubric", ROOT / "rubrics" / "website-inspection.yaml",
                        "--units", work / "units.csv", "--sites", work / "sites.csv", "--period", "2018Q2",
                        "--out", work / "monitor.csv", "--as-of", AS_OF.isoformat(),
                        "--concurrency", str(args.concurrency), *content], capture_output=True, text=True)  # fmt: skip
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = after.ru_maxrss
    server_cpu = _cpu_of(server.pid) - server_before
    server.terminate()
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return 1
    rows = pd.read_csv(work / "monitor.csv", dtype=str)
    print(p.stdout.strip())
    warned = p.stderr.count("未能读取")
    print(f"| sites | articles per column | attachments per site | probes | rows | not read | wall time | "
          f"CPU monitor | CPU server | peak memory (monitor process) |\n|---|---|---|---|---|---|---|---|---|---|\n"
          f"| {args.sites} | {args.articles} | {args.attachments} | {p.stdout.split('、')[1].split(' 个网址')[0]} | "
          f"{len(rows)} | {warned} | {took:.1f} s | {cpu:.1f} s | {server_cpu:.1f} s | {peak / 1024:.0f} MB |")  # fmt: skip
    return 0


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) the serving process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
