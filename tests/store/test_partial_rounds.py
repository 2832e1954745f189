"""A round filled the way offices fill one (SPEC extension 2a, issue 17): the office opens the period,
evaluators upload the template part-filled, then again with more filled in, and publish.

- an empty 结果 is a result not yet recorded: skipped, counted, missing until publication;
- the same template again adds only its new rows; a changed result is refused, naming both;
- a period that is not open, or is no period id, is refused, naming the open ones.
"""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from helpers import ROOT, filled_template
from scoring import InputError, InputFile
from scoring.store import open_store
from scoring.store.publish import publish
from scoring.store.rounds import import_results, open_periods, open_round, round_assessment, set_status
from scoring.store.users import OPERATOR, User
from scoring.views.explain import missing_results

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
OFFICE = User("考核办", "admin")
EVALUATOR = User("评估", "evaluator")


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)  # fmt: skip


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    open_round(s, "2017Q3", OFFICE, "2017年第三季度")
    return s


def test_blank_then_partial_then_complete_then_publish(store, tmp_path):
    p = cli("template", "--rubric", RUBRIC, "--units", UNITS, "--period", "2017Q3", "--out", tmp_path / "t.xlsx")
    assert p.returncode == 0, p.stderr
    template = (tmp_path / "t.xlsx").read_bytes()
    total = openpyxl.load_workbook(tmp_path / "t.xlsx")["测评结果"].max_row - 1

    with pytest.raises(InputError) as blank:
        import_results(store, RUBRIC, UNITS, [InputFile("blank.xlsx", template)], EVALUATOR)
    assert f"没有已填写的结果可导入({total} 行尚未填写结果)" in str(blank.value)

    half = import_results(store, RUBRIC, UNITS, [InputFile("模板.xlsx", filled_template(template, 0.5))], EVALUATOR)
    assert half.pending == total - half.rows and half.rows == round(total * 0.5)
    missing = missing_results(round_assessment(store, "2017Q3"), "2017Q3")
    assert int(missing["missing"].sum()) == half.pending  # reported as missing until recorded

    # the same workbook, now complete, uploaded again under the same name: only the new rows are added
    full = import_results(store, RUBRIC, UNITS, [InputFile("模板.xlsx", filled_template(template, 1.0))], EVALUATOR)
    assert (full.rows, full.already, full.pending) == (total - half.rows, half.rows, 0)
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == total
    assert missing_results(round_assessment(store, "2017Q3"), "2017Q3").empty

    set_status(store, "2017Q3", "feedback", OFFICE)
    set_status(store, "2017Q3", "appeal", OFFICE)
    assert publish(store, "2017Q3", OFFICE) == 1  # complete: no --allow-missing needed


def test_the_command_counts_what_is_not_yet_recorded(store, tmp_path):
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2017Q3.csv", dtype=str, keep_default_na=False)
    frame.loc[frame.index[:7], "value"] = ""
    frame.to_csv(tmp_path / "r.csv", index=False)
    p = cli("import", "--db", store.path, "--rubric", RUBRIC, "--units", UNITS, "--results", tmp_path / "r.csv")
    assert p.returncode == 0, p.stderr
    assert "7 行尚未填写结果,已跳过" in p.stdout
    score = cli("score", "--rubric", RUBRIC, "--units", UNITS, "--results", tmp_path / "r.csv", "--out", tmp_path / "o")
    assert score.returncode == 2 and "必填单元格为空" in score.stderr  # assess score keeps SPEC §2's rule


@pytest.mark.parametrize(("period", "says"), [
    ("2018Q1", "期次 2018Q1 尚未开启,不能导入;已开启的期次:2017Q3"),
    ("2018 Q1", "期次编码 “2018 Q1” 无效"),
    ("x" * 33, "无效:须为 1 到 32 个字母、数字"),
])  # fmt: skip
def test_a_period_not_opened_or_malformed_is_refused_at_its_row(store, tmp_path, period, says):
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2017Q3.csv", dtype=str, keep_default_na=False)
    frame.loc[frame.index[3:], "period"] = period
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [InputFile("r.csv", frame.to_csv(index=False).encode())], EVALUATOR)
    [issue] = info.value.issues
    assert says in issue.message and (issue.row, issue.column) == (5, "期次")
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 0


def test_the_office_opens_periods_from_the_command_line(store_location):
    db = store_location
    p = cli("rounds", "--db", db, "--open", "--period", "2018Q9x!")
    assert p.returncode == 2 and "无效" in p.stderr
    assert cli("rounds", "--db", db, "--open", "--period", "2017Q3", "--title", "2017年第三季度").returncode == 0
    again = cli("rounds", "--db", db, "--open", "--period", "2017Q3")
    assert again.returncode == 2 and "已经开启" in again.stderr
    assert "2017Q3\t已开启,尚无结果" in cli("rounds", "--db", db).stdout
    assert list(open_periods(open_store(db))["title"]) == ["2017年第三季度"]
    s = open_store(db)
    with pytest.raises(InputError, match="角色无权"):
        open_round(s, "2017Q4", EVALUATOR)  # the office opens rounds, not the evaluator
    open_round(s, "2017Q4", User("cli", OPERATOR))
