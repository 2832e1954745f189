"""An import's rows go to the store from a second thread while the first prepares the next (issue
34). A statement refused there, at the batch's first rows or its last, leaves the store exactly as
it was, ends the thread, and reaches the importer as the same error it was when every statement
ran in the importing thread."""

from __future__ import annotations

import functools
import threading

import pandas as pd
import pytest
from store_backends import is_pg, raw_db, refused_errors

import scoring.store.findings as findings
import scoring.store.rounds as rounds
from helpers import ROOT, open_periods
from scoring.store import open_store
from scoring.store.rounds import import_results
from scoring.store.users import User
from scoring.store.writer import Writer

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUNDS = ROOT / "sample_data" / "results"
EVALUATOR = User("评估", "evaluator")


def _everything(location) -> dict[str, list[str]]:
    """Every table's rows, each table's in a fixed order: what "the store as it was" means."""
    with raw_db(location) as raw:
        if is_pg(location):
            names = raw.execute("SELECT table_name FROM information_schema.tables"
                                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").fetchall()  # fmt: skip
        else:
            names = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {n: sorted(repr(tuple(r)) for r in raw.execute(f"SELECT * FROM {n}").fetchall()) for (n,) in names}


def _refuse(location, unit_id: str, check_id: str) -> None:
    """A trigger that refuses one finding, as a constraint would: the store's code never sees it coming."""
    with raw_db(location) as raw:
        if is_pg(location):
            raw.raw.execute(
                "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                f" IF NEW.unit_id = '{unit_id}' AND NEW.check_id = '{check_id}' THEN"
                f" RAISE EXCEPTION '拒收 {unit_id} {check_id}'; END IF; RETURN NEW; END $$"
            )
            raw.raw.execute(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON finding FOR EACH ROW EXECUTE FUNCTION refuse_one()"
            )
        else:
            raw.execute(
                f"CREATE TRIGGER refuse_one BEFORE INSERT ON finding WHEN NEW.unit_id = '{unit_id}'"
                f" AND NEW.check_id = '{check_id}' BEGIN SELECT RAISE(ABORT, '拒收 {unit_id} {check_id}'); END"
            )


def _unrefuse(location) -> None:
    with raw_db(location) as raw:
        raw.execute("DROP TRIGGER refuse_one ON finding" if is_pg(location) else "DROP TRIGGER refuse_one")


@pytest.mark.parametrize("which", ["first", "last"])
def test_a_statement_refused_in_the_writer_leaves_the_store_as_it_was(store_location, monkeypatch, which):
    # many small calls through the writer's queue: a refusal at the first rows finds this thread
    # still handing over the rest; at the last, everything handed over and the copy made
    monkeypatch.setattr(findings, "_SLICE", 256)
    monkeypatch.setattr(findings, "_INSERTS_PER_PART", 1)
    store = open_store(store_location)
    open_periods(store)
    import_results(store, RUBRIC, UNITS, [ROUNDS / "2017Q3.csv"], EVALUATOR)
    file = ROUNDS / "2017Q4.csv"
    rows = pd.read_csv(file, dtype=str).sort_values(["unit_id", "check_id"])  # the order rows are inserted in
    key = rows.iloc[0 if which == "first" else -1]
    _refuse(store_location, key["unit_id"], key["check_id"])
    before, threads = _everything(store_location), threading.active_count()

    with pytest.raises(refused_errors()) as pipelined:
        import_results(store, RUBRIC, UNITS, [file], EVALUATOR)
    assert _everything(store_location) == before
    assert threading.active_count() == threads  # the writer's thread ended

    # as it was reported when every statement ran in the importing thread
    monkeypatch.setattr(rounds, "Writer", functools.partial(Writer, threaded=False))
    with pytest.raises(refused_errors()) as inline:
        import_results(store, RUBRIC, UNITS, [file], EVALUATOR)
    assert type(pipelined.value) is type(inline.value)
    # (PostgreSQL's message goes on to quote the refused row, with the batch's and round's ids: a
    # refused import has used up ids of its identity sequences, which no rollback gives back)
    assert str(pipelined.value).splitlines()[0] == str(inline.value).splitlines()[0]
    assert f"拒收 {key['unit_id']} {key['check_id']}" in str(pipelined.value)
    assert _everything(store_location) == before

    # nothing of the refused import stayed behind: the same file goes in whole once the trigger is gone
    monkeypatch.undo()
    _unrefuse(store_location)
    res = import_results(store, RUBRIC, UNITS, [file], EVALUATOR)
    assert res.rows == len(rows)
    assert store.db.execute("SELECT COUNT(*) FROM finding WHERE batch_id = ?", (res.batches[0],)).fetchone()[0] == len(
        rows
    )
