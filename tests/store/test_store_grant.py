"""Least privilege on PostgreSQL (assess store grant): as the app's role the app's work goes through —
import, publish, appeal, sign-in, account changes — while a change to a finding or the audit log,
ALTER and DROP are refused by the server's privileges (SQLSTATE 42501), triggers or none."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from helpers import ROOT
from scoring.errors import InputError
from scoring.store import open_store
from scoring.store.accounts import add_user, authenticate, disable_user, enable_user, set_password
from scoring.store.appeals import appeals_table, decide_appeal, file_appeal
from scoring.store.evidence import add_evidence
from scoring.store.grants import grant_app_role, grant_statements
from scoring.store.publish import publish, verify
from scoring.store.rounds import import_results, open_round, set_status
from scoring.store.users import OPERATOR, User
from scoring.tables import InputFile

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
RESULTS = ROOT / "sample_data" / "results" / "2017Q3.csv"
_n = itertools.count(1)


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}"))


@pytest.fixture
def app_role(pg_url, pg_cluster):
    """A login role of its own, dropped (with what it was granted) after the test."""
    role = f"assess_app_{os.getpid()}_{next(_n)}"
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app-secret'")
    yield role
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP ROLE {role}")


def _refused(url: str, sql: str) -> str:
    """The SQLSTATE with which the server refuses ``sql``."""
    with psycopg.connect(url, autocommit=True) as conn, pytest.raises(psycopg.Error) as e:
        conn.execute(sql)
    return e.value.sqlstate


def test_as_the_apps_role_the_app_works_and_nothing_else_does(pg_url, app_role):
    owner = open_store(pg_url)  # the owner makes the schema
    run = subprocess.run([sys.executable, "-m", "scoring.cli", "store", "grant", "--db", pg_url, "--role", app_role],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"已为角色 {app_role} 授权" in run.stdout
    owner.dispose()
    app_url = _as(pg_url, app_role, "app-secret")

    # the app's whole round, as the app's role
    app = open_store(app_url)
    operator = User("考核办", OPERATOR)
    add_user(app, "office", "admin", "office-password", operator)
    office = authenticate(app, "office", "office-password")
    add_user(app, "xiaoxian", "unit", "unit-password", office, unit_id="341322")
    add_user(app, "evaluator", "evaluator", "evaluator-password", office)
    evaluator = authenticate(app, "evaluator", "evaluator-password")
    open_round(app, "2017Q3", office)
    import_results(app, RUBRIC, UNITS, [RESULTS], evaluator)
    set_status(app, "2017Q3", "feedback", office)
    set_status(app, "2017Q3", "appeal", office)
    unit = authenticate(app, "xiaoxian", "unit-password")
    add_evidence(app, [InputFile("proof.png", b"\x89PNG not really")], office)
    file_appeal(app, "2017Q3", "341322", "GK3.2.1", "已更新", "截图 proof.png", unit)
    decide_appeal(app, int(appeals_table(app).iloc[0]["id"]), "corrected", "复核更正", evaluator, new_value="1")
    assert publish(app, "2017Q3", office) == 1
    set_password(app, "xiaoxian", "new-unit-password", office)
    disable_user(app, "xiaoxian", office)
    enable_user(app, "xiaoxian", office)
    assert authenticate(app, "xiaoxian", "new-unit-password").name == "xiaoxian"
    assert not verify(app).differences
    app.dispose()

    # and nothing else: refused by privilege (42501), not by a trigger (P0001)
    for sql in (
        "UPDATE finding SET value = '1'",
        "DELETE FROM finding",
        "DELETE FROM audit",
        "UPDATE audit SET detail = ''",
        "TRUNCATE audit",
        "UPDATE round SET period = '2099Q1'",  # a round changes its status only
        "UPDATE account SET role = 'admin'",
        "DELETE FROM account",
        "ALTER TABLE finding DISABLE TRIGGER USER",
        "ALTER TABLE audit ADD COLUMN x TEXT",
        "DROP TABLE audit",
        "CREATE TABLE mine (x int)",
    ):
        assert _refused(app_url, sql) == "42501", sql
    # with the insert-only triggers switched off (by the owner), privilege alone still refuses
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE finding DISABLE TRIGGER USER")
        conn.execute("ALTER TABLE audit DISABLE TRIGGER USER")
    assert _refused(app_url, "UPDATE finding SET value = '1'") == "42501"
    assert _refused(app_url, "DELETE FROM audit") == "42501"


def test_a_role_that_could_bypass_the_grants_is_refused(pg_url, app_role):
    store = open_store(pg_url)
    with pytest.raises(InputError) as e:
        grant_app_role(store, "postgres", "dba")
    assert e.value.issues[0].code == "store-role-too-strong"
    with pytest.raises(InputError) as e:
        grant_app_role(store, "no_such_role", "dba")
    assert e.value.issues[0].code == "store-role-missing"
    with pytest.raises(InputError) as e:
        grant_statements("x; DROP TABLE audit")
    assert e.value.issues[0].code == "store-role-name"
    store.dispose()


def test_a_table_a_later_migration_makes_is_the_apps_to_read_and_add_to(pg_url, app_role):
    store = open_store(pg_url)
    grant_app_role(store, app_role, "dba")
    with store.transaction() as db:  # what a later migration does, as the owner
        db.execute("CREATE TABLE later (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x TEXT NOT NULL)")
    store.dispose()
    app_url = _as(pg_url, app_role, "app-secret")
    with psycopg.connect(app_url, autocommit=True) as conn:
        conn.execute("INSERT INTO later(x) VALUES ('a')")
        assert conn.execute("SELECT x FROM later").fetchall() == [("a",)]
    assert _refused(app_url, "UPDATE later SET x = 'b'") == "42501"
    assert _refused(app_url, "DELETE FROM later") == "42501"
