"""``compute_records``: the platforms' exports in, one results row per (unit, records-measured check) out."""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import InputError, Issue
from scoring.records.days import DayIndex
from scoring.records.evidence import evidence_texts
from scoring.records.measures import MEASURES, Measured, Window, measure, named_ids, prepare
from scoring.records.memory import give_back, kept_for_reuse
from scoring.records.parse import (
    ACCOUNTS,
    CASES,
    MISSING,
    POSTS,
    RATINGS,
    Problems,
    parse_accounts,
    parse_cases,
    parse_posts,
    parse_ratings,
)  # fmt: skip
from scoring.records.read import Block, Kind, read_blocks
from scoring.records.table import Table, fixed_width, packed_keys, take_rows
from scoring.rubric.load import Rubric
from scoring.tables import InputFile

__all__ = ["RESULT_COLUMNS", "RecordsRun", "compute_records", "records_checks"]

RESULT_COLUMNS = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]
DEFAULT_DAYS = {"bad_fixed_on_time": 5, "stale_accounts": 14}
# which files a measure needs (SPEC extension 6)
NEEDS = {"cases": ("cases",), "ratings": ("ratings",), "cases+ratings": ("cases", "ratings"),
         "accounts+posts": ("accounts", "posts")}  # fmt: skip
THREADS_ENV = "ASSESS_RECORDS_THREADS"
DETAIL_COLUMNS = ["unit_id", "check_id", "measure", "value", "numerator", "denominator", "lost", "lost_ids"]


@dataclass(frozen=True)
class RecordsRun:
    """What one run found. ``rows``: the results file (SPEC §2 columns). ``detail``: per (unit,
    check) the value, numerator, denominator, how many records cost points and the worst of them
    (up to 100, worst first), built when first asked for (the CLI never asks: its ids stay in
    Arrow). ``outside`` and ``off_roster``: records left out, by kind."""

    rows: pd.DataFrame
    parts: list[tuple[pd.DataFrame, Measured]] = field(default_factory=list, repr=False)
    outside: dict[str, int] = field(default_factory=dict)
    off_roster: dict[str, int] = field(default_factory=dict)
    read: dict[str, int] = field(default_factory=dict)

    @functools.cached_property
    def detail(self) -> pd.DataFrame:
        frames = []
        for here, m in self.parts:
            units = here["pos"].to_numpy()
            lost_ids = _ids_by_unit(m.lost)
            frames.append(here.assign(value=m.value[units], numerator=m.numerator[units],
                                      denominator=m.denominator[units], lost=m.lost_count[units],
                                      lost_ids=[lost_ids.get(u, ()) for u in units]))  # fmt: skip
        if not frames:
            return pd.DataFrame(columns=DETAIL_COLUMNS)
        detail = pd.concat(frames, ignore_index=True).sort_values(["pos", "check_order"], kind="stable")
        return detail[DETAIL_COLUMNS].reset_index(drop=True)


def records_checks(rubric: Rubric) -> pd.DataFrame:
    """The checks measured from records: check_id, method, measure, params (with defaults), check_order."""
    rows = []
    for track in rubric.spec.tracks:
        for dim in track.dimensions:
            for ind in dim.indicators:
                for c in ind.checks:
                    if c.records is None:
                        continue
                    m = c.records.measure
                    params = {"max_visits": c.records.max_visits if c.records.max_visits is not None else 1}
                    if m in DEFAULT_DAYS:
                        params["days"] = c.records.days if c.records.days is not None else DEFAULT_DAYS[m]
                    rows.append({"check_id": c.id, "method": c.method, "measure": m, "params": params})
    frame = pd.DataFrame(rows, columns=["check_id", "method", "measure", "params"])
    return frame.merge(rubric.checks[["check_id", "check_order"]], on="check_id")


def _empty(kind: Kind, parse) -> Table:
    text = {n: pa.array([], pa.string()) for n in kind.columns.aliases}
    return parse(Block("", None, {}, text, np.array([], dtype=np.int32)), Problems([]))


