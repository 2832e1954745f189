"""Appeals (申诉) and their review (复核): a unit files one against its own result; an evaluator
upholds it or corrects the finding, which is superseded, never edited."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

from scoring.errors import InputError, Issue
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.evidence import check_evidence, insert_evidence
from scoring.store.findings import findings_frame, insert_findings
from scoring.store.rounds import STATUS_NAMES, _check_in_round, _fail, _round_inputs, _round_row
from scoring.store.users import User
from scoring.tables import InputFile
from scoring.validate import validate_results

__all__ = ["appeals_table", "decide_appeal", "file_appeal"]


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
        aid = store.insert_returning_id(
            "INSERT INTO appeal(round_id, unit_id, check_id, reason, proof, filed_at, filed_by) VALUES (?,?,?,?,?,?,?)",
            (r["id"], unit_id, check_id, reason, proof, now(), user.name),
        )
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
            bid = store.insert_returning_id(
                "INSERT INTO batch(file_name, sha256, rows, imported_at, imported_by) VALUES (?,?,1,?,?)",
                (label, digest, now(), actor),
            )
            row = replacement.iloc[0]
            new_id = int(insert_findings(db, bid, pd.DataFrame([{
                "round_id": int(a["round_id"]), "_sheet": "", "_row": 1, "unit_id": row["unit_id"],
                "check_id": row["check_id"], "value": row["value"], "evidence": row["evidence"], "note": "",
                "evaluator": actor, "checked_at": row["checked_at"],
            }]))[0])  # fmt: skip
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
             WHERE (CAST(? AS TEXT) IS NULL OR r.period = ?) AND (CAST(? AS TEXT) IS NULL OR a.unit_id = ?) ORDER BY a.id"""
    rows = store.db.execute(sql, (period, period, unit_id, unit_id)).fetchall()
    cols = ["id", "period", "unit_id", "check_id", "reason", "proof", "filed_by", "filed_at", "outcome", "new_value",
            "decision_reason", "decided_by", "decided_at"]  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)
