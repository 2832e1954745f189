"""Rank intervals under random dimension weights, and each dimension's influence (SPEC extension 5).

Every run multiplies the points of each dimension's base checks by one factor. A check's earned
points are linear in its points (binary, levels, ratio, NA, missing: points × a fraction) or a
floored difference (deduct and deadline: max(0, points − loss)), so a run is one matrix product
of the factors with per-dimension sums for the linear checks, plus the floored rows computed for
the whole batch of runs at once; ranks are computed for every run in one sort (scoring.ranking)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.pipeline import Assessment
from scoring.ranking import grades_and_ranks
from scoring.rounding import round_published

__all__ = ["BATCH_RUNS", "Model", "dimension_influence", "model_of", "overlaps_next", "rank_intervals", "ranks_under"]

BATCH_RUNS = 500  # runs computed together: the floored rows take runs × rows floats
BATCH_CELLS = 20_000_000


@dataclass(frozen=True)
class Model:
    """A round's scores as functions of the dimension factors."""

    keys: pd.DataFrame  # one row per ranked (period, track, unit): period, track, group, unit_id, unit_name, rank
    dims: pd.Index  # dimension ids, in rubric order
    dim_track: np.ndarray  # each dimension's track id
    lin_earned: np.ndarray  # (dims × keys) Σ earned of the linear rows
    most: np.ndarray  # (dims × keys) Σ max
    nl_key: np.ndarray  # floored rows: their key, dimension, points and loss
    nl_dim: np.ndarray
    nl_points: np.ndarray
    nl_loss: np.ndarray
    bonus: np.ndarray  # (dims × keys) Σ bonus earned, before the track's bonus_max
    bonus_max: np.ndarray  # per key: the track's bonus_max and bonus floor (NaN none)
    bonus_min_base: np.ndarray
    bonus_above: np.ndarray  # per key: bonus only strictly above this base (NaN none)
    cap: np.ndarray  # (dims × keys) the smallest cap of the violated vetoes (inf none)
    segment: np.ndarray  # per key: code of its (period, track, group)
    decimals: int
    rounding_mode: str


