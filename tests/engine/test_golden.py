"""Golden files: what `assess score` writes for the sample and example rounds, and what it says for
bad inputs, byte for byte (tests/testdata/golden/). A change of any output byte fails here; when
the change is meant, `python -m pytest tests/test_golden.py --regen-golden` rewrites the files and
the diff shows what changed (as rendercv keeps its expected outputs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

GOLDEN = ROOT / "tests" / "testdata" / "golden"
EXAMPLE = ROOT / "docs" / "example"
SAMPLE = ROOT / "sample_data"
RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"

SCORED = {
    "example": (EXAMPLE / "rubric.yaml", EXAMPLE / "units.csv", [EXAMPLE / "results.csv"]),
    "sample-csv": (RUBRIC, SAMPLE / "units.csv", sorted((SAMPLE / "results").glob("*.csv"))),
    "sample-xlsx": (RUBRIC, SAMPLE / "units.csv", sorted((SAMPLE / "results").glob("*.xlsx"))),
}


def assess(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)  # fmt: skip


def _compare_or_write(path: Path, text: str, regen: bool) -> None:
    if regen:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} is missing: run with --regen-golden"
    assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} differs from what is written now"


def _relative(files: list[Path]) -> list[str]:
    return [str(f.relative_to(ROOT)) for f in files]


@pytest.mark.parametrize("case", SCORED)
def test_score_tables_are_byte_identical_to_the_golden_files(tmp_path, case, regen_golden):
    rubric, units, results = SCORED[case]
    out = tmp_path / "out"
    # relative paths, run from the project root: the manifest records them as given
    p = assess("score", "--rubric", *_relative([rubric]), "--units", *_relative([units]),
               "--results", *_relative(results), "--out", out)  # fmt: skip
    assert p.returncode == 0, p.stderr
    for name in ("unit_scores.csv", "dimension_scores.csv", "check_scores.csv"):
        _compare_or_write(GOLDEN / case / name, (out / name).read_text(encoding="utf-8"), regen_golden)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("written_at")  # the one field that is the moment, not the inputs
    _compare_or_write(GOLDEN / case / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                      regen_golden)  # fmt: skip


def _bad(tmp: Path) -> dict[str, list[object]]:
    """Bad inputs whose whole message is kept: every line a user reads."""
    results = (EXAMPLE / "results.csv").read_text(encoding="utf-8")
    rubric = (EXAMPLE / "rubric.yaml").read_text(encoding="utf-8")

    def file(name: str, text: str) -> str:
        (tmp / name).write_text(text, encoding="utf-8")
        return name

    ex = ["--rubric", str(EXAMPLE / "rubric.yaml"), "--units", str(EXAMPLE / "units.csv")]
    return {
        "values-the-methods-refuse": ["score", *ex, "--results", file("r.csv", results.replace(",是,", ",也许,")
                                      .replace(",3,\n", ",1e3,\n").replace(",80%,", ",180%,")), "--out", "o"],
        "unknown-unit-and-check": ["score", *ex, "--results", file("u.csv", results + "2017Q3,C09,D9.9.9,1,\n"),
                                   "--out", "o"],
        "duplicate-and-missing-rows": ["score", *ex, "--results", file("d.csv", "\n".join(
            results.splitlines()[:12] + results.splitlines()[3:5]) + "\n"), "--out", "o"],
        "header-only": ["score", *ex, "--results", file("h.csv", "period,unit_id,check_id,value\n"), "--out", "o"],
        "same-file-twice": ["score", *ex, "--results", file("t.csv", results), "t.csv", "--out", "o"],
        "rubric-rules": ["validate", file("bad.yaml", rubric.replace("weight: 0.04", "weight: 0.039")
                                          .replace("per_item: 2", "per_item: .nan").replace("title: 示例考核细则\n", ""))],
        "rubric-alias-bomb": ["validate", file("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n" for p, k in zip("abcdefg", "bcdefgh", strict=True)))],
    }  # fmt: skip


def test_error_reports_are_the_golden_ones(tmp_path, regen_golden):
    for name, args in _bad(tmp_path).items():
        p = assess(*args, cwd=tmp_path)
        assert p.returncode == 2 and "Traceback" not in p.stderr, (name, p.stderr)
        text = p.stderr.replace(str(EXAMPLE) + "/", "docs/example/")
        _compare_or_write(GOLDEN / "errors" / f"{name}.txt", text, regen_golden)
