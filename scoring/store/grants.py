"""Least privilege on PostgreSQL (``assess store grant``): the app's role may read every table and
add rows to it, change only the columns the app changes, and nothing else.

Insert-only is kept by triggers on both backends; on SQLite whoever holds the file can drop them. On
PostgreSQL the app's role is not the tables' owner, so it cannot disable a trigger, alter or drop a
table, and it holds neither UPDATE (except the columns below) nor DELETE nor TRUNCATE: the database
itself refuses a change to a finding or the audit log, whatever the triggers say. Migrations are run
by the owner (any ``assess`` command given the owner's URL), never by the app's role.
"""

from __future__ import annotations

import re

from scoring.errors import InputError, Issue
from scoring.store.db import Store

__all__ = ["UPDATABLE", "grant_app_role", "grant_statements"]

# the only columns the app ever changes (scoring/store/rounds.py, publish.py: a round's status;
# accounts.py: a password, and an account disabled or enabled); every other change is a new row
UPDATABLE = {"round": ("status",), "account": ("salt", "hash", "disabled")}
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _fail(code: str, message: str, where: str = "") -> InputError:
    return InputError([Issue(code=code, message=message, file=where)])


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The SQL that leaves ``role`` exactly the app's privileges on the store in ``schema``."""
    if not _ROLE.fullmatch(role) or not _ROLE.fullmatch(schema):
        raise _fail(
            "store-role-name", f"角色名 {role} 无效:须为小写字母、数字和下划线,以字母或下划线开头,至多 63 个字符"
        )
    statements = [
        # what the role held before (an earlier grant, a hand-made one) goes first, so that the result is exact
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    statements += [
        f"GRANT UPDATE ({', '.join(cols)}) ON {schema}.{table} TO {role}" for table, cols in UPDATABLE.items()
    ]
    # tables and sequences a later migration makes (run as the owner, who runs this) are read and added to alike
    statements += [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {role}",
    ]
    return statements


def grant_app_role(store: Store, role: str, actor: str) -> list[str]:
    """Give ``role`` (which must exist, and must not own the store nor be a superuser) the app's
    privileges on ``store``; the statements run, in one transaction."""
    where = str(getattr(store, "location", store.path))
    if getattr(store, "backend", "sqlite") != "postgresql":
        raise _fail("store-grant-sqlite",
                    "SQLite 存储没有数据库角色,权限由文件的读写权限决定;assess store grant 只用于 PostgreSQL 存储",
                    where)  # fmt: skip
    with store.transaction() as db:
        schema = db.execute("SELECT current_schema()").fetchone()[0]
        found = db.execute("SELECT rolsuper FROM pg_roles WHERE rolname = ?", (role,)).fetchone()
        if found is None:
            raise _fail("store-role-missing",
                        f"数据库中没有角色 {role};请先由数据库管理员创建(CREATE ROLE {role} LOGIN PASSWORD '…')",
                        where)  # fmt: skip
        owner = db.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = ? AND tablename = 'finding'", (schema,)
        ).fetchone()[0]
        owns = db.execute("SELECT pg_has_role(?, ?, 'MEMBER')", (role, owner)).fetchone()[0]
        if found[0] or owns:
            what = "超级用户" if found[0] else f"存储各表的所有者 {owner}(或其成员)"
            raise _fail("store-role-too-strong",
                        f"角色 {role} 是{what},可绕过任何授权;应用须使用另一个只有读写权限的角色",
                        where)  # fmt: skip
        statements = grant_statements(role, schema)
        for statement in statements:
            db.execute(statement)
        store.audit(actor, "store.grant", where, f"role {role}: SELECT, INSERT; UPDATE only round.status, "
                    "account.salt/hash/disabled")  # fmt: skip
    return statements
