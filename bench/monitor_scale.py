"""The website monitor at scale (issue 19): 500 sites × about 40 pages on loopback.

    python bench/monitor_scale.py [--sites 500] [--articles 9] [--concurrency 32]

A separate process serves the demo's fake sites (scoring/monitor/demo_site.py), one 127.0.0.1
port per site so that each is its own host to the monitor's per-host limits; then ``assess
monitor`` runs on the shipped website-inspection rubric (every rule that needs no history, and
unreachable), as a fresh process whose wall time and peak memory (ru_maxrss) are reported. With
``--articles 9`` a site has 42 pages: home, five column pages and nine articles in each of four list
columns, all probed (the articles as the columns' links). Deterministic; results to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2018, 6, 29)


def _serve(n: int, articles: int, ready, ports_out) -> None:
    from scoring.monitor.demo_site import demo_pages
    from scoring.monitor.loopback import serve_sites

    ports, _ = serve_sites([demo_pages(f"S{i:04d}", f"演示单位{i}", AS_OF, articles) for i in range(n)])
    ports_out.extend(ports)
    ready.set()
    while True:
        time.sleep(3600)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--articles", type=int, default=9)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    import pandas as pd

    from scoring.monitor.demo_site import demo_sites_frame

    manager = multiprocessing.Manager()
    ready, ports = manager.Event(), manager.list()
    server = multiprocessing.Process(target=_serve, args=(args.sites, args.articles, ready, ports), daemon=True)
    server.start()
    ready.wait(120)
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    roster = pd.DataFrame({"unit_id": [f"S{i:04d}" for i in range(args.sites)],
                           "name": [f"演示单位{i}" for i in range(args.sites)], "group": "county"})  # fmt: skip
    roster.to_csv(work / "units.csv", index=False)
    demo_sites_frame(roster, list(ports)).to_csv(work / "sites.csv", index=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "monitor", "--rubric", ROOT / "rubrics" / "website-inspection.yaml",
                        "--units", work / "units.csv", "--sites", work / "sites.csv", "--period", "2018Q2",
                        "--out", work / "monitor.csv", "--as-of", AS_OF.isoformat(),
                        "--concurrency", str(args.concurrency)], capture_output=True, text=True)  # fmt: skip
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    server.terminate()
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return 1
    rows = pd.read_csv(work / "monitor.csv", dtype=str)
    print(p.stdout.strip())
    print(f"| sites | probes | rows | wall time | peak memory (monitor process) |\n|---|---|---|---|---|\n"
          f"| {args.sites} | {p.stdout.split('、')[1].split(' 个网址')[0]} | {len(rows)} | {took:.1f} s | "
          f"{max(peak, before) / 1024:.0f} MB |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
