"""The evaluation store on real SQLite files: a round's life, atomic imports, migrations, exports."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from store_backends import drop_guards, is_pg, raw_db, refused_errors

from helpers import ROOT, open_periods
from scoring import InputError, InputFile
from scoring.store import MIGRATIONS, SCHEMA_VERSION, Store, open_store
from scoring.store.appeals import appeals_table, decide_appeal, file_appeal
from scoring.store.failures import StoreUnusable
from scoring.store.publish import all_rounds, publish, published_assessment, revision_digests, verify
from scoring.store.rounds import findings_frame, import_results, round_assessment, rounds_table, set_status
from scoring.store.users import OPERATOR, User
from scoring.views.explain import common_problems, unsupported_losses
from scoring.views.rectification import RECTIFICATION_NAMES
from scoring.workbooks.report import leaders_report, unit_report

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = ROOT / "sample_data" / "units.csv"
ROUNDS = ROOT / "sample_data" / "results"
ACTOR = User("测试", OPERATOR)
ALL_UNITS = list(pd.read_csv(UNITS, dtype=str)["unit_id"])


def cli(*args, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    if args[0] == "import":
        open_periods(db)  # the office has opened the demo periods
    p = subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args), "--db", str(db)],
                       capture_output=True, text=True)  # fmt: skip
    if check:
        assert p.returncode == 0, p.stderr
    return p


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    open_periods(s)
    yield s
    s.close()


def _import(store, *names):
    return import_results(store, RUBRIC, UNITS, [ROUNDS / n for n in names], ACTOR)


def test_cli_round_trip_import_appeal_correct_publish_verify_report(tmp_path, store_location):
    # on PostgreSQL: the command line on a URL end to end (SPEC extension 7)
    db = store_location if is_pg(store_location) else tmp_path / "data" / "assess.db"
    out = cli(
        "import", "--rubric", RUBRIC, "--units", UNITS, "--results", ROUNDS / "2017Q3.csv", "--by", "评估机构", db=db
    )
    assert "已导入 1 个文件" in out.stdout
    assert "佐证" not in out.stderr  # every demo loss has its evidence
    assert "2017Q3\t草稿" in cli("rounds", db=db).stdout
    cli("rounds", "--period", "2017Q3", "--status", "feedback", db=db)
    cli("rounds", "--period", "2017Q3", "--status", "appeal", db=db)
    cli("appeal", "file", "--period", "2017Q3", "--unit", "341302", "--check", "GK1.1.1", "--reason",
        "五公开已纳入办文程序", "--proof", "宿埇政办〔2017〕5号", "--by", "埇桥区", db=db)  # fmt: skip
    before = round_assessment(open_store(db), "2017Q3")
    row = before.scores.checks.set_index(["unit_id", "check_id"]).loc[("341302", "GK1.1.1")]
    assert row["value"] == "0"  # the demo finding the unit appeals against
    cli("appeal", "decide", "1", "--correct", "通过", "--reason", "核实文件,已纳入", "--by", "评估机构", db=db)
    assert "已发布第 1 版" in cli("publish", "--period", "2017Q3", db=db).stdout
    result = cli("verify", db=db)
    assert result.stdout.startswith("核验通过:1 个已发布版本,比对 ")

    store = open_store(db)
    after, revision = published_assessment(store, "2017Q3")
    assert revision == 1
    corrected = after.scores.checks.set_index(["unit_id", "check_id"]).loc[("341302", "GK1.1.1")]
    assert (corrected["value"], corrected["earned"]) == ("1", 3.0)
    units = after.scores.units.set_index(["unit_id", "track"])
    old = before.scores.units.set_index(["unit_id", "track"])
    assert units.loc[("341302", "disclosure"), "score_exact"] > old.loc[("341302", "disclosure"), "score_exact"]
    # the original finding is kept, superseded, not edited
    all_rows = store.db.execute("SELECT value FROM finding WHERE unit_id='341302' AND check_id='GK1.1.1'").fetchall()
    assert sorted(r[0] for r in all_rows) == ["未通过", "通过"]

    cli("report", "--period", "2017Q3", "--unit", "341302", "--out", tmp_path / "u.xlsx", db=db)
    wb = openpyxl.load_workbook(tmp_path / "u.xlsx")
    assert wb.sheetnames == ["概况", "维度得分", "失分明细", "申诉复核"]
    appeal = next(wb["申诉复核"].iter_rows(min_row=2, values_only=True))
    assert appeal[1].startswith("GK1.1.1 ") and appeal[5] == "五公开已纳入办文程序"
    assert appeal[2:4] == ("已更正", "通过")
    cli("report", "--period", "2017Q3", "--out", tmp_path / "lead.xlsx", db=db)
    lead = openpyxl.load_workbook(tmp_path / "lead.xlsx")
    assert lead.sheetnames == ["政务公开排名", "政务服务排名", "等次统计", "排名变化", "共性问题", "版本信息"]

    actions = [r[0] for r in store.db.execute("SELECT action FROM audit ORDER BY id")]
    assert actions == [*["round.open"] * 4, "round.create", "batch.import", "round.status", "round.status", "appeal.file",
                       "appeal.corrected", "round.publish"]  # fmt: skip


def test_cli_import_names_losses_without_evidence(tmp_path):
    frame = pd.read_csv(ROUNDS / "2017Q3.csv", dtype=str, keep_default_na=False)
    bare = frame.assign(evidence="")
    bare.to_csv(tmp_path / "bare.csv", index=False)
    out = cli("import", "--rubric", RUBRIC, "--units", UNITS, "--results", tmp_path / "bare.csv",
              db=tmp_path / "a.db")  # fmt: skip
    losses = len(unsupported_losses(round_assessment(open_store(tmp_path / "a.db"), "2017Q3"), ["2017Q3"]))
    assert losses > 20
    assert f"注意:期次 2017Q3 有 {losses} 个失分点没有佐证材料" in out.stderr
    assert f"……另有 {losses - 20} 个" in out.stderr


def test_verify_names_every_difference_and_exits_1(store_location):
    db = store_location
    cli("import", "--rubric", RUBRIC, "--units", UNITS, "--results", ROUNDS / "2017Q3.csv", db=db)
    store = open_store(db)
    set_status(store, "2017Q3", "feedback", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    publish(store, "2017Q3", ACTOR)
    with raw_db(db) as raw:
        line = raw.execute("SELECT line FROM snapshot_row WHERE tbl='unit' AND seq=1").fetchone()[0].split(",")
        line[7] = "0.00"  # someone with the file (or the server) drops the guards and edits a published score
        drop_guards(raw, db)
        raw.execute("UPDATE snapshot_row SET line=? WHERE tbl='unit' AND seq=1", (",".join(line),))
    p = cli("verify", db=db, check=False)
    assert p.returncode == 1
    assert "核验未通过:1 处不同" in p.stdout
    assert "期次 2017Q3 第 1 版 unit 第 2 行" in p.stdout


def test_the_same_file_twice_is_refused_naming_the_earlier_batch(store):
    _import(store, "2017Q3.csv")
    with pytest.raises(InputError) as info:
        _import(store, "2017Q3.csv")
    [issue] = info.value.issues
    assert issue.code == "duplicate-batch"
    assert "第 1 批" in issue.message and "2017Q3.csv" in issue.message
    assert store.db.execute("SELECT COUNT(*) FROM batch").fetchone()[0] == 1


def test_a_cell_holding_nul_is_refused_at_its_row_and_nothing_is_stored(store, tmp_path):
    """PostgreSQL cannot store U+0000 in text: its refusal named no row and came after the batch
    was begun. Now the file is refused where it is read, located, on both backends (issue 30)."""
    frame = pd.read_csv(ROUNDS / "2017Q3.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "evidence"] = "截图\x00见附件"
    frame.loc[900, "note"] = "复核\x00"
    bad = tmp_path / "2017Q3-nul.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [bad], ACTOR)
    assert [(i.code, Path(i.file).name, i.row, i.column) for i in info.value.issues] == [
        ("nul-character", "2017Q3-nul.csv", 7, "佐证"),
        ("nul-character", "2017Q3-nul.csv", 902, "备注"),
    ]
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM batch").fetchone()[0] == 0


def test_rows_stored_before_are_skipped_and_a_changed_result_is_refused_naming_both(store):
    """The same results again (a template uploaded once more with more filled in) add nothing twice;
    a result another account stored, with another value, is refused, naming both values (one's own
    is corrected in a draft: test_draft_corrections)."""
    _import(store, "2017Q3.csv")
    findings = store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
    again = InputFile("again.csv", (ROUNDS / "2017Q3.csv").read_bytes() + b"\n")
    res = import_results(store, RUBRIC, UNITS, [again], ACTOR)
    assert (res.rows, res.already) == (0, findings)
    assert store.db.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == findings
    frame = pd.read_csv(ROUNDS / "2017Q3.csv", dtype=str, keep_default_na=False)
    row = frame.index[(frame["unit_id"] == "341302") & (frame["check_id"] == "GK1.1.1")][0]
    was = frame.loc[row, "value"]
    frame.loc[row, "value"] = "通过" if was == "未通过" else "未通过"
    changed = InputFile("changed.csv", frame.to_csv(index=False).encode("utf-8"))
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [changed], User("另一评估", OPERATOR))
    [issue] = info.value.issues
    assert (issue.code, issue.row, issue.column) == ("changed-result", row + 2, "结果")
    assert f"已存结果为 “{was}”,此文件为 “{frame.loc[row, 'value']}”" in issue.message


def test_a_round_past_draft_takes_no_more_imports(store):
    _import(store, "2017Q3.csv")
    set_status(store, "2017Q3", "feedback", ACTOR)
    extra = InputFile("extra.csv", "期次,单位编码,测评点编码,结果\n2017Q3,341302,GK1.1.2,1\n".encode())
    with pytest.raises(InputError) as info:
        import_results(store, RUBRIC, UNITS, [extra], ACTOR)
    assert [i.code for i in info.value.issues] == ["round-not-draft"]


def test_status_moves_and_revisions_need_reasons(store):
    _import(store, "2017Q3.csv")
    with pytest.raises(InputError, match="不能从「草稿」转为「申诉复核」"):
        set_status(store, "2017Q3", "appeal", ACTOR)
    set_status(store, "2017Q3", "feedback", ACTOR)
    rows = findings_frame(store, 1)
    failed = rows[rows["value"] == "未通过"].iloc[0]
    key = (failed["unit_id"], failed["check_id"])
    first_appeal = file_appeal(store, "2017Q3", *key, "材料已公开", "", ACTOR)  # filed during feedback
    with pytest.raises(InputError, match="复核须在申诉复核阶段进行"):
        decide_appeal(store, first_appeal, "upheld", "维持", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    # a round is not published over an undecided appeal: afterwards nobody could decide it
    with pytest.raises(InputError, match=r"还有 1 个申诉未复核\(编号 1\);请先复核,再发布"):
        publish(store, "2017Q3", ACTOR)
    decide_appeal(store, first_appeal, "upheld", "测评时栏目确为空白", ACTOR)
    assert publish(store, "2017Q3", ACTOR) == 1
    with pytest.raises(InputError, match="重新开放须说明理由"):
        set_status(store, "2017Q3", "appeal", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR, reason="萧县补充证据,经考核办同意重新复核")
    aid = file_appeal(store, "2017Q3", *key, "补充:更新记录截图", "截图", ACTOR)
    decide_appeal(store, aid, "corrected", "复核确认已公开", ACTOR, new_value="通过")
    with pytest.raises(InputError, match="须说明理由"):
        publish(store, "2017Q3", ACTOR)
    assert publish(store, "2017Q3", ACTOR, reason="采纳萧县申诉") == 2
    with pytest.raises(InputError, match="复核结论不能更改"):
        decide_appeal(store, aid, "upheld", "改主意", ACTOR)
    # both revisions stay visible and both verify
    first, _ = published_assessment(store, "2017Q3", revision=1)
    second, _ = published_assessment(store, "2017Q3", revision=2)
    assert first.scores.checks.set_index(["unit_id", "check_id"]).loc[key, "value"] == "0"
    assert second.scores.checks.set_index(["unit_id", "check_id"]).loc[key, "value"] == "1"
    res = verify(store)
    assert (res.snapshots, res.differences) == (2, [])
    assert list(appeals_table(store)["outcome"]) == ["upheld", "corrected"]


def test_appeals_are_only_for_the_units_own_applicable_checks(store):
    _import(store, "2017Q3.csv")
    set_status(store, "2017Q3", "feedback", ACTOR)
    with pytest.raises(InputError, match="不适用于单位"):
        file_appeal(store, "2017Q3", "RMYH", "FW1.1.1", "理由", "", ACTOR)
    with pytest.raises(InputError, match="须写明理由"):
        file_appeal(store, "2017Q3", "341302", "GK1.1.1", " ", "", ACTOR)


def test_a_correction_the_method_does_not_accept_is_refused(store):
    _import(store, "2017Q3.csv")
    set_status(store, "2017Q3", "feedback", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    aid = file_appeal(store, "2017Q3", "341302", "GK1.2.1", "评级偏低", "", ACTOR)
    with pytest.raises(InputError) as info:
        decide_appeal(store, aid, "corrected", "改为很好", ACTOR, new_value="很好")
    assert info.value.issues[0].code == "bad-value"
    assert appeals_table(store).loc[0, "outcome"] == "open"


def test_deduct_correction_replaces_every_finding_row_of_the_check(store):
    _import(store, "2017Q3.csv")
    set_status(store, "2017Q3", "feedback", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    rows = findings_frame(store, 1)
    counts = rows.groupby(["unit_id", "check_id"]).size()
    unit, check = counts[counts > 1].index[0]
    aid = file_appeal(store, "2017Q3", unit, check, "部分问题不成立", "", ACTOR)
    decide_appeal(store, aid, "corrected", "仅 1 条成立", ACTOR, new_value="1")
    now = findings_frame(store, 1)
    mine = now[(now["unit_id"] == unit) & (now["check_id"] == check)]
    assert list(mine["value"]) == ["1"]
    assert len(now) == len(rows) - counts[(unit, check)] + 1


def test_append_only_tables_refuse_changes(store):
    _import(store, "2017Q3.csv")
    for sql in ["UPDATE audit SET actor='x'", "DELETE FROM audit", "UPDATE finding SET value='1'",
                "DELETE FROM finding"]:  # fmt: skip
        with pytest.raises(refused_errors()):
            store.db.execute(sql)


def test_store_settings(store):
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    if is_pg(store.path):
        return  # SQLite's settings; PostgreSQL keeps its version in a table
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)


def test_db_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESS_DB", str(tmp_path / "env.db"))
    cli_env = subprocess.run([sys.executable, "-m", "scoring.cli", "rounds"], capture_output=True, text=True,
                             env={**os.environ})  # fmt: skip
    assert cli_env.returncode == 0
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("ASSESS_DB")
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "rounds"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0
    assert (tmp_path / "data" / "assess.db").exists()


def test_migration_from_an_empty_file_and_from_the_previous_schema(tmp_path):
    empty = tmp_path / "empty.db"
    s = Store(empty)
    names = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"round", "finding", "batch", "snapshot", "audit", "appeal", "decision", "supersession"} <= names
    s.close()

    old = tmp_path / "v1.db"
    raw = sqlite3.connect(old, isolation_level=None)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version=1")
    raw.execute("INSERT INTO audit(at, actor, action, target, detail) VALUES ('2017-01-01', 'a', 'x', 'y', 'z')")
    raw.execute("INSERT INTO rubric_version VALUES (1, 'r', '1', 'sha', 'r.yaml', 'text', 't', 'a')")
    raw.execute("INSERT INTO roster_version VALUES (1, 'sha', 'u.csv', 't', 'a')")
    raw.execute("INSERT INTO round VALUES (1, '2016Q4', 1, 1, 'draft', '2016-12-01', 'a')")
    raw.close()
    s = Store(old)
    assert s.schema_version == SCHEMA_VERSION
    assert s.db.execute("SELECT actor FROM audit").fetchone()[0] == "a"
    # a round the store already held was opened by its first import (migration 6)
    assert [tuple(r) for r in s.db.execute("SELECT period, opened_by FROM round_open")] == [("2016Q4", "a")]
    open_periods(s, "2017Q3")
    _import(s, "2017Q3.csv")
    set_status(s, "2017Q3", "feedback", ACTOR)
    assert file_appeal(s, "2017Q3", "341302", "GK1.1.1", "理由", "", ACTOR) == 1
    s.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreUnusable, match=f"结构版本为 {SCHEMA_VERSION + 1},比本程序支持的版本 {SCHEMA_VERSION} 新"):
        Store(path)


BIG_PERIODS = [f"{2000 + k // 4}Q{k % 4 + 1}" for k in range(60)]


def _rows_of(path: Path) -> int:
    """Records in a demo round file (the demo is regenerated when the shipped rubric changes)."""
    return len(pd.read_csv(path, dtype=str, keep_default_na=False))


def _big_round_file(path: Path, periods: int = 60) -> int:
    lines = (ROUNDS / "2017Q3.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for k in range(periods):
        period = f"{2000 + k // 4}Q{k % 4 + 1}"
        out += [line.replace("2017Q3,", f"{period},", 1) for line in lines[1:]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out) - 1


def _import_process(db: Path, results: Path) -> subprocess.Popen:
    open_periods(db, *BIG_PERIODS)
    return subprocess.Popen([sys.executable, "-m", "scoring.cli", "import", "--db", str(db), "--rubric", str(RUBRIC),
                             "--units", str(UNITS), "--results", str(results)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def _consistent(db: Path, expected_rows: int) -> int:
    """integrity_check is ok and the big batch is either wholly there or not at all."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        batches = con.execute("SELECT rows FROM batch WHERE file_name LIKE '%big.csv'").fetchall()
        findings = con.execute("SELECT COUNT(*) FROM finding f JOIN batch b ON b.id = f.batch_id"
                               " WHERE b.file_name LIKE '%big.csv'").fetchone()[0]  # fmt: skip
        rounds = con.execute("SELECT COUNT(*) FROM round WHERE period < '2017'").fetchone()[0]
    finally:
        con.close()
    if batches:
        assert (batches[0][0], findings, rounds) == (expected_rows, expected_rows, 60)
    else:
        assert (findings, rounds) == (0, 0)
    return findings


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.csv"
    return path, _big_round_file(path)


