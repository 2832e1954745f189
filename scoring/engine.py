"""Scores from validated findings (SPEC §1, 'Track score of one unit in one period').

Every applicable (period, unit, check) is one int64 key (see :mod:`scoring.codes`); findings
are summed into dense arrays with ``np.bincount``, each method's rule is one vectorised
expression, and track and dimension scores are bincounts again. No string is touched until
the output tables are built, and those use categorical codes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .codes import Codes
from .ranking import grade_and_rank
from .rounding import round_half_up
from .rubric import Rubric
from .validate import Findings

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
STATUSES = np.array(["scored", "na", "missing"], dtype=object)


class Scores:
    """The three score tables of SPEC §3 (spec columns first; extra columns after them).

    The check table has a row per applicable (period, unit, check), a million rows for a
    province, while rankings need only the unit table; so it may be given as a function and is
    then built on first use, once.
    """

    __slots__ = ("_checks", "dimensions", "periods", "units")

    def __init__(
        self,
        units: pd.DataFrame,
        dimensions: pd.DataFrame,
        checks: pd.DataFrame | Callable[[], pd.DataFrame],
        periods: list[str],
    ) -> None:
        self.units, self.dimensions, self._checks, self.periods = units, dimensions, checks, periods

    @property
    def checks(self) -> pd.DataFrame:
        if callable(self._checks):
            self._checks = self._checks()
        return self._checks


def _take(labels: list[str] | np.ndarray | pd.Index, codes: np.ndarray) -> pd.Categorical:
    """A text column of a million rows and a few distinct values, kept as codes."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))


def _per_check(attribute: pd.Series, c: np.ndarray) -> pd.Categorical:
    """A check attribute (dimension, method …) for every row, as codes of its distinct values."""
    codes, uniq = pd.factorize(attribute)
    return pd.Categorical.from_codes(codes[c], categories=pd.Index(uniq, dtype=object))


def _evidence(rows: pd.DataFrame, size: int) -> tuple[pa.Array, np.ndarray]:
    """Evidence texts and, by key, which of them is the key's (-1 for none).

    A key with one finding points at that row's own text, so a million URLs are never turned
    into Python strings; only keys with several findings get a new text, joined with ' | ' in
    file order. Dense keys make it linear.
    """
    text = pa.array(rows["evidence"].array, type=pa.large_string(), from_pandas=True)
    text = (text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text).fill_null("")
    fkey = rows["_key"].to_numpy(dtype=np.int64)
    has = np.flatnonzero(pc.not_equal(text, "").to_numpy(zero_copy_only=False))
    fkey = fkey[has]
    which = np.full(size, -1, dtype=np.int64)
    single = np.bincount(fkey, minlength=size)[fkey] == 1
    which[fkey[single]] = has[single]
    if single.all():
        return text, which
    mk, mrow = fkey[~single], has[~single]
    order = np.argsort(mk, kind="stable")  # stable: rows keep their file order
    mk, mrow = mk[order], mrow[order]
    starts = np.flatnonzero(np.r_[True, mk[1:] != mk[:-1]])
    parts = pa.LargeListArray.from_arrays(pa.array(np.r_[starts, len(mk)], pa.int64()), text.take(pa.array(mrow)))
    joined = pc.binary_join(parts, pa.scalar(EVIDENCE_SEPARATOR, pa.large_string()))
    which[mk[starts]] = len(text) + np.arange(len(joined))
    return pa.concat_arrays([text, joined]), which


def _evidence_column(text: pa.Array, which: np.ndarray) -> pd.Series:
    picked = text.take(pa.array(which, mask=which < 0)).fill_null("")
    return pd.Series(pd.arrays.ArrowExtensionArray(picked).astype(pd.StringDtype("pyarrow", na_value=np.nan)))


def _value_text(
    is_m: Callable[..., np.ndarray], status: np.ndarray, total: np.ndarray, label: pd.Categorical
) -> pd.Categorical:
    """The value column as codes: each distinct number is formatted once, and a million rows
    hold a few dozen distinct texts."""
    words: list[str] = ["", "NA"]
    codes = (status == 1).astype(np.int32)  # 0 '' (missing), 1 'NA'
    scored = status == 0

    def spread(rows: np.ndarray, values: np.ndarray, fmt: Callable[[object], str]) -> None:
        value_codes, uniq = pd.factorize(values)
        codes[rows] = value_codes + len(words)
        words.extend(fmt(v) for v in uniq)

    counted = np.flatnonzero(scored & ~is_m("levels", "ratio"))
    spread(counted, np.round(total[counted]).astype(np.int64), str)
    ratio = np.flatnonzero(scored & is_m("ratio"))
    spread(ratio, np.round(total[ratio], 6), lambda v: f"{v:.6f}".rstrip("0").rstrip(".") or "0")
    levels = np.flatnonzero(scored & is_m("levels"))
    codes[levels] = np.where(label.codes[levels] >= 0, label.codes[levels] + len(words), 0)
    words.extend(str(w) for w in label.categories)
    # '1' may be both a count and a ratio: one category each
    merged, uniq = pd.factorize(np.asarray(words, dtype=object))
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(uniq, dtype=object))


