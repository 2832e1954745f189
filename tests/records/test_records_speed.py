"""The paths of issue 28's last speed work give what the plain paths give: a Parquet export's own
dictionary pages (units, channels, levels), ids left untrimmed when no edge can be blank, the worst
records cut before any sort, lost ids taken chunk by chunk, items grouped by code alone, and a CSV
whose quoted cells hold line breaks read in blocks."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from records.test_records import C1_CASES, CASE_HEADER, EXPECTED, RATING_HEADER, RATINGS, inputs, run

from helpers import csv_file
from scoring.errors import InputError
from scoring.tables import InputFile

CASE_COLUMNS = CASE_HEADER[:9]


def _parquet(name: str, header: list[str], rows: list[tuple], *, dictionary: bool) -> InputFile:
    """Text columns as Parquet, dictionary-encoded (Arrow's default, as an export writes them) or plain."""
    columns = {h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf, use_dictionary=dictionary, row_group_size=3)
    return InputFile(name, buf.getvalue())


def _cases_as(dictionary: bool) -> dict[str, object]:
    files = inputs()
    rows = [r[:9] for r in C1_CASES]
    # the same unit and channel written with spaces: one unit, one channel once trimmed
    rows[1] = (rows[1][0], " C1 ", *rows[1][2:3], " mobile", *rows[1][4:])
    files["cases"] = [_parquet("cases.parquet", CASE_COLUMNS, rows, dictionary=dictionary), files["cases"][1]]
    files["ratings"] = [_parquet("ratings.parquet", RATING_HEADER, RATINGS, dictionary=dictionary)]
    return files


def test_a_dictionary_encoded_parquet_and_a_plain_one_give_the_text_path_s_rows_and_detail():
    by_text = run()
    for dictionary in (True, False):
        got = run(**_cases_as(dictionary))
        pd.testing.assert_frame_equal(got.rows, by_text.rows)
        pd.testing.assert_frame_equal(got.detail, by_text.detail)
    assert dict(zip(by_text.rows["check_id"][by_text.rows["unit_id"] == "C1"],
                    by_text.rows["value"][by_text.rows["unit_id"] == "C1"], strict=True)) == EXPECTED["C1"]  # fmt: skip


def test_a_bad_cell_in_a_dictionary_column_is_located_as_the_text_path_locates_it():
    rows = [r[:9] for r in C1_CASES]
    rows[2] = (*rows[2][:3], "fax", *rows[2][4:])  # unknown channel, row 4
    rows[4] = (rows[4][0], "", *rows[4][2:])  # no unit, row 6
    rows[5] = (rows[5][0], None, *rows[5][2:])  # null unit, row 7

    def found(cases: InputFile) -> set[tuple]:
        files = {**inputs(), "cases": [cases]}
        with pytest.raises(InputError) as err:
            run(**files)
        return {(i.row, i.column, i.code, i.value) for i in err.value.issues}

    want = {(4, "channel", "records-bad-value", "fax"), (6, "unit_id", "records-empty-cell", None),
            (7, "unit_id", "records-empty-cell", None)}  # fmt: skip
    assert found(csv_file("c.csv", CASE_COLUMNS, [tuple("" if c is None else c for c in r) for r in rows])) == want
    for dictionary in (True, False):
        assert found(_parquet("c.parquet", CASE_COLUMNS, rows, dictionary=dictionary)) == want


def test_a_quoted_cell_with_line_breaks_read_in_many_csv_blocks_gives_the_rows_of_one(tmp_path, monkeypatch):
    import scoring.records.read as read

    rows = [(f"A{i:03d}", "C1", "I1", "window" if i % 3 else "online", "2017-09-04 10:30:00", "2017-09-1" + str(i % 3),
             str(i % 4), "5", "1", "住房公积金提取\n(离退休)" if i % 2 else "x") for i in range(80)]  # fmt: skip
    path = tmp_path / "c.csv"
    path.write_bytes(csv_file("c.csv", CASE_HEADER, rows).data)
    whole = run(cases=[path]).rows
    for block in (97, 256, 1000):  # block ends fall inside quoted line breaks
        monkeypatch.setattr(read, "CSV_BLOCK_BYTES", block)
        pd.testing.assert_frame_equal(run(cases=[path]).rows, whole)


@pytest.mark.parametrize("other", [(), (("A3", "C1", "I22", "online", "2017-09-01", "", "2", "10", "0", ""),)])
def test_an_item_two_units_share_is_each_unit_s_own_item(other):
    # both units name item I1; each unit's latest case of it decides its reduction. With I22 too the
    # item codes are of two lengths: grouped as text, not as fixed-width bytes
    rows = [("A1", "C1", "I1", "online", "2017-09-04", "", "1", "10", "0", ""),
            ("A2", "C1", "I1", "online", "2017-09-05", "", "5", "10", "0", ""),
            ("B1", "C2", "I1", "online", "2017-09-06", "", "2", "10", "0", ""),
            ("B2", "C2", "I1", "online", "2017-09-01", "", "9", "10", "0", ""), *other]  # fmt: skip
    got = run(cases=[csv_file("c.csv", CASE_HEADER, rows)]).rows.set_index(["unit_id", "check_id"])["value"]
    # C1: I1 by A2 (1 − 5/10), I22 by A3 (1 − 2/10): (0.5 + 0.8) / 2
    assert (got[("C1", "R6")], got[("C2", "R6")]) == ("0.650000" if other else "0.500000", "0.800000")


def _worst_by_sorting(unit: np.ndarray, key: np.ndarray, mask: np.ndarray, kept: int) -> list[tuple[int, int]]:
    """(unit, row) of each unit's ``kept`` worst rows of ``mask``: largest key first, then by row."""
    rows = sorted(np.flatnonzero(mask).tolist(), key=lambda i: (int(unit[i]), -int(key[i]), i))
    out, seen = [], {}
    for i in rows:
        seen[unit[i]] = seen.get(unit[i], 0) + 1
        if seen[unit[i]] <= kept:
            out.append((int(unit[i]), i))
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_worst_records_cut_before_sorting_are_those_a_full_sort_keeps(data):
    from scoring.records import measures

    n = data.draw(st.integers(0, 1500))
    units = data.draw(st.integers(1, 6))
    spread = data.draw(st.sampled_from([1, 2, 5, 400]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    unit = rng.integers(0, units, n).astype(np.int32)
    kinds = [np.int32, np.int64, np.int8] if spread < 100 else [np.int32, np.int64]
    key = rng.integers(-spread, spread + 1, n).astype(data.draw(st.sampled_from(kinds)))
    mask = rng.random(n) < data.draw(st.sampled_from([0.1, 0.9, 1.0]))
    ids = pa.chunked_array([pa.array([f"K{i:05d}" for i in range(a, min(a + 333, n))], pa.string())
                            for a in range(0, n, 333)] or [pa.array([], pa.string())])  # fmt: skip
    lost = measures._lost(unit, ids, mask, key)
    want = _worst_by_sorting(unit, key, mask, measures.LOST_KEPT)
    assert list(zip(lost["unit"].tolist(), lost["id"].astype(object).tolist(), strict=True)) == [
        (u, f"K{i:05d}") for u, i in want
    ]


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 7), min_size=1, max_size=5), data=st.data())
def test_rows_taken_chunk_by_chunk_are_arrow_s_own_take(sizes, data):
    from scoring.records.table import take_rows

    start, chunks = 0, []
    for size in sizes:
        chunks.append(pa.array([f"v{start + i}" for i in range(size)], pa.string()))
        start += size
    column = pa.chunked_array(chunks, pa.string())
    rows = np.array(data.draw(st.lists(st.integers(0, max(start - 1, 0)), max_size=12 if start else 0)), dtype=np.int64)
    assert take_rows(column, rows).to_pylist() == column.take(pa.array(rows, pa.int64())).to_pylist()


def test_a_problem_the_reader_meets_in_a_later_block_reaches_the_caller_and_no_reader_thread_is_left(
    tmp_path, monkeypatch
):
    import threading

    import scoring.records.read as read

    rows = [(f"A{i:03d}", "C1", "I1", "online", "2017-09-04", "", "1", "", "", "") for i in range(60)]
    path = tmp_path / "c.csv"
    # a row with one cell too many, blocks after the first: read on the reader's thread
    path.write_bytes(csv_file("c.csv", CASE_HEADER, rows).data + b"A999,C1,I1,online,2017-09-04,,1,,,,extra\n")
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 512)
    before = threading.active_count()
    with pytest.raises(InputError) as err:
        run(cases=[path])
    assert [(i.code, i.file) for i in err.value.issues] == [("csv-malformed", str(path))]
    assert threading.active_count() == before
