"""Read the platforms' exports (CSV UTF-8/GB18030, XLSX, Parquet) into blocks of trimmed text,
with the dates and counts a file gives typed kept typed.

Only the columns a kind names are read; everything else in a real export is skipped unread where
the format allows (Arrow's CSV reader and Parquet by column). A CSV is streamed in blocks, so ten
million cases never sit in memory as text all at once: each block is handed to ``parse`` (which
turns it into compact typed columns) before the next is read. Every block carries ``_row``, the
row number a person sees in the spreadsheet (header = 1; for Parquet, as if it had one). A
Parquet file's row groups are independent: with two threads, two are decoded and parsed at once.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import queue
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from scoring.errors import InputError, Issue
from scoring.records.table import Gather, Table, string_offsets
from scoring.tables import Columns, InputFile, as_text, read_sheets

__all__ = ["Block", "Kind", "read_blocks"]

T = TypeVar("T")

# a block of a streamed CSV; its text is parsed and dropped before the next. Arrow's reader holds
# several blocks ahead: at 64 MB its pool reached 1.4 GB on the 1.5 GB export, at 8 MB 0.46 GB
CSV_BLOCK_BYTES = 16 << 20
# a Parquet file's row groups are read two at a time when they hold this many rows on average: a
# reader per group is made for each, and a file of many small groups (a writer's choice, or a file
# made to have a million) is read by one reader in a row, as before
APART_MIN_ROWS = 1 << 16
NON_BLANK = re.compile(rb"\S")
BLANK_LINE = re.compile(rb"\n\r?\n(?=[\r\n]*[^\r\n])")  # a blank line with a record after it
LINE_BREAKS = re.compile(rb"[\r\n]*")


@dataclass(frozen=True)
class Kind:
    """One kind of export: its name in messages and its columns. ``dates`` and ``counts`` name the
    columns parsed as dates and as whole numbers: a Parquet export that stores them typed
    (timestamps, dates, integers) hands them over as they are, never as text to be parsed back."""

    name: str  # 办件, 好差评, 政务新媒体账号, 政务新媒体发文
    columns: Columns
    dates: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    # few-valued text columns (units, items, levels): a Parquet file's own dictionary pages give
    # their codes, and only the few distinct values are trimmed and checked (issue 28)
    few: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """Rows of one file (and sheet): each known column as trimmed Arrow text ('' when empty or
    absent), except the dates and counts a Parquet file stores typed: those are in ``typed`` as
    Arrow timestamps, dates or integers (null when empty) and not in ``text``."""

    file: str
    sheet: str | None
    headers: dict[str, str]  # column name -> the header as written in the file (for messages)
    text: dict[str, pa.Array]
    rows: np.ndarray  # int32: the row number a person sees
    typed: dict[str, pa.Array] = field(default_factory=dict)
    from_text: bool = False  # typed cells converted from a CSV's text (a midnight was most likely a date)

    def __len__(self) -> int:
        return len(self.rows)

    def empty(self, name: str) -> np.ndarray:
        if name in self.typed:
            cells = self.typed[name]
            if not cells.null_count:
                return np.zeros(len(cells), dtype=bool)
            return cells.is_null().to_numpy(zero_copy_only=False)
        return ~_filled(self.text[name])

    def cells(self, name: str, where: np.ndarray) -> list[str]:
        """The cells of rows ``where`` as a person reads them (for messages): a typed timestamp in
        whole seconds, as the text path shows it."""
        if name not in self.typed:
            return self.text[name].take(pa.array(where, pa.int64())).to_pylist()
        cells = self.typed[name].take(pa.array(where, pa.int64()))
        if pa.types.is_timestamp(cells.type):
            cells = pc.cast(cells, pa.timestamp("s"), safe=False)
        shown = cells.cast(pa.string()).to_pylist()
        if self.from_text and pa.types.is_timestamp(cells.type):
            # a CSV cell 2017-09-04 was read as its midnight: shown as it was written
            shown = [c[:10] if c is not None and c.endswith(" 00:00:00") else c for c in shown]
        return shown


class Recorder(Protocol):
    """Where ``parse`` records the problems it finds (``scoring.records.parse.Problems``)."""

    issues: list[Issue]

    def __init__(self, issues: list[Issue]) -> None: ...

    def checkpoint(self) -> Callable[[], None]: ...

    def extend(self, later: Recorder) -> None: ...


R = TypeVar("R", bound=Recorder)


def _lookup(columns: Columns) -> dict[str, str]:
    found = {name.lower(): name for name in columns.aliases}
    found.update({alias: name for name, alias in columns.aliases.items()})
    return found


def _header_positions(header: list[object], columns: Columns) -> dict[str, tuple[int, str]]:
    """Column name -> (position, header as written); the first of repeated headers wins."""
    lookup = _lookup(columns)
    out: dict[str, tuple[int, str]] = {}
    for pos, cell in enumerate(header):
        key = str(cell).strip().lstrip("\ufeff") if cell is not None else ""
        name = lookup.get(key.lower(), lookup.get(key))
        if name is not None and name not in out:
            out[name] = (pos, key)
    return out


def _missing(f: InputFile, sheet: str | None, kind: Kind, found: dict[str, tuple[int, str]]) -> Issue | None:
    absent = tuple(n for n in kind.columns.required if n not in found)
    if not absent:
        return None
    return Issue(
        code="records-missing-column",
        message=f"{kind.name}文件缺少必需的列:{kind.columns.describe(absent)};第 1 行应为表头,"
        f"必需列为 {kind.columns.describe(kind.columns.required)}",
        file=f.name,
        sheet=sheet,
        row=1,
    )


def _trimmed(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Arrow strings trimmed, nulls as '' — never a Python object per cell. A dictionary column
    stays one: its few values are trimmed and made distinct, the codes remapped."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        return _trimmed_dictionary(array)
    array = array.cast(pa.string())
    if array.null_count:
        array = pc.fill_null(array, "")
    if not _edges_may_be_blank(array):
        return array  # ids as exported: nothing to trim (a full trim of ten million was 0.8 s)
    return pc.utf8_trim_whitespace(array)


def _edges_may_be_blank(array: pa.Array) -> bool:
    """Whether some cell may begin or end in whitespace: its first or last byte is an ASCII space or
    control, or not ASCII (U+3000 and its like are trimmed too; such a column takes the full trim)."""
    offsets = string_offsets(array)
    if not len(array) or offsets[-1] == offsets[0]:
        return False
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    text = data[offsets[0] : offsets[-1]]
    if text.min() > 32 and text.max() < 0x80:
        # no such byte anywhere (ids as exported): two passes over the bytes, where finding each
        # cell's first and last byte gathered from ten million places (0.8 s of CPU, issue 28)
        return False
    start, end = offsets[:-1], offsets[1:]
    filled = end > start
    first, last = data[start[filled]], data[end[filled] - 1]
    return bool(((first <= 32) | (first >= 0x80) | (last <= 32) | (last >= 0x80)).any())


def _trimmed_dictionary(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """A dictionary column with its values trimmed and distinct (two that differ only by spaces are
    one value) and its nulls coded as '': the codes are remapped, the rows' text never built."""
    values = pc.utf8_trim_whitespace(pc.fill_null(array.dictionary.cast(pa.string()), ""))
    distinct = pc.dictionary_encode(values)
    if not array.null_count and values.equals(array.dictionary) and len(distinct.dictionary) == len(values):
        return array  # as a Parquet writer leaves it (distinct, nothing to trim): no code to remap
    remap = distinct.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    words = distinct.dictionary
    blank = np.flatnonzero(pc.equal(words, "").to_numpy(zero_copy_only=False))
    if len(blank):
        null_code = int(blank[0])
    else:
        null_code = len(words)
        if array.null_count:
            words = pa.concat_arrays([words, pa.array([""], pa.string())])
    codes = pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    remapped = np.append(remap, np.int32(null_code))[codes]  # -1 (a null) takes the last: ''
    return pa.DictionaryArray.from_arrays(pa.array(remapped, pa.int32()), words)


