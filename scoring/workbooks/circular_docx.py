"""通报草稿 as a Word document (.docx), the form an office edits and sends: title, a 文号 line to
fill in, the numbered sections, and a ranking table per peer group and track.

Written with python-docx (README: why); the text is :func:`scoring.views.circular.circular`'s, so
the Word and the plain-text drafts never differ in a figure.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from scoring.pipeline import Assessment
from scoring.views.circular import CHINESE_NUMERALS, circular

__all__ = ["circular_docx"]

FONT = "SimSun"  # 宋体: what official documents are set in, and what Word and WPS have everywhere
DOC_NUMBER = "〔    〕    号"  # 文号, for the office to fill in
RANKING_COLUMNS = {"rank": "排名", "unit_name": "单位", "score": "得分", "grade": "等次", "rank_change": "排名变化"}


def _font(run, size: float, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)  # Chinese text too


def _paragraph(doc, text: str, size: float = 12, bold: bool = False, centre: bool = False) -> None:
    p = doc.add_paragraph()
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), size, bold)


def _change(v: object) -> str:
    if pd.isna(v) or v == 0:
        return "—" if not pd.isna(v) else ""
    return f"▲ {int(v)}" if v > 0 else f"▼ {-int(v)}"


def _ranking(doc, caption: str, table: pd.DataFrame) -> None:
    _paragraph(doc, caption, 11, bold=True)
    rows = table.assign(score=table["score"].map("{:.2f}".format), rank_change=table["rank_change"].map(_change))
    grid = doc.add_table(rows=1, cols=len(RANKING_COLUMNS))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, RANKING_COLUMNS.values(), strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(name), 10.5, bold=True)
    for r in rows[list(RANKING_COLUMNS)].itertuples(index=False):
        for cell, value in zip(grid.add_row().cells, r, strict=True):
            _font(cell.paragraphs[0].add_run(str(value)), 10.5)


def circular_docx(result: Assessment, period: str, label: str = "", digest: str = "") -> bytes:
    """The draft for ``period`` as a Word document (see :func:`scoring.views.circular.circular`)."""
    c = circular(result, period, label, digest)
    doc = Document()
    _paragraph(doc, c.title, 18, bold=True, centre=True)
    _paragraph(doc, DOC_NUMBER, 12, centre=True)
    for note in c.notes:
        _paragraph(doc, note, 10.5)
    for i, (title, body) in enumerate(c.sections):
        _paragraph(doc, f"{CHINESE_NUMERALS[i]}、{title}", 14, bold=True)
        for line in body:
            _paragraph(doc, line)
        if title == "各组排名":
            for caption, table in c.rankings:
                _ranking(doc, caption, table)
    _paragraph(doc, c.footer, 10.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
