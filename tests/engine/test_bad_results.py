"""Every results and roster error of SPEC §2, located as a person sees the spreadsheet."""

import io

import openpyxl
import pytest

from helpers import csv_file, make_rubric, results_file, units_file
from scoring import InputError, InputFile, Issue, assess, by_location, format_issue, issues_frame

CHECKS = [
    {"id": "B", "name": "b", "method": "binary", "points": 2},
    {"id": "L", "name": "l", "method": "levels", "points": 2, "levels": {"优": 1, "差": 0}},
    {"id": "R", "name": "r", "method": "ratio", "points": 2},
    {"id": "X", "name": "x", "method": "deduct", "points": 2, "per_item": 1},
    {"id": "P", "name": "p", "method": "bonus", "points": 2, "per_item": 1},
    {"id": "V", "name": "v", "method": "veto"},
    {"id": "CTY", "name": "c", "method": "binary", "points": 2, "applies_to": ["county"]},
]
RUBRIC = make_rubric(CHECKS, bonus_max=3)
UNITS = [("C1", "甲县", "county"), ("M1", "市财政局", "department")]
FULL = {
    "C1": [("B", "1"), ("L", "优"), ("R", "0.5"), ("X", "0"), ("P", "0"), ("V", "0"), ("CTY", "1")],
    "M1": [("B", "1"), ("L", "优"), ("R", "0.5"), ("X", "0"), ("P", "0"), ("V", "0")],
}


def full_rows(**replace):
    """A complete, valid round; replace={'C1.R': 'x'} changes one value."""
    rows = []
    for unit, pairs in FULL.items():
        for check, value in pairs:
            rows.append(("2017Q3", unit, check, replace.get(f"{unit}.{check}", value)))
    return rows


def issues_of(results, units=UNITS, allow_missing=False):
    files = results if isinstance(results, list) else [results]
    with pytest.raises(InputError) as info:
        assess(RUBRIC, units_file(units), files, allow_missing=allow_missing)
    return info.value.issues


def located(issues):
    return [(i.code, i.file, i.sheet, i.row, i.column) for i in issues]


def test_valid_round_scores():
    r = assess(RUBRIC, units_file(UNITS), [results_file(full_rows())])
    assert len(r.scores.units) == 2


def test_unknown_unit_and_unknown_check():
    rows = [*full_rows(), ("2017Q3", "ZZ", "B", "1"), ("2017Q3", "C1", "NOPE", "1")]
    found = issues_of(results_file(rows))
    assert located(found) == [
        ("unknown-unit", "results.csv", None, 15, "单位编码"),
        ("unknown-check", "results.csv", None, 16, "测评点编码"),
    ]
    assert "ZZ 不在单位名单中" in found[0].message


def test_check_not_applicable_to_the_units_group():
    found = issues_of(results_file([*full_rows(), ("2017Q3", "M1", "CTY", "1")]))
    assert located(found) == [("not-applicable", "results.csv", None, 15, "测评点编码")]
    assert found[0].message == "测评点 CTY 不适用于单位 M1(分组 department);它只适用于分组 county(县区政府)"


@pytest.mark.parametrize(
    ("cell", "value", "accepted"),
    [
        ("C1.B", "maybe", "通过填 1/是/通过"),
        ("C1.B", "2", "通过填 1/是/通过"),
        ("C1.L", "良", "以下等级之一:优、差"),
        ("C1.R", "85", "0 到 1 之间的数(如 0.85)或百分数(如 85%)"),
        ("C1.R", "120%", "0 到 1 之间的数"),
        ("C1.R", "-0.1", "0 到 1 之间的数"),
        ("C1.X", "1.5", "0 到 1000000000 之间的整数"),
        ("C1.X", "-1", "0 到 1000000000 之间的整数"),
        ("C1.P", "two", "0 到 1000000000 之间的整数"),
        ("C1.V", "yes please", "发生否决情形填 1/是"),
    ],
)
def test_values_the_method_does_not_accept_say_what_it_does(cell, value, accepted):
    rows = full_rows(**{cell: value})
    row_number = rows.index(next(r for r in rows if f"{r[1]}.{r[2]}" == cell)) + 2
    [issue] = issues_of(results_file(rows))
    assert (issue.code, issue.row, issue.column, issue.value) == ("bad-value", row_number, "结果", value)
    assert accepted in issue.message
    assert "不涉及" in issue.message


