"""assess sensitivity and assess agreement (SPEC extension 5): how much to trust a rank."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import read_files, write_atomically
from scoring.errors import InputError, Issue
from scoring.output import csv_bytes

__all__ = ["cmd_agreement", "cmd_sensitivity"]

MAX_EXAMPLES = 10


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from scoring.pipeline import assess
    from scoring.robustness.sensitivity import dimension_influence, rank_intervals

    bad = []
    if not 1 <= args.runs <= 100_000:
        bad.append(Issue(code="bad-runs", message=f"--runs {args.runs} 不可用:须为 1 到 100000 之间的整数"))
    if not 0 <= args.spread < 1:
        bad.append(Issue(code="bad-spread", message=f"--spread {args.spread:g} 不可用:须不小于 0 且小于 1,例如 0.25"))
    if bad:
        raise InputError(bad)
    result = assess(args.rubric, args.units, read_files(args.results))
    out = Path(args.out)
    intervals = rank_intervals(result, args.runs, args.spread, args.seed)
    influence = dimension_influence(result)
    out.mkdir(parents=True, exist_ok=True)
    write_atomically(out / "rank_intervals.csv", csv_bytes(intervals))
    write_atomically(out / "dimension_influence.csv", csv_bytes(influence))
    print(f"已模拟 {args.runs} 次权重变化(±{args.spread:.0%},种子 {args.seed}):{len(intervals)} 个排名的区间;"
          f"写出 {out / 'rank_intervals.csv'} 和 {out / 'dimension_influence.csv'}")  # fmt: skip
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from scoring.pipeline import assess
    from scoring.robustness.agreement import agreement_table, paired_values
    from scoring.rubric import load_rubric

    first, second = args.results
    if Path(first).resolve() == Path(second).resolve():
        raise InputError([Issue(code="same-file-twice", file=second,
                                message=f"同一个文件给了两次(--results {first} {second});请给出两位评估人员各自的结果")])  # fmt: skip
    rubric = load_rubric(args.rubric)
    issues, done = [], []
    for f in read_files([first, second]):
        try:
            done.append(assess(rubric, args.units, [f], allow_missing=True))
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    pairs, one = paired_values(*done)
    table = agreement_table(pairs, list(rubric.checks["check_id"]))
    write_atomically(Path(args.out), csv_bytes(table))
    for held_in, name in ((1, first), (2, second)):
        only = one[one["held_in"] == held_in]
        if len(only):
            shown = "、".join(f"{r.period}/{r.unit_id}/{r.check_id}" for r in only.head(MAX_EXAMPLES).itertuples())
            more = " 等" if len(only) > MAX_EXAMPLES else ""
            print(f"注意:{len(only)} 个结果只在 {name} 中,未比较:{shown}{more}", file=sys.stderr)
    print(f"比较了 {len(pairs)} 对结果、{table['check_id'].ne('ALL').sum()} 个测评点;写出 {args.out}")
    if getattr(args, "reconcile", None):
        from scoring.robustness.recheck import reconcile
        from scoring.views.quality import shown_reconciliation
        from scoring.workbooks.report import table_csv

        listed = reconcile(*done)
        write_atomically(Path(args.reconcile), table_csv(shown_reconciliation(listed, rubric)))
        print(f"{len(listed)} 项结果两次不一致;对账清单写出 {args.reconcile}")
    return 0
