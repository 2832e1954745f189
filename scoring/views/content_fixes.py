"""网站内容问题整改: the monitor's content findings (SPEC 4a) as a unit and the office read them —
what each unit's latest run found new, still present, and fixed since the run before — and the
line ``assess monitor --db`` prints. The findings come from scoring.store.content.content_history."""

from __future__ import annotations

import pandas as pd

from scoring.views.people import beijing_time
from scoring.words import CONTENT_ANNEX_COLUMNS, CONTENT_RULE_NAMES, CONTENT_STATUS_NAMES

__all__ = ["SHOWN_STATUSES", "content_summary", "rectification_list", "unit_counts"]

# what a circular lists: the latest run's findings and what it found fixed; earlier fixes are history
SHOWN_STATUSES = ("new", "still", "fixed")


def rectification_list(history: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """One row per finding of SHOWN_STATUSES, unit by unit in ``names``' order, worst status first:
    the columns of CONTENT_ANNEX_COLUMNS (English keys), plus unit_id and status_code; times in
    Beijing time, empty where none; every text masked as stored."""
    rows = history[history["status"].isin(SHOWN_STATUSES)]
    order = pd.Index(names.index)
    rows = rows.assign(_u=order.get_indexer(rows["unit_id"]), _s=rows["status"].map(SHOWN_STATUSES.index))
    rows = rows.sort_values(["_u", "unit_id", "_s", "rule", "url", "key"], kind="stable")
    out = pd.DataFrame({
        "no": range(1, len(rows) + 1),
        "unit": rows["unit_id"].map(names).fillna(rows["unit_id"]).to_numpy(),
        "rule": rows["rule"].map(CONTENT_RULE_NAMES).fillna(rows["rule"]).to_numpy(),
        "severity": rows["severity"].fillna("").to_numpy(),
        "status": rows["status"].map(CONTENT_STATUS_NAMES).to_numpy(),
        "url": rows["url"].to_numpy(),
        "found": rows["found"].to_numpy(),
        "context": rows["context"].to_numpy(),
        "first_at": beijing_time(rows["first_at"]).to_numpy(),
        "last_at": beijing_time(rows["last_at"]).to_numpy(),
        "fixed_at": beijing_time(rows["fixed_at"].replace("", None)).to_numpy(),
        "unit_id": rows["unit_id"].to_numpy(),
        "status_code": rows["status"].to_numpy(),
    })  # fmt: skip
    return out[[*CONTENT_ANNEX_COLUMNS, "unit_id", "status_code"]]


def unit_counts(history: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Per unit with findings: unit (name), new, still, fixed, in ``names``' order."""
    counts = pd.crosstab(history["unit_id"], history["status"]).reindex(columns=list(SHOWN_STATUSES), fill_value=0)
    counts = counts.reindex([u for u in names.index if u in counts.index])
    return counts.reset_index().assign(unit=lambda f: f["unit_id"].map(names))[["unit_id", "unit", *SHOWN_STATUSES]]


def content_summary(counts: dict[str, int] | None) -> str:
    """The line the command prints after a monitor run with --db."""
    if counts is None:
        return "本次监测未检查网页内容(指标体系中没有内容检查的测评点,或没有单位的网页全部读完),不跟踪整改"
    return (f"网页内容问题(与各单位上次监测相比):新发现 {counts['new']} 条,仍存在 {counts['still']} 条,"
            f"已整改 {counts['fixed']} 条")  # fmt: skip
