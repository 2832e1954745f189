"""Issue 29, item 5: before feedback an evaluator corrects a result they recorded by uploading the
template again. The old finding stays in the record, superseded (as a correction on appeal is),
and the change is audited; another account's result, or any result after feedback, is refused."""

import pandas as pd
import pytest
from test_finding_copies import _same_three_ways

from helpers import ROOT, open_periods
from scoring import InputError, InputFile
from scoring.store import open_store
from scoring.store.findings import copy_problems
from scoring.store.publish import publish, verify
from scoring.store.rounds import findings_frame, import_results, round_assessment, set_status
from scoring.store.users import User

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
SAMPLE = ROOT / "sample_data" / "results" / "2017Q3.csv"
EVALUATOR = User("张评估", "evaluator")
COLLEAGUE = User("李评估", "evaluator")
OFFICE = User("考核办", "admin")
UNIT, CHECK = "341302", "GK1.1.1"  # a binary check: one row per unit


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    open_periods(s)
    import_results(s, RUBRIC, UNITS, [SAMPLE], EVALUATOR)
    yield s
    s.close()


def _changed(name: str = "更正.csv") -> tuple[InputFile, str, str, int]:
    """The sample with one binary result flipped: the file, the value before and after, its row."""
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    row = frame.index[(frame["unit_id"] == UNIT) & (frame["check_id"] == CHECK)][0]
    was = frame.loc[row, "value"]
    frame.loc[row, "value"] = "通过" if was == "未通过" else "未通过"
    return InputFile(name, frame.to_csv(index=False).encode("utf-8")), was, frame.loc[row, "value"], int(row) + 2


def _value(store, **kw) -> str:
    rows = findings_frame(store, 1, **kw)
    return rows.loc[(rows["unit_id"] == UNIT) & (rows["check_id"] == CHECK), "value"].item()


def test_in_a_draft_the_evaluator_replaces_their_own_result_and_the_old_one_stays_in_the_history(store):
    file, was, now, _ = _changed()
    before = store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
    res = import_results(store, RUBRIC, UNITS, [file], EVALUATOR)
    assert (res.rows, res.replaced) == (1, 1) and res.already == before - 1
    assert _value(store) == now
    old, new, appeal = store.db.execute("SELECT old_finding_id, new_finding_id, appeal_id FROM supersession").fetchone()
    assert appeal is None  # a correction before feedback, not on appeal
    assert store.db.execute("SELECT value FROM finding WHERE id = ?", (old,)).fetchone()[0] == was  # kept
    assert _value(store, as_of=new - 1) == was  # the round as it stood before the correction
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == before + 1
    audit = store.db.execute("SELECT actor, target, detail FROM audit WHERE action = 'finding.replace'").fetchall()
    assert [tuple(a) for a in audit] == [
        (EVALUATOR.name, f"2017Q3/{UNIT}/{CHECK}", f"finding {old} -> {new}: {was} -> {now}")
    ]
    checks = round_assessment(store, "2017Q3").scores.checks
    scored = checks[(checks["unit_id"] == UNIT) & (checks["check_id"] == CHECK)]
    assert int(scored["findings"].item()) == 1  # the new finding alone, not both
    assert (scored["lost"].item() == 0) == (now == "通过")  # scored from the new value
    # the columnar copies, the table and the reference query agree; and publication verifies
    _same_three_ways(store, 1)
    assert copy_problems(store, 1) == []
    set_status(store, "2017Q3", "feedback", OFFICE)
    set_status(store, "2017Q3", "appeal", OFFICE)
    publish(store, "2017Q3", OFFICE)
    checked = verify(store)
    assert checked.differences == [] and checked.snapshots == 1


def test_another_evaluators_result_is_refused_naming_both_values_and_who_recorded_it(store):
    file, was, now, row = _changed()
    count = store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [file], COLLEAGUE)
    [issue] = info.value.issues
    assert (issue.code, issue.file, issue.row, issue.column) == ("changed-result", "更正.csv", row, "结果")
    assert f"已存结果为 “{was}”,此文件为 “{now}”" in issue.message and "由 张评估 于" in issue.message
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == count
    assert store.db.execute("SELECT COUNT(*) FROM supersession").fetchone()[0] == 0


def test_after_feedback_a_correction_goes_through_an_appeal(store):
    set_status(store, "2017Q3", "feedback", OFFICE)
    file, *_ = _changed()
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [file], EVALUATOR)
    assert [i.code for i in info.value.issues] == ["round-not-draft"]
    assert "申诉复核" in info.value.issues[0].message
    assert store.db.execute("SELECT COUNT(*) FROM supersession").fetchone()[0] == 0


def test_a_result_corrected_twice_keeps_every_earlier_value(store):
    first, was, now, _ = _changed("更正一.csv")
    import_results(store, RUBRIC, UNITS, [first], EVALUATOR)
    back = InputFile("更正二.csv", SAMPLE.read_bytes() + b"\n")  # the original value again (another file)
    assert import_results(store, RUBRIC, UNITS, [back], EVALUATOR).replaced == 1
    assert _value(store) == was
    chain = store.db.execute(
        "SELECT old_finding_id, new_finding_id FROM supersession ORDER BY new_finding_id, old_finding_id"
    ).fetchall()
    assert len(chain) == 2 and chain[0][1] == chain[1][0]  # the second correction supersedes the first
    values = [store.db.execute("SELECT value FROM finding WHERE id = ?", (i,)).fetchone()[0]
              for i in (chain[0][0], chain[0][1], chain[1][1])]  # fmt: skip
    assert values == [was, now, was]
    _same_three_ways(store, 1)
