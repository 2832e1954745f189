"""Grades and ranks within each (period, track, group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.rounding import EXACT_DECIMALS
from scoring.rubric.model import RubricSpec

__all__ = ["grade_and_rank", "grades_and_ranks"]


def grade_and_rank(t: pd.DataFrame, spec: RubricSpec) -> pd.DataFrame:
    """Add grade, rank and rank_of to track scores (published ``score``, exact ``score_exact``)."""
    t = t.copy()
    group = np.zeros(len(t), dtype=np.int64)
    for column in ("period", "track", "group"):
        codes, uniq = pd.factorize(t[column])
        group = group * len(uniq) + codes
    grade, rank, size = grades_and_ranks(t["score"].to_numpy(dtype="float64"), t["score_exact"].to_numpy(dtype="float64"),
                                         t["vetoed"].to_numpy(dtype=bool), group, spec)  # fmt: skip
    t["grade"] = np.asarray([g.name for g in spec.grades], dtype=object)[grade]
    t["rank"], t["rank_of"] = rank, size
    return t


def grades_and_ranks(
    score: np.ndarray, score_exact: np.ndarray, vetoed: np.ndarray, group: np.ndarray, spec: RubricSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each score's grade (position in ``spec.grades``), rank within its ``group`` code, and the group's size."""
    mins = np.array([g.min for g in spec.grades], dtype="float64")
    # grades are highest first: the first whose min <= score is the count of mins above the score
    grade = np.minimum((score[:, None] < mins[None, :]).sum(axis=1), len(mins) - 1)
    grade = np.where(vetoed, len(mins) - 1, grade)
    key = score if spec.ranking.by == "rounded" else np.round(score_exact, EXACT_DECIMALS)
    # a unit failed by an unscored veto has no score: it ranks after every scored unit, tied with its like
    key = np.where(np.isnan(key), -np.inf, key)
    rank, size = _ranks(key, group, dense=spec.ranking.method != "competition")
    return grade, rank, size


def _ranks(key: np.ndarray, group: np.ndarray, dense: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each row within its group (highest key first) and the group's size.

    Competition ranking ('min': 1, 2, 2, 4) or dense (1, 2, 2, 3); one sort for every group,
    not a groupby per group.
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((-key, group))
    g, k = group[order], key[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, k[1:] != k[:-1]]
    position = np.arange(n)
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    if dense:
        distinct = np.cumsum(new_value)
        ranked = distinct - distinct[group_start] + 1
    else:
        ranked = np.maximum.accumulate(np.where(new_value, position, 0)) - group_start + 1
    rank = np.empty(n, dtype=np.int64)
    rank[order] = ranked
    return rank, np.bincount(group)[group].astype(np.int64)
