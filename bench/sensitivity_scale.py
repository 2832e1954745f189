"""Rank intervals at the size of issue 20: 1,000 runs of a 200-unit, 100-check round.

    python bench/sensitivity_scale.py [--units 200] [--runs 1000]

The rubric is the benchmark's synthetic one (bench/synth.py, every method) cut to its first two
indicators per dimension: 100 checks in two tracks of five dimensions; the findings are synth's
for one period, deterministic (seed 7). Reports the median of 3 timings of the runs alone (the
round already scored, as the app has it) and of ``assess sensitivity`` end to end as a process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()
    from scoring import InputFile, assess, parse_rubric
    from scoring.robustness.sensitivity import rank_intervals

    data = synth.rubric_dict()
    for track in data["tracks"]:
        for dim in track["dimensions"]:
            dim["indicators"] = dim["indicators"][:2]
    rubric = parse_rubric(json.dumps(data, ensure_ascii=False), "bench-100.yaml")
    kept = set(rubric.checks["check_id"])
    roster, found = synth.findings(args.units * 300, periods=["2017Q3"])
    roster = roster.head(args.units)
    found = found[found["check_id"].isin(kept) & found["unit_id"].isin(set(roster["unit_id"]))]
    work = Path(tempfile.mkdtemp(prefix="sensitivity-bench-"))
    (work / "rubric.yaml").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    roster.to_csv(work / "units.csv", index=False)
    found.to_csv(work / "results.csv", index=False)
    result = assess(rubric, InputFile("units.csv", (work / "units.csv").read_bytes()),
                    [InputFile("results.csv", (work / "results.csv").read_bytes())], allow_missing=True)  # fmt: skip
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = rank_intervals(result, args.runs, 0.25, 0)
        times.append(time.perf_counter() - start)
    cli = []
    for _ in range(3):
        start = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "scoring.cli", "sensitivity", "--rubric", work / "rubric.yaml",
                            "--units", work / "units.csv", "--results", work / "results.csv", "--out", work / "out",
                            "--runs", str(args.runs)], capture_output=True, text=True)  # fmt: skip
        cli.append(time.perf_counter() - start)
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            return 1
    print(f"| units | checks | findings | runs | ranked | runs alone (median of 3) | assess sensitivity end to end |\n"
          f"|---|---|---|---|---|---|---|\n| {len(roster)} | {len(kept)} | {len(found):,} | {args.runs} | {len(out)} | "
          f"{statistics.median(times):.2f} s | {statistics.median(cli):.2f} s |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
