"""Scores from validated findings (SPEC §1, 'Track score of one unit in one period').

Every (period, unit, check) is one int64 key (see :mod:`scoring.codes`); findings are summed
with ``np.bincount`` into a dense grid, a row per (period, unit) and a column per check. Each
method's rule is arithmetic on its own columns, and every track, bonus and dimension sum is one
matrix product with a 0/1 (check × sum) matrix; what does not depend on the findings (a unit's
maximum points) is computed per unit once, and NA, which is rare, is corrected key by key. No
string is touched until the output tables are built, and those are taken from codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.codes import Codes
from scoring.ranking import grades_and_ranks
from scoring.rounding import round_half_up, round_published
from scoring.rubric.load import Rubric
from scoring.validate import Findings

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
# text that str.strip() leaves empty: its whitespace (str.isspace) as an RE2 class, so that a
# million evidence texts are tested in Arrow, not one by one in Python
_SPACES = [*range(0x9, 0xE), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
           0x205F, 0x3000]  # fmt: skip
BLANK = r"\A[" + "".join(f"\\x{{{c:x}}}" for c in _SPACES) + r"]*\z"
STATUSES = np.array(["scored", "na", "missing"], dtype=object)


class Scores:
    """The three score tables of SPEC §3 (spec columns first; extra columns after them).

    The check table has a row per applicable (period, unit, check), a million rows for a
    province, while rankings need only the unit table; so it may be given as a function and is
    then built on first use, once.
    """

    __slots__ = ("_bare", "_checks", "dimensions", "periods", "units")

    def __init__(
        self,
        units: pd.DataFrame,
        dimensions: pd.DataFrame,
        checks: pd.DataFrame | Callable[[], pd.DataFrame],
        periods: list[str],
        bare_losses: Callable[[], pd.DataFrame] | None = None,
    ) -> None:
        self.units, self.dimensions, self._checks, self.periods = units, dimensions, checks, periods
        self._bare = bare_losses

    @property
    def checks(self) -> pd.DataFrame:
        if callable(self._checks):
            self._checks = self._checks()
            self._bare = None  # it holds the scoring's arrays, which the built table no longer needs
        return self._checks

    def maybe_bare_losses(self) -> pd.DataFrame:
        """Check rows among which every loss without evidence is: the check table's scored rows
        that lost points or violated a veto and show at most one finding's evidence, when the check
        table is still to be built (an import names such losses on its own, and building every row
        for it took 0.4 s of a province's import, issue 34); otherwise the check table itself."""
        if self._bare is None or not callable(self._checks):
            return self.checks
        return self._bare()


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

    # a deadline never answered has the value -1: shown as 'unanswered' (SPEC extension 1a)
    unanswered = scored & is_m("deadline") & (total < 0)
    counted = np.flatnonzero(scored & ~is_m("levels", "ratio") & ~unanswered)
    spread(counted, np.round(total[counted]).astype(np.int64), str)
    codes[unanswered] = len(words)
    words.append("unanswered")
    ratio = np.flatnonzero(scored & is_m("ratio"))
    spread(ratio, np.round(total[ratio], 6), lambda v: f"{v:.6f}".rstrip("0").rstrip(".") or "0")
    levels = np.flatnonzero(scored & is_m("levels"))
    # pandas keeps codes as int8 up to 127 categories: widen before offsetting, or 128 labels overflow
    level_codes = label.codes[levels].astype(np.int64)
    codes[levels] = np.where(level_codes >= 0, level_codes + len(words), 0)
    words.extend(str(w) for w in label.categories)
    # '1' may be both a count and a ratio: one category each
    merged, uniq = pd.factorize(np.asarray(words, dtype=object))
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(uniq, dtype=object))


