"""``assess records`` in the store (SPEC extension 6): the row file kept with the round, as the
monitor's is; an evaluator imports it (or a page does) as a batch later."""

from __future__ import annotations

import hashlib

from scoring.errors import InputError
from scoring.store.access import authorize
from scoring.store.db import Store
from scoring.store.evidence import check_evidence, insert_evidence
from scoring.store.probes import require_open
from scoring.store.users import User
from scoring.tables import InputFile

__all__ = ["RECORDS_PREFIX", "latest_records", "record_records"]

RECORDS_PREFIX = "办件评价结果_"


def record_records(store: Store, period: str, rows_csv: bytes, user: User) -> str:
    """Keep the run's rows as an evidence file of the period, audited once; its name. The same
    rows kept before are not kept twice."""
    authorize(store, user, "records", period)
    name = f"{RECORDS_PREFIX}{period}_{hashlib.sha256(rows_csv).hexdigest()[:16]}.csv"
    with store.transaction():
        require_open(store, period)
        new, _, issues = check_evidence(store, [InputFile(name, rows_csv)])
        if issues:
            raise InputError(issues)
        insert_evidence(store, new, user.name, audit_each=False)
        if new:
            store.audit(user.name, "records.run", period, f"{name}, {len(rows_csv)} bytes")
    return name


def latest_records(store: Store, period: str) -> tuple[str, bytes] | None:
    """The rows of the period's latest records run (its file's name and CSV), if any."""
    row = store.db.execute("SELECT name, content FROM evidence_file WHERE substr(name, 1, length(CAST(? AS TEXT))) = ?"
                           " ORDER BY id DESC LIMIT 1",
                           (f"{RECORDS_PREFIX}{period}_",) * 2).fetchone()  # fmt: skip
    return None if row is None else (str(row[0]), bytes(row[1]))
