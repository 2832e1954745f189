"""`assess records` at ten million cases (issue 28) against DuckDB computing the same measures.

    python bench/records_scale.py [--cases 10000000] [--units 2000] [--runs 3] [--formats parquet csv]
    python bench/records_scale.py --verify     # first: DuckDB's SQL against the tests' reference

Inputs: a synthetic province (sample_data/records_synth.py, seed fixed): 10 M cases accepted in
2017Q4 and the month before it, about 2 M ratings, about 1,800 accounts and their posts, exported
2018-01-20 with Chinese headers, as Parquet (zstd) and as UTF-8 CSV. They are generated once into a
cache folder outside git ($ASSESS_BENCH_CACHE, default ~/.cache/assess-bench) and reused.

Both sides run as fresh processes from files to the results CSV (SPEC 6's rows), on the tests'
rubric (tests/records/rubric.yaml: every measure, two groups, the calendar with a local day off):
the two run in turn (``--runs`` pairs, each pair in the other order from the last); the wall time
is each side's median and the ratio the median of the pairs' ratios, the peak memory the process's
own high-water mark (VmHWM). DuckDB reads the same files, joins a working-day index table (one row per date: the
working days up to it, on the rubric's calendar) for every working-day count, and does not
validate. The two outputs must hold the same value for every (unit, check) before a time is shown.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

RUBRIC = ROOT / "tests" / "records" / "rubric.yaml"
PERIOD, START, END, EXPORT = "2017Q4", "2017-10-01", "2017-12-31", "2018-01-20"
SEED = 20171001
KINDS = ("cases", "ratings", "accounts", "posts")

# The child reports its own high-water mark (see bench/run.py: a child's ru_maxrss starts from the
# benchmark process it was forked from; VmHWM of its own address space does not).
HWM = (
    "import resource; u = resource.getrusage(resource.RUSAGE_SELF); "
    "print('CPU', u.ru_utime + u.ru_stime, file=sys.stderr); "
    "print('VmHWM', open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr)"
)
CLI = f"import sys, scoring.cli as c; rc = c.main(sys.argv[1:]); {HWM}; sys.exit(rc)"


# ---------------------------------------------------------------- inputs


def cache_dir() -> Path:
    return Path(os.environ.get("ASSESS_BENCH_CACHE", Path.home() / ".cache" / "assess-bench"))


def make_inputs(folder: Path, units: int, cases: int, seed: int = SEED) -> dict[str, dict[str, list[Path]]]:
    """The roster and the four exports in each format, generated unless the folder holds them."""
    from sample_data.records_synth import export_table, synth_records, write_export

    done = folder / "done"
    ids = [f"S{i:04d}" for i in range(units)]
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        rec = synth_records(ids, START, END, cases, seed, export_at=EXPORT)
        print(f"generated {rec.cases.num_rows:,} cases, {rec.ratings.num_rows:,} ratings, "
              f"{rec.accounts.num_rows:,} accounts, {rec.posts.num_rows:,} posts in "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr)  # fmt: skip
        with (folder / "units.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["单位编码", "单位名称", "分组"])
            w.writerows((u, f"演示单位{u}", "county" if i % 4 == 0 else "department") for i, u in enumerate(ids))
        for kind in KINDS:
            table = export_table(rec, kind, "zh")
            for fmt in ("parquet", "csv"):
                write_export(table, folder / fmt / f"{kind}.{fmt}")
        done.write_text("ok\n")
    return {fmt: {kind: [folder / fmt / f"{kind}.{fmt}"] for kind in KINDS} for fmt in ("parquet", "csv")}


def records_args(folder: Path, files: dict[str, list[Path]], out: Path) -> list[str]:
    args = ["records", "--rubric", str(RUBRIC), "--units", str(folder / "units.csv"), "--period", PERIOD,
            "--from", START, "--to", END, "--out", str(out)]  # fmt: skip
    for kind in KINDS:
        paths = [str(p) for p in files[kind]]
        args += [f"--{kind}", *(paths[:1] if kind == "accounts" else paths)]
    return args


# ---------------------------------------------------------------- DuckDB


def calendar_frame(first: dt.date, last: dt.date, calendar: dict):
    """One row per date: the working days from ``first`` up to and including it, on the rubric's
    calendar (the library's days, the rubric's own on top). taken(a, b) = idx[b] - idx[a]."""
    import chinese_calendar
    import pandas as pd

    own = {int(y) for y in calendar.get("years", [])}
    off = {dt.date.fromisoformat(str(d)) for d in calendar.get("holidays", [])}
    on = {dt.date.fromisoformat(str(d)) for d in calendar.get("workdays", [])}
    days = pd.date_range(first, last, freq="D").date
    work = [
        False if d in off else True if d in on else d.weekday() < 5 if d.year in own else chinese_calendar.is_workday(d)
        for d in days
    ]
    return pd.DataFrame({"d": days, "idx": pd.Series(work).cumsum().astype("int64")})


ALIASES = {
    "case_id": "办件编号", "unit_id": "单位编码", "item_code": "事项编码", "channel": "办理渠道",
    "accepted_at": "受理时间", "finished_at": "办结时间", "promised_days": "承诺时限", "statutory_days": "法定时限",
    "visits": "跑动次数", "rating_id": "评价编号", "rated_at": "评价时间", "level": "评价等级", "verified": "核实结果",
    "fixed_at": "整改完成时间", "callback_at": "回访时间", "account_id": "账号编码", "published_at": "发布时间",
}  # fmt: skip
WANT = {
    "cases": ["case_id", "unit_id", "item_code", "channel", "accepted_at", "finished_at", "promised_days",
              "statutory_days", "visits"],
    "ratings": ["rating_id", "unit_id", "case_id", "rated_at", "level", "verified", "fixed_at", "callback_at"],
    "accounts": ["account_id", "unit_id"],
    "posts": ["account_id", "published_at"],
}  # fmt: skip
DEFAULTS = {"one_visit_rate": {"max_visits": 1}, "bad_fixed_on_time": {"days": 5}, "stale_accounts": {"days": 14}}
TYPES = {"accepted_at": "TIMESTAMP", "finished_at": "TIMESTAMP", "rated_at": "TIMESTAMP", "fixed_at": "TIMESTAMP",
         "callback_at": "TIMESTAMP", "published_at": "TIMESTAMP", "promised_days": "BIGINT",
         "statutory_days": "BIGINT", "visits": "BIGINT"}  # fmt: skip


def _source(con, kind: str, paths: list[Path]) -> str:
    """A SELECT over the files with the SPEC's names and types, whichever headers they carry."""
    listed = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
    reader = (
        f"read_parquet({listed})"
        if paths[0].suffix == ".parquet"
        else f"read_csv({listed}, header = true, all_varchar = true)"
    )
    have = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
    cols = []
    for name in WANT[kind]:
        src, to = name if name in have else ALIASES[name], TYPES.get(name, "VARCHAR")
        # CSV cells are text (empty = absent); Parquet columns keep their types
        cell = f"NULLIF(TRIM(\"{src}\"), '')" if paths[0].suffix == ".csv" else f'"{src}"'
        cols.append(f"TRY_CAST({cell} AS {to}) AS {name}")
    return f"SELECT {', '.join(cols)} FROM {reader}"


