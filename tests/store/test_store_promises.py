"""What the store promises, proven with real SQLite files and real processes (issue 15):

- one writer at a time: concurrent imports end with exactly the valid batches stored, and a fresh
  store opened by several processes at once is migrated once;
- insert-only for real: every insert-only table refuses UPDATE and DELETE;
- permissions on every write, decided in the store layer, unit included, refusals audited;
- the round's states enforced; verify catches deletion and tampering, and a digest held outside
  the store proves a published revision unchanged;
- no workbook cell and no CSV meant for people starts a live formula, rubric text included.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from store_backends import drop_guards, is_pg, raw_db, refused_errors, second_column, table_names

from helpers import ROOT, open_periods
from scoring import InputError, InputFile
from scoring.store import INSERT_ONLY, SCHEMA_VERSION, open_store
from scoring.store.access import AccessDenied
from scoring.store.appeals import decide_appeal, file_appeal
from scoring.store.publish import publish, revision_digests, verify
from scoring.store.rounds import import_results, rounds_table, set_status
from scoring.store.users import OPERATOR, User

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUND = ROOT / "sample_data" / "results" / "2017Q3.csv"
OFFICE = User("考核办", "admin")
EVALUATOR = User("评估", "evaluator")
LEADER = User("领导", "leader")
XIAO = User("xiaoxian", "unit", "341322")
OP = User("操作员", OPERATOR)


def cli(*args: object, stdin: str = "") -> subprocess.CompletedProcess:
    if args[0] == "import":
        open_periods(args[args.index("--db") + 1])  # the office opened the round (SPEC 2a)
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=300)  # fmt: skip


def split_round(tmp_path: Path, parts: int) -> list[Path]:
    """The 2017Q3 round cut into ``parts`` files by unit: together exactly the round."""
    frame = pd.read_csv(ROUND, dtype=str, keep_default_na=False)
    units = sorted(frame["unit_id"].unique())
    out = []
    for i in range(parts):
        mine = frame[frame["unit_id"].isin(units[i::parts])]
        path = tmp_path / f"part{i}.csv"
        mine.to_csv(path, index=False)
        out.append(path)
    return out


def run_together(commands: list[list[object]]) -> list[subprocess.CompletedProcess]:
    """Start every command at once (real processes), wait for all."""
    procs = [subprocess.Popen([sys.executable, "-m", "scoring.cli", *map(str, c)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for c in commands]  # fmt: skip
    done = []
    for p, c in zip(procs, commands, strict=True):
        out, err = p.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(c, p.returncode, out, err))
    return done


def counts(db: Path | str) -> dict[str, int]:
    with raw_db(db) as raw:
        tables = table_names(raw, db)
        return {t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables if t != "audit"}


# --- one writer at a time --------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5])
def test_concurrent_imports_of_disjoint_files_all_land_once(tmp_path, store_location, n):
    db = store_location
    open_periods(db, "2017Q3")
    files = split_round(tmp_path, n)
    done = run_together([["import", "--db", db, "--rubric", RUBRIC, "--units", UNITS, "--results", f] for f in files])
    assert [p.returncode for p in done] == [0] * n, [p.stderr for p in done]
    assert all("Traceback" not in p.stderr for p in done)
    stored = open_store(db)
    assert stored.db.execute("SELECT COUNT(*) FROM batch").fetchone()[0] == n
    rows = len(pd.read_csv(ROUND, dtype=str))
    assert stored.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == rows
    assert rounds_table(stored)["period"].tolist() == ["2017Q3"]  # one round, created once


@pytest.mark.parametrize("n", [2, 5])
def test_concurrent_imports_that_overlap_keep_exactly_one_of_the_overlapping(tmp_path, store_location, n):
    """Each process validated against a round without the others, and both were stored: the round
    then held duplicates for good (issue 15, item 1)."""
    db = store_location
    open_periods(db, "2017Q3")
    files = split_round(tmp_path, n)
    frame = pd.read_csv(ROUND, dtype=str, keep_default_na=False)
    xiao = frame[(frame["unit_id"] == "341322") & ~frame["check_id"].isin(frame.loc[frame.duplicated(
        ["unit_id", "check_id"], keep=False), "check_id"])]  # fmt: skip
    overlap = tmp_path / "again.csv"
    # another evaluator's entry of the same findings, with other results
    flipped = xiao["value"].map({"是": "否", "否": "是", "通过": "未通过", "未通过": "通过"})
    assert flipped.notna().sum() > 0
    xiao.assign(value=flipped.fillna(xiao["value"]), note="另一位测评人的录入").to_csv(overlap, index=False)
    holder = next(f for f in files if "341322" in set(pd.read_csv(f, dtype=str)["unit_id"]))
    # by another evaluator: one's own result is corrected in a draft (issue 29), another's never
    done = run_together([["import", "--db", db, "--rubric", RUBRIC, "--units", UNITS,
                          *(["--by", "另一位测评人"] if f == overlap else []), "--results", f]
                         for f in [*files, overlap]])  # fmt: skip
    codes = {Path(p.args[-1]).name: p.returncode for p in done}
    assert all("Traceback" not in p.stderr for p in done)
    assert sorted(codes[f.name] for f in (holder, overlap)) == [0, 2]  # one of the two, never both
    assert all(codes[f.name] == 0 for f in files if f != holder)
    refused = next(p for p in done if p.returncode == 2)
    assert "已存结果为" in refused.stderr and "第" in refused.stderr  # located, naming both values
    stored = open_store(db)
    dups = stored.db.execute(
        "SELECT COUNT(*) FROM (SELECT unit_id, check_id FROM finding GROUP BY unit_id, check_id, value, evidence"
        " HAVING COUNT(*) > 1 AND unit_id = '341322') AS twice").fetchone()[0]  # fmt: skip
    assert dups == 0
    set_status(stored, "2017Q3", "feedback", OP)
    set_status(stored, "2017Q3", "appeal", OP)
    assert publish(stored, "2017Q3", OP, allow_missing=True) == 1  # the round is never stuck


def test_a_fresh_store_opened_by_several_processes_at_once_is_migrated_once(tmp_path, store_location):
    """The first use raced: round.period UNIQUE failed, 'database is locked', a table created twice."""
    # a fresh PostgreSQL database per test: the race is run once there
    fresh = [tmp_path / f"fresh{attempt}.db" for attempt in range(3)] if not is_pg(store_location) else [store_location]
    for db in fresh:
        commands = [["rounds", "--db", db] for _ in range(3)]
        commands += [["rounds", "--db", db, "--open", "--period", f"2019Q{q}"] for q in (1, 2, 3)]
        commands += [["rounds", "--db", db, "--open", "--period", "2020Q1"] for _ in range(2)]  # the same, twice
        done = run_together(commands)
        assert all("Traceback" not in p.stderr for p in done), [p.stderr[-500:] for p in done]
        assert [p.returncode for p in done[:6]] == [0] * 6, [p.stderr[-500:] for p in done]
        assert sorted(p.returncode for p in done[6:]) == [0, 2]  # one opens it, the other is told it is open
        s = open_store(db)
        assert s.schema_version == SCHEMA_VERSION
        assert s.db.execute("SELECT COUNT(*) FROM round_open").fetchone()[0] == 4


# --- insert-only for real --------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(module_location) -> Path | str:
    """A store with a round published twice (an appeal corrected between), and one still in appeal."""
    db = module_location
    s = open_store(db)
    open_periods(s)
    import_results(s, RUBRIC, UNITS, [ROUND, ROOT / "sample_data" / "results" / "2017Q4.csv"], OP)
    for period in ("2017Q3", "2017Q4"):
        set_status(s, period, "feedback", OFFICE)
        set_status(s, period, "appeal", OFFICE)
    aid = file_appeal(s, "2017Q4", "341322", "GK1.1.1", "已公开", "", XIAO, [InputFile("更新记录.png", b"png")])
    publish(s, "2017Q3", OFFICE)
    set_status(s, "2017Q3", "appeal", OFFICE, reason="萧县补充材料")
    aid3 = file_appeal(s, "2017Q3", "341322", "GK1.1.1", "目录已完善", "截图", XIAO)
    decide_appeal(s, aid3, "corrected", "复核确认", EVALUATOR, new_value="通过")
    publish(s, "2017Q3", OFFICE, reason="采纳萧县申诉")
    assert aid
    return db


@pytest.mark.parametrize("table", INSERT_ONLY)
def test_every_insert_only_table_refuses_update_and_delete(published, clone, table):
    db = clone(published)
    with raw_db(db) as raw:
        if table == "round_revision_reason":  # a table of the first schema that nothing fills yet
            raw.execute("INSERT INTO round_revision_reason VALUES (1, 9, 'x')")
        if table == "probe":  # the website monitor's (tests/monitor stores real ones)
            raw.execute(
                "INSERT INTO probe(period, unit_id, kind, url, at, status, elapsed_ms, failure, sha256, evidence,"
                " run_by) VALUES ('2017Q3', 'C1', 'home', 'http://127.0.0.1:9/', 't', 200, 5, '', 'x', '', 'op')"
            )
        if table in ("words_version", "content_run", "content_unit", "content_finding"):  # the monitor's content runs
            raw.execute("INSERT INTO words_version VALUES (1, 'x', '清单', 'wrong,right,severity', 0, 't', 'op')")
            raw.execute("INSERT INTO content_run VALUES (1, '2017Q3', 't', 'op', 1)")
            raw.execute("INSERT INTO content_unit VALUES (1, 'C1')")
            raw.execute("INSERT INTO content_finding VALUES (1, 'C1', 'k', 'hidden_links', 'u', 'f', 'c', '严重')")
        assert raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0
        column = second_column(raw, db, table)
        with pytest.raises(refused_errors(), match=r"never|append-only"):
            raw.execute(f"UPDATE {table} SET {column} = {column}")
        with pytest.raises(refused_errors(), match=r"never|append-only"):
            raw.execute(f"DELETE FROM {table}")


@pytest.mark.parametrize("missing", ["batch", "round"])
def test_a_finding_whose_batch_or_round_is_not_there_is_refused_whole(published, clone, missing):
    """SQLite's foreign keys; on PostgreSQL, migration 13's statement-level check (issue 30) — by a
    single INSERT and by COPY, as the store imports: the whole statement fails, nothing lands."""
    import psycopg

    db = clone(published)
    with raw_db(db) as raw:
        if not is_pg(db):
            raw.execute("PRAGMA foreign_keys=ON")  # as the store's connections are
        batch, round_id = raw.execute("SELECT batch_id, round_id FROM finding LIMIT 1").fetchone()
        top = raw.execute("SELECT MAX(id) FROM finding").fetchone()[0]
        before = raw.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
        bad = (batch + 1000, round_id) if missing == "batch" else (batch, round_id + 1000)
        rows = [(top + i, *((batch, round_id) if i < 3 else bad), "", 2, "C1", "GK1", "1", "", "", "op", "t")
                for i in (1, 2, 3, 4)]  # fmt: skip
        columns = (
            "id, batch_id, round_id, sheet, row_no, unit_id, check_id, value, evidence, note, evaluator, checked_at"
        )
        refused = (sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)
        with pytest.raises(refused, match=r"FOREIGN KEY|does not exist"):
            raw.execute(f"INSERT INTO finding ({columns}) VALUES {', '.join(['(' + ', '.join('?' * 12) + ')'] * 4)}",
                        [v for r in rows for v in r])  # fmt: skip
        if is_pg(db):
            with pytest.raises(psycopg.errors.ForeignKeyViolation, match=f"refers to {missing} "):
                raw.copy_rows("finding", columns.split(", "), rows)
        assert raw.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == before
        raw.execute(f"INSERT INTO finding ({columns}) VALUES ({', '.join('?' * 12)})", rows[0])  # a good one lands
        assert raw.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == before + 1


def test_a_round_changes_its_status_only(published, clone):
    db = clone(published)
    with raw_db(db) as raw:
        with pytest.raises(refused_errors(), match="only a round status"):
            raw.execute("UPDATE round SET period = '2099Q1' WHERE period = '2017Q3'")
        with pytest.raises(refused_errors(), match="never deleted"):
            raw.execute("DELETE FROM round")


# --- permissions on every write --------------------------------------------------------------

WRITES = {
    "import": lambda s, u: import_results(s, RUBRIC, UNITS, [ROOT / "sample_data" / "results" / "2018Q1.csv"], u),
    "set_status": lambda s, u: set_status(s, "2017Q4", "feedback", u),
    "publish": lambda s, u: publish(s, "2017Q4", u),
    "file_appeal": lambda s, u: file_appeal(s, "2017Q4", "341322", "GK1.1.2", "理由", "", u),
    "decide_appeal": lambda s, u: decide_appeal(s, 1, "upheld", "维持", u),
}
ALLOWED = {"import": EVALUATOR, "set_status": OFFICE, "publish": OFFICE, "file_appeal": XIAO,
           "decide_appeal": EVALUATOR}  # fmt: skip
PEOPLE = [OFFICE, EVALUATOR, LEADER, XIAO, User("lingbi", "unit", "341323"), None, "萧县人民政府"]


@pytest.mark.parametrize("action", WRITES)
def test_every_write_by_a_wrong_role_is_refused_with_nothing_written(published, clone, action):
    db = clone(published)
    s = open_store(db)
    for who in PEOPLE:
        if who == ALLOWED[action]:
            continue
        before = counts(db)
        with pytest.raises(AccessDenied):
            WRITES[action](s, who)
        assert counts(db) == before, f"{action} by {who} wrote something"
        denied = s.db.execute("SELECT actor, detail FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1",
                              (f"denied.{action}",)).fetchone()  # fmt: skip
        assert denied is not None  # the refusal is audited


def test_a_unit_cannot_appeal_for_another_unit(published, clone):
    """Only the page pinned the unit before (issue 15, item 6)."""
    db = clone(published)
    s = open_store(db)
    lingbi = User("lingbi", "unit", "341323")
    with pytest.raises(AccessDenied, match="只能为本单位"):
        file_appeal(s, "2017Q4", "341322", "GK1.1.2", "代萧县申诉", "", lingbi)
    assert s.db.execute("SELECT COUNT(*) FROM appeal WHERE filed_by = 'lingbi'").fetchone()[0] == 0
    assert file_appeal(s, "2017Q4", "341323", "GK1.1.2", "本单位申诉", "", lingbi) > 0


def test_the_command_line_acts_as_a_named_account_once_accounts_exist(published, clone):
    db = clone(published)
    assert cli("user", "add", "boss", "--role", "admin", "--password-stdin", "--db", db,
               stdin="correct-horse-1\n").returncode == 0  # fmt: skip
    assert cli("user", "add", "eva", "--role", "evaluator", "--password-stdin", "--db", db, "--by", "boss",
               stdin="correct-horse-1\n").returncode == 0  # fmt: skip
    p = cli("rounds", "--db", db, "--period", "2017Q4", "--status", "feedback", "--by", "eva")
    assert p.returncode == 2 and "角色无权" in p.stderr
    p = cli("rounds", "--db", db, "--period", "2017Q4", "--status", "feedback", "--by", "nobody")
    assert p.returncode == 2 and "账号 nobody 不存在" in p.stderr
    p = cli("rounds", "--db", db, "--period", "2017Q4", "--status", "feedback", "--by", "boss")
    assert p.returncode == 0, p.stderr


# --- the round's states ----------------------------------------------------------------------


def test_a_round_moves_through_its_states_and_a_skip_names_the_allowed_ones(store_location):
    s = open_store(store_location)
    open_periods(s)
    import_results(s, RUBRIC, UNITS, [ROUND], OP)
    with pytest.raises(InputError, match=r"不能直接发布.*可转为:反馈"):
        publish(s, "2017Q3", OFFICE)  # straight from draft (issue 15, item 7)
    with pytest.raises(InputError, match="不能从「草稿」转为「申诉复核」;可转为:反馈"):
        set_status(s, "2017Q3", "appeal", OFFICE)
    set_status(s, "2017Q3", "feedback", OFFICE)
    with pytest.raises(InputError, match="不能直接发布"):
        publish(s, "2017Q3", OFFICE)
    set_status(s, "2017Q3", "appeal", OFFICE)
    assert publish(s, "2017Q3", OFFICE) == 1
    with pytest.raises(InputError, match="重新开放须说明理由"):
        set_status(s, "2017Q3", "appeal", OFFICE)


def test_a_reason_that_starts_with_a_dash_is_written_with_equals(store_location):
    db = store_location
    assert cli("import", "--db", db, "--rubric", RUBRIC, "--units", UNITS, "--results", ROUND).returncode == 0
    for status in ("feedback", "appeal"):
        assert cli("rounds", "--db", db, "--period", "2017Q3", "--status", status).returncode == 0
    assert cli("publish", "--db", db, "--period", "2017Q3").returncode == 0
    p = cli("rounds", "--db", db, "--period", "2017Q3", "--status", "appeal", "--reason=-补充材料")
    assert p.returncode == 0, p.stderr
    detail = open_store(db).db.execute("SELECT detail FROM audit WHERE action = 'round.status' ORDER BY id DESC"
                                       " LIMIT 1").fetchone()[0]  # fmt: skip
    assert detail.endswith("理由:-补充材料")
    assert "--reason=-" in cli("rounds", "--help").stdout


# --- verify: deletion and tampering ----------------------------------------------------------


def tampered(published: Path | str, clone, *statements: str | tuple) -> Path | str:
    """A copy of the store rewritten by someone who holds the file (or the server's superuser):
    guards dropped, rows changed."""
    db = clone(published, "tampered")
    with raw_db(db) as raw:
        drop_guards(raw, db)
        for sql in statements:
            raw.execute(*((sql,) if isinstance(sql, str) else sql))
    return db


def test_verify_passes_on_an_untouched_store(published):
    res = verify(open_store(published))
    assert res.differences == [] and res.snapshots == 2


@pytest.mark.parametrize(
    ("statements", "says"),
    [
        (["DELETE FROM snapshot_row", "DELETE FROM snapshot_digest", "DELETE FROM snapshot"],
         "标记为已发布,但没有任何发布版本"),
        (["DELETE FROM snapshot_row WHERE snapshot_id = 1", "DELETE FROM snapshot_digest WHERE snapshot_id = 1",
          "DELETE FROM snapshot WHERE id = 1"], "发布版本不连续"),
        (["DELETE FROM finding WHERE id = (SELECT MAX(id) FROM finding WHERE batch_id = 2)"], "批次 2"),
        (["DELETE FROM decision"], "表 decision 只有 0 行"),
        (["DELETE FROM supersession", "DELETE FROM decision", "DELETE FROM appeal"], "表 appeal"),
        (["UPDATE snapshot_row SET line = replace(line, ',false,', ',true,') WHERE seq = 1 AND tbl = 'unit'"],
         "存档「"),
        (["DELETE FROM snapshot_digest WHERE snapshot_id = 2"], "没有发布摘要"),
        (["UPDATE finding SET evidence = 'rewritten' WHERE id = 1"], "发布摘要与重算不符"),
        (["UPDATE finding SET evidence = 'rewritten' WHERE id = 1"], "第 1 批:测评结果的列存副本与测评结果表不符"),
        ([("UPDATE batch_frame SET arrow = ? WHERE batch_id = 1", (b"\x00",))],
         "第 1 批:测评结果的列存副本与测评结果表不符"),
    ],
)  # fmt: skip
def test_verify_fails_on_each_kind_of_deletion_and_tampering(published, clone, statements, says):
    res = verify(open_store(tampered(published, clone, *statements)))
    assert any(says in d for d in res.differences), res.differences


def _rewritten_copy(raw, batch_id: int, finding_id: int) -> bytes:
    blob = raw.execute("SELECT arrow FROM batch_frame WHERE batch_id = ?", (batch_id,)).fetchone()[0]
    table = pa.ipc.open_file(pa.py_buffer(blob)).read_all()
    names = [
        v if i != finding_id else "改写的测评人"
        for v, i in zip(table["evaluator"].to_pylist(), table["finding_id"].to_pylist(), strict=True)
    ]
    table = table.set_column(table.schema.get_field_index("evaluator"), "evaluator", pa.array(names, pa.string()))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_a_consistent_rewrite_passes_the_store_but_not_the_digest_held_outside(published, clone):
    """Findings, snapshot lines and stored digests rewritten together look self-consistent; only a
    copy of the digest kept outside the store (the circular, the printed line) shows it."""
    s = open_store(published)
    outside = revision_digests(s, "2017Q3")["digest"].tolist()
    db = tampered(published, clone, "UPDATE finding SET evaluator = '改写的测评人' WHERE id = 1")
    t = open_store(db)
    # the tamperer recomputes every stored digest so that the store agrees with itself again
    from scoring.store.publish import revision_digest

    first = revision_digest(t, "2017Q3", 1, "")
    second = revision_digest(t, "2017Q3", 2, first)
    with raw_db(db) as raw:
        raw.execute("UPDATE snapshot_digest SET digest = ? WHERE snapshot_id = 1", (first,))
        raw.execute("UPDATE snapshot_digest SET digest = ?, previous = ? WHERE snapshot_id = 2", (second, first))
    # the columnar copy of the batch still holds the old name, and says so
    assert verify(open_store(db)).differences == [
        "期次 2017Q3 第 1 批:测评结果的列存副本与测评结果表不符,二者之一在导入后被改动"
    ]
    with raw_db(db) as raw:  # so the tamperer rewrites the copy too
        raw.execute("UPDATE batch_frame SET arrow = ? WHERE batch_id = 1", (_rewritten_copy(raw, 1, 1),))
    assert verify(open_store(db)).differences == []
    for revision, digest in enumerate(outside, start=1):
        res = verify(open_store(db), "2017Q3", digest=digest, revision=revision)
        assert any("与所给的" in d for d in res.differences)
        assert verify(s, "2017Q3", digest=digest, revision=revision).differences == []


def test_the_digest_chain_runs_across_a_reopen_and_the_command_prints_and_checks_it(tmp_path, store_location):
    db = store_location
    assert cli("import", "--db", db, "--rubric", RUBRIC, "--units", UNITS, "--results", ROUND).returncode == 0
    for status in ("feedback", "appeal"):
        cli("rounds", "--db", db, "--period", "2017Q3", "--status", status)
    first = cli("publish", "--db", db, "--period", "2017Q3")
    d1 = first.stdout.split("发布摘要(sha256):")[1].split()[0]
    cli("rounds", "--db", db, "--period", "2017Q3", "--status", "appeal", "--reason", "重新复核")
    second = cli("publish", "--db", db, "--period", "2017Q3", "--reason", "第二版")
    d2 = second.stdout.split("发布摘要(sha256):")[1].split()[0]
    table = revision_digests(open_store(db), "2017Q3")
    assert table["digest"].tolist() == [d1, d2] and table["previous"].tolist() == ["", d1]
    assert d1 != d2  # the second revision's digest covers the first's
    assert cli("verify", "--db", db, "--period", "2017Q3", "--digest", d2).returncode == 0
    assert cli("verify", "--db", db, "--period", "2017Q3", "--revision", "1", "--digest", d1).returncode == 0
    p = cli("verify", "--db", db, "--period", "2017Q3", "--digest", d1)
    assert p.returncode == 1 and "与所给的" in p.stdout
    # the circular and the leaders' workbook carry the digest of the revision they were made from
    assert cli("circular", "--db", db, "--period", "2017Q3", "--out", tmp_path / "c.txt").returncode == 0
    assert f"发布摘要 sha256:{d2}" in (tmp_path / "c.txt").read_text(encoding="utf-8")
    assert cli("report", "--db", db, "--period", "2017Q3", "--out", tmp_path / "l.xlsx").returncode == 0
    info = openpyxl.load_workbook(tmp_path / "l.xlsx")["版本信息"]
    assert [c.value for c in info["B"]][3] == d2


# --- no live formula from any text -----------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","点这里")'


def _evil_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    rubric = RUBRIC.read_text(encoding="utf-8").replace(
        "title: 2017年度", f"title: '{EVIL.replace(chr(39), chr(39) * 2)}'\n# title: 2017年度", 1
    )
    rubric = rubric.replace("levels: {优: 1,", "levels: {'=1+1': 1,")
    r = tmp_path / "evil.yaml"
    r.write_text(rubric, encoding="utf-8")
    units = pd.read_csv(UNITS, dtype=str)
    units.loc[units["unit_id"] == "341322", "name"] = "=cmd|' /C calc'!A0"
    u = tmp_path / "units.csv"
    units.to_csv(u, index=False)
    frame = pd.read_csv(ROUND, dtype=str, keep_default_na=False)
    frame["evidence"] = "@SUM(1+1)"
    frame["value"] = frame["value"].replace({"优": "=1+1"})
    f = tmp_path / "r.csv"
    frame.to_csv(f, index=False)
    return r, u, f


def _cells(xlsx: bytes) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_no_export_holds_a_live_formula_and_people_csvs_are_escaped(tmp_path, store_location):
    rubric, units, results = _evil_inputs(tmp_path)
    db = store_location
    p = cli("import", "--db", db, "--rubric", rubric, "--units", units, "--results", results)
    assert p.returncode == 0, p.stderr
    for status in ("feedback", "appeal"):
        cli("rounds", "--db", db, "--period", "2017Q3", "--status", status)
    assert cli("publish", "--db", db, "--period", "2017Q3").returncode == 0
    made = {
        "template.xlsx": ["template", "--rubric", rubric, "--units", units, "--period", "2017Q3"],
        "unit.xlsx": ["report", "--db", db, "--period", "2017Q3", "--unit", "341322"],
        "leaders.xlsx": ["report", "--db", db, "--period", "2017Q3"],
        "annual.csv": ["annual", "--db", db, "--totals", tmp_path / "totals.csv", "--xlsx", tmp_path / "annual.xlsx"],
    }
    for name, args in made.items():
        p = cli(*args, "--out", tmp_path / name)
        assert p.returncode == 0, p.stderr
    workbooks = ["template.xlsx", "unit.xlsx", "leaders.xlsx", "annual.xlsx"]
    seen_evil = 0
    for name in workbooks:
        data = (tmp_path / name).read_bytes()
        formulas = [f"{c.parent.title}!{c.coordinate}" for c in _cells(data) if c.data_type == "f"]
        assert formulas == [], f"{name}: live formulas at {formulas}"
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert not any("<f>" in z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
        seen_evil += sum(isinstance(c.value, str) and c.value.startswith(("=", "@")) for c in _cells(data))
    assert seen_evil > 0  # the hostile text did reach the workbooks, as text
    for name in ("annual.csv", "totals.csv"):
        text = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        cells = text.to_numpy().ravel().tolist()
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], name
        assert "'=cmd|' /C calc'!A0" in cells
