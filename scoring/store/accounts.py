"""Accounts and sign-in: who may do what is decided by a role, kept in the store.

Passwords are hashed with scrypt (memory-hard, standard library) and a per-user salt; the
password itself is never stored. Five failed sign-ins within fifteen minutes lock an account
for the rest of that window. Sign-ins, failures and sign-outs go to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd

from scoring.errors import InputError, Issue
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.users import OPERATOR, ROLE_NAMES, ROLES, User, credential_of

__all__ = [
    "LOCKOUT_FAILURES",
    "LOCKOUT_WINDOW",
    "OPERATOR",
    "ROLES",
    "ROLE_NAMES",
    "SignInError",
    "User",
    "account",
    "acting_user",
    "add_user",
    "authenticate",
    "demo_salts",
    "disable_user",
    "enable_user",
    "ended_session",
    "ensure_demo_accounts",
    "has_accounts",
    "hash_password",
    "list_users",
    "set_password",
    "sign_out",
]

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
# the salt an unknown account's password is hashed with, so that it costs what a known one costs
_NOBODY_SALT = secrets.token_bytes(16)


def account(store: Store, name: str) -> User | None:
    """The enabled account of that name, or None (single sign-on maps a person to it)."""
    row = store.db.execute("SELECT role, unit_id FROM account WHERE name = ? AND disabled = 0", (name,)).fetchone()
    return None if row is None else User(name, row["role"], row["unit_id"])


def has_accounts(store: Store) -> bool:
    return store.db.execute("SELECT COUNT(*) FROM account").fetchone()[0] > 0


def acting_user(store: Store, name: str) -> User:
    """Who a command-line write acts as (``--by NAME``): that account, checked as the app checks it.

    A store with no account at all is used from the command line alone; there the operator, who
    holds the file, may do what the office does. Once accounts exist, a write must name one.
    """
    row = store.db.execute("SELECT role, unit_id, disabled FROM account WHERE name = ?", (name,)).fetchone()
    if row is not None:
        if row["disabled"]:
            raise _fail(f"账号 {name} 已停用,不能操作")
        return User(name, row["role"], row["unit_id"])
    if not has_accounts(store):
        return User(name, OPERATOR)
    raise _fail(f"账号 {name} 不存在;该存储已设账号,写入操作须用 --by 指明其中一个账号(见 assess user list)")


class SignInError(Exception):
    """A refused sign-in; the message can be shown as it is."""


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    salt = salt or secrets.token_bytes(16)
    return salt, hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=64 * 2**20, **SCRYPT)


def _fail(message: str) -> InputError:
    return InputError([Issue(code="account", message=message)])


def add_user(
    store: Store, name: str, role: str, password: str, by: User, unit_id: str | None = None, demo: bool = False
) -> User:
    authorize(store, by, "accounts", name)
    actor = by.name
    problems = []
    if not name.strip():
        problems.append("账号不能为空")
    if role not in ROLES:
        problems.append(f"角色 {role} 无效;可选:{'、'.join(ROLES)}")
    if role == "unit" and not unit_id:
        problems.append("被考核单位账号须指定单位编码")
    if role != "unit" and unit_id:
        problems.append("只有被考核单位(unit)账号绑定单位编码")
    if len(password) < MIN_PASSWORD:
        problems.append(f"密码至少 {MIN_PASSWORD} 位")
    if store.db.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
        problems.append(f"账号 {name} 已存在")
    if problems:  # every one at once
        raise InputError([Issue(code="account", message=m) for m in problems])
    salt, digest = hash_password(password)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO account(name, role, unit_id, salt, hash, disabled, demo, created_at, created_by)"
            " VALUES (?,?,?,?,?,0,?,?,?)",
            (name, role, unit_id, salt, digest, int(demo), now(), actor),
        )
        store.audit(actor, "user.add", name, f"role {role}" + (f", unit {unit_id}" if unit_id else ""))
    return User(name, role, unit_id)


def ensure_demo_accounts(store: Store, accounts: list[tuple[str, str, str | None]],
                         password_of: Callable[[bytes], str], by: User) -> list[str]:  # fmt: skip
    """Each demo account (name, role, unit_id) exists with the password ``password_of(its salt)``;
    the names made or reset.

    Several app processes share one store, and each shows the demo passwords on its sign-in page:
    the password follows from what the store holds, so every process shows the same one, and it is
    made once, under the writer's lock (two processes starting together do not reset each other's).
    Only a demo account whose password does not follow from its salt (one made by an earlier
    version, or changed by hand) is given a new salt.
    """
    made = []
    with store.transaction() as db:
        for name, role, unit_id in accounts:
            row = db.execute("SELECT salt, hash FROM account WHERE name = ?", (name,)).fetchone()
            if row is not None and hmac.compare_digest(
                hash_password(password_of(bytes(row["salt"])), bytes(row["salt"]))[1], bytes(row["hash"])
            ):
                continue
            salt = secrets.token_bytes(16)
            _, digest = hash_password(password_of(salt), salt)
            if row is None:
                db.execute(
                    "INSERT INTO account(name, role, unit_id, salt, hash, disabled, demo, created_at, created_by)"
                    " VALUES (?,?,?,?,?,0,1,?,?)",
                    (name, role, unit_id, salt, digest, now(), by.name),
                )
                store.audit(by.name, "user.add", name, f"role {role}" + (f", unit {unit_id}" if unit_id else ""))
            else:
                db.execute("UPDATE account SET salt = ?, hash = ? WHERE name = ?", (salt, digest, name))
                store.audit(by.name, "user.passwd", name)
            made.append(name)
    return made


def demo_salts(store: Store) -> dict[str, bytes]:
    """Each demo account's salt, which its shown password follows from (demo mode only)."""
    rows = store.db.execute("SELECT name, salt FROM account WHERE demo = 1").fetchall()
    return {r["name"]: bytes(r["salt"]) for r in rows}


