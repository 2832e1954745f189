"""Hostile tables never take the process down (issue 27, findings 1, 2 and 9).

Every file here is real: a workbook written by openpyxl and then altered in its zip, a CSV with
a field as long as an attack would make it. Whatever could abort the process (calamine allocating
a sheet of 17 billion cells aborts it, beyond any ``except``) runs in a child process, so that a
regression fails a test instead of killing pytest.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile.workbooks import SHEET, bomb, rewrite, shared_string_bomb, small_workbook, understated, with_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT, open_periods
from scoring.errors import InputError
from scoring.limits import MAX_COLUMNS, MAX_RATIO, MAX_SHEETS, MAX_ZIP_MEMBERS
from scoring.tables import RESULT_COLUMNS, InputFile, read_result_files, read_sheets
from scoring.xlsx_check import check_xlsx, column_letters

EXAMPLE = ROOT / "docs" / "example"
XFD = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'


def child(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Python code in a fresh process of this worktree; it prints its own peak memory (VmHWM, MB) last."""
    peak = "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr)"
    script = f"import sys, atexit\natexit.register(lambda: {peak})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)  # fmt: skip


def peak_mb(p: subprocess.CompletedProcess) -> float:
    return int(p.stderr.strip().splitlines()[-1]) / 1024


def assess(*args: object, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command line as a user runs it, with its peak memory printed at exit."""
    return child("from scoring.cli import main\nsys.argv = ['assess', *sys.argv[1:]]\nsys.exit(main())", *map(str, args),
                 timeout=timeout)  # fmt: skip


READ = """
from scoring.errors import InputError
from scoring.tables import RESULT_COLUMNS, InputFile, read_sheets
try:
    sheets = read_sheets(InputFile.from_path(sys.argv[1]), RESULT_COLUMNS)
    print("read", [(name, len(body)) for name, _, body in sheets])
except InputError as exc:
    print("refused", [i.code for i in exc.issues])
    print(exc)
"""


def test_calamine_alone_aborts_the_whole_process_on_the_2kb_workbook(tmp_path):
    # what the pre-check stands between: the reader itself, given the issue's file, takes the process down
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(bomb())
    assert f.stat().st_size < 3000
    p = child("""
        import python_calamine
        wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
        wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)
        """, str(f))  # fmt: skip
    assert p.returncode == -6, p.stderr[-500:]  # SIGABRT: the shell's exit 134


def test_the_2kb_workbook_is_a_located_error_and_the_reader_lives(tmp_path):
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(bomb())
    p = child(READ, str(f))
    assert p.returncode == 0, p.stderr[-2000:]
    assert "refused ['sheet-too-large']" in p.stdout
    assert "工作表「测评结果」" in p.stdout and "最远的单元格为 XFD1048576" in p.stdout
    assert "1,048,576 行 × 16,384 列" in p.stdout
    assert peak_mb(p) < 400


@pytest.mark.parametrize("command", ["score", "import", "monitor", "agreement"])
def test_every_command_that_reads_a_table_says_exit_2_and_where(tmp_path, command):
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(bomb())
    rubric, units = EXAMPLE / "rubric.yaml", EXAMPLE / "units.csv"
    if command == "score":
        p = assess("score", "--rubric", rubric, "--units", units, "--results", f, "--out", tmp_path / "out")
    elif command == "import":
        db = tmp_path / "s.db"
        open_periods(db)
        p = assess("import", "--db", db, "--rubric", rubric, "--units", units, "--results", f)
    elif command == "monitor":
        p = assess("monitor", "--rubric", ROOT / "rubrics" / "website-inspection.yaml", "--units", units,
                   "--sites", f, "--period", "2024Q1", "--out", tmp_path / "m.csv")  # fmt: skip
    else:
        p = assess("agreement", "--rubric", rubric, "--units", units, "--results", EXAMPLE / "results.csv", f,
                   "--out", tmp_path / "a.csv")  # fmt: skip
    assert p.returncode == 2, p.stderr[-2000:]
    assert "Traceback" not in p.stderr
    located = [line for line in p.stderr.splitlines() if "XFD1048576" in line]
    assert len(located) == 1 and f"{f} 工作表「" in located[0], p.stderr


def test_a_1_5_gb_shared_string_is_refused_at_once_in_little_memory(tmp_path):
    f = shared_string_bomb(tmp_path / "strings.xlsx", 1_500_000_000)
    assert f.stat().st_size < 2 * 2**20  # the issue's 1.5 MB file
    started = time.monotonic()
    p = assess("score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv", "--results", f,
               "--out", tmp_path / "out")  # fmt: skip
    assert p.returncode == 2, p.stderr[-2000:]
    assert "xl/sharedStrings.xml 解压后 1,431 MB,超过 512 MB 的上限" in p.stderr
    assert peak_mb(p) < 400
    assert time.monotonic() - started < 60  # the issue's reader: 30 s and 6.4 GB before an error


def test_a_part_that_compresses_past_the_ratio_limit_is_refused(tmp_path):
    f = shared_string_bomb(tmp_path / "ratio.xlsx", 100_000_000)
    with pytest.raises(InputError) as err:
        check_xlsx(f.name, f.read_bytes())
    (issue,) = err.value.issues
    assert issue.code == "xlsx-ratio"
    assert f"超过 {MAX_RATIO} 倍的上限" in issue.message and "xl/sharedStrings.xml" in issue.message


def test_a_long_text_within_the_size_limits_is_refused_as_a_cell_too_long(tmp_path):
    f = shared_string_bomb(tmp_path / "long.xlsx", 400_000)  # 400 KB: small, but no cell holds that
    with pytest.raises(InputError) as err:
        check_xlsx(f.name, f.read_bytes())
    assert [i.code for i in err.value.issues] == ["cell-too-long"]
    assert "32,767 个字符" in err.value.issues[0].message


def test_too_many_parts_or_sheets_are_refused_before_any_is_read():
    many = rewrite(small_workbook(), lambda n, p: p, {f"junk/{i}.bin": b"" for i in range(MAX_ZIP_MEMBERS)})
    with pytest.raises(InputError) as err:
        check_xlsx("many.xlsx", many)
    assert [i.code for i in err.value.issues] == ["xlsx-too-many-parts"]
    wb = openpyxl.Workbook()
    for i in range(MAX_SHEETS):
        wb.create_sheet(f"s{i}")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as err:
        check_xlsx("sheets.xlsx", buf.getvalue())
    assert [i.code for i in err.value.issues] == ["xlsx-too-many-sheets"]
    assert f"{MAX_SHEETS + 1} 个工作表" in err.value.issues[0].message


def test_a_part_that_inflates_past_its_declared_size_is_refused():
    with pytest.raises(InputError) as err:
        check_xlsx("short.xlsx", understated(small_workbook()))
    assert [i.code for i in err.value.issues] == ["xlsx-unreadable"]
    assert SHEET in err.value.issues[0].message


def test_two_workbooks_in_one_file_are_refused_whichever_a_reader_would_pick():
    # a reader that finds the first directory sees the bomb, one that finds the last a harmless sheet
    for data in (bomb() + small_workbook(), b"junk before the zip" + small_workbook()):
        with pytest.raises(InputError) as err:
            check_xlsx("two.xlsx", data)
        assert [i.code for i in err.value.issues] == ["xlsx-unreadable"]
        assert "压缩结构有歧义" in err.value.issues[0].message


def test_a_workbook_that_lies_in_its_dimension_is_judged_by_its_cells():
    # says A1:D2, reaches XFD1048576: refused
    small_lie = with_rows(XFD, dimension=b"A1:D2")
    with pytest.raises(InputError) as err:
        check_xlsx("lie.xlsx", small_lie)
    assert "XFD1048576" in err.value.issues[0].message
    # says A1:XFD1048576, holds A1:D2: read, as it always was
    big_lie = with_rows(b"", dimension=b"A1:XFD1048576")
    [(sheet, header, body)] = read_sheets(InputFile("big-lie.xlsx", big_lie), RESULT_COLUMNS)
    assert (sheet, header, body.shape) == ("测评结果", ["期次", "单位编码", "测评点编码", "结果"], (1, 4))


# a far cell spelled every way an XML parser accepts it, and cells placed without a reference
SPELLINGS = {
    "blanks around =": b'<row r="1048576"><c r = "XFD1048576" t="n"><v>1</v></c></row>',
    "single quotes": b"<row r='1048576'><c r='XFD1048576' t='n'><v>1</v></c></row>",
    "namespace prefix": b'<row r="1048576"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    b' r="XFD1048576" t="n"><x:v>1</x:v></x:c></row>',
    "lower case": b'<row r="1048576"><c r="xfd1048576" t="n"><v>1</v></c></row>',
    "leading zeros": b'<row r="1048576"><c r="XFD0001048576" t="n"><v>1</v></c></row>',
    "four letters": b'<row r="3"><c r="ZZZZ3" t="n"><v>1</v></c></row>',
    "eight digits": b'<row r="3"><c r="A99999999" t="n"><v>1</v></c></row>',
    "no reference after a far one": b'<row r="9"><c r="ALK9" t="n"><v>1</v></c><c t="n"><v>2</v></c></row>',
    "a row of 1001 unplaced cells": b"<row>" + b'<c t="n"><v>1</v></c>' * (MAX_COLUMNS + 1) + b"</row>",
    "a row far below, then wide": b'<row r="1000000"><c r="A1000000"><v>1</v></c>'
    + b"".join(b'<c r="%s1000000"><v>1</v></c>' % column_letters(i).encode() for i in (13, 14))
    + b"</row>",
}


def test_every_spelling_of_a_far_cell_is_refused_in_a_child_that_lives(tmp_path):
    paths = []
    for i, xml in enumerate(SPELLINGS.values()):
        paths.append(tmp_path / f"v{i}.xlsx")
        paths[-1].write_bytes(with_rows(xml))
    p = child("""
        import json
        from scoring.errors import InputError
        from scoring.tables import RESULT_COLUMNS, InputFile, read_sheets
        out = []
        for path in sys.argv[1:]:
            try:
                read_sheets(InputFile.from_path(path), RESULT_COLUMNS)
                out.append("read")
            except InputError as exc:
                out.append(exc.issues[0].code)
        print(json.dumps(out))
        """, *map(str, paths))  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    assert dict(zip(SPELLINGS, json.loads(p.stdout), strict=True)) == dict.fromkeys(SPELLINGS, "sheet-too-large")


def test_formulas_without_a_cached_value_are_located_not_taken_as_not_yet_filled():
    rows = (b'<row r="3"><c r="A3" t="inlineStr"><is><t>2024Q1</t></is></c><c r="D3"><f>1+0</f></c></row>'
            b'<row r="4"><c r="A4" t="inlineStr"><is><t>2024Q1</t></is></c><c r="D4"><f>1+0</f><v>1</v></c></row>'
            b'<row r="5"><c r="C5"><f t="shared" si="0"/></c></row>')  # fmt: skip
    frame, _, issues = read_result_files([InputFile("gen.xlsx", with_rows(rows))], pending_allowed=True)
    assert [(i.code, i.sheet, i.row, i.column) for i in issues] == [
        ("formula-without-value", "测评结果", 3, "D"),
        ("formula-without-value", "测评结果", 5, "C"),
    ]
    assert "单元格含公式但没有计算结果" in issues[0].message and "请在 Excel 中打开并保存后再上传" in issues[0].message
    assert frame.empty


def test_import_of_a_generated_workbook_with_formulas_exits_2_naming_the_cell(tmp_path):
    f = tmp_path / "gen.xlsx"
    f.write_bytes(with_rows(b'<row r="3"><c r="D3"><f>1+0</f></c></row>'))
    db = tmp_path / "s.db"
    open_periods(db)
    p = assess("import", "--db", db, "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
               "--results", f)  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert f"{f} 工作表「测评结果」 第 3 行 列「D」: 单元格含公式但没有计算结果" in p.stderr
    assert "未填" not in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "sample_data" / "results").glob("*.xlsx")), ids=lambda p: p.name)
def test_shipped_workbooks_pass_and_their_extent_is_what_calamine_reads(path):
    import python_calamine

    data = path.read_bytes()
    extents = {e.name: e for e in check_xlsx(path.name, data)}
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert extents[name].rows >= len(rows)
        assert extents[name].columns >= max((len(r) for r in rows), default=0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 60), st.integers(-5, 5)), min_size=1, max_size=30))
def test_the_scanned_extent_is_the_furthest_cell_written(cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, col, value in cells:
        ws.cell(row=row, column=col, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    (extent,) = check_xlsx("p.xlsx", buf.getvalue())
    assert (extent.rows, extent.columns) == (max(r for r, _, _ in cells), max(c for _, c, _ in cells))
    assert extent.formula_count == 0


def test_a_stored_workbook_zip_is_scanned_the_same_as_a_deflated_one():
    data = small_workbook()
    stored = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    [(_, _, body)] = read_sheets(InputFile("stored.xlsx", stored.getvalue()), RESULT_COLUMNS)
    assert body.values.tolist() == [["2024Q1", "C01", "D1.1.1", "1"]]


def test_a_table_past_the_byte_limit_is_refused_before_it_is_read(tmp_path):
    f = tmp_path / "huge.csv"
    with open(f, "wb") as fh:
        fh.write("期次,单位编码,测评点编码,结果\n".encode())
        fh.truncate(1_100_000_000)  # sparse: a 1 GB file that costs the disk nothing
    p = assess("score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv", "--results", f,
               "--out", tmp_path / "out")  # fmt: skip
    assert p.returncode == 2, p.stderr[-2000:]
    assert f"{f}: 文件大于 100 MB,超过 100 MB 的上限" in p.stderr
    assert peak_mb(p) < 400


def test_a_csv_field_of_90_mb_is_a_located_error_in_bounded_memory(tmp_path):
    f = tmp_path / "field.csv"
    f.write_bytes(b"period,unit_id,check_id,value\n2024Q1,C01,D1.1.1,1\n2024Q1,C01,D1.1.2,\"" + b"x" * 90_000_000
                  + b'"\n')  # fmt: skip
    p = assess("score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv", "--results", f,
               "--out", tmp_path / "out")  # fmt: skip
    assert p.returncode == 2, p.stderr[-2000:]
    assert f"{f} 第 3 行: 单元格超过 32,767 个字符" in p.stderr
    assert peak_mb(p) < 450  # the file itself is 90 MB; read as text it took ten times that


def test_a_csv_cell_just_within_the_limit_is_read(tmp_path):
    text = "period,unit_id,check_id,value,note\n2024Q1,C01,D1.1.1,1," + "注" * 32_767 + "\n"
    [(_, _, body)] = read_sheets(InputFile("ok.csv", text.encode()), RESULT_COLUMNS)
    assert body[4].str.len().tolist() == [32_767]


def test_an_xlsx_cell_of_a_workbook_excel_could_write_is_read():
    long = "注" * 32_767  # Excel's own longest cell
    [(_, _, body)] = read_sheets(InputFile("ok.xlsx", small_workbook([["2024Q1", "C01", "D1.1.1", long]])),
                                 RESULT_COLUMNS)  # fmt: skip
    assert len(body.iloc[0, 3]) == 32_767


def test_read_sheets_keeps_its_signature_for_the_records_reader():
    import inspect

    assert list(inspect.signature(read_sheets).parameters) == ["f", "columns"]


def test_a_path_is_read_no_further_than_the_limit(tmp_path: Path):
    f = tmp_path / "big.bin"
    with open(f, "wb") as fh:
        fh.truncate(300 * 2**20)
    assert len(InputFile.from_path(f).data) == 100 * 2**20 + 1
