"""A cell holding U+0000 is refused where the file is read, at its row and column, every one at
once, on every path of the readers (issue 30: PostgreSQL cannot store it and refused the whole
import with a message that named no row)."""

from __future__ import annotations

import pytest

from scoring import InputError, InputFile, read_roster
from scoring.tables import read_result_files

HEADER = "period,unit_id,check_id,value,evidence,note,evaluator,checked_at"


def _rows(n: int = 8) -> list[list[str]]:
    return [["2017Q3", f"U{i}", "C1", "1", f"截图{i}.png 见「附件」", "", "测评人", "2017-09-16"] for i in range(n)]


def _located(issues) -> list[tuple[str, int, str]]:
    return sorted((i.code, i.row, i.column) for i in issues)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_every_nul_cell_is_named_at_its_row_and_column(encoding):
    rows = _rows()
    rows[2][4] = "截图\x00.png"  # free text
    rows[5][1] = "U\x005"  # a coded column
    rows[6][7] = "2017-09-16\x00"
    data = "\n".join([HEADER, *(",".join(r) for r in rows)]).encode(encoding)
    _, _, issues = read_result_files([InputFile("r.csv", data)])
    nul = [i for i in issues if i.code == "nul-character"]
    assert _located(nul) == [("nul-character", 4, "佐证"), ("nul-character", 7, "单位编码"),
                             ("nul-character", 8, "测评时间")]  # fmt: skip
    assert all(i.file == "r.csv" and "U+0000" in i.message for i in nul)


def test_a_nul_after_a_cell_of_several_lines_is_named_at_its_record_not_its_line():
    rows = _rows()
    rows[1][4] = '"栏目最近更新 2017-09-01;\n抽查 3 条,1 条超期"'
    rows[4][5] = "备注\x00"
    data = "\n".join([HEADER, *(",".join(r) for r in rows)]).encode()
    _, _, issues = read_result_files([InputFile("r.csv", data)])
    assert _located(issues) == [("nul-character", 6, "备注")]


def test_a_file_without_nul_reads_as_before():
    data = "\n".join([HEADER, *(",".join(r) for r in _rows())]).encode()
    frame, _, issues = read_result_files([InputFile("r.csv", data)])
    assert issues == [] and len(frame) == 8


def test_a_roster_name_with_nul_is_refused_at_its_row():
    data = "unit_id,name,group\nU1,甲县人民政府,county\nU2,乙县\x00人民政府,county\n".encode()
    with pytest.raises(InputError) as e:
        read_roster(InputFile("units.csv", data))
    assert [(i.code, i.row, i.column) for i in e.value.issues] == [("nul-character", 3, "单位名称")]
