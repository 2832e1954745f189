"""Synthetic exports of the service platforms' records (SPEC extension 6): 办件, 好差评, 政务新媒体.

DEMO AND TEST DATA: every id, name and number is invented, deterministic from a seed. The shapes
follow what the platforms export: ids like "BJ" + the acceptance date + a serial, a few hundred
item codes per unit used Zipf-like (a few items make most cases), cases accepted on working days
(rarely on a weekend or holiday), finish times with a long tail of overdue cases, 即办件 (promised 0)
for about a fifth, statutory limits missing for some items, ratings skewed to 非常满意 with a few %
差评 verified, fixed and called back (some late, some never, some 不属实), and accounts of which some
fall silent for weeks. Exports carry columns the reader must ignore (事项名称 with commas, quotes
and line breaks, 申请人类型, 评价渠道).

One export uses one vocabulary: ``vocabulary="zh"`` writes Chinese headers and values (网上办理,
非常满意) as the provincial platform's "导出Excel" does, ``"en"`` the English column names, channel
codes and level digits of the platform's data interface. Everything is vectorised over records
(numpy, pyarrow); the Python loops run over days, items or accounts only, so that ten million cases
take seconds.

    from sample_data.records_synth import synth_records, export_table, write_export
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = [
    "CHANNELS",
    "DEMO_PERIODS",
    "LEVELS",
    "NEXT_PERIOD",
    "PLATFORMS",
    "Records",
    "export_table",
    "synth_records",
    "write_demo_records",
    "write_export",
]

# code, Chinese value (SPEC 6); the order is the code stored in the synthetic tables
CHANNELS = [("online", "网上办理"), ("mobile", "移动端"), ("window", "窗口"), ("self_service", "自助终端")]
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
VERIFIED = {1: "属实", 2: "不属实"}  # 0 = not yet verified (empty)
PLATFORMS = ["微信公众号", "微博", "抖音", "头条号"]
DAY_S = 86_400

# (English, Chinese) header of each column; columns marked extra are what a real export adds
HEADERS = {
    "cases": [
        ("case_id", "办件编号"),
        ("unit_id", "单位编码"),
        ("item_code", "事项编码"),
        ("item_name", "事项名称"),  # extra
        ("applicant_type", "申请人类型"),  # extra
        ("channel", "办理渠道"),
        ("accepted_at", "受理时间"),
        ("finished_at", "办结时间"),
        ("promised_days", "承诺时限"),
        ("statutory_days", "法定时限"),
        ("visits", "跑动次数"),
    ],
    "ratings": [
        ("rating_id", "评价编号"),
        ("unit_id", "单位编码"),
        ("case_id", "办件编号"),
        ("rated_at", "评价时间"),
        ("level", "评价等级"),
        ("rating_channel", "评价渠道"),  # extra
        ("verified", "核实结果"),
        ("fixed_at", "整改完成时间"),
        ("callback_at", "回访时间"),
    ],
    "accounts": [("account_id", "账号编码"), ("unit_id", "单位编码"), ("platform", "平台"), ("name", "账号名称")],
    "posts": [("account_id", "账号编码"), ("published_at", "发布时间"), ("title", "标题")],
}

ITEM_NAMES = [
    "不动产登记(首次登记,转移登记)",
    "“个体工商户”设立登记",
    "住房公积金提取\n(离退休)",
    '食品经营许可证核发,"新办"',
    "社会保障卡申领",
    "居民身份证换领",
    "建设工程规划许可证核发",
    "城乡居民基本养老保险参保登记",
    "出生医学证明办理",
    "残疾人证办理, 换领",
    "道路运输经营许可",
    "药品零售企业许可(新办、变更)",
]
APPLICANTS = ["自然人", "法人", "其他组织"]
RATING_CHANNELS = ["窗口评价器", "网上评价", "移动端评价", "短信评价", "12345热线"]
TITLES = ["关于做好2017年度政务公开工作的通知", "今日提醒:办事指南更新", "“放管服”改革,我们这样做", "图解:一次办好"]


@dataclass(frozen=True)
class Records:
    """The four kinds of record as arrow tables in canonical form (English names, codes)."""

    cases: pa.Table
    ratings: pa.Table
    accounts: pa.Table
    posts: pa.Table


def _workday_flags(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    """Whether each day from first to last is a working day of the national calendar."""
    import chinese_calendar

    days = np.arange(first, last + 1, dtype="datetime64[D]")
    return np.array([chinese_calendar.is_workday(d.item()) for d in days])


def _join(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _stamp(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("int64"), type=pa.timestamp("s"), mask=missing)


def _yyyymmdd(day: np.ndarray) -> np.ndarray:
    d = day.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + dd


def synth_records(
    unit_ids: Sequence[str],
    start: str,
    end: str,
    cases: int,
    seed: int,
    *,
    unit_names: Sequence[str] | None = None,
    export_at: str | None = None,
    backlog_days: int = 30,
    rating_share: float = 0.2,
    accounts_per_unit: float = 0.9,
    serial_start: int = 1,
) -> Records:
    """Cases accepted from ``backlog_days`` before ``start`` to ``end`` (both ISO dates), their
    ratings, and the units' accounts with their posts, as an export made on ``export_at`` (default
    ``end``) sees them: anything that happened after that day is not in it yet."""
    rng = np.random.default_rng(seed)
    units = np.asarray(unit_ids, dtype=object)
    names = np.asarray(unit_names if unit_names is not None else [f"{u}单位" for u in units], dtype=object)
    n_units = len(units)
    first = np.datetime64(start, "D") - backlog_days
    last = np.datetime64(end, "D")
    export_day = np.datetime64(export_at or end, "D")
    horizon = export_day + 400  # finishes, fixes and callbacks land at most this far
    cal_first = first - 90
    flags = _workday_flags(cal_first, horizon)
    windex = np.cumsum(flags)  # working days up to and including each day
    workday_at = np.flatnonzero(flags)  # the k-th working day (0-based) as an offset from cal_first
    base = cal_first.astype(np.int64)

    # units: size (cases), quality (overdue, online, ratings), number of items
    quality = np.clip(rng.normal(0.85, 0.08, n_units), 0.5, 0.99)
    size = rng.lognormal(0, 0.9, n_units)
    n_items = rng.integers(100, 400, n_units)
    item_offset = np.concatenate([[0], np.cumsum(n_items)[:-1]])
    total_items = int(n_items.sum())

    # items: promised (0 for 即办件), statutory (≥ promised, sometimes equal, sometimes missing)
    instant = rng.random(total_items) < 0.2
    promised_i = np.where(instant, 0, np.minimum(20, 1 + rng.geometric(0.18, total_items) - 1))
    extra = rng.geometric(0.12, total_items) - 1
    equal = rng.random(total_items) < 0.15
    statutory_i = np.where(equal, promised_i, promised_i + 1 + extra).astype(float)
    statutory_i[rng.random(total_items) < 0.12] = np.nan
    statutory_i[instant & (rng.random(total_items) < 0.05)] = 0  # recorded as 0: not counted
    # some items shorten their promise mid-period: cases accepted from that day on carry the new one
    span = int((last - first).astype(np.int64)) + 1
    changes = rng.random(total_items) < 0.05
    change_day = np.where(changes, rng.integers(0, span, total_items), span + 1)
    promised_new = np.maximum(0, promised_i - rng.integers(1, 4, total_items))
    rank_all = np.concatenate([np.arange(k) for k in n_items])
    unit_of_item = np.repeat(np.arange(n_units), n_items)
    item_codes = pa.array(
        [f"{units[u]}-{k + 1:04d}" if k % 97 != 96 else "" for u, k in zip(unit_of_item, rank_all, strict=True)]
    )
    item_codes = pc.if_else(pc.equal(item_codes, ""), pa.scalar(None, pa.string()), item_codes)
    item_names = pa.array(ITEM_NAMES).take(pa.array(rank_all % len(ITEM_NAMES)))

    # cases
    n = cases
    unit = rng.choice(n_units, n, p=size / size.sum())
    rank = (n_items[unit] * rng.random(n) ** 3).astype(np.int64)
    item = item_offset[unit] + rank
    day_offsets = np.arange(int((first - cal_first).astype(np.int64)), int((last - cal_first).astype(np.int64)) + 1)
    weight = np.where(flags[day_offsets], 1.0, 0.015)
    accept_off = rng.choice(day_offsets, n, p=weight / weight.sum())
    accept_s = (base + accept_off) * DAY_S + 30_600 + rng.integers(0, 9 * 3600, n)
    promised = np.where(accept_off - day_offsets[0] >= change_day[item], promised_new[item], promised_i[item])
    statutory = statutory_i[item]
    late_p = 0.01 + 0.12 * (1 - quality[unit])
    late = rng.random(n) < late_p
    taken = np.where(
        promised == 0,
        np.where(rng.random(n) < 0.9, 0, rng.integers(1, 4, n)),
        np.round(promised * rng.beta(2.0, 2.2, n)).astype(np.int64),
    )
    taken = np.where(late, promised + rng.geometric(0.25, n), taken)
    finish_off = workday_at[np.minimum(windex[accept_off] - 1 + taken, len(workday_at) - 1)]
    finish_off = np.where(taken == 0, accept_off, finish_off)
    finish_off = finish_off + (rng.random(n) < 0.01)  # now and then finished the next calendar day
    same_day = finish_off == accept_off
    finish_s = np.where(
        same_day,
        accept_s + (rng.random(n) * np.maximum(0, (base + accept_off + 1) * DAY_S - 1 - accept_s)).astype(np.int64),
        (base + finish_off) * DAY_S + 30_600 + rng.integers(0, 9 * 3600, n),
    )
    stuck = rng.random(n) < 0.004  # never finished: waiting for the applicant, lost in the system
    unfinished = stuck | (base + finish_off > export_day.astype(np.int64))
    online_share = np.clip(quality[unit] - 0.25 + rng.normal(0, 0.05, n_units)[unit], 0.2, 0.95)
    r = rng.random(n)
    channel = np.where(
        r < online_share * 0.7, 0, np.where(r < online_share, 1, np.where(r < online_share + 0.05, 3, 2))
    )
    visits = np.where(
        channel <= 1,
        (rng.random(n) < 0.12).astype(np.int64),
        np.where(channel == 3, rng.integers(0, 2, n), rng.choice([1, 2, 3], n, p=[0.7, 0.22, 0.08])),
    )
    serial = np.arange(serial_start, serial_start + n)
    order = np.argsort(accept_s, kind="stable")  # exports are sorted by acceptance time
    unit, item, accept_s, accept_off = unit[order], item[order], accept_s[order], accept_off[order]
    promised, statutory, finish_s, unfinished = promised[order], statutory[order], finish_s[order], unfinished[order]
    channel, visits = channel[order], visits[order]
    case_ids = _join("BJ", _yyyymmdd(base + accept_off) * 10**8 + serial)
    case_table = pa.table(
        {
            "case_id": case_ids,
            "unit_id": pa.array(units.astype(str)).take(pa.array(unit)),
            "item_code": item_codes.take(pa.array(item)),
            "item_name": item_names.take(pa.array(item)),
            "applicant_type": pa.array(APPLICANTS).take(pa.array(rng.choice(3, n, p=[0.7, 0.27, 0.03]))),
            "channel": pa.array(channel.astype(np.int8)),
            "accepted_at": _stamp(accept_s),
            "finished_at": _stamp(finish_s, unfinished),
            "promised_days": pa.array(promised.astype(np.int64)),
            "statutory_days": pa.array(statutory, mask=np.isnan(statutory)).cast(pa.int64()),
            "visits": pa.array(visits.astype(np.int64), mask=rng.random(n) < 0.08),
        }
    )
    ratings = _synth_ratings(rng, case_table, unit, finish_s, unfinished, quality, units, first, last, export_day,
                             base, windex, workday_at, rating_share, serial_start)  # fmt: skip
    accounts, posts = _synth_accounts(rng, units, names, first, export_day, accounts_per_unit)
    return Records(case_table, ratings, accounts, posts)


def _synth_ratings(rng, case_table, unit, finish_s, unfinished, quality, units, first, last, export_day, base,
                   windex, workday_at, rating_share, serial_start) -> pa.Table:  # fmt: skip
    n_units = len(units)
    finished = np.flatnonzero(~unfinished)
    share = np.clip(rating_share * (0.5 + quality[unit[finished]]) / 1.35, 0, 1)
    rated = finished[rng.random(len(finished)) < share]
    again = rated[rng.random(len(rated)) < 0.02]  # rated twice (window and phone)
    on_case = np.concatenate([rated, again])
    k = len(on_case)
    rated_s = finish_s[on_case] + (rng.exponential(1.2, k) * DAY_S).astype(np.int64)
    # ratings naming no case (hotline, portal): about 5% more, over the whole period
    m = k // 19
    free_unit = rng.integers(0, n_units, m)
    free_s = (
        first.astype(np.int64) + rng.integers(0, int((last - first).astype(np.int64)) + 1, m)
    ) * DAY_S + rng.integers(28_800, 64_800, m)
    unit_r = np.concatenate([unit[on_case], free_unit])
    rated_s = np.concatenate([rated_s, free_s])
    keep = rated_s // DAY_S <= export_day.astype(np.int64)
    case_idx = np.concatenate([on_case, np.full(m, -1)])[keep]
    unit_r, rated_s = unit_r[keep], rated_s[keep]
    k = len(rated_s)
    q = quality[unit_r]
    bad_p = 0.01 + 0.25 * (1 - q)
    u = rng.random(k)
    level = np.select(
        [u < bad_p * 0.4, u < bad_p, u < bad_p + 0.05, u < bad_p + 0.05 + 0.15 * (1.2 - q)],
        [1, 2, 3, 4],
        5,
    )
    bad = level <= 2
    v = rng.random(k)
    verified = np.where(bad, np.where(v < 0.15, 2, np.where(v < 0.85, 1, 0)), 0)
    rated_day = rated_s // DAY_S - base
    fix_wd = np.where(rng.random(k) < 0.8, rng.integers(0, 6, k), rng.integers(6, 21, k))
    fix_off = workday_at[np.minimum(windex[rated_day] - 1 + fix_wd, len(workday_at) - 1)]
    fix_off = np.where(fix_wd == 0, rated_day, fix_off)
    fix_s = np.where(
        fix_off == rated_day,
        rated_s + (rng.random(k) * np.maximum(0, (base + rated_day + 1) * DAY_S - 1 - rated_s)).astype(np.int64),
        (base + fix_off) * DAY_S + 30_600 + rng.integers(0, 9 * 3600, k),
    )
    no_fix = ~bad | (verified == 2) | (rng.random(k) < 0.1) | (base + fix_off > export_day.astype(np.int64))
    after = np.where(no_fix, rated_s, fix_s)
    call_s = after + (rng.exponential(2.0, k) * DAY_S).astype(np.int64)
    no_call = ~bad | (rng.random(k) < 0.2) | (call_s // DAY_S > export_day.astype(np.int64))
    order = np.argsort(rated_s, kind="stable")
    serial = np.arange(serial_start, serial_start + k)
    case_ids = case_table.column("case_id").combine_chunks().take(pa.array(np.maximum(case_idx, 0)))
    case_ids = pc.if_else(pa.array(case_idx < 0), pa.scalar(None, pa.string()), case_ids)
    table = pa.table(
        {
            "rating_id": _join("PJ", _yyyymmdd(rated_s // DAY_S) * 10**8 + serial),
            "unit_id": pa.array(units.astype(str)).take(pa.array(unit_r)),
            "case_id": case_ids,
            "rated_at": _stamp(rated_s),
            "level": pa.array(level.astype(np.int8)),
            "rating_channel": pa.array(RATING_CHANNELS).take(pa.array(rng.integers(0, len(RATING_CHANNELS), k))),
            "verified": pa.array(verified.astype(np.int8)),
            "fixed_at": _stamp(fix_s, no_fix),
            "callback_at": _stamp(call_s, no_call),
        }
    )
    return table.take(pa.array(order))


def _synth_accounts(rng, units, names, first, export_day, per_unit) -> tuple[pa.Table, pa.Table]:
    n_units = len(units)
    count = rng.poisson(per_unit, n_units)
    owner = np.repeat(np.arange(n_units), count)
    a = len(owner)
    platform = rng.choice(len(PLATFORMS), a, p=[0.55, 0.2, 0.15, 0.1])
    prefix = np.array(["WX", "WB", "DY", "TT"])[platform]
    account_ids = [f"{p}{units[o]}{i:03d}" for i, (p, o) in enumerate(zip(prefix, owner, strict=True))]
    accounts = pa.table(
        {
            "account_id": pa.array(account_ids, pa.string()),
            "unit_id": pa.array(units[owner].astype(str), pa.string()),
            "platform": pa.array(np.array(PLATFORMS)[platform].astype(str), pa.string()),
            "name": pa.array([f"{names[o]}{PLATFORMS[p]}" for o, p in zip(owner, platform, strict=True)], pa.string()),
        }
    )
    # posts: a rate per account; some fall silent for weeks, some stopped long ago, a few never posted
    lo = first.astype(np.int64) - 60
    days = int(export_day.astype(np.int64) - lo) + 1
    rate = rng.gamma(1.5, 0.5, a)
    rate[rng.random(a) < 0.05] = 0
    per = rng.poisson(rate * days)
    acct = np.repeat(np.arange(a), per)
    day = lo + rng.integers(0, days, len(acct))
    gap_start = lo + rng.integers(0, days, a)
    gap_len = np.where(rng.random(a) < 0.3, rng.integers(15, 60, a), 0)
    gap_len[rng.random(a) < 0.05] = days  # stopped posting for good
    keep = ~((day >= gap_start[acct]) & (day < gap_start[acct] + gap_len[acct]))
    acct, day = acct[keep], day[keep]
    seconds = day * DAY_S + rng.integers(25_200, 79_200, len(day))
    order = np.lexsort((seconds, acct))
    posts = pa.table(
        {
            "account_id": accounts.column("account_id").combine_chunks().take(pa.array(acct[order])),
            "published_at": _stamp(seconds[order]),
            "title": pa.array(TITLES).take(pa.array(rng.integers(0, len(TITLES), len(acct)))),
        }
    )
    return accounts, posts


def export_table(records: Records, kind: str, vocabulary: str = "zh") -> pa.Table:
    """One kind of record as an export writes it: the vocabulary's headers and values."""
    table = getattr(records, kind)
    zh = vocabulary == "zh"
    if kind == "cases":
        words = [c[1] if zh else c[0] for c in CHANNELS]
        table = table.set_column(5, "channel", pa.array(words).take(table.column("channel").combine_chunks()))
    if kind == "ratings":
        levels = table.column("level").combine_chunks()
        words = pa.array([LEVELS.get(i, "") for i in range(6)]).take(levels) if zh else pc.cast(levels, pa.string())
        table = table.set_column(4, "level", words)
        verified = pa.array(["", "属实", "不属实"]).take(table.column("verified").combine_chunks())
        verified = pc.if_else(pc.equal(verified, ""), pa.scalar(None, pa.string()), verified)
        table = table.set_column(6, "verified", verified)
    return table.rename_columns([(zh_name if zh else en) for en, zh_name in HEADERS[kind]])


