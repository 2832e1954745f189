"""Issue 28: a records run into the round, as the 政务服务记录 page does it: the rows kept with the
round, imported as one batch (evaluator records), scored, and each lost point's evidence naming the
records that cost it; a re-run's rows replace the evaluator's own draft rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from helpers import UNITS, csv_file, open_periods, rubric_dict, units_file
from scoring.errors import InputError
from scoring.output import csv_bytes
from scoring.pipeline import read_roster
from scoring.records import compute_records
from scoring.rubric import load_rubric
from scoring.store import open_store
from scoring.store.records import latest_records, record_records
from scoring.store.rounds import import_results, round_assessment, round_rows, set_status
from scoring.store.users import OPERATOR, User
from scoring.tables import InputFile
from scoring.views.explain import lost_points

CHECKS = [
    {"id": "R1", "name": "按期办结率", "method": "ratio", "points": 10, "records": {"measure": "on_time_rate"}},
    {"id": "H", "name": "人工测评", "method": "binary", "points": 10},
]
HEADER = ["case_id", "unit_id", "channel", "accepted_at", "finished_at", "promised_days"]
# 甲县: three cases finished in September, two late (2 and 4 working days against a promise of 1)
CASES = [
    ("K1", "C1", "online", "2017-09-04", "2017-09-05", "1"),
    ("K2", "C1", "window", "2017-09-04", "2017-09-06", "1"),
    ("K3", "C1", "window", "2017-09-11", "2017-09-15", "1"),
    ("K4", "C2", "online", "2017-09-11", "2017-09-11", "0"),
]
EVALUATOR = User("tester", "evaluator")
OFFICE = User("考核办", OPERATOR)


@pytest.fixture
def setup(tmp_path, store_location):
    rubric_path, units_path = tmp_path / "rubric.yaml", tmp_path / "units.csv"
    rubric_path.write_text(json.dumps(rubric_dict(CHECKS), ensure_ascii=False), encoding="utf-8")
    units_path.write_bytes(units_file().data)
    store = open_store(store_location)
    open_periods(store, "2017Q3")
    return store, rubric_path, units_path


def _run(rubric_path, units_path, cases=CASES):
    rubric = load_rubric(rubric_path)
    return compute_records(rubric, read_roster(units_path, rubric), "2017Q3", dt.date(2017, 9, 1),
                           dt.date(2017, 9, 30), cases=[csv_file("办件.csv", HEADER, cases)])  # fmt: skip


def test_a_records_run_imports_as_one_batch_and_its_ids_reach_the_lost_point(setup):
    store, rubric_path, units_path = setup
    run = _run(rubric_path, units_path)
    kept = record_records(store, "2017Q3", csv_bytes(run.rows), OFFICE)
    name, rows_csv = latest_records(store, "2017Q3")
    assert name == kept and rows_csv == csv_bytes(run.rows)  # what the page imports later is what it computed
    res = import_results(store, rubric_path, units_path, [InputFile("政务服务记录_2017Q3_2017-09-30.csv", rows_csv)],
                         EVALUATOR)  # fmt: skip
    assert res.rows == len(UNITS)  # R1 for each roster unit, NA where a unit had no case
    _, _, found = round_rows(store, "2017Q3")
    assert set(found["evaluator"]) == {"records"} and set(found["checked_at"]) == {"2017-09-30"}
    values = found.set_index("unit_id")["value"].to_dict()
    assert values == {"C1": "0.333333", "C2": "1.000000", "C3": "NA", "M1": "NA"}
    lost = lost_points(round_assessment(store, "2017Q3"), "C1", "2017Q3").set_index("check_id")
    # 10 points × (1 − 1/3) = 6.67 lost, the evidence naming both late cases, the later-finished first
    assert round(float(lost.loc["R1", "lost"]), 2) == 6.67
    assert lost.loc["R1", "evidence"] == "办结 3 件,按期办结 1 件;逾期:K3、K2"


def test_a_rerun_replaces_the_evaluators_own_draft_rows_and_a_closed_round_takes_none(setup):
    store, rubric_path, units_path = setup
    first = csv_bytes(_run(rubric_path, units_path).rows)
    import_results(store, rubric_path, units_path, [InputFile("first.csv", first)], EVALUATOR)
    fixed = [c if c[0] != "K2" else ("K2", "C1", "window", "2017-09-04", "2017-09-05", "1") for c in CASES]
    second = csv_bytes(_run(rubric_path, units_path, fixed).rows)
    import_results(store, rubric_path, units_path, [InputFile("second.csv", second)], EVALUATOR)
    _, _, found = round_rows(store, "2017Q3")
    assert found.set_index("unit_id").loc["C1", "value"] == "0.666667"
    set_status(store, "2017Q3", "feedback", OFFICE)
    with pytest.raises(InputError):
        import_results(store, rubric_path, units_path, [InputFile("third.csv", first)], EVALUATOR)
