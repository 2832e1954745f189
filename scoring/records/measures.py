"""The eleven measures of SPEC extension 6, each for every roster unit at once.

Each measure gives, per unit (its position on the roster), a numerator, a denominator and the
records that cost points, ordered worst first. All of it is bincounts and masks over whole
columns; the only Python loops are over measures and over the few records shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.records.days import DayIndex
from scoring.records.parse import MISSING
from scoring.records.table import (
    KeyScheme,
    Table,
    fixed_views,
    fixed_width,
    lengths_above_zero,
    string_offsets,
    take_rows,
)

__all__ = ["Measured", "Named", "Window", "measure", "named_ids", "prepare"]

LOST_KEPT = 100  # records that cost points kept per (unit, check) for the page's drill-down
# rows a chain of arithmetic over ten million cases takes at a time: its half-dozen temporaries stay
# below glibc's mapping threshold, on the heap, reused by the next slice (whole-column ones were
# fresh mappings each, zeroed by the system: half of the pass's time, issue 28)
ROWS_AT_ONCE = 1 << 20


@dataclass(frozen=True)
class Window:
    start: int  # day numbers, both inclusive
    end: int
    days: DayIndex
    units: int  # roster size


@dataclass(frozen=True)
class Measured:
    """One measure for every unit: ``value`` NaN where the denominator is empty."""

    numerator: np.ndarray  # float64 (time_reduction sums fractions; the rest count)
    denominator: np.ndarray  # int64
    value: np.ndarray  # float64
    # unit (int), id (text: Arrow-backed until shown), key (float: worse is larger) — worst first,
    # ≤ LOST_KEPT per unit
    lost: pd.DataFrame
    lost_count: np.ndarray  # int64: every record that cost points
    parts: dict[str, np.ndarray]  # extra per-unit counts the evidence names


def _bins(unit: np.ndarray, mask: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per unit, the rows of ``mask`` counted (or their ``weights`` summed), a million rows at a time
    (the units of ten million rows picked out at once were 40 MB of fresh pages a count)."""
    total = None
    for a in range(0, max(len(unit), 1), ROWS_AT_ONCE):
        here = mask[a : a + ROWS_AT_ONCE]
        part = np.bincount(unit[a : a + ROWS_AT_ONCE][here], minlength=n,
                           weights=None if weights is None else weights[a : a + ROWS_AT_ONCE][here])  # fmt: skip
        total = part if total is None else total + part
    return total


def _lost(unit: np.ndarray, ids: pa.ChunkedArray | np.ndarray, mask: np.ndarray, key: np.ndarray) -> pd.DataFrame:
    """The records of ``mask``, worst (largest key) first, at most LOST_KEPT a unit. The rows come
    in the order of their ids, so stable sorts leave ties by id: the same records are shown however
    the files were ordered."""
    ordered = _worst_first(unit, key, _candidates(unit, key, np.flatnonzero(mask)))
    units = unit[ordered]
    counts = np.bincount(units)
    rank = np.arange(len(ordered)) - (np.cumsum(counts) - counts)[units]  # place within its unit
    kept = ordered[rank < LOST_KEPT]
    return pd.DataFrame({"unit": unit[kept], "key": key[kept].astype("float64"), "id": _texts(ids, kept)})


