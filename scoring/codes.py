"""Integer codes for periods, units and checks, so that the hot path works on arrays, not strings.

Units are coded in sorted id order and checks in rubric order, so that sorting codes sorts the
output the way SPEC §3 asks. A (period, unit, check) triple is one int64 ``key``, which lets
``np.bincount`` do the group sums that would otherwise be string-keyed groupbys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.rubric.load import Rubric

__all__ = ["Codes", "applicable_matrix"]


@dataclass(frozen=True)
class Codes:
    periods: list[str]
    units: pd.Index  # unit ids, sorted
    groups: np.ndarray  # group id of each coded unit
    checks: pd.Index  # check ids, rubric order
    applicable: np.ndarray  # bool (units × checks)

    @classmethod
    def build(cls, rubric: Rubric, roster: pd.DataFrame, periods: list[str]) -> Codes:
        order = np.argsort(roster["unit_id"].to_numpy(dtype=object), kind="stable")
        units = pd.Index(roster["unit_id"].to_numpy(dtype=object)[order])
        groups = roster["group"].to_numpy(dtype=object)[order]
        checks = pd.Index(rubric.checks["check_id"].to_numpy(dtype=object))
        return cls(sorted(periods), units, groups, checks, applicable_matrix(rubric, units, groups))

    @property
    def size(self) -> int:
        return len(self.periods) * len(self.units) * len(self.checks)

    def key(self, p: np.ndarray, u: np.ndarray, c: np.ndarray) -> np.ndarray:
        return (p.astype(np.int64) * len(self.units) + u) * len(self.checks) + c

    def split(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_c, n_u = len(self.checks), len(self.units)
        return key // (n_u * n_c), (key // n_c) % n_u, key % n_c

    def applicable_keys(self) -> np.ndarray:
        """Every applicable (period, unit, check) as keys, in period, unit, check order."""
        flat = np.flatnonzero(self.applicable.ravel())
        block = len(self.units) * len(self.checks)
        return (np.arange(len(self.periods), dtype=np.int64)[:, None] * block + flat[None, :]).ravel()


def applicable_matrix(rubric: Rubric, units: pd.Index, groups: np.ndarray) -> np.ndarray:
    """unit × check: whether the check applies to the unit (its group, or the check's unit list)."""
    checks = rubric.checks
    group_ids = list(rubric.spec.groups)
    by_group = np.ones((len(group_ids), len(checks)), dtype=bool)
    for c, (applies, named) in enumerate(zip(checks["applies_to"], checks["units"], strict=True)):
        if applies is not None:
            by_group[:, c] = [g in applies for g in group_ids]
        elif named is not None:
            by_group[:, c] = False
    group_code = pd.Index(group_ids).get_indexer(groups)
    matrix = by_group[np.maximum(group_code, 0)] & (group_code >= 0)[:, None]
    for c, named in enumerate(checks["units"]):
        if named is not None:
            rows = units.get_indexer(list(named))
            matrix[rows[rows >= 0], c] = True
    return matrix
