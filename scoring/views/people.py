"""Who and when as an official reads them: people by who they are, times in Beijing time.

Shared by the pages and the workbooks, so that a unit's report says what its page says.
"""

from __future__ import annotations

import pandas as pd

from scoring.words import ROLE_NAMES

__all__ = ["beijing_time", "people"]


def beijing_time(stamps: pd.Series) -> pd.Series:
    """Stored ISO UTC times as an official reads them: Beijing time, to the minute; empty where none."""
    when = pd.to_datetime(stamps, utc=True, errors="coerce").dt.tz_convert("Asia/Shanghai")
    return when.dt.strftime("%Y-%m-%d %H:%M").fillna("")


def people(names: pd.Series, accounts: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """Account names as a reader knows the person: a unit account by its unit's name, another by its
    name and role (评估员 · 第三方评估机构); empty where none."""
    units = roster.set_index("unit_id")["name"]
    acc = accounts.set_index("name")
    unit_name = names.map(acc["unit_id"]).map(units)
    role = names.map(acc["role"]).map(ROLE_NAMES)
    shown = names.where(role.isna(), names + "(" + role.fillna("") + ")")
    return unit_name.where(unit_name.notna(), shown).fillna("")
