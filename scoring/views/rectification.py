"""整改跟踪: whether a unit fixed, by this round, what the previous round found.

DOMAIN step 5: after a round is published the units rectify (整改) their lost points, and the
next round checks the rectification. Comparing the check tables (SPEC §3) of two rounds, every
(unit, check) that lost points in either round gets one status:

- ``not_rectified`` 未整改: lost points before, and as many or more now; or a veto violated again;
- ``partly`` 部分整改: lost points before, fewer now;
- ``new`` 新增失分: no loss before (or not tested then), a loss now;
- ``rectified`` 已整改: lost points (or violated a veto) before, full points (no violation) now;
- ``unchecked`` 本期未测: lost points before, but this round cannot tell: the check is not
  applicable now, has no result, or is no longer in the rubric.

A loss is a scored check with lost points or a violated veto. A result that was missing is
not a finding, so it is never a loss to rectify, and it is ``unchecked`` in the later round.
The rectification rate is rectified / (previous losses − unchecked): the share of what the
later round could check that is fixed. Partly fixed counts as not fixed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.words import RECTIFICATION_NAMES

__all__ = ["RECTIFICATION_NAMES", "RECTIFICATION_STATUSES", "rectification", "rectification_summary"]

# worst first: the order a leader reads them in; the names are the ones the app and the reports show
RECTIFICATION_STATUSES = list(RECTIFICATION_NAMES)
_EPS = 1e-9
_KEYS = ["unit_id", "check_id"]
_COLUMNS = ["track", "unit_id", "check_id", "method", "status", "value", "lost", "violated"]


def _round(checks: pd.DataFrame, period: str, units: list[str] | None) -> pd.DataFrame:
    keep = checks["period"] == period
    if units is not None:
        keep &= checks["unit_id"].isin(units)
    rows = checks.loc[keep, _COLUMNS]
    # categories differ from round to round; the rows kept are few, so plain text is cheap
    cats = [c for c in _COLUMNS if isinstance(rows[c].dtype, pd.CategoricalDtype)]
    return rows.astype(dict.fromkeys(cats, object))


def _losses(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[(rows["status"] == "scored") & ((rows["lost"] > _EPS) | rows["violated"].astype(bool))]


def rectification(checks: pd.DataFrame, period: str, before: str, units: list[str] | None = None) -> pd.DataFrame:
    """One row per (unit, check) that lost points in ``before`` or in ``period``, worst first.

    ``checks`` is a check table (SPEC §3, with the engine's ``violated`` column) holding both
    rounds; ``units`` limits it to some units (a group, or one unit's page). Columns: track,
    unit_id, check_id, method, status, lost_before, lost_now, value_before, value_now,
    violated_before, violated_now.
    """
    old, now = _round(checks, before, units), _round(checks, period, units)
    lost_old = _losses(old)
    # every earlier loss, with whatever this round recorded for the same unit and check
    then = lost_old.merge(now, on=_KEYS, how="left", suffixes=("_before", "_now"), indicator=True)
    tested = (then["status_now"] == "scored").to_numpy()
    violated_now = then["violated_now"].fillna(False).astype(bool).to_numpy()
    lost_now = then["lost_now"].to_numpy(dtype=float)
    lost_before = then["lost_before"].to_numpy(dtype=float)
    then_status = np.select(
        [
            ~tested,
            violated_now | ((lost_now >= lost_before - _EPS) & (lost_now > _EPS)),
            lost_now > _EPS,
        ],
        ["unchecked", "not_rectified", "partly"],
        "rectified",
    )
    earlier = pd.DataFrame({
        "track": then["track_before"].to_numpy(),
        "unit_id": then["unit_id"].to_numpy(),
        "check_id": then["check_id"].to_numpy(),
        "method": then["method_before"].to_numpy(),
        "status": then_status,
        "lost_before": lost_before,
        "lost_now": np.where(tested, lost_now, np.nan),
        "value_before": then["value_before"].to_numpy(),
        "value_now": then["value_now"].to_numpy(),
        "violated_before": then["violated_before"].astype(bool).to_numpy(),
        "violated_now": violated_now,
    })  # fmt: skip
    fresh = _losses(now).merge(lost_old[_KEYS], on=_KEYS, how="left", indicator=True)
    fresh = fresh[fresh["_merge"] == "left_only"]
    # the earlier round's record of a new loss, when it had one (a clean pass, NA, missing)
    prior = fresh.merge(old[[*_KEYS, "value", "lost"]], on=_KEYS, how="left", suffixes=("", "_before"))
    new = pd.DataFrame({
        "track": prior["track"].to_numpy(),
        "unit_id": prior["unit_id"].to_numpy(),
        "check_id": prior["check_id"].to_numpy(),
        "method": prior["method"].to_numpy(),
        "status": "new",
        "lost_before": prior["lost_before"].to_numpy(dtype=float),
        "lost_now": prior["lost"].to_numpy(dtype=float),
        "value_before": prior["value_before"].to_numpy(),
        "value_now": prior["value"].to_numpy(),
        "violated_before": False,
        "violated_now": prior["violated"].astype(bool).to_numpy(),
    })  # fmt: skip
    out = pd.concat([earlier, new], ignore_index=True)
    out["_order"] = out["status"].map({s: i for i, s in enumerate(RECTIFICATION_STATUSES)})
    # within a status, vetoes and the largest losses first
    out["_worst"] = np.fmax(out["lost_now"].to_numpy(), out["lost_before"].to_numpy())
    out["_veto"] = out["violated_before"] | out["violated_now"]
    out = out.sort_values(["_order", "_veto", "_worst", "unit_id", "check_id"],
                          ascending=[True, False, False, True, True], kind="stable")  # fmt: skip
    out = out.drop(columns=["_order", "_worst", "_veto"]).reset_index(drop=True)
    # the same dtypes whether or not a part came out empty
    text = ["track", "unit_id", "check_id", "method", "status", "value_before", "value_now"]
    return out.astype(dict.fromkeys(text, "str"))


def rectification_summary(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit of ``units`` (unit_id, unit_name, …): the count per status, ``losses_before``
    (the earlier round's losses) and ``rate`` (percent rectified, NaN where nothing could be checked).

    Units with nothing lost in either round are listed with zeros and no rate. Sorted with the
    most unrectified first, then the lowest rate.
    """
    counts = (
        table.groupby(["unit_id", "status"]).size().unstack(fill_value=0)
        .reindex(index=units["unit_id"], columns=RECTIFICATION_STATUSES, fill_value=0)
    )  # fmt: skip
    out = units.reset_index(drop=True).join(counts.reset_index(drop=True))
    out["losses_before"] = out["not_rectified"] + out["partly"] + out["rectified"] + out["unchecked"]
    checked = (out["losses_before"] - out["unchecked"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(checked > 0, 100.0 * out["rectified"].to_numpy(dtype=float) / checked, np.nan)
    order = out.assign(_rate=out["rate"].fillna(np.inf))
    order = order.sort_values(["not_rectified", "_rate", "unit_id"], ascending=[False, True, True], kind="stable")
    return order.drop(columns="_rate").reset_index(drop=True)
