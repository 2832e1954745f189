"""Two independent scorers written from docs/formats.md, to check the engine and to time it against.

- ``rowwise_scores``: the straightforward way, one Python loop over the result rows and dicts,
  validating each row as SPEC §2 asks (as the engine does in the time it is compared on).
- ``duckdb_scores``: the same formulas as DuckDB SQL over the same loaded frames.

Both return one row per (period, track, unit) with the published score, rank and veto flag. They
handle what the benchmark inputs use (groups via applies_to, both NA policies, every method);
they are references, not a second engine: the row-by-row one checks what SPEC §2 lists but
only counts its problems, and DuckDB does not validate at all.
"""

from __future__ import annotations

import decimal
import math
import re
from collections import defaultdict
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd

PASS = {"1", "true", "yes", "y", "pass", "是", "通过"}
FAIL = {"0", "false", "no", "n", "fail", "否", "未通过"}
NA = {"na", "n/a", "不涉及", "不适用"}
SINGLE_ROW = {"binary", "levels", "ratio", "veto", "deadline"}
UNANSWERED = {"未答复", "unanswered"}
DATE_PAIR = re.compile(r"(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})")


@cache
def working_days(received: str, answered: str) -> float | None:
    """Days after ``received`` up to ``answered`` that chinesecalendar calls workdays, one by one."""
    import chinese_calendar

    try:
        start, end = date.fromisoformat(received), date.fromisoformat(answered)
    except ValueError:
        return None
    if end < start:
        return None
    return float(sum(chinese_calendar.is_workday(start + timedelta(days=k)) for k in range(1, (end - start).days + 1)))


COLUMNS = ["period", "track", "unit_id", "score", "rank", "vetoed"]


def _half_up(x: float, decimals: int = 2) -> float:
    f = 10.0**decimals
    return math.floor(round(x * f, 6) + 0.5) / f


def _published(x: float, decimals: int, mode: str) -> float:
    """The rubric's rounding on the value snapped to 6 decimals, ties decided by ``decimal``."""
    if mode == "half_up":
        return _half_up(x, decimals)
    scaled = decimal.Decimal(round(x * 10.0**decimals, 6))  # a snapped tie is exactly k + 0.5 in binary
    return float(scaled.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_EVEN)) / 10.0**decimals


