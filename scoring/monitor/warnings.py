"""Early warnings before a veto or a deduction (预警), as the commercial monitoring services send
them: a column due for an update within a week, and a home page failing more than 3% of its probes
over the last seven days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scoring.monitor.dates import age_days
from scoring.monitor.rules import DEFAULT_LIMITS
from scoring.monitor.sites import COLUMN_KINDS

__all__ = ["DUE_DAYS", "FAILURE_WARNING", "due_columns", "failing_homes"]

DUE_DAYS = 7
FAILURE_WARNING = 0.03


def due_columns(pages: pd.DataFrame, as_of: dt.date, limits: dict[str, int] | None = None) -> pd.DataFrame:
    """Columns not yet stale that will be within ``DUE_DAYS``: unit_id, column, url, newest, days_left."""
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    cols = pages[pages["kind"].isin(COLUMN_KINDS) & pages["ok"].astype(bool) & (pages["dated_items"] > 0)]
    age = age_days(cols["newest_item"].to_numpy(dtype="datetime64[D]"), as_of)
    left = cols["kind"].map(limits).to_numpy(dtype=float) - age
    due = (left >= 0) & (left < DUE_DAYS)
    out = cols.loc[due, ["unit_id", "column", "url", "newest_item"]].assign(days_left=left[due].astype(int))
    return out.sort_values(["days_left", "unit_id"], kind="stable").reset_index(drop=True)


def failing_homes(probes: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Home pages whose probes of the last 7 days failed more than ``FAILURE_WARNING`` of the time:
    unit_id, url, probes, failed, rate. ``probes`` as scoring.store.probes.probes_table gives them."""
    home = probes[probes["kind"] == "home"]
    at = pd.to_datetime(home["at"], utc=True)
    recent = home[(at >= pd.Timestamp(now) - pd.Timedelta(days=7)).to_numpy()]
    counts = recent.groupby(["unit_id", "url"]).agg(
        probes=("at", "size"), failed=("failure", lambda f: int((f != "").sum()))
    )
    counts = counts.reset_index()
    counts["rate"] = counts["failed"] / counts["probes"]
    flagged = counts[counts["rate"] > FAILURE_WARNING]
    return flagged.sort_values("rate", ascending=False, kind="stable").reset_index(drop=True).astype(
        {"probes": np.int64, "failed": np.int64})  # fmt: skip