def _filled(array: pa.Array) -> np.ndarray:
    """Which cells of trimmed text are not ''."""
    if not len(array):
        return np.zeros(0, dtype=bool)
    if pa.types.is_dictionary(array.type) and not array.null_count:
        return pc.not_equal(array.dictionary, "").to_numpy(zero_copy_only=False)[
            array.indices.to_numpy(zero_copy_only=False)
        ]
    if array.type != pa.string() or array.null_count:
        return pc.fill_null(pc.not_equal(array, ""), False).to_numpy(zero_copy_only=False)
    offsets = string_offsets(array)
    return offsets[1:] > offsets[:-1]


def _block(f: InputFile, sheet: str | None, found: dict[str, tuple[int, str]], kind: Kind,
           cells: dict[str, pa.Array], first_row: int, n: int, typed: dict[str, pa.Array] | None = None) -> Block:  # fmt: skip
    typed = typed or {}
    text = {name: cells[name] if name in cells else pa.array(np.full(n, "", dtype=object), pa.string())
            for name in kind.columns.aliases if name not in typed}  # fmt: skip
    rows = np.arange(first_row, first_row + n, dtype=np.int32)
    # rows left wholly empty (Excel's trailing rows) are no records
    filled = None
    for here in itertools.chain((_filled(text[name]) for name in cells),
                                (a.is_valid().to_numpy(zero_copy_only=False) for a in typed.values())):  # fmt: skip
        filled = here if filled is None else filled | here
        if filled.all():  # a column with no empty cell (the ids, as a rule): no row is wholly empty
            break
    if filled is not None and n and not filled.all():
        keep = pa.array(filled)
        text = {name: pc.filter(a, keep) for name, a in text.items()}
        typed = {name: pc.filter(a, keep) for name, a in typed.items()}
        rows = rows[filled]
    return Block(f.name, sheet, {name: found[name][1] for name in found}, text, rows, typed)


