"""A province's import, old code against new, on copies of one store (issue 34).

    git archive <old commit> | tar -x -C /tmp/old-tree
    python bench/import_pair.py --old /tmp/old-tree [--work DIR] [--trials 3] [--into-three]

Builds (once, in ``--work``) the inputs ``bench/app_scale.py`` imports — 2,000 units, a round of
595 k findings as offices send them (rows shuffled, a page URL per finding, Chinese remarks) — and
a store with the four periods opened; with ``--into-three`` the first three rounds are imported
first, so that the round measured is the fourth, as the last import of app_scale.py is.

Each trial runs ``assess import`` of the 2017Q3 round (2018Q2 with ``--into-three``) from each
source tree in turn, each as a fresh process on a fresh copy of the store: paired runs, so that a
shared machine's load falls on both alike. Reported per tree: the median wall time, the median CPU
time (user + system of the process and its threads: what the import costs, whatever the load), and
the largest peak resident memory (the process's own VmHWM). Markdown to stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth
from app_scale import _OWN_PEAK

ROOT = Path(__file__).resolve().parent.parent


def assess(tree: Path, args: list[str], peak: Path) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak MB, what it printed) of one ``assess`` command run from ``tree`` as a
    fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _OWN_PEAK, str(peak), *args], cwd=tree, capture_output=True,
                          text=True, check=False, env={**os.environ, "PYTHONPATH": str(tree)})  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"assess {' '.join(args)} failed in {tree}:\n{proc.stdout}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(peak.read_text()) / 1024, proc.stdout


def fresh_copy(store: Path, db: Path) -> None:
    """``db`` made a copy of ``store``, with no WAL of an earlier trial beside it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(store, db)


def build(work: Path, into_three: bool) -> tuple[Path, list[str]]:
    """The store to copy and the import's arguments (with ``{db}`` for the copy's path)."""
    rubric, units = work / "bench.json", work / "units.csv"
    base = work / ("base3.db" if into_three else "base0.db")
    csvs = {p: work / f"results-{p}.csv" for p in synth.PERIODS}
    if not all(c.exists() for c in csvs.values()):
        synth.write_rubric(rubric)
        roster, rows = synth.findings(2000 * 300 * len(synth.PERIODS))
        roster.to_csv(units, index=False)
        for period, path in csvs.items():
            synth.as_offices_send(rows[rows["period"] == period]).to_csv(path, index=False)
    if not base.exists():
        made = work / "making.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{made}{suffix}").unlink(missing_ok=True)
        steps = [["rounds", "--db", str(made), "--open", "--period", p] for p in synth.PERIODS]
        steps += [["import", "--db", str(made), "--rubric", str(rubric), "--units", str(units),
                   "--results", str(csvs[p])] for p in (synth.PERIODS[:3] if into_three else [])]  # fmt: skip
        for step in steps:
            subprocess.run([sys.executable, "-m", "scoring.cli", *step], cwd=ROOT, check=True, capture_output=True)
        made.rename(base)
    period = synth.PERIODS[3] if into_three else synth.PERIODS[0]
    return base, ["import", "--db", "{db}", "--rubric", str(rubric), "--units", str(units), "--results",
                  str(csvs[period])]  # fmt: skip


def pair_parser(doc: str, work: str, trials: int) -> argparse.ArgumentParser:
    """The options every paired bench takes: the two source trees, its work folder, its trials."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--old", type=Path, required=True, help="a source tree of the code to compare with")
    p.add_argument("--new", type=Path, default=ROOT)
    p.add_argument("--work", type=Path, default=Path.home() / ".cache" / "assess-bench" / work)
    p.add_argument("--trials", type=int, default=trials)
    return p


def main() -> None:
    p = pair_parser(__doc__, "import-pair", 3)
    p.add_argument("--into-three", action="store_true", help="measure the fourth round's import")
    args = p.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base, template = build(args.work, args.into_three)
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
    for trial in range(args.trials):
        for name, tree in trees.items():
            db = args.work / "trial.db"
            fresh_copy(base, db)
            runs[name].append(assess(tree, [a.replace("{db}", str(db)) for a in template], args.work / "peak.txt")[:3])
            wall, cpu, peak = runs[name][-1]
            print(f"trial {trial + 1} {name}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak {peak:.0f} MB, "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)  # fmt: skip
    print(f"| code | wall s (median of {args.trials}) | CPU s (median) | peak MB (largest) |")
    print("|---|---|---|---|")
    for name, got in runs.items():
        print(f"| {name} | {statistics.median(r[0] for r in got):.2f} | {statistics.median(r[1] for r in got):.2f} | "
              f"{max(r[2] for r in got):.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
