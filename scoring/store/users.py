"""Who acts: an account's name, role and (for a unit) its unit — the one object every write takes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from scoring.words import OPERATOR, ROLE_NAMES

__all__ = ["OPERATOR", "ROLES", "ROLE_NAMES", "User", "credential_of"]

ROLES = ("admin", "evaluator", "leader", "unit")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit_id: str | None = None
    # the account's credential when this user signed in (credential_of): a session that signed in
    # before the password was reset no longer matches it; None for users made without a sign-in
    credential: str | None = field(default=None, compare=False, repr=False)
    # the identity provider (single sign-on) vouches for this person's role and unit, which may then
    # come from its claims rather than from a store account
    sso: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}({ROLE_NAMES[self.role]}{' · ' + self.unit_id if self.unit_id else ''})"


def credential_of(salt: bytes) -> str:
    """A fingerprint of an account's password salt, which every password change renews: a session
    keeps this, never the hash."""
    return hashlib.sha256(b"assess-credential\0" + bytes(salt)).hexdigest()[:32]
