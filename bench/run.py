"""Benchmark: the engine against the limit, against DuckDB and against a row-by-row scorer.

    python bench/run.py            # 10^4, 10^5, 10^6 findings
    python bench/run.py --huge     # and 10^7

Inputs are synthetic and deterministic (bench/synth.py). Before any timing, the engine, the
row-by-row reference and DuckDB must give identical published scores, ranks and vetoes.
Prints one table and writes it, with the machine's description, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import references  # noqa: E402
import synth  # noqa: E402

import scoring  # noqa: E402
from scoring import load_rubric, read_results, validate_results, write_outputs  # noqa: E402
from scoring.engine import score_findings  # noqa: E402

# one worksheet holds 1,048,576 rows: 10^7 findings do not fit in an evaluator's workbook
# (writing the 10^6 one takes openpyxl about a minute; reading is what is timed)
XLSX_MAX_ROWS = 1_048_575
TARGETS = {
    "score_1m_s": 2.0,
    "vs_duckdb": 1.5,
    "e2e_csv_1m_s": 6.0,
    "rowwise_speedup": 50.0,
    "xlsx_100k_s": 3.0,
    "peak_1m_mb": 1536.0,
    "linear_growth": 1.25,  # time per finding may grow this much from 10^5 up (caches, allocation)
}


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# The child reports its own high-water mark: a child's ru_maxrss on Linux starts from the
# (large) benchmark process it was forked from, VmHWM of its own address space does not.
CLI = (
    "import sys, scoring.cli as c; rc = c.main(sys.argv[1:]); "
    "print('VmHWM', open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr); "
    "sys.exit(rc)"
)


def run_cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one `assess` process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    kb = next(line.split()[1] for line in proc.stderr.splitlines() if line.startswith("VmHWM"))
    return wall, int(kb) / 1024


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("测评结果")
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append(list(row))
    wb.save(path)


def same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    a = a.sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    b = b.sort_values(["period", "track", "unit_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=what)


def bench_size(n: int, work: Path, rubric_path: Path, runs: int, with_rowwise: bool) -> dict:
    rubric = load_rubric(rubric_path)
    roster, results = synth.findings(n)
    units_csv, results_csv = work / f"units-{n}.csv", work / f"results-{n}.csv"
    roster.to_csv(units_csv, index=False)
    results.to_csv(results_csv, index=False)
    row = {"findings": len(results), "units": len(roster)}

    row["read_csv_s"], raw = timed(lambda: read_results([results_csv]), runs)
    if len(results) <= XLSX_MAX_ROWS:
        xlsx = work / f"results-{n}.xlsx"
        write_xlsx(results, xlsx)
        row["read_xlsx_s"], _ = timed(lambda: read_results([xlsx]), runs)
    loaded = raw.rows
    row["validate_s"], findings = timed(lambda: validate_results(rubric, roster, loaded), runs)
    row["score_rank_s"], scores = timed(lambda: score_findings(rubric, roster, findings), runs)
    # the check table is built on first use; timed on fresh scores so each run builds it
    with_checks, _ = timed(lambda: score_findings(rubric, roster, findings).checks, runs)
    row["checks_s"] = max(with_checks - row["score_rank_s"], 0.0)
    scores.checks  # noqa: B018 -- built before the writer is timed, so 'write' is writing only
    out = work / f"out-{n}"
    row["write_s"], _ = timed(lambda: write_outputs(scores, rubric, raw.sources, out), runs)
    row["engine_s"] = row["validate_s"] + row["score_rank_s"]

    # references: the same loaded frame, the same answers, before any of them is compared for speed
    engine = scores.units.rename(columns={})[references.COLUMNS]
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    tables = references.duckdb_inputs(rubric, roster, findings.periods)
    row["duckdb_s"], duck = timed(lambda: references.duckdb_scores(con, tables, loaded), runs)
    same(duck, engine, f"DuckDB vs engine at {n}")
    if with_rowwise:
        row["rowwise_s"], slow = timed(lambda: references.rowwise_scores(rubric, roster, loaded), 1)
        same(slow, engine, f"row-by-row vs engine at {n}")

    walls, peaks = [], []
    for _ in range(runs):
        wall, peak = run_cli(["score", "--rubric", str(rubric_path), "--units", str(units_csv), "--results",
                              str(results_csv), "--out", str(work / f"cli-{n}")])  # fmt: skip
        walls.append(wall)
        peaks.append(peak)
    row["e2e_csv_s"], row["peak_mb"] = statistics.median(walls), max(peaks)
    return row


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"DuckDB {duckdb.__version__}, engine {scoring.__version__}")  # fmt: skip


def fmt(v: float | None, digits: int = 2) -> str:
    return "—" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}f}"


def table(rows: list[dict]) -> str:
    head = ("| findings | units | read CSV s | read XLSX s | validate s | score+rank s | check table s | write s "
            "| end to end s | peak MB | DuckDB s | engine/DuckDB | row-by-row s | row-by-row/engine |")  # fmt: skip
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        ratio = r["engine_s"] / r["duckdb_s"]
        speed = r.get("rowwise_s", np.nan) / r["engine_s"]
        lines.append(
            f"| {r['findings']:,} | {r['units']:,} | {fmt(r['read_csv_s'])} | {fmt(r.get('read_xlsx_s'))} "
            f"| {fmt(r['validate_s'], 3)} | {fmt(r['score_rank_s'], 3)} | {fmt(r['checks_s'])} | {fmt(r['write_s'])} "
            f"| {fmt(r['e2e_csv_s'])} "
            f"| {fmt(r['peak_mb'], 0)} | {fmt(r['duckdb_s'])} | {fmt(ratio)} | {fmt(r.get('rowwise_s'))} "
            f"| {fmt(speed, 0)} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    by = {round(np.log10(r["findings"])): r for r in rows}
    out = []
    m = by.get(6)
    k = by.get(5)
    if m:
        out.append(
            f"- score+rank of 1 M from loaded frames (validation included): {m['engine_s']:.3f} s "
            f"(target ≤ {TARGETS['score_1m_s']} s) {'met' if m['engine_s'] <= TARGETS['score_1m_s'] else 'MISSED'}"
        )
        ratio = m["engine_s"] / m["duckdb_s"]
        out.append(
            f"- engine / DuckDB at 1 M: {ratio:.2f} (target ≤ {TARGETS['vs_duckdb']}) "
            f"{'met' if ratio <= TARGETS['vs_duckdb'] else 'MISSED'}"
        )
        out.append(
            f"- end to end from CSV at 1 M: {m['e2e_csv_s']:.2f} s (target ≤ {TARGETS['e2e_csv_1m_s']} s) "
            f"{'met' if m['e2e_csv_s'] <= TARGETS['e2e_csv_1m_s'] else 'MISSED'}"
        )
        out.append(
            f"- peak memory at 1 M: {m['peak_mb']:.0f} MB (target ≤ {TARGETS['peak_1m_mb']:.0f} MB) "
            f"{'met' if m['peak_mb'] <= TARGETS['peak_1m_mb'] else 'MISSED'}"
        )
        if "rowwise_s" in m:
            speed = m["rowwise_s"] / m["engine_s"]
            out.append(
                f"- row-by-row / engine at 1 M: {speed:.0f}× (target ≥ {TARGETS['rowwise_speedup']:.0f}×) "
                f"{'met' if speed >= TARGETS['rowwise_speedup'] else 'MISSED'}"
            )
            if speed < TARGETS["rowwise_speedup"]:
                per = 1e9 / m["findings"]
                out.append(
                    f"  (the row-by-row loop takes {m['rowwise_s'] * per:.0f} ns per finding, validation included; "
                    f"{TARGETS['rowwise_speedup']:.0f}× would need the engine at "
                    f"{m['rowwise_s'] * per / TARGETS['rowwise_speedup']:.0f} ns per finding, validation included, "
                    f"while DuckDB takes {m['duckdb_s'] * per:.0f} ns for the scores alone)"
                )
    if k and "read_xlsx_s" in k:
        out.append(
            f"- reading a 100 k-row XLSX: {k['read_xlsx_s']:.2f} s (target ≤ {TARGETS['xlsx_100k_s']} s) "
            f"{'met' if k['read_xlsx_s'] <= TARGETS['xlsx_100k_s'] else 'MISSED'}"
        )
    big = [r for r in rows if r["findings"] >= 90_000]
    if len(big) >= 2:
        for what, key in (
            ("validate + score+rank", ("validate_s", "score_rank_s")),
            ("check table + write", ("checks_s", "write_s")),
            ("end to end", ("e2e_csv_s",)),
        ):
            per = [sum(r[k] for k in key) / r["findings"] * 1e9 for r in big]
            growth = per[-1] / per[0]
            out.append(
                f"- {what}, ns per finding from {big[0]['findings']:,} to {big[-1]['findings']:,}: "
                + ", ".join(f"{p:.0f}" for p in per)
                + f" (×{growth:.2f}; linear growth keeps this flat: target ≤ ×{TARGETS['linear_growth']}) "
                + ("met" if growth <= TARGETS["linear_growth"] else "MISSED")
            )
    return out  # fmt: skip


APP_SECTION = "## The app at province scale"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--huge", action="store_true", help="also 10^7 findings (minutes, several GB)")
    p.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    p.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    p.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")],
                   help="only these sizes, e.g. 1e6 (implies --no-write)")  # fmt: skip
    args = p.parse_args()
    sizes = args.sizes or [10_000, 100_000, 1_000_000] + ([10_000_000] if args.huge else [])
    args.no_write = args.no_write or bool(args.sizes)
    rows = []
    with tempfile.TemporaryDirectory(prefix="assess-bench-") as tmp:
        work = Path(tmp)
        rubric_path = synth.write_rubric(work / "bench.yaml")
        for n in sizes:
            print(f"… {n:,} findings", file=sys.stderr, flush=True)
            rows.append(bench_size(n, work, rubric_path, args.runs, with_rowwise=n <= 1_000_000))
    text = table(rows)
    lines = verdicts(rows)
    print(text)
    print("\n".join(lines))
    if not args.no_write:
        # bench/app_scale.py's section (and any other added below this table) is kept as it is
        old = (HERE / "RESULTS.md").read_text(encoding="utf-8") if (HERE / "RESULTS.md").exists() else ""
        kept = old[old.index(APP_SECTION) :] if APP_SECTION in old else ""
        (HERE / "RESULTS.md").write_text(
            "# Benchmark results\n\n"
            f"Measured {time.strftime('%Y-%m-%d')} with `python bench/run.py{' --huge' if args.huge else ''}` on: "
            f"{machine()}.\n\n"
            "Inputs: synthetic and deterministic (bench/synth.py): a rubric of 300 checks (every method, two tracks, "
            "three groups, both NA policies), units × 4 periods, every applicable (unit, check) with one finding, "
            "some deductions with two, 0.5% not applicable, rates written as evaluators write them (percents and "
            "fractions with 1–6 decimals: about 43,000 distinct values at 10^6), deadlines as received/answered dates across "
            "2017 国庆 and 2018 春节, counts of working days and 未答复. Times are wall-clock medians of "
            f"{args.runs} runs; peak memory is the `assess score` process's own high-water mark "
            "(VmHWM).\n\n"
            "- *read* = CSV/XLSX to a frame of raw rows (XLSX: one worksheet, read with calamine; 10^7 rows do not "
            "fit in a worksheet's 1,048,576); *validate* = every check of SPEC §2 and value parsing; "
            "*score+rank* = unit and dimension scores, grades and ranks from validated findings; *check table* = "
            "the table with a row per (period, unit, check), which the engine builds when it is first asked for "
            "(by the writer, or a unit's drill-down); *write* = the four output files; *end to end* = "
            "`assess score` as a fresh process, from files to files.\n"
            "- *DuckDB* and *row-by-row* compute the same unit scores and ranks from the same loaded frame "
            "(bench/references.py); the engine's time compared with them is validate + score+rank. The "
            "row-by-row reference validates each row as SPEC §2 asks; DuckDB does not validate. All three "
            "are asserted identical before the timings are printed.\n"
            "- From 10^6 to 10^7 the ns per finding of validate + score+rank rise although every step is linear: "
            "at 10^7 each array is 80 MB of fresh memory, which this VM is slow to hand out (page faults). In one "
            "process, validating 10^7 findings took 1.2 s the first time and 0.31 s once the memory had been used "
            "before; the growth line compares 10^5, where fixed costs weigh most, with 10^7.\n\n"
            f"{text}\n\n" + "\n".join(lines) + "\n" + ("\n" + kept if kept else ""),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
