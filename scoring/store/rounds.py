"""A round's life in the store: opened by an import, then draft → feedback → appeal window; its
findings and its preliminary scores. Appeals are in ``appeals``, publication and verify in ``publish``.

Every write takes the person acting (a :class:`~scoring.store.users.User`) and leaves an audit entry. User mistakes
raise :class:`InputError` with located issues, and nothing is written.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from scoring.engine import score_findings
from scoring.errors import InputError, Issue
from scoring.pipeline import Assessment, FileLike, as_rubric, read_results
from scoring.pipeline import read_roster as read_roster_file
from scoring.rubric.load import Rubric, parse_rubric
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.findings import findings_frame, insert_findings
from scoring.store.users import User
from scoring.store.writer import Writer
from scoring.tables import SourceInfo, as_text
from scoring.validate import SINGLE_ROW_METHODS, validate_results
from scoring.words import ROUND_STATUS_NAMES

__all__ = [
    "PERIOD_PATTERN", "STATUS_NAMES", "TRANSITIONS", "ImportResult", "findings_frame", "import_results", "open_periods",
    "open_round", "round_assessment", "round_info", "round_rows", "round_setup", "rounds_table", "score_rows",
    "scored_round", "set_status",
]  # fmt: skip

STATUS_NAMES = ROUND_STATUS_NAMES
# allowed moves of a round's status (publishing has its own function)
TRANSITIONS = {  # publishing (appeal -> published) has its own function
    ("draft", "feedback"),
    ("feedback", "draft"),
    ("feedback", "appeal"),
    ("appeal", "feedback"),
    ("published", "appeal"),  # reopening a published round: needs a reason, ends in a new revision
}


def _fail(code: str, message: str, **where: object) -> InputError:
    return InputError([Issue(code=code, message=message, **where)])  # type: ignore[arg-type]


@dataclass(frozen=True)
class ImportResult:
    batches: list[int]
    rows: int
    periods: list[str]
    sources: list[SourceInfo] = field(default_factory=list)
    pending: int = 0  # rows whose result is not yet recorded (empty 结果): skipped, reported as missing
    already: int = 0  # rows stored before, exactly as they are (a template uploaded again with more filled in)
    replaced: int = 0  # results the importer recorded before, corrected in this file while the round is a draft
    # the rounds imported into, scored as they now stand (preliminary): checked for the import
    # anyway, so that a caller who shows them need not read the round back
    scored: Assessment | None = field(default=None, compare=False, repr=False)


# SPEC extension 2a: period ids are 1-32 letters, digits, '-' and '_'
PERIOD_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def open_periods(store: Store) -> pd.DataFrame:
    """The periods the office has opened, oldest first: period, title, opened_at, opened_by."""
    rows = store.db.execute("SELECT period, title, opened_at, opened_by FROM round_open ORDER BY period").fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["period", "title", "opened_at", "opened_by"])


def open_round(store: Store, period: str, user: User, title: str = "") -> None:
    """The office opens a period for results (SPEC extension 2a): imports into any other are refused."""
    authorize(store, user, "open_round", period)
    if not PERIOD_PATTERN.fullmatch(period):
        raise _fail("bad-period", f"期次编码 “{period}” 无效:须为 1 到 32 个字母、数字、“-” 或 “_”,例如 2017Q3")
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM round_open WHERE period = ?", (period,)).fetchone():
            raise _fail("round-open", f"期次 {period} 已经开启")
        db.execute("INSERT INTO round_open(period, title, opened_at, opened_by) VALUES (?,?,?,?)",
                   (period, title.strip(), now(), user.name))  # fmt: skip
        store.audit(user.name, "round.open", period, title.strip())


def _rubric_version(store: Store, rubric: Rubric, actor: str) -> int:
    row = store.db.execute("SELECT id FROM rubric_version WHERE sha256 = ?", (rubric.sha256,)).fetchone()
    if row:
        return int(row["id"])
    return store.insert_returning_id(
        "INSERT INTO rubric_version(rubric_id, version, sha256, path, text, loaded_at, loaded_by) VALUES (?,?,?,?,?,?,?)",
        (rubric.id, rubric.spec.version, rubric.sha256, rubric.path, rubric.text, now(), actor),
    )


def _roster_version(store: Store, roster: pd.DataFrame, actor: str) -> int:
    src = roster.attrs["source"]
    row = store.db.execute("SELECT id FROM roster_version WHERE sha256 = ?", (src.sha256,)).fetchone()
    if row:
        return int(row["id"])
    rid = store.insert_returning_id(
        "INSERT INTO roster_version(sha256, path, loaded_at, loaded_by) VALUES (?,?,?,?)",
        (src.sha256, src.path, now(), actor),
    )
    # seq keeps the roster's order, which a revision's digest covers (migration 11)
    store.bulk_insert(
        "roster_unit", ("roster_id", "unit_id", "name", "grp", "seq"),
        [(rid, u, n, g, i) for i, (u, n, g) in enumerate(
            zip(roster["unit_id"], roster["name"], roster["group"], strict=True), start=1)],
    )  # fmt: skip
    return rid


@lru_cache(maxsize=32)
def _parsed_rubric(text: str, path: str, sha: str) -> Rubric:
    return parse_rubric(text, path, sha)


def _round_inputs(store: Store, period: str) -> tuple[sqlite3.Row, Rubric, pd.DataFrame]:
    r = store.db.execute(
        """SELECT r.*, v.text, v.path, v.sha256 AS rubric_sha, v.version AS rubric_version, v.rubric_id
           FROM round r JOIN rubric_version v ON v.id = r.rubric_version_id WHERE r.period = ?""",
        (period,),
    ).fetchone()
    if r is None:
        raise _fail("unknown-round", f"没有期次 {period} 的测评轮次;请先导入该期测评结果")
    rubric = _parsed_rubric(r["text"], r["path"], r["rubric_sha"])
    units = store.db.execute(
        'SELECT unit_id, name, grp AS "group" FROM roster_unit WHERE roster_id = ? ORDER BY seq', (r["roster_id"],)
    ).fetchall()
    roster = pd.DataFrame([tuple(u) for u in units], columns=["unit_id", "name", "group"])
    return r, rubric, roster


def round_setup(store: Store, period: str) -> tuple[Rubric, pd.DataFrame]:
    """The rubric and roster a round is scored under, without reading or scoring its findings."""
    _, rubric, roster = _round_inputs(store, period)
    return rubric, roster


def round_assessment(store: Store, period: str, *, as_of: int | None = None, allow_missing: bool = True) -> Assessment:
    """Score one round from what the store holds (optionally as it stood at a finding id)."""
    return scored_round(store, period, as_of=as_of, allow_missing=allow_missing)[0]


def scored_round(store: Store, period: str, *, as_of: int | None = None, allow_missing: bool = True,
                 from_table: bool = False) -> tuple[Assessment, pd.DataFrame]:  # fmt: skip
    """The round scored, and the stored findings it was scored from (what a digest covers), read
    once; ``from_table`` reads them from the record alone (see ``findings_frame``)."""
    rubric, roster, rows = round_rows(store, period, as_of=as_of, from_table=from_table)
    return score_rows(rubric, roster, rows, allow_missing=allow_missing), rows


def round_rows(store: Store, period: str, *, as_of: int | None = None,
               from_table: bool = False) -> tuple[Rubric, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The round's rubric, roster and stored findings (``findings_frame``), not yet validated."""
    r, rubric, roster = _round_inputs(store, period)
    return rubric, roster, findings_frame(store, r["id"], as_of, from_table=from_table)


