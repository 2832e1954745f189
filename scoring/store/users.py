"""Who acts: an account's name, role and (for a unit) its unit — the one object every write takes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OPERATOR", "ROLES", "ROLE_NAMES", "User"]

ROLES = ("admin", "evaluator", "leader", "unit")
# the command line on a store without any account: whoever holds the file acts as the office would
OPERATOR = "operator"
ROLE_NAMES = {
    "admin": "考核办",
    "evaluator": "第三方评估机构",
    "leader": "领导",
    "unit": "被考核单位",
    OPERATOR: "命令行操作者",
}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}({ROLE_NAMES[self.role]}{' · ' + self.unit_id if self.unit_id else ''})"
