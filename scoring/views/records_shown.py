"""A records run as the 政务服务记录 page shows it: per unit and check the value as a person reads
it, the counts behind it and the ids of the records that cost points (the worst first)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.views.values_shown import value_text

__all__ = ["RECORDS_SHOWN_COLUMNS", "files_up_to", "quarter_window", "records_shown"]

RECORDS_SHOWN_COLUMNS = ["unit", "check", "value", "numerator", "denominator", "lost", "worst"]
KINDS = ("cases", "ratings", "accounts", "posts")


def _count_text(numbers: pd.Series) -> pd.Series:
    """Whole counts as whole numbers with thousands separators; time_reduction's sum of fractions
    with two decimals; nothing for NaN."""
    num = pd.to_numeric(numbers, errors="coerce").astype(float)
    whole = num.round() == num
    text = np.where(whole, num.map(lambda v: f"{v:,.0f}" if pd.notna(v) else ""),
                    num.map(lambda v: f"{v:,.2f}" if pd.notna(v) else ""))  # fmt: skip
    return pd.Series(text, index=numbers.index)


def records_shown(rows: pd.DataFrame, detail: pd.DataFrame, unit_names: pd.Series, checks: pd.DataFrame,
                  ids_shown: int = 10) -> pd.DataFrame:  # fmt: skip
    """One line per (unit, check) of ``rows`` (SPEC §2 results of ``compute_records``) in their
    order: unit and check by name, the value as shown elsewhere (84%, 3 条, 不涉及), numerator and
    denominator, how many records cost points and the first ``ids_shown`` of their ids (the run's
    worst first), "、"-joined and followed by "等 N 件" when there are more.

    ``checks``: the rubric's checks table (check_id, check_name, method)."""
    by_check = checks.set_index("check_id")
    merged = rows[["unit_id", "check_id", "value"]].merge(detail, on=["unit_id", "check_id"], how="left",
                                                           suffixes=("", "_detail"))  # fmt: skip
    method = merged["check_id"].map(by_check["method"])
    status = pd.Series(np.where(merged["value"] == "NA", "na", "scored"), index=merged.index)
    lost = merged["lost"].fillna(0).astype(np.int64)
    ids = merged["lost_ids"].map(lambda t: "、".join(t[:ids_shown]) if isinstance(t, tuple) else "")
    more = lost - merged["lost_ids"].map(lambda t: min(len(t), ids_shown) if isinstance(t, tuple) else 0)
    worst = ids.where(more <= 0, ids + " 等 " + lost.map("{:,}".format) + " 件")
    return pd.DataFrame({
        "unit": merged["unit_id"].map(unit_names).fillna(merged["unit_id"]),
        "check": merged["check_id"].map(by_check["check_name"]),
        "value": value_text(method, merged["value"], status),
        "numerator": _count_text(merged["numerator"]),
        "denominator": _count_text(merged["denominator"]),
        "lost": lost.map("{:,}".format),
        "worst": worst,
    })[RECORDS_SHOWN_COLUMNS]  # fmt: skip


def files_up_to(folder: Path, period: str) -> dict[str, list[Path]]:
    """The exports of a folder that a round reads (a case accepted in one quarter may finish in
    the next, so every file up to the round's own): ``KIND_PERIOD.*`` with PERIOD ≤ ``period``
    (ids like 2017Q3 order as text), and ``accounts.*`` / ``posts.*`` whole. By kind, sorted."""
    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
            continue
        kind, _, part = path.stem.partition("_")
        whole = kind in ("accounts", "posts") and not part
        if whole or (kind in ("cases", "ratings") and part[:1].isdigit() and part <= period):
            found[kind].append(path)
    return found


def quarter_window(span: tuple[dt.date, dt.date] | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The window a page proposes: the period's own span, else the 90 days up to ``today``."""
    return span if span is not None else (today - dt.timedelta(days=89), today)
