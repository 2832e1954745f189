"""An independent, row-by-row reference for `assess records` (SPEC extension 6).

Written on purpose as plain Python loops over records, with working days counted one day at a
time (``chinese_calendar.is_workday`` plus the rubric's ``calendar``), exact fractions and its own
file readers (the ``csv`` module, openpyxl, pyarrow only to get rows): it shares no code with the
engine in ``scoring/``, so that the differential test compares two independent readings of the
SPEC. It assumes valid input (the bad-input tests are elsewhere).

Where SPEC 6 is silent, the reading taken here is written beside the code as ``READING:``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

__all__ = ["Calendar", "format_ratio", "read_records", "reference_values"]

COLUMNS = {
    "cases": {
        "case_id": "办件编号",
        "unit_id": "单位编码",
        "item_code": "事项编码",
        "channel": "办理渠道",
        "accepted_at": "受理时间",
        "finished_at": "办结时间",
        "promised_days": "承诺时限",
        "statutory_days": "法定时限",
        "visits": "跑动次数",
    },
    "ratings": {
        "rating_id": "评价编号",
        "unit_id": "单位编码",
        "case_id": "办件编号",
        "rated_at": "评价时间",
        "level": "评价等级",
        "verified": "核实结果",
        "fixed_at": "整改完成时间",
        "callback_at": "回访时间",
    },
    "accounts": {"account_id": "账号编码", "unit_id": "单位编码", "platform": "平台", "name": "账号名称"},
    "posts": {"account_id": "账号编码", "published_at": "发布时间", "title": "标题"},
    "roster": {"unit_id": "单位编码", "name": "单位名称", "group": "分组"},
}
CHANNEL = {
    "online": "online",
    "网上办理": "online",
    "mobile": "mobile",
    "移动端": "mobile",
    "window": "window",
    "窗口": "window",
    "self_service": "self_service",
    "自助终端": "self_service",
}
LEVEL = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}
CASE_MEASURES = {"on_time_rate", "overdue_cases", "online_rate", "instant_rate", "one_visit_rate", "time_reduction"}
RATING_MEASURES = {"satisfaction", "bad_fixed_on_time", "callback_rate"}
DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


class Calendar:
    """Working days on the rubric's calendar (SPEC extension 1a), decided one day at a time."""

    def __init__(self, spec: dict[str, Any] | None) -> None:
        spec = spec or {}
        self.own_years = {int(y) for y in spec.get("years", [])}
        self.holidays = {dt.date.fromisoformat(str(d)) for d in spec.get("holidays", [])}
        self.workdays = {dt.date.fromisoformat(str(d)) for d in spec.get("workdays", [])}
        self._memo: dict[tuple[dt.date, dt.date], int] = {}

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if day.year in self.own_years:
            return day.weekday() < 5
        return chinese_calendar.is_workday(day)  # NotImplementedError for a year it does not cover

    def taken(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d ≤ end (0 when end ≤ start)."""
        key = (start, end)
        if key not in self._memo:
            count, day = 0, start + dt.timedelta(days=1)
            while day <= end:
                count += self.is_workday(day)
                day += dt.timedelta(days=1)
            self._memo[key] = count
        return self._memo[key]


def format_ratio(part: Fraction | int, whole: Fraction | int = 1) -> str:
    """A fraction with exactly 6 decimals, rounded half-up from the exact value.

    READING: SPEC 6 says "fractions with 6 decimals" without a rounding rule; the project rounds
    half-up everywhere else (SPEC §1 step 6), so 1/128 = 0.0078125 is written 0.007813."""
    x = Fraction(part) / Fraction(whole)
    q = (x * 10**6 + Fraction(1, 2)).__floor__()
    return f"{q // 10**6}.{q % 10**6:06d}"


# ---------------------------------------------------------------- reading rows


def _header_map(header: Sequence[Any], kind: str) -> dict[int, str]:
    names = {}
    for en, zh in COLUMNS[kind].items():
        names[en] = en
        names[zh] = en
    return {i: names[str(h).strip()] for i, h in enumerate(header) if h is not None and str(h).strip() in names}


def _rows(path: Path, kind: str) -> Iterable[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        where = _header_map(table.column_names, kind)
        for raw in table.to_pylist():
            values = list(raw.values())
            yield {name: values[i] for i, name in where.items()}
    elif suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            header = next(it, None)
            if header is None:
                continue
            where = _header_map(header, kind)
            if not where:
                continue
            for raw in it:
                if all(v is None or str(v).strip() == "" for v in raw):
                    continue
                yield {name: raw[i] if i < len(raw) else None for i, name in where.items()}
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        reader = csv.reader(io.StringIO(text, newline=""))
        where = _header_map(next(reader), kind)
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            yield {name: raw[i] if i < len(raw) else "" for i, name in where.items()}


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _moment(v: Any) -> dt.datetime | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    s = str(v).strip()
    if not s:
        return None
    m = DATE.match(s)
    if not m:
        raise ValueError(f"not a date: {s!r}")
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
    return dt.datetime(y, mo, d, h, mi, sec)


def _whole(v: Any) -> int | None:
    s = _text(v)
    if s is None:
        return None
    f = float(s)
    if not f.is_integer() or f < 0:
        raise ValueError(f"not a whole number: {s!r}")
    return int(f)


def _level(v: Any) -> int:
    s = _text(v)
    return LEVEL[s] if s in LEVEL else int(s)


def read_records(path: str | Path, kind: str) -> list[dict[str, Any]]:
    """Every row of one file as typed values (datetimes, whole numbers, channel codes, levels)."""
    out = []
    for row in _rows(Path(path), kind):
        rec: dict[str, Any] = {k: _text(row.get(k)) for k in COLUMNS[kind]}
        for k in ("accepted_at", "finished_at", "rated_at", "fixed_at", "callback_at", "published_at"):
            if k in COLUMNS[kind]:
                rec[k] = _moment(row.get(k))
        for k in ("promised_days", "statutory_days", "visits"):
            if k in COLUMNS[kind]:
                rec[k] = _whole(row.get(k))
        if kind == "cases":
            rec["channel"] = CHANNEL[rec["channel"]]
        if kind == "ratings":
            rec["level"] = _level(row.get("level"))
        out.append(rec)
    return out


def _roster(path: Path) -> list[tuple[str, str]]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        ws = wb["units"] if "units" in wb.sheetnames else wb.worksheets[0]
        rows = [[_text(v) or "" for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    where = {name: i for i, name in _header_map(rows[0], "roster").items()}
    return [(r[where["unit_id"]].strip(), r[where["group"]].strip()) for r in rows[1:] if any(c.strip() for c in r)]


def _records_checks(rubric: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for track in rubric["tracks"]:
        for dim in track["dimensions"]:
            for ind in dim["indicators"]:
                out.extend(c for c in ind["checks"] if c.get("records"))
    return out


def _applies(check: dict[str, Any], unit: str, group: str) -> bool:
    if "units" in check:
        return unit in check["units"]
    return group in check.get("applies_to", [group])


# ---------------------------------------------------------------- the measures


def reference_values(
    rubric_path: str | Path,
    units_path: str | Path,
    period: str,
    start: str,
    end: str,
    cases: Sequence[str | Path] = (),
    ratings: Sequence[str | Path] = (),
    accounts: str | Path | None = None,
    posts: Sequence[str | Path] = (),
    lost: dict[tuple[str, str], set[str]] | None = None,
) -> dict[tuple[str, str], str]:
    """The value `assess records` writes for each (roster unit, records-measured check applying
    to it) whose source files were given, keyed by (unit_id, check_id). With ``lost``, also the ids
    of the records that cost points under on_time_rate and overdue_cases (the late and overdue
    cases) and bad_fixed_on_time (the 差评 due and not fixed in time), by the same key."""
    del period  # the rows' period is the CLI's argument; values do not depend on it
    rubric = yaml.safe_load(Path(rubric_path).read_text(encoding="utf-8"))
    cal = Calendar(rubric.get("calendar"))
    roster = _roster(Path(units_path))
    on_roster = {u for u, _ in roster}
    frm, to = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    inside = lambda m: m is not None and frm <= m.date() <= to  # noqa: E731 - the window, by date

    all_cases = [r for p in cases for r in read_records(p, "cases") if r["unit_id"] in on_roster]
    # a 不属实 rating is left out of every measure (SPEC 6), rating_coverage included
    all_ratings = [
        r
        for p in ratings
        for r in read_records(p, "ratings")
        if r["unit_id"] in on_roster and r["verified"] != "不属实"
    ]
    all_accounts = [r for r in read_records(accounts, "accounts") if r["unit_id"] in on_roster] if accounts else []
    newest: dict[str, dt.date] = {}
    for p in posts:
        for post in read_records(p, "posts"):
            day = post["published_at"].date()
            if day <= to and (post["account_id"] not in newest or day > newest[post["account_id"]]):
                newest[post["account_id"]] = day
    # READING: rating_coverage counts the ratings of the window (rated from --from to --to): a rating
    # given after --to did not exist at --to, and "records outside [the window] are ignored".
    rated_cases = {r["case_id"] for r in all_ratings if r["case_id"] and inside(r["rated_at"])}

    by_unit: dict[str, dict[str, list[dict[str, Any]]]] = {u: {"c": [], "r": [], "a": []} for u in on_roster}
    for r in all_cases:
        by_unit[r["unit_id"]]["c"].append(r)
    for r in all_ratings:
        by_unit[r["unit_id"]]["r"].append(r)
    for r in all_accounts:
        by_unit[r["unit_id"]]["a"].append(r)

    def measure(name: str, params: dict[str, Any], rec: dict[str, list[dict[str, Any]]], ids: set[str]) -> str:
        cs, rs, acs = rec["c"], rec["r"], rec["a"]
        finished = [c for c in cs if inside(c["finished_at"])]
        accepted = [c for c in cs if inside(c["accepted_at"])]
        if name == "on_time_rate":
            if not finished:
                return "NA"
            on_time = 0
            for c in finished:
                ok = cal.taken(c["accepted_at"].date(), c["finished_at"].date()) <= c["promised_days"]
                on_time += ok
                if not ok:
                    ids.add(c["case_id"])
            return format_ratio(on_time, len(finished))
        if name == "overdue_cases":
            # READING: "unfinished at --to" = accepted on or before --to and with no finish on or
            # before --to (an empty finished_at, or one after --to), whenever it was accepted; its
            # promised deadline has passed when taken(accepted, --to) > promised_days. The records
            # the count looks at are these and the cases finished in the window: none → NA.
            open_at_to = [
                c
                for c in cs
                if c["accepted_at"].date() <= to and (c["finished_at"] is None or c["finished_at"].date() > to)
            ]
            if not finished and not open_at_to:
                return "NA"
            late = 0
            for c in finished:
                if cal.taken(c["accepted_at"].date(), c["finished_at"].date()) > c["promised_days"]:
                    late += 1
                    ids.add(c["case_id"])
            for c in open_at_to:
                if cal.taken(c["accepted_at"].date(), to) > c["promised_days"]:
                    late += 1
                    ids.add(c["case_id"])
            return str(late)
        if name in ("online_rate", "instant_rate"):
            if not accepted:
                return "NA"
            hits = 0
            for c in accepted:
                hits += c["channel"] in ("online", "mobile") if name == "online_rate" else c["promised_days"] == 0
            return format_ratio(hits, len(accepted))
        if name == "one_visit_rate":
            max_visits = params.get("max_visits", 1)
            recorded = [c for c in accepted if c["visits"] is not None]
            if not recorded:
                return "NA"
            return format_ratio(sum(c["visits"] <= max_visits for c in recorded), len(recorded))
        if name == "time_reduction":
            # READING: the filter (accepted in the window, an item_code, statutory_days > 0) comes
            # first, then each item's latest case by acceptance time; cases accepted at the very same
            # moment: the later row (files in the order given) counts.
            latest: dict[str, dict[str, Any]] = {}
            for c in accepted:
                if c["item_code"] and c["statutory_days"] is not None and c["statutory_days"] > 0:
                    seen = latest.get(c["item_code"])
                    if seen is None or c["accepted_at"] >= seen["accepted_at"]:
                        latest[c["item_code"]] = c
            if not latest:
                return "NA"
            total = Fraction(0)
            for c in latest.values():
                total += max(Fraction(0), 1 - Fraction(c["promised_days"], c["statutory_days"]))
            return format_ratio(total, len(latest))
        window = [r for r in rs if inside(r["rated_at"])]
        bad = [r for r in window if r["level"] <= 2]
        if name == "satisfaction":
            return format_ratio(sum(r["level"] >= 3 for r in window), len(window)) if window else "NA"
        if name == "bad_fixed_on_time":
            # READING: the deadline is the `days`-th working day after the rating's date; it is
            # ≤ --to exactly when taken(rated, --to) ≥ days. Fixed on time: taken(rated, fixed) ≤ days.
            days = params.get("days", 5)
            due = []
            for r in bad:
                fixed = r["fixed_at"]
                if cal.taken(r["rated_at"].date(), to) >= days or (fixed is not None and fixed.date() <= to):
                    due.append(r)
            if not due:
                return "NA"
            ok = 0
            for r in due:
                fixed = r["fixed_at"]
                in_time = fixed is not None and cal.taken(r["rated_at"].date(), fixed.date()) <= days
                ok += in_time
                if not in_time:
                    ids.add(r["rating_id"])
            return format_ratio(ok, len(due))
        if name == "callback_rate":
            # READING: "with a callback_at" as written: a callback of any date counts.
            if not bad:
                return "NA"
            return format_ratio(sum(r["callback_at"] is not None for r in bad), len(bad))
        if name == "rating_coverage":
            if not finished:
                return "NA"
            return format_ratio(sum(c["case_id"] in rated_cases for c in finished), len(finished))
        if name == "stale_accounts":
            # READING: a unit without accounts has an empty denominator: NA (for veto too).
            if not acs:
                return "NA"
            days = params.get("days", 14)
            stale = 0
            for a in acs:
                last = newest.get(a["account_id"])
                stale += last is None or (to - last).days > days
            return str(stale)
        raise ValueError(f"unknown measure {name}")

    out: dict[tuple[str, str], str] = {}
    for check in _records_checks(rubric):
        params = dict(check["records"])
        name = params.pop("measure")
        given = {
            "cases": bool(cases),
            "ratings": bool(ratings),
            "accounts": accounts is not None,
        }
        # READING: rating_coverage needs both cases and ratings; stale_accounts needs the accounts
        # (without posts every account has no post).
        if name in CASE_MEASURES and not given["cases"]:
            continue
        if name in RATING_MEASURES and not given["ratings"]:
            continue
        if name == "rating_coverage" and not (given["cases"] and given["ratings"]):
            continue
        if name == "stale_accounts" and not given["accounts"]:
            continue
        for unit, group in roster:
            if not _applies(check, unit, group):
                continue
            ids: set[str] = set()
            value = measure(name, params, by_unit[unit], ids)
            if lost is not None:
                lost[(unit, check["id"])] = ids
            if check["method"] == "veto" and value != "NA":
                value = "1" if int(value) > 0 else "0"
            out[(unit, check["id"])] = value
    return out
