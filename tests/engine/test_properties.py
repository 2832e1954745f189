"""Invariants that hold for any results (hypothesis)."""

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from helpers import csv_file, make_rubric, units_file
from scoring import InputFile, assess

BONUS_MAX = 4
CHECKS = [
    {"id": "B", "name": "b", "method": "binary", "points": 3},
    {"id": "L", "name": "l", "method": "levels", "points": 5, "levels": {"A": 1, "B": 0.67, "C": 0.33, "D": 0}},
    {"id": "R", "name": "r", "method": "ratio", "points": 7, "floor": 0.3, "target": 0.9},
    {"id": "X", "name": "x", "method": "deduct", "points": 4, "per_item": 0.5},
    {"id": "P", "name": "p", "method": "bonus", "points": 3, "per_item": 1},
    {"id": "V", "name": "v", "method": "veto", "cap": 59},
    {"id": "K", "name": "k", "method": "binary", "points": 2, "applies_to": ["county"]},
]
RUBRIC = make_rubric(CHECKS, bonus_max=BONUS_MAX, na_policy="rescale")
UNITS = [("C1", "甲", "county"), ("C2", "乙", "county"), ("M1", "丙", "department"), ("M2", "丁", "department")]
APPLIES = {u: [c["id"] for c in CHECKS if c["id"] != "K" or g == "county"] for u, _, g in UNITS}
HEADER = ["period", "unit_id", "check_id", "value"]

VALUES = {
    "B": st.sampled_from(["0", "1"]),
    "L": st.sampled_from(["A", "B", "C", "D"]),
    "R": st.integers(0, 100).map(lambda n: f"{n}%"),
    "X": st.integers(0, 12).map(str),
    "P": st.integers(0, 5).map(str),
    "V": st.sampled_from(["0", "0", "0", "1"]),
    "K": st.sampled_from(["0", "1"]),
}
NA = "不涉及"


@st.composite
def rounds(draw):
    rows = []
    for unit, checks in APPLIES.items():
        for check in checks:
            value = NA if draw(st.integers(0, 9)) == 0 else draw(VALUES[check])
            if check in ("X", "P") and value != NA:
                # several finding rows for counting methods
                parts = draw(st.lists(st.integers(0, 4), min_size=0, max_size=2))
                rows.extend(("2017Q3", unit, check, str(p)) for p in parts)
            rows.append(("2017Q3", unit, check, value))
    return rows


def score(rows, files=None):
    files = files or [csv_file("r.csv", HEADER, rows)]
    return assess(RUBRIC, units_file(UNITS), files).scores


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rounds())
def test_scores_stay_within_0_and_100_plus_bonus_max(rows):
    units = score(rows).units
    assert (units["score_exact"] >= 0).all()
    assert (units["score_exact"] <= 100 + BONUS_MAX + 1e-9).all()
    assert (units["base_exact"] <= 100 + 1e-9).all()
    assert (units.loc[units["vetoed"], "score"] <= 59).all()


BETTER = {
    "B": lambda v: "1",
    "K": lambda v: "1",
    "L": lambda v: "A",
    "R": lambda v: "100%",
    "X": lambda v: "0",
    "P": lambda v: "5",
    "V": lambda v: "0",
}


@SETTINGS
@given(rounds(), st.sampled_from(sorted({u for u, _, _ in UNITS})), st.sampled_from(sorted(BETTER)))
def test_a_better_value_never_lowers_a_score(rows, unit, check):
    if check not in APPLIES[unit]:
        return
    before = score(rows).units.set_index(["unit_id", "track"])["score_exact"]
    improved = [(p, u, c, BETTER[c](v) if (u, c) == (unit, check) and v != NA else v) for p, u, c, v in rows]
    after = score(improved).units.set_index(["unit_id", "track"])["score_exact"]
    # NA values are left as they are, so a unit with every base check NA stays unscored
    assert (unit in before.index) == (unit in after.index)
    if unit in before.index:
        assert after.loc[unit].iloc[0] >= before.loc[unit].iloc[0] - 1e-9


@SETTINGS
@given(rounds(), st.randoms(use_true_random=False), st.integers(1, 3))
def test_row_order_and_file_split_never_change_results(rows, rnd, n_files):
    expected = score(rows)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    files = [csv_file(f"part{i}.csv", HEADER, shuffled[i::n_files]) for i in range(n_files)]
    got = score(shuffled, files)
    assert_frame_equal(got.units, expected.units)
    assert_frame_equal(got.dimensions, expected.dimensions)
    cols = [c for c in expected.checks.columns if c != "evidence"]
    assert_frame_equal(got.checks[cols], expected.checks[cols])


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for p, u, c, v in rows:
        # the evaluator types numbers as numbers, as Excel would keep them
        if v.endswith("%"):
            cell = float(v[:-1]) / 100
        elif v.isdigit():
            cell = int(v)
        else:
            cell = v
        ws.append([p, u, c, cell])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_csv_and_xlsx_inputs_give_identical_outputs(rows):
    from_csv = score(rows)
    from_xlsx = score(rows, [InputFile("r.xlsx", _xlsx(rows))])
    assert_frame_equal(from_xlsx.units, from_csv.units)
    assert_frame_equal(from_xlsx.dimensions, from_csv.dimensions)
    assert_frame_equal(from_xlsx.checks, from_csv.checks)


HELD = st.sampled_from(["category", "object", "arrow"])
CELL = st.lists(st.sampled_from([*'ab,"\r\n 测评|', "http://x.cn/1"]), max_size=6).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["P1", "P2"]), st.sampled_from(["a,b", 'q"', "u"]), CELL, CELL),
        min_size=1,
        max_size=40,
    ),
    kinds=st.tuples(HELD, HELD),
    chunk_rows=st.integers(1, 50),
)
def test_output_csv_is_what_the_csv_module_writes(rows, kinds, chunk_rows):
    """However a column is held (codes, Python text, Arrow) and joined (folded or not), the bytes
    are exactly those of the csv module with minimal quoting and '\\n' line ends; a file
    written a chunk of rows at a time holds the same bytes."""
    import csv
    import tempfile
    from pathlib import Path

    import pandas as pd

    from scoring.output import csv_bytes, write_csv

    frame = pd.DataFrame(rows, columns=["period", "unit", "a", "b"])
    frame.insert(2, "n", [len(r[2]) - 2 for r in rows])  # a count column, negative ones too
    dtypes = {"category": "category", "object": object, "arrow": pd.StringDtype("pyarrow")}
    frame = frame.astype({"a": dtypes[kinds[0]], "b": dtypes[kinds[1]], "period": "category", "unit": "category"})
    lines = []
    for row in [list(frame.columns), *frame.astype(str).itertuples(index=False)]:
        # with '\r\n' as terminator the csv module quotes a field holding either CR or LF, as we do
        one = io.StringIO()
        csv.writer(one, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(row)
        lines.append(one.getvalue().removesuffix("\r\n"))
    expected = ("\n".join(lines) + "\n").encode("utf-8")
    assert csv_bytes(frame) == expected
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(frame, Path(tmp) / "t.csv", chunk_rows=chunk_rows)
        assert (Path(tmp) / "t.csv").read_bytes() == expected
