"""A round's life in the store: import → feedback → appeal window → published, and verify.

Every function takes the person acting (``actor``) and leaves an audit entry. User mistakes
raise :class:`InputError` with located issues, and nothing is written.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from scoring.engine import Scores, score_findings
from scoring.errors import InputError, Issue
from scoring.output import csv_text, score_tables_as_text
from scoring.pipeline import Assessment, FileLike, as_input, as_rubric, read_results
from scoring.pipeline import read_roster as read_roster_file
from scoring.rubric.load import Rubric, parse_rubric
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.evidence import check_evidence, insert_evidence
from scoring.store.users import User
from scoring.tables import InputFile, SourceInfo, as_text
from scoring.validate import Findings, validate_results

__all__ = [
    "STATUS_NAMES",
    "ImportResult",
    "VerifyResult",
    "all_rounds",
    "appeals_table",
    "combine_rounds",
    "decide_appeal",
    "file_appeal",
    "findings_frame",
    "import_results",
    "load_round",
    "publish",
    "published_assessment",
    "revision_digest",
    "revision_digests",
    "round_assessment",
    "round_info",
    "rounds_table",
    "set_status",
    "snapshot_stamp",
    "verify",
]

STATUS_NAMES = {"draft": "草稿", "feedback": "反馈", "appeal": "申诉复核", "published": "已发布"}
# allowed moves of a round's status (publishing has its own function)
TRANSITIONS = {  # publishing (appeal -> published) has its own function
    ("draft", "feedback"),
    ("feedback", "draft"),
    ("feedback", "appeal"),
    ("appeal", "feedback"),
    ("published", "appeal"),  # reopening a published round: needs a reason, ends in a new revision
}
RAW_COLUMNS = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]


def _fail(code: str, message: str, **where: object) -> InputError:
    return InputError([Issue(code=code, message=message, **where)])  # type: ignore[arg-type]


@dataclass(frozen=True)
class ImportResult:
    batches: list[int]
    rows: int
    periods: list[str]
    sources: list[SourceInfo] = field(default_factory=list)


@dataclass(frozen=True)
class VerifyResult:
    snapshots: int
    rows_compared: int
    differences: list[str]
    files_checked: int = 0


def _rubric_version(store: Store, rubric: Rubric, actor: str) -> int:
    row = store.db.execute("SELECT id FROM rubric_version WHERE sha256 = ?", (rubric.sha256,)).fetchone()
    if row:
        return int(row["id"])
    cur = store.db.execute(
        "INSERT INTO rubric_version(rubric_id, version, sha256, path, text, loaded_at, loaded_by) VALUES (?,?,?,?,?,?,?)",
        (rubric.id, rubric.spec.version, rubric.sha256, rubric.path, rubric.text, now(), actor),
    )
    return int(cur.lastrowid)


def _roster_version(store: Store, roster: pd.DataFrame, actor: str) -> int:
    src = roster.attrs["source"]
    row = store.db.execute("SELECT id FROM roster_version WHERE sha256 = ?", (src.sha256,)).fetchone()
    if row:
        return int(row["id"])
    cur = store.db.execute(
        "INSERT INTO roster_version(sha256, path, loaded_at, loaded_by) VALUES (?,?,?,?)",
        (src.sha256, src.path, now(), actor),
    )
    rid = int(cur.lastrowid)
    store.db.executemany(
        "INSERT INTO roster_unit(roster_id, unit_id, name, grp) VALUES (?,?,?,?)",
        [(rid, u, n, g) for u, n, g in zip(roster["unit_id"], roster["name"], roster["group"], strict=True)],
    )
    return rid


def findings_frame(store: Store, round_id: int, as_of: int | None = None) -> pd.DataFrame:
    """The round's current findings (as of a finding id), in the shape the validator reads."""
    limit = as_of if as_of is not None else 2**62
    rows = store.db.execute(
        """
        SELECT r.period, f.unit_id, f.check_id, f.value, f.evidence, f.note, f.evaluator, f.checked_at,
               b.file_name AS _file, f.sheet AS _sheet, f.row_no AS _row, f.id AS finding_id
        FROM finding f JOIN batch b ON b.id = f.batch_id JOIN round r ON r.id = f.round_id
        WHERE f.round_id = ? AND f.id <= ?
          AND NOT EXISTS (SELECT 1 FROM supersession s WHERE s.old_finding_id = f.id AND s.new_finding_id <= ?)
        ORDER BY f.id
        """,
        (round_id, limit, limit),
    ).fetchall()
    cols = [*RAW_COLUMNS, "_file", "_sheet", "_row", "finding_id"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    frame["_row"] = frame["_row"].astype("int64")
    return frame


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
        "SELECT unit_id, name, grp AS 'group' FROM roster_unit WHERE roster_id = ? ORDER BY rowid", (r["roster_id"],)
    ).fetchall()
    roster = pd.DataFrame([tuple(u) for u in units], columns=["unit_id", "name", "group"])
    return r, rubric, roster


