"""Generate the demo rounds 2017Q3–2018Q2 for the shipped rubric and roster.

DEMO DATA: the findings, evidence, names and scores are invented (deterministic, fixed seed) so
that the app has something meaningful to show; they say nothing about any real unit.

Each round is written twice, as an evaluator would hand it in: a CSV (one row per finding) and the
evaluator template filled in (XLSX, extra deduction findings on its second sheet). The service
platforms' exports for the same year (办件, 好差评, 政务新媒体; SPEC extension 6) go to
``sample_data/records/`` (sample_data/records_synth.py).

    python sample_data/generate.py [--out DIR] [--records-out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from sample_data.records_synth import write_demo_records  # noqa: E402
from scoring import build_template, load_rubric, read_roster  # noqa: E402
from scoring.workbooks.template import EXTRA_SHEET, RESULTS_SHEET  # noqa: E402
from scoring.workbooks.xlsx import reproducible  # noqa: E402

RUBRIC = ROOT / "rubrics" / "suzhou-2017.yaml"
UNITS = HERE / "units.csv"
PERIODS = ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]
SEED = 20170719  # the day the work plan was issued
HEADER = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]
EVALUATORS = ["张敏", "李强", "王芳", "陈磊", "刘洋", "赵静"]
# deadlines (SPEC extension 1a): the implementation plan counts from the work points' publication;
# a simulated disclosure request is sent in the quarter's first weeks
PLAN_DAY = np.datetime64("2017-07-19")
QUARTER_START = {"2017Q3": "2017-07-03", "2017Q4": "2017-09-25", "2018Q1": "2018-01-08", "2018Q2": "2018-04-02"}
TEST_DAYS = {"2017Q3": "2017-09-", "2017Q4": "2017-12-", "2018Q1": "2018-03-", "2018Q2": "2018-06-"}

# a few units with a story a reader can follow across the rounds (quality 0..1, change per round)
STORIES = {
    "341323": (0.93, 0.005),  # 灵璧县: the standardisation model the plan cites, steadily on top
    "341324": (0.62, 0.08),  # 泗县: catches up round after round
    "341322": (0.86, -0.07),  # 萧县: slips
    "MAS": (0.58, 0.06),  # 马鞍山园区: new zone, improving
    "FGJ": (0.9, -0.01),  # 市房管局: good work, but its site goes down in 2017Q4 (veto caps it at 59)
    "TJJ": (0.95, 0.0),  # 市统计局: model department
    "RSJ": (0.68, 0.07),
    "GTJ": (0.83, -0.06),
}
# planned vetoes: (period, unit, check, evidence, note)
VETOES = [
    ("2017Q4", "FGJ", "GKX.2.2", "监测日志 2017-11-06至11-12 首页无法访问占比18%", "网站连续无法访问"),
    ("2018Q1", "MAS", "FWX.2.1", "暗访照片 2018Q1-MAS-大厅-01.jpg", "园区规划建设局单独设立办事大厅"),
]
SLUGS = {"341302": "yq", "341321": "ds", "341322": "xx", "341323": "lb", "341324": "sx"}
DOC_PREFIX = {"county": "政", "park": "管", "department": "办", "central": "发"}


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    group: str

    @property
    def host(self) -> str:
        return f"http://{SLUGS.get(self.unit_id, self.unit_id.lower())}.sz-demo.gov.cn"


def _quality(units: list[Unit], rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    base = {"county": (0.8, 0.08), "park": (0.7, 0.08), "department": (0.78, 0.1), "central": (0.8, 0.05)}
    out = {}
    for u in units:
        mean, sd = base[u.group]
        out[u.unit_id] = (float(np.clip(rng.normal(mean, sd), 0.45, 0.97)), float(rng.normal(0, 0.025)))
    out.update(STORIES)
    return out


def _evidence(u: Unit, check: str, period: str, k: int, rng: np.random.Generator) -> str:
    kind = rng.integers(0, 3)
    if kind == 0:
        return f"{u.host}/xxgk/{check.lower().replace('.', '-')}/{period.lower()}-{k:02d}.html"
    if kind == 1:
        return f"截图 {period}-{u.unit_id}-{check}-{k:02d}.png"
    year = period[:4]
    return f"宿{DOC_PREFIX[u.group]}〔{year}〕{int(rng.integers(1, 160))}号"


def _rows_for(
    u: Unit, check: pd.Series, period: str, q: float, rng: np.random.Generator, evaluator: str, day: str
) -> list[list[str]]:
    """The finding rows of one unit for one check in one round."""
    cid, method = check["check_id"], check["method"]
    row = lambda value, ev="", note="": [period, u.unit_id, cid, value, ev, note, evaluator, day]  # noqa: E731
    for vp, vu, vc, ev, note in VETOES:
        if (vp, vu, vc) == (period, u.unit_id, cid):
            return [row("是", ev, note)]
    if method == "veto":
        return [row("否")]
    # a few not-applicable items: no public-opinion event, no policy document issued this quarter
    if cid in ("GK4.1.1", "GK3.1.1") and u.group in ("department", "central") and rng.random() < 0.12:
        return [row("不涉及", "", "本季度无此类事项")]
    if method == "binary":
        ok = rng.random() < q
        return [row("通过" if ok else "未通过", _evidence(u, cid, period, 1, rng))]
    if method == "levels":
        labels = list(check["levels"])  # best first, as the rubric lists them
        x = np.clip(q + rng.normal(0, 0.12), 0, 1)
        idx = min(len(labels) - 1, int((1 - x) * len(labels) * 1.15))
        return [row(labels[idx], _evidence(u, cid, period, 1, rng))]
    if method == "ratio":
        x = float(np.clip(q + rng.normal(0.05, 0.1), 0.2, 1.0))
        # as evaluators write rates: a percent to one decimal, hundreds of distinct values a round
        return [row(f"{x * 100:.1f}%", f"测评记录 {period}-{u.unit_id}-{cid}.xlsx")]
    if method == "deadline":
        return [row(*_deadline_value(u, cid, period, q, rng))]
    if method == "bonus":
        n = int(rng.random() < (q - 0.75) * 0.6)
        return [row(str(n), f"省政府办公厅通报 {period} 第{int(rng.integers(1, 30))}期" if n else "")]
    # deduct: one row per finding, each with its own evidence, or a single 0
    cap = int(np.ceil(check["points"] / check["per_item"]))
    n = min(cap + 1, int(rng.poisson(max(0.0, 1 - q) * cap * 0.7)))
    if n == 0:
        return [row("0")]
    return [row("1", _evidence(u, cid, period, k + 1, rng)) for k in range(n)]


def _deadline_value(u: Unit, cid: str, period: str, q: float, rng: np.random.Generator) -> tuple[str, str, str]:
    """Received/answered dates (calendar days drawn by the unit's quality, across 国庆 and 春节 as
    they fall), or 未答复 for the weakest; with the evidence and a note."""
    plan = cid == "GK1.1.4"
    start = PLAN_DAY if plan else np.datetime64(QUARTER_START[period]) + int(rng.integers(0, 25))
    if rng.random() > q + 0.12:  # the record of the request (or of the search) is the evidence
        return (
            "未答复",
            f"测评记录 {period}-{u.unit_id}-{cid}.xlsx",
            "截至测评时未见公开" if plan else "截至测评时未收到答复",
        )
    typical, spread = (30 + (1 - q) * 40, 8) if plan else (14 + (1 - q) * 25, 5)
    end = start + max(0, int(rng.normal(typical, spread)))
    return f"{start}/{end}", _evidence(u, cid, period, 1, rng), ""


def generate_rows(period: str, units: list[Unit], checks: pd.DataFrame, pairs: set[tuple[str, str]], seed: int):
    rng = np.random.default_rng(seed)
    quality = _quality(units, np.random.default_rng(SEED))
    t = PERIODS.index(period)
    rows: list[list[str]] = []
    for i, u in enumerate(units):
        base, trend = quality[u.unit_id]
        q = float(np.clip(base + trend * t + rng.normal(0, 0.02), 0.3, 0.99))
        evaluator = EVALUATORS[(i + t) % len(EVALUATORS)]
        day = TEST_DAYS[period] + f"{int(rng.integers(1, 26)):02d}"
        for _, check in checks.iterrows():
            if (u.unit_id, check["check_id"]) in pairs:
                rows.extend(_rows_for(u, check, period, q, rng, evaluator, day))
    return rows


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _filled_template(template: bytes, rows: list[list[str]]) -> bytes:
    """The evaluator's workbook: the first finding in the main sheet, further ones on the second."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws, extra = wb[RESULTS_SHEET], wb[EXTRA_SHEET]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    where = {
        (ws.cell(r, col["单位编码"]).value, ws.cell(r, col["测评点编码"]).value): r for r in range(2, ws.max_row + 1)
    }
    done: set[tuple[str, str]] = set()
    for period, unit, check, value, evidence, note, evaluator, day in rows:
        typed: object = int(value) if value.isdigit() else (float(value[:-1]) / 100 if value.endswith("%") else value)
        if (unit, check) in done:
            extra.append([period, unit, check, typed, evidence or None, note or None, evaluator, day])
            continue
        done.add((unit, check))
        r = where[(unit, check)]
        for name, v in (("结果", typed), ("佐证", evidence), ("备注", note), ("测评人", evaluator), ("测评时间", day)):
            ws.cell(r, col[name]).value = v if v != "" else None
        if isinstance(typed, float):
            ws.cell(r, col["结果"]).number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def generate(out: Path, records_out: Path | None = None) -> list[Path]:
    rubric = load_rubric(RUBRIC)
    roster = read_roster(UNITS, rubric)
    units = [Unit(r.unit_id, r.name, r.group) for r in roster.itertuples()]
    pairs = set(map(tuple, rubric.applicability(roster)[["unit_id", "check_id"]].to_numpy()))
    checks = rubric.checks
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for t, period in enumerate(PERIODS):
        rows = generate_rows(period, units, checks, pairs, SEED + t)
        csv_path = out / f"{period}.csv"
        csv_path.write_bytes(_csv_bytes(rows))
        xlsx_path = out / f"{period}.xlsx"
        xlsx_path.write_bytes(_filled_template(build_template(rubric, roster, period), rows))
        written += [csv_path, xlsx_path]
    if records_out is not None:
        ids, names = [u.unit_id for u in units], [u.name for u in units]
        written += write_demo_records(ids, names, records_out, SEED)
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(HERE / "results"), help="folder for the round files")
    p.add_argument("--records-out", default=str(HERE / "records"), help="folder for the platforms' exports")
    args = p.parse_args()
    for path in generate(Path(args.out), Path(args.records_out)):
        print(path)


if __name__ == "__main__":
    main()
