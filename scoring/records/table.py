"""The parsed records of one kind: named columns without a DataFrame around them.

Ten million cases are numpy arrays (dates, counts, codes), ``Coded`` columns (few-valued ids:
units, items, files) and Arrow chunked arrays (record ids). Blocks are joined by appending chunks and
concatenating numbers; nothing is copied to be aligned, consolidated or re-indexed, and a table
already in the order asked for is not taken again (issue 28: the block concat was 15% of the time
and the moment two copies of the ids were alive the peak).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Coded",
    "Column",
    "Gather",
    "KeyScheme",
    "Table",
    "fixed_views",
    "fixed_width",
    "lengths_above_zero",
    "packed_keys",
    "take_rows",
]


@dataclass(frozen=True)
class Coded:
    """A few-valued text column as int32 codes into Arrow strings: hashed once per block in Arrow,
    never a Python string per row or per category."""

    codes: np.ndarray  # int32 positions in ``categories``
    categories: pa.Array  # distinct strings

    @classmethod
    def of(cls, array: pa.Array) -> Coded:
        """Text as codes; a dictionary array (distinct values, no nulls: the reader's) as it is."""
        encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
        return cls(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32), encoded.dictionary)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int) -> str:
        return self.categories[int(self.codes[i])].as_py()

    def texts(self) -> np.ndarray:
        """The categories as Python strings (an object array), for lookups in pandas."""
        return self.categories.to_numpy(zero_copy_only=False)


Column = np.ndarray | Coded | pa.ChunkedArray