def round_assessment(store: Store, period: str, *, as_of: int | None = None, allow_missing: bool = True) -> Assessment:
    """Score one round from what the store holds (optionally as it stood at a finding id)."""
    r, rubric, roster = _round_inputs(store, period)
    rows = findings_frame(store, r["id"], as_of)
    findings = validate_results(rubric, roster, rows.drop(columns="finding_id"), allow_missing=allow_missing)
    return Assessment(rubric, roster, findings, score_findings(rubric, roster, findings), [])


def import_results(
    store: Store, rubric: FileLike | Rubric, units: FileLike, results: list[FileLike], user: User
) -> ImportResult:
    """Store result files as batches, whole or not at all; a file seen before is refused.

    The rows are validated with the round's earlier batches inside the write transaction
    (BEGIN IMMEDIATE), so two imports at once take turns and the second is checked against what
    the first stored: overlapping rows are refused as duplicates, never both kept.
    """
    rub = as_rubric(rubric)
    roster = read_roster_file(units, rub)
    raw = read_results(results)
    names = "、".join(s.path for s in raw.sources) or "-"
    authorize(store, user, "import", names)
    if raw.issues:
        raise InputError(raw.issues)
    inputs = [as_input(f) for f in results]
    periods = sorted(set(raw.rows["period"]))
    with store.transaction() as db:
        issues: list[Issue] = []
        for f in inputs:
            seen = db.execute("SELECT id, file_name, imported_at, imported_by FROM batch WHERE sha256 = ?",
                              (f.sha256,)).fetchone()  # fmt: skip
            if seen:
                issues.append(Issue(
                    code="duplicate-batch", file=f.name,
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
        earlier = [findings_frame(store, rid).drop(columns="finding_id") for rid in existing.values()]
        combined = pd.concat([*earlier, raw.rows], ignore_index=True)
        validate_results(rub, roster, combined, allow_missing=True)

        actor = user.name
        rv = _rubric_version(store, rub, actor)
        sv = _roster_version(store, roster, actor)
        round_ids = dict(existing)
        for p in periods:
            if p not in round_ids:
                cur = db.execute(
                    "INSERT INTO round(period, rubric_version_id, roster_id, status, created_at, created_by)"
                    " VALUES (?,?,?,'draft',?,?)",
                    (p, rv, sv, now(), actor),
                )
                round_ids[p] = int(cur.lastrowid)
                store.audit(actor, "round.create", p, f"rubric {rub.id} {rub.spec.version}")
        batch_ids = []
        for f in inputs:
            rows = raw.rows[raw.rows["_file"] == f.name]
            cur = db.execute(
                "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by) VALUES (?,?,?,?,?)",
                (f.name, f.sha256, len(rows), now(), actor),
            )
            bid = int(cur.lastrowid)
            batch_ids.append(bid)
            values = as_text(rows["value"])
            db.executemany(
                "INSERT INTO finding(batch_id, round_id, sheet, row_no, unit_id, check_id, value, evidence, note,"
                " evaluator, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                zip(
                    [bid] * len(rows), rows["period"].map(round_ids), rows["_sheet"], rows["_row"].astype(int),
                    rows["unit_id"], rows["check_id"], values, rows["evidence"], rows["note"], rows["evaluator"],
                    rows["checked_at"], strict=True,
                ),
            )  # fmt: skip
            store.audit(actor, "batch.import", f.name, f"batch {bid}, {len(rows)} rows, sha256 {f.sha256}")
    return ImportResult(batches=batch_ids, rows=len(raw.rows), periods=periods, sources=raw.sources)


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


def file_appeal(
    store: Store,
    period: str,
    unit_id: str,
    check_id: str,
    reason: str,
    proof: str,
    user: User,
    files: Sequence[InputFile] = (),
) -> int:
    """A unit's appeal against its own result for one check, during feedback or the appeal window.

    ``files`` are proof files (screenshots, documents); they are stored as evidence files named
    "申诉<period>-<unit>-<check>-<own name>", cited in the proof, together with the appeal or not at all.
    """
    authorize(store, user, "file_appeal", f"{period}/{unit_id}/{check_id}", unit_id=unit_id)
    _check_in_round(store, period, unit_id, check_id)
    with store.transaction() as db:
        r = _round_row(db, period)
        issues = []
        if r["status"] not in ("feedback", "appeal"):
            issues.append(Issue(code="appeal-closed",
                                message=f"期次 {period} 处于「{STATUS_NAMES[r['status']]}」阶段,不受理申诉"))  # fmt: skip
        if not reason.strip():
            issues.append(Issue(code="reason-required", message="申诉须写明理由"))
        new, already, file_issues = check_evidence(store, list(files), f"申诉{period}-{unit_id}-{check_id}-")
        if issues or file_issues:
            raise InputError(issues + file_issues)
        cited = [n for n, _ in new] + already
        proof = " | ".join([p for p in [proof.strip()] if p] + cited)
        insert_evidence(store, new, user.name)
        cur = db.execute(
            "INSERT INTO appeal(round_id, unit_id, check_id, reason, proof, filed_at, filed_by) VALUES (?,?,?,?,?,?,?)",
            (r["id"], unit_id, check_id, reason, proof, now(), user.name),
        )
        aid = int(cur.lastrowid)
        store.audit(user.name, "appeal.file", f"{period}/{unit_id}/{check_id}", f"appeal {aid}: {reason}")
    return aid


def decide_appeal(
    store: Store, appeal_id: int, outcome: str, reason: str, user: User, new_value: str | None = None
) -> None:
    """Uphold the finding, or correct it: a new finding supersedes the old ones, which are kept."""
    authorize(store, user, "decide_appeal", f"appeal {appeal_id}")
    if outcome not in ("upheld", "corrected") or not reason.strip():
        raise _fail("decision-invalid", "复核结论须为维持(upheld)或更正(corrected),并写明理由")
    if outcome == "corrected" and (new_value is None or not str(new_value).strip()):
        raise _fail("decision-invalid", "更正须给出新的测评结果(--correct 值)")
    actor = user.name
    with store.transaction() as db:
        a = db.execute(
            """SELECT a.*, r.period, r.status, d.outcome FROM appeal a JOIN round r ON r.id = a.round_id
               LEFT JOIN decision d ON d.appeal_id = a.id WHERE a.id = ?""",
            (appeal_id,),
        ).fetchone()
        if a is None:
            raise _fail("unknown-appeal", f"没有编号为 {appeal_id} 的申诉")
        if a["outcome"] is not None:
            raise _fail("appeal-decided", f"申诉 {appeal_id} 已复核(结论:{a['outcome']});复核结论不能更改")
        if a["status"] != "appeal":
            raise _fail("appeal-closed",
                        f"期次 {a['period']} 处于「{STATUS_NAMES[a['status']]}」阶段;复核须在申诉复核阶段进行")  # fmt: skip
        current = findings_frame(store, a["round_id"])
        old = current[(current["unit_id"] == a["unit_id"]) & (current["check_id"] == a["check_id"])]
        new_value_text = None
        if outcome == "corrected":
            _, rubric, roster = _round_inputs(store, a["period"])
            label = f"复核更正(申诉 {appeal_id})"
            replacement = pd.DataFrame([{
                "period": a["period"], "unit_id": a["unit_id"], "check_id": a["check_id"], "value": str(new_value),
                "evidence": f"{label}:{reason}", "note": "", "evaluator": actor, "checked_at": now()[:10],
                "_file": label, "_sheet": "", "_row": 1,
            }])  # fmt: skip
            rest = current.drop(index=old.index).drop(columns="finding_id")
            validate_results(rubric, roster, pd.concat([rest, replacement], ignore_index=True), allow_missing=True)
            digest = hashlib.sha256(f"appeal:{appeal_id}".encode()).hexdigest()
            bid = int(db.execute(
                "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by) VALUES (?,?,1,?,?)",
                (label, digest, now(), actor),
            ).lastrowid)  # fmt: skip
            row = replacement.iloc[0]
            new_id = int(db.execute(
                "INSERT INTO finding(batch_id, round_id, sheet, row_no, unit_id, check_id, value, evidence, note,"
                " evaluator, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (bid, a["round_id"], "", 1, row["unit_id"], row["check_id"], row["value"], row["evidence"], "",
                 actor, row["checked_at"]),
            ).lastrowid)  # fmt: skip
            db.executemany(
                "INSERT INTO supersession(old_finding_id, new_finding_id, appeal_id) VALUES (?,?,?)",
                [(int(fid), new_id, appeal_id) for fid in old["finding_id"]],
            )
            new_value_text = str(new_value)
        db.execute(
            "INSERT INTO decision(appeal_id, outcome, new_value, reason, decided_at, decided_by) VALUES (?,?,?,?,?,?)",
            (appeal_id, outcome, new_value_text, reason, now(), actor),
        )
        store.audit(actor, f"appeal.{outcome}", f"{a['period']}/{a['unit_id']}/{a['check_id']}",
                    f"appeal {appeal_id}: {reason}" + (f";更正为 {new_value_text}" if new_value_text else ""))  # fmt: skip