def _read(files: list[InputFile | Path], kind: Kind, parse, problems: Problems, threads: int = 1) -> Table:
    tables = read_blocks(files, kind, parse, problems, threads)
    return Table.concat(tables) if tables else _empty(kind, parse)


def _in_calendar(parse, index: DayIndex, columns: tuple[str, ...]):
    """``parse`` that also locates every date (of the working-day columns) in a year the calendar lacks."""

    def run(block: Block, problems: Problems) -> Table:
        out = parse(block, problems)
        for name in columns:
            day = out[COLUMN_FIELD[name]]
            outside = (day != MISSING) & ~index.inside(day)
            if outside.any():
                years = DayIndex.year_of(np.where(outside, day, 0))
                problems.at(block, outside, "records-calendar", name,
                            "日期在 {value} 年,该年不在工作日历中(国家节假日库和指标体系的 calendar 都没有它);"
                            "请在指标体系 calendar.years 中列出该年及其节假日", years)  # fmt: skip
        return out

    return run


COLUMN_FIELD = {"accepted_at": "accepted", "finished_at": "finished", "rated_at": "rated", "fixed_at": "fixed"}


def _by_id(table: Table, id_col: str, kind: Kind, problems: Problems) -> Table:
    """The records in the order of their ids (``_id_order``)."""
    order = _id_order(table, id_col, kind, problems)
    return table if order is None else table.take(order)


def _id_order(table: Table, id_col: str, kind: Kind, problems: Problems) -> np.ndarray | None:
    """The order of the records by their ids, one sort that serves twice: every later measure and
    every list of records shown is the same however the files were ordered or split, and a
    repeated id is two neighbours (the later row is the problem; its message names the first).
    None for an export already in id order (the usual one): nothing to take again."""
    ids = table[id_col]
    order = None
    # an export in id order needs no sort: one pass of comparisons says so
    if len(ids) > 1 and pc.any(pc.less(ids[1:], ids[:-1])).as_py():
        packed = packed_keys(ids)  # ids of one length as numbers in their order: a third of the sort
        # stable: of two rows with one id, the earlier first
        order = pc.sort_indices(ids).to_numpy() if packed is None else np.argsort(packed[0], kind="stable")
    ranked = ids if order is None else take_rows(ids, order)
    if len(ranked) > 1:
        same = pc.and_(pc.equal(ranked[1:], ranked[:-1]), pc.not_equal(ranked[1:], ""))
        again = np.flatnonzero(same.to_numpy())
        alias = kind.columns.aliases[id_col]
        for i in again[: problems.room("records-duplicate-id", id_col, len(again))]:
            first, later = (table.row(i if order is None else order[i]) for i in (i, i + 1))
            sheet = f" 工作表「{first['_sheet']}」" if first["_sheet"] else ""
            problems.issues.append(Issue(
                code="records-duplicate-id", file=str(later["_file"]), sheet=str(later["_sheet"]) or None,
                row=int(later["_row"]), column=alias, value=str(later[id_col]),
                message=f"{alias} {later[id_col]} 重复:已见于 {first['_file']}{sheet} 第 {int(first['_row'])} 行;"
                        f"{alias}在所有文件中必须唯一",
            ))  # fmt: skip
    return order


def _units(table: Table, roster: pd.DataFrame) -> np.ndarray:
    """Each row's unit as its roster position, −1 for a unit not on the roster (categories mapped once)."""
    position = pd.Index(roster["unit_id"].astype(str))
    cats = table["unit_id"]
    lookup = np.append(position.get_indexer(pd.Index(cats.texts(), dtype=object)), -1)
    return lookup.astype(np.int32)[cats.codes]  # int32: 40 MB less over ten million cases


def _ids_by_unit(lost: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """unit -> the ids of its lost records, worst first (``lost`` holds each unit's rows together)."""
    units, found = lost["unit"].to_numpy(), lost["id"].astype(object).to_numpy()
    cuts = np.flatnonzero(units[1:] != units[:-1]) + 1
    return {int(units[a]): tuple(found[a:b]) for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(units)], strict=True)
            if b > a}  # fmt: skip


