"""Rectification of the monitor's content findings across runs (SPEC 4a, issue 31): a real monitor
run against a loopback site, stored with ``record_run``; ``assess monitor --db`` prints the new,
still-present and fixed counts. The findings frames are built by hand, as the content rules hand
them over (the rules are tested with them in scoring/monitor)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest
from monitor.site import ok, page, serve

from helpers import ROOT, open_periods, rubric_dict, units_file
from scoring import load_rubric, read_roster
from scoring.monitor import monitor_sites
from scoring.store import open_store
from scoring.store.content import content_history, insert_content, run_counts
from scoring.store.probes import record_run
from scoring.store.users import OPERATOR, User
from scoring.views.content_fixes import content_summary

OP = User("操作员", OPERATOR)
CHECKS = [{"id": "W1", "name": "网站无法访问", "method": "veto", "cap": 59,
           "monitor": {"rule": "unreachable", "max_failure_rate": 0.05, "timeout_s": 2}}]  # fmt: skip


def finding(unit: str, rule: str, url: str, found: str) -> tuple:
    return (unit, rule, url, found, f"……{found}……", "严重", f"{rule}|{url}|{found}")


def frame(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["unit_id", "rule", "url", "found", "context", "severity", "key"])


@pytest.fixture
def clean_site():
    site, stop = serve({"/": ok(page("示例县人民政府(测试)", "<p>更新日期:2017-09-30</p>"))})
    yield site
    stop()


@pytest.fixture
def files(tmp_path, clean_site):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(json.dumps(rubric_dict(CHECKS), ensure_ascii=False), encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_bytes(units_file().data)
    sites = tmp_path / "sites.csv"
    sites.write_text(f"unit_id,column,kind,url\nC1,首页,home,{clean_site.url('/')}\n", encoding="utf-8")
    return rubric, units, sites


def test_record_run_keeps_each_runs_findings_and_counts_them(files, tmp_path):
    rubric_path, units, sites_path = files
    from scoring.monitor.sites import read_sites
    from scoring.tables import InputFile

    rubric = load_rubric(rubric_path)
    roster = read_roster(units, rubric)
    store = open_store(tmp_path / "s.db")
    open_periods(store, "2017Q3")
    run = monitor_sites(rubric, roster, read_sites(InputFile.from_path(sites_path), roster), "2017Q3",
                        dt.date(2017, 10, 1))  # fmt: skip
    link = finding("C1", "hidden_links", "http://127.0.0.1/", "http://casino.example/")
    word = finding("C1", "wrong_words", "http://127.0.0.1/a.html", "国土资源局")
    # a rubric without content checks reads no content: nothing is tracked, and the line says so
    assert record_run(store, "2017Q3", run, OP) is None
    assert content_summary(None).startswith("本次监测未检查网页内容")
    first = record_run(store, "2017Q3", replace(run, content=frame(link, word), content_units=["C1"]), OP)
    second = record_run(store, "2017Q3", replace(run, content=frame(link), content_units=["C1"]), OP)
    assert first is not None and second is not None and first < second
    assert content_summary(run_counts(store, first)) == (
        "网页内容问题(与各单位上次监测相比):新发现 2 条,仍存在 0 条,已整改 0 条")  # fmt: skip
    assert content_summary(run_counts(store, second)) == (
        "网页内容问题(与各单位上次监测相比):新发现 0 条,仍存在 1 条,已整改 1 条")  # fmt: skip
    assert content_history(store)[["key", "status"]].values.tolist() == [[link[-1], "still"], [word[-1], "fixed"]]


def _with_content_check(tmp_path, rubric):
    """The rubric plus a hidden_links check where the rubric language knows it (the content rules)."""
    from scoring import InputError
    from scoring.rubric import parse_rubric

    checks = [*CHECKS, {"id": "W7", "name": "无暗链", "method": "veto", "cap": 59, "monitor": {"rule": "hidden_links"}}]
    text = json.dumps(rubric_dict(checks), ensure_ascii=False)
    try:
        parse_rubric(text, "rubric.yaml")
    except InputError:
        return rubric
    path = tmp_path / "content-rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_assess_monitor_with_db_prints_the_counts(files, tmp_path):
    """The command line: after two stored runs that found two problems on 甲县's site, a run of the
    clean site reads its content and finds both fixed (or, without content rules, says it read none)."""
    rubric, units, sites = files
    rubric = _with_content_check(tmp_path, rubric)
    db = tmp_path / "s.db"
    open_periods(db, "2017Q3")
    store = open_store(db)
    a = finding("C1", "hidden_links", "http://127.0.0.1/", "http://casino.example/")
    b = finding("C1", "unanswered_messages", "http://127.0.0.1/msg/", "留言 2017-01-02")
    for found in (frame(a), frame(a, b)):
        with store.transaction():
            insert_content(store, "2017Q3", found, ["C1"], OP, None)
    p = subprocess.run([sys.executable, "-m", "scoring.cli", "monitor", "--rubric", str(rubric), "--units", str(units),
                        "--sites", str(sites), "--period", "2017Q3", "--as-of", "2017-10-01", "--db", str(db),
                        "--out", str(tmp_path / "out.csv")], capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stderr
    last = p.stdout.strip().splitlines()[-1]
    read = store.db.execute("SELECT COUNT(*) FROM content_unit WHERE run_id > 2").fetchone()[0]
    if read:  # the content rules read the clean site whole: both problems are gone
        assert last == "网页内容问题(与各单位上次监测相比):新发现 0 条,仍存在 0 条,已整改 2 条"
    else:
        assert last == content_summary(None)
