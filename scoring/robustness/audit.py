"""Indicator quality of a scored round (issue 33, ``assess audit``, the 指标质量 page).

Per check and period: how many units it applies to and was tested on, the share not applicable,
at full marks and at zero, its distinct results, the mean points lost, and the corrected item–rest
correlation (the check against the rest of the unit's dimension and of its track, the check itself
taken out). Per dimension and period: Cronbach's alpha of its base checks. Every figure is computed
from the engine's check table, for all checks at once, with grouped sums (``np.bincount``); only
alpha loops, over the (period, dimension) pairs, each a small covariance matrix.

An item's result is put on one scale, its share of the check's points: earned ÷ points for base and
bonus checks, and for a veto 1 when it was not violated, 0 when it was. Only scored rows count
(not NA, not missing). Rests are shares too (earned ÷ max of the rest), so that a unit with NA
checks, rescaled, is compared on the same footing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.pipeline import Assessment
from scoring.rubric.model import BASE_METHODS

__all__ = [
    "CHECK_QUALITY_COLUMNS",
    "DIMENSION_QUALITY_COLUMNS",
    "FLAGS",
    "FULL_SHARE_FLAG",
    "NA_SHARE_FLAG",
    "QualityAudit",
    "audit_round",
    "cronbach_alpha",
    "grouped_correlation",
]

# 区分度低: this share of the tested units (or more) at full marks, or at zero, says little about anyone
FULL_SHARE_FLAG = 0.9
# 覆盖不足: more than this share not applicable, and the check scores too few units to compare
NA_SHARE_FLAG = 0.35
# fewer tested units than this and a correlation is noise: left blank
MIN_PAIRS = 3
# results closer than this are the same result (fractions of points, written to 6 decimals)
SAME = 1e-9
# a spread below this (sum of squared deviations of fractions) is no spread: a constant
NO_SPREAD = 1e-12
DECIMALS = 4
# alpha counts the checks tested on at least this share of the units the dimension scored
MIN_COMMON = 0.5

FLAGS = {
    "low_discrimination": "区分度低",
    "reversed": "方向存疑",
    "low_coverage": "覆盖不足",
}

CHECK_QUALITY_COLUMNS = [
    "period", "track", "dimension_id", "check_id", "check_name", "method", "units", "tested",
    "na_share", "full_share", "zero_share", "distinct", "mean_lost", "r_dimension", "r_track",
    "flag_codes", "flags",
]  # fmt: skip
DIMENSION_QUALITY_COLUMNS = ["period", "track", "dimension_id", "dimension_name", "items", "units", "alpha"]


@dataclass(frozen=True)
class QualityAudit:
    """The audit's two tables: a row per (period, check) and a row per (period, dimension)."""

    checks: pd.DataFrame
    dimensions: pd.DataFrame