def _utf8(data: bytes) -> bool:
    """Valid UTF-8, checked in Arrow over the bytes as they are (decoding a gigabyte export to a
    Python str would take four)."""
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)),
                                                          pa.py_buffer(data)])  # fmt: skip
    try:
        whole.cast(pa.large_string())
        return True
    except pa.ArrowInvalid:
        return False


def _csv_blocks(f: InputFile, kind: Kind) -> Iterator[Block]:
    data = f.data
    if not _utf8(data):
        try:
            data = data.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError([Issue(code="not-utf8", file=f.name,
                                    message="CSV 既不是 UTF-8 也不是 GB18030(GBK)编码;请另存为 UTF-8 或 GB18030 编码的 CSV")]) from None  # fmt: skip
    start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    if NON_BLANK.search(data, start) is None:
        raise InputError([Issue(code="file-empty", message="文件为空:至少需要一行表头", file=f.name)])
    end = data.find(b"\n", start)
    first = data[start : end if end >= 0 else len(data)].rstrip(b"\r").decode("utf-8")
    header = next(csv.reader(io.StringIO(first)), [])
    found = _header_positions(header, kind.columns)
    problem = _missing(f, None, kind, found)
    if problem is not None:
        raise InputError([problem])
    # Arrow skips blank lines, which would shift every later row number: such a file (rare in an
    # export) takes the careful reader, which keeps them
    if end < 0 or BLANK_LINE.search(data) is not None or first.count('"') % 2:
        yield from _sheet_blocks(InputFile(f.name, bytes(data[start:])), kind, csv_file=True)
        return
    if NON_BLANK.search(data, end + 1) is None:  # a header and no record: a unit with nothing to count
        yield _block(f, None, found, kind, {}, 2, 0)
        return
    body = pa.py_buffer(data)[end + 1 :]
    yield from _arrow_csv(lambda: pa.BufferReader(body), f, kind, found, len(header))


def _arrow_csv(source: Callable[[], pa.NativeFile], f: InputFile, kind: Kind, found: dict[str, tuple[int, str]],
               width: int, skip: int = 0, deferred: bool = False) -> Iterator[Block]:  # fmt: skip
    """The known columns of a CSV a block at a time (Arrow's multi-threaded reader): dates and
    counts converted by the reader as it reads, the rest as text. A cell the reader refuses to
    convert (a located problem, or a form only the parser reads: 2017/9/4, 3.0) sends the rest of
    the file, from that block on, through the text path, which locates or reads it. ``deferred``:
    each block is yielded as what makes it, so that a reader thread (``_ahead``) only decodes and
    the text is trimmed on the thread that parses it (the decoding is the longer of the two)."""
    block = functools.partial if deferred else (lambda make, *args: make(*args))
    names = [f"c{i}" for i in range(width)]
    wanted = {names[pos]: name for name, (pos, _) in found.items()}
    types = {c: pa.timestamp("s") if name in kind.dates else pa.int64()
             for c, name in wanted.items() if name in kind.dates or name in kind.counts}  # fmt: skip
    done = 0
    if types:
        try:
            for batch in _csv_batches(source(), names, wanted, types, skip):
                yield block(_csv_block, batch, f, kind, found, wanted, done)
                done += batch.num_rows
            return
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # the text path reads on from the block refused
    try:
        for batch in _csv_batches(source(), names, wanted, {}, skip, done):
            yield block(_csv_block, batch, f, kind, found, wanted, done)
            done += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError([Issue(code="csv-malformed", file=f.name,
                                message=f"CSV 格式错误:{exc};请检查各行的列数与表头一致")]) from None  # fmt: skip


