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
from docx.shared import Mm, Pt

from scoring.pipeline import Assessment
from scoring.views.circular import CHINESE_NUMERALS, circular
from scoring.words import UNSCORED

__all__ = ["circular_docx"]

# 党政机关公文格式 (GB/T 9704-2012): A4, the type area's margins, 仿宋 三号 body, 小标宋 二号 title,
# 黑体 first-level headings. Word and WPS fall back to a font they have where one is missing.
PAGE = (Mm(210), Mm(297))
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
BODY_FONT = "仿宋"  # FangSong: on every Chinese Windows, unlike 仿宋_GB2312
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"  # digits and Latin letters in official documents
TITLE_PT, BODY_PT, TABLE_PT, NOTE_PT = 22, 16, 12, 12  # 二号, 三号, 小四 for tables and notes
DOC_NUMBER = "〔    〕    号"  # 文号, for the office to fill in
RANKING_COLUMNS = {"rank": "排名", "unit_name": "单位", "score": "得分", "grade": "等次", "rank_change": "排名变化"}


def _font(run, size: float, font: str = BODY_FONT, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, LATIN_FONT
    # python-docx's font.name sets the Latin slots only; Chinese text takes the East Asian one
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _paragraph(doc, text: str, size: float = BODY_PT, font: str = BODY_FONT, bold: bool = False,
               centre: bool = False) -> None:  # fmt: skip
    p = doc.add_paragraph()
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.paragraph_format.first_line_indent = Pt(2 * size)  # 首行缩进两字
    _font(p.add_run(text), size, font, bold)


def _change(v: object) -> str:
    if pd.isna(v) or v == 0:
        return "—" if not pd.isna(v) else ""
    return f"▲ {int(v)}" if v > 0 else f"▼ {-int(v)}"


def _ranking(doc, caption: str, table: pd.DataFrame) -> None:
    _paragraph(doc, caption, BODY_PT)
    score = table["score"].map(lambda v: UNSCORED if pd.isna(v) else f"{v:.2f}")  # 单项否决: no number
    rows = table.assign(score=score, rank_change=table["rank_change"].map(_change))
    grid = doc.add_table(rows=1, cols=len(RANKING_COLUMNS))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, RANKING_COLUMNS.values(), strict=True):
        _font(cell.paragraphs[0].add_run(name), TABLE_PT, bold=True)
    for r in rows[list(RANKING_COLUMNS)].itertuples(index=False):
        for cell, value in zip(grid.add_row().cells, r, strict=True):
            _font(cell.paragraphs[0].add_run(str(value)), TABLE_PT)


def circular_docx(result: Assessment, period: str, label: str = "", digest: str = "", title: str = "") -> bytes:
    """The draft for ``period`` as a Word document in the official format (see
    :func:`scoring.views.circular.circular`)."""
    c = circular(result, period, label, digest, title)
    doc = Document()
    # text with no run of its own (an empty table cell) in the body font too
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE
    for side, length in MARGINS.items():
        setattr(section, side, length)
    _paragraph(doc, c.title, TITLE_PT, TITLE_FONT, centre=True)
    _paragraph(doc, DOC_NUMBER, BODY_PT, centre=True)
    for note in c.notes:
        _paragraph(doc, note, NOTE_PT)
    for i, (heading, body) in enumerate(c.sections):
        _paragraph(doc, f"{CHINESE_NUMERALS[i]}、{heading}", BODY_PT, HEADING_FONT)
        for line in body:
            _paragraph(doc, line)
        if heading == "各组排名":
            for caption, table in c.rankings:
                _ranking(doc, caption, table)
    _paragraph(doc, c.footer, NOTE_PT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
