"""The store's tests on both backends (issue 30): where a test's store lives, a raw connection to
it (what someone who holds the file, or the database's superuser, can do), and a copy of it.

A test that opens a store takes the ``store_location`` fixture (tests/store/conftest.py): a SQLite
file, then a fresh PostgreSQL database on the session's cluster (tests/pg_server.py). Raw SQL here
takes ``?`` placeholders on both, as the store's own modules do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BACKENDS = ("sqlite", "postgresql")


def is_pg(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def refused_errors() -> tuple[type[BaseException], ...]:
    """What a refused write raises through a raw connection: SQLite's RAISE(ABORT), or the
    PostgreSQL trigger's exception."""
    import psycopg

    return (sqlite3.IntegrityError, psycopg.errors.RestrictViolation, psycopg.errors.RaiseException)


@contextmanager
def raw_db(location: str | Path) -> Iterator:
    """A connection past the store's code (each statement its own transaction on PostgreSQL;
    SQLite commits at the end), as the file's holder or the server's superuser has."""
    if not is_pg(location):
        with sqlite3.connect(location) as raw:
            yield raw
        raw.close()
        return
    import psycopg

    from scoring.store.pg import PgConnection

    with psycopg.connect(str(location), autocommit=True) as conn:
        yield PgConnection(conn)


def drop_guards(raw, location: str | Path) -> None:
    """Every insert-only guard off: SQLite's triggers dropped; PostgreSQL's disabled by the
    superuser (``ALTER TABLE … DISABLE TRIGGER``), as someone holding the server could."""
    if not is_pg(location):
        for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            raw.execute(f"DROP TRIGGER {name}")
        return
    for (table,) in raw.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers").fetchall():
        raw.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    # and this session past the foreign keys, as SQLite's connection is unless asked to check them
    raw.execute("SET session_replication_role = replica")


def second_column(raw, location: str | Path, table: str) -> str:
    if not is_pg(location):
        return raw.execute(f"SELECT name FROM pragma_table_info('{table}') LIMIT 1 OFFSET 1").fetchone()[0]
    return raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND ordinal_position = 2", (table,)
    ).fetchone()[0]


def table_names(raw, location: str | Path) -> list[str]:
    if not is_pg(location):
        return [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [r[0] for r in raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


class Cloner:
    """Copies of a store for a test to spoil: SQLite's backup, or PostgreSQL's ``CREATE DATABASE …
    TEMPLATE`` (dropped at the test's end)."""

    def __init__(self, tmp_path: Path, cluster=None):
        self.tmp_path = tmp_path
        self.cluster = cluster
        self.made: list[str] = []

    def __call__(self, location: str | Path, name: str = "copy") -> str | Path:
        from scoring.store import open_store

        if not is_pg(location):
            out = self.tmp_path / f"{name}.db"
            open_store(location).backup(out)
            return out
        import psycopg

        from scoring.store.pg import close_pool

        close_pool(str(location))  # a template database may have no other session
        url = self.cluster.create(name)
        self.cluster.drop(url)
        src = location.rsplit("/", 1)[1]
        dst = url.rsplit("/", 1)[1]
        with psycopg.connect(self.cluster.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dst}" TEMPLATE "{src}"')
        self.made.append(url)
        return url

    def cleanup(self) -> None:
        from scoring.store.pg import close_pool

        for url in self.made:
            close_pool(url)
            self.cluster.drop(url)


@contextmanager
def scratch(store) -> Iterator:
    """The store's connection in a transaction that is rolled back at the end (an example's rows
    never stay): a savepoint on SQLite, BEGIN … ROLLBACK on PostgreSQL."""
    db = store.db
    if store.backend == "sqlite":
        db.execute("SAVEPOINT example")
        try:
            yield db
        finally:
            db.execute("ROLLBACK TO example")
            db.execute("RELEASE example")
        return
    db.raw.execute("BEGIN")
    try:
        yield db
    finally:
        db.raw.execute("ROLLBACK")