class Table:
    """Columns of one length, by name."""

    def __init__(self, columns: dict[str, Column | pa.Array]):
        self.columns: dict[str, Column] = {
            name: pa.chunked_array([c]) if isinstance(c, pa.Array) else c for name, c in columns.items()
        }
        lengths = {len(c) for c in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {lengths}")
        self.length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def assign(self, **more: Column) -> Table:
        return Table({**self.columns, **more})

    def take(self, rows: np.ndarray) -> Table:
        """The rows at ``rows`` (positions), in that order."""
        return Table({name: _take(c, rows) for name, c in self.columns.items()})

    def where(self, mask: np.ndarray) -> Table:
        """The rows of ``mask``; the table itself when every row is kept."""
        if mask.all():
            return self
        return self.take(np.flatnonzero(mask))

    def row(self, i: int) -> dict[str, object]:
        """One row as Python values (for a message)."""
        out: dict[str, object] = {}
        for name, c in self.columns.items():
            out[name] = c[int(i)].as_py() if isinstance(c, pa.ChunkedArray) else c[int(i)]
        return out

    def frame(self) -> pd.DataFrame:
        """As a DataFrame, for the small kinds (accounts, posts) that pandas handles best."""
        return pd.DataFrame({name: _plain(c) for name, c in self.columns.items()})

    @staticmethod
    def concat(tables: list[Table]) -> Table:
        """Tables of one kind, one after another: categories united, id chunks appended. The
        tables given are emptied."""
        if len(tables) == 1:
            return tables[0]
        out: dict[str, Column] = {}
        for name in list(tables[0].columns):
            # each column's blocks are let go as soon as it is joined: two copies of one column at
            # most are alive, not two of the whole table (the peak of reading ten million cases)
            parts = [t.columns.pop(name) for t in tables]
            if isinstance(parts[0], Coded):
                out[name] = _united(parts)
            elif isinstance(parts[0], pa.ChunkedArray):
                out[name] = pa.chunked_array([chunk for p in parts for chunk in p.chunks], parts[0].type)
            else:
                out[name] = np.concatenate(parts)
        return Table(out)


class Gather:
    """The tables of one file's blocks, put as they are parsed straight into columns of the file's
    length made once: each block's numbers are copied where its rows go (by several threads at
    once, each into its own rows) and let go, so no block's table waits for a concat that copies
    every number again into fresh memory (issue 28: 330 MB over ten million cases, and 0.3-0.8 s
    of page faults on one thread). ``rows``: at most that many rows will be put."""

    def __init__(self, rows: int):
        self.rows = rows
        self.numbers: dict[str, np.ndarray] | None = None
        self.parts: list[tuple[int, int, dict[str, pa.ChunkedArray | pa.Array]]] = []
        self.lock = threading.Lock()

    def put(self, at: int, table: Table) -> None:
        """``table``'s rows as the rows from ``at`` on (parts never overlap). Every table put has
        the columns and number types of the first (a parser's tables do, whatever the file)."""
        n = len(table)
        with self.lock:
            if self.numbers is None:
                self.numbers = {name: np.empty(self.rows, dtype=_codes(c).dtype)
                                for name, c in table.columns.items() if not isinstance(c, pa.ChunkedArray)}  # fmt: skip
        for name, numbers in self.numbers.items():
            if _codes(table[name]).dtype != numbers.dtype:
                raise TypeError(f"column {name}: {_codes(table[name]).dtype}, not the first block's {numbers.dtype}")
            numbers[at : at + n] = _codes(table[name])
        kept = {name: c.categories if isinstance(c, Coded) else c for name, c in table.columns.items()
                if not isinstance(c, np.ndarray)}  # fmt: skip
        with self.lock:
            self.parts.append((at, n, kept))

    def table(self) -> Table | None:
        """Everything put, in the order of the rows; None when nothing was."""
        if self.numbers is None:
            return None
        parts = sorted(self.parts, key=lambda part: part[0])
        starts = np.array([at for at, _, _ in parts], dtype=np.int64)
        sizes = np.array([n for _, n, _ in parts], dtype=np.int64)
        ends = np.cumsum(sizes)
        whole = bool((starts == ends - sizes).all())  # no gap: the rows a block left out (wholly empty)
        out: dict[str, Column] = {}
        for name, numbers in self.numbers.items():
            out[name] = numbers[: int(ends[-1])] if whole else np.concatenate(
                [numbers[a : a + n] for a, n in zip(starts, sizes, strict=True)])  # fmt: skip
        self.numbers = None
        for name, first in parts[0][2].items():
            pieces = [kept[name] for _, _, kept in parts]
            if isinstance(first, pa.ChunkedArray):
                out[name] = pa.chunked_array([chunk for p in pieces for chunk in p.chunks], first.type)
            else:  # a Coded column's codes were put as they were: mapped to the united categories here
                out[name] = _remapped(out[name], pieces, np.r_[0, np.cumsum(sizes)])
        return Table(out)


def _codes(column: Column) -> np.ndarray:
    return column.codes if isinstance(column, Coded) else column


def _remapped(codes: np.ndarray, categories: list[pa.Array], bounds: np.ndarray) -> Coded:
    """Codes of parts, each into its own categories, as codes into the categories of all (in place)."""
    dictionary, where = _union(categories)
    if where is not None:
        where = where.astype(codes.dtype)
        start = 0
        for part, a, b in zip(categories, bounds[:-1], bounds[1:], strict=True):
            np.take(where[start : start + len(part)], codes[a:b], out=codes[a:b])
            start += len(part)
    return Coded(codes, dictionary)


def _union(categories: list[pa.Array]) -> tuple[pa.Array, np.ndarray | None]:
    """The distinct texts of several parts' categories, hashed together in Arrow, and for each
    position of the parts' categories laid end to end its code among them; no codes when every part
    has the same categories (a file's row groups often do): a part's codes stand as they are."""
    if all(c.equals(categories[0]) for c in categories[1:]):
        return categories[0], None
    encoded = pc.dictionary_encode(pa.concat_arrays(categories))
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)


