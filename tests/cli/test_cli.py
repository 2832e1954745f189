"""The `assess` command: exit codes, summaries, files written or not written at all."""

import argparse
import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from helpers import ROOT

EXAMPLE = ROOT / "docs" / "example"


def assess(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_validate_prints_a_summary():
    p = assess("validate", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv")
    assert p.returncode == 0, p.stderr
    assert "指标体系 example「示例考核细则」版本 1.0:有效" in p.stdout
    assert "disclosure 政务公开(政务公开类)权重 4.00% = 4 分" in p.stdout
    assert "county 县区政府:2 个单位;测评点 7 个;disclosure 45 分" in p.stdout
    assert "department 市直部门:1 个单位;测评点 6 个;disclosure 40 分" in p.stdout


def test_validate_without_roster_counts_points_per_group():
    p = assess("validate", EXAMPLE / "rubric.yaml")
    assert p.returncode == 0, p.stderr
    assert "county 县区政府:测评点 7 个;disclosure 45 分" in p.stdout


def test_validate_refuses_with_exit_2_and_file_line_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLE / "rubric.yaml").read_text(encoding="utf-8").replace("weight: 0.04", "weight: 0.039"))
    p = assess("validate", bad)
    assert p.returncode == 2
    assert f"{bad}:15: tracks[disclosure].weight: 政务公开轨道的权重为 0.039,不得低于 0.04" in p.stderr
    assert "Traceback" not in p.stderr


def test_score_writes_the_four_files_with_the_worked_example_numbers(tmp_path):
    out = tmp_path / "out"
    p = assess(
        "score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
        "--results", EXAMPLE / "results.csv", "--out", out,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    units = pd.read_csv(out / "unit_scores.csv", dtype=str, keep_default_na=False)
    assert list(units.columns) == [
        "period", "track", "group", "unit_id", "unit_name", "base", "bonus", "score",
        "vetoed", "grade", "rank", "rank_of", "target_points",
    ]  # fmt: skip
    assert units.values.tolist() == [
        ["2017Q3", "disclosure", "county", "C01", "甲县", "77.78", "4.00", "81.78", "false", "良好", "1", "2", "3.27"],
        ["2017Q3", "disclosure", "county", "C02", "乙县", "71.43", "0.00", "59.00", "true", "不合格", "2", "2", "2.36"],
        [
            "2017Q3",
            "disclosure",
            "department",
            "M01",
            "市财政局",
            "62.50",
            "2.00",
            "64.50",
            "false",
            "合格",
            "1",
            "1",
            "2.58",
        ],
    ]
    dims = pd.read_csv(out / "dimension_scores.csv", dtype=str, keep_default_na=False)
    assert dims.iloc[1].tolist() == ["2017Q3", "disclosure", "C01", "D2", "19", "25", "76.00"]
    checks = pd.read_csv(out / "check_scores.csv", dtype=str, keep_default_na=False)
    deduct = checks[(checks["unit_id"] == "C01") & (checks["check_id"] == "D1.1.2")].iloc[0]
    assert deduct[["status", "value", "earned", "max", "lost", "findings", "evidence"]].tolist() == [
        "scored", "2", "6", "10", "4", "2", "缺 8 月 | 缺 9 月",
    ]  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rubric"]["id"] == "example"
    assert [i["rows"] for i in manifest["inputs"]] == [3, 21]
    assert len(manifest["rubric"]["sha256"]) == 64
    assert manifest["periods"] == ["2017Q3"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["unit_scores.csv", "dimension_scores.csv", "check_scores.csv", "manifest.json"]
    )


def test_score_on_invalid_input_writes_nothing_and_exits_2(tmp_path):
    results = tmp_path / "results.csv"
    text = (EXAMPLE / "results.csv").read_text(encoding="utf-8")
    text = text.replace("2017Q3,C01,D2.1.1,良,", "2017Q3,C01,D2.1.1,很好,")
    results.write_text(text + "2017Q3,C99,D2.1.1,1,\n", encoding="utf-8")
    out = tmp_path / "out"
    p = assess(
        "score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
        "--results", results, "--out", out,
    )  # fmt: skip
    assert p.returncode == 2
    value = f"{results} 第 5 行 列「结果」: 测评点 D2.1.1 不接受结果 “很好”"
    assert value in p.stderr
    unit = p.stderr.index("单位编码 C99 不在单位名单中")
    assert p.stderr.index(value) < unit  # in file order, though found after the unknown unit
    assert "未写入任何文件" in p.stderr
    assert not out.exists()


def test_score_on_invalid_input_keeps_earlier_output_untouched(tmp_path):
    out = tmp_path / "out"
    args = ["score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv", "--out", out]
    assert assess(*args, "--results", EXAMPLE / "results.csv").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    p = assess(*args, "--results", broken)
    assert p.returncode == 2
    assert "无法作为 Excel 工作簿(.xlsx)读取" in p.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "nope.yaml"],
        ["score", "--rubric", "nope.yaml", "--units", "nope.csv", "--results", "nope.csv", "--out", "o"],
    ],
)
def test_missing_files_are_a_user_error_not_a_traceback(tmp_path, args):
    p = assess(*args, cwd=tmp_path)
    assert p.returncode == 2
    assert "文件不存在" in p.stderr
    assert "Traceback" not in p.stderr


