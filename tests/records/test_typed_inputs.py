"""Typed inputs (issue 28's speed work): a Parquet export's timestamps, dates and integers, and a
CSV's dates and counts that Arrow's reader converts as it reads, give the same rows as the same
records written as text, and a bad typed value is located (file, row, column, value) as before."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from records.test_records import (
    C1_CASES,
    C2_CASES,
    CASE_HEADER,
    POSTS,
    RATING_HEADER,
    RATINGS,
    inputs,
    located,
    run,
    xlsx,
)

from helpers import csv_file
from scoring.errors import InputError
from scoring.tables import InputFile

CASE_DATES, CASE_COUNTS = ("accepted_at", "finished_at"), ("promised_days", "statutory_days", "visits")
RATING_DATES = ("评价时间", "整改完成时间", "回访时间")


def _parquet(name: str, columns: dict[str, pa.Array | list]) -> InputFile:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return InputFile(name, buf.getvalue())


def _stamps(cells: list[str], unit: str = "ms") -> pa.Array:
    """Text dates as naive Arrow timestamps (null where empty), 2017/9/28 included."""
    parsed = pd.to_datetime(pd.Series(cells).str.replace("/", "-"), format="ISO8601")
    return pa.array(parsed, pa.timestamp(unit))


def _whole(cells: list[str]) -> pa.Array:
    return pa.array([int(c) if c else None for c in cells], pa.int64())


def _typed(header: list[str], rows: list[tuple], dates: tuple[str, ...], counts: tuple[str, ...] = (),
           days: tuple[str, ...] = ()) -> dict[str, pa.Array | list]:  # fmt: skip
    """Columns of ``rows``: ``dates`` as timestamps, ``days`` as date32, ``counts`` as int64, the rest text."""
    out: dict[str, pa.Array | list] = {}
    for i, name in enumerate(header):
        cells = [str(r[i]) for r in rows]
        if name in dates:
            out[name] = _stamps(cells)
        elif name in days:
            out[name] = _stamps(cells).cast(pa.date32())
        elif name in counts:
            out[name] = _whole(cells)
        else:
            out[name] = cells
    return out


def _text(header: list[str], rows: list[tuple]) -> dict[str, list]:
    return {name: [str(r[i]) for r in rows] for i, name in enumerate(header)}


def test_typed_and_text_parquet_give_the_rows_of_the_hand_worked_csv():
    want = run().rows
    c2_header = [
        "办件编号",
        "单位编码",
        "事项编码",
        "办理渠道",
        "受理时间",
        "办结时间",
        "承诺时限",
        "法定时限",
        "跑动次数",
    ]
    c2 = xlsx("cases_c2.xlsx", c2_header, C2_CASES)
    typed = {
        "cases": [_parquet("c1.parquet", _typed(CASE_HEADER, C1_CASES, CASE_DATES, CASE_COUNTS)), c2],
        # 整改完成时间 as a date column, the other two as timestamps
        "ratings": [_parquet("r.parquet", _typed(RATING_HEADER, RATINGS, ("评价时间", "回访时间"), days=("整改完成时间",)))],
        "accounts": inputs()["accounts"],
        "posts": [_parquet("p.parquet", _typed(["账号编码", "发布时间", "标题"], POSTS, ("发布时间",)))],
    }  # fmt: skip
    text = {
        "cases": [_parquet("c1.parquet", _text(CASE_HEADER, C1_CASES)), c2],
        "ratings": [_parquet("r.parquet", _text(RATING_HEADER, RATINGS))],
        "accounts": inputs()["accounts"],
        "posts": [_parquet("p.parquet", _text(["账号编码", "发布时间", "标题"], POSTS))],
    }
    assert pa.types.is_timestamp(pq.read_schema(io.BytesIO(typed["cases"][0].data)).field("accepted_at").type)
    pd.testing.assert_frame_equal(run(**typed).rows, want)
    pd.testing.assert_frame_equal(run(**text).rows, want)


def test_a_bad_typed_parquet_value_is_located_with_its_cell():
    rows = [
        ("A1", "C1", "I1", "online", "2017-09-04 10:30:00", "2017-09-04 09:00:00", "0", "", "", ""),  # before
        ("A2", "C1", "I1", "online", "2017-09-04", "", "-3", "", "", ""),  # a negative promise
        ("A3", "C1", "I1", "online", "2031-01-06", "", "1", "", "4", ""),  # a year the calendar lacks
        ("A4", "C1", "I1", "online", "", "", "1", "", "", ""),  # accepted empty
    ]  # fmt: skip
    with pytest.raises(InputError) as err:
        run(cases=[_parquet("c.parquet", _typed(CASE_HEADER, rows, CASE_DATES, CASE_COUNTS))])
    assert located(err.value) == {
        ("c.parquet", 2, "finished_at", "records-order"),
        ("c.parquet", 3, "promised_days", "records-bad-count"),
        ("c.parquet", 4, "accepted_at", "records-calendar"),
        ("c.parquet", 5, "accepted_at", "records-empty-cell"),
    }
    value = {i.code: i.value for i in err.value.issues}
    assert value["records-order"] == "2017-09-04 09:00:00" and value["records-bad-count"] == "-3"
    assert value["records-calendar"] == "2031"


def test_a_csv_cell_the_typed_reader_refuses_in_a_later_block_is_located_on_its_row(tmp_path, monkeypatch):
    import scoring.records.read as read

    good = [(f"A{i:03d}", "C1", "I1", "online", "2017-09-04 10:30:00", "2017-09-05", "1", "2", "0", "")
            for i in range(40)]  # fmt: skip
    bad = [
        ("B1", "C1", "I1", "online", "2017-02-30", "", "1", "", "", ""),  # refused by Arrow: the text path locates it
        ("B2", "C1", "I1", "online", "2017/9/4", "2017-09-04 09:00", "3.0", "", "", ""),  # read by the text path
        ("B3", "C1", "I1", "online", "2017-09-04", "", "-1", "", "", ""),
    ]  # fmt: skip
    path = tmp_path / "c.csv"
    path.write_bytes(csv_file("c.csv", CASE_HEADER, good + bad).data)
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 512)  # the first blocks convert, a later one is refused
    with pytest.raises(InputError) as err:
        run(cases=[path])
    assert located(err.value) == {
        (str(path), 42, "accepted_at", "records-bad-date"),
        (str(path), 44, "promised_days", "records-bad-count"),
    }
    # an order fault in a block the typed reader converted shows the cell as it was written
    late = [("C1", "C1", "I1", "online", "2017-09-04 10:30:00", "2017-09-03", "1", "", "", "")]
    with pytest.raises(InputError) as err:
        run(cases=[csv_file("o.csv", CASE_HEADER, late)])
    assert [(i.row, i.column, i.value) for i in err.value.issues] == [(2, "finished_at", "2017-09-03")]
    # the good rows read typed and the rest read as text give what one text block gives
    fine = [*good, bad[1]]
    path.write_bytes(csv_file("c.csv", CASE_HEADER, fine).data)
    typed_then_text = run(cases=[path]).rows
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 64 << 20)
    pd.testing.assert_frame_equal(typed_then_text, run(cases=[csv_file("c.csv", CASE_HEADER, fine)]).rows)


@settings(max_examples=200, deadline=None)
@given(
    alphabet=st.sampled_from(["az\x00\x7f", "甲乙é", "a甲"]),
    data=st.data(),
)
def test_ids_found_by_binary_search_are_the_ids_arrow_finds_by_hashing(alphabet, data):
    from scoring.records.measures import _named, named_ids
    from scoring.records.table import fixed_width

    word = st.text(alphabet=alphabet, min_size=2, max_size=2)
    ids = sorted(set(data.draw(st.lists(word, max_size=40))), key=lambda t: t.encode())
    cuts = sorted(data.draw(st.lists(st.integers(0, len(ids)), max_size=3)))
    chunks = [ids[a:b] for a, b in zip([0, *cuts], [*cuts, len(ids)], strict=True)]
    # Arrow slices too: a chunk that starts inside its buffer
    arrays = [pa.array(["pad", *c], pa.string())[1:] for c in chunks]
    haystack = pa.chunked_array(arrays, pa.string())
    named = pa.chunked_array([pa.array(data.draw(st.lists(st.one_of(word, st.just(""), st.just("x")), max_size=30)),
                                       pa.string())])  # fmt: skip
    want = pc.is_in(haystack, value_set=named).to_numpy(zero_copy_only=False) if len(ids) else np.zeros(0, bool)
    # the needles sorted for the width the searched ids have, and for a width they do not have
    for width in (fixed_width(haystack), 1):
        np.testing.assert_array_equal(_named(haystack, named_ids(named, width)), want)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=["a", ",", "\n", "\r", "甲", "é"], max_size=60),
    tail=st.sampled_from([b"", b"\xff", "甲".encode()[:2]]),
    block=st.integers(4, 40),
)
def test_the_scan_of_a_csv_in_blocks_tells_what_the_whole_file_tells(tmp_path_factory, text, tail, block):
    import scoring.records.read as read

    data = text.encode() + tail
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    saved, read.CSV_BLOCK_BYTES = read.CSV_BLOCK_BYTES, block
    try:
        utf8, blank, first = read._scan(path)
    finally:
        read.CSV_BLOCK_BYTES = saved
    try:
        data.decode("utf-8")
        whole_utf8 = True
    except UnicodeDecodeError:
        whole_utf8 = False
    assert (utf8, blank, first) == (whole_utf8, read.BLANK_LINE.search(data) is not None, data[:block])


@settings(max_examples=300, deadline=None)
@given(
    alphabet=st.sampled_from(["09", "0123456789", "azAZ", "甲乙é", "\x00\x7f\xff", "PJ2017"]),
    width=st.integers(1, 6),
    data=st.data(),
)
def test_ids_packed_into_numbers_keep_their_order_and_their_equalities(alphabet, width, data):
    """Keys of ids of one byte length: sorted as Arrow sorts the texts (stably), equal exactly where
    the ids are, below the count given; ids of two lengths are not packed; a cap on the count is
    kept."""
    from scoring.records.table import packed_keys

    word = st.text(alphabet=alphabet, min_size=width, max_size=width).filter(lambda t: len(t.encode()) == len(
        alphabet[0].encode()) * width)  # fmt: skip
    ids = data.draw(st.lists(word, min_size=1, max_size=60))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(ids)), max_size=3)))
    chunks = [ids[a:b] for a, b in zip([0, *cuts], [*cuts, len(ids)], strict=True)]
    column = pa.chunked_array([pa.array(["pad", *c], pa.string())[1:] for c in chunks], pa.string())
    assert packed_keys(pa.chunked_array([pa.array([*ids, ids[0] + "0"])])) is None  # two lengths
    keys, count = packed_keys(column)
    assert keys.dtype == np.int64 and keys.min() >= 0 and keys.max() < count
    np.testing.assert_array_equal(np.argsort(keys, kind="stable"), pc.sort_indices(column).to_numpy())
    same = np.equal.outer(keys, keys)
    np.testing.assert_array_equal(same, np.equal.outer(np.array(ids, dtype=object), np.array(ids, dtype=object)))
    assert packed_keys(column, count - 1) is None if count > 1 else packed_keys(column, 1) is not None
