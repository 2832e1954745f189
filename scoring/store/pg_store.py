"""The store in a PostgreSQL database (SPEC extension 7): the same Store, other machinery.

- Connections: each thread takes one from this process's pool and gives it back when it ends
  (``scoring/store/pg.py``), in autocommit, so a read sees other processes' commits at once.
- Writers: :meth:`PgStore.transaction` is BEGIN at READ COMMITTED and then one transaction-scoped
  advisory lock, before anything else: writers take turns as SQLite's BEGIN IMMEDIATE makes them,
  each sees all that the one before it committed, and none ever fails on serialization. Finding ids
  (``MAX(id) + 1``) stay free under that lock as they do on SQLite.
- Schema: made whole at ``pg_schema.BASE_VERSION`` in one transaction, then moved on by
  ``pg_schema.PG_MIGRATIONS``, under the writers' lock (several processes opening a new database at
  once make it once). Insert-only is kept by triggers, as on SQLite.
- Refused at open: a server that takes ``''`` for NULL (an Oracle-compatible mode), which would
  break every NOT NULL text column that may be empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

from scoring.store.db import SCHEMA_VERSION, Store
from scoring.store.failures import StoreUnusable, store_failure
from scoring.store.pg import PgConnection, ThreadConnections, close_pool, connect_once
from scoring.store.pg_schema import BASE_VERSION, IDENTITY_TABLES, PG_MIGRATIONS, SCHEMA, VERSION_TABLE

__all__ = ["PgStore"]


class PgStore(Store):
    """A store in a PostgreSQL database; ``path`` holds the URL (never printed: see ``location``)."""

    backend = "postgresql"

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = str(path)
        # what may be written is the server's to say (the role's grants); nothing here writes unless asked
        self.read_only = read_only
        self._conns = ThreadConnections(self.path)
        try:
            # first alone, outside the pool: a wrong password or a missing database is said at
            # once, not after the pool's wait for a connection
            with connect_once(self.path) as probe:
                if probe.execute("SELECT '' IS NULL").fetchone()[0]:
                    raise StoreUnusable("pg-empty-is-null", self.path)
            found = self.schema_version
            if found > SCHEMA_VERSION:
                raise StoreUnusable("newer", self.path, found=found, supported=SCHEMA_VERSION)
            if found < SCHEMA_VERSION:
                self.migrate()
        except BaseException as exc:
            # a store not opened keeps no connection (nor a pool retrying a database that is gone)
            self.dispose()
            problem = store_failure(exc, self.path, opening=True) if isinstance(exc, (psycopg.Error, OSError)) else None
            if problem is None:
                raise
            raise problem from None

    @property
    def db(self) -> PgConnection:  # type: ignore[override]
        """This thread's connection (taken from the pool on first use, given back when the thread ends)."""
        return self._conns.get()

    @property
    def schema_version(self) -> int:
        db = self.db
        if db.execute("SELECT to_regclass(?) IS NULL", (VERSION_TABLE,)).fetchone()[0]:
            return 0
        row = db.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Make the schema (at BASE_VERSION) and move it on to ``target``, one step per transaction."""
        if target < BASE_VERSION:
            raise ValueError(f"a PostgreSQL store starts at schema version {BASE_VERSION}")
        while self.schema_version < target:
            with self.transaction() as db:
                step = self.schema_version  # again, under the lock: another process may have done it
                if step >= target:
                    break
                if step == 0:
                    statements, reached = SCHEMA, BASE_VERSION
                else:
                    statements, reached = PG_MIGRATIONS[step - BASE_VERSION], step + 1
                for statement in statements:
                    db.raw.execute(statement)  # as written: DDL holds no placeholders
                if step == 0:
                    db.execute(f"INSERT INTO {VERSION_TABLE}(version) VALUES (?)", (reached,))
                else:
                    db.execute(f"UPDATE {VERSION_TABLE} SET version = ?", (reached,))
        if self.schema_version > SCHEMA_VERSION:
            raise StoreUnusable("newer", self.path, found=self.schema_version, supported=SCHEMA_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:  # type: ignore[override]
        """A write transaction, whole or not at all; writers take turns (see the module's note)."""
        db = self.db
        db.begin_writer()
        try:
            yield db
            db.raw.execute("COMMIT")
        except BaseException:
            if db.in_transaction and not db.raw.closed:
                # a connection gone takes its transaction with it; the first error says why
                with suppress(psycopg.OperationalError):
                    db.raw.execute("ROLLBACK")
            raise

    def advance_identities(self) -> None:
        """Each identity sequence to just after the highest id stored (after rows copied with their ids)."""
        for table in IDENTITY_TABLES:
            self.db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )

    def backup(self, out: str | Path) -> Path:
        raise StoreUnusable("pg-no-backup", self.path)

    def close(self) -> None:
        """Give this thread's connection back to the pool."""
        self._conns.release()

    def dispose(self) -> None:
        """Close every connection this process holds to the server (the pool: shared by the stores on it)."""
        self._conns.release()
        close_pool(self.path)
