"""A CSV cell longer than a spreadsheet cell can hold is refused at its row and column, whether
its column is free text or coded (issue 34: the coded columns' lengths are checked on their
distinct texts, not spelled out row by row)."""

from __future__ import annotations

import pytest

from scoring import InputFile
from scoring.limits import MAX_CELL_CHARS
from scoring.tables import read_result_files

HEADER = "period,unit_id,check_id,value,evidence,note,evaluator,checked_at"


@pytest.mark.parametrize(("column", "name"), [(1, "unit_id"), (4, "evidence"), (6, "evaluator")])
@pytest.mark.parametrize("size", [MAX_CELL_CHARS, MAX_CELL_CHARS + 1])
def test_a_cell_past_the_limit_is_named_at_its_row_and_column(column, name, size):
    rows = [["2017Q3", f"U{i}", "C1", "1", f"截图{i}.png", "", "测评人", "2017-09-16"] for i in range(6)]
    rows[3][column] = "长" * size
    data = "\n".join([HEADER, *(",".join(r) for r in rows)]).encode()
    frame, _, issues = read_result_files([InputFile("r.csv", data)])
    if size <= MAX_CELL_CHARS:
        assert issues == [] and frame[name].iloc[3] == "长" * size
        return
    [issue] = issues
    assert (issue.code, issue.file, issue.row, issue.column) == ("cell-too-long", "r.csv", 5, name)
