"""Deterministic synthetic inputs for the benchmark: a 300-check rubric, a roster, N findings.

The rubric has two tracks, three groups and every method; the findings cover every applicable
(unit, check) of every period once (deduct and bonus checks sometimes with a second row), with
a few not-applicable values, so that validation and scoring do all their work. Rates are continuous
and written as evaluators write them (:func:`rates`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

GROUPS = {"county": "县区政府", "department": "市直部门", "park": "园区管委会"}
METHODS = ["binary", "binary", "levels", "ratio", "deduct", "deadline", "levels", "deduct", "bonus", "veto"]
LEVELS = {"优": 1.0, "良": 0.8, "中": 0.6, "差": 0.0}
PERIODS = ["2017Q3", "2017Q4", "2018Q1", "2018Q2"]


def rubric_dict() -> dict:
    tracks = []
    n = 0
    for t, (tid, kind, weight) in enumerate([("disclosure", "disclosure", 0.04), ("service", "service", 0.03)]):
        dims = []
        for d in range(5):
            inds = []
            for i in range(6):
                checks = []
                for c in range(5):
                    method = METHODS[n % len(METHODS)]
                    check = {"id": f"{tid[0].upper()}{d + 1}.{i + 1}.{c + 1}", "name": f"测评点{n}", "method": method}
                    if method == "veto":
                        check["cap"] = 59 if n % 20 else 0
                    else:
                        check["points"] = float(1 + n % 4)
                    if method == "levels":
                        check["levels"] = LEVELS
                    if method == "ratio":
                        check.update(floor=0.5, target=1.0)
                    if method in ("deduct", "bonus"):
                        check["per_item"] = 0.5
                    if method == "deadline":
                        check["limit"] = 15 + n % 10
                        if n % 3:
                            check["per_day"] = 0.5
                    if n % 17 == 0 and method != "veto":
                        check["applies_to"] = ["county", "park"]
                    checks.append(check)
                    n += 1
                inds.append({"id": f"{tid[0].upper()}{d + 1}.{i + 1}", "name": f"指标{d}{i}", "checks": checks})
            dims.append({"id": f"{tid[0].upper()}{d + 1}", "name": f"维度{d}", "indicators": inds})
        tracks.append({"id": tid, "name": tid, "kind": kind, "weight": weight, "na_policy": "rescale" if t == 0 else "full",
                       "bonus_max": 5, "dimensions": dims})  # fmt: skip
    return {"id": "bench", "title": "基准测试", "version": "1", "target": {"total_points": 100}, "groups": GROUPS,
            "tracks": tracks}  # fmt: skip


def write_rubric(path: Path) -> Path:
    path.write_text(json.dumps(rubric_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def roster(n_units: int) -> pd.DataFrame:
    groups = np.array(list(GROUPS))[np.arange(n_units) % 3]
    ids = [f"U{i:06d}" for i in range(n_units)]
    return pd.DataFrame({"unit_id": ids, "name": [f"单位{i}" for i in range(n_units)], "group": groups})


def rates(rng: np.random.Generator, n: int, decimals: tuple[int, ...] = (1, 2, 3, 4, 5, 6)) -> np.ndarray:
    """``n`` continuous rates written as evaluators write them: percents to one or two decimals
    (``84.3%``) and fractions to one to six (``0.7353``), so a round holds thousands of distinct values."""
    x = rng.uniform(0.3, 1.0, n)
    d = rng.choice(np.asarray(decimals), n)
    pct = rng.random(n) < 0.5
    out = np.empty(n, dtype=object)
    for k in np.unique(d):
        f, p = (d == k) & ~pct, (d == k) & pct
        out[f] = np.char.mod(f"%.{k}f", x[f])
        out[p] = np.char.add(np.char.mod(f"%.{max(k - 2, 0)}f", 100 * x[p]), "%")
    return out


def deadlines(rng: np.random.Generator, n: int) -> np.ndarray:
    """Deadline values as evaluators write them: received/answered dates across 2017 国庆 and 2018
    春节 (half), working days counted by hand (four in ten), and 未答复 / unanswered."""
    received = np.datetime64("2017-09-01") + rng.integers(0, 200, n)
    answered = received + rng.integers(0, 45, n)
    out = np.char.add(np.char.add(received.astype(str), "/"), answered.astype(str)).astype(object)
    kind = rng.random(n)
    out[kind < 0.4] = rng.integers(0, 40, int((kind < 0.4).sum())).astype(str)
    out[(kind >= 0.4) & (kind < 0.45)] = "未答复"
    out[(kind >= 0.45) & (kind < 0.5)] = "unanswered"
    return out


def findings(
    target_rows: int,
    seed: int = 7,
    *,
    periods: list[str] = PERIODS,
    na_rate: float = 0.005,
    veto_rate: float = 0.002,
    decimals: tuple[int, ...] = (1, 2, 3, 4, 5, 6),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(roster, findings) with about ``target_rows`` findings over ``periods``."""
    from scoring import parse_rubric

    rubric = parse_rubric(json.dumps(rubric_dict(), ensure_ascii=False), "bench.yaml")
    checks = rubric.checks
    n_units = max(3, round(target_rows / (len(checks) * len(periods))))
    units = roster(n_units)
    pairs = rubric.applicability(units)
    rng = np.random.default_rng(seed)
    frame = pairs.merge(pd.DataFrame({"period": periods}), how="cross").merge(checks[["check_id", "method"]])
    m = frame["method"].to_numpy()
    r = rng.random(len(frame))
    value = np.empty(len(frame), dtype=object)
    value[m == "binary"] = np.where(r[m == "binary"] < 0.8, "1", "0")
    value[m == "veto"] = np.where(r[m == "veto"] < veto_rate, "1", "0")
    value[m == "levels"] = np.array(list(LEVELS))[(r[m == "levels"] * 4).astype(int)]
    value[m == "ratio"] = rates(rng, int((m == "ratio").sum()), decimals)
    counts = m == "deduct"
    value[counts] = (r[counts] * 4).astype(int).astype(str)
    value[m == "bonus"] = (r[m == "bonus"] < 0.1).astype(int).astype(str)
    value[m == "deadline"] = deadlines(rng, int((m == "deadline").sum()))
    value[(r > 1 - na_rate) & (m != "veto")] = "不涉及"
    frame["value"] = value
    # a second finding row for some deduct checks
    extra = frame[(m == "deduct") & (r < 0.05) & (frame["value"] != "不涉及")].assign(value="1")
    frame = pd.concat([frame, extra], ignore_index=True)
    frame["evidence"] = "http://u.example.gov.cn/" + frame["check_id"]
    return units, frame[["period", "unit_id", "check_id", "value", "evidence"]]


