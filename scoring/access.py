"""What each role may see and do, enforced on the data itself (the pages only show what is left).

- admin (考核办): everything; round status, publishing, accounts.
- evaluator (第三方): everything to read; imports and deciding appeals.
- leader (领导): published rounds only, read-only.
- unit (被考核单位): in feedback and appeal rounds only its own results; after publication the
  ranking and dimension scores of its own group, and only its own checks, evidence and appeals;
  it files appeals for itself only.
"""

from __future__ import annotations

import pandas as pd

from .accounts import User
from .engine import Scores
from .pipeline import Assessment
from .validate import Findings

__all__ = ["AccessDenied", "can", "require", "scoped", "scoped_appeals", "visible_periods", "visible_units"]

ACTIONS = {
    "import": ("evaluator",),
    "decide_appeal": ("evaluator",),
    "file_appeal": ("unit",),
    "set_status": ("admin",),
    "publish": ("admin",),
    "verify": ("admin", "evaluator"),
    "audit": ("admin",),
    "accounts": ("admin",),
}


class AccessDenied(Exception):
    """The signed-in user may not see or do this; the message can be shown as it is."""


def can(user: User | None, action: str) -> bool:
    return user is not None and user.role in ACTIONS[action]


def require(user: User | None, action: str) -> User:
    if not can(user, action):
        raise AccessDenied("当前账号无权执行此操作")
    return user  # type: ignore[return-value]


def visible_periods(user: User | None, statuses: dict[str, str]) -> list[str]:
    if user is None:
        return []
    if user.role in ("admin", "evaluator"):
        return list(statuses)
    if user.role == "leader":
        return [p for p, s in statuses.items() if s == "published"]
    return [p for p, s in statuses.items() if s in ("feedback", "appeal", "published")]


def scoped(user: User | None, result: Assessment | None, statuses: dict[str, str]) -> Assessment | None:
    """The part of the scored rounds this user may see."""
    if user is None or result is None:
        return None
    if user.role in ("admin", "evaluator"):
        return result
    periods = visible_periods(user, statuses)
    s = result.scores
    units, dims, rows = s.units, s.dimensions, result.findings.rows
    if user.role == "leader":
        keep_units = units["period"].isin(periods)
        keep_dims, keep_rows = dims["period"].isin(periods), rows["period"].isin(periods)

        def keep_checks(checks: pd.DataFrame) -> pd.Series:
            return checks["period"].isin(periods)
    else:
        own = user.unit_id
        group = result.roster.set_index("unit_id")["group"].get(own)
        published = [p for p in periods if statuses[p] == "published"]
        peers = set(result.roster.loc[result.roster["group"] == group, "unit_id"])
        # published: the own group's ranking and dimension scores; before that, only itself

        def in_view(f: pd.DataFrame) -> pd.Series:
            return (f["period"].isin(published) & f["unit_id"].isin(peers)) | (
                f["period"].isin(periods) & (f["unit_id"] == own)
            )

        def keep_checks(checks: pd.DataFrame) -> pd.Series:
            return checks["period"].isin(periods) & (checks["unit_id"] == own)

        keep_units, keep_dims = in_view(units), in_view(dims)
        keep_rows = rows["period"].isin(periods) & (rows["unit_id"] == own)

    def checks() -> pd.DataFrame:
        # filtered when first asked for, like the full table: a ranking never builds it
        return s.checks[keep_checks(s.checks)].reset_index(drop=True)

    scores = Scores(
        units=units[keep_units].reset_index(drop=True),
        dimensions=dims[keep_dims].reset_index(drop=True),
        checks=checks,
        periods=[p for p in s.periods if p in periods],
    )
    findings = Findings(rows=rows[keep_rows].reset_index(drop=True), periods=scores.periods)
    return Assessment(result.rubric, result.roster, findings, scores, result.sources)


def visible_units(user: User | None, roster: pd.DataFrame) -> list[str]:
    """Units whose drill-down (checks, evidence, appeals) this user may open."""
    if user is None:
        return []
    if user.role == "unit":
        return [user.unit_id] if user.unit_id in set(roster["unit_id"]) else []
    return list(roster["unit_id"])


def scoped_appeals(user: User | None, appeals: pd.DataFrame, statuses: dict[str, str]) -> pd.DataFrame:
    if user is None:
        return appeals.iloc[0:0]
    if user.role == "unit":
        return appeals[appeals["unit_id"] == user.unit_id]
    if user.role == "leader":
        return appeals[appeals["period"].map(statuses) == "published"]
    return appeals
