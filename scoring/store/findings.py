"""A round's findings in the store: written a batch at a time into ``finding`` — the record that
every query, appeal and verification reads — and, in the same transaction, as a columnar copy in
``batch_frame`` (Arrow IPC, zstd; one per batch and round); read back as the frame the validator takes.

Why the copy: a province's round is 600 k findings, and reading them back through Python's sqlite3
makes a Python object of every value — 2.5 s of the 3 s a publication may take (issue 21). The
copies load in a few hundredths of a second. Rows that no copy covers (batches stored before
migration 9, or a copy that could not be made) are read from the table as before, and
:func:`scoring.store.publish.verify` reads the table itself and checks that every copy says the
same, so a digest never rests on a copy that differs from the record.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.store.db import Store, bulk_insert
from scoring.store.writer import Writer

__all__ = ["FINDING_COLUMNS", "copy_problems", "copy_stored_batches", "findings_frame", "insert_findings"]

RAW_COLUMNS = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]
# what a caller of insert_findings hands over, one row per finding, in the order stored
FINDING_COLUMNS = ["round_id", "_sheet", "_row", "unit_id", "check_id", "value", "evidence", "note", "evaluator",
                   "checked_at"]  # fmt: skip
_INSERT_COLUMNS = ("id", "batch_id", "round_id", "sheet", "row_no", "unit_id", "check_id", "value", "evidence",
                   "note", "evaluator", "checked_at")  # fmt: skip
_INSERT = f"INSERT INTO finding({', '.join(_INSERT_COLUMNS)}) VALUES "
_ROW = "(?,?,?,?,?,?,?,?,?,?,?,?)"
_ROWS_PER_INSERT = 100
_INSERTS_PER_PART = 80
# rows go in and come out a slice at a time: a round of 600 k rows as Python tuples all at once
# would take 400 MB for a moment, while a slice turned into Arrow columns holds each text once
_SLICE = 1 << 16
_TEXT = ["unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at", "_sheet"]
_NAMES = [*_TEXT, "batch_id", "_row", "finding_id"]
_SCHEMA = pa.schema([(n, pa.string()) for n in _TEXT] + [(n, pa.int64()) for n in ("batch_id", "_row", "finding_id")])
_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")
# beyond this many copies in one round the rows they leave out are found with a subquery instead
# of one range per copy in the statement (SQLite allows 32,766 parameters)
_MAX_RANGES = 400


def insert_findings(
    db: sqlite3.Connection, batch_id: int, rows: pd.DataFrame, writer: Writer | None = None
) -> np.ndarray:
    """Store a batch's rows (columns ``FINDING_COLUMNS``) inside the caller's write transaction,
    and a copy per round; returns the finding ids given, in row order.

    The ids are given here, one block after the highest in the store, so that the copy can carry
    them without reading the rows back; the write lock the caller holds keeps the block free.

    Rows go a slice at a time from the caller's columns to the table and the copy, in index order:
    a reordered copy of the whole batch, its values as Python objects and the copy's columns alive
    at once took 500 MB of a province's import (issue 34).

    With a ``writer``, the statements are handed to it and may still be running when this returns
    (the caller waits for it before using ``db`` again): this thread gathers the next slice and
    compresses the copy while SQLite inserts the one before (issue 34). Without one they run here."""
    first = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM finding").fetchone()[0]) + 1
    own = writer is None
    writer = Writer(threaded=False) if writer is None else writer
    order = _index_order(rows)
    ids = np.arange(first, first + len(rows), dtype=np.int64)
    columns = {c: _Column(rows[c]) for c in FINDING_COLUMNS}
    copyable = all(columns[c].arrow is not None for c in [*_TEXT, "_row"])
    round_ids = rows["round_id"].to_numpy(dtype=np.int64)[order]
    # a slice's Python values go to the writer in parts: fewer of them alive at once (memory), and
    # the writer starts on a slice's first part while this thread converts the next
    part_rows = _rows_per_insert(db) * _INSERTS_PER_PART
    # the order puts each round's rows together: a round's copy is a run of slices
    bounds = np.flatnonzero(np.r_[True, round_ids[1:] != round_ids[:-1], True]) if len(rows) else []
    for lo, hi in itertools.pairwise(bounds):
        sink = pa.BufferOutputStream()
        copy = pa.ipc.new_file(sink, _SCHEMA, options=_OPTIONS) if copyable else None
        for start in range(lo, hi, _SLICE):
            at = order[start : min(start + _SLICE, hi)]
            some = ids[start : start + len(at)]
            part = {c: columns[c].take(at) for c in FINDING_COLUMNS}
            for p in range(0, len(at), part_rows):
                q = min(p + part_rows, len(at))
                values = [some[p:q].tolist(), [batch_id] * (q - p),
                          *(columns[c].python(at[p:q], part[c][p:q]) for c in FINDING_COLUMNS)]  # fmt: skip
                writer.submit(_insert_rows(db, values))
                del values  # the writer's now: its objects go when it has inserted them
            part.update(finding_id=pa.array(some), batch_id=pa.array(np.full(len(at), batch_id, dtype=np.int64)))
            if copy is not None:
                copy.write_batch(pa.record_batch([part[n] for n in _NAMES], schema=_SCHEMA))
        if copy is not None:
            copy.close()
            writer.submit(functools.partial(
                db.execute,
                "INSERT INTO batch_frame(batch_id, round_id, first_id, last_id, rows, arrow) VALUES (?,?,?,?,?,?)",
                (batch_id, int(round_ids[lo]), int(ids[lo]), int(ids[hi - 1]), int(hi - lo),
                 memoryview(sink.getvalue())),  # bound as Arrow wrote it: no second 20 MB copy
            ))  # fmt: skip
    if own:
        writer.wait()
    in_row_order = np.empty_like(ids)
    in_row_order[order] = ids
    return in_row_order


def _rows_per_insert(db: sqlite3.Connection) -> int:
    if not isinstance(db, sqlite3.Connection):
        return _ROWS_PER_INSERT
    return max(1, min(_ROWS_PER_INSERT, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(_INSERT_COLUMNS)))


def _insert_rows(db: sqlite3.Connection, columns: list[list]) -> Callable[[], None]:
    """The insert of some findings, given as their columns' Python values in ``_INSERT``'s order:
    the parameters laid out here, the statements run by the call returned (by the writer's thread).

    A hundred rows a statement: executemany's work per row (a step and a reset of the statement,
    its parameters looked up one tuple at a time) took a third of a province's insert (issue 34).
    PostgreSQL takes the rows by ``COPY``."""
    if not isinstance(db, sqlite3.Connection):
        return functools.partial(bulk_insert, db, "finding", _INSERT_COLUMNS, zip(*columns, strict=True))
    width, n = len(columns), len(columns[0])
    flat: list = [None] * (width * n)
    for i, values in enumerate(columns):
        flat[i::width] = values  # row-major in one C loop per column, no tuple per row
    return functools.partial(_run_inserts, db, flat, n)


def _run_inserts(db: sqlite3.Connection, flat: list, n: int) -> None:
    width, per = len(_INSERT_COLUMNS), _rows_per_insert(db)
    full = n - n % per
    many = _INSERT + ",".join([_ROW] * per)
    for start in range(0, full * width, per * width):
        db.execute(many, flat[start : start + per * width])
    if n > full:
        db.execute(_INSERT + ",".join([_ROW] * (n - full)), flat[full * width :])


class _Column:
    """One of a batch's columns, from which slices are taken in any order: as Arrow when it is all
    text (or integers), so that a slice is one gather; otherwise as Python values."""

    def __init__(self, values: pd.Series) -> None:
        self.arrow: pa.Array | None = None
        self.codes: np.ndarray | None = None
        self.plain: np.ndarray | None = None
        self.objects: np.ndarray | None = None
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
            self.arrow = pa.array(values.to_numpy(dtype=np.int64))
            return
        try:
            if isinstance(values.dtype, pd.CategoricalDtype) and (values.cat.codes.to_numpy() >= 0).all():
                # a coded column gathers its codes: its few texts are decoded once
                self.arrow = _strings(pd.Series(values.cat.categories.to_numpy(dtype=object), dtype=object))
                self.codes = values.cat.codes.to_numpy()
            else:
                arr = _strings(values)
                # a gather from many chunks concatenates them on every call (0.14 s a slice)
                self.arrow = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        except (TypeError, pa.ArrowException):
            self.arrow, self.codes = None, None
            self.plain = _plain_values(values)

    def take(self, at: np.ndarray) -> pa.Array | np.ndarray:
        if self.plain is not None:
            return self.plain[at]
        if self.codes is not None:
            return self.arrow.take(pa.array(self.codes[at]))
        return self.arrow.take(pa.array(at))

    def python(self, at: np.ndarray, taken: pa.Array | np.ndarray) -> list:
        """The Python values of the rows ``at`` (``taken`` is what :meth:`take` gave for them)."""
        if self.codes is not None:
            # one str object per distinct text: SQLite's driver encodes each to UTF-8 once, not per row
            if self.objects is None:
                self.objects = np.array(self.arrow.to_pylist(), dtype=object)
            return self.objects[self.codes[at]].tolist()
        return taken.tolist() if isinstance(taken, np.ndarray) else taken.to_pylist()


def _plain_values(values: pd.Series) -> np.ndarray:
    """A column as an array of its Python values: a coded column by one take from its categories,
    not by iterating over it (0.45 s of a province's import, issue 34)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories.to_numpy(dtype=object)
        codes = values.cat.codes.to_numpy()
        if (codes >= 0).all():
            return categories[codes]
    return values.to_numpy(dtype=object)


def _index_order(rows: pd.DataFrame) -> np.ndarray:
    """The rows' order by (round, unit, check), stable: the order their ids are given in.

    An evaluator's file comes in any order; inserted as it came, each row landed at a random place
    of the index ``finding_round`` on that key and SQLite touched a page of it per row (issue 34:
    7.2 s of a 12.4 s import of a province's round). Migration 14 dropped that index, but the ids
    keep this order: a revision's digest covers the findings in id order, and the same files give
    the same digest as they did before. A batch stays one block of ids per round; rows of one
    (unit, check) keep their order in the file, which is all that the scores and the evidence
    joined from them see.
    """
    r, u, c = (_sort_codes(rows[k]).astype(np.int64) for k in ("round_id", "unit_id", "check_id"))
    n_u, n_c = int(u.max(initial=0)) + 1, int(c.max(initial=0)) + 1
    if (int(r.max(initial=0)) + 1) * n_u * n_c < 2**62:
        # one integer per row sorts in one pass; np.lexsort's three took twice the time (issue 34)
        return np.argsort((r * n_u + u) * n_c + c, kind="stable")
    return np.lexsort([c, u, r])  # last key sorts first


def _sort_codes(values: pd.Series) -> np.ndarray:
    """Integers that sort as the values do (text by code point, as SQLite's BINARY collation does)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        rank = np.argsort(np.argsort(values.cat.categories.to_numpy(dtype=object)))
        return rank[values.cat.codes.to_numpy()]
    return pd.factorize(values, sort=True)[0]


def _strings(values: pd.Series) -> pa.Array:
    arr = pa.array(values, from_pandas=True)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or arr.null_count:
        raise TypeError("not text")  # the table holds it as SQLite renders it: read it from there
    return arr.cast(pa.string())


def _keep_copies(db: sqlite3.Connection, batch_id: int, rows: pd.DataFrame, ids: np.ndarray) -> None:
    """The copies of a batch read back from the table (rows in id order), as an import makes them."""
    round_ids = rows["round_id"].to_numpy(dtype=np.int64)
    for round_id in np.unique(round_ids):
        mine = np.flatnonzero(round_ids == round_id)
        part = rows.iloc[mine]
        try:
            texts = [_strings(part[c]) for c in _TEXT]
        except (TypeError, pa.ArrowException):
            continue
        table = pa.Table.from_arrays(
            [*texts, pa.array(np.full(len(part), batch_id, dtype=np.int64)),
             pa.array(part["_row"].to_numpy(dtype=np.int64)), pa.array(ids[mine])],
            schema=_SCHEMA,
        )  # fmt: skip
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, _SCHEMA, options=_OPTIONS) as writer:
            writer.write_table(table)
        db.execute(
            "INSERT INTO batch_frame(batch_id, round_id, first_id, last_id, rows, arrow) VALUES (?,?,?,?,?,?)",
            (batch_id, int(round_id), int(ids[mine[0]]), int(ids[mine[-1]]), len(part), sink.getvalue().to_pybytes()),
        )  # fmt: skip


def copy_stored_batches(db: sqlite3.Connection) -> None:
    """Make the copies of batches stored before migration 9 (part of that migration's transaction):
    each batch's rows were inserted as one block under the write lock, so its rows in a round lie
    in one id range, as a copy made at import does."""
    pending = db.execute(
        "SELECT DISTINCT f.batch_id FROM finding f WHERE NOT EXISTS"
        " (SELECT 1 FROM batch_frame b WHERE b.batch_id = f.batch_id) ORDER BY f.batch_id"
    ).fetchall()
    for (batch_id,) in pending:
        cur = db.cursor()
        cur.row_factory = None
        rows = cur.execute(
            "SELECT round_id, sheet, row_no, unit_id, check_id, value, evidence, note, evaluator, checked_at, id"
            " FROM finding WHERE batch_id = ? ORDER BY id", (batch_id,)).fetchall()  # fmt: skip
        frame = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "id"])
        ids = frame.pop("id").to_numpy(dtype=np.int64)
        frame = frame.astype({c: object for c in FINDING_COLUMNS if c not in ("round_id", "_row")})
        _keep_copies(db, int(batch_id), frame, ids)


def _copies(db: sqlite3.Connection, round_id: int) -> tuple[list[pa.Table], list[tuple[int, int]]]:
    """The round's copies that read back whole, and the id range each covers."""
    tables, ranges = [], []
    for first, last, n, blob in db.execute(
        "SELECT first_id, last_id, rows, arrow FROM batch_frame WHERE round_id = ? ORDER BY first_id", (round_id,)
    ).fetchall():
        try:
            # one piece per copy, as a copy was before it was written a slice at a time: a gather
            # from a column of many pieces joins them first, on every call
            table = pa.ipc.open_file(pa.py_buffer(blob)).read_all().combine_chunks()
        except pa.ArrowException:
            continue  # an unreadable copy: its rows are read from the table
        if table.num_rows == n and table.schema.equals(_SCHEMA):
            tables.append(table)
            ranges.append((int(first), int(last)))
    return tables, ranges


def _table_rows(db: sqlite3.Connection, round_id: int, ranges: list[tuple[int, int]]) -> pa.Table:
    """The round's rows outside the copies' ranges, from the table: every row without copies."""
    if len(ranges) <= _MAX_RANGES:
        outside = "".join(" AND f.id NOT BETWEEN ? AND ?" for _ in ranges)
        params: list[int] = [round_id, *(i for r in ranges for i in r)]
    else:
        outside = (" AND NOT EXISTS (SELECT 1 FROM batch_frame b WHERE b.round_id = f.round_id"
                   " AND f.id BETWEEN b.first_id AND b.last_id)")  # fmt: skip
        params = [round_id]
    cur = db.cursor()
    cur.row_factory = None  # plain tuples: a sqlite3.Row per finding costs more than the fetch
    cur.execute(
        "SELECT f.unit_id, f.check_id, f.value, f.evidence, f.note, f.evaluator, f.checked_at, f.sheet, f.batch_id,"
        " f.row_no, f.id FROM finding f WHERE f.round_id = ?" + outside,
        params,
    )  # in index order; sorted by id later, in Arrow, for less than SQLite's sort costs
    slices = []
    while rows := cur.fetchmany(_SLICE):
        columns = zip(*rows, strict=True)
        slices.append(pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, _SCHEMA, strict=True)],
                                           schema=_SCHEMA))  # fmt: skip
        del rows, columns
    return pa.concat_tables(slices) if slices else _SCHEMA.empty_table()