def _number(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def _parse(c: dict, v: str) -> float | None:
    """The method's number for a trimmed, lower-cased value, or None if the method does not accept it."""
    m = c["method"]
    if m in ("binary", "veto"):
        return 1.0 if v in PASS or _number(v) == 1 else 0.0 if v in FAIL or _number(v) == 0 else None
    if m == "levels":
        return c["_levels"].get(v)
    if m == "ratio":
        x = _number(v[:-1]) / 100 if v.endswith("%") and _number(v[:-1]) is not None else _number(v)
        return x if x is not None and 0 <= x <= 1 else None
    if m == "deadline":
        if v in UNANSWERED:
            return -1.0
        pair = DATE_PAIR.fullmatch(v)
        if pair:
            return working_days(pair.group(1), pair.group(2))
    x = _number(v)
    return x if x is not None and x >= 0 and x == int(x) else None


def _read_rows(rubric, roster: pd.DataFrame, results: pd.DataFrame):
    """Validate every row as SPEC §2 asks; the per-key totals, NA flags and first rows."""
    checks = {c["check_id"]: c for c in rubric.checks.to_dict("records")}
    for c in checks.values():
        c["_levels"] = {str(k).strip().lower(): f for k, f in (c["levels"] or {}).items()}
        c["_labels"] = {str(k).strip().lower(): str(k) for k in (c["levels"] or {})}
    groups = dict(zip(roster["unit_id"], roster["group"], strict=True))
    total: dict[tuple, float] = defaultdict(float)
    na: dict[tuple, bool] = defaultdict(bool)
    seen: dict[tuple, int] = {}
    label: dict[tuple, str] = {}
    errors: list[str] = []
    for row, (period, unit, check, value) in enumerate(zip(results["period"], results["unit_id"],
                                                           results["check_id"], results["value"], strict=True)):  # fmt: skip
        c = checks.get(check)
        if unit not in groups:
            errors.append(f"row {row}: unknown unit {unit}")
        if c is None:
            errors.append(f"row {row}: unknown check {check}")
        if unit not in groups or c is None:
            continue
        if c["applies_to"] is not None and groups[unit] not in c["applies_to"]:
            errors.append(f"row {row}: {check} does not apply to {unit}")
            continue
        v = str(value).strip().lower()
        key = (period, unit, check)
        if key in seen and (c["method"] in SINGLE_ROW or v in NA or na[key]):
            errors.append(f"row {row}: repeats row {seen[key]}")
        seen.setdefault(key, row)
        if v in NA:
            na[key] = True
            continue
        num = _parse(c, v)
        if num is None:
            errors.append(f"row {row}: {check} does not accept {value!r}")
            continue
        total[key] += num
        if c["method"] == "levels":
            label[key] = c["_labels"][v]
    periods = sorted({k[0] for k in seen})
    for period in periods:
        for unit, group in groups.items():
            for check, c in checks.items():
                applies = c["applies_to"]
                if (applies is None or group in applies) and (period, unit, check) not in seen:
                    errors.append(f"{period} {unit}: no result for {check}")
    if errors:
        raise ValueError(f"{len(errors)} problems, first: {errors[0]}")
    return checks, groups, total, na, seen, label


def rowwise_values(rubric, roster: pd.DataFrame, results: pd.DataFrame) -> dict[tuple, str]:
    """The normalised ``value`` of check_scores.csv for every (period, unit, check) with rows (SPEC §3)."""
    checks, _, total, na, seen, label = _read_rows(rubric, roster, results)
    out = {}
    for key in seen:
        m = checks[key[2]]["method"]
        if na[key]:
            out[key] = "NA"
        elif m == "levels":
            out[key] = label[key]
        elif m == "ratio":
            out[key] = f"{total[key]:.6f}".rstrip("0").rstrip(".") or "0"
        elif m == "deadline" and total[key] < 0:
            out[key] = "unanswered"
        else:
            out[key] = str(round(total[key]))
    return out


def rowwise_scores(rubric, roster: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Validate every row as SPEC §2 asks (the engine's timed work includes this), then score."""
    checks, groups, total, na, seen, _ = _read_rows(rubric, roster, results)
    tracks = {t["track_id"]: t for t in rubric.tracks.to_dict("records")}
    periods = sorted({k[0] for k in seen})
    acc: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0.0, math.inf])
    failed: set[tuple] = set()  # (period, track, unit) with a veto of effect 'unscored' found
    pools: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])  # (period, track, unit, pool): points, asked
    for period in periods:
        for unit, group in groups.items():
            for check, c in checks.items():
                applies = c["applies_to"]
                if applies is not None and group not in applies:
                    continue
                key = (period, unit, check)
                t = tracks[c["track_id"]]
                a = acc[(period, c["track_id"], unit)]
                m, pts, x = c["method"], c["points"], total.get(key, 0.0)
                if m == "veto":
                    if key in seen and not na[key] and x == 1:
                        if c.get("unscored"):
                            failed.add((period, c["track_id"], unit))
                        else:
                            a[4] = min(a[4], c["cap"])
                    continue
                if m == "bonus":
                    if not na[key]:
                        a[3] += min(pts, c["per_item"] * x)
                    continue
                if na[key]:
                    if t["na_policy"] == "full":
                        a[0], a[1], a[2] = a[0] + pts, a[1] + pts, a[2] + 1
                    continue
                if m in ("binary", "levels"):
                    earned = pts * x
                elif m == "ratio":
                    earned = pts * min(1.0, max(0.0, (x - c["floor"]) / (c["target"] - c["floor"])))
                elif m == "deadline":
                    late = x - c["limit"]
                    per_day = c["per_day"]
                    if x < 0 or (late > 0 and math.isnan(per_day)):
                        earned = 0.0
                    else:
                        earned = pts if late <= 0 else max(0.0, pts - per_day * late)
                elif c.get("pool") is not None:
                    # 扣完为止 per indicator: the pool's scored points less its deductions, at least 0
                    a[1], a[2] = a[1] + pts, a[2] + 1
                    if key in seen:
                        p = pools[(period, c["track_id"], unit, c["pool"])]
                        p[0], p[1] = p[0] + pts, p[1] + c["per_item"] * x
                    continue
                else:
                    earned = max(0.0, pts - c["per_item"] * x)
                a[0], a[1], a[2] = a[0] + earned, a[1] + pts, a[2] + 1
    for (period, track, unit, _), (points, asked) in pools.items():
        acc[(period, track, unit)][0] += max(0.0, points - asked)
    rows = []
    for (period, track, unit), (e, m, n, bonus, cap) in acc.items():
        if n == 0:
            continue
        t = tracks[track]
        base = 100 * e / m
        above = t.get("bonus_above", math.nan)
        shown = _published(base, rubric.spec.rounding.decimals, rubric.spec.rounding.mode)
        withheld = shown < t.get("bonus_min_base", math.nan) or shown <= above
        score = base + (0.0 if withheld else min(t["bonus_max"], bonus))
        score = min(score, cap)
        if (period, track, unit) in failed:  # 单项否决: 不合格, no score at all
            rows.append([period, track, unit, groups[unit], math.nan, True])
            continue
        published = _published(score, rubric.spec.rounding.decimals, rubric.spec.rounding.mode)
        rows.append([period, track, unit, groups[unit], published, math.isfinite(cap)])
    out = pd.DataFrame(rows, columns=["period", "track", "unit_id", "group", "score", "vetoed"])
    # an unscored unit ranks after every scored one of its group
    key = out["score"].fillna(-math.inf)
    out["rank"] = (
        key.groupby([out["period"], out["track"], out["group"]]).rank(method="min", ascending=False).astype(int)
    )
    return out[COLUMNS].sort_values(["period", "track", "unit_id"]).reset_index(drop=True)


