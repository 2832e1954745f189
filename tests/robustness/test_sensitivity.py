"""assess sensitivity (SPEC extension 5, issue 20): rank intervals and dimension influence."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT, make_rubric, run
from scoring import InputFile, assess, parse_rubric
from scoring.robustness.sensitivity import dimension_influence, model_of, rank_intervals, ranks_under

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
RESULTS = sorted((ROOT / "sample_data" / "results").glob("*.csv"))


@pytest.fixture(scope="module")
def sample():
    return assess(RUBRIC, UNITS, RESULTS)


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)  # fmt: skip


def scaled(factors: dict[str, float], drop: str | None = None):
    """The shipped rubric with each dimension's base points multiplied (or one dimension left out),
    scored by the engine itself: the reference the vectorised runs must equal."""
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for track in data["tracks"]:
        track["dimensions"] = [d for d in track["dimensions"] if d["id"] != drop]
        for dim in track["dimensions"]:
            dim.pop("points", None)
            for ind in dim["indicators"]:
                ind.pop("points", None)
                for c in ind["checks"]:
                    if c["method"] in ("binary", "levels", "ratio", "deduct", "deadline"):
                        c["points"] = c["points"] * factors.get(dim["id"], 1.0)
    rubric = parse_rubric(json.dumps(data, ensure_ascii=False), "scaled.yaml")
    kept = set(rubric.checks["check_id"])
    files = []
    for path in RESULTS:  # the dimension's findings go with it
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        files.append(InputFile(path.name, frame[frame["check_id"].isin(kept)].to_csv(index=False).encode()))
    return assess(rubric, UNITS, files)


def test_spread_zero_gives_the_published_ranks(sample):
    out = rank_intervals(sample, runs=5, spread=0.0)
    assert len(out) == len(sample.scores.units)
    for col in ("median_rank", "p05", "p95"):
        assert (out[col] == out["rank"]).all()


@settings(max_examples=6, deadline=None)
@given(st.lists(st.floats(0.3, 1.7), min_size=14, max_size=14))
def test_a_run_ranks_as_the_engine_does_with_those_points(sample, draws):
    """Differential: a run's ranks equal the engine's on a rubric whose points were multiplied."""
    model = model_of(sample)
    factors = dict(zip(model.dims, draws[: len(model.dims)], strict=False))
    ranks = ranks_under(model, np.array([[factors.get(d, 1.0) for d in model.dims]]), sample.rubric.spec)[0]
    reference = scaled(factors).scores.units.set_index(["period", "track", "unit_id"])["rank"]
    keys = pd.MultiIndex.from_frame(model.keys[["period", "track", "unit_id"]])
    assert (reference.reindex(keys).to_numpy() == ranks).all()


@pytest.mark.parametrize("dimension", ["GK2", "FW3", "GKX"])
def test_influence_equals_rescoring_without_the_dimension(sample, dimension):
    influence = dimension_influence(sample)
    mine = influence[influence["dimension_id"] == dimension].set_index(["period", "track", "unit_id"])["rank_without"]
    reference = scaled({}, drop=dimension).scores.units.set_index(["period", "track", "unit_id"])["rank"]
    expected = reference.reindex(mine.index).astype("Int64").astype(str).replace("<NA>", "")
    assert list(mine) == list(expected)


def test_a_dominant_unit_stays_first_in_every_run():
    checks = [{"id": f"B{i}", "name": f"b{i}", "method": "binary", "points": 10} for i in range(3)]
    data = make_rubric(checks)
    # C1 passes everything; the others fail something in every dimension there is (one)
    rows = [("C1", f"B{i}", "1") for i in range(3)] + [(u, f"B{i}", "1" if i else "0") for u in ("C2", "C3")
                                                        for i in range(3)]  # fmt: skip
    result = run(data, rows + [("M1", f"B{i}", "1") for i in range(3)])
    out = rank_intervals(result, runs=300, spread=0.9, seed=5).set_index(["track", "unit_id"])
    assert (out.loc[("T", "C1"), ["rank", "median_rank", "p05", "p95"]] == 1).all()


def test_a_unit_left_with_no_base_check_has_an_empty_rank_without():
    checks = [{"id": "A", "name": "a", "method": "binary", "points": 10},
              {"id": "B", "name": "b", "method": "binary", "points": 10}]  # fmt: skip
    data = json.loads(json.dumps(make_rubric(checks).spec.model_dump(exclude_none=True)))
    track = data["tracks"][0]
    track["dimensions"] = [
        {"id": "D1", "name": "一", "indicators": [{"id": "I1", "name": "i", "checks": [track["dimensions"][0]["indicators"][0]["checks"][0]]}]},
        {"id": "D2", "name": "二", "indicators": [{"id": "I2", "name": "i", "checks": [track["dimensions"][0]["indicators"][0]["checks"][1]]}]},
    ]  # fmt: skip
    rubric = parse_rubric(json.dumps(data, ensure_ascii=False), "two.yaml")
    result = run(rubric, [("C1", "A", "1"), ("C1", "B", "0"), ("C2", "A", "NA"), ("C2", "B", "1"), ("C3", "A", "0"),
                          ("C3", "B", "1"), ("M1", "A", "1"), ("M1", "B", "1")])  # fmt: skip
    inf = dimension_influence(result).set_index(["unit_id", "dimension_id"])["rank_without"]
    # without D2, C2 (A not applicable) has nothing left; C1 (A passed) ranks 1st, C3 2nd
    assert (inf[("C2", "D2")], inf[("C1", "D2")], inf[("C3", "D2")]) == ("", "1", "2")
    # without D1: C2 and C3 passed B (tied 1st), C1 failed it
    assert (inf[("C2", "D1")], inf[("C3", "D1")], inf[("C1", "D1")]) == ("1", "1", "3")


def test_the_command_writes_the_same_bytes_for_the_same_seed(tmp_path):
    args = ("sensitivity", "--rubric", RUBRIC, "--units", UNITS, "--results", *RESULTS, "--runs", "200")
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        p = cli(*args, "--out", tmp_path / name, "--seed", seed)
        assert p.returncode == 0, p.stderr
    a, b, c = ((tmp_path / n / "rank_intervals.csv").read_bytes() for n in "abc")
    assert a == b and a != c
    head = (tmp_path / "a" / "rank_intervals.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "period,track,group,unit_id,unit_name,rank,median_rank,p05,p95"
    head = (tmp_path / "a" / "dimension_influence.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "period,track,group,unit_id,dimension_id,rank_without"


@pytest.mark.parametrize(("flag", "value", "says"), [("--runs", "0", "--runs 0 不可用"), ("--runs", "100001", "--runs 100001"),
                                                      ("--spread", "1", "--spread 1 不可用"), ("--spread", "-0.1", "--spread -0.1")])  # fmt: skip
def test_runs_and_spread_out_of_range_are_refused(tmp_path, flag, value, says):
    p = cli("sensitivity", "--rubric", RUBRIC, "--units", UNITS, "--results", RESULTS[0], "--out", tmp_path / "o",
            flag, value)  # fmt: skip
    assert p.returncode == 2 and says in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "o").exists()


def test_lower_value_quantiles_as_the_spec_defines_them():
    from scoring.robustness.sensitivity import _lower_quantile

    ranks = np.sort(np.array([[1], [1], [2], [2], [3], [3], [3], [4], [5], [9]]), axis=0)  # 10 runs
    assert (_lower_quantile(ranks, 0.05)[0], _lower_quantile(ranks, 0.5)[0], _lower_quantile(ranks, 0.95)[0]) == (
        1,
        3,
        9,
    )
    assert _lower_quantile(np.array([[4]]), 0.95)[0] == 4  # one run


def _two_dimension_rubric(factor_a: float = 1.0, factor_b: float = 1.0):
    """Every base method across two dimensions, bonus and veto beside them; points scaled per dimension."""
    from helpers import rubric_dict

    data = rubric_dict([], bonus_max=3)
    dims = [
        {"id": "DA", "name": "甲", "indicators": [{"id": "IA", "name": "i", "checks": [
            {"id": "B", "name": "b", "method": "binary", "points": 7 * factor_a},
            {"id": "L", "name": "l", "method": "levels", "points": 9 * factor_a, "levels": {"优": 1, "良": 0.8, "差": 0}},
            {"id": "R", "name": "r", "method": "ratio", "points": 11 * factor_a, "floor": 0.6},
            {"id": "X", "name": "x", "method": "bonus", "points": 2, "per_item": 1},
        ]}]},
        {"id": "DB", "name": "乙", "indicators": [{"id": "IB", "name": "i", "checks": [
            {"id": "K", "name": "k", "method": "deduct", "points": 6 * factor_b, "per_item": 1.5},
            {"id": "W", "name": "w", "method": "deadline", "points": 8 * factor_b, "limit": 10, "per_day": 1.5},
            {"id": "V", "name": "v", "method": "veto", "cap": 59},
        ]}]},
    ]  # fmt: skip
    data["tracks"][0]["dimensions"] = dims
    return parse_rubric(json.dumps(data, ensure_ascii=False), "two-dims.yaml")


UNIT_IDS = ["C1", "C2", "C3", "M1"]


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(st.tuples(st.booleans(), st.sampled_from(["优", "良", "差", "NA"]), st.integers(40, 100),
                            st.integers(0, 6), st.integers(0, 20), st.integers(0, 3), st.booleans()),
                  min_size=4, max_size=4),
    fa=st.floats(0.5, 1.5),
    fb=st.floats(0.5, 1.5),
)  # fmt: skip
def test_random_rounds_rank_as_the_engine_does(rows, fa, fb):
    """Property, on random rounds: factors of 1 give the published ranks, and any factors give the
    engine's ranks on the rubric with those points (floors, NA, bonus and veto included)."""
    results = []
    for unit, (b, level, rate, count, days, bonus, veto) in zip(UNIT_IDS, rows, strict=True):
        results += [(unit, "B", "1" if b else "0"), (unit, "L", level), (unit, "R", f"{rate}%"), (unit, "K", str(count)),
                    (unit, "W", str(days)), (unit, "X", str(bonus)), (unit, "V", "1" if veto else "0")]  # fmt: skip
    published = run(_two_dimension_rubric(), results)
    model = model_of(published)
    keys = pd.MultiIndex.from_frame(model.keys[["period", "track", "unit_id"]])
    ones = ranks_under(model, np.ones((1, 2)), published.rubric.spec)[0]
    assert (ones == model.keys["rank"].to_numpy()).all()
    scaled_round = run(_two_dimension_rubric(fa, fb), results)
    expected = scaled_round.scores.units.set_index(["period", "track", "unit_id"])["rank"].reindex(keys)
    got = ranks_under(model, np.array([[fa, fb]]), published.rubric.spec)[0]
    assert (expected.to_numpy() == got).all()