def model_of(result: Assessment, periods: list[str] | None = None) -> Model:
    """The model of the given periods (all by default)."""
    rubric = result.rubric
    units = result.scores.units
    if periods is not None:
        units = units[units["period"].astype(str).isin(periods)]
    keys = units[["period", "track", "group", "unit_id", "unit_name", "rank"]].astype(
        {"period": str, "track": str, "group": str, "unit_id": str, "unit_name": str})  # fmt: skip
    keys = keys.reset_index(drop=True)
    key_index = pd.MultiIndex.from_frame(keys[["period", "track", "unit_id"]])
    c = result.scores.checks
    if periods is not None:
        c = c[c["period"].astype(str).isin(periods)]
    meta = rubric.checks.set_index("check_id")
    dims = pd.Index(rubric.checks["dimension_id"].drop_duplicates())
    dim_track = rubric.checks.drop_duplicates("dimension_id")["track_id"].to_numpy(dtype=object)

    k = key_index.get_indexer(pd.MultiIndex.from_arrays([c["period"].astype(str), c["track"].astype(str),
                                                         c["unit_id"].astype(str)]))  # fmt: skip
    method = c["method"].astype(str).to_numpy()
    base = np.isin(method, ["binary", "levels", "ratio", "deduct", "deadline"]) & (k >= 0)
    status = c["status"].astype(str).to_numpy()
    d = dims.get_indexer(c["dimension_id"].astype(str))
    earned, most = c["earned"].to_numpy(dtype=float), c["max"].to_numpy(dtype=float)
    points = c["points"].to_numpy(dtype=float)
    check_ids = c["check_id"].astype(str)
    value = pd.to_numeric(c["value"].astype(str), errors="coerce").to_numpy(dtype=float)
    scored = status == "scored"

    # deduct: points − per_item × count, floored; deadline: points − per_day × days late, floored
    # (no per_day: nothing when late; unanswered: nothing) — a loss of inf keeps it at 0
    per_item = check_ids.map(meta["per_item"]).to_numpy(dtype=float)
    limit = check_ids.map(meta["limit"]).to_numpy(dtype=float)
    per_day = check_ids.map(meta["per_day"]).to_numpy(dtype=float)
    loss = np.zeros(len(c))
    ded = base & scored & (method == "deduct")
    loss[ded] = per_item[ded] * value[ded]
    dl = base & scored & (method == "deadline")
    late = value - limit
    dl_loss = np.where(np.isnan(value), np.inf, np.where(late <= 0, 0.0, np.where(np.isnan(per_day), np.inf,
                                                                                    np.nan_to_num(per_day) * late)))  # fmt: skip
    loss[dl] = dl_loss[dl]
    # a deduction pool (扣完为止 per indicator) floors its checks together: one floored row per
    # (key, pool) with the pool's scored points and all its deductions (a pool lies in one dimension)
    pool = check_ids.map(meta["pool"]).to_numpy(dtype=object)
    pooled = ded & pd.notna(pool)
    floored = (ded | dl) & (loss > 0) & ~pooled
    linear = base & ~floored & ~pooled
    sums = pd.DataFrame({"k": k[pooled], "pool": pool[pooled], "d": d[pooled], "points": points[pooled],
                         "loss": loss[pooled]}).groupby(["k", "pool"], sort=False).agg(
        d=("d", "first"), points=("points", "sum"), loss=("loss", "sum")).reset_index()  # fmt: skip
    nl_key = np.r_[k[floored], sums["k"].to_numpy(dtype=np.int64)]
    nl_dim = np.r_[d[floored], sums["d"].to_numpy(dtype=np.int64)]
    nl_points = np.r_[points[floored], sums["points"].to_numpy(dtype=float)]
    nl_loss = np.r_[loss[floored], sums["loss"].to_numpy(dtype=float)]

    n_k, n_d = len(keys), len(dims)
    lin = np.zeros((n_d, n_k))
    np.add.at(lin, (d[linear], k[linear]), earned[linear])
    mx = np.zeros((n_d, n_k))
    np.add.at(mx, (d[base], k[base]), most[base])

    is_bonus = (method == "bonus") & (k >= 0)
    bonus = np.zeros((n_d, n_k))
    np.add.at(bonus, (d[is_bonus], k[is_bonus]), earned[is_bonus])
    tracks = rubric.tracks.set_index("track_id")
    bonus_max = keys["track"].map(tracks["bonus_max"]).to_numpy(dtype=float)
    min_base = keys["track"].map(tracks["bonus_min_base"]).to_numpy(dtype=float)
    above = keys["track"].map(tracks["bonus_above"]).to_numpy(dtype=float)
    violated = c["violated"].to_numpy(dtype=bool) & (k >= 0)
    cap = np.full((n_d, n_k), np.inf)
    # a veto of effect unscored leaves no score: -inf ranks the unit after every scored one, as published
    caps = np.where(check_ids[violated].map(meta["unscored"]).to_numpy(dtype=bool), -np.inf,
                    check_ids[violated].map(meta["cap"]).to_numpy(dtype=float))  # fmt: skip
    np.minimum.at(cap, (d[violated], k[violated]), caps)
    segment = pd.MultiIndex.from_frame(keys[["period", "track", "group"]]).factorize()[0]
    return Model(keys, dims, dim_track, lin, mx, nl_key, nl_dim, nl_points, nl_loss, bonus,
                 bonus_max, min_base, above, cap, segment, rubric.spec.rounding.decimals,
                 rubric.spec.rounding.mode)  # fmt: skip


