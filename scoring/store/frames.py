"""Score tables kept whole beside a published revision: Arrow IPC, zstd-compressed.

A province's check table is 600 k rows a round. Rescoring a published round to show it costs
seconds and the round's findings in memory; its frozen tables load in a few hundredths of a
second. ``snapshot_row`` keeps the tables as the CSV text the contract promises (and the digest
covers); ``snapshot_frame`` keeps every column the views use, including the unrounded ones, and
:func:`scoring.store.publish.verify` checks that both say the same.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

__all__ = ["frame_bytes", "frame_from_bytes"]

_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def frame_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def frame_from_bytes(blob: bytes) -> pd.DataFrame:
    """The frame as it was written: categorical columns get their categories back as Python
    strings (Arrow would give ``str``), as the engine makes them."""
    frame = pa.ipc.open_file(pa.py_buffer(blob)).read_all().to_pandas()
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.categories.dtype != object:
            frame[name] = pd.Categorical.from_codes(col.cat.codes.to_numpy(),
                                                    categories=pd.Index(col.cat.categories, dtype=object))  # fmt: skip
    return frame
