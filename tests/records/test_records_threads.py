"""`assess records` on two threads (issue 28): the cases read alone, then the other files read on a
worker while the cases are measured. Whatever the threads do, the results are the bytes of a run
forced onto one thread, and the problems of a bad export the same issues in the same order (the
cap of 200 listed per kind of problem counted across files as one thread counts it)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from records.golden import RUBRIC

from sample_data.records_synth import export_table, synth_records, write_export
from scoring.errors import InputError
from scoring.pipeline import read_roster
from scoring.records import compute_records
from scoring.records.parse import SHOWN_PER_KIND
from scoring.records.run import THREADS_ENV
from scoring.rubric.load import load_rubric

START, END = dt.date(2017, 10, 1), dt.date(2017, 12, 31)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict:
    """200 roster units, 30,000 cases in two files (CSV and Parquet), ratings in two, accounts, posts."""
    folder = tmp_path_factory.mktemp("threads")
    roster = [(f"P{i:03d}", f"演示单位{i}", "county" if i % 3 == 0 else "department") for i in range(200)]
    units = folder / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位编码", "单位名称", "分组"], *roster])
    rec = synth_records([u for u, _, _ in roster], "2017-10-01", "2017-12-31", 30_000, 11, export_at="2018-01-20")
    return {"folder": folder, "units": units, "rubric": load_rubric(RUBRIC), "tables": {
        kind: export_table(rec, kind, "zh") for kind in ("cases", "ratings", "accounts", "posts")}}  # fmt: skip


def _write(province: dict, tables: dict[str, pa.Table], name: str) -> dict[str, object]:
    """The exports as files: cases and ratings each split in a CSV and a Parquet half."""
    folder: Path = province["folder"] / name
    folder.mkdir()
    files: dict[str, object] = {}
    for kind in ("cases", "ratings"):
        t = tables[kind]
        half = t.num_rows // 2
        files[kind] = [write_export(t.slice(0, half), folder / f"{kind}_a.csv"),
                       write_export(t.slice(half), folder / f"{kind}_b.parquet")]  # fmt: skip
    files["accounts"] = write_export(tables["accounts"], folder / "accounts.csv")
    files["posts"] = [write_export(tables["posts"], folder / "posts.parquet")]
    return files


def _run(province: dict, files: dict[str, object], threads: int | None):
    roster = read_roster(province["units"])
    return compute_records(province["rubric"], roster, "2017Q4", START, END, threads=threads, **files)


def _issues(province: dict, files: dict[str, object], threads: int | None) -> list[tuple]:
    with pytest.raises(InputError) as exc:
        _run(province, files, threads)
    return [(i.code, i.file, i.sheet, i.row, i.column, i.value, i.message) for i in exc.value.issues]


def _set(table: pa.Table, column: str, rows: list[int], value: str | None) -> pa.Table:
    """``table`` with ``column`` made text and the cells of ``rows`` set to ``value``."""
    cells = table.column(column).cast(pa.string()).to_pylist()
    for r in rows:
        cells[r] = value
    return table.set_column(table.schema.get_field_index(column), column, pa.array(cells, pa.string()))


def test_two_threads_write_the_bytes_of_one(province, tmp_path):
    files = _write(province, province["tables"], "clean")
    one = _run(province, files, 1)
    two = _run(province, files, 2)
    assert one.rows.to_csv(index=False) == two.rows.to_csv(index=False)
    assert len(one.rows) > 1000 and (one.rows["value"] != "NA").sum() > 1000  # the measures had records
    assert (one.outside, one.off_roster, one.read) == (two.outside, two.off_roster, two.read)
    assert one.detail.to_csv(index=False) == two.detail.to_csv(index=False)


def test_bad_rows_in_every_file_give_the_same_issues_in_the_same_order(province, monkeypatch):
    t = dict(province["tables"])
    cases, ratings = t["cases"], t["ratings"]
    n, m = cases.num_rows, ratings.num_rows
    # 150 empty units in the cases' CSV and 150 in the ratings' Parquet half: one kind of problem
    # (records-empty-cell, unit_id) across two files read on two threads, 200 listed in all
    t["cases"] = _set(cases, "单位编码", list(range(10, 160)), "")
    t["cases"] = _set(t["cases"], "办理渠道", [5, n - 3], "传真")  # an unknown channel, in each half
    t["cases"] = _set(t["cases"], "办件编号", [n - 1], cases.column("办件编号")[7].as_py())  # an id twice
    t["ratings"] = _set(ratings, "单位编码", list(range(m - 150, m)), "")
    t["ratings"] = _set(t["ratings"], "评价等级", [3], "还行")
    t["posts"] = _set(t["posts"], "发布时间", [2], "2017-02-30")
    files = _write(province, t, "bad")

    one = _issues(province, files, 1)
    assert one == _issues(province, files, 2)
    monkeypatch.setenv(THREADS_ENV, "1")
    assert one == _issues(province, files, None)  # the variable forces one thread too

    codes = [(code, Path(f).name if f else None, column) for code, f, _, _, column, _, _ in one]
    empty = [c for c in codes if c[0] == "records-empty-cell" and c[2] == "单位编码"]
    # 200 listed: the cases' 150, then the first 50 of the ratings'; the other 100 counted in one line
    assert [c[1] for c in empty] == ["cases_a.csv"] * 150 + ["ratings_b.parquet"] * (SHOWN_PER_KIND - 150)
    assert [i[-1] for i in one if i[0] == "records-empty-cell" and i[1] is None] == [
        "另有 100 处同类问题(列 unit_id)未列出"
    ]
    # the problems in a one-thread run's order: the cases', the other files', then repeated ids
    files_in_order = [c[1] for c in codes if c[1]]
    assert files_in_order.index("ratings_a.csv") > files_in_order.index("cases_b.parquet")
    assert files_in_order.index("posts.parquet") > max(
        i for i, f in enumerate(files_in_order) if f.startswith("ratings")
    )
    assert codes[-2][0] == "records-duplicate-id" and codes[-2][1] == "cases_b.parquet"
    assert any(c[1] == "ratings_a.csv" and c[2] == "评价等级" for c in codes)


def test_a_file_that_cannot_be_read_on_the_worker_is_an_issue_as_before(province):
    files = _write(province, province["tables"], "missing")
    files["ratings"] = [*files["ratings"], province["folder"] / "nowhere.csv"]
    one = _issues(province, files, 1)
    assert one == _issues(province, files, 2)
    assert [(code, Path(f).name) for code, f, *_ in one] == [("file-not-found", "nowhere.csv")]


def _rows(province: dict, english: bool) -> list[list[str]]:
    """600 cases as CSV cells (header first), no cell quoted: the known columns only."""
    from sample_data.records_synth import CHANNELS

    cases = province["tables"]["cases"].slice(0, 600)
    zh = ["办件编号", "单位编码", "事项编码", "办理渠道", "受理时间", "办结时间", "承诺时限", "法定时限", "跑动次数"]
    en = ["case_id", "unit_id", "item_code", "channel", "accepted_at", "finished_at", "promised_days",
          "statutory_days", "visits"]  # fmt: skip
    columns = [["" if v is None else str(v) for v in cases.column(c).to_pylist()] for c in zh]
    if english:
        words = dict((w, e) for e, w in CHANNELS)
        columns[3] = [words[w] for w in columns[3]]
    return [en if english else zh, *map(list, zip(*columns, strict=True))]


@pytest.mark.parametrize("unusual", ["blank line", "gb18030"])
def test_a_csv_found_unusual_after_its_first_block_is_read_again_with_nothing_counted_twice(
    province, tmp_path, monkeypatch, unusual
):
    """With two threads a CSV is read while it is scanned; what the scan finds past the first block
    (a blank line, GB18030 bytes) makes the file read again: the issues are a one-thread run's."""
    import scoring.records.read as read

    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 4096)
    rows = _rows(province, english=unusual == "gb18030")
    rows[10][3] = "fax"  # before the unusual part: found by both attempts, listed once (row 11)
    lines = [",".join(r).encode() for r in rows]
    if unusual == "blank line":
        lines.insert(300, b"")
        rows[400][3] = "fax"  # its line is row 402 of the file as a person sees it
        lines[401] = ",".join(rows[400]).encode()
    else:
        rows[400][3] = "窗口"
        lines[400] = ",".join(rows[400]).encode("gb18030")
        rows[401][3] = "fax"
        lines[401] = ",".join(rows[401]).encode()
    assert len(b"\n".join(lines[:300])) > 4 * read.CSV_BLOCK_BYTES
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    files = {"cases": [path]}
    one = _issues(province, files, 1)
    assert one == _issues(province, files, 2)
    assert [(code, row, value) for code, _, _, row, _, value, _ in one] == [
        ("records-bad-value", 11, "fax"),
        ("records-bad-value", 402, "fax"),
    ]


