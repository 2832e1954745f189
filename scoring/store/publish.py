"""Publication (发布): a round's scores frozen as a revision with a digest chained to the one before;
the frozen revisions read back; and verify, which recomputes every revision and checks that
nothing insert-only has gone missing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from scoring.engine import Scores
from scoring.errors import InputError
from scoring.output import csv_pieces, score_tables_as_text, text_holds
from scoring.pipeline import Assessment, combine_rounds, without_findings
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.failures import store_failure
from scoring.store.findings import copy_problems, findings_frame
from scoring.store.frames import frame_bytes, frame_from_bytes
from scoring.store.rounds import (
    STATUS_NAMES,
    _fail,
    _next_states,
    _round_inputs,
    _round_row,
    round_assessment,
    round_info,
    round_rows,
    rounds_table,
    score_rows,
)
from scoring.store.users import User
from scoring.validate import Findings

__all__ = [
    "VerifyResult", "all_rounds", "load_round", "previous_published", "publish", "published_assessment", "published_scores",
    "revision_digest", "revision_digests", "snapshot_stamp", "verify",
]  # fmt: skip


@dataclass(frozen=True)
class VerifyResult:
    snapshots: int
    rows_compared: int
    differences: list[str]
    files_checked: int = 0


# a text kept as the pieces it was made of: joining and cutting a province's 100 MB check table
# copied it three times, and the digest only hashes it
Pieces = list[bytes | pa.Buffer]


def _table_texts(scores: Scores, decimals: int) -> dict[str, Pieces]:
    """The three score tables as UTF-8 CSV without the last line end: what the digest covers and
    verify compares, to the character."""
    tables = score_tables_as_text(scores, decimals).values()
    return {key: _without_last_line_end(csv_pieces(table))
            for key, table in zip(("unit", "dimension", "check"), tables, strict=True)}  # fmt: skip


def _without_last_line_end(pieces: Pieces) -> Pieces:
    return pieces[:-1] if len(pieces) > 1 else [bytes(pieces[0])[:-1]]


def _joined(text: Pieces | bytes) -> bytes:
    return text if isinstance(text, bytes) else b"".join(text)


class _Hashed(bytes):
    """A text's sha256, taken in the thread that wrote the text: the digest takes it as it is."""


def _sha(text: Pieces | bytes) -> bytes:
    if isinstance(text, _Hashed):
        return text
    h = hashlib.sha256()
    for piece in [text] if isinstance(text, bytes) else text:
        h.update(piece)
    return h.digest()


def _lines(text: bytes) -> list[str]:
    return text.decode("utf-8").split("\n")


def _scored_with_texts(
    store: Store,
    period: str,
    *,
    as_of: int | None = None,
    allow_missing: bool = True,
    from_table: bool = False,
    frames: bool = False,
) -> tuple[Assessment, dict[str, Pieces], Future[bytes], Future[dict[str, bytes]] | None]:
    """The round scored, its score tables' CSV and (to come) its findings' CSV hashed: what a
    digest covers; with ``frames``, also (to come) the score tables as kept at publication.

    The findings' CSV is written and hashed in a second thread from the moment they are read,
    while this one validates, scores and writes the tables (Arrow kernels, zstd and sha256 let go
    of the interpreter, so on two cores the shorter hides in the longer: a province's round,
    1.0 s saved). The kept tables are compressed there too, once the check table is built; both
    are asked for only when the revision is stored.
    """
    rubric, roster, rows = round_rows(store, period, as_of=as_of, from_table=from_table)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        findings_sha = pool.submit(_findings_sha, rows)
        result = score_rows(rubric, roster, rows, allow_missing=allow_missing)
        scores = result.scores
        kept = pool.submit(_frames_kept, scores.units, scores.dimensions, scores.checks) if frames else None
    finally:
        pool.shutdown(wait=False)  # the thread ends with its tasks
    texts = _table_texts(scores, result.rubric.spec.rounding.decimals)
    return result, texts, findings_sha, kept


def _findings_sha(findings: pd.DataFrame) -> _Hashed:
    return _Hashed(_sha(_findings_csv(findings)))


def _frames_kept(units: pd.DataFrame, dimensions: pd.DataFrame, checks: pd.DataFrame) -> dict[str, bytes]:
    return {"unit": frame_bytes(units), "dimension": frame_bytes(dimensions), "check": frame_bytes(checks)}


