"""The store on PostgreSQL: a connection that takes the store's SQL as written for SQLite.

The store's modules keep one SQL text for both backends, with ``?`` placeholders. Here each text
becomes psycopg's (``?`` → ``%s`` outside quoted literals, a literal ``%`` doubled), once per
distinct text; rows are read by name and by index like ``sqlite3.Row``. Connections come from one
pool per server URL and process (``ASSESS_DB_POOL`` connections at most, default 10): the app runs
every page in a thread of its own, and a thread keeps its connection until it ends.

Nothing here ever prints the URL: a location is shown through ``shown_location``.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

__all__ = ["PgConnection", "close_pool", "connect_once", "pool_for", "to_psycopg"]

# the key of the transaction-scoped advisory lock every writer takes first: writers take turns as
# SQLite's BEGIN IMMEDIATE makes them (any constant; this one spells "assess" in ASCII)
WRITER_LOCK = 0x617373657373
_POOLS: dict[str, ConnectionPool] = {}
# the connections threads hold, by URL: closing a pool closes them too (a pool closes only its idle ones)
_HELD: dict[str, weakref.WeakSet] = {}
_POOLS_LOCK = threading.Lock()
CONNECT_TIMEOUT_S = 10
# how long a thread waits for a pooled connection when every one is taken
POOL_WAIT_S = 30.0


@lru_cache(maxsize=2048)
def to_psycopg(sql: str) -> str:
    """``sql`` with ``?`` placeholders as psycopg takes it: ``%s``, and a literal ``%`` doubled.
    Quoted literals and identifiers are left as written (a ``?`` in ``'…?…'`` is text)."""
    out, quote = [], ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
            out.append("%%" if ch == "%" else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type:
    index = {}
    for i, n in enumerate(names):
        index.setdefault(n, i)  # as sqlite3.Row: a repeated name means its first column

    class Row(tuple):
        """A row read by index or by column name, as ``sqlite3.Row``."""

        __slots__ = ()

        def __getitem__(self, key):  # type: ignore[override]
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def named_row(cursor: psycopg.Cursor):
    """psycopg row factory: a tuple that is also read by column name."""
    if cursor.description is None:
        return tuple
    make = _row_class(tuple(c.name for c in cursor.description))
    return make


class PgCursor:
    """A cursor taking the store's SQL; ``row_factory = None`` gives plain tuples, as on SQLite."""

    def __init__(self, cur: psycopg.Cursor):
        self._cur = cur

    @property
    def row_factory(self):
        return self._cur.row_factory

    @row_factory.setter
    def row_factory(self, factory) -> None:
        self._cur.row_factory = tuple_row if factory is None else factory

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        self._cur.execute(to_psycopg(sql), tuple(params))
        return self

    def __getattr__(self, name: str):
        return getattr(self._cur, name)

    def __iter__(self):
        return iter(self._cur)


class PgConnection:
    """One pooled connection, in autocommit outside :meth:`Store.transaction` (so that every read
    sees what other processes committed, at once), speaking the store's SQL."""

    def __init__(self, conn: psycopg.Connection):
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self.raw.execute(to_psycopg(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor:
        cur = self.raw.cursor()
        cur.executemany(to_psycopg(sql), rows)
        return cur

    def cursor(self) -> PgCursor:
        return PgCursor(self.raw.cursor())

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``COPY table (columns) FROM STDIN``: the server's bulk path, many times faster than inserts."""
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def begin_writer(self) -> None:
        """BEGIN at READ COMMITTED, then the writers' lock, first: a writer waits here for the one
        before it to commit, and then reads everything it committed (SQLite's BEGIN IMMEDIATE)."""
        self.raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))


def _configure(conn: psycopg.Connection) -> None:
    conn.autocommit = True
    conn.row_factory = named_row


def connect_once(url: str) -> psycopg.Connection:
    """A connection outside the pool (opening a store: its errors are said at once, not after the
    pool's wait)."""
    conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
    conn.row_factory = named_row
    return conn


def pool_size() -> int:
    try:
        return max(1, int(os.environ.get("ASSESS_DB_POOL", "10")))
    except ValueError:
        return 10


def pool_for(url: str) -> ConnectionPool:
    """This process's pool for the server at ``url`` (one per URL, shared by every Store on it)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None or pool.closed:
            pool = ConnectionPool(url, min_size=1, max_size=pool_size(), kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
                                  configure=_configure, open=True, num_workers=1, name="assess-store",
                                  timeout=POOL_WAIT_S)  # fmt: skip
            _POOLS[url] = pool
        return pool


def close_pool(url: str | None = None) -> None:
    """Close the pool for ``url`` (all pools without one): its connections end."""
    with _POOLS_LOCK:
        urls = [url] if url is not None else list(_POOLS)
        pools = [_POOLS.pop(u) for u in urls if u in _POOLS]
        held = [c for u in urls for c in list(_HELD.pop(u, ()))]
    for conn in held:
        conn.close()
    for pool in pools:
        pool.close()


class ThreadConnections:
    """Each thread's pooled connection: taken on first use, given back when the thread ends (or on
    :meth:`release`), so that 500 short-lived threads leave no connection behind."""

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()

    def get(self) -> PgConnection:
        held = getattr(self._local, "held", None)
        if held is None or held.conn.raw.closed:
            pool = pool_for(self.url)
            raw = pool.getconn()
            with _POOLS_LOCK:
                _HELD.setdefault(self.url, weakref.WeakSet()).add(raw)
            held = _Held(PgConnection(raw))
            # when the thread ends its locals go, and with them ``held``: the connection goes back
            weakref.finalize(held, _give_back, pool, raw)
            self._local.held = held
        return held.conn

    def release(self) -> None:
        held = getattr(self._local, "held", None)
        if held is not None:
            self._local.held = None  # the finaliser gives the connection back


class _Held:
    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: PgConnection):
        self.conn = conn


def _give_back(pool: ConnectionPool, raw: psycopg.Connection) -> None:
    for held in list(_HELD.values()):
        held.discard(raw)
    if pool.closed or raw.closed:
        raw.close()
        return
    try:
        pool.putconn(raw)
    except Exception:  # a pool closed meanwhile, or a connection it no longer knows: just close it
        raw.close()