def duckdb_records(files: dict[str, list[Path]], units_path: Path, out: Path, threads: int = 2) -> None:
    """The eleven measures for every roster unit and records check, written as results rows."""
    import duckdb
    import pandas as pd
    import yaml

    rubric = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    roster = pd.read_csv(units_path, dtype=str).set_axis(["unit_id", "name", "group"], axis=1)
    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    con.register("roster_df", roster)
    con.execute("CREATE TEMP TABLE roster AS SELECT unit_id FROM roster_df")
    # the calendar over every year it knows: a date outside it finds no index (DuckDB does not
    # validate; the engine refuses such a file)
    from chinese_calendar import constants

    years = {d.year for d in constants.holidays} | {int(y) for y in (rubric.get("calendar") or {}).get("years", [])}
    con.register("cal_df", calendar_frame(dt.date(min(years), 1, 1), dt.date(max(years), 12, 31),
                                          rubric.get("calendar") or {}))  # fmt: skip
    con.execute("CREATE TEMP TABLE cal AS SELECT CAST(d AS DATE) AS d, idx FROM cal_df")
    frm, to = f"DATE '{START}'", f"DATE '{END}'"
    to_idx = f"(SELECT idx FROM cal WHERE d = {to})"
    online = "x.channel IN ('online', '网上办理', 'mobile', '移动端')"
    con.execute(f"""
        CREATE TEMP TABLE c AS
        SELECT x.unit_id, x.case_id, x.item_code, {online} AS online, x.accepted_at, x.promised_days,
               x.statutory_days, x.visits, a.idx AS acc_idx, f.idx AS fin_idx,
               x.finished_at::DATE BETWEEN {frm} AND {to} AS fin_in,
               x.accepted_at::DATE BETWEEN {frm} AND {to} AS acc_in,
               x.accepted_at::DATE <= {to} AND (x.finished_at IS NULL OR x.finished_at::DATE > {to}) AS open_at_to
        FROM ({_source(con, "cases", files["cases"])}) x SEMI JOIN roster USING (unit_id)
        LEFT JOIN cal a ON a.d = x.accepted_at::DATE LEFT JOIN cal f ON f.d = x.finished_at::DATE
    """)
    con.execute(f"""
        CREATE TEMP TABLE r AS
        SELECT x.unit_id, x.case_id, x.fixed_at, x.callback_at, a.idx AS rated_idx, f.idx AS fixed_idx,
               x.rated_at::DATE BETWEEN {frm} AND {to} AS rated_in,
               x.level IN ('非常不满意', '不满意', '1', '2') AS bad,
               x.level IN ('非常满意', '满意', '基本满意', '5', '4', '3') AS good
        FROM ({_source(con, "ratings", files["ratings"])}) x SEMI JOIN roster USING (unit_id)
        LEFT JOIN cal a ON a.d = x.rated_at::DATE LEFT JOIN cal f ON f.d = x.fixed_at::DATE
        WHERE coalesce(x.verified, '') <> '不属实'
    """)
    # one (numerator, denominator) per unit and measure; a count's "denominator" is what it looked at
    measures = {
        "on_time_rate": "SELECT unit_id, count(*) FILTER (fin_in AND fin_idx - acc_idx <= promised_days) AS n, "
                        "count(*) FILTER (fin_in) AS d FROM c GROUP BY ALL",
        "overdue_cases": f"SELECT unit_id, count(*) FILTER (fin_in AND fin_idx - acc_idx > promised_days) + count(*) "
                         f"FILTER (open_at_to AND {to_idx} - acc_idx > promised_days) AS n, count(*) FILTER (fin_in "
                         f"OR open_at_to) AS d FROM c GROUP BY ALL",
        "online_rate": "SELECT unit_id, count(*) FILTER (acc_in AND online) AS n, count(*) FILTER (acc_in) AS d "
                       "FROM c GROUP BY ALL",
        "instant_rate": "SELECT unit_id, count(*) FILTER (acc_in AND promised_days = 0) AS n, count(*) FILTER "
                        "(acc_in) AS d FROM c GROUP BY ALL",
        "one_visit_rate": "SELECT unit_id, count(*) FILTER (acc_in AND visits <= {max_visits}) AS n, count(*) FILTER "
                          "(acc_in AND visits IS NOT NULL) AS d FROM c GROUP BY ALL",
        "time_reduction": "SELECT unit_id, sum(greatest(0, 1 - p.promised_days / p.statutory_days)) AS n, count(*) "
                          "AS d FROM (SELECT unit_id, item_code, arg_max(struct_pack(promised_days := promised_days, "
                          "statutory_days := statutory_days), accepted_at) AS p FROM c WHERE acc_in AND item_code IS "
                          "NOT NULL AND statutory_days > 0 GROUP BY ALL) GROUP BY ALL",
        "satisfaction": "SELECT unit_id, count(*) FILTER (rated_in AND good) AS n, count(*) FILTER (rated_in) AS d "
                        "FROM r GROUP BY ALL",
        "bad_fixed_on_time": f"SELECT unit_id, count(*) FILTER (due AND fixed_idx - rated_idx <= {{days}}) AS n, "
                             f"count(*) FILTER (due) AS d FROM (SELECT *, rated_in AND bad AND ({to_idx} - rated_idx "
                             f">= {{days}} OR fixed_at::DATE <= {to}) AS due FROM r) GROUP BY ALL",
        "callback_rate": "SELECT unit_id, count(*) FILTER (rated_in AND bad AND callback_at IS NOT NULL) AS n, "
                         "count(*) FILTER (rated_in AND bad) AS d FROM r GROUP BY ALL",
        "rating_coverage": "SELECT unit_id, count(*) FILTER (fin_in AND case_id IN (SELECT case_id FROM r WHERE "
                           "rated_in AND case_id IS NOT NULL)) AS n, count(*) FILTER (fin_in) AS d FROM c GROUP BY ALL",
        "stale_accounts": f"SELECT a.unit_id, count(*) FILTER (p.newest IS NULL OR {to} - p.newest > {{days}}) AS n, "
                          f"count(*) AS d FROM a LEFT JOIN (SELECT account_id, max(published_at::DATE) AS newest "
                          f"FROM ({{posts}}) WHERE published_at::DATE <= {to} GROUP BY ALL) p USING (account_id) "
                          f"GROUP BY ALL",
    }  # fmt: skip
    con.execute(f"CREATE TEMP TABLE a AS SELECT * FROM ({_source(con, 'accounts', files['accounts'])}) "
                "WHERE unit_id IN (SELECT unit_id FROM roster)")  # fmt: skip
    posts = _source(con, "posts", files["posts"])
    rows = []
    for track in rubric["tracks"]:
        for dim in track["dimensions"]:
            for ind in dim["indicators"]:
                for check in ind["checks"]:
                    if not check.get("records"):
                        continue
                    params = {**DEFAULTS.get(check["records"]["measure"], {}), **check["records"]}
                    sql = measures[params["measure"]].format(posts=posts, **params)
                    got = con.execute(sql).df().set_index("unit_id")
                    rows.append(_values(check, params["measure"], roster, got))
    frame = pd.concat(rows, ignore_index=True)
    frame.insert(0, "period", PERIOD)
    frame["evidence"] = ""
    frame["note"] = ""
    frame["evaluator"] = "records"
    frame["checked_at"] = END
    frame.to_csv(out, index=False)


