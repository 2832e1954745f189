"""Writing worksheets safely: text from users never becomes a live formula."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["append_text_safe", "reproducible", "write_text_safe"]


def append_text_safe(ws: Worksheet, values: Iterable[object]) -> None:
    """Append a row; a string such as '=HYPERLINK(...)' stays text, not a formula."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        _as_text(cell)


def write_text_safe(cell: Cell, value: object) -> Cell:
    """Set one cell; text from a rubric or a user (a title, a level label '=1+1') stays text."""
    cell.value = value
    return _as_text(cell)


def _as_text(cell: Cell) -> Cell:
    # openpyxl makes every string that starts with '=' a formula; no cell we write is one
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


FIXED_TIME = (2017, 7, 19, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible(xlsx: bytes) -> bytes:
    """The same workbook with fixed zip and document timestamps, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2017-07-19T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return buf.getvalue()
