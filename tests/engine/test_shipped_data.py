"""The shipped rubrics, roster and demo rounds: valid, faithful to the policy, reproducible."""

import hashlib
import importlib.util
import re
import sys

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from helpers import ROOT
from scoring import assess, load_rubric, read_roster

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
RESULTS = ROOT / "sample_data" / "results"
PERIODS = ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]

COUNTIES = {"341302": "埇桥区", "341321": "砀山县", "341322": "萧县", "341323": "灵璧县", "341324": "泗县"}
ZONES = {"KFQ": "宿州经济技术开发区", "GXQ": "宿州高新技术产业开发区", "MAS": "宿州马鞍山现代产业园区"}
COUNTY_LEVEL = "各县区政府"  # the five counties and the three zones
ALL_DEPARTMENTS = "市政府各部门"

# the responsible units the two annexes name, task by task (first named leads)
ANNEX_1 = {
    1: ["FGW", "CZJ", "RSJ", "RMYH"],
    2: ["CZJ"],
    3: ["TJJ"],
    4: ["SJJ"],
    5: ["FGW", "JXW", "CZJ", "RSJ", "GTJ", "DSJ", "GUOSHUI"],
    6: ["RSJ"],
    7: ["FGW", "GGZY"],
    8: ["FGW", "CZJ"],
    9: ["BB", "FGW", COUNTY_LEVEL],
    10: ["FZB", ALL_DEPARTMENTS, COUNTY_LEVEL],
    11: ["GSJ", COUNTY_LEVEL],
    12: ["ZWZX", "BB", "FGW", COUNTY_LEVEL],
    13: ["CZJ"],
    14: ["LSJ", "FGW"],
    15: ["NW", "CZJ", "RSJ"],
    16: ["CZJ", "DSJ", "GUOSHUI"],
    17: ["CZJ"],
    18: ["FGW", "JXW", COUNTY_LEVEL],
    19: [COUNTY_LEVEL, "FGW", "JXW", "CZJ"],
    20: ["SWJ", "WGX", "WJW", "JTJ", "GSJ"],
    21: ["ZJJ", "GSJ"],
    22: ["FPB"],
    23: ["MZJ"],
    24: ["HBJ"],
    25: ["SLJ", "HBJ"],
    26: ["JTJ"],
    27: ["WJW"],
    28: ["SYJ"],
    29: ["CZJ", "JRB", "RMYH", "YJFJ"],
    30: ["FGJ", "ZJW", "GTJ", "RMYH", "YJFJ"],
    31: ["GTJ"],
    32: ["AJJ"],
    33: [COUNTY_LEVEL, "ZFB", ALL_DEPARTMENTS],
    34: [COUNTY_LEVEL, "ZFB", "XWB", ALL_DEPARTMENTS],
    35: ["ZFB", COUNTY_LEVEL, ALL_DEPARTMENTS],
    36: [COUNTY_LEVEL, "ZFB", ALL_DEPARTMENTS],
    37: [COUNTY_LEVEL, "ZFB", ALL_DEPARTMENTS],
}
ANNEX_2 = {
    1: ["ZFB", "ZWZX", "XXB"],
    2: ["BB", "FZB", "ZWZX", "XXB", COUNTY_LEVEL],
    3: ["ZWZX", COUNTY_LEVEL],
    4: list(COUNTIES),  # the counties' own service centres and information offices
    5: ["XXB", "FGW", "JXW", "ZWZX", "CZJ", "FZB", COUNTY_LEVEL],
    6: ["BB", "FGW", COUNTY_LEVEL],
    7: ["ZWZX", "BB", "FZB"],
    8: ["BB", "FZB", "ZWZX", COUNTY_LEVEL],
    9: ["FGW", "JXW", COUNTY_LEVEL],
    10: ["GSJ", "FGW", "JXW", "XXB", "ZWZX", COUNTY_LEVEL],
    11: ["ZWZX", "BB", "GSJ"],
    12: ["ZJW", "FGW", "GHJ", COUNTY_LEVEL],
    13: ["ZWZX", "ZJJ", COUNTY_LEVEL],
    14: [*COUNTIES, "ZWZX"],
    15: ["ZWZX", *COUNTIES],
}


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


@pytest.fixture(scope="module")
def roster(rubric):
    return read_roster(UNITS, rubric)


def _expand(named, roster):
    units = set()
    for n in named:
        if n == COUNTY_LEVEL:
            units |= set(COUNTIES) | set(ZONES)
        elif n == ALL_DEPARTMENTS:
            units |= set(roster.loc[roster["group"] == "department", "unit_id"])
        else:
            units.add(n)
    return units


def test_roster_holds_the_citys_county_level_units_and_zones(roster):
    names = dict(zip(roster["unit_id"], roster["name"], strict=True))
    for code, county in COUNTIES.items():
        assert names[code].startswith(county)
    for code, zone in ZONES.items():
        assert names[code].startswith(zone)
    assert set(roster.loc[roster["unit_id"].isin(COUNTIES), "group"]) == {"county"}
    assert set(roster.loc[roster["unit_id"].isin(ZONES), "group"]) == {"park"}


def test_every_unit_named_by_the_annexes_is_on_the_roster(roster):
    named = {u for tasks in (ANNEX_1, ANNEX_2) for units in tasks.values() for u in _expand(units, roster)}
    assert named <= set(roster["unit_id"])


@pytest.mark.parametrize("path", ["rubrics/suzhou-2017.yaml", "rubrics/website-inspection.yaml"])
def test_shipped_rubrics_validate_with_the_roster(path):
    rubric = load_rubric(ROOT / path)
    assert len(read_roster(UNITS, rubric)) == 44


