"""Golden cases of the national inspection (国办秘函〔2019〕19号), worked by hand from its 指标说明,
on the shipped rubrics/gov-website-2019.yaml: a veto leaves the site unscored and ranked last,
below 60 is 不合格, the bonus counts only strictly above 80, deductions are capped per indicator
(扣完为止), and a department without services is scored on 75 points × 4/3."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import ROOT, run, unit_row
from scoring import load_rubric, parse_rubric
from scoring.output import csv_text, score_tables_as_text

WEBSITE = load_rubric(ROOT / "rubrics" / "gov-website-2019.yaml")
SITES = [
    ("P1", "甲县政府门户网站", "portal"),
    ("P2", "乙县政府门户网站", "portal"),
    ("P3", "丙县政府门户网站", "portal"),
    ("P4", "丁县政府门户网站", "portal"),
    ("P5", "戊县政府门户网站", "portal"),
    ("P6", "己县政府门户网站", "portal"),
    ("N1", "市档案馆网站", "department_noservice"),
]


def clean(unit: str, group: str) -> dict[str, str]:
    """Every check that applies to the unit's group, with nothing found."""
    c = WEBSITE.checks
    applies = c["applies_to"].isna() | c["applies_to"].map(lambda g: g is not None and group in g)
    return dict.fromkeys(c.loc[applies, "check_id"], "0")


def round_of(**found: dict[str, str]) -> list[tuple[str, str, str]]:
    """Result rows for SITES: each unit clean except what ``found`` sets for it."""
    rows = []
    for unit, _, group in SITES:
        values = clean(unit, group) | found.get(unit, {})
        rows.extend((unit, check, value) for check, value in values.items())
    return rows


@pytest.fixture(scope="module")
def national():
    rows = round_of(
        P1={"V2.1": "1", "D2.4": "100"},  # unreachable: 单项否决, whatever else it lost
        # 59.5: 办事服务 10.5 + other 30 deducted; below 60 is 不合格 (and 30 bonus points do not count)
        P2={"D1.1": "105", "D2.4": "300", "B1.1": "300"},
        P3={"D2.4": "200", "B1.1": "50"},  # exactly 80: not above 80, so the 5 bonus points are withheld
        P4={"D2.1": "5", "D2.4": "100", "B1.1": "120"},  # 85 + 12 = 97
        # pool exhausted: 30 + 40 + 10 = 80 asked of a 75-point indicator, 75 taken; 100 − 75 = 25
        P5={"D2.1": "30", "D2.3": "40", "D2.2": "10"},
        P6={},  # nothing found: 100
        N1={"D2.4": "150"},  # no 办事服务: (75 − 15) / 75 × 100 = 60 × 4/3 = 80
    )
    return run(WEBSITE, rows, SITES, allow_missing=False)


def test_a_veto_leaves_the_site_unscored_failed_and_ranked_after_the_scored(national):
    row = unit_row(national, "P1")
    assert math.isnan(row["score"]) and math.isnan(row["base"]) and math.isnan(row["bonus"])
    assert math.isnan(row["target_points"])
    assert (row["vetoed"], row["unscored"], row["grade"]) == (True, True, "不合格")
    assert (row["rank"], row["rank_of"]) == (6, 6)  # after the five scored portals


def test_below_60_is_failed_and_gets_no_bonus(national):
    row = unit_row(national, "P2")
    assert (row["base"], row["bonus"], row["score"], row["grade"], row["vetoed"]) == (59.5, 0, 59.5, "不合格", False)


def test_exactly_80_is_not_above_80_so_the_bonus_is_withheld(national):
    row = unit_row(national, "P3")
    assert (row["base"], row["bonus"], row["score"], row["grade"]) == (80, 0, 80, "合格")
    assert row["bonus_withheld"] == 5


def test_85_with_12_bonus_points_scores_97(national):
    row = unit_row(national, "P4")
    assert (row["base"], row["bonus"], row["score"], row["grade"], row["rank"]) == (85, 12, 97, "合格", 2)