def grouped_correlation(group: np.ndarray, x: np.ndarray, y: np.ndarray, n_groups: int) -> np.ndarray:
    """Pearson's r of x and y within each group, for all groups at once; NaN where a group has
    fewer than ``MIN_PAIRS`` rows or either side does not vary (a constant has no correlation).

    Deviations are taken from each group's mean before the products are summed, so that
    near-constant columns do not lose their digits to cancellation.
    """
    n = np.bincount(group, minlength=n_groups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(group, x, minlength=n_groups) / n
        my = np.bincount(group, y, minlength=n_groups) / n
        dx, dy = x - mx[group], y - my[group]
        sxx = np.bincount(group, dx * dx, minlength=n_groups)
        syy = np.bincount(group, dy * dy, minlength=n_groups)
        sxy = np.bincount(group, dx * dy, minlength=n_groups)
        r = sxy / np.sqrt(sxx * syy)
    defined = (n >= MIN_PAIRS) & (sxx > NO_SPREAD) & (syy > NO_SPREAD)
    return np.where(defined, np.clip(r, -1.0, 1.0), np.nan)


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of a (units × items) matrix; NaN marks a result not recorded.

    Covariances are taken pairwise over the units holding both items (as Pingouin's default does),
    so that a check applying to one peer group only does not take every other unit out.
    alpha = k / (k − 1) × (1 − Σ item variances / variance of the total). NaN with fewer than two
    items, a pair of items no unit holds both of, or a total that does not vary.
    """
    k = items.shape[1]
    if k < 2:
        return float("nan")
    cov = pd.DataFrame(items).cov(min_periods=2).to_numpy()
    total = cov.sum()
    if np.isnan(cov).any() or total <= NO_SPREAD:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniq = pd.factorize(values.astype(str))
    return codes.astype(np.int64), pd.Index(uniq)


def _rest(
    key: np.ndarray, n: int, earned: np.ndarray, most: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's rest share: (Σ earned − own) ÷ (Σ max − own) over the base rows of its key: the
    unit's dimension (or track) score as the engine computes it, NA and missing results included,
    with the row's own check taken out."""
    e = np.bincount(key, earned * base, minlength=n)[key] - earned * base
    m = np.bincount(key, most * base, minlength=n)[key] - most * base
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m > SAME, e / m, np.nan), m > SAME


def _percent(v: np.ndarray) -> pd.Series:
    """Shares as whole percents, as f"{v:.0%}" writes them (half to even), for the flags' texts."""
    return pd.Series(np.rint(np.nan_to_num(v) * 100).astype(np.int64)).astype(str) + "%"


def _flags(full: np.ndarray, zero: np.ndarray, distinct: np.ndarray, tested: np.ndarray, na: np.ndarray,
           r_dim: np.ndarray, r_track: np.ndarray) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """The flags of each row, as codes and as the Chinese a person reads, with the threshold that raised them."""
    limit, na_limit = f"{FULL_SHARE_FLAG:.0%}", f"{NA_SHARE_FLAG:.0%}"
    some = tested > 0
    at_full = some & (full >= FULL_SHARE_FLAG)
    at_zero = some & ~at_full & (zero >= FULL_SHARE_FLAG)
    same = some & ~at_full & ~at_zero & (distinct == 1)
    r_text = lambda r: pd.Series(np.nan_to_num(r)).map("{:.2f}".format)  # noqa: E731
    # (where, code, text): a flag's text for every row, kept where it holds
    candidates = [
        (at_full, "low_discrimination", FLAGS["low_discrimination"] + ":满分单位占 " + _percent(full) + f"(≥ {limit})"),
        (at_zero, "low_discrimination", FLAGS["low_discrimination"] + ":零分单位占 " + _percent(zero) + f"(≥ {limit})"),
        (same, "low_discrimination", pd.Series(FLAGS["low_discrimination"] + ":所有单位结果相同", index=range(len(full)))),
        (r_dim < 0, "reversed", FLAGS["reversed"] + ":与所在一级指标其余测评点的相关系数 " + r_text(r_dim) + "(< 0)"),
        (~(r_dim < 0) & (r_track < 0), "reversed",
         FLAGS["reversed"] + ":与所在轨道其余测评点的相关系数 " + r_text(r_track) + "(< 0)"),
        (na > NA_SHARE_FLAG, "low_coverage", FLAGS["low_coverage"] + ":不涉及占 " + _percent(na) + f"(> {na_limit})"),
    ]  # fmt: skip
    raised = pd.DataFrame({"row": np.concatenate([np.flatnonzero(w) for w, _, _ in candidates]).astype(np.int64),
                           "code": np.concatenate([np.full(int(w.sum()), c, dtype=object) for w, c, _ in candidates]),
                           "text": np.concatenate([t.to_numpy(dtype=object)[w] for w, _, t in candidates])})  # fmt: skip
    # a row's flags in the order above (stable sort); the same code twice is said once
    raised = raised.sort_values("row", kind="stable").groupby("row", sort=True)
    rows = pd.RangeIndex(len(full))
    codes = raised["code"].agg(lambda c: " ".join(dict.fromkeys(c))).reindex(rows, fill_value="")
    words = raised["text"].agg(";".join).reindex(rows, fill_value="")
    return codes, words


def audit_round(result: Assessment) -> QualityAudit:
    """The quality audit of every period of a scored round."""
    rubric = result.rubric
    c = result.scores.checks
    meta = rubric.checks.set_index("check_id")
    period, periods = _codes(c["period"])
    unit, _ = _codes(c["unit_id"])
    check_ids = pd.Index(rubric.checks["check_id"].astype(str))
    check = check_ids.get_indexer(c["check_id"].astype(str)).astype(np.int64)
    dim, _ = _codes(c["dimension_id"])
    track, _ = _codes(c["track"])
    n_p, n_c, n_u = len(periods), len(check_ids), int(unit.max(initial=-1)) + 1
    status = c["status"].astype(str).to_numpy()
    method = c["method"].astype(str).to_numpy()
    earned = c["earned"].to_numpy(dtype=float)
    most = c["max"].to_numpy(dtype=float)
    points = c["points"].to_numpy(dtype=float)
    scored, na = status == "scored", status == "na"
    in_base = np.isin(method, BASE_METHODS)  # counts towards its dimension's and track's score, as the engine sums
    base = in_base & scored
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(method == "veto", 1.0 - c["violated"].to_numpy(dtype=float), earned / points)

    g = period * n_c + check  # one group per (period, check), in rubric order within a period
    size = n_p * n_c
    units = np.bincount(g, minlength=size)
    tested = np.bincount(g, scored, minlength=size).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        na_share = np.bincount(g, na, minlength=size) / units
        full = np.bincount(g, scored & (share >= 1 - SAME), minlength=size) / tested
        zero = np.bincount(g, scored & (share <= SAME), minlength=size) / tested
        mean_lost = np.bincount(g, np.where(scored, c["lost"].to_numpy(dtype=float), 0.0), minlength=size) / tested
    s = np.flatnonzero(scored)
    pairs = np.unique(np.c_[g[s], np.round(share[s] / SAME).astype(np.int64)], axis=0)
    distinct = np.bincount(pairs[:, 0], minlength=size) if len(pairs) else np.zeros(size, dtype=np.int64)

    n_d, n_t = int(dim.max(initial=-1)) + 1, int(track.max(initial=-1)) + 1
    rest_d, ok_d = _rest((period * n_u + unit) * n_d + dim, n_p * n_u * n_d, earned, most, in_base)
    rest_t, ok_t = _rest((period * n_u + unit) * n_t + track, n_p * n_u * n_t, earned, most, in_base)
    r_dim = np.full(size, np.nan)
    r_track = np.full(size, np.nan)
    for rest, ok, out in ((rest_d, ok_d, r_dim), (rest_t, ok_t, r_track)):
        m = scored & ok
        # flags read the figure as published: an r of -1e-17 (float noise around 0) is 0, not reversed
        out[:] = np.round(grouped_correlation(g[m], share[m], rest[m], size), DECIMALS)

    present = np.flatnonzero(units > 0)
    p_of, c_of = present // n_c, present % n_c
    flag_codes, flags = _flags(full[present], zero[present], distinct[present], tested[present],
                               na_share[present], r_dim[present], r_track[present])  # fmt: skip
    ids = check_ids[c_of]
    checks = pd.DataFrame({
        "period": periods[p_of],
        "track": meta.loc[ids, "track_id"].to_numpy(),
        "dimension_id": meta.loc[ids, "dimension_id"].to_numpy(),
        "check_id": ids,
        "check_name": meta.loc[ids, "check_name"].to_numpy(),
        "method": meta.loc[ids, "method"].to_numpy(),
        "units": units[present],
        "tested": tested[present],
        "na_share": np.round(na_share[present], DECIMALS),
        "full_share": np.round(full[present], DECIMALS),
        "zero_share": np.round(zero[present], DECIMALS),
        "distinct": distinct[present],
        "mean_lost": np.round(mean_lost[present], DECIMALS),
        "r_dimension": r_dim[present],
        "r_track": r_track[present],
        "flag_codes": flag_codes.to_numpy(dtype=object),
        "flags": flags.to_numpy(dtype=object),
    })  # fmt: skip
    order = np.argsort(pd.Index(result.scores.periods).get_indexer(checks["period"]), kind="stable")
    checks = checks.iloc[order].reset_index(drop=True)
    return QualityAudit(checks=checks[CHECK_QUALITY_COLUMNS], dimensions=_alphas(result, c, base, earned))


def _alphas(result: Assessment, c: pd.DataFrame, base: np.ndarray, earned: np.ndarray) -> pd.DataFrame:
    """Cronbach's alpha per (period, dimension) from the scored base checks' points earned, over the
    checks tested on at least ``MIN_COMMON`` of the units the dimension scored (``items``)."""
    rubric = result.rubric
    rows = pd.DataFrame({"period": c["period"].astype(str).to_numpy()[base],
                         "unit_id": c["unit_id"].astype(str).to_numpy()[base],
                         "check_id": c["check_id"].astype(str).to_numpy()[base], "earned": earned[base]})  # fmt: skip
    grid = rows.pivot_table(index=["period", "unit_id"], columns="check_id", values="earned", aggfunc="first")
    dims = rubric.checks[rubric.checks["is_base"]].groupby("dimension_id", sort=False)["check_id"].agg(list)
    names = rubric.checks.drop_duplicates("dimension_id").set_index("dimension_id")
    out = []
    for period in result.scores.periods:
        if period not in grid.index.get_level_values(0):
            continue
        of_period = grid.loc[period]
        for dim_id, check_list in dims.items():
            present = [k for k in check_list if k in of_period.columns]
            if not present:
                continue
            counts = of_period[present].notna().sum()
            reach = int(of_period[present].notna().any(axis=1).sum())
            # a key task of two named units, or a check of one peer group out of three, shares too few
            # units with the others for a covariance: alpha is taken over the dimension's common checks
            held = [k for k in present if counts[k] >= max(2, MIN_COMMON * reach)]
            items = of_period[held].dropna(how="all")
            out.append({"period": period, "track": names.at[dim_id, "track_id"], "dimension_id": dim_id,
                        "dimension_name": names.at[dim_id, "dimension_name"], "items": len(held),
                        "units": len(items), "alpha": round(cronbach_alpha(items.to_numpy(dtype=float)), DECIMALS)})  # fmt: skip
    return pd.DataFrame(out, columns=DIMENSION_QUALITY_COLUMNS)
