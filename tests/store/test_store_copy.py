"""assess store copy (SPEC 7): a whole store into an empty one, ids kept, files byte-exact, proved by
counts, content hashes, equal revision digests and verify on the copy; nothing written on failure."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import ROOT
from scoring.errors import InputError
from scoring.store import copy as store_copy
from scoring.store import open_store
from scoring.store.copy import _row_hash, _value, copy_store, store_tables, table_digest
from scoring.store.publish import revision_digests, verify


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    """The demo's store (published rounds, an appeal, evidence files, probes, accounts) with the
    appeal decided by a correction, so that decision and supersession hold rows too."""
    from scoring.store.appeals import appeals_table, decide_appeal
    from scoring.store.users import OPERATOR, User
    from ui.demo import demo_accounts, seed_demo

    path = tmp_path_factory.mktemp("copy") / "demo.db"
    store = open_store(path)
    seed_demo(store)
    demo_accounts(store)
    appeal = appeals_table(store).iloc[0]
    decide_appeal(store, int(appeal["id"]), "corrected", "复核后更正", User("考核办", OPERATOR), new_value="1")
    store.close()
    return path


@pytest.fixture
def source(demo_store, tmp_path) -> Path:
    path = tmp_path / "source.db"
    shutil.copy(demo_store, path)
    return path


def _counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {t.name: db.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0] for t in store_tables()}
    finally:
        db.close()


def test_every_table_is_copied_after_the_tables_it_refers_to(source):
    db = sqlite3.connect(source)
    names = {
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    }
    order = [t.name for t in store_tables()]
    assert set(order) == names and len(order) == len(names)
    for t in store_tables():
        for ref in {r[2] for r in db.execute(f"PRAGMA foreign_key_list({t.name})")} - {t.name}:
            assert order.index(ref) < order.index(t.name), (t.name, ref)
        got = [r[1] for r in db.execute(f"PRAGMA table_info({t.name})")]
        assert list(t.columns) == got


@pytest.mark.parametrize("pages", [None, (7, 3)])
def test_a_copy_holds_every_row_with_its_id_and_verifies(source, tmp_path, monkeypatch, pages):
    if pages:  # tiny pages: every table, composite keys included, is read across many pages
        monkeypatch.setattr(store_copy, "PAGE_ROWS", pages[0])
        monkeypatch.setattr(store_copy, "BLOB_PAGE_ROWS", pages[1])
    out = tmp_path / "copy.db"
    res = copy_store(source, out)
    before = _counts(source)
    assert _counts(out) == before
    assert {t.name: t.rows for t in res.tables} == before
    assert before["decision"] == 1 and before["supersession"] >= 1 and before["evidence_file"] > 0
    src, dst = open_store(source), open_store(out)
    for t in store_tables():
        assert table_digest(src, t) == table_digest(dst, t), t.name
    # the rows themselves, ids and bytes included, in the order SQLite keeps them
    a, b = sqlite3.connect(source), sqlite3.connect(out)
    for t in store_tables():
        order = "rowid" if t.rowid else ", ".join(t.key)
        sql = f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {order}"
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), t.name
    files = "SELECT name, sha256, content FROM evidence_file ORDER BY id"
    assert all(hashlib.sha256(c).hexdigest() == h for _, h, c in b.execute(files))
    assert revision_digests(dst).equals(revision_digests(src)) and len(revision_digests(dst)) == 3
    assert res.revisions == 3 and not verify(dst).differences
    # the copy goes on where the source stopped: a new row gets the next id
    top = a.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    with dst.transaction():
        dst.audit("考核办", "test.after-copy", "store")
    assert b.execute("SELECT MAX(id) FROM audit").fetchone()[0] == top + 1


def test_a_destination_holding_anything_is_refused_and_left_as_it_was(source, tmp_path):
    out = tmp_path / "copy.db"
    taken = open_store(out)
    with taken.transaction():
        taken.audit("考核办", "test.something", "store")
    taken.close()
    with pytest.raises(InputError) as e:
        copy_store(source, out)
    assert e.value.issues[0].code == "copy-destination-not-empty"
    assert "audit(1 行)" in e.value.issues[0].message
    assert sum(_counts(out).values()) == 1


def test_copying_a_store_onto_itself_is_refused(source):
    with pytest.raises(InputError) as e:
        copy_store(source, source.parent / "." / source.name)
    assert e.value.issues[0].code == "copy-same-store"


def test_a_copy_that_fails_half_way_writes_nothing(source, tmp_path):
    # a finding whose batch was removed behind the store's back: the copy's foreign keys refuse it,
    # after every table before finding has been written
    db = sqlite3.connect(source)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("DROP TRIGGER finding_no_update")
    db.execute("UPDATE finding SET batch_id = 999 WHERE id = (SELECT MAX(id) FROM finding)")
    db.commit()
    db.close()
    empty = tmp_path / "empty.db"
    open_store(empty).close()
    with pytest.raises(InputError) as e:
        copy_store(source, empty)
    assert e.value.issues[0].code == "copy-refused" and "finding" in e.value.issues[0].message
    assert sum(_counts(empty).values()) == 0
    fresh = tmp_path / "fresh.db"
    with pytest.raises(InputError):
        copy_store(source, fresh)
    assert not fresh.exists()  # a file the copy made and could not fill is not left behind


values = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=5), st.binary(max_size=5))


@given(st.lists(values, min_size=1, max_size=4), st.lists(values, min_size=1, max_size=4))
def test_rows_hash_equal_only_when_their_values_are_equal(a, b):
    same = len(a) == len(b) and all(type(x) is type(y) and x == y for x, y in zip(a, b, strict=False))
    assert (b"".join(map(_value, a)) == b"".join(map(_value, b))) == same
    if same:
        assert _row_hash(tuple(a)) == _row_hash(tuple(b))


def _assess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def test_the_command_copies_prints_and_refuses_a_second_time(source, tmp_path):
    out = tmp_path / "copy.db"
    first = _assess("store", "copy", str(source), str(out))
    assert first.returncode == 0, first.stderr
    assert f"已复制 {source} → {out}:25 张表" in first.stdout  # 21 tables, and migration 12's four
    assert "3 个已发布版本的发布摘要相同" in first.stdout and "finding\t7" in first.stdout
    again = _assess("store", "copy", str(source), str(out))
    assert again.returncode == 2 and "目标存储不是空的" in again.stderr and "Traceback" not in again.stderr
    grant = _assess("store", "grant", "--db", str(out), "--role", "assess_app")
    assert grant.returncode == 2 and "只用于 PostgreSQL" in grant.stderr


def _with_password(url: str, password: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:{parts.port}"))


def test_sqlite_to_postgresql_and_back_keeps_every_row_id_byte_and_digest(source, tmp_path, pg_url):
    there = copy_store(source, pg_url)
    back = copy_store(pg_url, tmp_path / "back.db")
    assert there.tables == back.tables  # per table: rows and content hash, on all three stores
    assert {t.name: t.rows for t in there.tables} == _counts(source)
    assert there.revisions == back.revisions == 3
    src, pg, home = open_store(source), open_store(pg_url), open_store(tmp_path / "back.db")
    assert pg.backend == "postgresql"
    assert revision_digests(pg).equals(revision_digests(src)) and revision_digests(home).equals(revision_digests(src))
    assert not verify(pg).differences and not verify(home).differences
    a, b = sqlite3.connect(source), sqlite3.connect(tmp_path / "back.db")
    for t in store_tables():
        sql = f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}"
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), t.name
    contents = pg.db.execute("SELECT sha256, content FROM evidence_file ORDER BY id").fetchall()
    assert contents and all(hashlib.sha256(bytes(c)).hexdigest() == h for h, c in contents)
    # the server's identity sequences go on after the copied ids
    top = a.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    with pg.transaction():
        pg.audit("考核办", "test.after-copy", "store")
    assert pg.db.execute("SELECT MAX(id) FROM audit").fetchone()[0] == top + 1
    pg.dispose()


def test_postgresql_to_postgresql_keeps_every_row_and_digest(source, pg_url, pg_cluster):
    """A province moving its store to another server: both ends PostgreSQL, read by one pool and
    written by another, the copy proved the same way."""
    copy_store(source, pg_url)
    other = pg_cluster.create()
    try:
        moved = copy_store(pg_url, other)
        assert {t.name: t.rows for t in moved.tables} == _counts(source) and moved.revisions == 3
        a, b = open_store(pg_url), open_store(other)
        assert b.backend == "postgresql" and revision_digests(b).equals(revision_digests(a))
        assert not verify(b).differences
        for t in store_tables():
            sql = f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}"
            assert a.db.execute(sql).fetchall() == b.db.execute(sql).fetchall(), t.name
        a.dispose()
        b.dispose()
    finally:
        pg_cluster.drop(other)


def test_a_database_holding_anything_is_refused_and_no_password_is_printed(source, pg_url):
    url = _with_password(pg_url, "s3cret-pw")  # the test server trusts 127.0.0.1: any password opens it
    first = _assess("store", "copy", str(source), url)
    assert first.returncode == 0, first.stderr
    again = _assess("store", "copy", str(source), url)
    assert again.returncode == 2 and "目标存储不是空的" in again.stderr
    for out in (first.stdout, first.stderr, again.stdout, again.stderr):
        assert "s3cret-pw" not in out
    assert ":***@" in first.stdout and ":***@" in again.stderr


def test_a_postgresql_store_is_backed_up_as_one_sqlite_file(source, tmp_path, pg_url):
    copy_store(source, pg_url)
    out = tmp_path / "backups" / "assess.db"
    run = _assess("backup", "--db", pg_url, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert f"→ {out}" in run.stdout and not list(out.parent.glob(".*partial*"))
    assert _counts(out) == _counts(source)
    assert not verify(open_store(out)).differences


def test_a_source_newer_than_this_version_is_refused_before_anything_is_made(tmp_path):
    from scoring.store import SCHEMA_VERSION

    newer = tmp_path / "newer.db"
    open_store(newer).close()
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(InputError) as e:
        copy_store(newer, tmp_path / "copy.db")
    assert e.value.issues[0].code == "store-newer"
    assert not (tmp_path / "copy.db").exists()