def test_tracks_and_the_policys_weights(rubric):
    tracks = {t.kind: t for t in rubric.spec.tracks}
    assert tracks["disclosure"].name == "政务公开"
    assert tracks["disclosure"].weight >= 0.04
    assert tracks["service"].name == "政务服务"
    assert set(rubric.groups) >= {"county", "park", "department"}


@pytest.mark.parametrize(("annex", "tasks"), [(1, ANNEX_1), (2, ANNEX_2)])
def test_every_annex_task_is_a_check_owned_by_its_named_units(rubric, roster, annex, tasks):
    pairs = rubric.applicability(roster).merge(rubric.checks[["check_id", "basis"]], on="check_id")
    bases = set(rubric.checks["basis"])
    assert {f"附件{annex}-{n}" for n in tasks} <= bases
    assert {b for b in bases if b.startswith(f"附件{annex}-")} == {f"附件{annex}-{n}" for n in tasks}
    for n, named in tasks.items():
        owners = set(pairs.loc[pairs["basis"] == f"附件{annex}-{n}", "unit_id"])
        missing = _expand(named, roster) - owners
        assert not missing, f"附件{annex}-{n}: {sorted(missing)} own no check"


def test_where_a_task_is_split_the_lead_gets_the_larger_share(rubric, roster):
    checks = rubric.checks
    leads = checks[checks["check_name"].str.endswith("(牵头)")]
    assert len(leads) >= 10
    pairs = rubric.applicability(roster).merge(checks, on="check_id")
    for _, lead in leads.iterrows():
        per_unit = pairs[pairs["basis"] == lead["basis"]].groupby("unit_id")["points"].sum()
        lead_units = list(lead["units"])
        others = per_unit.drop(index=lead_units)
        assert (per_unit[lead_units].min() > others).all(), lead["basis"]


def test_body_text_demands_are_checks_by_group(rubric):
    checks = rubric.checks
    body = checks[checks["basis"].str.startswith("正文")]
    assert {b for b in body["basis"]} >= {
        "正文一",
        "正文二",
        "正文三",
        "正文四",
        "正文七",
        "正文八",
        "正文九",
        "正文十",
    }
    assert body["units"].isna().all()


def test_every_check_has_readable_criteria_and_deductions_state_their_rate(rubric):
    checks = rubric.checks
    assert (checks["criteria"].str.len() > 10).all()
    assert (checks["basis"] != "").all()
    deduct = checks[checks["method"] == "deduct"]
    for _, c in deduct.iterrows():
        assert f"扣{c['per_item']:g}分" in c["criteria"], c["check_id"]
    assert {"ratio", "levels", "binary", "deduct", "bonus", "veto"} <= set(checks["method"])
    vetoes = checks[checks["method"] == "veto"]
    assert set(vetoes.loc[vetoes["track_id"] == "disclosure", "cap"]) == {0.0, 59.0}


def test_deadlines_of_the_annexes_become_timeliness_criteria(rubric):
    crit = "".join(rubric.checks["criteria"])
    for deadline in ["7月底前", "9月底前", "年底前", "2017年8月底前", "10月底前", "2018年6月底前"]:
        assert deadline in crit


@pytest.fixture(scope="module")
def sample(rubric):
    return assess(rubric, UNITS, sorted(RESULTS.glob("*.csv")))


def test_sample_rounds_score_with_no_missing_results(sample):
    assert sample.findings.periods == PERIODS
    assert (sample.scores.checks["status"] != "missing").all()
    assert (sample.scores.checks["status"] == "na").sum() > 0
    units = sample.scores.units
    assert len(units[units["vetoed"]]) == 2
    assert set(units["grade"]) == {"优秀", "良好", "合格", "不合格"}


def test_sample_rounds_show_movement_and_different_peer_rankings(sample):
    u = sample.scores.units
    county = u[(u["track"] == "disclosure") & (u["group"] == "county")].pivot(
        index="unit_id", columns="period", values="score"
    )
    assert county.loc["341324", "2018Q2"] > county.loc["341324", "2017Q3"] + 10  # 泗县 improves
    assert county.loc["341322", "2018Q2"] < county.loc["341322", "2017Q3"] - 10  # 萧县 slips
    firsts = u[u["rank"] == 1].groupby(["track", "group"])["unit_id"].nunique()
    assert (firsts > 1).any()  # leaders change across rounds


def test_csv_and_xlsx_rounds_are_the_same_findings(rubric, sample):
    from_xlsx = assess(rubric, UNITS, sorted(RESULTS.glob("*.xlsx")))
    assert_frame_equal(from_xlsx.scores.units, sample.scores.units)
    assert_frame_equal(from_xlsx.scores.checks, sample.scores.checks)


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "sample_data" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    gen = _generator()
    first = gen.generate(tmp_path / "a")
    second = gen.generate(tmp_path / "b")

    # compared by digest: pytest's diff of two differing megabyte files runs for many minutes
    def digest(path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    for a, b in zip(first, second, strict=True):
        assert digest(a) == digest(b), a.name
        assert digest(a) == digest(RESULTS / a.name), f"{a.name}: run sample_data/generate.py"


def test_sample_evidence_looks_like_an_evaluators(sample):
    ev = sample.findings.rows["evidence"]
    assert ev.str.startswith("http://").any()
    assert ev.str.contains(r"\.png$").any()
    assert ev.str.contains("〔20").any()
    raw = pd.read_csv(RESULTS / "2017Q3.csv", dtype=str, keep_default_na=False)
    assert raw["evaluator"].nunique() > 3
    assert raw["checked_at"].str.match(re.compile(r"^2017-09-\d\d$")).all()