SQL = """
WITH f AS (
    SELECT r.period, r.unit_id, r.check_id, lower(trim(r.value)) AS v, c.method
    FROM results r JOIN checks c USING (check_id)
), parsed AS (
    SELECT f.period, f.unit_id, f.check_id, f.v IN ('na', 'n/a', '不涉及', '不适用') AS is_na,
        CASE WHEN f.method IN ('binary', 'veto')
                 THEN CASE WHEN f.v IN ('1', 'true', 'yes', 'y', 'pass', '是', '通过') THEN 1.0 ELSE 0.0 END
             WHEN f.method = 'levels' THEN lv.fraction
             WHEN f.method = 'ratio' AND f.v LIKE '%\\%' ESCAPE '\\'
                 THEN TRY_CAST(rtrim(f.v, '%') AS DOUBLE) / 100
             WHEN f.method = 'deadline' AND f.v IN ('未答复', 'unanswered') THEN -1.0
             WHEN f.method = 'deadline' AND f.v LIKE '%/%' THEN ca.n - cr.n
             ELSE TRY_CAST(f.v AS DOUBLE) END AS num
    FROM f LEFT JOIN levels lv ON lv.check_id = f.check_id AND lv.label = f.v
      -- working days as a running count over the calendar: taken = count(answered) - count(received)
      LEFT JOIN workdays cr ON f.method = 'deadline' AND cr.d = TRY_CAST(trim(split_part(f.v, '/', 1)) AS DATE)
      LEFT JOIN workdays ca ON f.method = 'deadline' AND ca.d = TRY_CAST(trim(split_part(f.v, '/', 2)) AS DATE)
), agg AS (
    SELECT period, unit_id, check_id, sum(CASE WHEN is_na THEN 0 ELSE num END) AS total,
           bool_or(is_na) AS na, count(*) AS n
    FROM parsed GROUP BY ALL
), app AS (
    SELECT p.period, u.unit_id, u.grp, c.*
    FROM units u CROSS JOIN periods p JOIN checks c
      ON c.applies_to IS NULL OR list_contains(c.applies_to, u.grp)
), j AS (
    SELECT app.*, coalesce(agg.total, 0) AS total, coalesce(agg.na, false) AS na, coalesce(agg.n, 0) AS n,
           t.na_policy, t.bonus_max
    FROM app LEFT JOIN agg USING (period, unit_id, check_id) JOIN tracks t USING (track_id)
), e AS (
    SELECT *,
        CASE WHEN na THEN CASE WHEN is_base AND na_policy = 'full' THEN points ELSE 0 END
             WHEN method IN ('binary', 'levels') THEN points * total
             WHEN method = 'ratio' THEN points * greatest(least((total - floor) / (target - floor), 1), 0)
             WHEN method = 'deduct' THEN greatest(points - per_item * total, 0)
             WHEN method = 'bonus' THEN least(points, per_item * total)
             WHEN method = 'deadline' THEN CASE WHEN total < 0 THEN 0 WHEN total <= lim THEN points
                                                WHEN per_day IS NULL THEN 0
                                                ELSE greatest(points - per_day * (total - lim), 0) END
             ELSE 0 END AS earned,
        CASE WHEN is_base AND NOT (na AND na_policy = 'rescale') THEN points ELSE 0 END AS mx,
        method = 'veto' AND n > 0 AND NOT na AND total = 1 AS violated
    FROM j
), t AS (
    SELECT period, track_id, unit_id, grp, any_value(bonus_max) AS bonus_max,
        sum(CASE WHEN is_base THEN earned ELSE 0 END) AS be, sum(mx) AS bm,
        sum(CASE WHEN method = 'bonus' THEN earned ELSE 0 END) AS bon,
        min(CASE WHEN violated THEN cap END) AS vcap
    FROM e GROUP BY period, track_id, unit_id, grp
), s AS (
    SELECT *, least(100 * be / bm + least(bonus_max, bon), coalesce(vcap, 'infinity'::DOUBLE)) AS exact
    FROM t WHERE bm > 0
), pub AS (
    SELECT *, floor(round(exact * 100, 6) + 0.5) / 100 AS score FROM s
)
SELECT period, track_id AS track, unit_id, score,
       rank() OVER (PARTITION BY period, track_id, grp ORDER BY score DESC) AS rank,
       vcap IS NOT NULL AS vetoed
FROM pub ORDER BY period, track, unit_id
"""


