"""The evaluator's workbook for one round: a row to fill per applicable (unit, check)."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.rubric.load import Rubric
from scoring.tables import RESULT_COLUMNS
from scoring.values import accepted_values, dropdown_values
from scoring.words import METHOD_NAMES
from scoring.workbooks.xlsx import append_text_safe, reproducible, write_text_safe

__all__ = ["EXTRA_SHEET", "METHOD_NAMES", "RESULTS_SHEET", "build_template"]

RESULTS_SHEET = "测评结果"
EXTRA_SHEET = "补充扣分"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"


A = RESULT_COLUMNS.aliases
# (header, width, source column); the required result columns keep their Chinese names
MAIN_COLUMNS = [
    (A["period"], 10, "period"),
    (A["unit_id"], 12, "unit_id"),
    ("单位名称", 22, "name"),
    (A["check_id"], 12, "check_id"),
    ("测评点名称", 36, "check_name"),
    ("方法", 10, "method_name"),
    ("分值", 7, "points"),
    (A["value"], 12, None),
    (A["evidence"], 40, None),
    (A["note"], 20, None),
    (A["evaluator"], 10, None),
    (A["checked_at"], 12, None),
    ("评分标准", 50, "criteria"),
    ("依据", 10, "basis"),
    ("可填值", 40, "accepted"),
]
EXTRA_COLUMNS = [(A[k], w) for k, w in (("period", 10), ("unit_id", 12), ("check_id", 12), ("value", 10),
                                        ("evidence", 40), ("note", 20), ("evaluator", 10), ("checked_at", 12))]  # fmt: skip

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")

HELP_TEXT = [
    "测评结果填写说明",
    "1. 「测评结果」表每行对应一个单位的一个测评点,只需填写黄色的「结果」列,并尽量填写佐证(网址、截图文件名、文号)、测评人和测评时间。",
    "2. 「结果」可填的值见每行的「可填值」列;有下拉框的单元格请从下拉框中选择。",
    "3. 逐项扣分(或加分)的测评点若发现多条问题,可在「测评结果」中填写总条数,"
    "也可在「补充扣分」表中每条问题另起一行(同一期次、单位、测评点),各行条数相加。",
    "4. 不涉及的测评点填「不涉及」,且该单位该测评点本期只能有这一行。",
    "5. 请勿修改表头、期次、单位编码和测评点编码。",
    "6. 填好后,评估机构登录测评系统,在「导入测评结果」页面上传本工作簿(可分几次上传,每次只含部分单位);"
    "系统逐项检查后计分,有误时列出所在工作表、行和列,改正后重新上传即可。",
    "7. 全部结果导入后,考核办在「测评轮次」页面将本期转入反馈,各单位在系统中查看本单位的失分及佐证,"
    "并可在「申诉复核」页面提出申诉;复核完毕后由考核办发布,发布后的得分和排名为正式结果。",
]


def _ranges(column: str, rows: list[int]) -> str:
    """Compress row numbers into an Excel range list: I2:I5 I9."""
    parts: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(f"{column}{start}" if start == prev else f"{column}{start}:{column}{prev}")
        if r is not None:
            start = prev = r
    return " ".join(parts)


def _style_header(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def template_rows(rubric: Rubric, roster: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of the template: applicable (unit, check) in roster and rubric order."""
    pairs = rubric.applicability(roster)
    checks = rubric.checks
    frame = pairs.merge(roster[["unit_id", "name"]].reset_index(names="_u"), on="unit_id").merge(checks, on="check_id")
    frame = frame.sort_values(["_u", "check_order"]).reset_index(drop=True)
    frame["period"] = period
    frame["method_name"] = frame["method"].map(METHOD_NAMES)
    frame["accepted"] = [accepted_values(m, lv) for m, lv in zip(frame["method"], frame["levels"], strict=True)]
    frame["points"] = frame["points"].where(frame["points"].notna(), None)
    return frame


def build_template(
    rubric: Rubric,
    roster: pd.DataFrame,
    period: str,
    *,
    only: pd.DataFrame | None = None,
    help_text: list[str] | None = None,
) -> bytes:
    """An .xlsx workbook an evaluator fills and uploads unchanged on the app's 导入测评结果 page
    (or ``assess import``); its 填写说明 describes the app's flow, not the command line.

    ``only`` (columns unit_id, check_id) keeps those rows alone, and ``help_text`` replaces the
    instructions: a re-check sample (抽查复核) is the same workbook for a few findings."""
    rows = template_rows(rubric, roster, period)
    if only is not None:
        rows = rows.merge(only[["unit_id", "check_id"]].drop_duplicates(), on=["unit_id", "check_id"])
    wb = Workbook()
    ws = wb.active
    ws.title = RESULTS_SHEET
    ws.append([h for h, _, _ in MAIN_COLUMNS])
    sources = [src for _, _, src in MAIN_COLUMNS]
    value_col = get_column_letter(sources.index(None) + 1)
    data = rows.reindex(columns=[s for s in sources if s is not None])
    for record in data.itertuples(index=False):
        it = iter(record)
        append_text_safe(ws, [next(it) if s is not None else None for s in sources])
    _style_header(ws, [w for _, w, _ in MAIN_COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    crit_col = [h for h, _, _ in MAIN_COLUMNS].index("评分标准") + 1
    for r in range(2, len(rows) + 2):
        ws.cell(row=r, column=crit_col).alignment = wrap
        ws[f"{value_col}{r}"].fill = INPUT_FILL
    ws.auto_filter.ref = f"A1:{get_column_letter(len(MAIN_COLUMNS))}{len(rows) + 1}"

    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    by_list: dict[tuple[str, ...], list[int]] = {}
    prompts: dict[tuple[str, ...], str] = {}
    for i, (method, levels) in enumerate(zip(rows["method"], rows["levels"], strict=True)):
        choices = dropdown_values(method, levels)
        key = tuple(choices) if choices else ("#", method)
        by_list.setdefault(key, []).append(i + 2)
        prompts.setdefault(key, accepted_values(method, levels))
    for n, (key, row_numbers) in enumerate(by_list.items(), start=1):
        if key[0] == "#":
            dv = DataValidation(
                allow_blank=True, showInputMessage=True, promptTitle="可填值", prompt=prompts[key][:255]
            )
        else:
            col = get_column_letter(n)
            for j, choice in enumerate(key, start=1):
                write_text_safe(lists.cell(row=j, column=n), choice)
            dv = DataValidation(
                type="list",
                formula1=f"'{LISTS_SHEET}'!${col}$1:${col}${len(key)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="结果不在可选值中",
                error="请从下拉框中选择;可选值见「可填值」列",
            )
        dv.sqref = _ranges(value_col, row_numbers)
        ws.add_data_validation(dv)

    extra = wb.create_sheet(EXTRA_SHEET, 1)
    extra.append([h for h, _ in EXTRA_COLUMNS])
    _style_header(extra, [w for _, w in EXTRA_COLUMNS])

    help_ws = wb.create_sheet(HELP_SHEET, 2)
    for line in [
        *(HELP_TEXT if help_text is None else help_text),
        "",
        f"指标体系:{rubric.spec.title}({rubric.id} 版本 {rubric.spec.version})",
        f"期次:{period}",
    ]:
        append_text_safe(help_ws, [line])
    help_ws.column_dimensions["A"].width = 120
    help_ws["A1"].font = Font(bold=True, size=14)

    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())