def appeals_table(store: Store, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    sql = """SELECT a.id, r.period, a.unit_id, a.check_id, a.reason, a.proof, a.filed_by, a.filed_at,
                    COALESCE(d.outcome, 'open') AS outcome, d.new_value, d.reason AS decision_reason,
                    d.decided_by, d.decided_at
             FROM appeal a JOIN round r ON r.id = a.round_id LEFT JOIN decision d ON d.appeal_id = a.id
             WHERE (? IS NULL OR r.period = ?) AND (? IS NULL OR a.unit_id = ?) ORDER BY a.id"""
    rows = store.db.execute(sql, (period, period, unit_id, unit_id)).fetchall()
    cols = ["id", "period", "unit_id", "check_id", "reason", "proof", "filed_by", "filed_at", "outcome", "new_value",
            "decision_reason", "decided_by", "decided_at"]  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _table_lines(scores: Scores, decimals: int) -> dict[str, list[str]]:
    """The three score tables as CSV lines: what is frozen and later compared, to the character."""
    tables = score_tables_as_text(scores, decimals).values()
    return {
        key: csv_text(table).split("\n")[:-1] for key, table in zip(("unit", "dimension", "check"), tables, strict=True)
    }


def _roster_text(store: Store, roster_id: int) -> str:
    rows = store.db.execute("SELECT unit_id, name, grp FROM roster_unit WHERE roster_id = ? ORDER BY rowid",
                            (roster_id,)).fetchall()  # fmt: skip
    return "".join(f"{u}\t{n}\t{g}\n" for u, n, g in rows)


def revision_digest(store: Store, period: str, revision: int, previous: str,
                    lines: dict[str, list[str]] | None = None) -> str:  # fmt: skip
    """sha256 over what a published revision stands on and shows: the rubric text, the roster,
    the findings as they stood at publication (superseded ones left out, ids kept), the three
    score tables, and the previous revision's digest. Recomputed from the store's contents, it
    differs from a copy held outside whenever any of these was rewritten since."""
    snap = store.db.execute(
        """SELECT s.max_finding_id, r.id AS round_id, r.roster_id, v.text FROM snapshot s
           JOIN round r ON r.id = s.round_id JOIN rubric_version v ON v.id = r.rubric_version_id
           WHERE r.period = ? AND s.revision = ?""", (period, revision)).fetchone()  # fmt: skip
    return _digest(store, period, revision, snap, previous, lines)


def _digest(store: Store, period: str, revision: int, snap: sqlite3.Row | dict, previous: str,
            lines: dict[str, list[str]] | None) -> str:  # fmt: skip
    if lines is None:
        result = round_assessment(store, period, as_of=int(snap["max_finding_id"]), allow_missing=True)
        lines = _table_lines(result.scores, result.rubric.spec.rounding.decimals)
    findings = findings_frame(store, int(snap["round_id"]), int(snap["max_finding_id"]))
    h = hashlib.sha256()
    for part in (
        f"assess revision digest 1\n{period}\n{revision}\n{previous}\n",
        snap["text"],
        _roster_text(store, int(snap["roster_id"])),
        findings.to_csv(index=False, lineterminator="\n"),
        *("\n".join(lines[t]) for t in ("unit", "dimension", "check")),
    ):
        h.update(hashlib.sha256(part.encode("utf-8")).digest())
    return h.hexdigest()


def publish(store: Store, period: str, user: User, reason: str = "", *, allow_missing: bool = False) -> int:
    """Freeze the round's scores as a snapshot (revision 1, or a new revision with a reason),
    with a digest chained to the previous revision's; only from the appeal window."""
    authorize(store, user, "publish", period)
    with store.transaction() as db:
        info = _round_row(db, period)
        if info["status"] != "appeal":
            if info["status"] == "published":
                raise _fail("already-published",
                            f"期次 {period} 已发布(第 {info['revision']} 版);修改须先重新开放并说明理由")  # fmt: skip
            raise _fail("bad-transition", f"期次 {period} 处于「{STATUS_NAMES[info['status']]}」阶段,不能直接发布:"
                        "发布前须经过反馈和申诉复核阶段;当前可转为:" + _next_states(info["status"]))  # fmt: skip
        revision = int(info["revision"] or 0) + 1
        if revision > 1 and not reason.strip():
            raise _fail("reason-required", f"期次 {period} 已发布过;发布第 {revision} 版须说明理由")
        # a published result must already answer every appeal: once published, none can be decided
        undecided = [int(r[0]) for r in db.execute(
            """SELECT a.id FROM appeal a LEFT JOIN decision d ON d.appeal_id = a.id
               WHERE a.round_id = ? AND d.appeal_id IS NULL ORDER BY a.id""", (info["id"],)).fetchall()]  # fmt: skip
        if undecided:
            ids = "、".join(str(i) for i in undecided)
            raise _fail("appeals-open", f"期次 {period} 还有 {len(undecided)} 个申诉未复核(编号 {ids});请先复核,再发布")
        result = round_assessment(store, period, allow_missing=allow_missing)
        max_id = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM finding WHERE round_id = ?",
                                (info["id"],)).fetchone()[0])  # fmt: skip
        lines = _table_lines(result.scores, result.rubric.spec.rounding.decimals)
        sid = int(db.execute(
            "INSERT INTO snapshot(round_id, revision, max_finding_id, reason, created_at, created_by)"
            " VALUES (?,?,?,?,?,?)",
            (info["id"], revision, max_id, reason or "首次发布", now(), user.name),
        ).lastrowid)  # fmt: skip
        for tbl, tlines in lines.items():
            db.executemany(
                "INSERT INTO snapshot_row(snapshot_id, tbl, seq, line) VALUES (?,?,?,?)",
                [(sid, tbl, i, line) for i, line in enumerate(tlines)],
            )
        previous = _stored_digest(store, period, revision - 1) if revision > 1 else ""
        snap = {"max_finding_id": max_id, "round_id": info["id"], "roster_id": result_roster_id(db, info["id"]),
                "text": result.rubric.text}  # fmt: skip
        digest = _digest(store, period, revision, snap, previous or "", lines)
        db.execute("INSERT INTO snapshot_digest(snapshot_id, digest, previous) VALUES (?,?,?)",
                   (sid, digest, previous or ""))  # fmt: skip
        db.execute("UPDATE round SET status = 'published' WHERE id = ?", (info["id"],))
        store.audit(user.name, "round.publish", period,
                    f"revision {revision};摘要 {digest}" + (f";理由:{reason}" if reason else ""))  # fmt: skip
    return revision