def score_rows(rubric: Rubric, roster: pd.DataFrame, rows: pd.DataFrame, *, allow_missing: bool = True) -> Assessment:
    """Stored findings (as ``round_rows`` gives them) validated and scored."""
    findings = validate_results(rubric, roster, rows.drop(columns="finding_id"), allow_missing=allow_missing)
    return Assessment(rubric, roster, findings, score_findings(rubric, roster, findings), [])


def import_results(
    store: Store, rubric: FileLike | Rubric, units: FileLike, results: list[FileLike], user: User
) -> ImportResult:
    """Store result files as batches, whole or not at all; a file seen before is refused.

    The rows are validated with the round's earlier batches inside the write transaction
    (BEGIN IMMEDIATE), so two imports at once take turns and the second is checked against what
    the first stored: overlapping rows are refused as duplicates, never both kept.

    As evaluators fill a round over weeks (SPEC extension 2a, issue 17): a row with an empty
    result is not yet recorded and is skipped and counted; the period must have been opened; and a
    file that repeats rows already stored (the same template uploaded again with more filled in)
    adds only its new rows.

    A stored single-row result with another value in the file (issue 29): while the round is a
    draft (nobody has seen it yet, there is nothing to appeal) it replaces the one the importing
    account itself imported — a new finding superseding the old, which stays in the record, as a
    correction on appeal does, and an audit entry naming both values. A result another account
    imported is refused, naming both values and who imported it: each evaluator answers for their
    own results (the office's policy; the import log shows who recorded what). After feedback
    no import is taken and a change goes through an appeal, as before.
    """
    rub = as_rubric(rubric)
    roster = read_roster_file(units, rub)
    raw = read_results(results, pending_allowed=True)
    names = "、".join(s.path for s in raw.sources) or "-"
    authorize(store, user, "import", names)
    pending = sum(s.pending for s in raw.sources)
    issues = list(raw.issues) + _period_issues(store, raw.rows)
    if not issues and raw.rows.empty:
        issues.append(Issue(code="nothing-recorded", file=names,
                            message=f"文件中没有已填写的结果可导入({pending} 行尚未填写结果)"))  # fmt: skip
    if issues:
        raise InputError(issues)
    # the files as read (name and hash): reading and hashing a province's 83 MB file again took 0.1 s
    inputs = raw.sources
    periods = sorted(set(raw.rows["period"]))
    with store.transaction() as db:
        for f in inputs:
            seen = db.execute("SELECT id, file_name, imported_at, imported_by FROM batch WHERE sha256 = ?",
                              (f.sha256,)).fetchone()  # fmt: skip
            if seen:
                issues.append(Issue(
                    code="duplicate-batch", file=f.path,
                    message=f"该文件已于 {seen['imported_at']} 由 {seen['imported_by']} 导入(第 {seen['id']} 批,"
                            f"文件 {seen['file_name']});同一文件不能重复导入",
                ))  # fmt: skip
        existing: dict[str, int] = {}
        for p in periods:
            r = db.execute(
                """SELECT r.id, r.status, v.sha256 AS rubric_sha, s.sha256 AS roster_sha
                   FROM round r JOIN rubric_version v ON v.id = r.rubric_version_id
                   JOIN roster_version s ON s.id = r.roster_id WHERE r.period = ?""",
                (p,),
            ).fetchone()
            if r is None:
                continue
            existing[p] = int(r["id"])
            if r["status"] != "draft":
                issues.append(Issue(code="round-not-draft", message=f"期次 {p} 已处于「{STATUS_NAMES[r['status']]}」阶段,"
                                    "不能再导入结果;结果有误请通过申诉复核更正"))  # fmt: skip
            if r["rubric_sha"] != rub.sha256 or r["roster_sha"] != roster.attrs["source"].sha256:
                issues.append(Issue(code="round-version", message=f"期次 {p} 已按另一版本的指标体系或单位名单导入;"
                                    "同一期次的结果必须使用同一版本"))  # fmt: skip
        if issues:
            raise InputError(issues)
        stored = [findings_frame(store, rid) for rid in existing.values()]
        rows, already, replacing = _new_rows(raw.rows, [f.drop(columns="finding_id") for f in stored], rub)
        stored_rows = pd.concat(stored, ignore_index=True) if stored else pd.DataFrame(columns=["finding_id"])
        old_ids = _replaced_findings(db, rows[replacing], stored_rows, user)
        kept = stored_rows[~stored_rows["finding_id"].isin(old_ids.to_numpy())].drop(columns="finding_id")
        combined = pd.concat([kept, rows], ignore_index=True)
        checked = validate_results(rub, roster, combined, allow_missing=True)

        actor = user.name
        rv = _rubric_version(store, rub, actor)
        sv = _roster_version(store, roster, actor)
        round_ids = dict(existing)
        for p in periods:
            if p not in round_ids:
                round_ids[p] = store.insert_returning_id(
                    "INSERT INTO round(period, rubric_version_id, roster_id, status, created_at, created_by)"
                    " VALUES (?,?,?,'draft',?,?)",
                    (p, rv, sv, now(), actor),
                )
                store.audit(actor, "round.create", p, f"rubric {rub.id} {rub.spec.version}")
        batch_ids = []
        for f in inputs:
            ours = (rows["_file"] == f.path).to_numpy(dtype=bool)
            mine = rows if ours.all() else rows[ours]  # one file: no copy of a round's texts
            bid = store.insert_returning_id(
                "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by) VALUES (?,?,?,?,?)",
                (f.path, f.sha256, len(mine), now(), actor),
            )
            batch_ids.append(bid)
            # the rows go to SQLite from a second thread while this one gathers the next slice and
            # compresses the copy (issue 34); ``db`` is the writer's until the block ends
            with Writer() as writer:
                new_ids = insert_findings(db, bid, pd.DataFrame({
                    "round_id": mine["period"].map(round_ids).astype("int64"), "_sheet": mine["_sheet"],
                    "_row": mine["_row"].astype("int64"), "unit_id": mine["unit_id"], "check_id": mine["check_id"],
                    "value": as_text(mine["value"]), "evidence": mine["evidence"], "note": mine["note"],
                    "evaluator": mine["evaluator"], "checked_at": mine["checked_at"],
                }), writer)  # fmt: skip
            store.audit(actor, "batch.import", f.path, f"batch {bid}, {len(mine)} rows, sha256 {f.sha256}")
            _supersede(store, old_ids, mine, new_ids, stored_rows, actor)
    # scored after the commit, as before: scored (and the command line's losses listed) beside the
    # insert, the bench's imports peaked at 581-606 MB, against 521-551 MB without (issue 34)
    scored = Assessment(rub, roster, checked, score_findings(rub, roster, checked), raw.sources)
    return ImportResult(batches=batch_ids, rows=len(rows), periods=periods, sources=raw.sources, pending=pending,
                        already=already, replaced=len(old_ids), scored=scored)  # fmt: skip


