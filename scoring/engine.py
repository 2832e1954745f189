"""Scores from validated findings (SPEC §1, 'Track score of one unit in one period').

One frame holds every applicable (period, unit, check); each method's rule is a
vectorised expression over it, and track and dimension scores are group sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ranking import grade_and_rank
from .rounding import round_half_up
from .rubric import Rubric
from .validate import KEY, Findings

__all__ = ["CHECK_COLUMNS", "DIMENSION_COLUMNS", "UNIT_COLUMNS", "Scores", "score_findings"]

UNIT_COLUMNS = [
    "period", "track", "group", "unit_id", "unit_name", "base", "bonus", "score",
    "vetoed", "grade", "rank", "rank_of", "target_points",
]  # fmt: skip
DIMENSION_COLUMNS = ["period", "track", "unit_id", "dimension_id", "earned", "max", "percent"]
CHECK_COLUMNS = [
    "period", "track", "unit_id", "dimension_id", "indicator_id", "check_id", "method",
    "status", "value", "earned", "max", "lost", "findings", "evidence",
]  # fmt: skip

EVIDENCE_SEPARATOR = " | "


@dataclass(frozen=True)
class Scores:
    """The three score tables of SPEC §3 (spec columns first; extra columns after them)."""

    units: pd.DataFrame
    dimensions: pd.DataFrame
    checks: pd.DataFrame
    periods: list[str]


def _aggregate(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per (period, unit, check): summed value, row count, NA flag, evidence."""
    g = findings.groupby(KEY, sort=False)
    agg = g.agg(total=("num", "sum"), findings=("_row", "size"), na=("is_na", "any"), label=("label", "first"))
    ev = findings.loc[findings["evidence"] != "", [*KEY, "evidence"]]
    counts = ev.groupby(KEY, sort=False)["evidence"].transform("size")
    single = ev[counts == 1].set_index(KEY)["evidence"]
    # joining strings needs Python per group, so only the groups that have several
    multi = ev[counts > 1].groupby(KEY, sort=False)["evidence"].agg(EVIDENCE_SEPARATOR.join)
    agg["evidence"] = pd.concat([single, multi]).reindex(agg.index).fillna("")
    return agg.reset_index()


def _value_text(frame: pd.DataFrame) -> pd.Series:
    """The normalised value column of check_scores.csv."""
    total = frame["total"]
    whole = total.fillna(0).round().astype("int64").astype(str)
    fraction = total.round(6).astype(str).str.replace(r"\.0$", "", regex=True)
    method = frame["method"]
    text = np.select(
        [
            frame["status"] == "missing",
            frame["status"] == "na",
            method == "levels",
            method == "ratio",
        ],
        ["", "NA", frame["label"].fillna(""), fraction],
        whole,
    )
    return pd.Series(text, index=frame.index, dtype=object)


def score_findings(rubric: Rubric, roster: pd.DataFrame, findings: Findings) -> Scores:
    """Score every unit of the roster in every period of the findings."""
    checks = rubric.checks
    tracks = rubric.tracks.set_index("track_id")
    periods = findings.periods

    frame = rubric.applicability(roster).merge(pd.DataFrame({"period": periods}), how="cross")
    frame = frame.merge(_aggregate(findings.rows), on=KEY, how="left")
    meta = checks[
        ["check_id", "track_id", "dimension_id", "indicator_id", "method", "points", "per_item",
         "floor", "target", "cap", "is_base", "check_order"]
    ]  # fmt: skip
    frame = frame.merge(meta, on="check_id", how="left")
    frame["na_policy"] = frame["track_id"].map(tracks["na_policy"])

    missing = frame["findings"].isna()
    na = frame["na"].fillna(False).astype(bool)
    frame["findings"] = frame["findings"].fillna(0).astype("int64")
    frame["evidence"] = frame["evidence"].fillna("")
    frame["status"] = np.select([missing, na], ["missing", "na"], "scored")

    m, v, pts = frame["method"], frame["total"].fillna(0.0), frame["points"]
    span = frame["target"] - frame["floor"]
    earned = np.select(
        [m.isin(["binary", "levels"]), m == "ratio", m == "deduct", m == "bonus"],
        [
            pts * v,
            pts * ((v - frame["floor"]) / span).clip(0, 1),
            (pts - frame["per_item"] * v).clip(lower=0),
            np.minimum(pts, frame["per_item"] * v),
        ],
        0.0,
    )
    is_base = frame["is_base"].astype(bool)
    full_na = na & is_base & (frame["na_policy"] == "full")
    # NA earns nothing and weighs nothing under rescale; its full points under 'full'
    earned = np.where(missing | na, 0.0, earned)
    earned = np.where(full_na, pts, earned)
    maximum = np.where(is_base & ~(na & ~full_na), pts, 0.0)
    maximum = np.where(m == "bonus", pts, maximum)
    frame["earned"] = earned
    frame["max"] = maximum
    frame["lost"] = np.where(is_base, maximum - earned, 0.0)
    frame["violated"] = (m == "veto") & (frame["status"] == "scored") & (v == 1)
    frame["value"] = _value_text(frame)

    units = _track_scores(rubric, roster, frame, tracks)
    dims = _dimension_scores(frame, rubric)
    check_table = _check_table(frame, rubric)
    return Scores(units=units, dimensions=dims, checks=check_table, periods=periods)