# the tables kept as lines in snapshot_row; the check table (600 k lines a round for a province)
# is kept whole in snapshot_frame since migration 7, which verify reads in its place
_LINE_TABLES = ("unit", "dimension")


def _roster_text(store: Store, roster_id: int) -> str:
    rows = store.db.execute("SELECT unit_id, name, grp FROM roster_unit WHERE roster_id = ? ORDER BY seq",
                            (roster_id,)).fetchall()  # fmt: skip
    return "".join(f"{u}\t{n}\t{g}\n" for u, n, g in rows)


def revision_digest(store: Store, period: str, revision: int, previous: str,
                    texts: dict[str, Pieces | bytes] | None = None) -> str:  # fmt: skip
    """sha256 over what a published revision stands on and shows: the rubric text, the roster,
    the findings as they stood at publication (superseded ones left out, ids kept), the three
    score tables, and the previous revision's digest. Recomputed from the store's contents, it
    differs from a copy held outside whenever any of these was rewritten since."""
    snap = store.db.execute(
        """SELECT s.max_finding_id, r.id AS round_id, r.roster_id, v.text FROM snapshot s
           JOIN round r ON r.id = s.round_id JOIN rubric_version v ON v.id = r.rubric_version_id
           WHERE r.period = ? AND s.revision = ?""", (period, revision)).fetchone()  # fmt: skip
    return _digest(store, period, revision, snap, previous, texts)


def _digest(store: Store, period: str, revision: int, snap: sqlite3.Row | dict, previous: str,
            texts: dict[str, Pieces | bytes] | None, findings: pd.DataFrame | Pieces | bytes | None = None) -> str:  # fmt: skip
    if texts is None:
        result = round_assessment(store, period, as_of=int(snap["max_finding_id"]), allow_missing=True)
        texts = _table_texts(result.scores, result.rubric.spec.rounding.decimals)
    if findings is None:
        findings = findings_frame(store, int(snap["round_id"]), int(snap["max_finding_id"]), from_table=True)
    h = hashlib.sha256()
    for part in (
        f"assess revision digest 1\n{period}\n{revision}\n{previous}\n".encode(),
        snap["text"].encode("utf-8"),
        _roster_text(store, int(snap["roster_id"])).encode("utf-8"),
        _findings_csv(findings) if isinstance(findings, pd.DataFrame) else findings,
        *(texts[t] for t in ("unit", "dimension", "check")),
    ):
        h.update(_sha(part))
    return h.hexdigest()


def _findings_csv(findings: pd.DataFrame) -> Pieces | bytes:
    """The findings as pandas' ``to_csv(index=False, lineterminator="\\n")`` writes them, which the
    digest has covered since revision digests began. The Arrow writer gives the same bytes three
    times faster, except for a text with a carriage return and no line feed, which pandas leaves
    unquoted; such a round takes the slow path."""
    texts = [c for c in findings.columns if findings[c].dtype.kind not in "iufb"]
    if any(text_holds(findings[c], "\r") for c in texts):
        return findings.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return csv_pieces(findings)