def result_roster_id(db: sqlite3.Connection, round_id: int) -> int:
    return int(db.execute("SELECT roster_id FROM round WHERE id = ?", (round_id,)).fetchone()[0])


def _stored_digest(store: Store, period: str, revision: int) -> str | None:
    row = store.db.execute(
        """SELECT d.digest FROM snapshot_digest d JOIN snapshot s ON s.id = d.snapshot_id
           JOIN round r ON r.id = s.round_id WHERE r.period = ? AND s.revision = ?""", (period, revision)).fetchone()  # fmt: skip
    return row[0] if row else None


def revision_digests(store: Store, period: str | None = None) -> pd.DataFrame:
    """Each published revision's stored digest: what publish printed and the circular carries."""
    rows = store.db.execute(
        """SELECT r.period, s.revision, d.digest, d.previous, s.created_at FROM snapshot s
           JOIN round r ON r.id = s.round_id LEFT JOIN snapshot_digest d ON d.snapshot_id = s.id
           WHERE (? IS NULL OR r.period = ?) ORDER BY r.period, s.revision""", (period, period)).fetchall()  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows], columns=["period", "revision", "digest", "previous", "created_at"])


def published_assessment(store: Store, period: str, revision: int | None = None) -> tuple[Assessment, int]:
    """A published round exactly as frozen (the latest revision unless one is asked for)."""
    info = round_info(store, period)
    snap = store.db.execute(
        "SELECT revision, max_finding_id FROM snapshot WHERE round_id = ? AND (? IS NULL OR revision = ?)"
        " ORDER BY revision DESC LIMIT 1",
        (info["id"], revision, revision),
    ).fetchone()
    if snap is None:
        raise _fail("not-published", f"期次 {period} 尚未发布" + (f"第 {revision} 版" if revision else ""))
    return round_assessment(store, period, as_of=int(snap["max_finding_id"])), int(snap["revision"])