def _period_issues(store: Store, rows: pd.DataFrame) -> list[Issue]:
    """Periods that are no period id, or that the office has not opened (SPEC extension 2a)."""
    opened = set(open_periods(store)["period"])
    shown = "、".join(sorted(opened)) or "无(请考核办先开启期次)"
    out = []
    at, texts = _first_of_each(rows["period"])
    firsts = rows[["_file", "_sheet", "_row"]].iloc[at].set_axis(texts)
    for period in sorted(firsts.index):
        first = firsts.loc[period]
        where = {"file": str(first["_file"]), "sheet": str(first["_sheet"]) or None, "row": int(first["_row"]),
                 "column": "期次", "value": period}  # fmt: skip
        if not PERIOD_PATTERN.fullmatch(period):
            out.append(Issue(code="bad-period", **where,
                             message=f"期次编码 “{period}” 无效:须为 1 到 32 个字母、数字、“-” 或 “_”"))  # fmt: skip
        elif period not in opened:
            out.append(Issue(code="round-not-open", **where,
                             message=f"期次 {period} 尚未开启,不能导入;已开启的期次:{shown}"))  # fmt: skip
    return out


def _first_of_each(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Where each distinct text of ``values`` first occurs, and the texts. A coded column's texts
    come from its categories: a Python str per row of a province's round took 0.1 s (issue 34)."""
    codes = values.cat.codes.to_numpy() if isinstance(values.dtype, pd.CategoricalDtype) else None
    if codes is not None and (codes >= 0).all():
        of_label, texts = pd.factorize(values.cat.categories.astype(str))
        codes = of_label[codes]
    else:
        codes, texts = pd.factorize(values.astype(str))
    found, first = np.unique(codes, return_index=True)
    return first, [str(t) for t in np.asarray(texts, dtype=object)[found]]


_CONTENT = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]


