"""A store named by a URL (SPEC extension 7, issue 30): PostgreSQL behind the same Store, the same
digests as SQLite, writers taking turns across processes, connections given back, and every other
URL refused without ever repeating its password."""

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_backends import is_pg

from helpers import ROOT, open_periods
from scoring import InputFile
from scoring.store import open_store
from scoring.store.failures import StoreUnusable, shown_location
from scoring.store.publish import publish, revision_digests, verify
from scoring.store.rounds import import_results, set_status
from scoring.store.users import OPERATOR, User

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUNDS = ROOT / "sample_data" / "results"
OP = User("考核办", OPERATOR)
# revision 1 of the demo's first two rounds, as the store published them before PostgreSQL came
# (commit 1185749, roster read in rowid order): the roster order a digest covers has not changed.
# The digest covers each finding's file name as imported, so the files go in by a name of their own,
# not by a path that differs from one clone to the next
GOLDEN = {
    "2017Q3": "52666fb55bc553460583d1cd64e686235096829a272372f47282fc1d8a9ce910",
    "2017Q4": "d6e0419febf5f137b4002c769d9773fbe1cc192fcea72ba2cead7fc169684ace",
}


def cli(*args, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})  # fmt: skip


def _publish_golden(location) -> None:
    s = open_store(location)
    open_periods(s, "2017Q3", "2017Q4")
    files = [InputFile(f"{p}.csv", (ROUNDS / f"{p}.csv").read_bytes()) for p in GOLDEN]
    import_results(s, RUBRIC, UNITS, files, OP)
    for period in GOLDEN:
        set_status(s, period, "feedback", OP)
        set_status(s, period, "appeal", OP)
        publish(s, period, OP)


def test_the_same_inputs_publish_the_same_digests_on_both_backends(store_location):
    _publish_golden(store_location)
    s = open_store(store_location)
    table = revision_digests(s, None)
    assert dict(zip(table["period"], table["digest"], strict=True)) == GOLDEN
    assert verify(s).differences == []


def test_a_store_from_before_the_roster_order_column_keeps_its_order_and_digests(tmp_path):
    """SQLite only (a file of schema 10): migration 11 gives each roster row its rowid as seq."""
    db = tmp_path / "s.db"
    _publish_golden(db)
    with sqlite3.connect(db) as raw:  # as the store stood at schema 10 (migration 12's tables are empty)
        for table in ("content_finding", "content_unit", "content_run", "words_version"):
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP INDEX roster_unit_seq")
        raw.execute("ALTER TABLE roster_unit DROP COLUMN seq")
        raw.execute("CREATE INDEX finding_round ON finding(round_id, unit_id, check_id)")  # migration 14 dropped it
        raw.execute("PRAGMA user_version=10")
    s = open_store(db)
    order = [r[0] for r in s.db.execute("SELECT unit_id FROM roster_unit ORDER BY seq")]
    assert order == [r[0] for r in s.db.execute("SELECT unit_id FROM roster_unit ORDER BY rowid")]
    assert order != sorted(order)  # the roster's own order, which no key would give
    table = revision_digests(s, None)
    assert dict(zip(table["period"], table["digest"], strict=True)) == GOLDEN
    assert verify(s).differences == []


@pytest.mark.parametrize("url", ["mysql://assessor:s3cr3t-pw@db.example/assess", "sqlite://u:s3cr3t-pw@h/x.db",
                                 "http://u:s3cr3t-pw@127.0.0.1:9/x"])  # fmt: skip