# audit actions and the insert-only rows each one leaves: fewer rows than entries means rows were deleted
_AUDITED_ROWS = {
    "batch.import": ("batch", "SELECT COUNT(*) FROM batch WHERE file_name NOT LIKE '复核更正%'"),
    "round.publish": ("snapshot", "SELECT COUNT(*) FROM snapshot"),
    "appeal.file": ("appeal", "SELECT COUNT(*) FROM appeal"),
    "appeal.%": ("decision", "SELECT COUNT(*) FROM decision"),
}


def verify(store: Store, period: str | None = None, digest: str | None = None,
           revision: int | None = None) -> VerifyResult:  # fmt: skip
    """Recompute every published snapshot from the stored rubric, roster and findings; compare the
    tables line by line and the digest chain; check that nothing insert-only has gone missing.
    With ``digest`` (a copy held outside the store), the revision (``period``, latest unless
    ``revision``) must recompute to exactly it."""
    snaps = store.db.execute(
        """SELECT s.id, s.revision, s.max_finding_id, r.period, r.id AS round_id, r.roster_id, v.text,
                  d.digest, d.previous
           FROM snapshot s JOIN round r ON r.id = s.round_id JOIN rubric_version v ON v.id = r.rubric_version_id
           LEFT JOIN snapshot_digest d ON d.snapshot_id = s.id
           WHERE (? IS NULL OR r.period = ?) ORDER BY r.period, s.revision""",
        (period, period),
    ).fetchall()
    compared, diffs = 0, []
    recomputed: dict[tuple[str, int], str] = {}
    for s in snaps:
        where = f"期次 {s['period']} 第 {s['revision']} 版"
        try:
            result = round_assessment(store, s["period"], as_of=int(s["max_finding_id"]), allow_missing=True)
        except InputError as exc:  # the stored findings no longer make a valid round: rows were removed
            diffs.append(f"{where}:存储的测评结果已无法重算({exc.issues[0].message})")
            continue
        fresh = _table_lines(result.scores, result.rubric.spec.rounding.decimals)
        for tbl, lines in fresh.items():
            stored = [r[0] for r in store.db.execute(
                "SELECT line FROM snapshot_row WHERE snapshot_id = ? AND tbl = ? ORDER BY seq", (s["id"], tbl))]  # fmt: skip
            compared += max(len(stored), len(lines))
            if len(stored) != len(lines):
                diffs.append(f"{where} {tbl}:行数不同(存档 {len(stored)},重算 {len(lines)})")
            for i, (a, b) in enumerate(zip(stored, lines, strict=False)):
                if a != b:
                    diffs.append(f"{where} {tbl} 第 {i + 1} 行:存档「{a}」≠ 重算「{b}」")
        previous = recomputed.get((s["period"], s["revision"] - 1), "")
        again = _digest(store, s["period"], int(s["revision"]), s, previous, fresh)
        recomputed[(s["period"], int(s["revision"]))] = again
        if s["digest"] is None:
            diffs.append(f"{where}:没有发布摘要")
        elif s["digest"] != again or s["previous"] != previous:
            diffs.append(f"{where}:发布摘要与重算不符(存档 {s['digest']},重算 {again})")
    diffs += _structure_problems(store, period)
    if digest is not None:
        diffs += _against_copy(store, period, revision, digest.strip().lower(), recomputed)
    # evidence files are what the findings cite: each must still be the file that was stored
    files = 0
    for f in store.db.execute("SELECT name, sha256, content FROM evidence_file ORDER BY id"):
        files += 1
        if hashlib.sha256(bytes(f["content"])).hexdigest() != f["sha256"]:
            diffs.append(f"佐证文件 {f['name']}:内容与保存时的 sha256 不符")
    return VerifyResult(snapshots=len(snaps), rows_compared=compared, differences=diffs, files_checked=files)