def duckdb_inputs(rubric, roster: pd.DataFrame, periods: list[str]) -> dict[str, pd.DataFrame]:
    checks = rubric.checks[["check_id", "track_id", "method", "points", "per_item", "floor", "target", "cap",
                            "is_base", "applies_to", "limit", "per_day"]].rename(columns={"limit": "lim"})  # fmt: skip
    checks["applies_to"] = checks["applies_to"].map(lambda a: list(a) if a is not None else None)
    levels = pd.DataFrame(
        [(cid, str(lab).lower(), frac) for cid, lv in zip(rubric.checks["check_id"], rubric.checks["levels"],
                                                            strict=True) if lv for lab, frac in lv.items()],
        columns=["check_id", "label", "fraction"],
    )  # fmt: skip
    return {
        "checks": checks,
        "levels": levels,
        "units": roster.rename(columns={"group": "grp"})[["unit_id", "grp"]],
        "periods": pd.DataFrame({"period": periods}),
        "tracks": rubric.tracks[["track_id", "na_policy", "bonus_max"]],
        "workdays": _running_workdays(),
    }


def _running_workdays() -> pd.DataFrame:
    """Each day of the years chinesecalendar covers and the working days up to it, inclusive."""
    import chinese_calendar

    days = pd.date_range("2004-01-01", "2026-12-31", freq="D")
    work = np.array([chinese_calendar.is_workday(d.date()) for d in days], dtype=np.int64)
    return pd.DataFrame({"d": days.date, "n": np.cumsum(work)})


def duckdb_scores(con, tables: dict[str, pd.DataFrame], results: pd.DataFrame) -> pd.DataFrame:
    for name, frame in tables.items():
        con.register(name, frame)
    con.register("results", results)
    out = con.execute(SQL).df()
    out["rank"] = out["rank"].astype(int)
    out["vetoed"] = out["vetoed"].astype(bool)
    return out[COLUMNS]
