"""The parsed records of one kind: named columns without a DataFrame around them.

Ten million cases are numpy arrays (dates, counts, codes), pandas Categoricals (few-valued ids:
units, items) and Arrow chunked arrays (record ids). Blocks are joined by appending chunks and
concatenating numbers; nothing is copied to be aligned, consolidated or re-indexed, and a table
already in the order asked for is not taken again (issue 28: the block concat was 15% of the time
and the moment two copies of the ids were alive the peak).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["Column", "Table"]

Column = np.ndarray | pd.Categorical | pa.ChunkedArray


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
        return pd.DataFrame({
            name: pd.Series(c, dtype=pd.ArrowDtype(c.type)) if isinstance(c, pa.ChunkedArray) else c
            for name, c in self.columns.items()
        })  # fmt: skip

    @staticmethod
    def concat(tables: list[Table]) -> Table:
        """Tables of one kind, one after another: categories united, id chunks appended."""
        if len(tables) == 1:
            return tables[0]
        out: dict[str, Column] = {}
        for name in tables[0].columns:
            parts = [t[name] for t in tables]
            if isinstance(parts[0], pd.Categorical):
                out[name] = _united(parts)
            elif isinstance(parts[0], pa.ChunkedArray):
                out[name] = pa.chunked_array([chunk for p in parts for chunk in p.chunks], parts[0].type)
            else:
                out[name] = np.concatenate(parts)
        return Table(out)


def _take(column: Column, rows: np.ndarray) -> Column:
    if isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(rows, pa.int64()))
    if isinstance(column, pd.Categorical):
        return pd.Categorical.from_codes(column.codes[rows], dtype=column.dtype)
    return column[rows]


def _united(parts: list[pd.Categorical]) -> pd.Categorical:
    """One Categorical from several: each part's codes mapped onto the union of the categories
    (a lookup per category, a gather per row)."""
    union = pd.Index(np.concatenate([p.categories.to_numpy(dtype=object) for p in parts])).unique()
    codes = [np.append(union.get_indexer(p.categories), -1).astype(np.int32)[p.codes] for p in parts]
    return pd.Categorical.from_codes(np.concatenate(codes), categories=union)
