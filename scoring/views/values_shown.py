"""A recorded value as a person reads it, the same on a page and in a workbook: 通过/未通过, 84%,
3 条, 14 个工作日, 未答复, 不涉及."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.words import CHECK_STATUS_NAMES, VALUE_WORDS

__all__ = ["recorded_status", "value_text"]


def value_text(method: pd.Series, value: pd.Series, status: pd.Series) -> pd.Series:
    """A recorded value as a person reads it: 通过/未通过, 84%, 3 条, 不涉及."""
    num = pd.to_numeric(value, errors="coerce")
    pct = (num * 100).round(1).map(lambda v: f"{v:g}%" if pd.notna(v) else "")
    count = num.map(lambda v: VALUE_WORDS["items"].format(n=v) if pd.notna(v) else "")
    out = np.select(
        [
            status == "na",
            status == "missing",
            (method == "binary") & (num == 1),
            (method == "binary") & (num == 0),
            (method == "veto") & (num == 1),
            (method == "veto") & (num == 0),
            method == "ratio",
            method.isin(["deduct", "bonus"]),
            (method == "deadline") & (value.astype(str) == "unanswered"),
            method == "deadline",
        ],
        [
            CHECK_STATUS_NAMES["na"],
            CHECK_STATUS_NAMES["missing"],
            VALUE_WORDS["pass"],
            VALUE_WORDS["fail"],
            VALUE_WORDS["happened"],
            VALUE_WORDS["not_happened"],
            pct,
            count,
            VALUE_WORDS["unanswered"],
            num.map(lambda v: VALUE_WORDS["workdays"].format(n=int(v)) if pd.notna(v) else ""),
        ],
        value,
    )
    return pd.Series(out, index=value.index)


def recorded_status(value: pd.Series) -> pd.Series:
    """The check-table status a recorded value stands for: NA, nothing recorded, or scored."""
    text = value.astype(object)
    return pd.Series(np.select([text.isna() | (text == ""), text == "NA"], ["missing", "na"], "scored"),
                     index=value.index)  # fmt: skip
