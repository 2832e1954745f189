"""Every way a user can feed the readers ends in exit 0 with the right scores or exit 2 with a
located message: never a traceback, never exit 1, never a hang, nothing written on error
(SPEC §3 and extensions 1b, 2a; issue 14).

Each case runs the real ``assess`` command in its own process with a time limit, so a hang or
a runaway allocation fails the test instead of the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import ROOT, open_periods

EXAMPLE = ROOT / "docs" / "example"
RUBRIC = (EXAMPLE / "rubric.yaml").read_text(encoding="utf-8")
RESULTS = (EXAMPLE / "results.csv").read_text(encoding="utf-8")
HANG = 60  # seconds: far above any case's real time, only there to turn a hang into a failure


def assess(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=HANG, cwd=ROOT)  # fmt: skip


def score(tmp_path: Path, *results: Path, rubric: Path | None = None, units: Path | None = None):
    out = tmp_path / "out"
    p = assess("score", "--rubric", rubric or EXAMPLE / "rubric.yaml", "--units", units or EXAMPLE / "units.csv",
               "--results", *results, "--out", out)  # fmt: skip
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode in (0, 2), p.stderr
    if p.returncode == 2:
        assert not out.exists() or not any(out.iterdir()), "nothing may be written on error"
    return p, out


def unit_scores(out: Path) -> list[list[str]]:
    return pd.read_csv(out / "unit_scores.csv", dtype=str, keep_default_na=False).values.tolist()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def with_value(check: str, unit: str, value: str) -> str:
    """The example round with one cell changed."""
    lines = RESULTS.splitlines()
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[1:3] == [unit, check]:
            cells[3] = value
            lines[i] = ",".join(cells)
            return "\n".join(lines) + "\n"
    raise AssertionError(f"{unit} {check} not in the example")


# --- results ---------------------------------------------------------------------------------


def test_the_same_results_file_twice_is_refused_naming_both(tmp_path):
    r = write(tmp_path / "r.csv", RESULTS)
    p, _ = score(tmp_path, r, r)
    assert p.returncode == 2
    assert "第 2 个结果文件与第 1 个" in p.stderr and str(r) in p.stderr


def test_a_copy_of_a_results_file_is_refused_as_the_same_content(tmp_path):
    a, b = write(tmp_path / "a.csv", RESULTS), write(tmp_path / "b.csv", RESULTS)
    p, _ = score(tmp_path, a, b)
    assert p.returncode == 2 and "内容完全相同" in p.stderr


def test_the_same_file_twice_into_the_store_is_refused_too(tmp_path):
    r = write(tmp_path / "r.csv", RESULTS)
    db = tmp_path / "s.db"
    open_periods(db)
    p = assess("import", "--db", db, "--rubric", EXAMPLE / "rubric.yaml", "--units", EXAMPLE / "units.csv",
               "--results", r, r)  # fmt: skip
    assert (p.returncode, "Traceback" in p.stderr) == (2, False), p.stderr
    assert "第 2 个结果文件与第 1 个" in p.stderr


@pytest.mark.parametrize("count", ["1e308", "inf", "-inf", "NaN", "1e3", "1000000001", "0x10", "3.5", "-1", "１e３"])
def test_a_count_that_is_no_whole_number_in_digits_is_located(tmp_path, count):
    p, _ = score(tmp_path, write(tmp_path / "r.csv", with_value("D3.1.1", "C01", count)))
    assert p.returncode == 2
    assert "r.csv 第 8 行 列「结果」" in p.stderr  # the row a person sees, header = row 1
    assert "0 到 1000000000 之间的整数" in p.stderr


@pytest.mark.parametrize(("count", "read"), [("3", "3"), ("3.0", "3"), (" 3 ", "3"), ("３", "3"),
                                            ("1000000000", "1000000000")])  # fmt: skip
def test_counts_in_digits_are_read(tmp_path, count, read):
    p, out = score(tmp_path, write(tmp_path / "r.csv", with_value("D3.1.1", "C01", count)))
    assert p.returncode == 0, p.stderr
    checks = pd.read_csv(out / "check_scores.csv", dtype=str).set_index(["unit_id", "check_id"])
    assert checks.loc[("C01", "D3.1.1"), "value"] == read


@pytest.mark.parametrize(
    ("value", "same_as"), [("ＮＡ", "NA"), ("８０％", "80%"), ("０.８０", "0.80"), ("８０．０％", "80%")]
)
def test_full_width_forms_mean_their_ascii_twins(tmp_path, value, same_as):
    """A Chinese IME types full-width characters; NFKC makes them the ASCII the evaluator meant."""
    _, wide = score(tmp_path / "a", write(tmp_path / "a.csv", with_value("D2.1.2", "C01", value)))
    _, plain = score(tmp_path / "b", write(tmp_path / "b.csv", with_value("D2.1.2", "C01", same_as)))
    assert unit_scores(wide) == unit_scores(plain)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_chinese_excel_csv_scores_exactly_as_its_utf8_twin(tmp_path, encoding):
    _, utf8 = score(tmp_path / "u", write(tmp_path / "u.csv", RESULTS))
    p, gbk = score(tmp_path / "g", write(tmp_path / "g.csv", RESULTS, encoding))
    assert p.returncode == 0, p.stderr
    assert "不是 UTF-8 编码,已按 GB18030(GBK)读取" in p.stderr
    assert unit_scores(gbk) == unit_scores(utf8)
    checks = [pd.read_csv(d / "check_scores.csv", dtype=str) for d in (utf8, gbk)]
    pd.testing.assert_frame_equal(*checks)  # the evidence text too


def test_a_gbk_roster_is_read_too(tmp_path):
    units = write(tmp_path / "units.csv", (EXAMPLE / "units.csv").read_text(encoding="utf-8"), "gbk")
    p, out = score(tmp_path, EXAMPLE / "results.csv", units=units)
    assert p.returncode == 0, p.stderr
    assert {r[4] for r in unit_scores(out)} == {"甲县", "乙县", "市财政局"}


def test_a_gbk_file_with_a_blank_line_takes_the_careful_reader(tmp_path):
    text = RESULTS.replace("\n2017Q3,C02,D1.1.1", "\n\n2017Q3,C02,D1.1.1", 1)
    p, out = score(tmp_path, write(tmp_path / "g.csv", text, "gb18030"))
    assert p.returncode == 0, p.stderr
    assert len(unit_scores(out)) == 3


def test_a_header_only_csv_names_its_file(tmp_path):
    r = write(tmp_path / "empty.csv", "period,unit_id,check_id,value\n")
    p, _ = score(tmp_path, r)
    assert p.returncode == 2
    assert f"{r}: 文件只有表头,没有任何结果行" in p.stderr


def test_a_csv_with_a_hundred_thousand_columns_is_read_by_its_known_ones(tmp_path):
    extra = ",".join(f"x{i}" for i in range(100_000))
    lines = RESULTS.splitlines()
    text = "\n".join([f"{lines[0]},{extra}", *(f"{line},{'a,' * 99_999}a" for line in lines[1:])]) + "\n"
    p, out = score(tmp_path, write(tmp_path / "wide.csv", text))
    assert p.returncode == 0, p.stderr
    _, plain = score(tmp_path / "p", EXAMPLE / "results.csv")
    assert unit_scores(out) == unit_scores(plain)


def test_a_wide_file_without_a_results_header_says_which_columns_it_lacks(tmp_path):
    r = write(tmp_path / "w.csv", ",".join(f"x{i}" for i in range(100_000)) + "\n" + "a," * 99_999 + "a\n")
    p, _ = score(tmp_path, r)
    assert p.returncode == 2 and "缺少必需的列" in p.stderr


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("r.csv", b"\x00\x01\x02\x03" * 1000),
        ("r.csv", b'period,unit_id,check_id,value\n"2017Q3,C01,D1.1.1,1\n'),  # an unclosed quote
        ("r.csv", b"\xef\xbb\xbf"),
        ("r.xlsx", b"PK\x03\x04 not really a zip"),
        ("r.xlsx", b""),
        ("r.json", b"{}"),
    ],
)
def test_files_that_are_not_results_get_exit_2(tmp_path, name, data):
    r = tmp_path / name
    r.write_bytes(data)
    p, _ = score(tmp_path, r)
    assert p.returncode == 2 and str(r) in p.stderr


def test_a_directory_given_as_a_file(tmp_path):
    p, _ = score(tmp_path, tmp_path)
    assert p.returncode == 2 and "无法读取文件" in p.stderr


# --- rubric ----------------------------------------------------------------------------------

BOMB = "".join(f"{k}: &{k} [{', '.join(['*' + p] * 9 if p else ['x'] * 9)}]\n"
               for k, p in zip("abcdefghi", ["", *"abcdefgh"], strict=True))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BOMB, "别名展开后超过 1,000,000 个节点"),
        ("a: &a [*a]\n", "循环引用"),
        ("[" * 5000 + "]" * 5000, "嵌套"),
        ("a:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(200)), "嵌套超过 50 层"),
        ("{{{{[[[[", "YAML 语法错误"),
    ],
)
def test_hostile_yaml_is_refused_quickly_with_one_message(tmp_path, text, says):
    bad = write(tmp_path / "bad.yaml", text)
    p = assess("validate", bad)
    assert (p.returncode, "Traceback" in p.stderr) == (2, False), p.stderr
    assert says in p.stderr and str(bad) in p.stderr
    assert p.stderr.count("\n") <= 2  # the count line and one message


def test_a_levels_map_reused_through_an_anchor_is_fine(tmp_path):
    text = RUBRIC.replace(
        "levels: {优: 1, 良: 0.8, 中: 0.6, 差: 0}", "levels: &grades {优: 1, 良: 0.8, 中: 0.6, 差: 0}"
    )
    assert "&grades" in text
    p = assess("validate", write(tmp_path / "r.yaml", text))
    assert p.returncode == 0, p.stderr


def test_a_rubric_over_5_mib_is_refused_without_reading_it_whole(tmp_path):
    big = write(tmp_path / "big.yaml", RUBRIC + "#" + "x" * (5 * 1024 * 1024) + "\n")
    p = assess("validate", big)
    assert p.returncode == 2 and "超过 5 MiB 上限" in p.stderr


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        (
            "points: 10\n                criteria: 未完善的不得分",
            "points: .inf\n                criteria: 未完善的不得分",
            "tracks[disclosure].dimensions[D1].indicators[D1.1].checks[D1.1.1].points",
        ),
        ("per_item: 2", "per_item: .nan", "checks[D1.1.2].per_item"),
        ("total_points: 100", "total_points: -.inf", "target.total_points"),
    ],
)
def test_non_finite_rubric_numbers_are_located(tmp_path, old, new, path):
    assert old in RUBRIC
    bad = write(tmp_path / "r.yaml", RUBRIC.replace(old, new, 1))
    p = assess("validate", bad)
    assert p.returncode == 2, p.stderr
    assert path in p.stderr and ("有限的数字" in p.stderr or "必须大于" in p.stderr)


def test_yaml_1_1_words_stay_text(tmp_path):
    """YAML 1.2 core schema: NO, on and dates are strings; a version written 1.10 is refused, not 1.1."""
    text = RUBRIC.replace('version: "1.0"', "version: 1.10")
    p = assess("validate", write(tmp_path / "r.yaml", text))
    assert p.returncode == 2 and "应为文本" in p.stderr and "1.1" in p.stderr
    text = RUBRIC.replace("county: 县区政府", "county: NO").replace('version: "1.0"', "version: 2017-07-31")
    p = assess("validate", write(tmp_path / "r2.yaml", text))
    assert p.returncode == 0, p.stderr


def test_a_duplicated_key_names_its_line(tmp_path):
    text = RUBRIC.replace("title: 示例考核细则", "title: 示例考核细则\ntitle: 又一个")
    p = assess("validate", write(tmp_path / "r.yaml", text))
    assert p.returncode == 2 and "键重复:title" in p.stderr and ":5:" in p.stderr


# --- the shipped demo, with rates as evaluators write them -----------------------------------


def test_the_shipped_rubric_scores_a_round_of_continuous_rates(tmp_path):
    """Issue 14's crash: the 2018Q2 demo round with its ratio checks written as one-decimal percents."""
    shutil.copy(ROOT / "sample_data" / "results" / "2018Q2.csv", tmp_path / "r.csv")
    frame = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    ratio = frame["value"].str.endswith("%") | frame["value"].str.fullmatch(r"0\.\d+")
    n = int(ratio.sum())
    frame.loc[ratio, "value"] = [f"{60 + (i * 7.3) % 40:.1f}%" for i in range(n)]
    assert frame.loc[ratio, "value"].nunique() > 128
    frame.to_csv(tmp_path / "r.csv", index=False)
    p, out = score(tmp_path, tmp_path / "r.csv", rubric=ROOT / "rubrics" / "suzhou-2017.yaml",
                   units=ROOT / "sample_data" / "units.csv")  # fmt: skip
    assert p.returncode == 0, p.stderr
    checks = pd.read_csv(out / "check_scores.csv", dtype=str, keep_default_na=False)
    assert checks.loc[checks["method"] == "ratio", "value"].nunique() > 128