@dataclass(frozen=True)
class _Checks:
    """What scoring needs of each check, as arrays in the rubric's order."""

    method: np.ndarray
    points: np.ndarray  # 0 for a veto, which has none
    is_base: np.ndarray
    track: np.ndarray  # code of the check's track
    full_na: np.ndarray  # base checks whose track scores NA as full points
    cap: np.ndarray
    unscored: np.ndarray  # veto checks that leave the unit unscored (effect: unscored)
    pool: np.ndarray  # code of the check's deduction pool (deduct_pool indicator), -1 for none
    dim: np.ndarray  # code of the check's dimension
    dim_ids: pd.Index
    track_of_dim: np.ndarray

    @classmethod
    def of(cls, rubric: Rubric) -> _Checks:
        checks = rubric.checks
        track = pd.Index(rubric.tracks["track_id"]).get_indexer(checks["track_id"])
        is_base = checks["is_base"].to_numpy(dtype=bool)
        dim_ids = pd.Index(checks["dimension_id"].drop_duplicates())
        return cls(
            method=checks["method"].to_numpy(dtype=object),
            points=np.nan_to_num(checks["points"].to_numpy(dtype=float)),
            is_base=is_base,
            track=track,
            full_na=is_base & (rubric.tracks["na_policy"].to_numpy() == "full")[track],
            cap=checks["cap"].to_numpy(dtype=float),
            unscored=checks["unscored"].to_numpy(dtype=bool),
            pool=pd.factorize(checks["pool"])[0],
            dim=dim_ids.get_indexer(checks["dimension_id"]),
            dim_ids=dim_ids,
            track_of_dim=checks.drop_duplicates("dimension_id")["track_id"].to_numpy(dtype=object),
        )

    def weights(self, n_tracks: int) -> np.ndarray:
        """(checks × columns) 0/1: base points per track, bonus per track, base points per dimension."""
        return np.hstack([_one_hot(self.track, n_tracks, self.is_base),
                          _one_hot(self.track, n_tracks, self.method == "bonus"),
                          _one_hot(self.dim, len(self.dim_ids), self.is_base)])  # fmt: skip

    def of_method(self, *methods: str) -> np.ndarray:
        return np.flatnonzero(np.isin(self.method, methods))