def _csv_batches(source: pa.NativeFile, names: list[str], wanted: dict[str, str], types: dict[str, pa.DataType],
                 skip: int, done: int = 0) -> Iterator[pa.RecordBatch]:  # fmt: skip
    # the rows read already are skipped as parsed rows: skip_rows must end within the first block
    return pa_csv.open_csv(
        source,
        # one thread per block: less CPU for the same blocks (4.6 s against 5.1 s for the
        # 1.5 GB export's columns, issue 28)
        read_options=pa_csv.ReadOptions(column_names=names, block_size=CSV_BLOCK_BYTES, skip_rows=skip,
                                        skip_rows_after_names=done, use_threads=False),
        # a quoted cell may hold a line break (an item's name in a real export does): without this
        # a block that ends inside one puts Arrow's parser out of step and the file is refused
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            include_columns=list(wanted), column_types={**dict.fromkeys(wanted, pa.string()), **types},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )  # fmt: skip


def _csv_block(batch: pa.RecordBatch, f: InputFile, kind: Kind, found: dict[str, tuple[int, str]],
               wanted: dict[str, str], done: int) -> Block:  # fmt: skip
    cells, typed = {}, {}
    for c in batch.schema.names:
        column = batch.column(c)
        if pa.types.is_string(column.type):
            cells[wanted[c]] = _trimmed(column)
        else:
            typed[wanted[c]] = column
    block = _block(f, None, found, kind, cells, 2 + done, batch.num_rows, typed)
    return dataclasses.replace(block, from_text=True) if typed else block


def _sheet_blocks(f: InputFile, kind: Kind, *, csv_file: bool = False) -> Iterator[Block]:
    """XLSX (the bounded reader every table goes through), or a CSV with blank lines: the first
    sheet that holds the required columns."""
    sheets = read_sheets(f, kind.columns)
    for sheet, header, body in sheets:
        found = _header_positions(header, kind.columns)
        if _missing(f, sheet, kind, found) is not None:
            continue
        cells = {}
        for name, (pos, _) in found.items():
            if pos in body.columns:
                # as_text: a numeric cell 3.0 reads as '3', a date cell as its ISO text
                cells[name] = _trimmed(pa.array(as_text(body[pos]).astype(str).to_numpy(dtype=object), pa.string()))
        yield _block(f, None if csv_file else sheet, found, kind, cells, 2, len(body))
        return
    found = _header_positions(sheets[0][1] if sheets else [], kind.columns)
    raise InputError([_missing(f, None if csv_file else (sheets[0][0] if sheets else None), kind, found)
                      or Issue(code="records-no-sheet", file=f.name, message=f"没有{kind.name}工作表")])  # fmt: skip


def _bounded(f: InputFile, pf, columns: list[str], *, upload: bool) -> None:
    """A Parquet export is refused before it is decoded when it declares more rows, or more bytes in
    the columns read, than the limits allow: a few megabytes can declare gigabytes (issue 27)."""
    from scoring import limits

    meta = pf.metadata
    wanted = {pf.schema_arrow.get_field_index(c) for c in columns}
    inflated = sum(meta.row_group(g).column(c).total_uncompressed_size
                   for g in range(meta.num_row_groups) for c in wanted)  # fmt: skip
    most = limits.MAX_RECORDS_INFLATED_UPLOAD if upload else limits.MAX_RECORDS_INFLATED
    if meta.num_rows > limits.MAX_RECORDS_ROWS or inflated > most:
        raise InputError([Issue(
            code="parquet-too-large", file=f.name,
            message=f"Parquet 文件声明 {meta.num_rows:,} 行、所需各列解压后 {limits.mib(inflated)},超过上限"
                    f"({limits.MAX_RECORDS_ROWS:,} 行、{limits.mib(most)});请按期次或单位拆分后再导入",
        )])  # fmt: skip