def _insert_lines(store: Store, snapshot_id: int, texts: dict[str, Pieces]) -> None:
    # the unit and dimension tables: 22 k lines a province's round (seq from 0, as json_each gives them)
    for tbl in _LINE_TABLES:
        tlines = _lines(_joined(texts[tbl]))
        if store.backend == "sqlite":
            # one statement: SQLite walks the JSON array itself, in half executemany's time (0.05 s)
            store.db.execute("INSERT INTO snapshot_row(snapshot_id, tbl, seq, line) SELECT ?, ?, key, value"
                             " FROM json_each(?)", (snapshot_id, tbl, json.dumps(tlines, ensure_ascii=False)))  # fmt: skip
        else:
            store.bulk_insert("snapshot_row", ("snapshot_id", "tbl", "seq", "line"),
                              [(snapshot_id, tbl, i, line) for i, line in enumerate(tlines)])  # fmt: skip


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
        result, texts, findings_sha, kept = _scored_with_texts(store, period, allow_missing=allow_missing, frames=True)
        max_id = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM finding WHERE round_id = ?",
                                (info["id"],)).fetchone()[0])  # fmt: skip
        sid = store.insert_returning_id(
            "INSERT INTO snapshot(round_id, revision, max_finding_id, reason, created_at, created_by)"
            " VALUES (?,?,?,?,?,?)",
            (info["id"], revision, max_id, reason or "首次发布", now(), user.name),
        )
        _insert_lines(store, sid, texts)
        db.executemany("INSERT INTO snapshot_frame(snapshot_id, tbl, arrow) VALUES (?,?,?)",
                       [(sid, tbl, blob) for tbl, blob in kept.result().items()])  # fmt: skip
        previous = _stored_digest(store, period, revision - 1) if revision > 1 else ""
        snap = {"max_finding_id": max_id, "round_id": info["id"], "roster_id": result_roster_id(db, info["id"]),
                "text": result.rubric.text}  # fmt: skip
        digest = _digest(store, period, revision, snap, previous or "", texts, findings_sha.result())
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
           WHERE (CAST(? AS TEXT) IS NULL OR r.period = ?) ORDER BY r.period, s.revision""", (period, period)).fetchall()  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows], columns=["period", "revision", "digest", "previous", "created_at"])


def published_assessment(store: Store, period: str, revision: int | None = None) -> tuple[Assessment, int]:
    """A published round exactly as frozen (the latest revision unless one is asked for)."""
    info = round_info(store, period)
    snap = store.db.execute(
        "SELECT revision, max_finding_id FROM snapshot WHERE round_id = ? AND (CAST(? AS TEXT) IS NULL OR revision = ?)"
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
    ``revision``) must recompute to exactly it. A damaged file (SQLite's own page check, or a page
    that cannot be read on the way) is a failed verification, not an error."""
    try:
        # pages no comparison reads (an index, a free page) are checked too
        damage = _page_damage(store)
        result = _verify(store, period, digest, revision)
    except sqlite3.DatabaseError as exc:
        problem = store_failure(exc, store.path)
        if problem is None or problem.kind != "damaged":
            raise
        return VerifyResult(snapshots=0, rows_compared=0, differences=[f"存储文件已损坏,无法读完:{exc}"])
    result.differences[:0] = damage
    return result


def _page_damage(store: Store) -> list[str]:
    """SQLite's page check (pages no comparison reads: an index, a free page). A PostgreSQL server
    checks its own pages (data checksums, amcheck): that is its administrator's, not the store's."""
    if store.backend != "sqlite":
        return []
    return [f"存储文件已损坏:{r[0]}" for r in store.db.execute("PRAGMA quick_check(20)") if r[0] != "ok"]


def _verify(store: Store, period: str | None, digest: str | None, revision: int | None) -> VerifyResult:
    snaps = store.db.execute(
        """SELECT s.id, s.revision, s.max_finding_id, r.period, r.id AS round_id, r.roster_id, v.text,
                  d.digest, d.previous
           FROM snapshot s JOIN round r ON r.id = s.round_id JOIN rubric_version v ON v.id = r.rubric_version_id
           LEFT JOIN snapshot_digest d ON d.snapshot_id = s.id
           WHERE (CAST(? AS TEXT) IS NULL OR r.period = ?) ORDER BY r.period, s.revision""",
        (period, period),
    ).fetchall()
    compared, diffs = 0, []
    recomputed: dict[tuple[str, int], str] = {}
    for s in snaps:
        where = f"期次 {s['period']} 第 {s['revision']} 版"
        try:
            result, fresh, findings_sha, _ = _scored_with_texts(store, s["period"], as_of=int(s["max_finding_id"]),
                                                                from_table=True)  # fmt: skip
        except InputError as exc:  # the stored findings no longer make a valid round: rows were removed
            diffs.append(f"{where}:存储的测评结果已无法重算({exc.issues[0].message})")
            continue
        decimals = result.rubric.spec.rounding.decimals
        fresh = {t: _joined(text) for t, text in fresh.items()}
        kept = _frames(store, int(s["id"]))
        kept_texts = {t: _joined(x) for t, x in _table_texts(kept, decimals).items()} if kept is not None else None
        for tbl, text in fresh.items():
            lines = _lines(text)
            stored = [r[0] for r in store.db.execute(
                "SELECT line FROM snapshot_row WHERE snapshot_id = ? AND tbl = ? ORDER BY seq", (s["id"], tbl))]  # fmt: skip
            if not stored and tbl not in _LINE_TABLES:
                if kept_texts is None:
                    diffs.append(f"{where} {tbl}:存档中既没有逐行的得分表,也没有完整的得分表")
                    continue
                stored = _lines(kept_texts[tbl])
            compared += max(len(stored), len(lines))
            if len(stored) != len(lines):
                diffs.append(f"{where} {tbl}:行数不同(存档 {len(stored)},重算 {len(lines)})")
            for i, (a, b) in enumerate(zip(stored, lines, strict=False)):
                if a != b:
                    diffs.append(f"{where} {tbl} 第 {i + 1} 行:存档「{a}」≠ 重算「{b}」")
        previous = recomputed.get((s["period"], s["revision"] - 1), "")
        again = _digest(store, s["period"], int(s["revision"]), s, previous, fresh, findings_sha.result())
        if kept_texts is not None and kept_texts != fresh:
            bad = "、".join(t for t in fresh if kept_texts[t] != fresh[t])
            diffs.append(f"{where}:存档的完整得分表({bad})与重算不符")
        recomputed[(s["period"], int(s["revision"]))] = again
        if s["digest"] is None:
            diffs.append(f"{where}:没有发布摘要")
        elif s["digest"] != again or s["previous"] != previous:
            diffs.append(f"{where}:发布摘要与重算不符(存档 {s['digest']},重算 {again})")
    diffs += _structure_problems(store, period)
    diffs += _copies_differ(store, period)
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
    rounds: dict[str, tuple[str, list[int]]] = {}
    for r in store.db.execute(
        """SELECT r.period, r.status, s.revision FROM round r LEFT JOIN snapshot s ON s.round_id = r.id
           WHERE (CAST(? AS TEXT) IS NULL OR r.period = ?) ORDER BY r.period, s.revision""", (period, period)):  # fmt: skip
        revisions = rounds.setdefault(r["period"], (r["status"], []))[1]
        if r["revision"] is not None:
            revisions.append(int(r["revision"]))
    for p, (status, revisions) in rounds.items():
        if status == "published" and not revisions:
            out.append(f"期次 {p} 标记为已发布,但没有任何发布版本")
        if revisions != list(range(1, len(revisions) + 1)):
            out.append(f"期次 {p} 的发布版本不连续:{'、'.join(map(str, revisions))}")
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


