"""Writing worksheets safely: text from users never becomes a live formula."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["append_text_safe"]


def append_text_safe(ws: Worksheet, values: Iterable[object]) -> None:
    """Append a row; a string such as '=HYPERLINK(...)' stays text, not a formula."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
