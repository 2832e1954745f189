"""The rectification list of the monitor's content findings as a circular's annex (附件): one
sheet, Chinese headers, widths a printed page can hold, text that never becomes a formula."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from scoring.words import CONTENT_ANNEX_COLUMNS
from scoring.workbooks.xlsx import append_text_safe, reproducible

__all__ = ["ANNEX_SHEET", "content_annex_xlsx"]

ANNEX_SHEET = "网站内容问题整改清单"
# characters per column: the page and its context are the long ones, wrapped rather than cut
_WIDTHS = {"no": 6, "unit": 20, "rule": 14, "severity": 9, "status": 10, "url": 42, "found": 24, "context": 48,
           "first_at": 18, "last_at": 18, "fixed_at": 18}  # fmt: skip
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAPPED = ("url", "found", "context")


def content_annex_xlsx(listing: pd.DataFrame) -> bytes:
    """``listing`` as scoring.views.content_fixes.rectification_list makes it."""
    wb = Workbook()
    ws = wb.active
    ws.title = ANNEX_SHEET
    keys = list(CONTENT_ANNEX_COLUMNS)
    append_text_safe(ws, [CONTENT_ANNEX_COLUMNS[k] for k in keys])
    for row in listing[keys].itertuples(index=False):
        append_text_safe(
            ws, [int(v) if k == "no" else ("" if pd.isna(v) else str(v)) for k, v in zip(keys, row, strict=True)]
        )
    for i, k in enumerate(keys, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS[k]
        head = ws.cell(row=1, column=i)
        head.font, head.fill = Font(bold=True), _HEADER_FILL
        if k in _WRAPPED:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())