def test_template_command_writes_a_workbook(tmp_path):
    out = tmp_path / "t" / "2017Q3.xlsx"
    p = assess("template", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
               "--period", "2017Q3", "--out", out)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "20 行待填写" in p.stdout
    assert out.exists()


def test_installed_console_script_runs():
    exe = shutil.which("assess")
    assert exe, "the package must install the `assess` command"
    p = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert p.returncode == 0
    assert p.stdout.startswith("assess ")


def test_a_reader_that_stops_early_is_no_internal_error():
    """``assess schema | head -1``: the pipe closes before the output is written."""
    proc = subprocess.Popen([sys.executable, "-m", "scoring.cli", "schema"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    proc.stdout.close()  # before the command has started writing: every write finds no reader
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 141  # as a shell tool stopped by SIGPIPE ends
    assert err == ""


def test_lists_print_blanks_never_nan_or_none(tmp_path):
    """issue 27, finding 10: an account without a unit, an appeal not yet decided."""
    from scoring.store import open_store
    from scoring.store.accounts import User, add_user
    from scoring.store.appeals import decide_appeal, file_appeal
    from ui.demo import seed_demo

    db = tmp_path / "assess.db"
    store = open_store(db)
    seed_demo(store)  # 2018Q2 in its appeal window with 萧县's appeal 1
    file_appeal(store, "2018Q2", "341322", "GK1.1.1", "栏目已更新", "", User("xiaoxian", "unit", "341322"))
    decide_appeal(store, 1, "upheld", "截图为测评时页面", User("tester", "evaluator"))
    add_user(store, "boss", "admin", "correct-horse-1", User("op", "operator"))
    add_user(store, "xiaoxian", "unit", "correct-horse-1", User("boss", "admin"), unit_id="341322")
    store.close()
    appeals = assess("appeal", "list", "--db", db)
    users = assess("user", "list", "--db", db)
    rounds = assess("rounds", "--db", db)
    for p in (appeals, users, rounds):
        assert p.returncode == 0, p.stderr
        assert "nan" not in p.stdout and "None" not in p.stdout, p.stdout
    lines = appeals.stdout.splitlines()
    assert lines[0].endswith(
        "\t维持原结果\t测评所指“通知公告”栏目已于测评前更新,测评时因缓存显示旧页面\t复核:截图为测评时页面"
    )
    assert lines[1] == "2\t2018Q2\t341322\tGK1.1.1\t待复核\t栏目已更新"
    assert users.stdout.startswith("boss\t考核办\t\t正常\t")


def test_score_excel_writes_chinese_copies_beside_the_unchanged_spec_files(tmp_path):
    """Issue 29 item 12: what a person opens in Excel on Chinese Windows, while scripts keep SPEC §3."""
    plain, excel = tmp_path / "plain", tmp_path / "excel"
    args = ["score", "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
            "--results", EXAMPLE / "results.csv"]  # fmt: skip
    assert assess(*args, "--out", plain).returncode == 0
    p = assess(*args, "--out", excel, "--excel")
    assert p.returncode == 0, p.stderr
    assert "供 Excel 打开的副本" in p.stdout and str(excel / "excel" / "单位得分.csv") in p.stdout
    for name in ("unit_scores.csv", "dimension_scores.csv", "check_scores.csv"):
        assert (excel / name).read_bytes() == (plain / name).read_bytes()  # the contract's files untouched
    assert not (plain / "excel").exists()
    assert sorted(f.name for f in (excel / "excel").iterdir()) == ["一级指标得分.csv", "单位得分.csv", "测评点得分.csv"]

    raw = (excel / "excel" / "单位得分.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    units = pd.read_csv(excel / "excel" / "单位得分.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(units.columns) == ["期次", "轨道", "分组", "单位编码", "单位名称", "基础分", "加分", "得分", "单项否决",
                                   "等次", "排名", "参评单位数", "目标管理分"]  # fmt: skip
    assert units.values.tolist()[:2] == [
        ["2017Q3", "政务公开", "县区政府", "C01", "甲县", "77.78", "4.00", "81.78", "否", "良好", "1", "2", "3.27"],
        ["2017Q3", "政务公开", "县区政府", "C02", "乙县", "71.43", "0.00", "59.00", "是", "不合格", "2", "2", "2.36"],
    ]
    checks = pd.read_csv(excel / "excel" / "测评点得分.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = checks[(checks["单位编码"] == "C01") & (checks["测评点编码"] == "D1.1.2")].iloc[0]
    assert (row["测评点"], row["计分方法"], row["情况"], row["测评结果"], row["失分"]) == (
        "财政信息按月公开", "逐项扣分", "已测评", "2 条", "4")  # fmt: skip
    assert set(checks["情况"]) <= {"已测评", "不涉及", "缺少结果"}
    ratio = checks[(checks["单位编码"] == "C01") & (checks["测评点编码"] == "D2.1.2")].iloc[0]
    assert ratio["测评结果"] == "80%"  # the fraction 0.8 as the pages show it
    dims = pd.read_csv(excel / "excel" / "一级指标得分.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert dims.iloc[0][["单位名称", "一级指标", "得分", "满分", "得分率%"]].tolist() == [
        "甲县",
        "主动公开",
        "16",
        "20",
        "80.00",
    ]


def test_help_is_chinese_beside_english_for_every_command_and_option():
    """Issue 29 item 12: argparse's own words and every command's and option's help."""
    from scoring.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert len(sub.choices) >= 18
    for name, command in sub.choices.items():
        summary = next(c.help for c in sub._choices_actions if c.dest == name)
        assert re.search(r"[\u4e00-\u9fff]", summary) and re.search(r"\([a-z][^)]*\)$", summary), name
        for action in command._actions:
            assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), (name, action.dest)
    p = assess("score", "--help")
    assert p.returncode == 0
    assert p.stdout.startswith("用法 usage: assess score") and "选项 options:" in p.stdout
    assert "显示本帮助并退出(show this help message and exit)" in p.stdout and "--excel" in p.stdout
    wrong = assess("score", "--rubric", "x")
    assert wrong.returncode == 2
    assert "错误 error: 缺少必需的参数:--units, --results, --out(the following arguments are required" in wrong.stderr
    assert "无法识别的参数:--nope" in assess("schema", "--nope").stderr