def _row_groups(table: pa.Table, path: Path, size: int) -> Path:
    """``table`` as Parquet in row groups of ``size`` rows (a writer's choice: DuckDB writes 122,880)."""
    import pyarrow.parquet as pq

    pq.write_table(table, path, compression="zstd", row_group_size=size)
    assert pq.ParquetFile(path).metadata.num_row_groups > 2
    return path


def _blank_rows(table: pa.Table, rows: list[int]) -> pa.Table:
    """``table`` with the rows at ``rows`` wholly empty (every cell null), as a padded export has."""
    import numpy as np

    keep = np.ones(table.num_rows, dtype=bool)
    keep[rows] = False
    mask = pa.array(~keep)
    return pa.table({name: pa.compute.if_else(mask, pa.nulls(table.num_rows, col.type), col)
                     for name, col in zip(table.column_names, table.columns, strict=True)})  # fmt: skip


@pytest.fixture
def small_groups_apart(monkeypatch):
    """Row groups of a thousand rows read two at a time, as a province's of a million are."""
    import scoring.records.read as read

    monkeypatch.setattr(read, "APART_MIN_ROWS", 1)


def test_a_parquet_file_of_many_row_groups_read_on_two_threads_is_the_same_table(
    province, tmp_path, small_groups_apart
):
    """Row groups are decoded and parsed two at a time and put where their rows go: the rows in
    order, each group's own dictionary of units united, rows left wholly empty dropped (the gaps
    closed), and every result what one thread and a CSV of the same records give."""
    import numpy as np

    cases = province["tables"]["cases"]
    shuffled = cases.take(np.random.default_rng(7).permutation(cases.num_rows))  # each group its own units' order
    shuffled = _blank_rows(shuffled, [0, 999, 1000, 4321, cases.num_rows - 1])
    files = {"cases": [_row_groups(shuffled, tmp_path / "cases.parquet", 1000)],
             "ratings": [write_export(province["tables"]["ratings"], tmp_path / "ratings.parquet")]}  # fmt: skip
    one, two = _run(province, files, 1), _run(province, files, 2)
    as_csv = _run(province, {**files, "cases": [write_export(shuffled, tmp_path / "cases.csv")]}, 2)
    assert one.read["cases"] == cases.num_rows - 5
    for other in (two, as_csv):
        assert one.rows.to_csv(index=False) == other.rows.to_csv(index=False)
        assert one.detail.to_csv(index=False) == other.detail.to_csv(index=False)
        assert (one.outside, one.off_roster, one.read) == (other.outside, other.off_roster, other.read)
    assert (one.rows["value"] != "NA").sum() > 1000