def _structure_problems(store: Store, period: str | None) -> list[str]:
    """What self-consistency of the snapshots cannot show: a published round without its snapshot,
    a gap in revisions, batches missing findings, and fewer insert-only rows than the audit log
    records writing."""
    out = []
    for r in store.db.execute(
        """SELECT r.period, r.status, GROUP_CONCAT(s.revision) AS revisions FROM round r
           LEFT JOIN (SELECT round_id, revision FROM snapshot ORDER BY revision) s ON s.round_id = r.id
           WHERE (? IS NULL OR r.period = ?) GROUP BY r.id ORDER BY r.period""", (period, period)):  # fmt: skip
        revisions = sorted(int(x) for x in (r["revisions"] or "").split(",") if x)
        if r["status"] == "published" and not revisions:
            out.append(f"期次 {r['period']} 标记为已发布,但没有任何发布版本")
        if revisions != list(range(1, len(revisions) + 1)):
            out.append(f"期次 {r['period']} 的发布版本不连续:{'、'.join(map(str, revisions))}")
    for b in store.db.execute(
        "SELECT b.id, b.file_name, b.rows, (SELECT COUNT(*) FROM finding f WHERE f.batch_id = b.id) AS n FROM batch b"
    ):
        if b["n"] != b["rows"]:
            out.append(f"批次 {b['id']}({b['file_name']})应有 {b['rows']} 条测评结果,现有 {b['n']} 条")
    for action, (table, sql) in _AUDITED_ROWS.items():
        logged = store.db.execute(
            "SELECT COUNT(*) FROM audit WHERE action LIKE ? AND action NOT LIKE 'appeal.file'"
            if action == "appeal.%" else "SELECT COUNT(*) FROM audit WHERE action = ?", (action,)).fetchone()[0]  # fmt: skip
        rows = store.db.execute(sql).fetchone()[0]
        if rows < logged:
            out.append(f"表 {table} 只有 {rows} 行,少于操作日志记录的 {logged} 次写入:有记录被删除")
    return out