def _new_rows(rows: pd.DataFrame, earlier: list[pd.DataFrame], rubric: Rubric) -> tuple[pd.DataFrame, int, np.ndarray]:
    """The rows not stored before, how many were, and which of the new ones (a mask over them) give
    a stored single-row result another value: corrections, for ``_replaced_findings`` to judge."""
    if not earlier or rows.empty:
        return rows, 0, np.zeros(len(rows), dtype=bool)
    stored = pd.concat(earlier, ignore_index=True)
    new = rows.copy()
    new_text = new[_CONTENT].astype(str)
    old_text = stored[_CONTENT].astype(str)
    # the n-th copy of a row matches the n-th stored copy: a deduction found twice stays twice
    new_text["_n"] = new_text.groupby(_CONTENT, sort=False).cumcount()
    old_text["_n"] = old_text.groupby(_CONTENT, sort=False).cumcount()
    seen = new_text.merge(old_text.drop_duplicates(), on=[*_CONTENT, "_n"], how="left", indicator=True)["_merge"]
    repeated = (seen == "both").to_numpy()
    fresh = new[~repeated]
    single = set(rubric.checks.loc[rubric.checks["method"].isin(SINGLE_ROW_METHODS), "check_id"])
    key = ["period", "unit_id", "check_id"]
    was = pd.MultiIndex.from_frame(old_text.drop_duplicates(key)[key])
    clash = fresh["check_id"].astype(str).isin(single).to_numpy() & pd.MultiIndex.from_frame(
        fresh[key].astype(str)
    ).isin(was)
    return fresh, int(repeated.sum()), clash