def _track_scores(rubric: Rubric, roster: pd.DataFrame, frame: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    keys = ["period", "track_id", "unit_id"]
    base_rows = frame[frame["is_base"].astype(bool)]
    remaining = base_rows["max"] > 0
    base = (
        base_rows.assign(remaining=remaining)
        .groupby(keys, sort=False)
        .agg(earned=("earned", "sum"), max=("max", "sum"), remaining=("remaining", "sum"))
    )
    base = base[base["remaining"] > 0]
    bonus = frame[frame["method"] == "bonus"].groupby(keys, sort=False)["earned"].sum()
    vetoes = frame[frame["violated"]]
    cap = vetoes.groupby(keys, sort=False)["cap"].min()

    t = base.reset_index()
    idx = pd.MultiIndex.from_frame(t[keys])
    t["base_exact"] = 100.0 * t["earned"] / t["max"]
    bonus_max = t["track_id"].map(tracks["bonus_max"]).astype("float64")
    t["bonus_exact"] = np.minimum(bonus_max, bonus.reindex(idx).fillna(0.0).to_numpy())
    cap_values = cap.reindex(idx).to_numpy()
    t["vetoed"] = ~np.isnan(cap_values)
    raw = t["base_exact"] + t["bonus_exact"]
    t["score_exact"] = np.where(t["vetoed"], np.minimum(raw, np.nan_to_num(cap_values, nan=np.inf)), raw)

    decimals = rubric.spec.rounding.decimals
    t["base"] = round_half_up(t["base_exact"], decimals)
    t["bonus"] = round_half_up(t["bonus_exact"], decimals)
    t["score"] = round_half_up(t["score_exact"], decimals)
    weight = t["track_id"].map(tracks["weight"]).astype("float64")
    t["target_points"] = round_half_up(t["score_exact"] / 100.0 * weight * rubric.spec.target.total_points, 2)

    names = roster.set_index("unit_id")
    t["group"] = t["unit_id"].map(names["group"])
    t["unit_name"] = t["unit_id"].map(names["name"])
    t = t.rename(columns={"track_id": "track"})
    t = grade_and_rank(t, rubric.spec)
    t = t.sort_values(["period", "track", "group", "rank", "unit_id"], kind="stable").reset_index(drop=True)
    return t[[*UNIT_COLUMNS, "base_exact", "bonus_exact", "score_exact"]]


def _dimension_scores(frame: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    keys = ["period", "track_id", "unit_id", "dimension_id"]
    base_rows = frame[frame["is_base"].astype(bool)]
    d = base_rows.groupby(keys, sort=False).agg(earned=("earned", "sum"), max=("max", "sum"), _o=("check_order", "min"))
    d = d.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        d["percent_exact"] = np.where(d["max"] > 0, 100.0 * d["earned"] / d["max"], np.nan)
    d["percent"] = round_half_up(d["percent_exact"], rubric.spec.rounding.decimals)
    d = d.sort_values(["period", "track_id", "unit_id", "_o"], kind="stable").reset_index(drop=True)
    return d.rename(columns={"track_id": "track"})[[*DIMENSION_COLUMNS, "percent_exact"]]


def _check_table(frame: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    c = frame.sort_values(["period", "track_id", "unit_id", "check_order"], kind="stable").reset_index(drop=True)
    c = c.rename(columns={"track_id": "track"})
    return c[[*CHECK_COLUMNS, "violated", "points"]]
