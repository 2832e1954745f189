"""The parsed records of one kind: named columns without a DataFrame around them.

Ten million cases are numpy arrays (dates, counts, codes), ``Coded`` columns (few-valued ids:
units, items, files) and Arrow chunked arrays (record ids). Blocks are joined by appending chunks and
concatenating numbers; nothing is copied to be aligned, consolidated or re-indexed, and a table
already in the order asked for is not taken again (issue 28: the block concat was 15% of the time
and the moment two copies of the ids were alive the peak).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Coded", "Column", "Table"]


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
        """Tables of one kind, one after another: categories united, id chunks appended."""
        if len(tables) == 1:
            return tables[0]
        out: dict[str, Column] = {}
        for name in tables[0].columns:
            parts = [t[name] for t in tables]
            if isinstance(parts[0], Coded):
                out[name] = _united(parts)
            elif isinstance(parts[0], pa.ChunkedArray):
                out[name] = pa.chunked_array([chunk for p in parts for chunk in p.chunks], parts[0].type)
            else:
                out[name] = np.concatenate(parts)
        return Table(out)


def _take(column: Column, rows: np.ndarray) -> Column:
    if isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(rows, pa.int64()))
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
    """One Coded column from several: the categories of all parts hashed together in Arrow, each
    part's codes then mapped by a gather."""
    encoded = pc.dictionary_encode(pa.concat_arrays([p.categories for p in parts]))
    where = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    codes, start = [], 0
    for p in parts:
        codes.append(where[start : start + len(p.categories)][p.codes])
        start += len(p.categories)
    return Coded(np.concatenate(codes), encoded.dictionary)
