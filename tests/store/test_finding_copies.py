"""Each batch's findings kept twice: the ``finding`` table (the record) and a columnar copy per
batch and round (``batch_frame``, issue 21), which publishing and the app read.

The copy must read back exactly as the record does, through every way rows are written: a file
with two periods, an XLSX file, a second batch into a round, a template uploaded again, a
corrected appeal; texts with commas, quotes, line breaks, NULs and emoji; rows the copy could not
hold, and batches stored before there were copies. The reference is the plain query the store
used before (``_reference_findings``).
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_backends import is_pg, scratch
from test_frozen_tables import _reference_findings, corrected_then_published
from test_store_promises import tampered

import scoring.store.findings as findings
from helpers import ROOT, open_periods
from scoring import InputFile
from scoring.store import open_store
from scoring.store.db import insert_returning_id, now
from scoring.store.findings import findings_frame, insert_findings
from scoring.store.publish import verify
from scoring.store.rounds import import_results
from scoring.store.users import User

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUNDS = ROOT / "sample_data" / "results"
OFFICE = User("考核办", "admin")
EVALUATOR = User("评估", "evaluator")


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: object for c in frame.columns if frame[c].dtype != "int64"})


def _same_three_ways(store, round_id: int, as_of: int | None = None) -> pd.DataFrame:
    """Copies, the table alone and the reference query all give the same rows; returns them."""
    ours = findings_frame(store, round_id, as_of)
    pd.testing.assert_frame_equal(ours, findings_frame(store, round_id, as_of, from_table=True))
    pd.testing.assert_frame_equal(_as_objects(ours), _as_objects(_reference_findings(store.db, round_id, as_of)))
    return ours


@pytest.fixture
def table_reads(monkeypatch):
    """How many rows each read took from the table rather than the copies."""
    counts: list[int] = []
    real = findings._table_rows

    def counted(db, round_id, ranges):
        out = real(db, round_id, ranges)
        counts.append(out.num_rows)
        return out

    monkeypatch.setattr(findings, "_table_rows", counted)
    return counts


@pytest.fixture(scope="module")
def store(module_location):
    """Every way rows are written, in one store."""
    s = open_store(module_location)
    open_periods(s)
    two = (ROUNDS / "2017Q3.csv").read_bytes() + b"".join(
        (ROUNDS / "2017Q4.csv").read_bytes().splitlines(keepends=True)[1:]
    )
    import_results(s, RUBRIC, UNITS, [InputFile("两期.csv", two)], EVALUATOR)  # one batch, two rounds
    import_results(s, RUBRIC, UNITS, [ROUNDS / "2018Q1.xlsx"], EVALUATOR)
    q2 = (ROUNDS / "2018Q2.csv").read_bytes().splitlines(keepends=True)
    half = len(q2) // 2
    import_results(s, RUBRIC, UNITS, [InputFile("上半.csv", b"".join(q2[:half]))], EVALUATOR)
    # the whole file after its first half: the first half is already stored, the rest is new
    import_results(s, RUBRIC, UNITS, [InputFile("全部.csv", b"".join(q2))], EVALUATOR)
    corrected_then_published(s)
    return s


def test_every_batch_and_round_has_its_copy(store):
    held = store.db.execute("SELECT batch_id, round_id, rows FROM batch_frame ORDER BY batch_id, round_id").fetchall()
    counted = store.db.execute(
        "SELECT batch_id, round_id, COUNT(*) FROM finding GROUP BY batch_id, round_id ORDER BY batch_id, round_id"
    ).fetchall()
    assert [tuple(r) for r in held] == [tuple(r) for r in counted]
    assert {r[1] for r in held} == {1, 2, 3, 4} and len(held) == 6  # the two-period file: one copy per round


def test_every_round_reads_the_same_from_copies_as_from_the_record(store, table_reads):
    for round_id in (1, 2, 3, 4):
        assert len(_same_three_ways(store, round_id)) > 0
    assert table_reads[::2] == [0, 0, 0, 0]  # the copies alone (every other read is from the table)


def test_with_more_copies_than_ranges_in_a_statement_the_subquery_finds_the_same_rows(store, clone, monkeypatch,
                                                                                     table_reads):  # fmt: skip
    monkeypatch.setattr(findings, "_MAX_RANGES", 0)
    older = open_store(tampered(store.path, clone, "DELETE FROM batch_frame WHERE batch_id = 3"))
    for round_id in (1, 4):
        _same_three_ways(older, round_id)
    assert table_reads[0] == 0 and table_reads[2] > 0  # round 1 from its copy; round 4 partly from the table


def test_as_of_and_the_corrected_appeal(store):
    old, new = store.db.execute("SELECT old_finding_id, new_finding_id FROM supersession").fetchone()
    before = set(_same_three_ways(store, 1, new - 1)["finding_id"])
    after = set(_same_three_ways(store, 1, new)["finding_id"])
    assert old in before and new not in before
    assert old not in after and new in after
    _same_three_ways(store, 1, 500)
    _same_three_ways(store, 99)  # no such round: empty either way


def test_batches_without_a_copy_are_read_from_the_record(store, clone, table_reads):
    # as a store from before migration 9 holds its older batches
    older = open_store(tampered(store.path, clone, "DELETE FROM batch_frame WHERE batch_id IN (3, 4)"))
    table_reads.clear()
    rows = _same_three_ways(older, 4)  # 2018Q2: both of its batches from the table
    assert table_reads[0] == len(rows)
    table_reads.clear()
    _same_three_ways(older, 1)  # untouched rounds still read their copies
    assert table_reads[0] == 0
    assert verify(older).differences == []


def test_a_copy_that_does_not_read_back_is_passed_over(store, clone, table_reads):
    broken = open_store(
        tampered(store.path, clone, ("UPDATE batch_frame SET arrow = ? WHERE batch_id = 2", (b"\x00",)))
    )
    table_reads.clear()
    rows = _same_three_ways(broken, 3)
    assert table_reads[0] == len(rows) > 0
    assert verify(broken).differences == [
        "期次 2018Q1 第 2 批:测评结果的列存副本与测评结果表不符,二者之一在导入后被改动"
    ]


_TEXT = st.text(
    alphabet=st.sampled_from([*list("政务公开,。、\"'“”\n\r\t ,;abc019%"), "\x00", "😀", "𠀀"]), max_size=40
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from([1, 2]), _TEXT, _TEXT, _TEXT, _TEXT, st.integers(1, 10**6)),
                     min_size=1, max_size=30),
       coded=st.booleans())  # fmt: skip
def test_any_text_reads_back_from_the_copy_as_stored(store, rows, coded):
    if is_pg(store.path):  # PostgreSQL's text holds no NUL: such a file is refused there (pg-nul)
        rows = [tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in r) for r in rows]
    with scratch(store) as db:
        bid = insert_returning_id(db, "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by)"
                                  " VALUES ('随机.csv', ?, ?, ?, 't')", (repr(rows), len(rows), now()))  # fmt: skip
        frame = pd.DataFrame({
            "round_id": [r[0] for r in rows], "_sheet": "", "_row": [r[5] for r in rows], "unit_id": "341302",
            "check_id": [r[1] for r in rows], "value": [r[2] for r in rows], "evidence": [r[3] for r in rows],
            "note": [r[4] for r in rows], "evaluator": "测评人", "checked_at": "2017-09-16",
        })  # fmt: skip
        if coded:  # a coded column, as the readers give a column with few distinct values
            frame["value"] = frame["value"].astype("category")
        ids = insert_findings(db, bid, frame)
        assert db.execute("SELECT COUNT(*) FROM batch_frame WHERE batch_id = ?", (bid,)).fetchone()[0] == len(
            set(frame["round_id"])
        )
        for round_id in (1, 2):
            got = _same_three_ways(store, round_id)
            mine = got[got["finding_id"].isin(ids)]
            # rows are stored in the index's key order (issue 34); each id still names its own row
            want = frame.assign(finding_id=ids).query("round_id == @round_id").sort_values("finding_id")
            assert mine["value"].tolist() == want["value"].astype(str).tolist()
            assert mine["evidence"].tolist() == want["evidence"].tolist()


def test_values_that_are_not_text_are_left_to_the_record(store):
    """A number in a text column is stored as SQLite renders it; no copy could promise that."""
    with scratch(store) as db:
        bid = insert_returning_id(db, "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by)"
                                  " VALUES ('数.csv', 'numbers', 2, ?, 't')", (now(),))  # fmt: skip
        frame = pd.DataFrame({"round_id": [3, 3], "_sheet": "", "_row": [2, 3], "unit_id": "341302",
                              "check_id": "GK1.1.2", "value": [5, 2.5], "evidence": "", "note": "",
                              "evaluator": "测评人", "checked_at": "2017-09-16"})  # fmt: skip
        ids = insert_findings(db, bid, frame)
        assert db.execute("SELECT COUNT(*) FROM batch_frame WHERE batch_id = ?", (bid,)).fetchone()[0] == 0
        got = _same_three_ways(store, 3)
        assert got.loc[got["finding_id"].isin(ids), "value"].tolist() == ["5.0", "2.5"]  # as SQLite writes a float


def test_a_store_from_before_the_copies_gets_them_when_it_moves_to_migration_9(store, tmp_path, table_reads):
    if is_pg(store.path):
        pytest.skip("SQLite only: a file of schema 8 (a PostgreSQL store begins at schema 11)")
    old = tmp_path / "schema8.db"
    store.backup(old)
    with sqlite3.connect(old) as raw:  # as the store stood before migration 9
        raw.execute("DROP TABLE batch_frame")
        raw.execute("DROP INDEX finding_round_batch")  # migration 10's, which came after
        raw.execute("DROP INDEX roster_unit_seq")  # and migration 11's
        raw.execute("ALTER TABLE roster_unit DROP COLUMN seq")
        for table in ("content_finding", "content_unit", "content_run", "words_version"):  # and migration 12's
            raw.execute(f"DROP TABLE {table}")
        raw.execute("CREATE INDEX finding_round ON finding(round_id, unit_id, check_id)")  # migration 14 dropped it
        raw.execute("PRAGMA user_version=8")
    before = {r: _reference_findings(old, r) for r in (1, 2, 3, 4)}
    moved = open_store(old)
    held = moved.db.execute("SELECT batch_id, round_id, rows FROM batch_frame ORDER BY batch_id, round_id").fetchall()
    assert [tuple(r) for r in held] == [
        tuple(r) for r in store.db.execute("SELECT batch_id, round_id, rows FROM batch_frame ORDER BY 1, 2")
    ]
    table_reads.clear()
    for round_id, rows in before.items():
        pd.testing.assert_frame_equal(_as_objects(_same_three_ways(moved, round_id)), _as_objects(rows))
    assert table_reads[::2] == [0, 0, 0, 0]  # every round from its copies
    assert verify(moved).differences == []


def test_a_shuffled_file_is_stored_in_the_index_order(store):
    """Issue 34: rows go in by (round, unit, check), as they did while an index on that key was kept
    up (a revision's digest covers the findings in id order); each id still names its own row, in
    the file's order within a key."""
    db = store.db
    bid = insert_returning_id(db, "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by)"
                              " VALUES ('乱序.csv', 'x', 6, ?, 't')", (now(),))  # fmt: skip
    frame = pd.DataFrame({
        "round_id": [2, 1, 2, 1, 1, 1], "_sheet": "", "_row": [2, 3, 4, 5, 6, 7],
        "unit_id": ["341302", "341322", "341302", "341302", "341322", "341302"],
        "check_id": ["B", "A", "A", "B", "A", "B"], "value": ["v1", "v2", "v3", "v4", "v5", "v6"],
        "evidence": "", "note": "", "evaluator": "测评人", "checked_at": "2017-09-16",
    })  # fmt: skip
    frame["unit_id"] = frame["unit_id"].astype("category")
    ids = insert_findings(db, bid, frame)
    stored = db.execute("SELECT id, round_id, unit_id, check_id, value FROM finding WHERE batch_id = ? ORDER BY id",
                        (bid,)).fetchall()  # fmt: skip
    assert [tuple(r)[1:] for r in stored] == [
        (1, "341302", "B", "v4"), (1, "341302", "B", "v6"), (1, "341322", "A", "v2"), (1, "341322", "A", "v5"),
        (2, "341302", "A", "v3"), (2, "341302", "B", "v1"),
    ]  # fmt: skip
    by_id = {r["id"]: r["value"] for r in stored}
    assert [by_id[i] for i in ids] == frame["value"].tolist()


def test_no_index_of_the_findings_by_unit_and_check_is_kept_up(store):
    """Migration 14 (issue 34): no statement reads findings by unit or check, and keeping that
    index up was a fifth of SQLite's work in a province's import."""
    if is_pg(store.path):
        rows = store.db.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'finding'").fetchall()
    else:
        rows = store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'finding'"
                                " AND sql IS NOT NULL").fetchall()  # fmt: skip
    assert sorted(r[0] for r in rows) == (["finding_pkey"] if is_pg(store.path) else []) + ["finding_round_batch"]