def test_duplicate_rows_of_single_row_methods_name_both_rows():
    rows = [*full_rows(), ("2017Q3", "C1", "B", "0"), ("2017Q3", "M1", "R", "0.9")]
    found = issues_of(results_file(rows))
    assert located(found) == [
        ("duplicate-row", "results.csv", None, 15, "测评点编码"),
        ("duplicate-row", "results.csv", None, 16, "测评点编码"),
    ]
    assert "与 results.csv 第 2 行 重复" in found[0].message
    assert "与 results.csv 第 11 行 重复" in found[1].message


def test_duplicates_across_two_files_name_both_files():
    extra = results_file([("2017Q3", "C1", "L", "差")], name="second.csv")
    [issue] = issues_of([results_file(full_rows()), extra])
    assert (issue.code, issue.file, issue.row) == ("duplicate-row", "second.csv", 2)
    assert "与 results.csv 第 3 行 重复" in issue.message


def test_several_deduct_rows_are_fine_but_na_must_be_alone():
    ok = [*full_rows(), ("2017Q3", "C1", "X", "2")]
    assert assess(RUBRIC, units_file(UNITS), [results_file(ok)])
    bad = [*full_rows(**{"C1.X": "不涉及"}), ("2017Q3", "C1", "X", "2")]
    [issue] = issues_of(results_file(bad))
    assert (issue.code, issue.row) == ("duplicate-row", 15)
    assert "不涉及(NA)必须是该单位该测评点本期唯一的一行" in issue.message


def test_missing_required_column():
    f = csv_file("r.csv", ["period", "unit_id", "value"], [("2017Q3", "C1", "1")])
    [issue] = issues_of(f)
    assert (issue.code, issue.file, issue.row) == ("missing-column", "r.csv", 1)
    assert "check_id(测评点编码)" in issue.message


def test_chinese_headers_are_accepted():
    f = csv_file("r.csv", ["期次", "单位编码", "测评点编码", "结果", "佐证"], [(*r, "") for r in full_rows()])
    assert len(assess(RUBRIC, units_file(UNITS), [f]).scores.units) == 2


def test_empty_required_cells_each_reported():
    rows = full_rows()
    rows[0] = ("2017Q3", "C1", "B", "")
    rows[3] = ("", "C1", "X", "0")
    found = issues_of(results_file(rows), allow_missing=True)
    assert located(found) == [
        ("empty-cell", "results.csv", None, 5, "期次"),
        ("empty-cell", "results.csv", None, 2, "结果"),
    ]


def test_missing_results_per_period_unless_allowed():
    rows = [r for r in full_rows() if not (r[1] == "M1" and r[2] in ("L", "R"))]
    [issue] = issues_of(results_file(rows))
    assert issue.code == "missing-result"
    assert issue.message.startswith("期次 2017Q3 单位 M1 缺少测评点 L、R 的结果")
    r = assess(RUBRIC, units_file(UNITS), [results_file(rows)], allow_missing=True)
    assert (r.scores.checks["status"] == "missing").sum() == 2


def test_all_errors_at_once():
    rows = [*full_rows(**{"C1.R": "high"}), ("2017Q3", "ZZ", "B", "1"), ("2017Q3", "C1", "B", "1")]
    codes = sorted(i.code for i in issues_of(results_file(rows)))
    assert codes == ["bad-value", "duplicate-row", "unknown-unit"]


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_errors_name_the_sheet_and_skip_sheets_without_the_columns():
    header = ["期次", "单位编码", "测评点编码", "结果"]
    rows = [list(r) for r in full_rows()]
    data = _xlsx({"说明": [["请按说明填写"]], "主表": [header, *rows], "补充": [header, ["2017Q3", "C1", "L", "中"]]})
    [issue] = issues_of(InputFile("round.xlsx", data))
    assert (issue.code, issue.file, issue.sheet, issue.row, issue.column) == (
        "bad-value", "round.xlsx", "补充", 2, "结果",
    )  # fmt: skip
    assert format_issue(issue).startswith("round.xlsx 工作表「补充」 第 2 行 列「结果」: ")