def test_a_url_the_store_does_not_know_is_refused_and_never_becomes_a_folder(tmp_path, url):
    """It was taken as a path: exit 0 and a folder named by the password (issue 30)."""
    p = cli("rounds", "--db", url, cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "不支持的存储地址" in p.stderr
    assert "s3cr3t-pw" not in p.stdout + p.stderr
    assert list(tmp_path.iterdir()) == []  # no folder, no file
    env = cli("rounds", env={"ASSESS_DB": url}, cwd=tmp_path)
    assert env.returncode == 2 and "s3cr3t-pw" not in env.stdout + env.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_postgresql_server_that_cannot_be_reached_is_said_without_the_password(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://assessor:s3cr3t-pw@127.0.0.1:{port}/assess"
    for p in (cli("rounds", "--db", url, cwd=tmp_path), cli("rounds", env={"ASSESS_DB": url}, cwd=tmp_path)):
        assert p.returncode == 2, p.stderr
        assert "无法连接 PostgreSQL 服务器" in p.stderr
        assert f"postgresql://assessor:***@127.0.0.1:{port}/assess" in p.stderr
        assert "s3cr3t-pw" not in p.stdout + p.stderr and "Traceback" not in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_shown_location_masks_the_password_and_nothing_else():
    assert shown_location("postgresql://u:p%40ss@h:5433/db") == "postgresql://u:***@h:5433/db"
    assert shown_location("postgres://u@h/db") == "postgres://u@h/db"
    assert shown_location("postgresql://h/db?password=x") == "postgresql://h/db"
    assert shown_location(Path("data/assess.db")) == "data/assess.db"
    assert "pw" not in shown_location("postgresql://u:pw@[::1:bad/db")


def test_a_missing_database_and_a_role_without_grants_are_said_in_chinese(pg_cluster, pg_url, tmp_path):
    import psycopg

    missing = pg_cluster.url("no_such_store")
    p = cli("rounds", "--db", missing, cwd=tmp_path)
    assert p.returncode == 2 and "没有这个数据库" in p.stderr and "Traceback" not in p.stderr
    open_store(pg_url).dispose()
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS nobody_here")
        conn.execute("CREATE ROLE nobody_here LOGIN")  # may connect (PUBLIC), may read no table
    stranger = pg_url.replace("postgres@", "nobody_here@")
    p = cli("rounds", "--db", stranger, cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "没有所需的权限" in p.stderr and "Traceback" not in p.stderr


def test_a_wrong_password_is_said_without_repeating_it(pg_cluster, pg_url, tmp_path):
    """The session's cluster trusts every local login; one role is made to need its password (a
    line of its own in pg_hba.conf, read again by the server)."""
    import os
    import time

    import psycopg

    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        conn.execute("DROP ROLE IF EXISTS with_password")
        conn.execute("CREATE ROLE with_password LOGIN PASSWORD 'the-right-one'")
        if not os.access(hba, os.W_OK):
            pytest.skip("a server of ASSESS_TEST_PG whose pg_hba.conf these tests may not change")
        if "with_password" not in hba.read_text():
            hba.write_text("host all with_password 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        conn.execute("SELECT pg_reload_conf()")
    wrong = pg_url.replace("postgres@", "with_password:wr0ng-s3cr3t@")
    deadline = time.monotonic() + 10
    while True:  # the server reads the file again a moment after it is told to
        try:
            psycopg.connect(wrong, connect_timeout=5).close()
        except psycopg.OperationalError:
            break
        assert time.monotonic() < deadline, "the server kept trusting the role"
        time.sleep(0.1)
    p = cli("rounds", "--db", wrong, cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "拒绝登录" in p.stderr and "with_password:***@" in p.stderr
    assert "wr0ng-s3cr3t" not in p.stdout + p.stderr and "Traceback" not in p.stderr
    right = pg_url.replace("postgres@", "with_password:the-right-one@")
    ok = cli("rounds", "--db", right, cwd=tmp_path)  # in, but may not create the tables: another message
    assert ok.returncode == 2 and "没有所需的权限" in ok.stderr, ok.stderr
    assert list(tmp_path.iterdir()) == []


def test_two_processes_publishing_at_once_make_one_revision_and_one_clean_refusal(store_location):
    s = open_store(store_location)
    open_periods(s, "2017Q3")
    import_results(s, RUBRIC, UNITS, [ROUNDS / "2017Q3.csv"], OP)
    set_status(s, "2017Q3", "feedback", OP)
    set_status(s, "2017Q3", "appeal", OP)
    s.dispose()
    procs = [subprocess.Popen([sys.executable, "-m", "scoring.cli", "publish", "--db", str(store_location), "--period",
                               "2017Q3"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    done = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert sorted(code for code, _, _ in done) == [0, 2], done
    refused = next(err for code, _, err in done if code == 2)
    assert "已发布(第 1 版)" in refused
    assert all("Traceback" not in err and "serializ" not in err for _, _, err in done)
    s = open_store(store_location)
    assert revision_digests(s, "2017Q3")["revision"].tolist() == [1]


def test_a_read_sees_another_processs_commit_at_once(store_location):
    s = open_store(store_location)
    before = s.data_version()
    p = cli("rounds", "--db", store_location, "--open", "--period", "2031Q1")
    assert p.returncode == 0, p.stderr
    assert s.data_version() > before
    assert "2031Q1" in {r[0] for r in s.db.execute("SELECT period FROM round_open")}


def test_five_hundred_short_threads_leave_no_connection_behind(pg_url):
    import psycopg

    s = open_store(pg_url)
    seen = []

    def page() -> None:  # a Streamlit rerun: a new thread that reads, then ends
        seen.append(s.data_version())

    for _ in range(50):
        threads = [threading.Thread(target=page) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(seen) == 500
    with psycopg.connect(pg_url) as conn:
        sessions = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").fetchone()
    assert sessions[0] <= 10 + 1  # the pool's most, and this one
    from scoring.store.pg import pool_for

    stats = pool_for(pg_url).get_stats()
    assert stats["pool_size"] - stats.get("pool_available", 0) <= 1  # at most the main thread's is out


def test_a_pool_with_every_connection_taken_says_the_store_is_busy(pg_url, monkeypatch):
    import scoring.store.pg as pg
    from scoring.store.failures import store_failure

    monkeypatch.setenv("ASSESS_DB_POOL", "1")
    monkeypatch.setattr(pg, "POOL_WAIT_S", 0.5)
    s = open_store(pg_url)
    s.data_version()  # this thread holds the one connection
    failures = []

    def page() -> None:
        try:
            s.data_version()
        except Exception as exc:
            failures.append(store_failure(exc, pg_url))

    t = threading.Thread(target=page)
    t.start()
    t.join()
    assert [f.kind for f in failures] == ["busy"]
    s.dispose()


def test_ids_given_explicitly_are_followed_by_the_identity_sequences(pg_url):
    s = open_store(pg_url)
    with s.transaction() as db:
        db.execute("INSERT INTO audit(id, at, actor, action, target, detail) VALUES (41, 't', 'a', 'x', 'y', '')")
    s.advance_identities()
    s.audit("a", "x", "y")
    assert [r[0] for r in s.db.execute("SELECT id FROM audit ORDER BY id")] == [41, 42]


def test_a_postgresql_store_has_no_file_backup_but_says_what_to_use(pg_url, tmp_path):
    with pytest.raises(StoreUnusable, match="pg_dump"):
        open_store(pg_url).backup(tmp_path / "b.db")
    assert not is_pg(tmp_path)