def take_rows(column: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    """``column.take(rows)`` chunk by chunk: Arrow's own take on a chunked array first concatenates
    every chunk (ten million ids: 200 MB and 0.1 s for each list of a few thousand lost records)."""
    rows = np.asarray(rows, dtype=np.int64)
    if column.num_chunks <= 1 or not len(rows) or len(rows) > len(column) // 8:  # many rows: Arrow's own
        return column.take(pa.array(rows))
    starts = np.cumsum([0] + [len(c) for c in column.chunks])
    ascending = bool((rows[1:] >= rows[:-1]).all())
    order = rows if ascending else np.sort(rows)
    cuts = np.searchsorted(order, starts)
    parts = [chunk.take(pa.array(order[a:b] - start))
             for chunk, start, a, b in zip(column.chunks, starts[:-1], cuts[:-1], cuts[1:], strict=True) if b > a]  # fmt: skip
    taken = pa.chunked_array(parts, column.type)
    if ascending:
        return taken
    # back to the order asked for: the rows taken are few, so one small concatenated take
    back = np.argsort(rows, kind="stable")
    inverse = np.empty_like(back)
    inverse[back] = np.arange(len(back))
    return pa.chunked_array([taken.combine_chunks().take(pa.array(inverse))], column.type)


def _take(column: Column, rows: np.ndarray) -> Column:
    if isinstance(column, pa.ChunkedArray):
        return take_rows(column, rows)
    if isinstance(column, Coded):
        return Coded(column.codes[rows], column.categories)
    return column[rows]


def _plain(column: Column) -> object:
    if isinstance(column, pa.ChunkedArray):
        return pd.Series(column, dtype=pd.ArrowDtype(column.type))
    if isinstance(column, Coded):
        return pd.Categorical.from_codes(column.codes, categories=pd.Index(column.texts(), dtype=object))
    return column


def _united(parts: list[Coded]) -> Coded:
    """One Coded column from several: the categories of all parts united, each part's codes then
    mapped by a gather, in the narrowest integer type that holds them (a file's name: one byte a
    row)."""
    dictionary, where = _union([p.categories for p in parts])
    size = len(dictionary)
    dtype = np.uint8 if size <= 2**8 else np.uint16 if size <= 2**16 else np.int32
    if all(p.codes.dtype == np.int32 for p in parts):
        dtype = np.int32  # units, items: the codes every measure indexes by
    if where is None:
        return Coded(np.concatenate([p.codes for p in parts]).astype(dtype, copy=False), dictionary)
    where = where.astype(dtype)
    codes, start = [], 0
    for p in parts:
        codes.append(where[start : start + len(p.categories)][p.codes])
        start += len(p.categories)
    return Coded(np.concatenate(codes), dictionary)


def fixed_width(ids: pa.ChunkedArray) -> int:
    """The byte length every id has, when they all have one (an export's ids usually do), else 0.
    Read from the offsets a million at a time: the lengths of ten million ids as one array were
    40 MB of fresh pages for each look (issue 28)."""
    if ids.type != pa.string() or ids.null_count or not len(ids):
        return 0
    width = -1
    for chunk in ids.chunks:
        if not len(chunk):
            continue
        offsets = string_offsets(chunk)
        if width < 0:
            width = int(offsets[1] - offsets[0])
        for a in range(0, len(chunk), WIDTH_ROWS):
            if not (np.diff(offsets[a : a + WIDTH_ROWS + 1]) == width).all():
                return 0
    return max(width, 0)


def lengths_above_zero(strings: pa.ChunkedArray) -> np.ndarray:
    """Which strings are not empty (a null is empty), from the offsets without a lengths array."""
    parts = []
    for chunk in strings.chunks:
        if chunk.type != pa.string() or chunk.null_count:
            parts.append(pc.fill_null(pc.greater(pc.binary_length(chunk), 0), False).to_numpy(zero_copy_only=False))
        else:
            offsets = string_offsets(chunk)
            parts.append(offsets[1:] > offsets[:-1])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


WIDTH_ROWS = 1 << 20


def string_offsets(strings: pa.Array) -> np.ndarray:
    """The offsets of a string array (n + 1 of them), seen in place."""
    return np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1, offset=4 * strings.offset)


