"""The year-end roll-up: the mean of published round scores, graded and ranked like a round."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT, open_periods
from scoring import load_rubric
from scoring.views.annual import annual_scores

RUBRIC = load_rubric(ROOT / "docs" / "example" / "rubric.yaml")  # grades 90/80/60, weight 0.04, 2 decimals


def units(rows):
    """Unit score rows as the engine writes them: (period, unit, group, score, vetoed)."""
    return pd.DataFrame(
        [
            {"period": p, "track": "disclosure", "group": g, "unit_id": u, "unit_name": f"{u} 名称",
             "score": s, "vetoed": v}
            for p, u, g, s, v in rows
        ]
    )  # fmt: skip


ROWS = [
    ("2017Q3", "A", "county", 80.00, False), ("2017Q4", "A", "county", 91.25, False),
    ("2017Q3", "B", "county", 90.00, False), ("2017Q4", "B", "county", 81.24, False),
    ("2017Q3", "C", "county", 95.00, False), ("2017Q4", "C", "county", 60.00, True),
    ("2017Q4", "D", "county", 70.00, False),  # joined in the second round
    ("2017Q3", "X", "department", 88.00, False), ("2018Q1", "X", "department", 10.00, False),
]  # fmt: skip


def test_hand_computed_year():
    table = annual_scores(
        units(ROWS),
        ["2017Q3", "2017Q4"],
        RUBRIC,
    ).set_index("unit_id")
    # A: (80 + 91.25) / 2 = 85.625 -> 85.63 half-up; B: 85.62; C: 77.5, vetoed -> lowest grade
    assert table.loc["A", ["score", "grade", "rank", "rank_of", "rounds"]].tolist() == [85.63, "良好", 1, 4, 2]
    assert table.loc["B", ["score", "grade", "rank"]].tolist() == [85.62, "良好", 2]
    assert table.loc["C", ["score", "grade", "rank", "vetoed", "vetoed_in"]].tolist() == [77.5, "不合格", 3, True,
                                                                                        "2017Q4"]  # fmt: skip
    assert table.loc["D", ["score", "rounds", "rank", "2017Q3", "2017Q4"]].fillna(-1).tolist() == [70.0, 1, 4, -1, 70.0]
    # 85.625 / 100 x 0.04 x 100 = 3.425 -> 3.43; rounds outside the chosen ones do not count
    assert table.loc["A", "target_points"] == 3.43
    assert table.loc["X", ["score", "rounds", "rank", "rank_of"]].tolist() == [88.0, 1, 1, 1]
    assert list(table.columns[-2:]) == ["2017Q3", "2017Q4"]


def test_no_round_chosen_is_an_empty_table():
    table = annual_scores(units([("2017Q3", "A", "county", 80.0, False)]), [], RUBRIC)
    assert table.empty


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 110, allow_nan=False).map(lambda x: round(x, 2)), st.booleans()),
                min_size=1, max_size=4))  # fmt: skip
def test_a_year_lies_between_its_worst_and_best_round(rounds):
    periods = [f"P{i}" for i in range(len(rounds))]
    rows = [(p, "A", "county", s, v) for p, (s, v) in zip(periods, rounds, strict=True)]
    row = annual_scores(units(rows), periods, RUBRIC).iloc[0]
    scores = [s for s, _ in rounds]
    assert min(scores) <= row["score"] <= max(scores)
    assert row["vetoed"] == any(v for _, v in rounds)
    assert row["grade"] == "不合格" or not row["vetoed"]


def test_target_totals_add_each_tracks_points_per_unit():
    from scoring.views.annual import target_totals

    rubric = load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml")  # 政务公开 0.04, 政务服务 0.03 of 100 points
    rows = units([("2017Q3", "A", "county", 80.0, False), ("2017Q4", "A", "county", 91.25, False),
                  ("2017Q3", "B", "county", 70.0, False), ("2017Q3", "Z", "central", 60.0, False)])  # fmt: skip
    service = units([("2017Q3", "A", "county", 90.0, False), ("2017Q3", "B", "county", 99.0, False)]).assign(
        track="service"
    )
    year = annual_scores(pd.concat([rows, service], ignore_index=True), ["2017Q3", "2017Q4"], rubric)
    totals = target_totals(year, rubric).set_index("unit_id")
    # A: 85.625 x 0.04 = 3.425 -> 3.43, and 90 x 0.03 = 2.70; B: 2.80 + 2.97 = 5.77
    assert totals.loc["A", ["disclosure_points", "service_points", "total_points"]].tolist() == [3.43, 2.7, 6.13]
    assert totals.loc["B", "total_points"] == 5.77
    # Z is not scored on 政务服务 (no 政务服务 checks for its group): it adds nothing there
    assert totals.loc["Z", "total_points"] == 2.4 and pd.isna(totals.loc["Z", "service_points"])
    assert list(totals.index) == ["A", "B", "Z"]  # by group in rubric order, then the total


def test_rounds_under_different_rubrics_are_refused_by_the_command_and_the_page(tmp_path, monkeypatch):
    """One rule for both (scoring.views.annual.one_rubric): the page averaged them before."""
    import subprocess
    import sys

    from streamlit.testing.v1 import AppTest

    from scoring.store import open_store
    from scoring.store.accounts import add_user
    from scoring.store.publish import publish
    from scoring.store.rounds import import_results, set_status
    from scoring.store.users import OPERATOR, User

    op = User("test", OPERATOR)
    changed = tmp_path / "suzhou-1.1.yaml"
    text = (ROOT / "rubrics" / "suzhou-2017.yaml").read_text(encoding="utf-8")
    changed.write_text(text.replace('version: "1.0"', 'version: "1.1"', 1), encoding="utf-8")
    assert 'version: "1.1"' in changed.read_text(encoding="utf-8")
    db = tmp_path / "s.db"
    s = open_store(db)
    open_periods(s)
    results = ROOT / "sample_data" / "results"
    import_results(s, ROOT / "rubrics" / "suzhou-2017.yaml", ROOT / "sample_data" / "units.csv",
                   [results / "2017Q3.csv"], op)  # fmt: skip
    import_results(s, changed, ROOT / "sample_data" / "units.csv", [results / "2017Q4.csv"], op)
    for period in ("2017Q3", "2017Q4"):
        set_status(s, period, "feedback", op)
        set_status(s, period, "appeal", op)
        publish(s, period, op)
    add_user(s, "boss", "admin", "correct-horse-1", op)
    s.close()

    p = subprocess.run([sys.executable, "-m", "scoring.cli", "annual", "--db", db, "--out", tmp_path / "a.csv"],
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2 and "所选期次使用了不同的指标体系" in p.stderr and "期次 2017Q4" in p.stderr
    assert not (tmp_path / "a.csv").exists()

    monkeypatch.setenv("ASSESS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.text_input[0].input("boss")
    at.text_input[1].input("correct-horse-1")
    at.button[0].click().run()
    at.switch_page("ui/pages/annual.py").run()
    assert not at.exception
    assert "所选期次使用了不同的指标体系" in at.error[0].value
    assert not at.dataframe  # nothing averaged