def test_xlsx_numeric_and_boolean_cells_keep_their_type():
    header = ["period", "unit_id", "check_id", "value"]
    rows = [list(r) for r in full_rows()]
    for r in rows:
        if r[2] == "B":
            r[3] = True
        if r[2] == "R":
            r[3] = 0.85  # a cell formatted as 85% holds 0.85
        if r[2] == "X":
            r[3] = 2
    result = assess(RUBRIC, units_file(UNITS), [InputFile("r.xlsx", _xlsx({"s": [header, *rows]}))])
    c = result.scores.checks.set_index(["unit_id", "check_id"])
    assert c.loc[("C1", "B"), "value"] == "1"
    assert c.loc[("C1", "R"), "value"] == "0.85"
    assert c.loc[("C1", "X"), "earned"] == 0.0


def test_workbook_without_any_results_sheet():
    [issue] = issues_of(InputFile("r.xlsx", _xlsx({"说明": [["这里没有表头"]]})))
    assert (issue.code, issue.file) == ("no-results-sheet", "r.xlsx")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("r.csv", b"", "file-empty"),
        ("r.csv", b"   \n", "file-empty"),
        ("r.csv", b"\xff\xfe,\x80\n", "not-utf8"),  # neither UTF-8 nor GB18030
        ("r.xlsx", bytes(range(256)) * 8, "xlsx-unreadable"),
        ("r.txt", b"period,unit_id\n", "file-type"),
    ],
)
def test_unreadable_files_get_one_clear_sentence(name, data, code):
    [issue] = issues_of(InputFile(name, data))
    assert (issue.code, issue.file) == (code, name)


def test_results_file_that_does_not_exist(tmp_path):
    [issue] = issues_of([str(tmp_path / "nope.csv")])
    assert (issue.code, issue.message) == ("file-not-found", "文件不存在")


def test_roster_errors():
    bad_units = [
        ("C1", "甲县", "county"),
        ("C1", "甲县二", "county"),
        ("M1", "市财政局", "park"),
        ("M2", "", "department"),
    ]
    found = issues_of(results_file(full_rows()), units=bad_units)
    assert located(found) == [
        ("empty-cell", "units.csv", None, 5, "单位名称"),
        ("duplicate-unit", "units.csv", None, 3, "单位编码"),
        ("unknown-group", "units.csv", None, 4, "分组"),
    ]
    assert found[2].message == "未知分组 park;指标体系中的分组为:county(县区政府)、department(市直部门)"


def test_issues_frame_is_one_table():
    frame = issues_frame(issues_of(results_file([*full_rows(), ("2017Q3", "ZZ", "B", "1")])))
    assert list(frame.columns) == ["code", "message", "file", "sheet", "row", "column", "value", "path", "line"]
    assert frame.loc[0, "row"] == 15


def test_issues_can_be_listed_in_the_order_a_person_fixes_a_file():
    found = [
        Issue("missing-result", "缺少", value="C01"),
        Issue("unknown-unit", "u", file="b.csv", row=9),
        Issue("bad-value", "v", file="a.xlsx", sheet="补充", row=2),
        Issue("unknown-unit", "u", file="a.xlsx", sheet="", row=7),
        Issue("bad-value", "v", file="a.xlsx", sheet="", row=7),
        Issue("unknown-unit", "另有 3 行同类问题未逐条列出"),
        Issue("duplicate-row", "d", file="a.xlsx", sheet="", row=3),
    ]
    ordered = by_location(found)
    assert [(i.file, i.sheet, i.row, i.code) for i in ordered] == [
        ("a.xlsx", "", 3, "duplicate-row"),
        ("a.xlsx", "", 7, "unknown-unit"),  # one row's issues keep the order they were found in
        ("a.xlsx", "", 7, "bad-value"),
        ("a.xlsx", "补充", 2, "bad-value"),
        ("b.csv", None, 9, "unknown-unit"),
        (None, None, None, "missing-result"),
        (None, None, None, "unknown-unit"),
    ]


def test_past_500_issues_of_a_kind_one_line_names_the_rest():
    rows = [*full_rows(), *[("2017Q3", f"X{n}", "B", "1") for n in range(503)]]
    found = [i for i in issues_of(results_file(rows)) if i.code == "unknown-unit"]
    assert len(found) == 501
    assert found[0].row == 15 and found[499].row == 15 + 499
    assert (found[-1].file, found[-1].row) == (None, None)
    assert found[-1].message == "另有 3 行同类问题(单位编码不在单位名单中)未逐条列出"
