"""assess records (SPEC extension 6): service indicators computed from the platforms' exports."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from scoring.cli.common import actor, store_of, write_atomically
from scoring.errors import InputError, Issue
from scoring.output import csv_bytes

__all__ = ["add_records_parser", "cmd_records"]

KIND_WORDS = {"cases": "办件", "ratings": "评价", "accounts": "账号", "posts": "发文"}


def _date(flag: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError([Issue(code="bad-date-arg", value=text,
                                message=f"{flag} {text} 不是日期;请写作 YYYY-MM-DD,例如 2017-09-30")]) from None  # fmt: skip


def _twice(args: argparse.Namespace) -> list[Issue]:
    """The same file given twice in one command (SPEC extension 2a)."""
    seen: dict[str, str] = {}
    issues = []
    for flag in ("cases", "ratings", "accounts", "posts"):
        value = getattr(args, flag)
        for path in [value] if isinstance(value, str) else value or []:
            where = str(Path(path).resolve())
            if where in seen:
                issues.append(Issue(code="file-twice", file=path,
                                    message=f"同一文件给出了两次:--{seen[where]} 和 --{flag}"))  # fmt: skip
            seen.setdefault(where, flag)
    return issues


def _paths(given: list[str] | None) -> list[Path]:
    return [Path(p) for p in given or []]


def cmd_records(args: argparse.Namespace) -> int:
    from scoring.pipeline import read_roster
    from scoring.records import compute_records
    from scoring.rubric import load_rubric
    from scoring.store.rounds import PERIOD_PATTERN

    issues = []
    if not PERIOD_PATTERN.fullmatch(args.period):
        issues.append(Issue(code="bad-period", value=args.period,
                            message=f"期次编码 “{args.period}” 无效:须为 1 到 32 个字母、数字、“-” 或 “_”"))  # fmt: skip
    if not (args.cases or args.ratings or args.accounts or args.posts):
        issues.append(
            Issue(code="records-no-files", message="请至少给出 --cases、--ratings 或 --accounts 与 --posts 之一")
        )
    issues += _twice(args)
    if issues:
        raise InputError(issues)
    start, end = _date("--from", args.start), _date("--to", args.end)
    store = user = None
    if args.db:
        from scoring.store.probes import require_open

        store = store_of(args)
        user = actor(store, args)
        require_open(store, args.period)  # before any file is read
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric)
    # by path: a CSV or Parquet export of ten million rows is streamed from disk, never held whole
    run = compute_records(rubric, roster, args.period, start, end, cases=_paths(args.cases),
                          ratings=_paths(args.ratings), accounts=Path(args.accounts) if args.accounts else None,
                          posts=_paths(args.posts))  # fmt: skip
    for kind, n in run.off_roster.items():
        if n:
            print(f"注意:{n:,} 条{KIND_WORDS[kind]}记录的单位不在单位名单中,未计入", file=sys.stderr)
    for kind, n in run.outside.items():
        if n:
            where = f"晚于 --to {end}" if kind == "posts" else f"不在统计区间 {start} 至 {end} 内"
            print(f"注意:{n:,} 条{KIND_WORDS[kind]}记录{where},未计入", file=sys.stderr)
    data = csv_bytes(run.rows)
    if store is not None:
        from scoring.store.records import record_records

        name = record_records(store, args.period, data, user)
    write_atomically(Path(args.out), data)
    print(f"已读取办件 {run.read['cases']:,} 件、评价 {run.read['ratings']:,} 条、账号 {run.read['accounts']:,} 个、"
          f"发文 {run.read['posts']:,} 条;写出 {len(run.rows)} 行测评结果到 {args.out}(统计区间 {start} 至 {end})")  # fmt: skip
    if store is not None:
        print(f"结果文件已作为佐证 {name} 保存到 {store.location}")
    return 0


def add_records_parser(sub, default_by: str) -> None:
    rc = sub.add_parser("records", help="办件、好差评、政务新媒体记录:计算政务服务测评点,写出测评结果(service records)")
    rc.add_argument("--rubric", required=True, help="指标体系 YAML 文件(带 records 的测评点)")
    rc.add_argument("--units", required=True, help="单位名单 CSV/XLSX")
    rc.add_argument("--period", required=True, help="期次,例如 2017Q3")
    rc.add_argument("--from", dest="start", required=True, help="统计区间起始日 YYYY-MM-DD(含)")
    rc.add_argument("--to", dest="end", required=True, help="统计区间截止日 YYYY-MM-DD(含);即测评时间")
    rc.add_argument("--out", required=True, help="输出的测评结果 .csv")
    rc.add_argument("--cases", nargs="+", help="办件记录 CSV/XLSX/Parquet(可多个)")
    rc.add_argument("--ratings", nargs="+", help="好差评记录 CSV/XLSX/Parquet(可多个)")
    rc.add_argument("--accounts", help="政务新媒体账号 CSV/XLSX/Parquet")
    rc.add_argument("--posts", nargs="+", help="政务新媒体发文记录 CSV/XLSX/Parquet(可多个)")
    rc.add_argument("--db", help="存储文件:期次须已开启;结果文件作为佐证保存")
    rc.add_argument("--by", default=default_by, help="操作人(与 --db 一起)")
    rc.set_defaults(run=cmd_records)
