"""What if a unit's results were different (issue 20): its score and rank with findings changed on
the page, never in the store, and which lost points to fix first (整改优先级).

A variant is the unit's recorded values with some replaced, scored by the engine itself (so every
rule, NA policy, bonus floor and veto cap applies as in the round); all variants are scored in one
run, each as a period of its own. The other units keep their published scores, so a variant's rank
is where its score falls among theirs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import score_findings
from scoring.pipeline import Assessment, read_results, validate_results
from scoring.rounding import EXACT_DECIMALS
from scoring.tables import InputFile

__all__ = ["best_value", "fix_priorities", "rank_among", "recorded_values", "score_variants"]


def recorded_values(result: Assessment, unit_id: str, period: str) -> pd.DataFrame:
    """The unit's check rows in the round: check_id, track, method, status, value (normalised), lost, violated."""
    c = result.scores.checks
    mine = c[(c["unit_id"].astype(str) == unit_id) & (c["period"].astype(str) == period)]
    return pd.DataFrame({
        "check_id": mine["check_id"].astype(str), "track": mine["track"].astype(str), "method": mine["method"].astype(str),
        "status": mine["status"].astype(str), "value": mine["value"].astype(str), "lost": mine["lost"].astype(float),
        "violated": mine["violated"].astype(bool),
    }).reset_index(drop=True)  # fmt: skip


def best_value(check: pd.Series) -> str:
    """The value that earns a check's full points: pass, the best level, the target rate, no finding,
    on time, no veto."""
    method = check["method"]
    if method == "levels":
        return max(check["levels"].items(), key=lambda kv: kv[1])[0]
    if method == "ratio":
        return f"{check['target']:g}"
    return {"binary": "1", "deduct": "0", "veto": "0", "deadline": "0", "bonus": "0"}[method]


def score_variants(
    result: Assessment, unit_id: str, variants: dict[str, dict[str, str]], base: pd.DataFrame
) -> pd.DataFrame:
    """Track scores of the unit under each variant (name → {check_id: value}), from its recorded
    values ``base``: variant, track, base, bonus, score, score_exact, vetoed. Raises InputError for a
    value the method does not accept, located at the variant's row."""
    roster = result.roster[result.roster["unit_id"] == unit_id].reset_index(drop=True)
    kept = base[base["status"] != "missing"]
    rows = []
    for i, changes in enumerate(variants.values()):
        values = kept.set_index("check_id")["value"].copy()
        for check_id, value in changes.items():
            values[check_id] = value
        values = values.replace({"na": "NA"})
        rows.append(
            pd.DataFrame({"period": f"v{i}", "unit_id": unit_id, "check_id": values.index, "value": values.to_numpy()})
        )
    found = pd.concat(rows, ignore_index=True)
    found = found[found["value"].astype(str) != ""]
    # the round's roster already passed its checks; only this unit's rows are scored
    raw = read_results([InputFile("假设.csv", found.to_csv(index=False).encode())])
    findings = validate_results(result.rubric, roster, raw.rows, allow_missing=True, prior_issues=raw.issues)
    u = score_findings(result.rubric, roster, findings).units
    names = {f"v{i}": name for i, name in enumerate(variants)}
    return pd.DataFrame({"variant": u["period"].astype(str).map(names), "track": u["track"].astype(str),
                         "base": u["base"], "bonus": u["bonus"], "score": u["score"], "score_exact": u["score_exact"],
                         "vetoed": u["vetoed"]}).reset_index(drop=True)  # fmt: skip


def rank_among(
    result: Assessment, unit_id: str, period: str, track: str, score: np.ndarray, exact: np.ndarray
) -> np.ndarray:
    """The rank each score would have in the unit's (period, track, group), the others as published."""
    u = result.scores.units
    mine = u[
        (u["unit_id"].astype(str) == unit_id) & (u["period"].astype(str) == period) & (u["track"].astype(str) == track)
    ]
    if mine.empty:
        return np.zeros(len(score), dtype=np.int64)
    group = mine["group"].iloc[0]
    others = u[(u["period"].astype(str) == period) & (u["track"].astype(str) == track) & (u["group"] == group)
               & (u["unit_id"].astype(str) != unit_id)]  # fmt: skip
    spec = result.rubric.spec
    by_exact = spec.ranking.by != "rounded"
    theirs = (
        np.round(others["score_exact"].to_numpy(dtype=float), EXACT_DECIMALS)
        if by_exact
        else others["score"].to_numpy(dtype=float)
    )
    key = np.round(np.asarray(exact, dtype=float), EXACT_DECIMALS) if by_exact else np.asarray(score, dtype=float)
    if spec.ranking.method == "competition":
        ahead = np.sort(theirs)
        return 1 + len(ahead) - np.searchsorted(ahead, key, side="right")
    distinct = np.unique(theirs)
    return 1 + len(distinct) - np.searchsorted(distinct, key, side="right")


def fix_priorities(result: Assessment, unit_id: str, period: str, most: int = 10) -> pd.DataFrame:
    """The unit's lost points ordered by the score each regains alone (a veto first when it caps
    the score), with the score and rank after fixing the first 1, 2, … of them together:
    track, check_id, regained, score_after, rank_after."""
    base = recorded_values(result, unit_id, period)
    lost = base[(base["lost"] > 1e-9) | base["violated"]]
    if lost.empty:
        return pd.DataFrame(columns=["track", "check_id", "regained", "score_after", "rank_after"])
    meta = result.rubric.checks.set_index("check_id")
    best = {c: best_value(meta.loc[c]) for c in lost["check_id"]}
    alone = {"now": {}, **{f"fix:{c}": {c: best[c]} for c in lost["check_id"]}}
    scores = score_variants(result, unit_id, alone, base).set_index(["variant", "track"])
    now = scores.xs("now", level="variant")["score_exact"]
    lost = lost.assign(regained=[scores.loc[(f"fix:{c}", t), "score_exact"] - now[t] for c, t in
                                 zip(lost["check_id"], lost["track"], strict=True)])  # fmt: skip
    out = []
    for track, rows in lost.groupby("track", sort=False):
        rows = rows.sort_values(["regained", "check_id"], ascending=[False, True]).head(most)
        together = {f"top:{n}": {c: best[c] for c in rows["check_id"].iloc[:n]} for n in range(1, len(rows) + 1)}
        after = score_variants(result, unit_id, together, base)
        after = after[after["track"] == track].set_index("variant").loc[list(together)]
        ranks = rank_among(result, unit_id, period, track, after["score"].to_numpy(), after["score_exact"].to_numpy())
        out.append(rows[["track", "check_id"]].assign(regained=rows["regained"].round(4).to_numpy(),
                                                      score_after=after["score"].to_numpy(), rank_after=ranks))  # fmt: skip
    return pd.concat(out, ignore_index=True)