def _values(check: dict, measure: str, roster, got):
    """The written value for every roster unit the check applies to: NA for an empty denominator,
    a count, 1/0 for veto, or a fraction half-up at 6 decimals."""
    import numpy as np
    import pandas as pd

    if "units" in check:
        units = roster[roster["unit_id"].isin(check["units"])]
    else:
        units = roster[roster["group"].isin(check.get("applies_to", roster["group"].unique()))]
    n = got["n"].reindex(units["unit_id"]).fillna(0).to_numpy(dtype="float64")
    d = got["d"].reindex(units["unit_id"]).fillna(0).to_numpy(dtype="int64")
    if check["method"] in ("deduct", "veto"):
        whole = n.astype("int64")
        text = (whole > 0).astype("int64").astype(str) if check["method"] == "veto" else whole.astype(str)
    elif measure == "time_reduction":  # a mean of fractions: snapped as the project's rounding does
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.floor(np.round(n / np.maximum(d, 1) * 1e6, 4) + 0.5).astype("int64")
        text = pd.Series(q).map(lambda v: f"{v // 10**6}.{v % 10**6:06d}").to_numpy()
    else:  # k/d half-up at 6 decimals, in whole numbers: floor((2·k·10^6 + d) / 2d)
        k = n.astype("int64")
        q = (2 * k * 10**6 + d) // np.maximum(2 * d, 1)
        text = pd.Series(q).map(lambda v: f"{v // 10**6}.{v % 10**6:06d}").to_numpy()
    value = np.where(d == 0, "NA", text)
    return pd.DataFrame({"unit_id": units["unit_id"].to_numpy(), "check_id": check["id"], "value": value})