def test_the_rounds_list_counts_from_an_index_alone(store):
    """Issue 34: counting a province's batches and findings read every finding's row (a second on the
    first page); migration 10's index answers both counts without touching the table."""
    from scoring.store.rounds import rounds_table

    if is_pg(store.path):
        pytest.skip("SQLite's query planner (PostgreSQL has the same index, test_pg_schema.py)")
    plan = " ".join(str(tuple(r)) for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT (SELECT COUNT(DISTINCT batch_id) FROM finding f WHERE f.round_id = 1),"
        " (SELECT COUNT(*) FROM finding f WHERE f.round_id = 1)"))  # fmt: skip
    assert plan.count("USING COVERING INDEX finding_round_batch") == 2
    assert list(rounds_table(store).columns[:6]) == ["period", "status", "rubric_id", "rubric_version", "batches",
                                                     "findings"]  # fmt: skip


def test_a_batch_of_many_statements_and_slices_is_stored_whole(store, monkeypatch):
    """Issue 34: rows go in a slice at a time, as many rows a statement as SQLite's parameter limit
    allows; a batch that spans several slices, statements and rounds, with a statement's worth
    left over, reads back row for row from the table and from its copies."""
    if store.backend != "sqlite":
        pytest.skip("SQLite's parameter limit and its multi-row INSERTs; PostgreSQL takes each slice by COPY")
    monkeypatch.setattr(findings, "_SLICE", 40)  # several slices and record batches per round
    db = store.db
    db.execute("SAVEPOINT example")
    limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 12 * 7)  # seven rows a statement
    try:
        bid = int(db.execute("INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by)"
                             " VALUES ('多.csv', 'many', 203, ?, 't')", (now(),)).lastrowid)  # fmt: skip
        n = 203
        frame = pd.DataFrame({
            "round_id": [1 + i % 2 for i in range(n)], "_sheet": "", "_row": range(2, n + 2),
            "unit_id": [f"U{i % 13:02d}" for i in range(n)], "check_id": [f"C{i % 7}" for i in range(n)],
            "value": [str(i) for i in range(n)], "evidence": [f"截图{i}.png" for i in range(n)],
            "note": ["备注,\"引号\"\n换行" if i % 5 else "" for i in range(n)], "evaluator": "测评人",
            "checked_at": "2017-09-16",
        })  # fmt: skip
        frame["unit_id"] = frame["unit_id"].astype("category")
        ids = insert_findings(db, bid, frame)
        stored = dict(db.execute("SELECT id, value || '|' || evidence || '|' || note FROM finding"
                                 " WHERE batch_id = ?", (bid,)).fetchall())  # fmt: skip
        assert [stored[i] for i in ids] == (frame["value"] + "|" + frame["evidence"] + "|" + frame["note"]).tolist()
        copies = db.execute("SELECT round_id, rows FROM batch_frame WHERE batch_id = ? ORDER BY round_id",
                            (bid,)).fetchall()  # fmt: skip
        assert [tuple(r) for r in copies] == [(1, 102), (2, 101)]
        for round_id in (1, 2):
            got = _same_three_ways(store, round_id)
            mine = got[got["finding_id"].isin(ids)]
            want = frame.assign(finding_id=ids).query("round_id == @round_id").sort_values("finding_id")
            assert mine["value"].tolist() == want["value"].tolist()
            assert mine["note"].tolist() == want["note"].tolist()
            # written a slice at a time, read back in one piece: publishing gathers from these
            # columns, and a gather from many pieces joins them on every call (149 MB more at publish)
            tables, _ = findings._copies(db, round_id)
            assert all(column.num_chunks == 1 for t in tables for column in t.columns)
    finally:
        db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
        db.execute("ROLLBACK TO example")
        db.execute("RELEASE example")
