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

from scoring.errors import InputError, Issue
from scoring.pipeline import Assessment, ScopedScores
from scoring.store.db import Store
from scoring.store.users import OPERATOR, User, credential_of
from scoring.validate import Findings

__all__ = [
    "AccessDenied", "account_problem", "authorize", "can", "require", "scoped", "scoped_appeals", "visible_periods",
    "visible_units",
]  # fmt: skip

ACTIONS = {
    "import": ("evaluator",),
    "decide_appeal": ("evaluator",),
    "file_appeal": ("unit",),
    "set_status": ("admin",),
    "open_round": ("admin",),
    "publish": ("admin",),
    "verify": ("admin", "evaluator"),
    "audit": ("admin",),
    "accounts": ("admin",),
    "add_evidence": ("admin", "evaluator"),
    "monitor": ("admin", "evaluator"),
    "content_fixes": ("admin", "evaluator", "unit"),  # reads only; a unit its own sites' findings
    "records": ("admin", "evaluator"),
    "agreement": ("admin",),  # reads only; the office checks the third party's consistency
    "quality": ("admin",),  # reads only; the office judges its own rubric's checks (issue 33)
}
# the command line on a store without accounts (accounts.OPERATOR) may do every write
ACTIONS = {action: (*roles, OPERATOR) for action, roles in ACTIONS.items()}


class AccessDenied(InputError):
    """The user may not do this; the message can be shown as it is. An InputError, so that every
    caller that reports a user's mistake (exit 2, a red line on a page) reports this one too."""

    def __init__(self, message: str = "当前账号无权执行此操作"):
        super().__init__([Issue(code="access-denied", message=message)])
        self.message = message

    def __str__(self) -> str:
        return self.message


def can(user: User | None, action: str) -> bool:
    return user is not None and user.role in ACTIONS[action]


def require(user: User | None, action: str) -> User:
    if not can(user, action):
        raise AccessDenied()
    return user  # type: ignore[return-value]


def authorize(store: Store, user: User | None, action: str, target: str, *, unit_id: str | None = None) -> User:
    """The store's own check before any write: the role, and for a unit account its own unit.

    A refusal is audited (in its own transaction, so it outlives the write it stopped) and
    raised; the pages only hide what this refuses.
    """
    why = None
    if user is None or not isinstance(user, User):
        why = "未登录或未指明操作人"
    elif (problem := account_problem(store, user)) is not None:
        why = problem[1]
    elif not can(user, action):
        why = f"账号 {user.name} 的角色无权执行此操作"
    elif user.role == "unit" and unit_id is not None and user.unit_id != unit_id:
        why = f"单位账号 {user.name} 只能为本单位({user.unit_id})操作,不能代单位 {unit_id} 操作"
    if why is None:
        return user  # type: ignore[return-value]
    with store.transaction():
        store.audit(getattr(user, "name", "-"), f"denied.{action}", target, why)
    raise AccessDenied(why)


def account_problem(store: Store, user: User) -> tuple[str, str] | None:
    """Why this user may no longer act, as the account stands now: (reason, message), the reason one
    of ``disabled``, ``password``, ``changed``, ``unknown``; None while the user may act.

    Asked before every write and at every page run, so that what the office does to an account
    (disable it, reset its password, change its role or unit) ends the sessions signed in with it.
    The command line's operator on a store without accounts (``OPERATOR``, the file's holder) and a
    person the identity provider vouches for (``sso``) need no account, but a disabled account of
    their name stops them too.
    """
    row = store.db.execute("SELECT role, unit_id, disabled, salt FROM account WHERE name = ?", (user.name,)).fetchone()
    if row is None:
        if user.role == OPERATOR or user.sso:
            return None
        if store.db.execute("SELECT 1 FROM account LIMIT 1").fetchone() is None:
            return None  # a store used without accounts: the caller names who acts
        return "unknown", f"账号 {user.name} 不存在"
    if row["disabled"]:
        return "disabled", f"账号 {user.name} 已停用"
    if user.credential is not None and credential_of(row["salt"]) != user.credential:
        return "password", f"账号 {user.name} 的密码已重置,须用新密码重新登录"
    if user.role != OPERATOR and not user.sso and (row["role"], row["unit_id"]) != (user.role, user.unit_id):
        return "changed", f"账号 {user.name} 的角色或所属单位已变更,须重新登录"
    return None


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
        keep_units, keep_dims = units["period"].isin(periods), dims["period"].isin(periods)
        keep_rows = rows["period"].isin(periods)
        only_units = None
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

        only_units = [own]
        keep_units, keep_dims = in_view(units), in_view(dims)
        keep_rows = rows["period"].isin(periods) & (rows["unit_id"] == own)

    # the check table is filtered when first asked for, round by round: a ranking never builds it
    shown = [p for p in s.periods if p in periods]
    scores = ScopedScores(s, units[keep_units].reset_index(drop=True), dims[keep_dims].reset_index(drop=True), shown,
                          shown, only_units)  # fmt: skip
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