def fixed_views(ids: pa.ChunkedArray, width: int) -> list[np.ndarray]:
    """Each non-empty chunk of ids ``width`` bytes long as a numpy bytes array over Arrow's own
    buffer (no copy): for ids of one length numpy's order is Arrow's (bytewise), and comparing
    neighbours is a memcmp, not a string kernel over ten million slices."""
    return [_fixed(chunk, width) for chunk in ids.chunks if len(chunk)]


def _fixed(strings: pa.Array, width: int) -> np.ndarray:
    return np.frombuffer(strings.buffers()[2], dtype=f"S{width}", count=len(strings),
                         offset=int(string_offsets(strings)[0]))  # fmt: skip


PACKED_ROWS = 1 << 16  # rows packed at a time: the key and its byte columns stay in the cache


def packed_keys(ids: pa.ChunkedArray, most: int = 2**63) -> tuple[np.ndarray, int] | None:
    """Ids of one byte length as int64 keys in the ids' own order (Arrow's, bytewise), and how many
    keys there could be; None when the ids have several lengths or more than ``most`` keys could
    be. Each byte position is a digit whose base is the span of the bytes seen there (an export's
    ids are a fixed prefix, a date and a serial number: 18 bytes of which a dozen vary, over a few
    values each), so the key is that mixed-radix number: equal ids, equal keys; a smaller id, a
    smaller key. A numpy sort of such keys is a third of the cost of sorting the texts (issue 28)."""
    scheme = KeyScheme.of([ids], most)
    return None if scheme is None else (scheme.keys(ids), scheme.count)


@dataclass(frozen=True)
class KeyScheme:
    """How ids of one byte length become keys (``packed_keys``): made once from all the parts that
    will be packed, so that parts packed apart (a slice at a time) compare with one another."""

    width: int
    low: np.ndarray  # int64: the least byte seen at each position
    varying: list[int]  # the positions where more than one byte was seen
    bases: list[int]  # the span of each
    count: int  # keys there can be: the product of the spans

    @classmethod
    def of(cls, parts: list[pa.ChunkedArray], most: int = 2**63) -> KeyScheme | None:
        widths = {fixed_width(p) for p in parts if len(p)}
        if len(widths) != 1 or 0 in widths:
            return None
        width = widths.pop()
        rows = [view.view(np.uint8).reshape(-1, width) for p in parts if len(p) for view in fixed_views(p, width)]
        low = np.min([_column_bounds(r, width, np.min) for r in rows], axis=0).astype(np.int64)
        high = np.max([_column_bounds(r, width, np.max) for r in rows], axis=0).astype(np.int64)
        varying = [j for j in range(width) if high[j] > low[j]]
        bases = [int(high[j] - low[j]) + 1 for j in varying]
        count = 1
        for base in bases:
            count *= base
        return None if count > most else cls(width, low, varying, bases, count)

    def keys(self, ids: pa.ChunkedArray) -> np.ndarray:
        """The keys of ``ids`` (one of the parts the scheme was made from)."""
        keys = np.zeros(len(ids), dtype=np.int64)
        at = 0
        for view in fixed_views(ids, self.width) if len(ids) else []:
            rows = view.view(np.uint8).reshape(-1, self.width)
            for a in range(0, len(rows), PACKED_ROWS):
                part = rows[a : a + PACKED_ROWS]
                key = keys[at + a : at + a + len(part)]
                for j, base in zip(self.varying, self.bases, strict=True):
                    key *= base
                    key += part[:, j]
                    key -= self.low[j]
            at += len(rows)
        return keys


def _column_bounds(rows: np.ndarray, width: int, bound) -> np.ndarray:
    """The least (or greatest) byte at each position of ``rows`` (n × width bytes). Reduced as rows
    of 256 ids side by side: numpy's reduction down a column of 18 bytes goes a row at a time."""
    side = 256
    whole = len(rows) - len(rows) % side
    found = [bound(rows[whole:], axis=0)] if whole < len(rows) else []
    if whole:
        found.append(bound(bound(rows[:whole].reshape(-1, width * side), axis=0).reshape(side, width), axis=0))
    return bound(found, axis=0)