def _copies_differ(store: Store, period: str | None) -> list[str]:
    """Each batch whose columnar copy (what publishing reads) no longer says what the finding table
    says: one of them was changed after the import."""
    out = []
    for round_id, p in store.db.execute("SELECT id, period FROM round WHERE (CAST(? AS TEXT) IS NULL OR period = ?) ORDER BY period",
                                        (period, period)).fetchall():  # fmt: skip
        for bid in copy_problems(store, int(round_id)):
            out.append(f"期次 {p} 第 {bid} 批:测评结果的列存副本与测评结果表不符,二者之一在导入后被改动")
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


def _frames(store: Store, snapshot_id: int) -> Scores | None:
    blobs = dict(store.db.execute("SELECT tbl, arrow FROM snapshot_frame WHERE snapshot_id = ?", (snapshot_id,)))
    if set(blobs) != {"unit", "dimension", "check"}:
        return None  # published before migration 7
    units, dims = frame_from_bytes(blobs["unit"]), frame_from_bytes(blobs["dimension"])
    return Scores(units=units, dimensions=dims, checks=lambda: frame_from_bytes(blobs["check"]),
                  periods=list(dict.fromkeys(units["period"])))  # fmt: skip


def published_scores(store: Store, period: str, revision: int) -> Assessment:
    """A published revision's scores as frozen, loaded from its kept tables (rescored only for a
    revision published before they were kept). The findings are left out: the frozen tables carry
    what the views show, and a province's round of findings is the memory this saves."""
    r = store.db.execute("SELECT s.id FROM snapshot s JOIN round r ON r.id = s.round_id"
                         " WHERE r.period = ? AND s.revision = ?", (period, revision)).fetchone()  # fmt: skip
    if r is None:
        raise _fail("not-published", f"期次 {period} 尚未发布第 {revision} 版")
    scores = _frames(store, int(r["id"]))
    if scores is None:
        return without_findings(published_assessment(store, period, revision)[0])
    _, rubric, roster = _round_inputs(store, period)
    # the findings' shape without a row: nothing in a frozen revision's views reads them
    empty = Findings(rows=pd.DataFrame(columns=["period", "unit_id", "check_id"]), periods=scores.periods)
    return Assessment(rubric, roster, empty, scores, [])


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


def previous_published(store: Store, period: str) -> Assessment | None:
    """The published round before ``period``, frozen, or None: what movers and rectification compare with."""
    published = rounds_table(store)
    earlier = published[(published["period"] < period) & published["revision"].notna()]
    return published_assessment(store, earlier["period"].iloc[-1])[0] if len(earlier) else None