@dataclass(frozen=True)
class _Parquet:
    """An opened Parquet export: the file, a reader of it for each thread that reads (Arrow's
    reader is not to be shared: two threads on one hung), its known columns (name -> position,
    header) and where each row group's first row is (the row a person would see, as if the file had
    a header)."""

    source: InputFile
    reader: Callable[[], object]  # a new pyarrow.parquet.ParquetFile over the file, its footer read once
    found: dict[str, tuple[int, str]]
    names: list[str]
    first_rows: list[int]
    last_rows: int  # how many the last row group has

    @property
    def rows(self) -> int:
        return self.first_rows[-1] - 2 + self.last_rows if self.first_rows else 0


def _parquet_open(f: InputFile, kind: Kind, path: Path | None = None) -> _Parquet:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(str(path) if path is not None else pa.BufferReader(f.data))
    except (pa.ArrowInvalid, OSError):
        raise InputError([Issue(code="parquet-unreadable", file=f.name,
                                message="无法作为 Parquet 文件读取:文件已损坏或不是 Parquet 格式")]) from None  # fmt: skip
    found = _header_positions(pf.schema_arrow.names, kind.columns)
    problem = _missing(f, None, kind, found)
    if problem is not None:
        raise InputError([problem])
    names = pf.schema_arrow.names
    _bounded(f, pf, [names[pos] for pos, _ in found.values()], upload=path is None)
    coded = [names[pos] for name, (pos, _) in found.items()
             if name in kind.few and pa.types.is_string(pf.schema_arrow.field(pos).type)]  # fmt: skip
    meta = pf.metadata

    def reader() -> object:  # the columns of few values asked for as dictionaries (plain ones are encoded as read)
        return pq.ParquetFile(str(path) if path is not None else pa.BufferReader(f.data), metadata=meta,
                              read_dictionary=coded or None)  # fmt: skip

    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    first_rows = [int(r) for r in 2 + np.cumsum([0, *sizes[:-1]])] if sizes else []
    return _Parquet(f, reader, found, names, first_rows, sizes[-1] if sizes else 0)


def _group_blocks(opened: _Parquet, kind: Kind, groups: list[int], *, use_threads: bool = False) -> Iterator[Block]:
    """The blocks of the row groups ``groups`` (in a row), a million rows at most each."""
    if not groups:
        return
    f, found, names = opened.source, opened.found, opened.names
    row = opened.first_rows[groups[0]]
    batches = opened.reader().iter_batches(batch_size=1 << 20, row_groups=groups,
                                       columns=[names[pos] for pos, _ in found.values()], use_threads=use_threads)  # fmt: skip
    for batch in batches:
        cells, typed = {}, {}
        for name, (pos, _) in found.items():
            column = batch.column(names[pos])
            if _keeps_type(kind, name, column.type):
                typed[name] = column
                continue
            if pa.types.is_floating(column.type):
                # a whole float (3.0) is the count 3, as in a spreadsheet cell
                whole = pc.equal(column, pc.floor(column))
                column = pc.if_else(
                    whole, pc.cast(column, pa.int64(), safe=False).cast(pa.string()), column.cast(pa.string())
                )
            elif pa.types.is_timestamp(column.type) and column.type.tz is None:
                # whole seconds as text by a cast: the form the date parser reads first, at a twentieth
                # of strftime's cost (22 s of a 10 M-case export's 67 s went to strftime, issue 28)
                column = pc.cast(column, pa.timestamp("s"), safe=False).cast(pa.string())
            elif pa.types.is_timestamp(column.type):
                column = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
            cells[name] = _trimmed(column)
        yield _block(f, None, found, kind, cells, int(row), batch.num_rows, typed)
        row += batch.num_rows


def _parquet_apart(opened: _Parquet, kind: Kind, parse: Callable[[Block, R], Table | None], problems: R,
                   threads: int) -> list[Table]:  # fmt: skip
    """The row groups decoded and parsed on ``threads`` threads at once, each group with its own
    problems, which are then merged in the file's order, and each block's table put where its rows
    go in one table of the file: the table and the issues are those of a one-thread read. At most
    ``threads`` groups are decoded at once."""
    groups = len(opened.first_rows)
    gathered = Gather(opened.rows)

    def one(g: int) -> R:
        mine = type(problems)([])
        at = int(opened.first_rows[g] - 2)
        for block in _group_blocks(opened, kind, [g]):
            parsed = parse(block, mine)
            if parsed is not None:
                gathered.put(at, parsed)
                at += len(parsed)
        return mine

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="records-group") as pool:
        running = [pool.submit(one, g) for g in range(min(threads, groups))]
        for g in range(groups):
            found = running.pop(0).result()
            if g + threads < groups:
                running.append(pool.submit(one, g + threads))
            problems.extend(found)
    table = gathered.table()
    return [] if table is None else [table]


