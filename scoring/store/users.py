"""Who acts: an account's name, role and (for a unit) its unit — the one object every write takes."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.words import OPERATOR, ROLE_NAMES

__all__ = ["OPERATOR", "ROLES", "ROLE_NAMES", "User"]

ROLES = ("admin", "evaluator", "leader", "unit")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}({ROLE_NAMES[self.role]}{' · ' + self.unit_id if self.unit_id else ''})"
