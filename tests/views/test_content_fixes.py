"""The rectification list of the monitor's content findings as people read it, and as the
circular's annex (issue 31): names not codes, Beijing time, the worst first, text never a formula."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from scoring.views.content_fixes import content_summary, rectification_list, unit_counts
from scoring.workbooks.content_annex import ANNEX_SHEET, content_annex_xlsx

NAMES = pd.Series({"C1": "甲县", "C2": "乙县"})
COLUMNS = ["unit_id", "status", "rule", "key", "url", "found", "context", "severity", "first_run", "first_at",
           "last_run", "last_at", "fixed_run", "fixed_at", "latest_run"]  # fmt: skip
HISTORY = pd.DataFrame([
    ("C2", "fixed", "privacy_leaks", "k1", "http://c2/a.xlsx", "9901************10", "示例甲 9901************10",
     "", 1, "2018-09-01T16:30:00+00:00", 1, "2018-09-01T16:30:00+00:00", 2, "2018-09-02T01:00:00+00:00", 2),
    ("C1", "fixed_before", "wrong_words", "k2", "http://c1/", "荡山县", "……荡山县……", "一般", 1,
     "2018-09-01T16:30:00+00:00", 1, "2018-09-01T16:30:00+00:00", 2, "2018-09-02T01:00:00+00:00", 3),
    ("C1", "still", "hidden_links", "k3", "http://c1/", "=HYPERLINK(\"http://bocai.example/\")", "隐藏方式:display:none",
     "", 1, "2018-09-01T16:30:00+00:00", 3, "2018-09-03T02:00:00+00:00", 0, "", 3),
    ("C1", "new", "unanswered_messages", "k4", "http://c1/hudong/", "路灯(演示)", "待答复", "", 3,
     "2018-09-03T02:00:00+00:00", 3, "2018-09-03T02:00:00+00:00", 0, "", 3),
], columns=COLUMNS)  # fmt: skip


def test_the_list_names_units_rules_and_statuses_in_beijing_time_worst_first():
    listing = rectification_list(HISTORY, NAMES)
    assert listing[["no", "unit", "rule", "status"]].values.tolist() == [
        [1, "甲县", "留言超期未回复", "新发现"], [2, "甲县", "暗链", "仍存在"], [3, "乙县", "泄露身份证号", "已整改"]]  # fmt: skip
    # 16:30 UTC on 1 September is 00:30 on the 2nd in Beijing; an open finding has no fixing run
    assert listing[["first_at", "fixed_at"]].values.tolist() == [
        ["2018-09-03 10:00", ""], ["2018-09-02 00:30", ""], ["2018-09-02 00:30", "2018-09-02 09:00"]]  # fmt: skip
    counts = unit_counts(HISTORY, NAMES)
    assert counts[["unit", "new", "still", "fixed"]].values.tolist() == [["甲县", 1, 1, 0], ["乙县", 0, 0, 1]]
    assert content_summary({"new": 1, "still": 2, "fixed": 3}).endswith("新发现 1 条,仍存在 2 条,已整改 3 条")


def test_the_annex_is_one_sheet_with_chinese_headers_and_text_that_stays_text():
    data = content_annex_xlsx(rectification_list(HISTORY, NAMES))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [ANNEX_SHEET]
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "单位", "问题类型", "严重程度", "整改状态", "网页", "发现内容", "上下文",
                       "首次发现(北京时间)", "最近发现(北京时间)", "确认整改(北京时间)")  # fmt: skip
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    cell = ws.cell(row=3, column=7)
    assert cell.value == '=HYPERLINK("http://bocai.example/")' and cell.data_type == "s"  # never a live link
    assert ws.column_dimensions["H"].width >= 40 and ws.column_dimensions["A"].width <= 8
    assert ws.freeze_panes == "A2"
    assert content_annex_xlsx(rectification_list(HISTORY, NAMES)) == data  # the same list, the same bytes