def _all_rows(db: sqlite3.Connection, round_id: int, *, from_table: bool) -> pa.Table:
    """Every row stored for the round, superseded ones included, in id order."""
    tables, ranges = ([], []) if from_table else _copies(db, round_id)
    table = pa.concat_tables([*tables, _table_rows(db, round_id, ranges)])
    ids = table["finding_id"].to_numpy()
    if (ids[1:] > ids[:-1]).all():  # copies alone, in order: a take would copy every text for nothing
        return table
    return table.take(pc.sort_indices(table["finding_id"]))


def findings_frame(store: Store, round_id: int, as_of: int | None = None, *, from_table: bool = False) -> pd.DataFrame:
    """The round's current findings (as of a finding id), in the shape the validator reads.

    Rows come in finding-id order; texts are Arrow-backed strings (``str``). The batch's file name
    and the round's period are looked up once per batch and round, not fetched with every row.
    ``from_table`` reads the record alone, leaving the copies aside (what verify recomputes from).
    """
    db = store.db
    limit = as_of if as_of is not None else 2**62
    table = _all_rows(db, round_id, from_table=from_table)
    gone = [r[0] for r in db.execute(
        "SELECT s.old_finding_id FROM supersession s JOIN finding f ON f.id = s.old_finding_id"
        " WHERE f.round_id = ? AND s.new_finding_id <= ?", (round_id, limit)).fetchall()]  # fmt: skip
    keep = pc.less_equal(table["finding_id"], limit)
    if gone:
        keep = pc.and_(keep, pc.invert(pc.is_in(table["finding_id"], pa.array(gone, pa.int64()))))
    if not pc.all(keep).as_py():  # a filter copies every text even when it keeps them all
        table = table.filter(keep)
    period = db.execute("SELECT period FROM round WHERE id = ?", (round_id,)).fetchone()
    batches = pc.unique(table["batch_id"])
    # no batch: no statement (PostgreSQL refuses an empty IN list, which SQLite takes)
    files = dict(db.execute(f"SELECT id, file_name FROM batch WHERE id IN ({','.join('?' * len(batches))})",
                            batches.to_pylist()).fetchall()) if len(batches) else {}  # fmt: skip
    # the period and each row's file name made in Arrow: a Python str per row of a province's
    # round, then an array of them, was 0.03 s of the read's 0.17 s
    names = pa.array([files.get(b) for b in batches.to_pylist()], pa.string())
    table = table.append_column("period", pa.repeat(pa.scalar(period[0] if period else "", pa.string()), len(table)))
    table = table.append_column("_file", names.take(pc.index_in(table["batch_id"], value_set=batches)))
    table = table.select([*RAW_COLUMNS, "_file", "_sheet", "_row", "finding_id"])
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


def copy_problems(store: Store, round_id: int) -> list[int]:
    """The batches whose copy in the round differs from their rows in the table (either was
    changed after the import), or whose copy no longer reads back."""
    db = store.db
    stored = {int(b) for (b,) in db.execute("SELECT batch_id FROM batch_frame WHERE round_id = ?", (round_id,))}
    if not stored:
        return []
    tables, _ = _copies(db, round_id)
    copied = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
    unreadable = stored - set(pc.unique(copied["batch_id"]).to_pylist())
    record = _all_rows(db, round_id, from_table=True)
    record = record.filter(pc.is_in(record["batch_id"], pa.array(sorted(stored), pa.int64())))
    if copied.num_rows == record.num_rows and copied.sort_by("finding_id").equals(record):
        return sorted(unreadable)
    a, b = copied.to_pandas(), record.to_pandas()
    both = a.merge(b, how="outer", on=_NAMES, indicator=True)
    return sorted(unreadable | {int(x) for x in both.loc[both["_merge"] != "both", "batch_id"]})
