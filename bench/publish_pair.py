"""A province's publication, old code against new, on copies of one store (issue 34).

    git archive <old commit> | tar -x -C /tmp/old-tree
    python bench/publish_pair.py --old /tmp/old-tree [--work DIR] [--trials 5] [--period 2017Q3 ...]

Builds (once, in ``--work``) the rounds ``bench/app_scale.py`` publishes — 2,000 units, three
rounds of 595 k findings as offices send them, imported with ``bench/import_pair.py``'s inputs —
and moves the three to the appeal window, as app_scale.py does before publishing them. The store is
made by this checkout's code: a tree older than its schema refuses it (compare such a tree on a
store its own code built, as ``bench/RESULTS.md`` says was done for 1185749).

Each trial runs ``assess publish`` of each period from each source tree in turn, each a fresh
process on a fresh copy of the store, and checks that both print the same digest (the same
revision stored). Reported per period and tree: median wall time, median CPU time (user + system
of the process and its threads) and the largest peak resident memory (VmHWM). Markdown to stdout.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth
from import_pair import ROOT, assess, build, fresh_copy, pair_parser


def publish(tree: Path, db: Path, period: str, peak: Path) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak MB, digest printed) of ``assess publish`` run from ``tree``."""
    wall, cpu, mb, out = assess(tree, ["publish", "--db", str(db), "--period", period], peak)
    digest = re.search(r"[0-9a-f]{64}", out)
    return wall, cpu, mb, digest.group(0) if digest else ""


def in_appeal(work: Path) -> Path:
    """A store holding the first three rounds, each in the appeal window (made once)."""
    store = work / "appeal3.db"
    if store.exists():
        return store
    base, _ = build(work, into_three=True)
    made = work / "making-appeal.db"
    shutil.copy(base, made)
    for period in synth.PERIODS[:3]:
        for status in ("feedback", "appeal"):
            subprocess.run([sys.executable, "-m", "scoring.cli", "rounds", "--db", str(made), "--period", period,
                            "--status", status], cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    made.rename(store)
    return store


def main() -> None:
    p = pair_parser(__doc__, "publish-pair", 5)
    p.add_argument("--period", action="append", help="the rounds to publish (default: the three)")
    args = p.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = in_appeal(args.work)
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    periods = args.period or synth.PERIODS[:3]
    print("| round | code | wall s (median) | CPU s (median) | peak MB (largest) | load |")
    print("|---|---|---|---|---|---|")
    for period in periods:
        runs: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in trees}
        loads = []
        for trial in range(args.trials):
            for name, tree in trees.items():
                db = args.work / "trial.db"
                fresh_copy(store, db)
                runs[name].append(publish(tree, db, period, args.work / "peak.txt"))
                loads.append(os.getloadavg()[0])
                wall, cpu, peak, digest = runs[name][-1]
                print(f"{period} trial {trial + 1} {name}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak {peak:.0f} MB, "
                      f"digest {digest[:12]}, load {loads[-1]:.1f}", file=sys.stderr, flush=True)  # fmt: skip
        if len({r[3] for got in runs.values() for r in got}) != 1:
            raise SystemExit(f"{period}: the trees published different digests")
        for name, got in runs.items():
            print(f"| {period} | {name} | {statistics.median(r[0] for r in got):.2f} | "
                  f"{statistics.median(r[1] for r in got):.2f} | {max(r[2] for r in got):.0f} | "
                  f"{min(loads):.1f}–{max(loads):.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