EVALUATORS = ["王晓明", "李红", "张建国", "陈静", "刘洋", "赵敏", "孙浩", "周丽"]
REMARKS = [
    '栏目"政策解读"最新一条为 {d},超过 3 个月未更新;已截图留存',
    "依申请公开答复超期,受理 {d},答复书未载明救济途径,且未\n告知申请人",
    "“政府信息公开年报”未按时发布({d} 检查),首页无入口,检索“年报”无结果",
    "办事指南要素不全:缺少办理时限、收费标准,咨询电话无法接通({d} 拨打 3 次)",
]


def as_offices_send(rows: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """The same findings as evaluators' files come (issue 34): rows in no particular order; evidence
    a page URL of its own per finding, often with a screenshot name or a remark in Chinese with
    commas, quotes and line breaks; a note now and then; the evaluator and the day of the test."""
    rng = np.random.default_rng(seed)
    n = len(rows)
    out = rows.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    day = (np.datetime64("2017-09-04") + rng.integers(0, 80, n)).astype(str)
    url = ("http://www." + out["unit_id"].str.lower() + ".gov.cn/zwgk/" + pd.Series(day).str.replace("-", "/")
           + "/art_" + pd.Series(rng.integers(1000, 99999, n).astype(str)) + ".html")  # fmt: skip
    kind = rng.random(n)
    shot = "截图 " + out["period"] + "-" + out["unit_id"] + "-" + out["check_id"] + "-01.png"
    which = rng.integers(0, len(REMARKS), n)
    before, after = (np.array([r.split("{d}")[i] for r in REMARKS], dtype=object)[which] for i in (0, 1))
    remark = before + pd.Series(day, dtype=object) + after
    evidence = url.copy()
    evidence[kind < 0.5] = url + ";" + shot
    evidence[kind < 0.25] = url + ";" + remark
    out["evidence"] = evidence
    note = np.full(n, "", dtype=object)
    note[kind > 0.9] = "复核后确认"
    out["note"] = note
    out["evaluator"] = np.array(EVALUATORS, dtype=object)[rng.integers(0, len(EVALUATORS), n)]
    out["checked_at"] = day
    return out