def test_problems_in_many_row_groups_are_listed_in_the_file_order_with_one_cap(province, tmp_path, small_groups_apart):
    """250 empty units over 25 row groups parsed two at a time: the first 200 by row listed, 50
    counted; a bad channel in the last group after them; an id twice across two groups."""
    cases = province["tables"]["cases"]
    n = cases.num_rows
    bad = _set(cases, "单位编码", list(range(5, n - 100, (n - 105) // 250))[:250], "")
    bad = _set(bad, "办理渠道", [n - 2], "传真")
    bad = _set(bad, "办件编号", [n - 50], cases.column("办件编号")[3].as_py())
    files = {"cases": [_row_groups(bad, tmp_path / "cases.parquet", 1200)]}
    one = _issues(province, files, 1)
    assert one == _issues(province, files, 2)
    empty = [row for code, _, _, row, column, _, _ in one if code == "records-empty-cell" and column == "单位编码"]
    assert len(empty) == SHOWN_PER_KIND and empty == sorted(empty) and empty[0] == 7  # row 5 + header + 1
    assert [code for code, *_ in one][-3:] == ["records-bad-value", "records-duplicate-id", "records-empty-cell"]
    assert one[-1][-1] == "另有 50 处同类问题(列 unit_id)未列出"


def _hashed_only(monkeypatch) -> None:
    """Ids sorted and item codes grouped as text, as before they were packed into numbers."""
    import scoring.records.measures as measures
    import scoring.records.run as run

    monkeypatch.setattr(run, "packed_keys", lambda ids, most=2**63: None)
    monkeypatch.setattr(measures, "DENSE_KEYS", 0)


def test_ids_and_item_codes_packed_into_numbers_give_the_bytes_of_the_texts(province, tmp_path, monkeypatch):
    """The ratings (out of id order) sorted by packed keys and time_reduction's items grouped by an
    array of packed codes give what sorting and hashing the texts gives: on the province as it is
    (codes packed), with one item code named by two units and with codes of two lengths (both not
    packed: hashed as before)."""
    import scoring.records.measures as measures

    dense = []
    latest = measures._latest_by_key
    monkeypatch.setattr(measures, "_latest_by_key", lambda *a: dense.append(latest(*a)) or dense[-1])
    cases = province["tables"]["cases"]
    items = cases.column("事项编码").to_pylist()
    units = cases.column("单位编码").to_pylist()
    # every case of the first unit given the code another unit uses most
    common = Counter((u, c) for u, c in zip(units, items, strict=True) if u != units[0] and c).most_common(1)[0][0][1]
    shared = cases.set_column(cases.schema.get_field_index("事项编码"), "事项编码",
                              pa.array([common if u == units[0] else c for u, c in zip(units, items, strict=True)]))  # fmt: skip
    lengths = cases.set_column(cases.schema.get_field_index("事项编码"), "事项编码",  # every 7th a byte longer
                               pa.array([c + "9" if c and i % 7 == 0 else c for i, c in enumerate(items)]))  # fmt: skip
    for name, table, packed in (("as-is", cases, True), ("shared", shared, False), ("lengths", lengths, False)):
        files = {"cases": [write_export(table, tmp_path / f"{name}-cases.parquet")],
                 "ratings": [write_export(province["tables"]["ratings"], tmp_path / f"{name}-ratings.parquet")]}  # fmt: skip
        dense.clear()
        with monkeypatch.context() as m:
            _hashed_only(m)
            texts = _run(province, files, 2)
        assert dense == [None]  # declined: hashed
        numbers = _run(province, files, 2)
        assert len(dense) == 2 and (dense[1] is not None) == packed, name
        assert numbers.rows.to_csv(index=False) == texts.rows.to_csv(index=False), name
        assert numbers.detail.to_csv(index=False) == texts.detail.to_csv(index=False), name
    ratings = province["tables"]["ratings"].column("评价编号")
    assert not pc.all(pc.greater_equal(ratings[1:], ratings[:-1])).as_py()  # the sort was needed


def test_measures_made_a_few_rows_at_a_time_give_the_bytes_of_whole_columns(province, tmp_path, monkeypatch):
    """The working days late, time_reduction's scatter and the lost records' candidates are made a
    million rows at a time; a thousand at a time (30 slices of the province's cases) gives the same
    results and the same records shown, worst first."""
    import scoring.records.measures as measures

    files = _write(province, province["tables"], "slices")
    whole = _run(province, files, 2)
    monkeypatch.setattr(measures, "ROWS_AT_ONCE", 1000)
    sliced = _run(province, files, 2)
    assert sliced.rows.to_csv(index=False) == whole.rows.to_csv(index=False)
    assert sliced.detail.to_csv(index=False) == whole.detail.to_csv(index=False)
    assert (whole.detail["lost"] > 100).sum() > 10  # units whose records shown were chosen among more


def test_a_rating_id_twice_in_ratings_out_of_id_order_names_both_rows(province, tmp_path):
    """The ratings (out of id order) are sorted by their ids without being taken: a repeated id
    still names the later row (file, row) and the first, by their places in the files."""
    ratings = province["tables"]["ratings"]
    m = ratings.num_rows
    twice = _set(ratings, "评价编号", [m - 1], ratings.column("评价编号")[7].as_py())
    files = _write(province, {**province["tables"], "ratings": twice}, "twice")
    for threads in (1, 2):
        found = [i for i in _issues(province, files, threads) if i[0] == "records-duplicate-id"]
        assert len(found) == 1
        _, file, _, row, column, value, message = found[0]
        half = m // 2  # the later row is the Parquet half's last: row m - half + 1 of that file
        assert (Path(file).name, row, column, value) == ("ratings_b.parquet", m - half + 1, "评价编号",
                                                          ratings.column("评价编号")[7].as_py())  # fmt: skip
        assert "ratings_a.csv 第 9 行" in message  # the first: the CSV half's eighth record