def ranks_under(model: Model, factors: np.ndarray, spec) -> np.ndarray:
    """(runs × keys) ranks with the given (runs × dims) factors; 0 where a key has no base check
    left. A factor of 0 takes a dimension out: its base checks, and its bonus and veto checks too."""
    runs = factors.shape[0]
    earned = factors @ model.lin_earned
    if len(model.nl_key):
        floored = np.maximum(factors[:, model.nl_dim] * model.nl_points - model.nl_loss, 0.0)
        order = np.argsort(model.nl_key, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(model.nl_key[order]) != 0])
        earned[:, model.nl_key[order][starts]] += np.add.reduceat(floored[:, order], starts, axis=1)
    most = factors @ model.most
    ranked = most > 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(ranked, 100.0 * earned / most, 0.0)
    present = factors > 0
    bonus = np.minimum(model.bonus_max, present @ model.bonus)
    shown = round_published(base, model.decimals, model.rounding_mode)
    withheld = shown < model.bonus_min_base  # NaN floor: never withheld
    withheld |= shown <= model.bonus_above
    vetoes = (model.cap < np.inf).any(axis=1)  # the few dimensions with a violated veto (-inf: unscored)
    cap = np.full(earned.shape, np.inf)
    if vetoes.any():
        cap = np.where(present[:, vetoes, None], model.cap[None, vetoes, :], np.inf).min(axis=1)
    exact = np.minimum(base + np.where(withheld, 0.0, bonus), cap)
    score = round_published(exact, model.decimals, model.rounding_mode)
    # every run's segments are their own groups; an unranked key is put in a group of its own
    n_seg = int(model.segment.max()) + 1 if len(model.segment) else 1
    group = np.arange(runs)[:, None] * (n_seg + 1) + np.where(ranked, model.segment[None, :], n_seg)
    _, rank, _ = grades_and_ranks(score.ravel(), exact.ravel(), np.isfinite(cap).ravel(), group.ravel(), spec)
    return np.where(ranked, rank.reshape(runs, -1), 0)


def _lower_quantile(sorted_ranks: np.ndarray, q: float) -> np.ndarray:
    """The smallest rank r with at least q of the runs ≤ r (rows sorted ascending over runs)."""
    k = max(1, int(np.ceil(q * sorted_ranks.shape[0] - 1e-9)))
    return sorted_ranks[k - 1]


def rank_intervals(
    result: Assessment, runs: int = 1000, spread: float = 0.25, seed: int = 0, periods: list[str] | None = None
) -> pd.DataFrame:
    """period, track, group, unit_id, unit_name, rank, median_rank, p05, p95 per ranked unit."""
    model = model_of(result, periods)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - spread, 1 + spread, size=(runs, len(model.dims)))
    # runs × floored rows floats at a time: a province's round has hundreds of thousands of them
    batch = max(1, min(BATCH_RUNS, BATCH_CELLS // max(1, len(model.nl_key))))
    ranks = np.vstack([ranks_under(model, factors[i : i + batch], result.rubric.spec) for i in range(0, runs, batch)])
    ranks.sort(axis=0)
    out = model.keys.assign(median_rank=_lower_quantile(ranks, 0.5), p05=_lower_quantile(ranks, 0.05),
                            p95=_lower_quantile(ranks, 0.95))  # fmt: skip
    return out[["period", "track", "group", "unit_id", "unit_name", "rank", "median_rank", "p05", "p95"]]


def dimension_influence(result: Assessment) -> pd.DataFrame:
    """period, track, group, unit_id, dimension_id, rank_without per ranked unit and dimension of
    its track (rank_without empty where the unit then has no base check left)."""
    model = model_of(result)
    factors = 1.0 - np.eye(len(model.dims))
    ranks = ranks_under(model, factors, result.rubric.spec)  # (dims × keys)
    keys = model.keys
    track_of_key = keys["track"].to_numpy(dtype=object)
    pairs = track_of_key[:, None] == model.dim_track[None, :]  # (keys × dims): the dimension is of the key's track
    ki, di = np.nonzero(pairs)
    rank = ranks[di, ki]
    # written as text: an empty cell where the unit has no base check left (SPEC extension 5)
    without = np.where(rank > 0, rank.astype(str), "").astype(object)
    return pd.DataFrame({
        "period": keys["period"].to_numpy()[ki], "track": track_of_key[ki], "group": keys["group"].to_numpy()[ki],
        "unit_id": keys["unit_id"].to_numpy()[ki], "dimension_id": model.dims.to_numpy()[di],
        "rank_without": without,
    })  # fmt: skip


def overlaps_next(intervals: pd.DataFrame) -> pd.Series:
    """For each unit (in published rank order within its period, track and group): whether its
    p05–p95 interval overlaps the next-ranked unit's — the two are not reliably different."""
    order = intervals.sort_values(["period", "track", "group", "rank", "unit_id"], kind="stable")
    same = (order[["period", "track", "group"]].shift(-1) == order[["period", "track", "group"]]).all(axis=1)
    overlap = same & (order["p95"] >= order["p05"].shift(-1))
    return overlap.reindex(intervals.index)