def test_a_pool_is_exhausted_by_several_items_but_never_beyond_its_points(national):
    row = unit_row(national, "P5")
    assert (row["base"], row["score"], row["grade"]) == (25, 25, "不合格")
    pool = national.scores.checks
    pool = pool[(pool["unit_id"] == "P5") & pool["check_id"].isin(["D2.1", "D2.2", "D2.3", "D2.4"])]
    assert pool["earned"].sum() == pytest.approx(0)
    assert pool["max"].sum() == 75
    # the 75 points taken are shared in proportion to the 30, 10 and 40 points asked
    lost = pool.set_index("check_id")["lost"].astype(float)
    assert lost.to_dict() == pytest.approx({"D2.1": 75 * 30 / 80, "D2.2": 75 * 10 / 80, "D2.3": 75 * 40 / 80,
                                            "D2.4": 0})  # fmt: skip


def test_the_pool_differs_from_capping_each_check():
    """The same findings without the pool: each check caps its own deductions at its points."""
    data = WEBSITE.text.replace("deduct_pool: true", "deduct_pool: false")
    capped = parse_rubric(data, "capped.yaml")
    rows = round_of(P5={"D2.1": "30", "D2.3": "40", "D2.2": "10"})
    r = run(capped, rows, SITES, allow_missing=False)
    assert unit_row(r, "P5")["base"] == 60  # 15 + 15 + 10 lost, not 75


def test_a_department_without_services_is_scored_on_75_points_times_4_over_3(national):
    row = unit_row(national, "N1")
    assert (row["base"], row["score"], row["grade"], row["rank_of"]) == (80, 80, "合格", 1)
    checks = national.scores.checks
    assert not checks[(checks["unit_id"] == "N1") & checks["check_id"].isin(["D1.1", "V6.1", "V6.2", "B1.1"])].size


def test_the_ranking_of_the_portals(national):
    u = national.scores.units
    ranked = u[u["group"] == "portal"].sort_values("rank")
    assert list(ranked["unit_id"]) == ["P6", "P4", "P3", "P2", "P5", "P1"]
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5, 6]


def test_the_unscored_site_is_written_with_empty_scores(national):
    text = csv_text(score_tables_as_text(national.scores, 2)["unit_scores.csv"])
    line = next(x for x in text.splitlines() if ",P1," in x)
    assert "nan" not in line.lower()
    assert line.split(",")[5:10] == ["", "", "", "true", "不合格"]


def test_two_unscored_sites_tie_after_the_scored():
    rows = round_of(P1={"V1.1": "1"}, P2={"V3.1": "1"})
    r = run(WEBSITE, rows, SITES, allow_missing=False)
    u = r.scores.units.set_index("unit_id")
    assert (u.loc["P1", "rank"], u.loc["P2", "rank"]) == (5, 5)
    assert u.loc[["P3", "P4", "P5", "P6"], "rank"].tolist() == [1, 1, 1, 1]


def test_every_check_of_the_text_carries_its_basis_and_criteria():
    c = WEBSITE.checks
    assert (c["basis"] != "").all() and (c["criteria"] != "").all()
    assert set(c.loc[c["method"] == "veto", "unscored"]) == {True}
    assert pd.Series(c["check_id"]).is_unique


def test_the_unit_page_says_why_a_bonus_at_exactly_80_was_not_counted(national):
    from scoring.views.explain import unit_tracks

    note = unit_tracks(national.scores, "P3", "2017Q3", WEBSITE)["bonus_note"].tolist()
    assert note == ["基础分 80 未高于 80 分,已得加分 5 分不计入得分"]


def test_sensitivity_without_spread_gives_the_published_ranks_of_the_national_flow(national):
    """`assess sensitivity` rescoring knows the pools, unscored vetoes and bonus_above: at spread 0
    every run ranks as published (P5's exhausted pool, P1 last, P3's withheld bonus)."""
    from scoring.robustness.sensitivity import rank_intervals

    out = rank_intervals(national, runs=3, spread=0.0)
    assert len(out) == len(national.scores.units)
    for col in ("median_rank", "p05", "p95"):
        assert (out[col] == out["rank"]).all(), out