def _against_copy(store: Store, period: str | None, revision: int | None, digest: str,
                  recomputed: dict[tuple[str, int], str]) -> list[str]:  # fmt: skip
    if period is None:
        hits = [k for k, v in recomputed.items() if v == digest]
        return [] if hits else [f"没有任何已发布版本重算出摘要 {digest}:存档自发布以来已被改动,或摘要抄录有误"]
    wanted = revision or max((r for p, r in recomputed if p == period), default=0)
    again = recomputed.get((period, wanted))
    if again is None:
        return [f"期次 {period} 没有第 {wanted} 版"]
    if again != digest:
        return [f"期次 {period} 第 {wanted} 版重算的摘要为 {again},与所给的 {digest} 不符:发布以来存档已被改动"]
    return []


def load_round(store: Store, period: str, revision: int | None) -> Assessment:
    """A published revision as frozen, or (``revision`` None) the round's preliminary scores."""
    if revision is None:
        return round_assessment(store, period, allow_missing=True)
    return published_assessment(store, period, revision)[0]


def snapshot_stamp(store: Store, period: str, revision: int) -> str:
    """When a revision was frozen: with the period and revision, a key no later store repeats."""
    row = store.db.execute(
        "SELECT s.id, s.created_at FROM snapshot s JOIN round r ON r.id = s.round_id WHERE r.period = ? AND s.revision = ?",
        (period, revision),
    ).fetchone()
    return f"{row[0]}@{row[1]}" if row else ""


