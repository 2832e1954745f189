"""A site failed by a veto of effect 'unscored' (单项否决, national inspection of 2019) is shown as
不合格 with no number in every view that shows a score: the circular (text and Word), the
leaders' and the unit's workbooks, the ranking table. Never 'nan' or 'None'."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from helpers import ROOT, run
from scoring import load_rubric
from scoring.views.circular import circular_text
from scoring.views.explain import ranking_table, unit_tracks
from scoring.workbooks.circular_docx import circular_docx
from scoring.workbooks.report import leaders_report, unit_report

RUBRIC = load_rubric(ROOT / "rubrics" / "gov-website-2019.yaml")
SITES = [("P1", "甲县政府门户网站", "portal"), ("P2", "乙县政府门户网站", "portal")]
LEAK = re.compile(r"\bnan\b|\bNone\b|\bNaN\b")


@pytest.fixture(scope="module")
def result():
    rows = []
    for unit, _, _ in SITES:
        for c in RUBRIC.checks.itertuples():
            rows.append((unit, c.check_id, "1" if (unit, c.check_id) == ("P1", "V2.1") else "0"))
    return run(RUBRIC, rows, SITES, allow_missing=False)


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)  # fmt: skip


def test_the_ranking_puts_the_unscored_site_last_without_a_number(result):
    table = ranking_table(result.scores, "2017Q3", "website", "portal")
    assert list(table["unit_id"]) == ["P2", "P1"]
    p1 = table.set_index("unit_id").loc["P1"]
    assert p1["grade"] == "不合格" and p1["score"] != p1["score"]  # NaN: drawn blank


def test_the_circular_says_failed_and_prints_no_number(result):
    text = circular_text(result, "2017Q3")
    assert not LEAK.search(text)
    docx = zipfile.ZipFile(io.BytesIO(circular_docx(result, "2017Q3"))).read("word/document.xml").decode()
    assert not LEAK.search(re.sub(r"<[^>]+>", " ", docx))
    assert "不计分" in docx


def test_the_workbooks_show_no_nan(result):
    assert not LEAK.search(_xlsx_text(leaders_report(result, "2017Q3")))
    summary = unit_tracks(result.scores, "P1", "2017Q3", RUBRIC)
    assert summary["grade"].tolist() == ["不合格"]
    book = unit_report(result, "P1", "2017Q3")
    assert not LEAK.search(_xlsx_text(book))