def _earned(checks: pd.DataFrame, info: _Checks, total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Points earned in each (period × unit, check) cell before NA is applied: 0 where nothing was found.

    binary and levels earn points × (1/0 or the level's fraction); the other methods are computed
    on their own columns only.
    """
    earned = total * info.points
    with np.errstate(invalid="ignore", divide="ignore"):
        r = info.of_method("ratio")
        lo, hi = checks["floor"].to_numpy(dtype=float)[r], checks["target"].to_numpy(dtype=float)[r]
        ratio = info.points[r] * np.clip((total[:, r] - lo) / (hi - lo), 0, 1)
        earned[:, r] = np.where(count[:, r] > 0, np.nan_to_num(ratio), 0.0)
        d = info.of_method("deduct")
        deduct = np.maximum(info.points[d] - checks["per_item"].to_numpy(dtype=float)[d] * total[:, d], 0)
        earned[:, d] = np.where(count[:, d] > 0, deduct, 0.0)  # no result is no points, not full points
        b = info.of_method("bonus")
        earned[:, b] = np.minimum(info.points[b], checks["per_item"].to_numpy(dtype=float)[b] * total[:, b])
        # deadline (SPEC extension 1a): on time, full points; late, per_day off each working day
        # beyond the limit (none left without per_day); unanswered (-1) nothing
        w = info.of_method("deadline")
        taken, late = total[:, w], total[:, w] - checks["limit"].to_numpy(dtype=float)[w]
        per_day = checks["per_day"].to_numpy(dtype=float)[w]
        when_late = np.maximum(info.points[w] - np.nan_to_num(per_day) * late, 0) * ~np.isnan(per_day)
        kept = np.where(taken < 0, 0.0, np.where(late <= 0, info.points[w], when_late))
        earned[:, w] = np.where(count[:, w] > 0, kept, 0.0)
    return earned


def _pooled(
    checks: pd.DataFrame, info: _Checks, earned: np.ndarray, total: np.ndarray, count: np.ndarray, na: np.ndarray
) -> None:
    """扣完为止 per indicator (``deduct_pool``): the pool's checks deduct uncapped each, and together
    take at most the points of the pool's checks that were scored (not NA, not missing).

    The loss is shared among the checks in proportion to their deductions, so each check's earned
    is its points less its share (below 0 when its findings take the others' points) and the
    pool's sum is ``max(0, scored points - deductions)``. Rewrites ``earned`` in place.
    """
    c = np.flatnonzero(info.pool >= 0)
    if not len(c):
        return
    n_pools = int(info.pool.max()) + 1
    member = _one_hot(info.pool[c], n_pools, np.ones(len(c), dtype=bool))  # (pooled checks × pools)
    scored = (count[:, c] > 0) & ~na[:, c]
    share = info.points[c]
    deduction = np.where(scored, checks["per_item"].to_numpy(dtype=float)[c] * total[:, c], 0.0)
    available = (scored * share) @ member
    asked = deduction @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.where(asked > 0, np.minimum(available, asked) / asked, 0.0)  # share of each deduction taken
    earned[:, c] = np.where(scored, share - deduction * (kept @ member.T), 0.0)


def score_findings(rubric: Rubric, roster: pd.DataFrame, findings: Findings) -> Scores:
    """Score every unit of the roster in every period of the findings.

    Findings are summed into a dense (period × unit, check) grid, so that each method's rule is
    arithmetic on columns and every track and dimension sum is one matrix product. Unit and
    dimension scores are computed now; the check table when first asked for.
    """
    codes: Codes = findings.codes
    checks = rubric.checks
    rows = findings.rows
    size, n_c = codes.size, len(codes.checks)
    info = _Checks.of(rubric)

    fkey = rows["_key"].to_numpy(dtype=np.int64)
    # NA rows carry no number (NaN), and NA is always a key's only row, so its total is reset to 0
    total = np.bincount(fkey, weights=rows["num"].to_numpy(dtype=float), minlength=size)
    count = findings.counts if findings.counts is not None else np.bincount(fkey, minlength=size)
    na_keys = fkey[rows["is_na"].to_numpy(dtype=bool)]
    total[na_keys] = 0.0
    na = np.zeros(size, dtype=bool)
    na[na_keys] = True

    earned = _earned(checks, info, total.reshape(-1, n_c), count.reshape(-1, n_c))
    _pooled(checks, info, earned, total.reshape(-1, n_c), count.reshape(-1, n_c), na.reshape(-1, n_c))
    # NA earns nothing and weighs nothing under rescale; its full points under 'full'
    na_c = na_keys % n_c
    earned.ravel()[na_keys] = np.where(info.full_na, info.points, 0.0)[na_c]

    n_t = len(rubric.tracks)
    weights = info.weights(n_t)
    sums = earned @ weights  # every track and dimension sum in one pass over the grid
    most, counted, applies = _maxima(codes, info, weights, na_keys)
    units = _track_scores(rubric, roster, codes, info, sums[:, : 2 * n_t], most[:, :n_t], counted[:, :n_t],
                          total.reshape(-1, n_c))  # fmt: skip
    dims = _dimension_scores(rubric, codes, info, sums[:, 2 * n_t :], most[:, 2 * n_t :], applies[:, 2 * n_t :])

    def check_table(
        key: np.ndarray | None = None, bare_losses: bool = False, evidence: tuple[pa.Array, np.ndarray] | None = None
    ) -> pd.DataFrame:
        key = codes.applicable_keys() if key is None else key
        p, u, c = codes.split(key)
        t = info.track[c]
        total_k, count_k, na_k = total[key], count[key], na[key]
        status = na_k.astype(np.int8)  # 0 scored, 1 NA, 2 missing
        status[count_k == 0] = 2
        pts, is_base = info.points[c], info.is_base[c]
        earned_k = earned.ravel()[key]

        def is_m(*methods: str) -> np.ndarray:
            # decided per check (a few hundred), then spread: comparing a million strings is slow
            return np.isin(info.method, methods)[c]

        maximum = np.where(is_base & ~(na_k & ~info.full_na[c]), pts, 0.0)
        bonus = is_m("bonus")
        maximum[bonus] = pts[bonus]
        violated = is_m("veto") & (status == 0) & (total_k == 1)
        text, which = evidence or _evidence(rows, size)
        if bare_losses:
            lost = np.where(is_base, maximum - earned_k, 0.0)
            shown = which[key]
            # a key's evidence is its finding's text, or several joined by ' | ' (never blank)
            blank = np.r_[pc.match_substring_regex(text, BLANK).to_numpy(zero_copy_only=False), True]
            bare = (status == 0) & ((lost > 1e-9) | violated) & blank[np.where(shown < 0, -1, shown)]
            return check_table(key[bare], evidence=(text, which))

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
        columns = {
            "period": _take(codes.periods, p[order]),
            "track": _take(track_ids, t[order]),
            "unit_id": _take(codes.units, u[order]),
            "dimension_id": _per_check(checks["dimension_id"], oc),
            "indicator_id": _per_check(checks["indicator_id"], oc),
            "check_id": _take(codes.checks, oc),
            "method": _per_check(checks["method"], oc),
            "status": _take(STATUSES, status[order]),
            "value": _value_text(is_m, status, total_k, label_of_key)[order],
            "earned": earned_k[order],
            "max": maximum[order],
            "lost": np.where(is_base, maximum - earned_k, 0.0)[order],
            "findings": count_k[order].astype(np.int64),
            "evidence": _evidence_column(text, which[key[order]]),
            "violated": violated[order],
            "points": checks["points"].to_numpy(dtype=float)[oc],
        }
        # text is codes (few distinct values) or Arrow (evidence): a million Python strings cost more than scoring
        return pd.DataFrame(
            {k: v if isinstance(v, (pd.Categorical, pd.Series)) else pd.Series(v, dtype=v.dtype, copy=False)
             for k, v in columns.items()},
            copy=False,  # the arrays are new and ours: gluing them into 2-D blocks would copy them all
        )  # fmt: skip

    return Scores(
        units=units,
        dimensions=dims,
        checks=check_table,
        periods=list(codes.periods),
        bare_losses=lambda: check_table(bare_losses=True),
    )


def _one_hot(of_check: np.ndarray, n: int, where: np.ndarray) -> np.ndarray:
    """(checks × n) 0/1 matrix: check c counts towards column of_check[c], if ``where[c]``."""
    m = np.zeros((len(of_check), n))
    m[np.flatnonzero(where), of_check[where]] = 1.0
    return m


def _maxima(
    codes: Codes, info: _Checks, weights: np.ndarray, na_keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (period × unit, sum column of ``weights``): the maximum points, the checks with points
    that count, and the checks that apply at all.

    Which checks apply depends on the unit alone, so these are computed per unit once; NA under
    rescale then takes its checks out, key by key (NA is rare).
    """
    applicable, n_p, n_c = codes.applicable.astype(float), len(codes.periods), len(codes.checks)
    points, with_points = weights * info.points[:, None], weights * (info.points > 0)[:, None]
    most = np.tile(applicable @ points, (n_p, 1))
    counted = np.tile(applicable @ with_points, (n_p, 1))
    applies = np.tile(applicable @ weights, (n_p, 1))
    c = na_keys % n_c
    out = info.is_base[c] & ~info.full_na[c]
    cells, c = na_keys[out] // n_c, c[out]
    np.subtract.at(most, cells, points[c])
    np.subtract.at(counted, cells, with_points[c])
    return most, counted, applies


def _track_scores(rubric, roster, codes, info, sums, most, counted, total) -> pd.DataFrame:
    n_t = len(rubric.tracks)
    base_e, bonus = sums[:, :n_t].ravel(), sums[:, n_t:].ravel()
    base_m, remaining = most.ravel(), counted.ravel()
    caps = np.full(total.shape[0] * n_t, np.inf).reshape(-1, n_t)
    v = info.of_method("veto")
    found = total[:, v] == 1  # a veto found (1), not NA nor missing (0)
    capped = np.where(found & ~info.unscored[v], info.cap[v], np.inf)
    failed = np.zeros_like(caps, dtype=bool)  # 单项否决 with effect unscored: 不合格, no score
    for t in range(n_t):
        caps[:, t] = capped[:, info.track[v] == t].min(axis=1, initial=np.inf)
        failed[:, t] = (found & info.unscored[v])[:, info.track[v] == t].any(axis=1)
    caps, failed = caps.ravel(), failed.ravel()

    scored = np.flatnonzero(remaining > 0.5)
    tp = scored // (len(codes.units) * n_t)
    tu = (scored // n_t) % len(codes.units)
    tt = scored % n_t
    tracks = rubric.tracks
    bonus_max = tracks["bonus_max"].to_numpy(dtype=float)[tt]
    base_exact = 100.0 * base_e[scored] / base_m[scored]
    decimals, mode = rubric.spec.rounding.decimals, rubric.spec.rounding.mode
    bonus_capped = np.minimum(bonus_max, bonus[scored])
    # 加分起算线: below it the bonus is withheld; the base compared is the published one, as people see it
    base_published = round_published(base_exact, decimals, mode)
    withheld = base_published < tracks["bonus_min_base"].to_numpy(dtype=float)[tt]
    # 高于 N 分: bonus_above is strict, so a base of exactly N earns no bonus
    withheld |= base_published <= tracks["bonus_above"].to_numpy(dtype=float)[tt]
    bonus_exact = np.where(withheld, 0.0, bonus_capped)
    unscored = failed[scored]
    vetoed = np.isfinite(caps[scored]) | unscored
    score_exact = np.minimum(base_exact + bonus_exact, caps[scored])
    # an unscored unit has no base, bonus or score at all (not 0): it is shown as 不合格 and ranked last
    base_exact, bonus_exact, score_exact = (
        np.where(unscored, np.nan, x) for x in (base_exact, bonus_exact, score_exact)
    )
    withheld &= ~unscored

    weight = tracks["weight"].to_numpy(dtype=float)[tt]
    group_code, group_ids = pd.factorize(codes.groups, sort=True)
    tg = group_code[tu]
    score = round_published(score_exact, decimals, mode)
    grade, rank, rank_of = grades_and_ranks(score, score_exact, vetoed, (tp * n_t + tt) * len(group_ids) + tg,
                                            rubric.spec)  # fmt: skip
    # SPEC §3 order: period, track, group, rank, unit id; codes sort as their texts do
    o = np.lexsort((tu, rank, tg, _text_order(tracks["track_id"])[tt], tp))
    names = roster["name"].to_numpy(dtype=object)[pd.Index(roster["unit_id"]).get_indexer(codes.units)]
    return pd.DataFrame(
        {
            "period": _text(codes.periods, tp[o]),
            "track": _text(tracks["track_id"], tt[o]),
            "group": _text(group_ids, tg[o]),
            "unit_id": _text(codes.units, tu[o]),
            "unit_name": _text(names, tu[o]),
            "base": round_published(base_exact[o], decimals, mode),
            "bonus": round_published(bonus_exact[o], decimals, mode),
            "score": score[o],
            "vetoed": vetoed[o],
            "grade": _text([g.name for g in rubric.spec.grades], grade[o]),
            "rank": rank[o],
            "rank_of": rank_of[o],
            # SPEC §1 step 8 fixes target points at half-up, 2 decimals, whatever the rubric's mode
            "target_points": round_half_up(score_exact[o] / 100.0 * weight[o] * rubric.spec.target.total_points, 2),
            "base_exact": base_exact[o],
            "bonus_exact": bonus_exact[o],
            "score_exact": score_exact[o],
            "bonus_withheld": np.where(withheld, bonus_capped, 0.0)[o],
            "unscored": unscored[o],
        },
        copy=False,
    )


def _text(labels: object, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A text column of few distinct values, taken from them by code in Arrow, not built string by string."""
    return pd.array(np.asarray(labels, dtype=object), dtype="str").take(codes)


def _text_order(labels: object) -> np.ndarray:
    """Codes that sort as the labels' texts do (equal texts, equal codes)."""
    return pd.factorize(np.asarray(labels, dtype=object), sort=True)[0]


def _dimension_scores(rubric, codes, info, sums, most, applies) -> pd.DataFrame:
    dim_ids, track_of_dim = info.dim_ids, info.track_of_dim
    n_d = len(dim_ids)
    e, m = sums.ravel(), most.ravel()
    present = applies.ravel() > 0.5  # the unit has a base check there, NA or not
    keys = np.flatnonzero(present)
    dp, du, dd = keys // (len(codes.units) * n_d), (keys // n_d) % len(codes.units), keys % n_d
    with np.errstate(divide="ignore", invalid="ignore"):
        percent_exact = np.where(m[keys] > 0, 100.0 * e[keys] / m[keys], np.nan)
    # SPEC §3 order: period, track, unit id, then the rubric's order of dimensions
    order = np.argsort(dp * len(track_of_dim) + _text_order(track_of_dim)[dd], kind="stable")  # keys: (p, u, d)
    dp, du, dd, keys, percent_exact = dp[order], du[order], dd[order], keys[order], percent_exact[order]
    return pd.DataFrame(
        {
            "period": _text(codes.periods, dp),
            "track": _text(track_of_dim, dd),
            "unit_id": _text(codes.units, du),
            "dimension_id": _text(dim_ids, dd),
            "earned": e[keys],
            "max": m[keys],
            "percent": round_published(percent_exact, rubric.spec.rounding.decimals, rubric.spec.rounding.mode),
            "percent_exact": percent_exact,
        },
        copy=False,
    )