def list_users(store: Store) -> pd.DataFrame:
    rows = store.db.execute(
        "SELECT name, role, unit_id, disabled, demo, created_at FROM account ORDER BY name"
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "role", "unit_id", "disabled", "demo", "created_at"])


def disable_user(store: Store, name: str, by: User) -> None:
    """Stop an account signing in; the last usable admin account is never disabled (nobody could
    then manage rounds or accounts from the app)."""
    authorize(store, by, "accounts", name)
    actor = by.name
    with store.transaction() as db:
        row = db.execute("SELECT role, disabled, demo FROM account WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise _fail(f"没有账号 {name}")
        admins = db.execute(
            "SELECT COUNT(*) FROM account WHERE role = 'admin' AND disabled = 0 AND demo = 0"
        ).fetchone()[0]
        if row["role"] == "admin" and not row["disabled"] and not row["demo"] and admins <= 1:
            raise _fail(f"{name} 是最后一个可用的考核办账号,不能停用")
        db.execute("UPDATE account SET disabled = 1 WHERE name = ?", (name,))
        store.audit(actor, "user.disable", name)


def enable_user(store: Store, name: str, by: User) -> None:
    authorize(store, by, "accounts", name)
    actor = by.name
    with store.transaction() as db:
        if db.execute("UPDATE account SET disabled = 0 WHERE name = ?", (name,)).rowcount == 0:
            raise _fail(f"没有账号 {name}")
        store.audit(actor, "user.enable", name)


def set_password(store: Store, name: str, password: str, by: User) -> None:
    authorize(store, by, "accounts", name)
    actor = by.name
    if len(password) < MIN_PASSWORD:
        raise _fail(f"密码至少 {MIN_PASSWORD} 位")
    salt, digest = hash_password(password)
    with store.transaction() as db:
        if db.execute("UPDATE account SET salt = ?, hash = ? WHERE name = ?", (salt, digest, name)).rowcount == 0:
            raise _fail(f"没有账号 {name}")
        store.audit(actor, "user.passwd", name)


def _recent_failures(store: Store, name: str, at: datetime) -> int:
    since = (at - LOCKOUT_WINDOW).isoformat(timespec="seconds")
    row = store.db.execute(
        "SELECT COUNT(*) FROM sign_in WHERE name = ? AND ok = 0 AND at > ?"
        " AND at > COALESCE((SELECT MAX(at) FROM sign_in WHERE name = ? AND ok = 1), '')",
        (name, since, name),
    ).fetchone()
    return int(row[0])


def authenticate(
    store: Store, name: str, password: str, at: datetime | None = None, *, demo_allowed: bool = False
) -> User:
    """The user, or SignInError; every attempt is recorded, five failures lock the account a while."""
    at = at or datetime.now(UTC)
    stamp = at.isoformat(timespec="seconds")
    if _recent_failures(store, name, at) >= LOCKOUT_FAILURES:
        with store.transaction() as db:
            db.execute("INSERT INTO sign_in(name, at, ok) VALUES (?, ?, 0)", (name, stamp))
            store.audit(name, "sign-in.locked", name)
        raise SignInError(f"连续 {LOCKOUT_FAILURES} 次密码错误,账号已锁定 15 分钟")
    row = store.db.execute(
        "SELECT role, unit_id, salt, hash, disabled, demo FROM account WHERE name = ?", (name,)
    ).fetchone()
    # the hash runs for every name, known or not, usable or not: a sign-in that answered sooner for
    # an unknown account would tell anyone which accounts exist (issue 27)
    digest = hash_password(password, row["salt"] if row is not None else _NOBODY_SALT)[1]
    # demo accounts only ever work in demo mode, even if a demo store is opened without it
    usable = row is not None and not row["disabled"] and (demo_allowed or not row["demo"])
    ok = usable and hmac.compare_digest(digest, row["hash"])
    with store.transaction() as db:
        db.execute("INSERT INTO sign_in(name, at, ok) VALUES (?, ?, ?)", (name, stamp, int(ok)))
        store.audit(name, "sign-in" if ok else "sign-in.failed", name)
    if not ok:
        raise SignInError("账号或密码错误,或账号已停用")
    return User(name, row["role"], row["unit_id"], credential=credential_of(row["salt"]))


def sign_out(store: Store, user: User) -> None:
    with store.transaction():
        store.audit(user.name, "sign-out", user.name)


def ended_session(store: Store, user: User, reason: str) -> None:
    """Record that a session was ended because its account changed (access.account_problem)."""
    with store.transaction():
        store.audit(user.name, "sign-out.ended", user.name, reason)
