"""validate, schema, score, template: the commands on files, which need no store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import (
    say_encodings,
    write_atomically,
)
from scoring.output import OUTPUT_FILES, write_outputs
from scoring.pipeline import assess, read_roster
from scoring.rubric.load import load_rubric
from scoring.views.summary import rubric_summary


def cmd_validate(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric) if args.units else None
    print("\n".join(rubric_summary(rubric, roster)))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from scoring.rubric.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    result = assess(args.rubric, args.units, args.results, allow_missing=args.allow_missing)
    out = write_outputs(result.scores, result.rubric, result.sources, args.out, allow_missing=args.allow_missing)
    s = result.scores
    say_encodings(result.sources)
    print(f"已计分:期次 {'、'.join(s.periods)};{len(s.units)} 个单位轨道得分")
    missing = int((s.checks["status"] == "missing").sum())
    if missing:
        print(f"注意:{missing} 个测评点没有结果,已按 0 分计并标记为 missing")
    for name in OUTPUT_FILES:
        print(f"  {out / name}")
    if args.excel:  # copies for a person in Excel; the files above stay as SPEC §3 says
        from scoring.excel_copies import write_excel_copies

        print("供 Excel 打开的副本(UTF-8 带 BOM,中文表头):")
        for path in write_excel_copies(s, result.rubric, out):
            print(f"  {path}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric)
    out = Path(args.out)
    from scoring.workbooks.template import build_template  # openpyxl is slow to import; only this command needs it

    write_atomically(out, build_template(rubric, roster, args.period))
    n = len(rubric.applicability(roster))
    print(f"已生成测评模板 {out}:期次 {args.period},{n} 行待填写")
    return 0
