"""The evaluator template: generated, filled like a person would, scored unchanged."""

import io

import openpyxl
import pytest
from pandas.testing import assert_frame_equal

from helpers import ROOT, csv_file
from scoring import InputError, InputFile, assess, build_template, load_rubric, parse_rubric, read_roster
from scoring.workbooks.template import EXTRA_SHEET, RESULTS_SHEET

EXAMPLE = ROOT / "docs" / "example"
RUBRIC = load_rubric(EXAMPLE / "rubric.yaml")
ROSTER = read_roster(EXAMPLE / "units.csv", RUBRIC)

ANSWERS = {
    "binary": "通过",
    "levels": "良",
    "ratio": 0.8,
    "deduct": 2,
    "bonus": 1,
    "veto": "否",
}


def _workbook():
    return openpyxl.load_workbook(io.BytesIO(build_template(RUBRIC, ROSTER, "2017Q3")))


def test_template_has_one_row_per_applicable_unit_check_with_names_and_criteria():
    ws = _workbook()[RESULTS_SHEET]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["期次", "单位编码", "单位名称", "测评点编码", "测评点名称", "方法", "分值", "结果"]
    assert "评分标准" in header and "可填值" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 7 + 7 + 6  # two counties with the county-only check, one department
    first = dict(zip(header, rows[1], strict=True))
    assert (first["单位编码"], first["单位名称"], first["测评点编码"]) == ("C01", "甲县", "D1.1.2")
    assert first["评分标准"] == "每缺一个月扣 2 分,扣完为止"
    assert ws.freeze_panes == "A2"


def test_template_offers_drop_downs_for_token_methods():
    wb = _workbook()
    ws = wb[RESULTS_SHEET]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    formulas = {dv.formula1 for dv in lists}
    assert len(formulas) == 3  # binary, levels, veto
    hidden = wb["可选值"]
    columns = [[c for c in col if c is not None] for col in hidden.iter_cols(values_only=True)]
    assert ["通过", "未通过", "不涉及"] in columns
    assert ["优", "良", "中", "差", "不涉及"] in columns
    binary_cells = {str(r) for dv in lists if dv.formula1.startswith("'可选值'!$A$") for r in dv.sqref.ranges}
    assert "H2" in binary_cells  # C01's first check D1.1.1 is binary


def test_filled_template_scores_like_the_same_results_as_csv():
    wb = _workbook()
    ws = wb[RESULTS_SHEET]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    csv_rows = []
    for row in ws.iter_rows(min_row=2):
        unit, check = row[col["单位编码"]].value, row[col["测评点编码"]].value
        method = RUBRIC.checks.set_index("check_id").loc[check, "method"]
        answer = ANSWERS[method]
        row[col["结果"]].value = answer
        row[col["佐证"]].value = f"http://{unit.lower()}.example.gov.cn/{check}"
        csv_rows.append(("2017Q3", unit, check, str(answer), f"http://{unit.lower()}.example.gov.cn/{check}"))
    # one more deduction finding on the second sheet
    wb[EXTRA_SHEET].append(["2017Q3", "C02", "D1.1.2", 1, "shot-c02.png"])
    csv_rows.append(("2017Q3", "C02", "D1.1.2", "1", "shot-c02.png"))
    buf = io.BytesIO()
    wb.save(buf)

    from_xlsx = assess(RUBRIC, EXAMPLE / "units.csv", [InputFile("filled.xlsx", buf.getvalue())])
    from_csv = assess(
        RUBRIC,
        EXAMPLE / "units.csv",
        [csv_file("same.csv", ["period", "unit_id", "check_id", "value", "evidence"], csv_rows)],
    )
    assert_frame_equal(from_xlsx.scores.units, from_csv.scores.units)
    assert_frame_equal(from_xlsx.scores.checks, from_csv.scores.checks)
    c02 = from_xlsx.scores.checks.set_index(["unit_id", "check_id"]).loc[("C02", "D1.1.2")]
    assert (c02["value"], c02["earned"], c02["findings"]) == ("3", 4.0, 2)
    assert c02["evidence"] == "http://c02.example.gov.cn/D1.1.2 | shot-c02.png"


def test_unfilled_template_reports_every_empty_value_cell():
    with pytest.raises(InputError) as info:
        assess(RUBRIC, EXAMPLE / "units.csv", [InputFile("t.xlsx", build_template(RUBRIC, ROSTER, "2017Q3"))])
    issues = info.value.issues
    assert len(issues) == 20
    assert {(i.code, i.sheet, i.column) for i in issues} == {("empty-cell", RESULTS_SHEET, "结果")}
    assert sorted(i.row for i in issues) == list(range(2, 22))


def test_text_that_looks_like_a_formula_stays_text():
    text = (
        (EXAMPLE / "rubric.yaml")
        .read_text(encoding="utf-8")
        .replace("criteria: 未完善的不得分", 'criteria: "=HYPERLINK(\\"http://evil\\")"')
    )
    rubric = parse_rubric(text, "r.yaml")
    wb = openpyxl.load_workbook(io.BytesIO(build_template(rubric, ROSTER, "2017Q3")))
    cells = [c for row in wb[RESULTS_SHEET].iter_rows() for c in row if c.value == '=HYPERLINK("http://evil")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_deadline_cell_takes_a_date_pair_and_says_so():
    """SPEC extension 1a: the shipped rubric's deadline checks ask for received/answered dates; the
    value cell's hint and the criteria say how, and the dates typed there score."""
    rubric = load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml")
    roster = read_roster(ROOT / "sample_data" / "units.csv", rubric)
    wb = openpyxl.load_workbook(io.BytesIO(build_template(rubric, roster, "2017Q4")))
    ws = wb[RESULTS_SHEET]
    header = [c.value for c in ws[1]]
    check_col, value_col = header.index("测评点编码") + 1, header.index("结果") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, check_col).value == "GK5.1.2")
    cell = ws.cell(row, value_col).coordinate
    hints = [dv.prompt for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert hints and "2017-09-04/2017-09-22" in hints[0] and "未答复" in hints[0]
    criteria = rubric.checks.set_index("check_id").loc["GK5.1.2", "criteria"]
    assert "收到日期/答复日期" in criteria


def test_the_help_sheet_describes_the_apps_flow_not_the_command_line():
    """Issue 29 item 14: evaluators upload on 导入测评结果 and the office publishes; no `assess score`."""
    help_text = "\n".join(str(c.value) for row in _workbook()["填写说明"].iter_rows() for c in row if c.value)
    assert "assess" not in help_text
    assert "「导入测评结果」页面上传" in help_text and "由考核办发布" in help_text
    assert "「申诉复核」" in help_text and "期次:2017Q3" in help_text