def write_export(table: pa.Table, path: Path, encoding: str = "utf-8") -> Path:
    """Write an export by the path's suffix: .csv (UTF-8, or GB18030 as Chinese Excel saves it),
    .xlsx (small exports only: real date cells) or .parquet (zstd)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        pq.write_table(table, path, compression="zstd")
    elif suffix == ".csv":
        buf = io.BytesIO()
        pa_csv.write_csv(table, buf, pa_csv.WriteOptions(quoting_style="needed"))
        data = buf.getvalue()
        path.write_bytes(data if encoding == "utf-8" else data.decode("utf-8").encode(encoding))
    elif suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("导出数据")
        ws.append(table.column_names)
        for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
            ws.append([_cell(v) for v in row])
        wb.save(path)
    else:
        raise ValueError(f"unknown export format: {path}")
    return path


def _cell(v: object) -> object:
    # an export leaves an absent value as an empty cell; a datetime stays a date cell
    return None if v is None else v if not isinstance(v, dt.datetime) else v.replace(tzinfo=None)


# the demo's rounds and their windows (the quarters of the work plan's first year)
DEMO_PERIODS = {
    "2017Q3": ("2017-07-01", "2017-09-30"),
    "2017Q4": ("2017-10-01", "2017-12-31"),
    "2018Q1": ("2018-01-01", "2018-03-31"),
    "2018Q2": ("2018-04-01", "2018-06-30"),
}

# the quarter after the year of exports: the demo's draft round, opened for testing
NEXT_PERIOD = ("2018Q3", ("2018-07-01", "2018-09-30"))


def _quarter_of(stamps: pa.ChunkedArray) -> np.ndarray:
    day = stamps.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    bounds = np.array([np.datetime64(b) for _, b in DEMO_PERIODS.values()], dtype="datetime64[D]")
    return np.searchsorted(bounds, day, "left")  # 0..3; a day after the last quarter would be 4


def write_demo_records(unit_ids: Sequence[str], unit_names: Sequence[str], out: Path, seed: int) -> list[Path]:
    """The demo's exports for the sample roster: one year of cases (about 300,000) and ratings
    exported on 2018-06-30, split by the quarter a case was accepted or a rating given (the June 2017
    backlog goes with 2017Q3), as Parquet; accounts and posts in one file each; and the first cases
    as a small CSV with Chinese headers to show an office what an export looks like; then the cases
    and ratings of the demo's open round (NEXT_PERIOD) from an export made on its last day. A round
    reads every file up to its own quarter: a case accepted in one quarter may finish in the next."""
    first, last = DEMO_PERIODS["2017Q3"][0], DEMO_PERIODS["2018Q2"][1]
    rec = synth_records(unit_ids, first, last, 300_000, seed, unit_names=unit_names, export_at=last)
    written = []
    for kind, column in (("cases", "accepted_at"), ("ratings", "rated_at")):
        table = export_table(rec, kind, "zh")
        quarter = _quarter_of(getattr(rec, kind).column(column))
        for q, period in enumerate(DEMO_PERIODS):
            part = table.filter(pa.array(quarter == q))
            written.append(write_export(part, out / f"{kind}_{period}.parquet"))
    written.append(write_export(export_table(rec, "accounts", "zh"), out / "accounts.parquet"))
    written.append(write_export(export_table(rec, "posts", "zh"), out / "posts.parquet"))
    written.append(write_export(export_table(rec, "cases", "zh").slice(0, 200), out / "cases_example.csv"))
    # the demo's open round (2018Q3) gets the next export, made on its last day: same seed, so the
    # same units and items behave alike; serials far from the first export's; only its own quarter
    first, last = NEXT_PERIOD[1]
    rec = synth_records(unit_ids, first, last, 75_000, seed, unit_names=unit_names, serial_start=10_000_000)
    for kind, column in (("cases", "accepted_at"), ("ratings", "rated_at")):
        day = getattr(rec, kind).column(column).to_numpy(zero_copy_only=False).astype("datetime64[D]")
        part = export_table(rec, kind, "zh").filter(pa.array(day >= np.datetime64(first)))
        written.append(write_export(part, out / f"{kind}_{NEXT_PERIOD[0]}.parquet"))
    return written
