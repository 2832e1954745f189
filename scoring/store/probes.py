"""The website monitor's probes in the store (SPEC extension 4): each probe a row, each page an
evidence file; the period's home-page failure rate is counted from every probe stored so far."""

from __future__ import annotations

import hashlib

import pandas as pd

from scoring.errors import InputError, Issue
from scoring.monitor.fetch import Probe
from scoring.monitor.run import MonitorRun, archive_name
from scoring.output import csv_bytes
from scoring.store.access import authorize
from scoring.store.content import insert_content
from scoring.store.db import Store
from scoring.store.evidence import check_evidence, insert_evidence
from scoring.store.rounds import open_periods
from scoring.store.users import User
from scoring.tables import InputFile

__all__ = ["RESULTS_PREFIX", "home_history", "latest_results", "probes_table", "record_run", "require_open"]

RESULTS_PREFIX = "网站监测结果_"


def require_open(store: Store, period: str) -> None:
    """Probes belong to a period the office has opened (SPEC extension 2a)."""
    opened = list(open_periods(store)["period"])
    if period not in opened:
        shown = "、".join(sorted(opened)) or "无(请考核办先开启期次)"
        raise InputError([Issue(code="round-not-open", value=period,
                                message=f"期次 {period} 尚未开启,不能监测;已开启的期次:{shown}")])  # fmt: skip


def home_history(store: Store, period: str):
    """For the monitor: {unit_id: home URL} → the home probes of ``period`` stored so far."""

    def counts(homes: dict[str, str]) -> pd.DataFrame:
        rows = store.db.execute(
            "SELECT unit_id, url, COUNT(*), SUM(CASE WHEN failure <> '' THEN 1 ELSE 0 END) FROM probe WHERE period = ? AND kind = 'home' "
            "GROUP BY unit_id, url",
            (period,),
        ).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["unit_id", "url", "probes", "failed"])
        # a unit whose home page moved starts counting afresh at the new address
        frame = frame[frame["url"] == frame["unit_id"].map(homes)]
        return frame.set_index("unit_id")[["probes", "failed"]].astype(float)

    return counts


def record_run(store: Store, period: str, run: MonitorRun, user: User, words_id: int | None = None) -> int | None:
    """Store the run's probes, the pages it read (as evidence files) and what it found on them (with
    ``words_id``, the words-list version it used), all or nothing. The content run's id, or None
    when the run read no unit's content (a rubric without content checks)."""
    authorize(store, user, "monitor", period)
    sites = run.pages
    kind_of = dict(zip(sites["url"], sites["kind"], strict=False))
    unit_of = dict(zip(sites["url"], sites["unit_id"], strict=False))
    # a page over the size limit, or of no bytes, has nothing to keep
    pages: dict[str, Probe] = {p.url: p for p in run.probes if p.ok and p.body and p.url in kind_of}
    files = [InputFile(archive_name(p), p.body) for p in pages.values()]
    files += [InputFile(name, png) for name, png in run.screenshots.items()]
    # the rows the run found, kept too: a page opened later shows them and an evaluator imports them then
    found = csv_bytes(run.rows)
    files.append(InputFile(f"{RESULTS_PREFIX}{period}_{hashlib.sha256(found).hexdigest()[:16]}.csv", found))
    with store.transaction():
        require_open(store, period)
        new, _, issues = check_evidence(store, files)
        if issues:
            raise InputError(issues)
        insert_evidence(store, new, user.name, audit_each=False)
        # a link target's probe belongs to no single unit (several may link it): unit_id empty
        store.db.executemany(
            "INSERT INTO probe(period, unit_id, kind, url, at, status, elapsed_ms, failure, sha256, evidence, run_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(period, unit_of.get(p.url, ""), kind_of.get(p.url, "link"), p.url, p.at, p.status,
              round(p.elapsed * 1000), p.failure, p.sha256, archive_name(p) if p.url in pages else "", user.name)
             for p in run.probes],
        )  # fmt: skip
        content_run = None
        if run.content_units or not run.content.empty:
            content_run = insert_content(store, period, run.content, run.content_units, user, words_id)
        store.audit(user.name, "monitor.run", period, f"{len(run.probes)} probes, {len(new)} pages kept"
                    + (f", content run {content_run}: {len(run.content)} findings" if content_run else ""))  # fmt: skip
    return content_run


def latest_results(store: Store, period: str) -> tuple[str, bytes] | None:
    """The rows of the period's latest monitor run (its results file's name and CSV), if any."""
    row = store.db.execute("SELECT name, content FROM evidence_file WHERE substr(name, 1, length(CAST(? AS TEXT))) = ?"
                           " ORDER BY id DESC LIMIT 1",
                           (f"{RESULTS_PREFIX}{period}_",) * 2).fetchone()  # fmt: skip
    return None if row is None else (str(row[0]), bytes(row[1]))


def probes_table(store: Store, period: str | None = None) -> pd.DataFrame:
    """Stored probes, newest first: period, unit_id, kind, url, at, status, elapsed_ms, failure, evidence."""
    sql = "SELECT period, unit_id, kind, url, at, status, elapsed_ms, failure, evidence FROM probe"
    rows = store.db.execute(sql + (" WHERE period = ?" if period else "") + " ORDER BY id DESC",
                            (period,) if period else ()).fetchall()  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["period", "unit_id", "kind", "url", "at", "status", "elapsed_ms", "failure", "evidence"])  # fmt: skip