def score_findings(rubric: Rubric, roster: pd.DataFrame, findings: Findings) -> Scores:
    """Score every unit of the roster in every period of the findings.

    Unit and dimension scores are computed now; the check table when first asked for.
    """
    codes: Codes = findings.codes
    checks = rubric.checks
    rows = findings.rows
    size = codes.size

    fkey = rows["_key"].to_numpy(dtype=np.int64)
    num = np.nan_to_num(rows["num"].to_numpy(dtype=float))
    total_all = np.bincount(fkey, weights=num, minlength=size)
    count_all = np.bincount(fkey, minlength=size)
    na_all = np.bincount(fkey, weights=rows["is_na"].to_numpy(dtype=float), minlength=size) > 0

    key = codes.applicable_keys()
    p, u, c = codes.split(key)
    total, count, na = total_all[key], count_all[key], na_all[key]
    missing = count == 0
    status = na.astype(np.int8)  # 0 scored, 1 NA, 2 missing
    status[missing] = 2

    check_method = checks["method"].to_numpy(dtype=object)

    def is_m(*methods: str) -> np.ndarray:
        # decided per check (a few hundred), then spread: comparing a million strings is slow
        return np.isin(check_method, methods)[c]

    def of_check(name: str) -> np.ndarray:
        return checks[name].to_numpy(dtype=float)

    pts = np.nan_to_num(of_check("points"))[c]  # a veto has no points
    is_base = checks["is_base"].to_numpy(dtype=bool)[c]
    track_of_check = pd.Index(rubric.tracks["track_id"]).get_indexer(checks["track_id"]).astype(np.int8)
    t = track_of_check[c]
    full_policy = (rubric.tracks["na_policy"].to_numpy() == "full")[t]
    bonus, veto = is_m("bonus"), is_m("veto")

    # binary and levels earn points x (1/0 or the level's fraction); the other methods are
    # computed on their own rows only, so that a province's rows are not walked once per method
    earned = pts * total
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.flatnonzero(is_m("ratio"))
        lo, hi = of_check("floor")[c[r]], of_check("target")[c[r]]
        earned[r] = pts[r] * np.clip((total[r] - lo) / (hi - lo), 0, 1)
        d = np.flatnonzero(is_m("deduct"))
        earned[d] = np.maximum(pts[d] - of_check("per_item")[c[d]] * total[d], 0)
        b = np.flatnonzero(bonus)
        earned[b] = np.minimum(pts[b], of_check("per_item")[c[b]] * total[b])
    earned[veto | missing | na] = 0.0
    # NA earns nothing and weighs nothing under rescale; its full points under 'full'
    full_na = na & is_base & full_policy
    earned[full_na] = pts[full_na]
    maximum = np.where(is_base & ~(na & ~full_na), pts, 0.0)
    maximum[b] = pts[b]
    np.nan_to_num(earned, copy=False)
    violated = veto & (status == 0) & (total == 1)

    units = _track_scores(rubric, roster, codes, p, u, t, is_base, earned, maximum, bonus, violated,
                          checks["cap"].to_numpy(dtype=float)[c])  # fmt: skip
    dims = _dimension_scores(rubric, codes, p, u, c, is_base, earned, maximum)

    def check_table() -> pd.DataFrame:
        levels_rows = (rows["method"] == "levels").to_numpy(dtype=bool)
        label = rows["label"].astype("category").array
        label_all = np.full(size, -1, dtype=np.int32)
        label_all[fkey[levels_rows]] = label.codes[levels_rows]
        label_of_key = pd.Categorical.from_codes(label_all[key], categories=label.categories)
        track_ids = rubric.tracks["track_id"].to_numpy(dtype=object)
        # SPEC §3 order: period, track id, unit id, then the rubric's order of checks; keys are
        # already in (period, unit, check) order, so a stable sort on (period, track) finishes it
        track_rank = np.argsort(np.argsort(track_ids, kind="stable"), kind="stable")
        order = np.argsort(p * len(track_ids) + track_rank[t], kind="stable")
        oc = c[order]
        evidence, which = _evidence(rows, size)
        columns = {
            "period": _take(codes.periods, p[order]),
            "track": _take(track_ids, t[order]),
            "unit_id": _take(codes.units, u[order]),
            "dimension_id": _per_check(checks["dimension_id"], oc),
            "indicator_id": _per_check(checks["indicator_id"], oc),
            "check_id": _take(codes.checks, oc),
            "method": _per_check(checks["method"], oc),
            "status": _take(STATUSES, status[order]),
            "value": _value_text(is_m, status, total, label_of_key)[order],
            "earned": earned[order],
            "max": maximum[order],
            "lost": np.where(is_base, maximum - earned, 0.0)[order],
            "findings": count[order].astype(np.int64),
            "evidence": _evidence_column(evidence, which[key[order]]),
            "violated": violated[order],
            "points": of_check("points")[oc],
        }
        # text is codes (few distinct values) or Arrow (evidence): a million Python strings cost more than scoring
        return pd.DataFrame(
            {k: v if isinstance(v, (pd.Categorical, pd.Series)) else pd.Series(v, dtype=v.dtype, copy=False)
             for k, v in columns.items()},
            copy=False,  # the arrays are new and ours: gluing them into 2-D blocks would copy them all
        )  # fmt: skip

    return Scores(units=units, dimensions=dims, checks=check_table, periods=list(codes.periods))


