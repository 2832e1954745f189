"""A whole store copied into an empty one, either backend to either (``assess store copy``), and proved.

The tables are those the migrations make, taken in the order their foreign keys need; every row
keeps its id. The destination is written in ONE transaction, so a failure leaves it as empty as it
was; the source is read as of one moment (one read transaction), page by page on its primary key
(keyset pagination: the same SQL on both backends, memory bounded by a page, a province's 2 M
findings included). Each table's content hash is a sum of per-row SHA-256 digests (modulo 2**256):
independent of row order, because PostgreSQL may sort text keys by another collation than SQLite.
The source's hash is taken from the very rows written, the copy's by reading it back afterwards.
"""

from __future__ import annotations

import graphlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg

from scoring.errors import InputError, Issue
from scoring.store.db import MIGRATIONS, Store, _statements, open_store
from scoring.store.failures import shown_location

__all__ = ["CopyResult", "Table", "TableCopy", "backup_to_sqlite", "copy_store", "store_tables", "table_digest"]

# rows read and written at a time; tables holding files (BLOBs) go in small pages, whose rows may be MBs
PAGE_ROWS = 20_000
BLOB_PAGE_ROWS = 64
_MOD = 2**256
_DB_ERRORS = (sqlite3.DatabaseError, psycopg.DatabaseError)


@dataclass(frozen=True)
class Table:
    """A store table as the copy needs it: its columns, its primary key, which columns hold bytes."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    blobs: tuple[str, ...] = ()
    # SQLite keeps a hidden rowid here (no INTEGER PRIMARY KEY names it): the order rows went in,
    # which a SQLite source is read in so that a copy keeps it
    rowid: bool = False


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    digest: str  # hex of the table's content hash, equal on source and copy


@dataclass
class CopyResult:
    source: str
    destination: str
    tables: list[TableCopy] = field(default_factory=list)
    revisions: int = 0  # published revisions whose digests are equal on both and verified on the copy
    rows_compared: int = 0  # score lines `assess verify` compared on the copy

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@cache
def store_tables() -> tuple[Table, ...]:
    """The latest schema's tables, each after every table it refers to.

    Read from the migrations themselves (applied to an empty in-memory database) so that a table a
    later migration adds is copied without anyone remembering to list it here.
    """
    db = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS:
            for statement in _statements(script):
                db.execute(statement)
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]  # fmt: skip
        tables, needs = {}, {}
        for name in names:
            info = db.execute(f"PRAGMA table_info({name})").fetchall()  # cid, name, type, notnull, default, pk
            columns = tuple(r[1] for r in info)
            key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            blobs = tuple(r[1] for r in info if r[2].upper() == "BLOB")
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            aliased = len(key) == 1 and next(r[2] for r in info if r[1] == key[0]).upper() == "INTEGER"
            tables[name] = Table(name, columns, key, blobs, rowid=not aliased and "WITHOUT ROWID" not in sql.upper())
            needs[name] = sorted({r[2] for r in db.execute(f"PRAGMA foreign_key_list({name})")} - {name})
    finally:
        db.close()
    sorter = graphlib.TopologicalSorter(needs)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():  # ready tables by name, so that the order is the same on every run
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(tables[n] for n in order)


def _value(v: object) -> bytes:
    # each value typed and length-prefixed: '1' and 1, '' and NULL, b'ab' and 'ab' hash differently
    if v is None:
        return b"n"
    if isinstance(v, bool):  # a PostgreSQL boolean is SQLite's 0/1
        v = int(v)
    if isinstance(v, int):
        body, tag = str(v).encode(), b"i"
    elif isinstance(v, str):
        body, tag = v.encode("utf-8"), b"s"
    elif isinstance(v, (bytes, bytearray, memoryview)):
        body, tag = bytes(v), b"b"
    elif isinstance(v, float):
        body, tag = repr(v).encode(), b"f"
    else:
        raise TypeError(f"a store value of type {type(v).__name__}")
    return tag + len(body).to_bytes(8, "big") + body


def _row_hash(row: tuple) -> int:
    return int.from_bytes(hashlib.sha256(b"".join(_value(v) for v in row)).digest(), "big")


def _pages(store: Store, table: Table) -> Iterator[list[tuple]]:
    """The table's rows in pages, each read after the last key of the one before."""
    cols = ", ".join(table.columns)
    keys = ", ".join(table.key)
    at = [table.columns.index(k) for k in table.key]
    by_rowid = table.rowid and store.backend == "sqlite"
    if by_rowid:  # the rowid is read first and dropped from each row below
        cols, keys, at = f"rowid, {cols}", "rowid", [0]
    size = BLOB_PAGE_ROWS if table.blobs else PAGE_ROWS
    after: tuple | None = None
    while True:
        if after is None:
            sql, params = f"SELECT {cols} FROM {table.name} ORDER BY {keys} LIMIT ?", (size,)
        elif len(at) == 1:
            sql = f"SELECT {cols} FROM {table.name} WHERE {keys} > ? ORDER BY {keys} LIMIT ?"
            params = (*after, size)
        else:  # a row value compares key by key, as ORDER BY sorts: the same on both backends
            marks = ", ".join("?" * len(at))
            sql = f"SELECT {cols} FROM {table.name} WHERE ({keys}) > ({marks}) ORDER BY {keys} LIMIT ?"
            params = (*after, size)
        rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                for r in store.db.execute(sql, params).fetchall()]  # fmt: skip
        if not rows:
            return
        after = tuple(rows[-1][i] for i in at)
        yield [r[1:] for r in rows] if by_rowid else rows
        if len(rows) < size:
            return