def _candidates(unit: np.ndarray, key: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The rows of ``where`` (ascending) that may be among their unit's LOST_KEPT worst, ascending.
    For whole keys of a small range one histogram per (unit, key) gives each unit's cut-off key: the
    rows below it (most of a share's millions of records) are dropped, and of the rows at it only
    the first few of each unit (ties go by id, the row order) can be shown, so nothing is sorted but
    a few per unit. Made a million rows at a time: the keys, levels and masks of each slice stay on
    the heap (whole-column ones were fresh pages for each measure, issue 28)."""
    if len(where) <= LOST_KEPT or key.dtype.kind not in "iu":
        return where
    slices = [where[a : a + ROWS_AT_ONCE] for a in range(0, len(where), ROWS_AT_ONCE)]
    bounds = np.array([(key[w].min(), key[w].max(), unit[w].max()) for w in slices], dtype=np.int64)
    top = int(bounds[:, 1].max())
    span, units = top - int(bounds[:, 0].min()) + 1, int(bounds[:, 2].max()) + 1
    if units * span > 1 << 24:
        return where
    if span == 1:  # one key (a share's records simply not counted): each unit's first rows, no level arrays
        u = unit[where]
        need = np.minimum(np.bincount(u, minlength=units), LOST_KEPT)
        return where[_first_of_each(u, need, units)]
    # int32 throughout (units * span < 2^24)
    hist = np.zeros(units * span, dtype=np.int64)
    for w in slices:
        flat = unit[w].astype(np.int32) * np.int32(span)
        flat += np.int32(top) - key[w].astype(np.int32)  # the level: 0 is the worst
        hist += np.bincount(flat, minlength=units * span)
    hist = hist.reshape(units, span)
    upto = np.cumsum(hist, axis=1)
    enough = upto >= LOST_KEPT
    cut = np.where(enough.any(axis=1), enough.argmax(axis=1), span - 1).astype(np.int32)
    everyone = np.arange(units)
    # of the rows at its cut-off key a unit can show only LOST_KEPT less those above it
    need = np.minimum(LOST_KEPT - (upto[everyone, cut] - hist[everyone, cut]), hist[everyone, cut])
    kept, at_cut, at_cut_units = [], [], []
    for w in slices:
        u = unit[w]
        level = np.int32(top) - key[w].astype(np.int32)
        cut_u = cut[u]
        kept.append(w[level < cut_u])
        boundary = level == cut_u
        at_cut.append(w[boundary])
        at_cut_units.append(u[boundary])
    boundary, boundary_units = np.concatenate(at_cut), np.concatenate(at_cut_units)
    chosen = boundary[_first_of_each(boundary_units, need, units)]
    return np.sort(np.concatenate([*kept, chosen]))


def _first_of_each(u: np.ndarray, need: np.ndarray, units: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Of ``rows`` (whose units are ``u``; None: the positions of ``u``), in order, a set holding each
    unit's first ``need[unit]``: a prefix a few times the rows needed, and every later row of a unit
    that prefix does not satisfy."""
    m = min(len(u), 4 * int(need.sum()) + 1024)
    seen = np.bincount(u[:m], minlength=units)
    short = seen < need
    later = np.flatnonzero(short[u[m:]]) + m if short.any() else np.zeros(0, dtype=np.int64)
    if rows is None:
        return np.concatenate([np.arange(m), later])
    return np.concatenate([rows[:m], rows[later]])


def _worst_first(unit: np.ndarray, key: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``where`` by unit, then by key from the largest, then as it was: two stable sorts. Whole keys
    within 2^16 of each other (days late, levels, visits: every measure over millions of records)
    and the units are sorted as uint16, which numpy sorts by radix in linear time; anything else
    by the general stable sort."""
    k, u = key[where], unit[where]
    if len(where) == 0:
        return where
    if len(where) <= 1:
        return where
    if u.max() < 2**16 and k.dtype.kind in "iu" and int(k.max()) - int(k.min()) < 2**16:
        if k.min() == k.max():  # one key (a share's records that are simply not counted): by unit alone
            return where[np.argsort(u.astype(np.uint16), kind="stable")]
        by_key = np.argsort((int(k.max()) - k).astype(np.uint16), kind="stable")
        return where[by_key[np.argsort(u[by_key].astype(np.uint16), kind="stable")]]
    by_key = where[np.argsort(-k, kind="stable")]
    return by_key[np.argsort(unit[by_key], kind="stable")]


def _texts(ids: pa.ChunkedArray | np.ndarray, rows: np.ndarray) -> pd.Series | np.ndarray:
    """The ids of ``rows``, kept in Arrow: a Python string is made only for an id shown (the lost
    records of eleven measures were two million strings, ~1 s, where a results file shows 5 a row)."""
    if isinstance(ids, pa.ChunkedArray):
        return pd.Series(pd.arrays.ArrowExtensionArray(take_rows(ids, rows)), copy=False)
    return ids[rows].astype(str).astype(object)


def _share(w: Window, unit: np.ndarray, ids: pa.ChunkedArray | np.ndarray, den: np.ndarray, good: np.ndarray, key: np.ndarray,
           parts: dict[str, np.ndarray] | None = None) -> Measured:  # fmt: skip
    d = _bins(unit, den, w.units)
    g = _bins(unit, den & good, w.units)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(d > 0, g / np.maximum(d, 1), np.nan)
    bad = den & ~good
    return Measured(g.astype("float64"), d, value, _lost(unit, ids, bad, key), d - g, parts or {})


def _in(day: np.ndarray, w: Window) -> np.ndarray:
    return (day >= w.start) & (day <= w.end)


def _shared(extra: dict, key: str, make):
    """A mask or count several measures take from the same records, made once a run (``extra``
    carries the run's ``memo``; the eleven measures share their windows and working-day counts)."""
    memo = extra.get("memo")
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _accepted_in(w: Window, cases: Table, extra: dict) -> np.ndarray:
    return _shared(extra, "accepted_in", lambda: _in(cases["accepted"], w))


def _finished_in(w: Window, cases: Table, extra: dict) -> np.ndarray:
    return _shared(extra, "finished_in", lambda: _in(cases["finished"], w))


def _finished_late_by(w: Window, cases: Table, extra: dict) -> np.ndarray:
    """Working days past the promised time of each case finished in the window (0 elsewhere)."""

    def make() -> np.ndarray:
        done = _finished_in(w, cases, extra)
        accepted, finished, promised = cases["accepted"], cases["finished"], cases["promised"]
        late_by = np.zeros(len(cases), dtype=np.int32)
        for a in range(0, len(cases), ROWS_AT_ONCE):
            here, b = done[a : a + ROWS_AT_ONCE], a + ROWS_AT_ONCE
            late_by[a:b][here] = w.days.taken(accepted[a:b][here], finished[a:b][here]) - promised[a:b][here]
        return late_by

    return _shared(extra, "finished_late_by", make)


def prepare(w: Window, cases: Table, memo: dict) -> None:
    """The masks and counts the measures of the cases share, made into ``memo`` before the measures
    run (on two threads: none of them then writes to it)."""
    extra = {"memo": memo}
    _accepted_in(w, cases, extra)
    _finished_late_by(w, cases, extra)


def on_time_rate(w: Window, cases: Table, extra: dict) -> Measured:
    done = _finished_in(w, cases, extra)
    late_by = _finished_late_by(w, cases, extra)
    return _share(w, cases["unit"], cases["case_id"], done, late_by <= 0, late_by)


def overdue_cases(w: Window, cases: Table, extra: dict) -> Measured:
    unit, fin, acc = cases["unit"], cases["finished"], cases["accepted"]
    promised = cases["promised"]
    done = _finished_in(w, cases, extra)
    finished_late_by = _finished_late_by(w, cases, extra)
    late_by = np.empty(len(cases), dtype=np.int32)  # the finished cases' days late, and the open ones'
    counted = np.empty(len(cases), dtype=bool)
    for a in range(0, len(cases), ROWS_AT_ONCE):  # a slice at a time: its temporaries stay on the heap
        b = a + ROWS_AT_ONCE
        # unfinished at --to: accepted by then, and not finished by then
        open_ = (acc[a:b] <= w.end) & ((fin[a:b] == MISSING) | (fin[a:b] > w.end))
        here = late_by[a:b]
        here[:] = finished_late_by[a:b]
        here[open_] = (
            w.days.taken(acc[a:b][open_], np.full(int(open_.sum()), w.end, dtype=np.int32)) - promised[a:b][open_]
        )
        np.logical_or(done[a:b], open_, out=counted[a:b])
    late = counted & (late_by > 0)
    d = _bins(unit, counted, w.units)
    n = _bins(unit, late, w.units)
    value = np.where(d > 0, n, np.nan).astype("float64")
    finished_late = _bins(unit, late & done, w.units)
    parts = {"finished_late": finished_late, "open_late": n - finished_late}  # the two are disjoint
    return Measured(n.astype("float64"), d, value, _lost(unit, cases["case_id"], late, late_by), n, parts)


def online_rate(w: Window, cases: Table, extra: dict) -> Measured:
    accepted = _accepted_in(w, cases, extra)
    online = cases["channel"] <= 1
    return _share(w, cases["unit"], cases["case_id"], accepted, online, np.zeros(len(cases), np.int8))


def instant_rate(w: Window, cases: Table, extra: dict) -> Measured:
    accepted = _accepted_in(w, cases, extra)
    promised = cases["promised"]
    return _share(w, cases["unit"], cases["case_id"], accepted, promised == 0, promised)


def one_visit_rate(w: Window, cases: Table, params: dict) -> Measured:
    visits = cases["visits"]
    counted = _accepted_in(w, cases, params) & (visits != MISSING)
    return _share(w, cases["unit"], cases["case_id"], counted, visits <= params.get("max_visits", 1), visits)


def _latest(unit: np.ndarray, item: pa.ChunkedArray, rank: np.ndarray, take: np.ndarray) -> pa.Table:
    """Per (unit, item) of the rows of ``take`` the largest ``rank``: a table (u, i, k_max) from
    one hashed group-by in Arrow. Grouped by the item alone first — half the hashing — which is the
    same grouping when no item is named by two units (checked: each item's least and greatest unit
    are one); else by both. Item codes of one byte length (an export's usually are) are hashed as
    fixed-width binary, seen in place: 40% less than hashing them as text (issue 28)."""
    items = item.filter(pa.array(take))  # chunk by chunk: the ten million codes are not joined
    width = fixed_width(items)
    key = pa.chunked_array([_fixed_binary(c, width) for c in items.chunks], pa.binary(width)) if width else items
    units = unit[take]
    table = pa.table({"i": key, "k": rank, "u": units})
    # one thread: less CPU for the same groups
    by_item = table.group_by(["i"], use_threads=False).aggregate([("k", "max"), ("u", "max"), ("u", "min")])
    if pc.all(pc.equal(by_item["u_max"], by_item["u_min"])).as_py() is not False:
        groups = pa.table({"u": by_item["u_max"], "i": by_item["i"], "k_max": by_item["k_max"]})
    else:
        groups = table.group_by(["u", "i"], use_threads=False).aggregate([("k", "max")])
    if width:
        groups = groups.set_column(
            groups.schema.get_field_index("i"), "i", groups["i"].cast(pa.binary()).cast(pa.string())
        )
    return groups


DENSE_KEYS = 1 << 22  # item codes packed into fewer keys than this are grouped by an array, no hashing


def _latest_by_key(unit: np.ndarray, item: pa.ChunkedArray, accepted: np.ndarray, start: int,
                   take: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
    """``_latest`` without hashing, where the item codes of ``take`` pack into few keys (an
    export's codes do: a fixed prefix and a few digits, ``KeyScheme``) and no code is named by two
    units: each code's latest case (its day, then its position) found by a scatter into an array
    of the codes, a million rows at a time (the slices' temporaries stay on the heap, reused).
    Per (unit, item), ordered by unit then item code (the keys' order is the codes'): the unit
    and the row of its latest case. None where the codes do not pack so (``_latest`` hashes them)."""
    starts = range(0, len(item), ROWS_AT_ONCE)
    parts = [item.slice(a, ROWS_AT_ONCE).filter(pa.array(take[a : a + ROWS_AT_ONCE])) for a in starts]
    scheme = KeyScheme.of(parts, DENSE_KEYS)
    if scheme is None:
        return None
    low = np.full(scheme.count, np.iinfo(np.int32).max, dtype=np.int32)
    high = np.full(scheme.count, -1, dtype=np.int32)
    latest = np.full(scheme.count, -1, dtype=np.int64)
    for i, a in enumerate(starts):
        here = take[a : a + ROWS_AT_ONCE]
        key = scheme.keys(parts[i])
        parts[i] = None
        units = unit[a : a + len(here)][here]
        np.minimum.at(low, key, units)
        np.maximum.at(high, key, units)
        rank = accepted[a : a + len(here)][here].astype(np.int64)  # all within the window: ≥ start
        rank -= start
        rank <<= 32
        rank |= np.flatnonzero(here) + a
        np.maximum.at(latest, key, rank)
    seen = high >= 0
    if (low[seen] != high[seen]).any():  # an item code two units name: (unit, item) pairs, hashed
        return None
    found = np.flatnonzero(seen)  # in the codes' order
    by_unit = np.argsort(high[found], kind="stable")
    return high[found][by_unit].astype(unit.dtype), latest[found][by_unit] & 0xFFFFFFFF


def _fixed_binary(strings: pa.Array, width: int) -> pa.Array:
    """Strings all ``width`` bytes long as fixed-size binary over the same bytes (no copy)."""
    first = int(string_offsets(strings)[0])
    data = strings.buffers()[2].slice(first, width * len(strings)) if len(strings) else pa.py_buffer(b"")
    return pa.Array.from_buffers(pa.binary(width), len(strings), [None, data])


def time_reduction(w: Window, cases: Table, extra: dict) -> Measured:
    statutory = cases["statutory"]
    item = cases["item_code"]
    # items stay text: an export's item codes are many (a unit's own), and hashing them once here,
    # in the group-by, is cheaper than coding them at reading (issue 28)
    named = lengths_above_zero(item)
    take = _accepted_in(w, cases, extra) & (statutory != MISSING) & (statutory > 0) & named
    dense = _latest_by_key(cases["unit"], item, cases["accepted"], w.start, take)
    if dense is not None:
        u, rows = dense
        items = take_rows(item, rows).to_numpy(zero_copy_only=False)
    else:
        idx = np.flatnonzero(take)
        # each item by its latest accepted case; on one day the greatest case id (the rows are in id
        # order): the largest (day, position) per (unit, item), no sort; made in place (it runs
        # beside other measures: its temporaries are the peak's)
        rank = cases["accepted"][idx].astype(np.int64)
        rank -= w.start
        rank <<= 32
        rank |= idx
        del idx
        groups = _latest(cases["unit"], item, rank, take)
        del rank
        rows = groups["k_max"].to_numpy() & 0xFFFFFFFF
        unit = groups["u"].to_numpy()
        named_items = groups["i"]
        # ties by item code
        order = pc.sort_indices(pa.table({"u": unit, "i": named_items}),
                                sort_keys=[("u", "ascending"), ("i", "ascending")]).to_numpy()  # fmt: skip
        u, rows = unit[order], rows[order]
        items = named_items.take(pa.array(order)).to_numpy(zero_copy_only=False)
    del take
    cut = np.clip(1 - cases["promised"][rows] / statutory[rows], 0, 1)
    d = np.bincount(u, minlength=w.units)
    s = np.bincount(u, weights=cut, minlength=w.units)
    value = np.where(d > 0, s / np.maximum(d, 1), np.nan)
    below = cut < 1
    lost = _lost(u, items, below, 1 - cut)
    lost = lost.assign(cut=1 - lost["key"])
    return Measured(s, d, value, lost, np.bincount(u[below], minlength=w.units), {})


def _ratings_in(w: Window, ratings: Table) -> np.ndarray:
    return _in(ratings["rated"], w)


def satisfaction(w: Window, ratings: Table, _: dict) -> Measured:
    level = ratings["level"]
    return _share(w, ratings["unit"], ratings["rating_id"], _ratings_in(w, ratings), level >= 3, 3 - level)


def bad_fixed_on_time(w: Window, ratings: Table, params: dict) -> Measured:
    days = params.get("days", 5)
    rated, fixed = ratings["rated"], ratings["fixed"]
    bad = _ratings_in(w, ratings) & (ratings["level"] <= 2)
    has_fix = fixed != MISSING
    due = np.zeros(len(ratings), dtype=bool)
    due[bad] = w.days.taken(rated[bad], np.full(int(bad.sum()), w.end)) >= days
    counted = bad & (due | (has_fix & (fixed <= w.end)))
    fix_took = np.full(len(ratings), np.iinfo(np.int32).max, dtype=np.int64)
    fixed_rows = counted & has_fix
    fix_took[fixed_rows] = w.days.taken(rated[fixed_rows], fixed[fixed_rows])
    # unfixed first, then the latest fixes
    return _share(w, ratings["unit"], ratings["rating_id"], counted, fix_took <= days, fix_took)


def callback_rate(w: Window, ratings: Table, _: dict) -> Measured:
    bad = _ratings_in(w, ratings) & (ratings["level"] <= 2)
    called = ratings["callback"] != MISSING
    return _share(w, ratings["unit"], ratings["rating_id"], bad, called, np.zeros(len(ratings), np.int8))


def rating_coverage(w: Window, cases: Table, extra: dict) -> Measured:
    done = _finished_in(w, cases, extra)
    rated = _named(cases["case_id"], extra["rated_cases"]) & done
    return _share(w, cases["unit"], cases["case_id"], done, rated, np.zeros(len(cases), np.int8))


@dataclass(frozen=True)
class Named:
    """Ids to be found among others (the cases the ratings name): as given, and, where the ids
    searched are all ``width`` bytes long, those of that length sorted as bytes (``needles``), made
    on the thread that read them."""

    ids: pa.ChunkedArray
    width: int
    needles: np.ndarray | None


def named_ids(ids: pa.ChunkedArray, width: int) -> Named:
    """``ids`` made ready to be found among ids all ``width`` bytes long (0: of several lengths)."""
    if not width:
        return Named(ids, 0, None)
    wanted = ids.filter(pc.equal(pc.binary_length(ids), width)).combine_chunks()
    if wanted.type != pa.string() or wanted.null_count:
        return Named(ids, 0, None)
    needles = np.sort(fixed_views(pa.chunked_array([wanted]), width)[0]) if len(wanted) else np.zeros(0, f"S{width}")
    return Named(ids, width, needles)


def _named(ids: pa.ChunkedArray, named: Named) -> np.ndarray:
    """Which of ``ids`` (in order, as the records are) ``named`` holds. Ids of one byte length, as an
    export's usually are, are found by binary search over the Arrow buffers seen as fixed-width
    bytes, in place (issue 28: hashing the rated ids and probing ten million was the costliest
    measure); any other ids by Arrow's hashed set."""
    width = fixed_width(ids)
    if not width or width != named.width:
        return pc.is_in(ids, value_set=named.ids).to_numpy(zero_copy_only=False)
    needles = named.needles
    found = np.zeros(len(ids), dtype=bool)
    start = 0
    for chunk in ids.chunks:
        if len(chunk):
            hay = fixed_views(pa.chunked_array([chunk]), width)[0]
            sel = needles[np.searchsorted(needles, hay[0], "left") : np.searchsorted(needles, hay[-1], "right")]
            at = np.minimum(np.searchsorted(hay, sel), len(hay) - 1)
            found[start + at[hay[at] == sel]] = True
        start += len(chunk)
    return found


def stale_accounts(w: Window, accounts: Table, extra: dict) -> Measured:
    days = extra.get("days", 14)
    newest = extra["newest"]  # account_id -> newest post day on or before --to
    account = accounts["account_id"].to_numpy(zero_copy_only=False)
    last = newest.reindex(account).to_numpy(dtype="float64", na_value=np.nan)
    age = np.where(np.isnan(last), np.inf, w.end - np.nan_to_num(last))
    fresh = age <= days
    unit = accounts["unit"]
    everyone = np.ones(len(accounts), dtype=bool)
    m = _share(w, unit, accounts["account_id"], everyone, fresh, np.where(np.isinf(age), 1e12, age))
    stale = m.denominator - m.numerator.astype(np.int64)
    value = np.where(m.denominator > 0, stale, np.nan).astype("float64")
    return Measured(stale.astype("float64"), m.denominator, value, m.lost, m.lost_count, {})


MEASURES = {
    "on_time_rate": ("cases", on_time_rate),
    "overdue_cases": ("cases", overdue_cases),
    "online_rate": ("cases", online_rate),
    "instant_rate": ("cases", instant_rate),
    "one_visit_rate": ("cases", one_visit_rate),
    "time_reduction": ("cases", time_reduction),
    "satisfaction": ("ratings", satisfaction),
    "bad_fixed_on_time": ("ratings", bad_fixed_on_time),
    "callback_rate": ("ratings", callback_rate),
    "rating_coverage": ("cases+ratings", rating_coverage),
    "stale_accounts": ("accounts+posts", stale_accounts),
}


def measure(name: str, w: Window, table: Table, params: dict) -> Measured:
    return MEASURES[name][1](w, table, params)