def _keeps_type(kind: Kind, name: str, type_: pa.DataType) -> bool:
    """A Parquet column handed to the parser as it is stored: a date column of naive timestamps or
    dates, a count column of integers. Anything else (text, floats, zoned times) is made text."""
    if name in kind.dates:
        return (pa.types.is_timestamp(type_) and type_.tz is None) or pa.types.is_date(type_)
    return name in kind.counts and pa.types.is_integer(type_)


def _complete(data: bytes) -> int:
    """Where a UTF-8 character cut off at the end of ``data`` begins (len(data) if none is)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:  # a lead byte: how long its character is
            size = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if size > back else len(data)
    return len(data)


def _scan(path: Path) -> tuple[bool, bool, bytes]:
    """One pass over a CSV on disk, a block at a time read into one reused buffer (no block is
    copied: the copies were half of this pass over a 1.5 GB export): (valid UTF-8, has a blank
    line, first block)."""
    utf8, blank, first, tail, carry = True, False, b"", b"", b""
    view = memoryview(bytearray(CSV_BLOCK_BYTES + 4))  # room for a character cut at the last block's end
    with open(path, "rb", buffering=0) as fh:
        while True:
            start = len(carry)
            view[:start] = carry
            n = fh.readinto(view[start : start + CSV_BLOCK_BYTES])
            if not n:
                break
            chunk = view[start : start + n]
            first = first or bytes(chunk)
            blank = blank or _blank_across(tail, chunk) or BLANK_LINE.search(chunk) is not None
            tail = _line_breaks_at_end(tail, chunk)
            if utf8:
                data = view[: start + n]
                cut = _complete(data)
                utf8, carry = _utf8(data[:cut]), bytes(data[cut:])
            else:
                carry = b""
    return utf8 and not carry, blank, first


def _blank_across(tail: bytes, chunk: memoryview) -> bool:
    """A blank line that begins in the line breaks that ended the blocks before (``tail``) and
    whose next record begins in this one: no single block shows it whole."""
    lead = LINE_BREAKS.match(chunk).end()
    return BLANK_LINE.search(tail + bytes(chunk[: lead + 1])) is not None


def _line_breaks_at_end(tail: bytes, chunk: memoryview) -> bytes:
    """The run of line breaks that ends what was read so far (it may span blocks)."""
    end = len(chunk)
    while end and chunk[end - 1] in b"\r\n":
        end -= 1
    return (tail if end == 0 else b"") + bytes(chunk[end:])


class Reread(Exception):
    """Raised by a file's blocks when what was read of it must be undone and the file read again
    by ``blocks`` (a CSV read while its scan ran, which the scan then found unusual)."""

    def __init__(self, blocks: Iterator[Block]):
        super().__init__("reread")
        self.blocks = blocks


def _first_block(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(CSV_BLOCK_BYTES)


def _csv_path_blocks(path: Path, kind: Kind, threads: int = 1) -> Iterator[Block]:
    """A CSV streamed from disk: a ten-million-row export is never in memory whole. Anything
    unusual (GB18030, blank lines, a quoted header cut by a line break) is read from memory. With
    two threads the whole-file scan (1.6 s over the cases' 1.5 GB) runs beside the reading instead
    of before it; a file it finds unusual is read again (``Reread``: rare, and the blocks of the first
    attempt are undone)."""
    if threads > 1:
        first = _first_block(path)
        scan = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records-scan")
        scanned = scan.submit(_scan, path)
        scan.shutdown(wait=False)
        utf8, blank = _utf8(first[: _complete(first)]), BLANK_LINE.search(first) is not None
    else:
        scanned = None
        utf8, blank, first = _scan(path)
    start = 3 if first[:3] == b"\xef\xbb\xbf" else 0
    end = first.find(b"\n", start)
    line = first[start : end if end >= 0 else len(first)].rstrip(b"\r")
    if not utf8 or blank or end < 0 or line.count(b'"') % 2 or NON_BLANK.search(first, end + 1) is None:
        yield from _csv_blocks(InputFile.from_path(path), kind)
        return
    f = InputFile(str(path), b"")
    header = next(csv.reader(io.StringIO(line.decode("utf-8"))), [])
    found = _header_positions(header, kind.columns)
    problem = _missing(f, None, kind, found)
    if problem is not None:
        raise InputError([problem])
    blocks = _arrow_csv(lambda: pa.OSFile(str(path)), f, kind, found, len(header), skip=1, deferred=threads > 1)
    if scanned is None:
        yield from blocks
        return
    try:
        yield from blocks
    except InputError:
        if _usual(scanned):
            raise
        raise Reread(_csv_blocks(InputFile.from_path(path), kind)) from None
    if not _usual(scanned):
        raise Reread(_csv_blocks(InputFile.from_path(path), kind))


def _usual(scanned: Future) -> bool:
    """The scan found the whole file UTF-8 without blank lines: what was read of it stands."""
    utf8, blank, _ = scanned.result()
    return utf8 and not blank


def _ahead(blocks: Iterator[Block]) -> Iterator[Block]:
    """``blocks`` read one ahead on a second thread: Arrow decodes the next block (letting go of the
    GIL) while this thread parses the one before, as DuckDB reads on two threads. At most one block
    waits; a problem the reader raises reaches the caller where the block would have."""
    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for block in blocks:
                if not put(("block", block)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed over, raised in the caller's thread
            put(("error", exc))

    worker = threading.Thread(target=work, name="records-reader", daemon=True)
    worker.start()
    try:
        while True:
            what, item = box.get()
            if what == "end":
                return
            if what == "error":
                raise item
            yield item() if callable(item) else item  # a deferred block made here
    finally:
        stop.set()
        worker.join()


def _parse_into(out: list[T], blocks: Iterator[Block], parse: Callable[[Block, R], T | None], problems: R) -> None:
    for block in blocks:
        parsed = parse(block, problems)
        if parsed is not None:
            out.append(parsed)


def read_blocks(files: list[InputFile | Path], kind: Kind, parse: Callable[[Block, R], T | None], problems: R,
                threads: int = 1) -> list[T]:  # fmt: skip
    """Every file of one kind, block by block through ``parse`` (which records what it finds in
    ``problems``); unreadable files are issues. A file given by its path is streamed from disk
    where its format allows (CSV, Parquet). With ``threads`` > 1 a CSV is read a block ahead, and a
    Parquet file's row groups are decoded and parsed on that many threads at once."""
    out: list[T] = []
    for f in files:
        try:
            path = None
            if isinstance(f, (str, Path)):
                path = Path(f)
                if not path.is_file():
                    raise InputError([Issue(code="file-not-found", message="文件不存在", file=str(path))])
                f = (
                    InputFile(str(path), b"")
                    if path.suffix.lower() in (".csv", ".parquet")
                    else InputFile.from_path(path)
                )
            if f.kind == "parquet":
                opened = _parquet_open(f, kind, path)
                groups = len(opened.first_rows)
                if threads > 1 and groups > 1 and opened.rows >= APART_MIN_ROWS * groups:
                    out.extend(_parquet_apart(opened, kind, parse, problems, threads))
                else:
                    # one reader, group after group: decoded on Arrow's threads, a block ahead of the parse
                    blocks = _group_blocks(opened, kind, list(range(len(opened.first_rows))), use_threads=threads > 1)
                    _parse_into(out, _ahead(blocks) if threads > 1 else blocks, parse, problems)
                continue
            if f.kind == "csv":
                blocks = _csv_blocks(f, kind) if path is None else _csv_path_blocks(path, kind, threads)
            elif f.kind in ("xlsx", "xlsm"):
                blocks = _sheet_blocks(f, kind)
            else:
                raise InputError([Issue(code="file-type", file=f.name,
                                        message=f"不支持的文件类型 .{f.kind};只接受 .csv、.xlsx 或 .parquet")])  # fmt: skip
            kept, undo = len(out), problems.checkpoint()
            try:
                _parse_into(out, _ahead(blocks) if f.kind == "csv" and threads > 1 else blocks, parse, problems)
            except Reread as again:
                del out[kept:]
                undo()
                _parse_into(out, again.blocks, parse, problems)
        except OSError as exc:
            problems.issues.append(Issue(code="file-unreadable", message=f"无法读取文件:{exc.strerror}", file=str(f)))
        except InputError as exc:
            problems.issues.extend(exc.issues)
    return out