def _track_scores(rubric, roster, codes, p, u, t, is_base, earned, maximum, is_bonus, violated, cap) -> pd.DataFrame:
    n_t = len(rubric.tracks)
    size = len(codes.periods) * len(codes.units) * n_t
    g = (p * len(codes.units) + u) * n_t + t
    base_e = np.bincount(g, weights=np.where(is_base, earned, 0.0), minlength=size)
    base_m = np.bincount(g, weights=np.where(is_base, maximum, 0.0), minlength=size)
    remaining = np.bincount(g, weights=(is_base & (maximum > 0)).astype(float), minlength=size)
    bonus = np.bincount(g, weights=np.where(is_bonus, earned, 0.0), minlength=size)
    caps = np.full(size, np.inf)
    np.minimum.at(caps, g[violated], cap[violated])

    scored = np.flatnonzero(remaining > 0)
    tp = scored // (len(codes.units) * n_t)
    tu = (scored // n_t) % len(codes.units)
    tt = scored % n_t
    tracks = rubric.tracks
    bonus_max = tracks["bonus_max"].to_numpy(dtype=float)[tt]
    base_exact = 100.0 * base_e[scored] / base_m[scored]
    bonus_exact = np.minimum(bonus_max, bonus[scored])
    vetoed = np.isfinite(caps[scored])
    score_exact = np.minimum(base_exact + bonus_exact, caps[scored])

    decimals = rubric.spec.rounding.decimals
    weight = tracks["weight"].to_numpy(dtype=float)[tt]
    unit_ids = codes.units.to_numpy(dtype=object)[tu]
    names = roster.set_index("unit_id")["name"]
    frame = pd.DataFrame(
        {
            "period": np.asarray(codes.periods, dtype=object)[tp],
            "track": tracks["track_id"].to_numpy(dtype=object)[tt],
            "group": codes.groups[tu],
            "unit_id": unit_ids,
            "unit_name": names.reindex(unit_ids).to_numpy(dtype=object),
            "base": round_half_up(base_exact, decimals),
            "bonus": round_half_up(bonus_exact, decimals),
            "score": round_half_up(score_exact, decimals),
            "vetoed": vetoed,
            "target_points": round_half_up(score_exact / 100.0 * weight * rubric.spec.target.total_points, 2),
            "base_exact": base_exact,
            "bonus_exact": bonus_exact,
            "score_exact": score_exact,
        }
    )
    frame = grade_and_rank(frame, rubric.spec)
    frame = frame.sort_values(["period", "track", "group", "rank", "unit_id"], kind="stable").reset_index(drop=True)
    return frame[[*UNIT_COLUMNS, "base_exact", "bonus_exact", "score_exact"]]


def _dimension_scores(rubric, codes, p, u, c, is_base, earned, maximum) -> pd.DataFrame:
    checks = rubric.checks
    dim_ids = pd.Index(checks["dimension_id"].drop_duplicates())
    dim_of_check = dim_ids.get_indexer(checks["dimension_id"])
    track_of_dim = checks.drop_duplicates("dimension_id")["track_id"].to_numpy(dtype=object)
    n_d = len(dim_ids)
    size = len(codes.periods) * len(codes.units) * n_d
    b = np.flatnonzero(is_base)
    g = (p[b] * len(codes.units) + u[b]) * n_d + dim_of_check[c[b]]
    e = np.bincount(g, weights=earned[b], minlength=size)
    m = np.bincount(g, weights=maximum[b], minlength=size)
    present = np.bincount(g, minlength=size) > 0
    keys = np.flatnonzero(present)
    dp, du, dd = keys // (len(codes.units) * n_d), (keys // n_d) % len(codes.units), keys % n_d
    with np.errstate(divide="ignore", invalid="ignore"):
        percent_exact = np.where(m[keys] > 0, 100.0 * e[keys] / m[keys], np.nan)
    frame = pd.DataFrame(
        {
            "period": np.asarray(codes.periods, dtype=object)[dp],
            "track": track_of_dim[dd],
            "unit_id": codes.units.to_numpy(dtype=object)[du],
            "dimension_id": dim_ids.to_numpy(dtype=object)[dd],
            "earned": e[keys],
            "max": m[keys],
            "percent": round_half_up(percent_exact, rubric.spec.rounding.decimals),
            "percent_exact": percent_exact,
            "_d": dd,
        }
    )
    frame = frame.sort_values(["period", "track", "unit_id", "_d"], kind="stable").reset_index(drop=True)
    return frame[[*DIMENSION_COLUMNS, "percent_exact"]]
