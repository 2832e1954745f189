"""The year-end roll-up (年度考核): published rounds of one rubric combined into one score per unit.

SPEC §3 scores one round; the work plan asks for a year-end figure ("年中督查,年底考核") that
enters the target-management score. The rule here, stated wherever the figure is shown:

- a unit's annual score on a track is the mean of its **published** round scores, the numbers
  leaders and units have already seen, so that anyone can check it by hand from the round tables;
- it is rounded half-up like a round score, and graded and ranked within the group by the
  rubric's own grades and ranking rule;
- a unit vetoed (单项否决) in any of the rounds gets the lowest grade for the year, as a vetoed
  round does, and keeps the capped round score in its mean;
- target-management points are the annual score / 100 × track weight × total points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import Issue
from scoring.output import csv_bytes, fixed_text, formula_safe
from scoring.ranking import grade_and_rank
from scoring.rounding import round_half_up, round_published
from scoring.rubric.load import Rubric

__all__ = ["ANNUAL_COLUMNS", "annual_csv", "annual_scores", "one_rubric", "target_totals", "totals_csv"]

ANNUAL_COLUMNS = [
    "track", "group", "unit_id", "unit_name", "rounds", "score", "vetoed", "vetoed_in", "grade", "rank",
    "rank_of", "target_points",
]  # fmt: skip


def one_rubric(rubric_of: dict[str, tuple[str, str]]) -> list[Issue]:
    """The year's mean is only a mean of like with like: rounds scored under different rubrics (id
    and version, by period) cannot be rolled up into one year. The rule of the 年度汇总 page and of
    ``assess annual`` alike."""
    used = sorted(set(rubric_of.values()))
    if len(used) <= 1:
        return []
    named = "、".join(f"{i} 版本 {v}(期次 {'、'.join(p for p, r in rubric_of.items() if r == (i, v))})"
                      for i, v in used)  # fmt: skip
    return [Issue(code="rubrics-differ", message=f"所选期次使用了不同的指标体系:{named};不能合并为一个年度")]


def annual_scores(units: pd.DataFrame, periods: list[str], rubric: Rubric) -> pd.DataFrame:
    """One row per (track, unit) scored in any of ``periods``, plus its round scores as columns.

    ``units`` is the unit score table (SPEC §3) holding at least those periods; a unit that
    joined late is averaged over the rounds it was scored in (``rounds`` says how many).
    """
    spec = rubric.spec
    chosen = units[units["period"].isin(periods)]
    if chosen.empty:
        return pd.DataFrame(columns=[*ANNUAL_COLUMNS, *periods])
    keys = ["track", "group", "unit_id", "unit_name"]
    grouped = chosen.groupby(keys, sort=False, observed=True)
    out = grouped.agg(rounds=("period", "size"), mean=("score", "mean"), vetoed=("vetoed", "any")).reset_index()
    vetoes = chosen[chosen["vetoed"]].groupby(["track", "unit_id"], sort=False)["period"].agg("、".join).to_dict()
    out["vetoed_in"] = [vetoes.get(k, "") for k in zip(out["track"], out["unit_id"], strict=True)]
    out["score_exact"] = out["mean"]
    out["score"] = round_published(out["mean"].to_numpy(), spec.rounding.decimals, spec.rounding.mode)
    weight = out["track"].map(rubric.tracks.set_index("track_id")["weight"]).to_numpy(dtype=float)
    out["target_points"] = round_half_up(out["mean"].to_numpy() / 100.0 * weight * spec.target.total_points, 2)
    ranked = grade_and_rank(out.assign(period="annual"), spec)
    by_round = chosen.pivot_table(index=["track", "unit_id"], columns="period", values="score", aggfunc="first")
    # a chosen round nobody in the table was scored in is an empty column, not a missing one
    ranked = ranked.join(by_round.reindex(columns=periods), on=["track", "unit_id"])
    order = ranked.sort_values(["track", "group", "rank", "unit_id"], kind="stable")
    return order[[*ANNUAL_COLUMNS, *periods]].reset_index(drop=True)


def annual_csv(year: pd.DataFrame, periods: list[str], rubric: Rubric) -> bytes:
    """The roll-up as CSV in the manner of unit_scores.csv: scores with the rubric's decimals,
    target points with 2, ``vetoed`` as true/false, a round's score empty where the unit had none."""
    decimals = rubric.spec.rounding.decimals
    text = year.copy()
    for col in ["score", *periods]:
        text[col] = fixed_text(text[col], decimals)
    text["target_points"] = fixed_text(text["target_points"], 2)
    text["vetoed"] = np.where(text["vetoed"], "true", "false")
    return csv_bytes(formula_safe(text, ["track", "group", "unit_id", "unit_name", "grade", "vetoed_in"]))


def target_totals(year: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per unit, what the year adds to the target-management assessment (目标管理绩效考核): each
    track's annual score and target points side by side, and their sum ``total_points``.

    ``year`` is ``annual_scores``'s table. A track a unit is not scored on adds nothing and shows
    empty. Sorted by group (rubric order), then the total, highest first.
    """
    tracks = list(rubric.tracks["track_id"])
    keys = ["group", "unit_id", "unit_name"]
    wide = year.pivot_table(index=keys, columns="track", values=["score", "target_points"], aggfunc="first")
    score = wide["score"].reindex(columns=tracks)
    points = wide["target_points"].reindex(columns=tracks)
    out = pd.DataFrame(index=wide.index)
    for t in tracks:
        out[f"{t}_score"], out[f"{t}_points"] = score[t], points[t]
    # each track's points are already rounded to the cent, so the sum is exact to the cent too
    out["total_points"] = round_half_up(out[[f"{t}_points" for t in tracks]].sum(axis=1, min_count=1).to_numpy(), 2)
    out = out.reset_index()
    order = {g: i for i, g in enumerate(rubric.groups)}
    out = out.assign(_g=out["group"].map(order)).sort_values(["_g", "total_points", "unit_id"],
                                                              ascending=[True, False, True])  # fmt: skip
    return out.drop(columns="_g").reset_index(drop=True)


def totals_csv(totals: pd.DataFrame, rubric: Rubric) -> bytes:
    """``target_totals`` as CSV: ``group, unit_id, unit_name``, then ``<track>_score`` and
    ``<track>_points`` per track in rubric order, then ``total_points``; empty where not scored."""
    text = totals.copy()
    for t in rubric.tracks["track_id"]:
        text[f"{t}_score"] = fixed_text(text[f"{t}_score"], rubric.spec.rounding.decimals)
        text[f"{t}_points"] = fixed_text(text[f"{t}_points"], 2)
    text["total_points"] = fixed_text(text["total_points"], 2)
    return csv_bytes(formula_safe(text, ["group", "unit_id", "unit_name"]))
