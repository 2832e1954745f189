"""Small builders for tests: a rubric from a few checks, CSV bytes from rows."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from scoring import InputFile, Rubric, assess, parse_rubric
from scoring.pipeline import Assessment

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {"county": "县区政府", "department": "市直部门"}
UNITS = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("C3", "丙县", "county"), ("M1", "市财政局", "department")]


def rubric_dict(
    checks: list[dict[str, Any]],
    *,
    na_policy: str = "rescale",
    bonus_max: float = 0,
    bonus_min_base: float | None = None,
    weight: float = 0.04,
    kind: str = "disclosure",
    **top: Any,
) -> dict[str, Any]:
    track = {
        "id": "T",
        "name": "政务公开",
        "kind": kind,
        "weight": weight,
        "na_policy": na_policy,
        "bonus_max": bonus_max,
        **({} if bonus_min_base is None else {"bonus_min_base": bonus_min_base}),
        "dimensions": [{"id": "D", "name": "维度", "indicators": [{"id": "I", "name": "指标", "checks": checks}]}],
    }
    data = {
        "id": "t",
        "title": "测试",
        "version": "1",
        "target": {"total_points": 100},
        "groups": GROUPS,
        "tracks": [track],
    }
    data.update(top)
    return data


def make_rubric(checks: list[dict[str, Any]], **kw: Any) -> Rubric:
    # JSON is YAML 1.2, so a dict dumped as JSON is a valid rubric file
    return parse_rubric(json.dumps(rubric_dict(checks, **kw), ensure_ascii=False), "test.yaml")


def csv_file(name: str, header: list[str], rows: list[tuple]) -> InputFile:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return InputFile(name, buf.getvalue().encode("utf-8"))


def units_file(units: list[tuple[str, str, str]] = UNITS) -> InputFile:
    return csv_file("units.csv", ["unit_id", "name", "group"], units)


def results_file(rows: list[tuple], name: str = "results.csv") -> InputFile:
    """Rows of (unit_id, check_id, value) or (period, unit_id, check_id, value[, evidence])."""
    full = [("2017Q3", *r) if len(r) == 3 else r for r in rows]
    width = max(len(r) for r in full)
    header = ["period", "unit_id", "check_id", "value", "evidence"][:width]
    return csv_file(name, header, full)


def run(rubric: Rubric, rows: list[tuple], units=UNITS, allow_missing: bool = True) -> Assessment:
    return assess(rubric, units_file(units), [results_file(rows)], allow_missing=allow_missing)


def unit_row(result: Assessment, unit_id: str, period: str = "2017Q3") -> pd.Series:
    u = result.scores.units
    hit = u[(u["unit_id"] == unit_id) & (u["period"] == period)]
    assert len(hit) == 1, f"{unit_id} has {len(hit)} score rows"
    return hit.iloc[0]


def check_row(result: Assessment, unit_id: str, check_id: str, period: str = "2017Q3") -> pd.Series:
    c = result.scores.checks
    hit = c[(c["unit_id"] == unit_id) & (c["check_id"] == check_id) & (c["period"] == period)]
    assert len(hit) == 1
    return hit.iloc[0]


# Two rounds of three counties, hand-scored in test_rectification and test_problems
TWO_ROUND_CHECKS = [
    {"id": "B", "name": "栏目", "method": "binary", "points": 10},
    {"id": "K", "name": "逾期", "method": "deduct", "points": 10, "per_item": 2},
    {"id": "L", "name": "质量", "method": "levels", "points": 6, "levels": {"A": 1, "B": 0.5, "C": 0}},
    {"id": "V", "name": "网站打不开", "method": "veto", "cap": 59},
    {"id": "N", "name": "办事指南", "method": "binary", "points": 10},
]
TWO_ROUND_UNITS = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("C3", "丙县", "county")]
TWO_ROUND_ROWS = [
    # C1 lost on every check in Q3; in Q4 it fixed B, reduced K, got worse on L, violated V again,
    # and N was not applicable, so Q4 cannot tell whether N was fixed
    ("2017Q3", "C1", "B", "0"), ("2017Q3", "C1", "K", "3"), ("2017Q3", "C1", "L", "B"),
    ("2017Q3", "C1", "V", "1"), ("2017Q3", "C1", "N", "0"),
    ("2017Q4", "C1", "B", "1"), ("2017Q4", "C1", "K", "1"), ("2017Q4", "C1", "L", "C"),
    ("2017Q4", "C1", "V", "1"), ("2017Q4", "C1", "N", "不涉及"),
    # C2 was clean in Q3 and lost on B and K in Q4
    ("2017Q3", "C2", "B", "1"), ("2017Q3", "C2", "K", "0"), ("2017Q3", "C2", "L", "A"),
    ("2017Q3", "C2", "V", "0"), ("2017Q3", "C2", "N", "1"),
    ("2017Q4", "C2", "B", "0"), ("2017Q4", "C2", "K", "5"), ("2017Q4", "C2", "L", "A"),
    ("2017Q4", "C2", "V", "0"), ("2017Q4", "C2", "N", "1"),
    # C3: B had no result in Q3 (not a finding), N none in Q4
    ("2017Q3", "C3", "K", "0"), ("2017Q3", "C3", "L", "A"), ("2017Q3", "C3", "V", "0"), ("2017Q3", "C3", "N", "0"),
    ("2017Q4", "C3", "B", "0"), ("2017Q4", "C3", "K", "0"), ("2017Q4", "C3", "L", "A"), ("2017Q4", "C3", "V", "0"),
]  # fmt: skip


def two_rounds() -> Assessment:
    return run(make_rubric(TWO_ROUND_CHECKS), TWO_ROUND_ROWS, TWO_ROUND_UNITS, allow_missing=True)


DEMO_PERIODS = ("2017Q3", "2017Q4", "2018Q1", "2018Q2")


def open_periods(db: object, *periods: str) -> None:
    """Open periods in a store (a Store or its file), as the office does before any import (SPEC 2a)."""
    from scoring.store import Store, open_store
    from scoring.store.rounds import open_periods as opened
    from scoring.store.rounds import open_round
    from scoring.store.users import OPERATOR, User

    store = db if isinstance(db, Store) else open_store(db)
    have = set(opened(store)["period"])
    for period in periods or DEMO_PERIODS:
        if period not in have:
            open_round(store, period, User("考核办", OPERATOR))


def filled_template(template: bytes, share: float) -> bytes:
    """The template with the first ``share`` of its result cells filled from the 2017Q3 demo round
    (several deduction findings of one check added into one count), the rest left empty."""
    found = pd.read_csv(ROOT / "sample_data" / "results" / "2017Q3.csv", dtype=str, keep_default_na=False)
    counts = found[found["value"].str.fullmatch(r"\d+")].groupby(["unit_id", "check_id"])["value"].apply(
        lambda v: str(sum(int(x) for x in v)))  # fmt: skip
    first = found.drop_duplicates(["unit_id", "check_id"]).set_index(["unit_id", "check_id"])["value"]
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["测评结果"]
    header = [c.value for c in ws[1]]
    unit, check, value = (header.index(h) + 1 for h in ("单位编码", "测评点编码", "结果"))
    rows = range(2, ws.max_row + 1)
    for r in list(rows)[: round(len(rows) * share)]:
        key = (ws.cell(r, unit).value, ws.cell(r, check).value)
        ws.cell(r, value).value = counts.get(key, first[key])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@contextmanager
def served_app(db: Path | str, demo: bool | str = True) -> Iterator[str]:
    """The real app (``streamlit run app.py``) on the store ``db`` (a file, or a ``postgresql://``
    URL) at a free loopback port; its URL. Several may serve one store at once, as several processes
    behind a proxy do. ``demo``: demo mode, or the demo rubric's id (``ASSESS_DEMO``).
    The file watcher is off: an edit to the working tree during a run must not make the app ask to rerun."""
    import pytest

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ASSESS_DB": str(db),
        **({"ASSESS_DEMO": demo if isinstance(demo, str) else "1"} if demo else {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"streamlit did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.5)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
