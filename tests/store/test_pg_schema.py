"""The PostgreSQL schema is SQLite's latest, table for table (issue 30): a migration added to one
and not the other fails here. Compared: tables, columns in order, nullability, primary keys, unique
constraints, indexes, and which tables refuse UPDATE, DELETE with which message."""

import re
import sqlite3

import pytest

from scoring.store import MIGRATIONS, SCHEMA_VERSION, open_store
from scoring.store.pg_schema import BASE_VERSION, PG_MIGRATIONS, VERSION_TABLE


def _sqlite_schema(path) -> dict:
    with sqlite3.connect(path) as raw:
        tables = sorted(r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        out = {"columns": {}, "pk": {}, "unique": set(), "index": set(), "guards": set()}
        for t in tables:
            info = raw.execute(f"PRAGMA table_info('{t}')").fetchall()
            pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            # a primary key column is never NULL (SQLite's INTEGER PRIMARY KEY is the rowid)
            out["columns"][t] = [(r[1], bool(r[3]) or r[1] in pk) for r in info]
            out["pk"][t] = pk
            for _, name, unique, origin, _ in raw.execute(f"PRAGMA index_list('{t}')").fetchall():
                cols = tuple(r[2] for r in raw.execute(f"PRAGMA index_info('{name}')"))
                if origin == "u":
                    out["unique"].add((t, cols))
                elif origin == "c":
                    out["index"].add((name, t, cols, bool(unique)))
        for name, table, sql in raw.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
            event = re.search(r"BEFORE (UPDATE|DELETE)", sql).group(1)
            message = re.search(r"RAISE\(ABORT, '([^']*)'\)", sql).group(1)
            out["guards"].add((name, table, event, message, " WHEN " in sql))
    return out


def _pg_schema(url) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = sorted(r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        tables.remove(VERSION_TABLE)  # SQLite keeps the version in PRAGMA user_version
        out = {"columns": {}, "pk": {}, "unique": set(), "index": set(), "guards": set()}
        for t in tables:
            out["columns"][t] = [
                (name, nullable == "NO")
                for name, nullable in conn.execute(
                    "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = %s"
                    " ORDER BY ordinal_position",
                    (t,),
                )
            ]
            out["pk"][t] = []
        constrained = set()
        for t, kind, name, cols in conn.execute(
            """SELECT c.conrelid::regclass::text, c.contype, c.conname,
                      array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)
               FROM pg_constraint c WHERE c.contype IN ('p', 'u') AND c.connamespace = 'public'::regnamespace"""
        ):
            constrained.add(name)
            if kind == "p":
                out["pk"][t] = list(cols)
            else:
                out["unique"].add((t, tuple(cols)))
        for name, t, unique, cols in conn.execute(
            """SELECT i.relname, t.relname, x.indisunique,
                      array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, i)
                            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.i)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               WHERE t.relnamespace = 'public'::regnamespace"""
        ):
            if name not in constrained:
                out["index"].add((name, t, tuple(cols), unique))
        for name, table, event, statement in conn.execute(
            "SELECT trigger_name, event_object_table, event_manipulation, action_statement"
            " FROM information_schema.triggers WHERE event_manipulation IN ('UPDATE', 'DELETE')"
        ):
            message = re.search(r"assess_refuse\('([^']*)'\)", statement)
            status_only = "assess_round_status_only" in statement
            out["guards"].add((name, table, event, "only a round status changes" if status_only else message.group(1),
                               status_only))  # fmt: skip
    return out


def test_postgresql_schema_is_sqlites_latest(tmp_path, pg_url):
    sqlite_path = tmp_path / "s.db"
    open_store(sqlite_path).close()
    pg = open_store(pg_url)
    assert pg.schema_version == SCHEMA_VERSION
    pg.dispose()
    lite, post = _sqlite_schema(sqlite_path), _pg_schema(pg_url)
    assert sorted(post["columns"]) == sorted(lite["columns"])
    for table in lite["columns"]:
        assert post["columns"][table] == lite["columns"][table], table
        assert post["pk"][table] == lite["pk"][table], table
    assert post["unique"] == lite["unique"]
    assert post["index"] == lite["index"]
    assert post["guards"] == lite["guards"]
    assert (
        len(lite["guards"]) == 46
    )  # the comparison compared something: every guard SQLite has (38 + 8 of migration 12)


def test_every_migration_has_its_postgresql_twin():
    """The rule in db.py: a migration after pg_schema.BASE_VERSION needs its PostgreSQL statements too."""
    assert BASE_VERSION + len(PG_MIGRATIONS) == SCHEMA_VERSION == len(MIGRATIONS)


def test_a_postgresql_store_newer_than_the_program_is_refused_untouched(pg_url):
    import psycopg

    from scoring.store.failures import StoreUnusable

    open_store(pg_url).dispose()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version = 99")
    with pytest.raises(StoreUnusable, match="99") as caught:
        open_store(pg_url)
    assert caught.value.kind == "newer"