# ---------------------------------------------------------------- runs


def child(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak MB and CPU seconds (user + system, every thread) of one fresh process:
    on a shared machine the CPU time says more than the wall time about the work done."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:3]} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    said = dict(line.split()[:2] for line in proc.stderr.splitlines() if line.startswith(("VmHWM", "CPU")))
    return wall, int(said["VmHWM"]) / 1024, float(said["CPU"])


def _summary(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Median wall, largest peak, median CPU."""
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), statistics.median(r[2] for r in runs)


def values(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {(r["unit_id"], r["check_id"]): r["value"] for r in csv.DictReader(f)}


def compare(a: dict, b: dict, what: str) -> None:
    if a != b:
        keys = sorted(set(a) ^ set(b))[:5] or [k for k in sorted(a) if a[k] != b[k]][:5]
        raise SystemExit(f"{what}: outputs differ, e.g. {[(k, a.get(k), b.get(k)) for k in keys]}")


def engine_available() -> bool:
    return importlib.util.find_spec("scoring.records") is not None


def verify() -> int:
    """DuckDB's SQL against the tests' independent reference on a 300-unit province."""
    sys.path.insert(0, str(ROOT / "tests"))
    from records.reference import reference_values

    folder = cache_dir() / "records-verify-300-50000"
    inputs = make_inputs(folder, 300, 50_000, seed=SEED + 1)
    for fmt, files in inputs.items():
        out = folder / f"duckdb-{fmt}.csv"
        duckdb_records(files, folder / "units.csv", out)
        want = reference_values(RUBRIC, folder / "units.csv", PERIOD, START, END, cases=files["cases"],
                                ratings=files["ratings"], accounts=files["accounts"][0], posts=files["posts"])  # fmt: skip
        compare(values(out), want, f"DuckDB vs reference ({fmt})")
        print(f"DuckDB = reference on {len(want):,} values from {fmt}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000_000)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    ap.add_argument("--verify", action="store_true", help="check DuckDB's SQL against the tests' reference, then stop")
    ap.add_argument("--duckdb-worker", nargs=3, metavar=("FORMAT", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.verify:
        return verify()
    if args.duckdb_worker:
        fmt, folder, out = args.duckdb_worker
        files = {kind: [Path(folder) / fmt / f"{kind}.{fmt}"] for kind in KINDS}
        duckdb_records(files, Path(folder) / "units.csv", Path(out))
        exec(HWM)  # the same report as the engine's process gives
        return 0

    folder = cache_dir() / f"records-{args.units}-{args.cases}"
    inputs = make_inputs(folder, args.units, args.cases)
    have_engine = engine_available()
    if not have_engine:
        print("scoring.records is not importable yet (the engine is not merged): timing DuckDB alone", file=sys.stderr)
    lines = [
        f"| input | side | wall s (median of {args.runs}, in turn) | CPU s (median) | peak MB |",
        "|---|---|---|---|---|",
    ]
    load = os.getloadavg()[0]
    for fmt in args.formats:
        duck_out, engine_out = folder / f"duckdb-{fmt}.csv", folder / f"assess-{fmt}.csv"
        duck_args = [str(Path(__file__)), "--duckdb-worker", fmt, str(folder), str(duck_out)]
        engine_args = ["-c", CLI, *records_args(folder, inputs[fmt], engine_out)]
        # the two sides in turn, each pair in the other order from the last: a machine whose speed
        # drifts, or a run that leaves the next one warmer pages, weighs on both sides alike; the
        # ratio is the median of the pairs' ratios
        duck, engine = [], []
        for i in range(args.runs):
            if not have_engine:
                duck.append(child(duck_args))
            elif i % 2 == 0:
                duck.append(child(duck_args))
                engine.append(child(engine_args))
            else:
                engine.append(child(engine_args))
                duck.append(child(duck_args))
        duck_s, duck_mb, duck_cpu = _summary(duck)
        lines.append(f"| {fmt} | DuckDB | {duck_s:.1f} | {duck_cpu:.1f} | {duck_mb:.0f} |")
        if have_engine:
            eng_s, eng_mb, eng_cpu = _summary(engine)
            compare(values(engine_out), values(duck_out), f"assess records vs DuckDB ({fmt})")
            wall = statistics.median(e[0] / d[0] for e, d in zip(engine, duck, strict=True))
            cpu = statistics.median(e[2] / d[2] for e, d in zip(engine, duck, strict=True))
            lines.append(f"| {fmt} | assess records | {eng_s:.1f} | {eng_cpu:.1f} | {eng_mb:.0f} |")
            lines.append(f"| {fmt} | assess / DuckDB (median of pairs) | {wall:.2f} | {cpu:.2f} | |")
        print("\n".join(lines[-3 if have_engine else -1 :]), flush=True)
    print(f"\n{args.cases:,} cases, {args.units:,} units, window {START}..{END}; outputs in {folder}; "
          f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