def table_digest(store: Store, table: Table) -> tuple[int, str]:
    """The table's row count and content hash (hex), read page by page."""
    count, total = 0, 0
    for rows in _pages(store, table):
        count += len(rows)
        total = (total + sum(map(_row_hash, rows))) % _MOD
    return count, f"{total:064x}"


def _counts(store: Store) -> dict[str, int]:
    return {t.name: int(store.db.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0]) for t in store_tables()}


@contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """Every read inside sees the store as of one moment, while others go on writing."""
    if store.backend == "postgresql":
        store.db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    else:
        store.db.execute("BEGIN")  # deferred: WAL gives this reader one snapshot, writers never wait
    try:
        yield
    finally:
        store.db.execute("ROLLBACK")


def _refuse(code: str, message: str, where: str) -> InputError:
    return InputError([Issue(code=code, message=message, file=where)])


def _same_place(src: str, dst: str) -> bool:
    if "://" in src or "://" in dst:
        return src == dst
    return Path(src).resolve() == Path(dst).resolve()


def copy_store(source: str | Path, destination: str | Path) -> CopyResult:
    """Copy the store at ``source`` into the empty store at ``destination`` (made if absent) and
    prove the copy: equal row counts and content hashes per table, and ``verify`` passing on the
    copy with the same revision digests. Refuses a destination holding anything."""
    from scoring.store.publish import revision_digests, verify

    if _same_place(str(source), str(destination)):
        raise _refuse("copy-same-store", "源存储与目标存储是同一个;请指定另一个空的目标存储",
                      shown_location(destination))  # fmt: skip
    src = open_store(source, writes=False)
    fresh_file = "://" not in str(destination) and not Path(destination).exists()
    dst = open_store(destination)
    result = CopyResult(src.location, dst.location)
    try:
        # the proof is taken inside the destination's transaction: a copy that fails it is rolled back
        with dst.transaction():
            # under the writer's lock: nobody can write into the destination between this look and the copy
            full = {name: n for name, n in _counts(dst).items() if n}
            if full:
                listed = "、".join(f"{name}({n} 行)" for name, n in list(full.items())[:5])
                listed += f" 等 {len(full)} 张表" if len(full) > 5 else ""
                raise _refuse("copy-destination-not-empty",
                              f"目标存储不是空的,已有数据:{listed};复制只写入空的存储,请指定新的文件或新建的空数据库",
                              result.destination)  # fmt: skip
            with _snapshot(src):
                for table in store_tables():
                    count, total = 0, 0
                    for rows in _pages(src, table):
                        try:
                            dst.bulk_insert(table.name, table.columns, rows)
                        except _DB_ERRORS as exc:  # a source whose rows its own schema refuses: tampered with
                            raise _refuse("copy-refused",
                                          f"表 {table.name} 的行无法写入目标存储({exc});目标存储未写入任何内容。"
                                          "源存储可能被改动过,请先运行 assess verify 检查源存储", result.destination,
                                          ) from None  # fmt: skip
                        count += len(rows)
                        total = (total + sum(map(_row_hash, rows))) % _MOD
                    result.tables.append(TableCopy(table.name, count, f"{total:064x}"))
                expected = revision_digests(src)
            dst.advance_identities()  # a PostgreSQL identity would hand out 1, 2, … again
            differences = []
            for table, copied in zip(store_tables(), result.tables, strict=True):
                rows, digest = table_digest(dst, table)
                if (rows, digest) != (copied.rows, copied.digest):
                    differences.append(f"{table.name}:源 {copied.rows} 行,副本 {rows} 行,内容摘要不同")
            got = revision_digests(dst)
            if not expected.equals(got):
                differences.append("副本的发布摘要与源存储不同")
            checked = verify(dst)
            differences.extend(checked.differences)
            if differences:
                raise _refuse("copy-differs", "复制后核对未通过,目标存储未写入任何内容:" + ";".join(differences[:20]),
                              result.destination)  # fmt: skip
            result.revisions, result.rows_compared = len(got), checked.rows_compared
    except BaseException:
        dst.close()
        if fresh_file:  # a file this copy made and could not fill is not left behind to be mistaken for one
            for suffix in ("", "-wal", "-shm"):
                Path(f"{destination}{suffix}").unlink(missing_ok=True)
        raise
    finally:  # this thread's connections go back (a SQLite copy may be renamed or opened next)
        src.close()
        dst.close()
    return result


def backup_to_sqlite(source: str | Path, out: str | Path) -> CopyResult:
    """A whole store (a PostgreSQL one: SQLite has its online backup) as one new SQLite file,
    proved as :func:`copy_store` proves a copy; written beside ``out`` and renamed into place, so
    ``out`` is never a half-written file."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    result = copy_store(source, tmp)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        db.close()
    os.replace(tmp, out)
    result.destination = str(out)
    return result
