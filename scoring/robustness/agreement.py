"""Agreement between two evaluators on the same (period, unit, check) (SPEC extension 5): the share
of identical values and Krippendorff's alpha, per check and pooled per method.

Alpha comes from the maintained ``krippendorff`` package (Pingouin and others rely on it), nominal
for binary, veto and levels and interval for the counted and measured methods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.pipeline import Assessment

__all__ = ["ALPHA_NOTES", "INTERVAL_METHODS", "SMALL_SAMPLE", "agreement_table", "alpha_notes", "paired_values"]

INTERVAL_METHODS = ("ratio", "deduct", "bonus", "deadline")
DECIMALS = 6
# fewer pairs than this and an alpha says little: one disagreement among five moves it by half
SMALL_SAMPLE = 10
# why an alpha is blank, or to be read with care
ALPHA_NOTES = ("too_few", "no_variation", "small_sample")


def _values(result: Assessment) -> pd.DataFrame:
    c = result.scores.checks
    frame = pd.DataFrame({"period": c["period"].astype(str), "unit_id": c["unit_id"].astype(str),
                          "check_id": c["check_id"].astype(str), "method": c["method"].astype(str),
                          "status": c["status"].astype(str), "value": c["value"].astype(str)})  # fmt: skip
    # a value is recorded when the check was scored; NA and, for a deadline, 未答复 are no values to compare
    frame["held"] = frame["status"] != "missing"
    frame["comparable"] = (frame["status"] == "scored") & ~(
        (frame["method"] == "deadline") & (frame["value"] == "unanswered")
    )
    return frame.set_index(["period", "unit_id", "check_id"])


def paired_values(first: Assessment, second: Assessment) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs: period, unit_id, check_id, method, first, second) and the keys held in one file only
    (period, unit_id, check_id, held_in: 1 or 2)."""
    a, b = _values(first), _values(second)
    keys = a.index.union(b.index)
    a, b = a.reindex(keys), b.reindex(keys)
    held_a, held_b = a["held"].fillna(False).astype(bool), b["held"].fillna(False).astype(bool)
    ok = held_a & held_b & a["comparable"].fillna(False).astype(bool) & b["comparable"].fillna(False).astype(bool)
    out = pd.DataFrame({"method": a.loc[ok, "method"], "first": a.loc[ok, "value"], "second": b.loc[ok, "value"]})
    one = pd.DataFrame({"held_in": np.where(held_a, 1, 2)}, index=keys)[held_a != held_b]
    return out.reset_index(), one.reset_index()


def _alpha(first: np.ndarray, second: np.ndarray, interval: bool) -> float | None:
    import krippendorff

    if len(first) < 2:
        return None
    if interval:
        data = np.vstack([first.astype(float), second.astype(float)])
    else:
        codes, _ = pd.factorize(np.concatenate([first, second]))
        data = codes.reshape(2, -1).astype(float)
    if len(np.unique(data)) < 2:
        return None  # no variation: alpha is undefined
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval" if interval else "nominal"))


def _row(check_id: str, method: str, pairs: pd.DataFrame) -> dict[str, object]:
    interval = method in INTERVAL_METHODS
    a, b = pairs["first"].to_numpy(), pairs["second"].to_numpy()
    same = np.isclose(a.astype(float), b.astype(float), rtol=0, atol=1e-12) if interval else a == b
    alpha = _alpha(a, b, interval)
    return {"check_id": check_id, "method": method, "pairs": len(pairs), "agreement": round(float(same.mean()), DECIMALS),
            "alpha": None if alpha is None else round(alpha, DECIMALS)}  # fmt: skip


def agreement_table(pairs: pd.DataFrame, check_order: list[str]) -> pd.DataFrame:
    """One row per check with a pair, in rubric order, then ALL per method present (first met in rubric order)."""
    present = [c for c in check_order if c in set(pairs["check_id"])]
    by_check = {c: g for c, g in pairs.groupby("check_id", sort=False)}
    rows = [_row(c, str(by_check[c]["method"].iloc[0]), by_check[c]) for c in present]
    methods = list(dict.fromkeys(str(by_check[c]["method"].iloc[0]) for c in present))
    rows += [_row("ALL", m, pairs[pairs["method"] == m]) for m in methods]
    table = pd.DataFrame(rows, columns=["check_id", "method", "pairs", "agreement", "alpha"])
    # alpha is written as text so that an undefined one is an empty cell, not "nan"
    table["alpha"] = ["" if pd.isna(a) else repr(float(a)) for a in table["alpha"]]
    return table


def alpha_notes(table: pd.DataFrame) -> pd.Series:
    """Per row of ``agreement_table``: why its alpha is blank — ``too_few`` (fewer than two pairs) or
    ``no_variation`` (every value the same, so the two always agree and chance agreement is all
    there is) — or ``small_sample`` (an alpha from fewer than ``SMALL_SAMPLE`` pairs); else ""."""
    blank = table["alpha"].astype(str) == ""
    pairs = table["pairs"].to_numpy()
    notes = np.select([blank & (pairs < 2), blank, pairs < SMALL_SAMPLE], list(ALPHA_NOTES), "")
    return pd.Series(notes, index=table.index)
