"""assess audit and assess sample (issue 33): is the rubric measuring anything, and is the
evaluators' work right."""

from __future__ import annotations

import argparse
from pathlib import Path

from scoring.cli.common import read_files, store_of, write_atomically
from scoring.errors import InputError, Issue

__all__ = ["AUDIT_FILES", "cmd_audit", "cmd_sample"]

AUDIT_FILES = ("check_quality.csv", "dimension_quality.csv", "quality.xlsx")
MAX_SAMPLE = 100_000


def cmd_audit(args: argparse.Namespace) -> int:
    from scoring.pipeline import assess
    from scoring.robustness.audit import audit_round
    from scoring.views.quality import audit_workbook
    from scoring.workbooks.report import table_csv

    result = assess(args.rubric, args.units, read_files(args.results), allow_missing=args.allow_missing)
    audit = audit_round(result)
    out = Path(args.out)
    checks_csv, dims_csv, xlsx = AUDIT_FILES
    write_atomically(out / checks_csv, table_csv(audit.checks))
    write_atomically(out / dims_csv, table_csv(audit.dimensions))
    write_atomically(out / xlsx, audit_workbook(audit, result.rubric))
    flagged = int((audit.checks["flags"] != "").sum())
    print(f"审查了 {len(result.scores.periods)} 期、{audit.checks['check_id'].nunique()} 个测评点:"
          f"{flagged} 项有提示;写出 {out / checks_csv}、{out / dims_csv} 和 {out / xlsx}")  # fmt: skip
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from scoring.robustness.recheck import draw_sample, sample_workbook
    from scoring.store.rounds import round_rows, score_rows

    bad = []
    if not 1 <= args.size <= MAX_SAMPLE:
        bad.append(Issue(code="bad-size", message=f"--size {args.size} 不可用:须为 1 到 {MAX_SAMPLE} 之间的整数"))
    if args.seed < 0:
        bad.append(Issue(code="bad-seed", message=f"--seed {args.seed} 不可用:须为不小于 0 的整数"))
    if not str(args.out).lower().endswith(".xlsx"):
        bad.append(Issue(code="bad-out", file=str(args.out), message="--out 须为 .xlsx 文件"))
    if bad:
        raise InputError(bad)
    store = store_of(args, writes=False)
    rubric, roster, rows = round_rows(store, args.period)
    result = score_rows(rubric, roster, rows, allow_missing=True)
    sample, strata = draw_sample(result, rows, args.period, args.size, args.seed)
    if sample.empty:
        raise InputError([Issue(code="sample-empty", message=f"期次 {args.period} 还没有已填写的测评结果,无法抽样")])
    write_atomically(Path(args.out), sample_workbook(result, args.period, sample, strata, args.seed))
    more = ""
    if len(sample) > args.size:
        more = f"(每层至少抽 1 项,共 {len(strata)} 层,多于所要的 {args.size} 项)"
    print(f"从 {args.period} 期 {int(strata['population'].sum())} 项已填写的结果中抽取 {len(sample)} 项{more},"
          f"分 {len(strata)} 层(测评人 × 分组 × 计分方法),随机种子 {args.seed};写出 {args.out}")  # fmt: skip
    return 0
