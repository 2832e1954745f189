"""The CSV writer's text columns read from Arrow's bytes (hypothesis): a column held in several
chunks, sliced, with missing cells, is quoted and searched as the csv module and ``str`` say."""

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.output import csv_bytes, text_holds

TEXT = st.lists(st.sampled_from([*'ab,"\r\n 测评|', "http://x.cn/1"]), max_size=6).map("".join)


def _arrow_column(chunks: list[list[str]], start: int, holes: bool) -> pd.Series:
    """The texts as an Arrow-backed column of several chunks, the first one sliced, every third
    cell missing if ``holes``: what a store's frame read back in pieces looks like."""
    arrays = [pa.array([None if holes and i % 3 == 2 else t for i, t in enumerate(c)], pa.large_string())
              for c in chunks]  # fmt: skip
    arrays[0] = arrays[0].slice(min(start, len(arrays[0])))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(arrays, pa.large_string())))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(TEXT, max_size=8), min_size=1, max_size=4), st.integers(0, 3), st.booleans(),
       st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=40))  # fmt: skip
def test_arrow_text_is_quoted_and_searched_as_the_csv_module_and_str_say(chunks, start, holes, ints):
    column = _arrow_column(chunks, start, holes)
    texts = ["" if pd.isna(t) else t for t in column.astype(object)]
    for char in ',"\r\n|':
        assert text_holds(column, char) == any(char in t for t in texts)
    # ids of any range beside it (written by Arrow's cast, not coded)
    frame = pd.DataFrame({"text": column, "id": np.resize(np.array(ints, dtype=np.int64), len(column))})
    if frame.empty:
        return
    assert csv_bytes(frame) == _csv_module(["text", "id"], list(zip(texts, map(str, frame["id"]), strict=True)))


def _csv_module(header: list[str], rows: list[tuple[str, ...]]) -> bytes:
    lines = []
    for row in [header, *rows]:
        # with '\r\n' as terminator the csv module quotes a field holding either CR or LF, as we do
        one = io.StringIO()
        csv.writer(one, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(row)
        lines.append(one.getvalue().removesuffix("\r\n"))
    return ("\n".join(lines) + "\n").encode("utf-8")