def _replaced_findings(db: sqlite3.Connection, changed: pd.DataFrame, stored: pd.DataFrame, user: User) -> pd.Series:
    """The stored findings that ``changed`` rows correct (their ids, by the changed rows' index), if
    the importing account imported every one of them; otherwise the rows are refused, naming the
    stored value, the file's and who imported the stored one."""
    if changed.empty:
        return pd.Series([], dtype="int64")
    key = ["period", "unit_id", "check_id"]
    old = stored.astype({k: str for k in key}).drop_duplicates(key).set_index(key)
    at = pd.MultiIndex.from_frame(changed[key].astype(str))
    ids = old["finding_id"].reindex(at).astype("int64").set_axis(changed.index)
    found = ", ".join("?" * len(ids))
    by = {r[0]: (r[1], r[2]) for r in db.execute(f"SELECT f.id, b.imported_by, b.imported_at FROM finding f"
                                                 f" JOIN batch b ON b.id = f.batch_id WHERE f.id IN ({found})",
                                                 [int(i) for i in ids]).fetchall()}  # fmt: skip
    issues = []
    for i, r in changed.astype({c: str for c in [*key, "value", "_file", "_sheet"]}).iterrows():
        who, when = by[int(ids[i])]
        if who == user.name:
            continue
        before = old.loc[(r["period"], r["unit_id"], r["check_id"]), "value"]
        issues.append(Issue(
            code="changed-result", file=r["_file"], sheet=r["_sheet"] or None, row=int(r["_row"]), column="结果",
            value=r["value"],
            message=f"期次 {r['period']} 单位 {r['unit_id']} 测评点 {r['check_id']} 已存结果为 “{before}”,"
                    f"此文件为 “{r['value']}”;该结果由 {who} 于 {when[:16].replace('T', ' ')}(UTC)导入,"
                    f"只能由导入者本人在草稿阶段重新上传更正,反馈后请通过申诉复核更正",
        ))  # fmt: skip
    if issues:
        raise InputError(issues)
    return ids


def _supersede(store: Store, old_ids: pd.Series, mine: pd.DataFrame, new_ids: np.ndarray, stored: pd.DataFrame,
               actor: str) -> None:  # fmt: skip
    """A file's corrections recorded as corrections on appeal are (without an appeal): the new
    finding supersedes the old, which stays; each one audited with both values."""
    here = old_ids.index.intersection(mine.index)
    if here.empty:
        return
    new_of = pd.Series(new_ids, index=mine.index)
    pairs = [(int(old_ids[i]), int(new_of[i])) for i in here]
    store.db.executemany("INSERT INTO supersession(old_finding_id, new_finding_id, appeal_id) VALUES (?,?,NULL)", pairs)
    before = stored.set_index("finding_id")["value"]
    for i, (old, new) in zip(here, pairs, strict=True):
        r = mine.loc[i]
        store.audit(actor, "finding.replace", f"{r['period']}/{r['unit_id']}/{r['check_id']}",
                    f"finding {old} -> {new}: {before[old]} -> {r['value']}")  # fmt: skip