def _day(d: dt.date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _value_text(method: str, measure_name: str, value: np.ndarray, numerator: np.ndarray,
                denominator: np.ndarray) -> np.ndarray:  # fmt: skip
    nan = np.isnan(value)
    if measure_name in ("overdue_cases", "stale_accounts"):
        text = np.where(nan, 0, value).astype(np.int64)
        if method == "veto":
            text = (text > 0).astype(np.int64)
        out = text.astype(str).astype(object)
    else:
        out = _six_decimals(value, numerator, denominator)
    out[nan] = "NA"
    return out


def _six_decimals(value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Fractions with 6 decimals rounded half-up from the exact fraction (SPEC 6, §1 step 6's rule):
    73/128 = 0.5703125 is 0.570313, which the float's own formatting writes 0.570312. Counted shares
    are rounded in integers; time_reduction's mean of fractions from its float, nudged past noise."""
    den = np.maximum(denominator.astype(np.int64), 1)
    whole = np.all(numerator == np.round(numerator))
    if whole:
        millionths = (2 * numerator.astype(np.int64) * 10**6 + den) // (2 * den)
    else:
        millionths = np.floor(np.where(np.isnan(value), 0, value) * 10**6 + 0.5 + 1e-7).astype(np.int64)
    text = np.char.add(np.char.add((millionths // 10**6).astype(str), "."),
                       np.char.zfill((millionths % 10**6).astype(str), 6))  # fmt: skip
    return text.astype(object)


def compute_records(
    rubric: Rubric,
    roster: pd.DataFrame,
    period: str,
    start: dt.date,
    end: dt.date,
    *,
    cases: list[InputFile | Path] = (),
    ratings: list[InputFile | Path] = (),
    accounts: InputFile | Path | None = None,
    posts: list[InputFile | Path] = (),
    threads: int | None = None,
) -> RecordsRun:
    """Every records-measured check for every roster unit it applies to (SPEC extension 6). A
    file may be given by its bytes (an upload) or its path (streamed from disk where it can be).
    ``threads``: 1 runs everything in order on this thread; default $ASSESS_RECORDS_THREADS or two
    where the machine has two cores (the results and the issues are the same either way).

    Raises InputError with every problem of the files (each located) and of the window."""
    index = DayIndex.of(rubric.calendar)
    window = np.array([_day(start), _day(end)])
    issues: list[Issue] = []
    if end < start:
        issues.append(
            Issue(code="records-window", message=f"--to {end} 早于 --from {start};统计区间须从 --from 到 --to")
        )
    for flag, d, inside in zip(("--from", "--to"), (start, end), index.inside(window), strict=True):
        if not inside:
            issues.append(Issue(code="records-calendar", value=str(d),
                                message=f"{flag} {d} 所在的 {d.year} 年不在工作日历中;请在指标体系 calendar.years 中列出该年"))  # fmt: skip
    if issues:
        raise InputError(issues)
    problems = Problems(issues)
    given = {"cases": bool(cases), "ratings": bool(ratings), "accounts": accounts is not None, "posts": bool(posts)}
    checks = records_checks(rubric)
    checks = checks[[all(given[k] for k in NEEDS[MEASURES[m][0]]) for m in checks["measure"]]]
    pairs = rubric.applicability(roster).merge(checks, on="check_id")
    pairs["pos"] = pd.Index(roster["unit_id"]).get_indexer(pairs["unit_id"])
    pairs = pairs.sort_values(["pos", "check_order"], kind="stable").reset_index(drop=True)
    wanted: dict[tuple, tuple[str, dict]] = {}  # each measure once per distinct params
    for check in checks.itertuples(index=False):
        if (pairs["check_id"] == check.check_id).any():
            wanted.setdefault(_key(check.measure, check.params), (check.measure, dict(check.params)))
    threads = threads if threads is not None else _threads()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records") if threads > 1 else _Inline()
    try:
        with kept_for_reuse(arrow_on_heap=not any(_is_csv(f) for f in [*cases, *ratings, accounts, *posts])):
            return _run(roster, period, end, index, window, problems, pairs, checks, wanted, pool, threads,
                        cases, ratings, accounts, posts)  # fmt: skip
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _is_csv(f: InputFile | Path | None) -> bool:
    if f is None:
        return False
    return f.kind == "csv" if isinstance(f, InputFile) else Path(f).suffix.lower() == ".csv"


def _key(name: str, params: dict) -> tuple:
    return name, tuple(sorted(params.items()))


def _threads() -> int:
    """Threads a run uses: $ASSESS_RECORDS_THREADS (1: everything in order on the caller's thread),
    else two where the machine has two cores. The plan has two independent halves at most moments
    (issue 28), so a third thread has nothing to do."""
    given = os.environ.get(THREADS_ENV, "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    return min(2, os.cpu_count() or 1)


def _done(fn, /, *args) -> Future:
    """``fn`` run here and now, as a finished Future (a measure of this thread's lane)."""
    return _Inline().submit(fn, *args)


def _settle(done: Future, fn, args: tuple) -> None:
    """``fn(*args)`` run here, its result or exception kept in ``done`` (raised by ``result()`` on
    the thread that collects it, as a worker thread's would be)."""
    try:
        done.set_result(fn(*args))
    except BaseException as exc:
        done.set_exception(exc)


class _Inline:
    """The one-thread run: each task runs when it is submitted, in the order submitted, its result
    or exception kept for ``result()`` as a worker thread's would be."""

    def submit(self, fn, /, *args) -> Future:
        done: Future = Future()
        _settle(done, fn, args)
        return done

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


class _Tasks:
    """Measures that either thread runs, whichever is free first, each once (a thread that runs out
    of its own work takes the next): the two lanes end together however long each file took."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: deque[tuple[Future, object, tuple]] = deque()

    def put(self, fn, /, *args, first: bool = False) -> Future:
        done: Future = Future()
        with self.lock:
            (self.waiting.appendleft if first else self.waiting.append)((done, fn, args))
        return done

    def run(self, until: Future | None = None) -> None:
        """Run waiting tasks until none is left, or until ``until`` is done (each result or exception
        kept in its Future)."""
        while until is None or not until.done():
            with self.lock:
                if not self.waiting:
                    return
                done, fn, args = self.waiting.popleft()
            _settle(done, fn, args)


class _Meeting:
    """What needs two things made on two threads (rating_coverage: the cases once time_reduction is
    done, the rated cases once the ratings are read): the second to arrive calls ``then`` with both
    (it puts the measure first in line, for whichever thread is free)."""

    def __init__(self, parts: set[str], then) -> None:
        self.lock = threading.Lock()
        self.parts, self.then, self.got = parts, then, {}
        self.futures: dict[tuple, Future] = {}

    def arrive(self, part: str, value: object) -> None:
        with self.lock:
            self.got[part] = value
            if set(self.got) != self.parts:
                return
        self.futures = self.then(self.got)


@dataclass
class _Others:
    """The ratings, accounts and posts as read on a worker, with the problems of their reading and
    of their ids found apart (merged after the cases' in the order of a one-thread run); when there
    were none, the roster's records ready to measure and the measures of them put to ``tasks``."""

    read: Problems
    ids: Problems
    counts: dict[str, int]
    off_roster: dict[str, int] = field(default_factory=dict)
    outside: dict[str, int] = field(default_factory=dict)
    ratings: Table | None = None  # founded ratings of roster units
    measured: dict[tuple, Future] = field(default_factory=dict)


def _read_others(index: DayIndex, ratings: list, accounts, posts: list, threads: int, roster: pd.DataFrame,
                 w: Window, wanted: dict[tuple, tuple[str, dict]], tasks: _Tasks, case_width: int,
                 coverage: _Meeting) -> _Others:  # fmt: skip
    read, ids = Problems([]), Problems([])
    rating_frame = _read(ratings, RATINGS, _in_calendar(parse_ratings, index, ("rated_at", "fixed_at")), read, threads)
    account_frame = _read([accounts] if accounts else [], ACCOUNTS, parse_accounts, read, threads)
    post_frame = _read(posts, POSTS, parse_posts, read, threads)
    # the ratings are taken once, in id order, when only the founded ratings of the roster are left
    order = _id_order(rating_frame, "rating_id", RATINGS, ids)
    account_frame = _by_id(account_frame, "account_id", ACCOUNTS, ids)
    out = _Others(read, ids, {"ratings": len(rating_frame), "accounts": len(account_frame), "posts": len(post_frame)})
    if read.issues or ids.issues:
        return out
    unit = _units(rating_frame, roster)
    on = unit >= 0
    out.off_roster["ratings"] = int((~on).sum())
    rated = rating_frame["rated"]
    out.outside["ratings"] = int((on & ((rated < w.start) | (rated > w.end))).sum())
    # an unfounded rating (verified 不属实) is left out of every measure, rating_coverage's too
    r = _kept(rating_frame, unit, on & (rating_frame["verified"] != 0), order)
    del rating_frame, rated, unit, on
    a, out.off_roster["accounts"] = _on_roster(account_frame, roster)
    del account_frame
    published = post_frame["published"]
    out.outside["posts"] = int((published > w.end).sum())
    kept = post_frame.where(published <= w.end).frame()
    newest = kept.groupby(kept["account_id"].astype(str), sort=False)["published"].max()
    # the ratings of the window name the cases rated: a rating given after --to did not exist at --to,
    # and records outside the window are ignored (SPEC 6) — the row-by-row reference reads it so too
    founded_rated = r["rated"]
    in_window = (founded_rated >= w.start) & (founded_rated <= w.end)
    coverage.arrive("rated", named_ids(r["case_id"].filter(pa.array(in_window)), case_width))
    out.ratings = r
    tables = {"ratings": r, "accounts+posts": a}
    for key, (name, params) in wanted.items():
        source = MEASURES[name][0]
        if source in tables:
            out.measured[key] = tasks.put(measure, name, w, tables[source], {**params, "newest": newest})
    give_back()  # the blocks and the id sort's temporaries, before this thread measures
    return out


# what only located a problem or named a unit, let go once the ids are checked: the measures count
# by ``unit`` (60 MB less beside them over ten million cases, issue 28)
LOCATING = ("unit_id", "_file", "_sheet", "_row")


def _on_roster(table: Table, roster: pd.DataFrame) -> tuple[Table, int]:
    """The records of roster units, each with its unit as a roster position; how many were not."""
    unit = _units(table, roster)
    return _kept(table, unit, unit >= 0), int((unit < 0).sum())


def _kept(table: Table, unit: np.ndarray, keep: np.ndarray, order: np.ndarray | None = None) -> Table:
    """The rows of ``keep``, in ``order`` (positions; None: as they are), with their units and
    without the columns that only located a problem: one take at most."""
    kept = Table({name: col for name, col in table.columns.items() if name not in LOCATING}).assign(unit=unit)
    return kept.where(keep) if order is None else kept.take(order[keep[order]])


def _run(roster: pd.DataFrame, period: str, end: dt.date, index: DayIndex, window: np.ndarray, problems: Problems,
         pairs: pd.DataFrame, checks: pd.DataFrame, wanted: dict[tuple, tuple[str, dict]], pool, threads: int,
         cases, ratings, accounts, posts) -> RecordsRun:  # fmt: skip
    """The run on two threads where there are two: the cases read first (alone: Arrow decodes them on
    both cores), then the other files read on a worker while the cases' ids are checked and their
    measures run; every measure but time_reduction (this thread's) is taken by whichever thread is
    free, rating_coverage once time_reduction is done (their temporaries the largest: never alive
    at once) and the ratings are read. Problems
    found apart are merged in a one-thread run's order, so the issues are the same however the
    threads interleave."""
    case_frame = _read(list(cases), CASES, _in_calendar(parse_cases, index, ("accepted_at", "finished_at")), problems,
                       threads)  # fmt: skip
    give_back()
    w = Window(int(window[0]), int(window[1]), index, len(roster))
    tasks = _Tasks()

    def measure_coverage(got: dict) -> dict[tuple, Future]:
        c, memo = got["cases"]
        return {key: tasks.put(measure, name, w, c, {**params, "rated_cases": got["rated"], "memo": memo}, first=True)
                for key, (name, params) in wanted.items() if name == "rating_coverage"}  # fmt: skip

    coverage = _Meeting({"cases", "rated"}, measure_coverage)
    case_width = fixed_width(case_frame["case_id"])  # the rated cases are sorted as these ids are
    others = pool.submit(_read_others, index, list(ratings), accounts, list(posts), threads, roster, w, wanted, tasks,
                         case_width, coverage)  # fmt: skip
    case_ids = Problems([])
    case_frame = _by_id(case_frame, "case_id", CASES, case_ids)
    read = {"cases": len(case_frame)}
    off_roster: dict[str, int] = {}
    outside: dict[str, int] = {}
    measured: dict[tuple, Future] = {}
    memo: dict[str, np.ndarray] = {}  # masks and counts the measures of the cases share
    # the cases' measures start while the other files are read, unless the run already failed
    if not problems.issues and not case_ids.issues:
        c, off_roster["cases"] = _on_roster(case_frame, roster)
        del case_frame  # the roster's records only from here: one copy at most
        acc, fin = c["accepted"], c["finished"]
        used = ((acc >= w.start) & (acc <= w.end)) | ((fin >= w.start) & (fin <= w.end))
        used |= (acc <= w.end) & ((fin == MISSING) | (fin > w.end))
        outside["cases"] = int((~used).sum())
        del used, acc, fin
        prepare(w, c, memo)
        for key, (name, params) in wanted.items():
            if MEASURES[name][0] == "cases" and name != "time_reduction":
                measured[key] = tasks.put(measure, name, w, c, {**params, "memo": memo})
        pool.submit(tasks.run)  # the worker's, once it has read the other files
        for key, (name, params) in wanted.items():
            if name == "time_reduction":
                measured[key] = _done(measure, name, w, c, {**params, "memo": memo})
        # no other measure reads the item codes: let them go (130 MB of ten million cases) before
        # rating_coverage's temporaries, the moment of the run's peak
        c.columns.pop("item_code", None)
        give_back()  # time_reduction's hash tables and item copies, too
        coverage.arrive("cases", (c, memo))  # its temporaries never alive beside time_reduction's
        tasks.run(until=others)  # while the worker still reads, this thread measures
    found = others.result()
    problems.extend(found.read)
    problems.extend(case_ids)
    problems.extend(found.ids)
    problems.close()
    if problems.issues:
        raise InputError(problems.issues)

    read.update(found.counts)
    off_roster.update(found.off_roster)
    outside.update(found.outside)
    measured.update(found.measured)
    measured.update(coverage.futures)  # both have arrived: neither found a problem
    tasks.run()  # what the worker has not taken yet

    rows, details = [], []
    for check in checks.itertuples(index=False):  # a loop over checks, each vectorised over every record
        here = pairs[pairs["check_id"] == check.check_id]
        if here.empty:
            continue
        params = dict(check.params)
        m = measured[_key(check.measure, params)].result()
        units = here["pos"].to_numpy()
        rows.append(pd.DataFrame({
            "pos": units, "check_order": check.check_order, "period": period, "unit_id": here["unit_id"].to_numpy(),
            "check_id": check.check_id, "value": _value_text(check.method, check.measure, m.value[units], m.numerator[units],
                                 m.denominator[units]),
            "evidence": evidence_texts(check.measure, params, units, m), "note": "", "evaluator": "records",
            "checked_at": end.isoformat(),
        }))  # fmt: skip
        details.append((pd.DataFrame({"pos": units, "check_order": check.check_order, "unit_id": here["unit_id"].to_numpy(),
                                      "check_id": check.check_id, "measure": check.measure}), m))  # fmt: skip
    if rows:
        out = pd.concat(rows, ignore_index=True).sort_values(["pos", "check_order"], kind="stable")
    else:
        out = pd.DataFrame(columns=["pos", "check_order", *RESULT_COLUMNS])
    return RecordsRun(
        rows=out[RESULT_COLUMNS].reset_index(drop=True),
        parts=details,
        outside=outside,
        off_roster=off_roster,
        read=read,
    )
