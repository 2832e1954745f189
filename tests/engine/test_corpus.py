"""Real published data: `assess score` reproduces every total and rank of two published tables of
the Global Open Data Index, rebuilt from the survey's answers (tests/testdata/corpus/SOURCE.md)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from helpers import ROOT

CORPUS = ROOT / "tests" / "testdata" / "corpus"


@pytest.mark.parametrize(("folder", "keys", "rows"), [("godi-2015-places", ["unit_id"], 122),
                                                      ("godi-2014-datasets", ["track", "unit_id"], 929)])  # fmt: skip
def test_assess_reproduces_the_published_scores_and_ranks(tmp_path, folder, keys, rows):
    d = CORPUS / folder
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "score", "--rubric", d / "rubric.yaml",
                        "--units", d / "units.csv", "--results", d / "results.csv", "--out", tmp_path],
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 0, p.stderr
    ours = pd.read_csv(tmp_path / "unit_scores.csv", dtype=str)
    published = pd.read_csv(d / "published.csv", dtype=str)
    assert len(published) == rows
    both = published.merge(ours, on=keys, how="outer", suffixes=("_published", ""), indicator=True)
    assert (both["_merge"] == "both").all(), "the same places are scored as were published"
    assert both["score"].astype(float).tolist() == both["score_published"].astype(float).tolist()
    assert both["rank"].astype(int).tolist() == both["rank_published"].astype(int).tolist()
