"""Which encoding a CSV is read in: UTF-8 when all of it decodes as UTF-8, else GB18030, else an
error. The check decodes a megabyte at a time (issue 34: a province's file as one str took 200 MB);
a character split across two pieces must decide as the whole file does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.tables import csv_encoding

MB = 1 << 20


def whole_file_decides(data: bytes) -> str:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        data.decode("gb18030")
        return "gb18030"


@settings(max_examples=60, deadline=None)
@given(before=st.integers(MB - 4, MB + 1), tail=st.binary(max_size=12) | st.text(max_size=4).map(str.encode))
def test_the_encoding_is_decided_as_by_decoding_the_whole_file(before, tail):
    data = b"a" * before + "政务公开😀".encode() + tail  # multi-byte characters across the first megabyte's end
    try:
        want = whole_file_decides(data)
    except UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            csv_encoding(data)
        return
    assert csv_encoding(data) == want


def test_gb18030_text_split_at_a_megabyte_is_not_utf8():
    data = b"a" * (MB - 1) + "政务公开".encode("gb18030")
    assert csv_encoding(data) == "gb18030"
    assert csv_encoding(b"a" * (MB - 1) + "政务公开".encode()) == "utf-8"
