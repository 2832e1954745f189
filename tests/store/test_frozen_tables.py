"""A province's rounds read fast and exactly (issue 21).

- a published revision's kept score tables are the rescored tables, every column, and verify
  notices when they are not;
- the findings read in slices into Arrow are the rows the plain query gives (the reference here),
  superseded rows and ``as_of`` included;
- the digest's fast CSV of the findings is byte for byte what pandas writes;
- per round and per unit views of several rounds are the rows of the whole table.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_backends import drop_guards, raw_db

from helpers import ROOT, open_periods
from scoring.pipeline import checks_of, combine_rounds, concat_frames, narrowed
from scoring.store import open_store
from scoring.store.appeals import decide_appeal, file_appeal
from scoring.store.findings import findings_frame
from scoring.store.publish import _findings_csv, _joined, load_round, publish, published_scores, verify
from scoring.store.rounds import import_results, round_assessment, set_status
from scoring.store.users import User

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUNDS = ROOT / "sample_data" / "results"
OFFICE = User("考核办", "admin")
EVALUATOR = User("评估", "evaluator")


def _reference_findings(db_path, round_id: int, as_of: int | None = None) -> pd.DataFrame:
    """The findings as the store read them before issue 21: one query, one row object each."""
    limit = as_of if as_of is not None else 2**62
    # a connection of its own, or the caller's (to see rows it has not committed)
    with raw_db(db_path) if isinstance(db_path, (str, Path)) else nullcontext(db_path) as raw:
        rows = raw.execute(
            """SELECT r.period, f.unit_id, f.check_id, f.value, f.evidence, f.note, f.evaluator, f.checked_at,
                      b.file_name, f.sheet, f.row_no, f.id
               FROM finding f JOIN batch b ON b.id = f.batch_id JOIN round r ON r.id = f.round_id
               WHERE f.round_id = ? AND f.id <= ?
                 AND NOT EXISTS (SELECT 1 FROM supersession s WHERE s.old_finding_id = f.id AND s.new_finding_id <= ?)
               ORDER BY f.id""",
            (round_id, limit, limit),
        ).fetchall()
    cols = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at", "_file", "_sheet",
            "_row", "finding_id"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).astype({"_row": "int64", "finding_id": "int64"})


def corrected_then_published(store) -> None:
    """2017Q3 through feedback and appeals, a binary loss corrected on appeal (a superseded
    finding), then published."""
    set_status(store, "2017Q3", "feedback", OFFICE)
    set_status(store, "2017Q3", "appeal", OFFICE)
    lost = round_assessment(store, "2017Q3").scores.checks
    unit, check = lost.loc[(lost["lost"] > 0) & (lost["method"] == "binary"), ["unit_id", "check_id"]].iloc[0]
    aid = file_appeal(store, "2017Q3", str(unit), str(check), "栏目已更新", "", User("u", "unit", str(unit)))
    decide_appeal(store, aid, "corrected", "复核属实", EVALUATOR, new_value="通过")
    publish(store, "2017Q3", OFFICE)


@pytest.fixture(scope="module")
def published(module_location):
    """Two rounds: 2017Q3 published after a corrected appeal (a superseded finding), 2017Q4 a draft."""
    store = open_store(module_location)
    open_periods(store)
    for name in ("2017Q3.csv", "2017Q4.csv"):
        import_results(store, RUBRIC, UNITS, [ROUNDS / name], EVALUATOR)
    corrected_then_published(store)
    return store


def test_kept_tables_are_the_rescored_tables_every_column(published):
    kept = published_scores(published, "2017Q3", 1).scores
    again = load_round(published, "2017Q3", 1).scores  # rescored from the findings as of publication
    pd.testing.assert_frame_equal(kept.units, again.units, check_exact=True)
    pd.testing.assert_frame_equal(kept.dimensions, again.dimensions, check_exact=True)
    pd.testing.assert_frame_equal(kept.checks, again.checks, check_exact=True)
    assert kept.periods == again.periods == ["2017Q3"]


def test_findings_read_in_slices_are_the_plain_query(published, monkeypatch):
    import scoring.store.findings as findings

    monkeypatch.setattr(findings, "_SLICE", 97)  # many slices, the last one short
    for round_id, as_of in [(1, None), (2, None), (1, 500), (1, 10**9)]:
        ours = findings_frame(published, round_id, as_of)
        ref = _reference_findings(published.path, round_id, as_of)
        assert len(ours) > 0
        pd.testing.assert_frame_equal(ours.astype({c: object for c in ours.columns if ours[c].dtype != "int64"}),
                                      ref.astype({c: object for c in ref.columns if ref[c].dtype != "int64"}))  # fmt: skip
    # the corrected finding is left out, and its replacement read
    with raw_db(published.path) as raw:
        old, new = raw.execute("SELECT old_finding_id, new_finding_id FROM supersession").fetchone()
    ids = set(findings_frame(published, 1)["finding_id"])
    assert old not in ids and new in ids


def test_an_empty_round_reads_as_an_empty_frame(published):
    empty = findings_frame(published, 99)
    assert empty.empty and list(empty.columns)[-1] == "finding_id"


def test_verify_checks_the_kept_tables(published, clone):
    assert verify(published).differences == []
    copy = clone(published.path, "tampered")
    store = open_store(copy)
    kept = published_scores(store, "2017Q3", 1).scores.checks
    changed = kept.assign(earned=kept["earned"].where(kept.index != 0, kept["earned"] + 1))
    from scoring.store.frames import frame_bytes

    with raw_db(copy) as raw:  # someone with the file drops the guards and edits a frozen table
        drop_guards(raw, copy)
        raw.execute("UPDATE snapshot_frame SET arrow = ? WHERE tbl = 'check'", (frame_bytes(changed),))
    found = verify(store).differences
    # the check table is kept only whole: its first changed line is named, and the table
    assert len(found) == 2 and found[1] == "期次 2017Q3 第 1 版:存档的完整得分表(check)与重算不符"
    assert found[0].startswith("期次 2017Q3 第 1 版 check 第 2 行:存档「") and ",4,3,0,1," in found[0]


def test_a_missing_kept_check_table_is_named_and_rescoring_stands_in(published, clone):
    copy = clone(published.path, "gone")
    with raw_db(copy) as raw:
        drop_guards(raw, copy)
        raw.execute("DELETE FROM snapshot_frame")
    store = open_store(copy)
    # readers fall back to rescoring the revision, as for one published before the tables were kept
    pd.testing.assert_frame_equal(published_scores(store, "2017Q3", 1).scores.units,
                                  published_scores(published, "2017Q3", 1).scores.units)  # fmt: skip
    assert "期次 2017Q3 第 1 版 check:存档中既没有逐行的得分表,也没有完整的得分表" in verify(store).differences


TEXT = st.lists(st.sampled_from([*'ab,"\r\n 测评=|\t', "http://x.gov.cn/a?b=1"]), max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.integers(0, 10**6)), min_size=1, max_size=20))
def test_digest_csv_of_findings_is_what_pandas_writes(rows):
    frame = pd.DataFrame(rows, columns=["value", "evidence", "_row"])
    frame = frame.astype({"value": "str", "evidence": "str"})
    assert _joined(_findings_csv(frame)) == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_views_of_several_rounds_are_the_rows_of_the_whole(published):
    both = combine_rounds([load_round(published, "2017Q3", 1), load_round(published, "2017Q4", None)])
    whole = pd.concat([load_round(published, p, r).scores.checks for p, r in [("2017Q3", 1), ("2017Q4", None)]],
                      ignore_index=True).astype(object)  # fmt: skip
    units = ["341322", "341302"]
    for periods, wanted in [(None, None), (["2017Q4"], None), (["2017Q3", "2017Q4"], units), (None, units[:1])]:
        mask = np.ones(len(whole), dtype=bool)
        if periods is not None:
            mask &= whole["period"].isin(periods).to_numpy()
        if wanted is not None:
            mask &= whole["unit_id"].isin(wanted).to_numpy()
        got = checks_of(both.scores, periods, wanted)
        assert all(isinstance(got[c].dtype, pd.CategoricalDtype) for c in ["period", "unit_id", "check_id", "value"])
        pd.testing.assert_frame_equal(got.astype(object), whole[mask].reset_index(drop=True))
    # a narrowed view of a narrowed view keeps both filters
    twice = narrowed(narrowed(both, periods=["2017Q4"]), units=units[:1]).scores.checks
    assert set(twice["period"]) == {"2017Q4"} and set(twice["unit_id"]) == {units[0]}


def test_concat_keeps_categories_that_differ_between_rounds():
    a = pd.DataFrame({"k": pd.Categorical(["x", "y"]), "n": [1, 2]})
    b = pd.DataFrame({"k": pd.Categorical(["z"]), "n": [3]})
    out = concat_frames([a, b])
    assert isinstance(out["k"].dtype, pd.CategoricalDtype)
    assert list(out["k"]) == ["x", "y", "z"] and list(out["n"]) == [1, 2, 3]