def round_info(store: Store, period: str) -> dict[str, object]:
    r = store.db.execute(
        """SELECT r.id, r.period, r.status, v.rubric_id, v.version,
                  (SELECT MAX(revision) FROM snapshot s WHERE s.round_id = r.id) AS revision
           FROM round r JOIN rubric_version v ON v.id = r.rubric_version_id WHERE r.period = ?""",
        (period,),
    ).fetchone()
    if r is None:
        raise _fail("unknown-round", f"没有期次 {period} 的测评轮次")
    return dict(r)


def rounds_table(store: Store) -> pd.DataFrame:
    rows = store.db.execute(
        """SELECT r.period, r.status, v.rubric_id, v.version AS rubric_version,
                  (SELECT COUNT(DISTINCT batch_id) FROM finding f WHERE f.round_id = r.id) AS batches,
                  (SELECT COUNT(*) FROM finding f WHERE f.round_id = r.id) AS findings,
                  (SELECT COUNT(*) FROM appeal a WHERE a.round_id = r.id
                     AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.appeal_id = a.id)) AS open_appeals,
                  (SELECT MAX(revision) FROM snapshot s WHERE s.round_id = r.id) AS revision
           FROM round r JOIN rubric_version v ON v.id = r.rubric_version_id ORDER BY r.period"""
    ).fetchall()
    cols = ["period", "status", "rubric_id", "rubric_version", "batches", "findings", "open_appeals", "revision"]
    out = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    out["revision"] = out["revision"].astype("Int64")
    return out


def _next_states(status: str) -> str:
    allowed = [STATUS_NAMES[b] for a, b in sorted(TRANSITIONS) if a == status]
    if status == "appeal":
        allowed.append(STATUS_NAMES["published"] + "(发布)")
    return "、".join(allowed) or "无"


def _round_row(db: sqlite3.Connection, period: str) -> sqlite3.Row:
    r = db.execute(
        "SELECT r.id, r.status, (SELECT MAX(revision) FROM snapshot s WHERE s.round_id = r.id) AS revision"
        " FROM round r WHERE r.period = ?", (period,)).fetchone()  # fmt: skip
    if r is None:
        raise _fail("unknown-round", f"没有期次 {period} 的测评轮次")
    return r


def set_status(store: Store, period: str, status: str, user: User, reason: str = "") -> None:
    """Move a round along draft → feedback → appeal (and back one step), or reopen a published
    round with a reason; a skip is refused, naming the states the round may move to."""
    authorize(store, user, "set_status", period)
    with store.transaction() as db:
        info = _round_row(db, period)  # read under the write lock: another change may have come first
        move = (str(info["status"]), status)
        if move not in TRANSITIONS:
            raise _fail("bad-transition", f"期次 {period} 不能从「{STATUS_NAMES[move[0]]}」转为"
                        f"「{STATUS_NAMES.get(status, status)}」;可转为:{_next_states(move[0])}")  # fmt: skip
        if move[0] == "published" and not reason.strip():
            raise _fail("reason-required", f"期次 {period} 已发布;重新开放须说明理由(--reason),修改后将发布新的版本")
        db.execute("UPDATE round SET status = ? WHERE id = ?", (status, info["id"]))
        store.audit(user.name, "round.status", period,
                    f"{move[0]} -> {status}" + (f";理由:{reason}" if reason else ""))  # fmt: skip


def _check_in_round(store: Store, period: str, unit_id: str, check_id: str) -> tuple[dict, Rubric]:
    r, rubric, roster = _round_inputs(store, period)
    pairs = rubric.applicability(roster)
    if not ((pairs["unit_id"] == unit_id) & (pairs["check_id"] == check_id)).any():
        raise _fail("not-applicable", f"期次 {period} 中测评点 {check_id} 不适用于单位 {unit_id}(或编码不存在)")
    return dict(r), rubric
