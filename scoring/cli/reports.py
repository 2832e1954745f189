"""report, circular, annual: what is made from published rounds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from scoring.cli.common import (
    revision_digest_text,
    store_of,
    write_atomically,
)
from scoring.errors import InputError, Issue
from scoring.store.publish import previous_published


def cmd_report(args: argparse.Namespace) -> int:
    from scoring.store.accounts import list_users
    from scoring.store.appeals import appeals_table
    from scoring.store.publish import published_assessment
    from scoring.workbooks.report import leaders_report, unit_report

    store = store_of(args, writes=False)
    result, revision = published_assessment(store, args.period, args.revision)
    # the previous published round: movers and rectification (整改情况) are measured against it
    previous = previous_published(store, args.period)
    if args.unit:
        if args.unit not in set(result.roster["unit_id"]):
            raise InputError([Issue(code="report-unknown-unit", message=f"单位 {args.unit} 不在该期单位名单中")])
        appeals = appeals_table(store, args.period, args.unit)
        data = unit_report(result, args.unit, args.period, appeals, previous, list_users(store))
    else:
        data = leaders_report(result, args.period, previous, revision_digest_text(store, args.period, revision))
    write_atomically(Path(args.out), data)
    print(f"已生成报告 {args.out}(期次 {args.period} 第 {revision} 版)")
    return 0


def cmd_circular(args: argparse.Namespace) -> int:
    from scoring.pipeline import combine_rounds
    from scoring.store.publish import published_assessment
    from scoring.store.rounds import open_periods
    from scoring.views.circular import circular_text

    store = store_of(args, writes=False)
    result, revision = published_assessment(store, args.period)
    opened = open_periods(store).set_index("period")["title"]
    title = str(opened.get(args.period) or "")
    previous = previous_published(store, args.period)
    both = combine_rounds([previous, result] if previous is not None else [result])
    label, digest = f"{args.period} · 已发布 第 {revision} 版", revision_digest_text(store, args.period, revision)
    if Path(args.out).suffix.lower() == ".docx":  # the Word document an office edits and sends
        from scoring.workbooks.circular_docx import circular_docx

        write_atomically(Path(args.out), circular_docx(both, args.period, label, digest, title))
    else:
        write_atomically(Path(args.out), circular_text(both, args.period, label, digest, title).encode("utf-8"))
    print(f"已生成通报草稿 {args.out}(期次 {args.period} 第 {revision} 版)")
    return 0


def cmd_annual(args: argparse.Namespace) -> int:
    from scoring.store.publish import published_assessment
    from scoring.store.rounds import rounds_table
    from scoring.views.annual import annual_csv, annual_scores, one_rubric, target_totals, totals_csv
    from scoring.workbooks.report import annual_report

    store = store_of(args, writes=False)
    rounds = rounds_table(store)
    periods = sorted(set(args.periods or rounds.loc[rounds["status"] == "published", "period"]))
    if not periods:
        raise InputError([Issue(code="not-published", message="还没有已发布的期次;年度汇总只计已发布的结果")])
    found: list[Issue] = []
    by_period = {}
    for period in periods:
        try:
            by_period[period] = published_assessment(store, period)[0]
        except InputError as exc:
            found.extend(exc.issues)
    found += one_rubric({p: (r.rubric.id, r.rubric.spec.version) for p, r in by_period.items()})
    results = list(by_period.values())
    if found:
        raise InputError(found)
    rubric = results[-1].rubric
    year = annual_scores(pd.concat([r.scores.units for r in results], ignore_index=True), periods, rubric)
    out = annual_csv(year, periods, rubric)
    totals = totals_csv(target_totals(year, rubric), rubric) if args.totals else None
    workbook = annual_report(year, target_totals(year, rubric), periods, rubric) if args.xlsx else None
    write_atomically(Path(args.out), out)
    print(f"已生成年度汇总 {args.out}:期次 {'、'.join(periods)},{len(year)} 行(单位 × 轨道)")
    if totals is not None:
        write_atomically(Path(args.totals), totals)
        print(f"已生成目标管理分合计 {args.totals}")
    if workbook is not None:
        write_atomically(Path(args.xlsx), workbook)
        print(f"已生成年度汇总工作簿 {args.xlsx}")
    return 0