def test_the_city_roster_serves_the_national_rubrics():
    """The city's own roster (sample_data/units.csv: county, park, central, department) scores on
    both national rubrics: a county's site is a portal (办事服务 and the bonus), a park's, a vertical
    office's and a department's are department sites with services (办事服务, no bonus)."""
    roster = pd.read_csv(ROOT / "sample_data" / "units.csv", dtype=str)
    units = [(r.unit_id, r.name, r.group) for r in roster.itertuples()]
    picked = {g: next(u for u in units if u[2] == g) for g in ("county", "park", "central", "department")}
    sites = list(picked.values())
    rows = []
    for unit, _, group in sites:
        values = clean(unit, group) | {"D1.1": "50", "B1.1": "70"}
        rows.extend((unit, check, value) for check, value in values.items() if check in clean(unit, group))
    r = run(WEBSITE, rows, sites, allow_missing=False)
    u = r.scores.units.set_index("unit_id")
    county, park = picked["county"][0], picked["park"][0]
    assert (u.loc[county, "base"], u.loc[county, "bonus"], u.loc[county, "score"]) == (95, 7, 102)
    for g in ("park", "central", "department"):
        unit = picked[g][0]
        assert (u.loc[unit, "base"], u.loc[unit, "bonus"], u.loc[unit, "rank_of"]) == (95, 0, 1), g
    assert "B1.1" not in set(r.scores.checks.loc[r.scores.checks["unit_id"] == park, "check_id"])

    newmedia = load_rubric(ROOT / "rubrics" / "gov-newmedia-2019.yaml")
    assert {"county", "park", "central", "department"} <= set(newmedia.groups)


def test_every_check_a_machine_measures_carries_the_texts_thresholds():
    """The monitor and the records fill these checks, with the numbers of the text (单项否决 二:
    5% of probes over 15 s; 三: 2 weeks; 四: 2 weeks / 6 months and 5, 10, 5 columns; 五: 3 months;
    新媒体: 2 weeks); everything else is the evaluator's, as the rubrics' headers say."""

    def wired(rubric, kind: str) -> dict[str, dict]:
        return {c.id: getattr(c, kind).model_dump(exclude_none=True) for t in rubric.spec.tracks for d in t.dimensions
                for i in d.indicators for c in i.checks if getattr(c, kind) is not None}  # fmt: skip

    assert wired(WEBSITE, "monitor") == {
        "V1.1": {"rule": "wrong_words", "severity": "严重"},
        "V1.4": {"rule": "hidden_links"},
        "V2.1": {"rule": "unreachable", "max_failure_rate": 0.05, "timeout_s": 15},
        "V3.1": {"rule": "home_stale", "days": 14},
        "V4.1": {"rule": "stale_columns", "kinds": ["news", "notice", "policy"],
                 "limits": {"news": 14, "notice": 183, "policy": 183}, "at_least": 5},
        "V4.2": {"rule": "stale_columns", "limits": {"news": 365, "notice": 365, "policy": 365, "static": 365},
                 "at_least": 10},
        "V4.3": {"rule": "empty_columns", "at_least": 5},
        "V5.2": {"rule": "unanswered_messages", "days": 90},
        "D2.1": {"rule": "stale_columns", "limits": {"news": 14, "notice": 183, "policy": 183, "static": 365}},
        "D2.2": {"rule": "empty_columns"},
        "D2.3": {"rule": "broken_links"},
    }  # fmt: skip
    assert wired(WEBSITE, "records") == {}
    newmedia = load_rubric(ROOT / "rubrics" / "gov-newmedia-2019.yaml")
    assert wired(newmedia, "records") == {"NV2.1": {"measure": "stale_accounts", "days": 14}}
    assert wired(newmedia, "monitor") == {}