def all_rounds(
    store: Store, load: Callable[[Store, str, int | None], Assessment] = load_round
) -> tuple[Assessment | None, list[tuple[str, str, int | None]]]:
    """Every round in one view: published rounds as frozen, the others as preliminary scores.

    Returns the combined assessment (rubric and roster of the latest round) and, per round,
    (period, status, published revision or None). ``load`` gets each round (``load_round`` by
    default); the app passes one that serves frozen revisions from a cache, since they never change.
    The check tables are joined only when something asks for them.
    """
    table = rounds_table(store)
    if table.empty:
        return None, []
    rounds = [(r.period, r.status, int(r.revision) if r.status == "published" else None) for r in table.itertuples()]
    parts = [load(store, period, revision) for period, _, revision in rounds]
    return combine_rounds(parts), rounds


def combine_rounds(parts: list[Assessment]) -> Assessment:
    """Rounds side by side as one assessment, in the given order, with the rubric and roster of the
    last; the check tables are joined only when something asks for them."""
    latest = parts[-1]
    scores = Scores(
        units=pd.concat([p.scores.units for p in parts], ignore_index=True),
        dimensions=pd.concat([p.scores.dimensions for p in parts], ignore_index=True),
        checks=lambda: pd.concat([p.scores.checks for p in parts], ignore_index=True),
        periods=[period for p in parts for period in p.scores.periods],
    )
    findings = Findings(rows=pd.concat([p.findings.rows for p in parts], ignore_index=True), periods=scores.periods)
    return Assessment(latest.rubric, latest.roster, findings, scores, [])
