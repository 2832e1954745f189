"""``assess store copy`` at province scale (issue 30): a SQLite store into PostgreSQL and back.

    python bench/store_copy_scale.py --db STORE.db

STORE.db is a province's store, e.g. the one ``python bench/app_scale.py --work DIR --keep`` builds
(DIR/scale.db: 2,000 units × 4 rounds, 2.4 M findings, three rounds published). A durable
PostgreSQL cluster (fsync on) is started for the run as bench/app_scale.py starts one; each copy is
a fresh ``assess store copy`` process, verification included, whose wall time, CPU time (its own,
and the server's) and own peak memory are printed as a Markdown table, which bench/RESULTS.md quotes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_scale import PostgresStore, measured


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", type=Path, required=True, help="the SQLite store to copy")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="store-copy-"))
    server = PostgresStore()
    try:
        server.fresh()
        back = work / "back.db"
        rows = []
        for what, src, dst in (("SQLite → PostgreSQL", str(args.db), server.location),
                               ("PostgreSQL → SQLite", server.location, str(back))):  # fmt: skip
            seconds, peak, cpu, server_cpu = measured(["store", "copy", src, dst], work, server)
            rows.append((what, seconds, cpu, server_cpu, peak))
            print(f"{what}: {seconds:.1f} s", flush=True)
    finally:
        server.stop()
    size = args.db.stat().st_size / 2**20
    print(f"\n| copy ({size:,.0f} MB store, verified) | wall s | CPU s, assess | CPU s, server | peak MB |")
    print("|---|---|---|---|---|")
    for what, seconds, cpu, server_cpu, peak in rows:
        print(f"| {what} | {seconds:.1f} | {cpu:.1f} | {server_cpu:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
