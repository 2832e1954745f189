"""Grades and ranks within each (period, track, group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rounding import EXACT_DECIMALS
from .rubric_model import RubricSpec

__all__ = ["grade_and_rank"]


def grade_and_rank(t: pd.DataFrame, spec: RubricSpec) -> pd.DataFrame:
    """Add grade, rank and rank_of to track scores (published ``score``, exact ``score_exact``)."""
    t = t.copy()
    names = [g.name for g in spec.grades]
    mins = np.array([g.min for g in spec.grades], dtype="float64")
    # grades are highest first: the first whose min <= score is the count of mins above the score
    position = (t["score"].to_numpy()[:, None] < mins[None, :]).sum(axis=1)
    position = np.minimum(position, len(names) - 1)
    position = np.where(t["vetoed"].to_numpy(), len(names) - 1, position)
    t["grade"] = np.asarray(names, dtype=object)[position]

    key = t["score"] if spec.ranking.by == "rounded" else t["score_exact"].round(EXACT_DECIMALS)
    method = "min" if spec.ranking.method == "competition" else "dense"
    groups = [t["period"], t["track"], t["group"]]
    t["rank"] = key.groupby(groups, sort=False).rank(method=method, ascending=False).astype("int64")
    t["rank_of"] = key.groupby(groups, sort=False).transform("size").astype("int64")
    return t