def test_a_killed_import_leaves_the_store_as_it_was(tmp_path, big_file):
    path, expected = big_file
    db = tmp_path / "assess.db"
    cli("import", "--rubric", RUBRIC, "--units", UNITS, "--results", ROUNDS / "2017Q3.csv", db=db)
    # how long a whole import takes here, to kill at moments spread over it: the faster of two,
    # since a run slowed by other work on the machine would put every kill after the commit
    whole = float("inf")
    for i in range(2):
        start = time.monotonic()
        assert _import_process(tmp_path / f"timing{i}.db", path).wait() == 0
        whole = min(whole, time.monotonic() - start)
    outcomes = []
    for fraction in (0.2, 0.35, 0.55, 0.7, 0.8, 0.88, 0.95):
        proc = _import_process(db, path)
        time.sleep(whole * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes.append(_consistent(db, expected))
        if outcomes[-1]:
            break  # the import finished before the kill: a second one would be a refused duplicate
    store = open_store(db)
    first_round = _rows_of(ROUNDS / "2017Q3.csv")
    assert store.db.execute("SELECT COUNT(*) FROM finding WHERE round_id = 1").fetchone()[0] == first_round
    assert verify(store).differences == []
    assert 0 in outcomes, "no kill landed before the import committed"


def test_readers_keep_working_while_an_import_writes(tmp_path, big_file):
    path, expected = big_file
    db = tmp_path / "assess.db"
    store = open_store(db)
    open_periods(store)
    _import(store, "2017Q3.csv")
    proc = _import_process(db, path)
    seen = set()
    reads = 0
    while proc.poll() is None:
        table = rounds_table(store)  # a reader in this process while the import writes
        assert "2017Q3" in set(table["period"])
        seen.add(int(table["findings"].sum()))
        reads += 1
        time.sleep(0.02)
    assert proc.returncode == 0, proc.stderr.read().decode()
    seen.add(int(rounds_table(store)["findings"].sum()))
    assert reads > 10
    # never a half-imported batch: the total is the first round alone, or everything
    first_round = _rows_of(ROUNDS / "2017Q3.csv")
    assert seen <= {first_round, first_round + expected}
    assert first_round + expected in seen


def _formula_cells(data: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")]  # fmt: skip


def test_formula_injection_in_every_export(store):
    evil = '=HYPERLINK("http://evil.example","点我")'
    text = (ROUNDS / "2017Q3.csv").read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")
    line = ",".join([*first[:4], '"' + evil.replace('"', '""') + '"', *first[5:]])
    text = text.replace(text.splitlines()[1], line)
    import_results(store, RUBRIC, UNITS, [InputFile("evil.csv", text.encode("utf-8"))], User(evil, OPERATOR))
    set_status(store, "2017Q3", "feedback", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    unit, check = first[1], first[2]
    aid = file_appeal(store, "2017Q3", unit, check, evil, evil, User(evil, OPERATOR))
    decide_appeal(store, aid, "upheld", evil, User(evil, OPERATOR))
    publish(store, "2017Q3", ACTOR)
    result, _ = published_assessment(store, "2017Q3")
    exports = {
        "unit": unit_report(result, unit, "2017Q3", appeals_table(store, "2017Q3", unit)),
        "leaders": leaders_report(result, "2017Q3"),
    }
    found = {name: _formula_cells(data) for name, data in exports.items()}
    assert found["unit"], "the evidence and appeal text should be in the unit report"
    for cells in found.values():
        assert all(c.data_type == "s" for c in cells)
    assert json.dumps(appeals_table(store).loc[0, "reason"], ensure_ascii=False) == json.dumps(evil, ensure_ascii=False)


def test_cli_annual_rolls_up_the_published_rounds(tmp_path, store_location):
    import csv

    from ui.demo import seed_demo

    db = store_location
    s = open_store(db)
    seed_demo(s)  # 2017Q3–2018Q1 published, 2018Q2 in its appeal window
    s.close()
    out = tmp_path / "年度.csv"
    p = cli("annual", "--out", out, "--totals", tmp_path / "合计.csv", "--xlsx", tmp_path / "年度.xlsx", db=db)
    assert "期次 2017Q3、2017Q4、2018Q1" in p.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # the totals file: each track's target points as in the roll-up, and their sum to the cent
    totals = list(csv.DictReader((tmp_path / "合计.csv").open(encoding="utf-8")))
    assert list(totals[0]) == ["group", "unit_id", "unit_name", "disclosure_score", "disclosure_points",
                               "service_score", "service_points", "total_points"]  # fmt: skip
    points = {(r["unit_id"], r["track"]): r["target_points"] for r in rows}
    for t in totals:
        assert t["disclosure_points"] == points[t["unit_id"], "disclosure"]
        assert t["service_points"] == points.get((t["unit_id"], "service"), "")
        cents = sum(int(t[k].replace(".", "")) for k in ("disclosure_points", "service_points") if t[k])
        assert int(t["total_points"].replace(".", "")) == cents
    # the workbook holds the same year: per track every group's ranking, then the totals
    wb = openpyxl.load_workbook(tmp_path / "年度.xlsx")
    assert wb.sheetnames == ["政务公开年度", "政务服务年度", "目标管理分合计", "说明"]
    csv_rows = {(r["unit_name"], r["track"]): r for r in rows}
    for r in wb["政务公开年度"].iter_rows(min_row=2, values_only=True):
        expected = csv_rows[(r[3], "disclosure")]
        assert (r[1], f"{r[4]:.2f}", r[5], f"{r[6]:.2f}") == (int(expected["rank"]), expected["score"],
                                                             expected["grade"], expected["target_points"])  # fmt: skip
    sums = {r[1]: r[-1] for r in wb["目标管理分合计"].iter_rows(min_row=2, values_only=True)}
    assert {t["unit_name"]: f"{sums[t['unit_name']]:.2f}" for t in totals} == {t["unit_name"]: t["total_points"]
                                                                                for t in totals}  # fmt: skip
    assert list(rows[0])[-4:] == ["target_points", "2017Q3", "2017Q4", "2018Q1"]
    for r in rows:
        scores = [r[p] for p in ("2017Q3", "2017Q4", "2018Q1") if r[p]]
        mean_cents = sum(int(x.replace(".", "")) for x in scores) / len(scores)  # the rounds as published
        assert int(r["score"].replace(".", "")) == int(mean_cents + 0.5 + 1e-9), r
        assert r["rounds"] == str(len(scores))
    # a round that is not published, or not there, is refused by name and nothing is written
    refused = cli("annual", "--periods", "2018Q1", "2018Q2", "2019Q1", "--out", tmp_path / "x.csv", db=db, check=False)
    assert refused.returncode == 2
    assert "期次 2018Q2 尚未发布" in refused.stderr
    assert "2019Q1" in refused.stderr
    assert not (tmp_path / "x.csv").exists()


def test_cli_reports_say_what_was_fixed_since_the_previous_published_round(tmp_path, store_location):
    from scoring.views.rectification import rectification
    from ui.demo import seed_demo

    db = store_location
    s = open_store(db)
    seed_demo(s)  # 2017Q3–2018Q1 published, 2018Q2 in its appeal window
    expected = rectification(
        pd.concat([published_assessment(s, p)[0].scores.checks for p in ("2017Q4", "2018Q1")]), "2018Q1", "2017Q4"
    )
    s.close()
    cli("report", "--period", "2018Q1", "--unit", "341322", "--out", tmp_path / "u.xlsx", db=db)
    sheet = openpyxl.load_workbook(tmp_path / "u.xlsx")["整改情况"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    mine = expected[expected["unit_id"] == "341322"]
    assert [(r[1], r[3]) for r in rows] == list(zip(mine["check_id"], mine["status"].map(RECTIFICATION_NAMES),
                                                    strict=True))  # fmt: skip
    assert sheet["E1"].value == "上期(2017Q4)结果"

    cli("report", "--period", "2018Q1", "--out", tmp_path / "lead.xlsx", db=db)
    # the app builds the same workbook from every round in the store (a group with no unit on a
    # track, 中央驻宿单位 on 政务服务, once broke the comparison with the previous round)
    s = open_store(db)
    digest = revision_digests(s, "2018Q1")["digest"].iloc[-1]
    assert leaders_report(all_rounds(s)[0], "2018Q1", digest=digest) == (tmp_path / "lead.xlsx").read_bytes()
    s.close()
    lead = openpyxl.load_workbook(tmp_path / "lead.xlsx")
    assert lead.sheetnames == [
        "政务公开排名",
        "政务服务排名",
        "等次统计",
        "排名变化",
        "整改情况",
        "共性问题",
        "版本信息",
    ]
    # the circular's list of shared problems: as the page counts them, widest first per track
    problems = list(lead["共性问题"].iter_rows(min_row=2, values_only=True))
    s = open_store(db)
    first = common_problems(published_assessment(s, "2018Q1")[0], "2018Q1", "disclosure", ALL_UNITS).iloc[0]
    s.close()
    assert problems[0][1:2] + problems[0][4:6] == (first["check_id"], first["tested"], first["losing"])
    assert [r[0] for r in problems] == sorted([r[0] for r in problems], key=["政务公开", "政务服务"].index)
    table = {r[1]: r for r in lead["整改情况"].iter_rows(min_row=2, values_only=True)}
    xiao = table["萧县人民政府"]
    counts = mine["status"].value_counts()
    # 上期失分点, then 未整改, 部分整改, 新增失分, 已整改, 本期未测, then the rate
    assert xiao[3:8] == tuple(int(counts.get(k, 0)) for k in RECTIFICATION_NAMES)
    assert xiao[2] == sum(xiao[i] for i in (3, 4, 6, 7))
    assert xiao[8] == round(100 * xiao[6] / (xiao[2] - xiao[7]), 1)
    # the first round has nothing before it to compare with
    cli("report", "--period", "2017Q3", "--unit", "341322", "--out", tmp_path / "first.xlsx", db=db)
    assert "整改情况" not in openpyxl.load_workbook(tmp_path / "first.xlsx").sheetnames


def test_the_data_version_moves_with_the_rounds_and_not_with_sign_ins(store):
    from scoring.store.accounts import SignInError, add_user, authenticate, sign_out

    empty = store.data_version()
    _import(store, "2017Q3.csv")
    imported = store.data_version()
    assert imported > empty
    add_user(store, "boss", "admin", "correct-horse-1", ACTOR)
    user = authenticate(store, "boss", "correct-horse-1")
    with pytest.raises(SignInError):
        authenticate(store, "boss", "wrong password")
    sign_out(store, user)
    assert store.data_version() == imported  # sign-ins and accounts leave the scores' cache alone
    set_status(store, "2017Q3", "feedback", ACTOR)
    assert store.data_version() > imported


def test_all_rounds_asks_for_frozen_revisions_and_preliminary_rounds(store_location):
    from scoring.store.publish import load_round
    from ui.demo import seed_demo

    store = open_store(store_location)
    seed_demo(store)  # 2017Q3–2018Q1 published, 2018Q2 in its appeal window
    asked = []

    def load(s, period, revision):
        asked.append((period, revision))
        return load_round(s, period, revision)

    result, rounds = all_rounds(store, load)
    assert asked == [("2017Q3", 1), ("2017Q4", 1), ("2018Q1", 1), ("2018Q2", None)]
    assert rounds == [("2017Q3", "published", 1), ("2017Q4", "published", 1), ("2018Q1", "published", 1),
                      ("2018Q2", "appeal", None)]  # fmt: skip
    # the combined check table is the rounds' own tables, one after the other
    parts = [load_round(store, p, r) for p, r in asked]
    assert len(result.scores.checks) == sum(len(p.scores.checks) for p in parts)
    assert list(result.scores.checks["period"].unique()) == ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]


def test_cli_circular_is_the_apps_draft_for_a_published_round(tmp_path, store_location):
    from scoring.views.circular import circular_text
    from ui.demo import seed_demo

    db = store_location
    s = open_store(db)
    seed_demo(s)
    digest = revision_digests(s, "2018Q1")["digest"].iloc[-1]
    app_text = circular_text(all_rounds(s)[0], "2018Q1", "2018Q1 · 已发布 第 1 版", digest)
    s.close()
    out = tmp_path / "通报.txt"
    assert "已生成通报草稿" in cli("circular", "--period", "2018Q1", "--out", out, db=db).stdout
    assert out.read_text(encoding="utf-8") == app_text
    refused = cli("circular", "--period", "2018Q2", "--out", tmp_path / "x.txt", db=db, check=False)
    assert refused.returncode == 2 and "期次 2018Q2 尚未发布" in refused.stderr
    assert not (tmp_path / "x.txt").exists()


def test_a_backup_taken_during_an_import_is_a_whole_store(tmp_path, big_file):
    path, expected = big_file
    db = tmp_path / "assess.db"
    store = open_store(db)
    open_periods(store)
    _import(store, "2017Q3.csv")
    set_status(store, "2017Q3", "feedback", ACTOR)
    set_status(store, "2017Q3", "appeal", ACTOR)
    publish(store, "2017Q3", ACTOR)
    proc = _import_process(db, path)  # another process writes while the backup is taken
    copies = []
    while (proc.poll() is None and len(copies) < 4) or not copies:
        copies.append(store.backup(tmp_path / f"backup{len(copies)}.db"))
        time.sleep(0.1)
    assert proc.wait() == 0
    copies.append(Path(cli("backup", "--out", tmp_path / "last.db", db=db).stdout.split("→ ")[1].split("(")[0]))
    for copy in copies:
        assert not Path(f"{copy}-wal").exists()
        assert _consistent(copy, expected) in (0, expected)  # the big batch wholly there, or not at all
        assert verify(open_store(copy)).differences == []
    assert _consistent(copies[-1], expected) == expected
    assert not list(tmp_path.glob(".*.partial"))


def test_cli_circular_as_word_has_the_title_doc_number_sections_and_rankings(tmp_path, store_location):
    """Issue 17: the circular as offices send it, a .docx with the same figures as the text draft."""
    import docx

    from ui.demo import seed_demo

    db = store_location
    s = open_store(db)
    seed_demo(s)
    s.close()
    text_out, word_out = tmp_path / "通报.txt", tmp_path / "通报.docx"
    cli("circular", "--period", "2018Q1", "--out", text_out, db=db)
    cli("circular", "--period", "2018Q1", "--out", word_out, db=db)
    document = docx.Document(str(word_out))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    text = text_out.read_text(encoding="utf-8").splitlines()
    assert paragraphs[0] == text[0] and "第三方测评情况通报(2018年第一季度)" in paragraphs[0]
    assert paragraphs[1] == "〔    〕    号"  # the 文号 the office fills in
    # every line of the text draft is a paragraph of the Word one, in the same order
    lines = [line for line in text if line]
    assert [p for p in paragraphs if p in set(lines)] == lines
    # a ranking table per group and track, with the text draft's first places in its first rows
    assert len(document.tables) >= 2
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["排名", "单位", "得分", "等次", "排名变化"]
    assert first.rows[1].cells[0].text == "1" and f"{first.rows[1].cells[1].text}(" in "\n".join(text)
