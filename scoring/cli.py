"""The ``assess`` command (SPEC §3): a thin layer over the public API.

Exit codes: 0 success, 2 invalid input (every problem printed, nothing written),
1 an internal fault (a bug: the traceback is printed for the report).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import InputError, format_issue
from .output import OUTPUT_FILES, write_outputs
from .pipeline import assess, read_roster
from .rubric import Rubric, load_rubric
from .template import build_template

__all__ = ["main"]

KIND_NAMES = {"disclosure": "政务公开类", "service": "政务服务类", "other": "其他"}
MAX_PRINTED = 200


def _print_issues(exc: InputError, command: str) -> None:
    issues = exc.issues
    after = ";未计分,未写入任何文件" if command in ("score", "template") else ""
    print(f"发现 {len(issues)} 个问题{after}:", file=sys.stderr)
    for issue in issues[:MAX_PRINTED]:
        print(format_issue(issue), file=sys.stderr)
    if len(issues) > MAX_PRINTED:
        print(f"……另有 {len(issues) - MAX_PRINTED} 个问题未显示", file=sys.stderr)


def rubric_summary(rubric: Rubric, roster: pd.DataFrame | None = None) -> list[str]:
    """Lines describing a valid rubric: tracks, weights, checks and points per group."""
    spec = rubric.spec
    checks = rubric.checks
    lines = [f"指标体系 {spec.id}「{spec.title}」版本 {spec.version}:有效"]
    total = spec.target.total_points
    lines.append(f"目标管理绩效考核总分 {total:g} 分;轨道:")
    for t in spec.tracks:
        c = checks[checks["track_id"] == t.id]
        counts = c["method"].value_counts()
        methods = "、".join(f"{m} {n}" for m, n in counts.items())
        lines.append(
            f"  {t.id} {t.name}({KIND_NAMES[t.kind]})权重 {t.weight:.2%} = {t.weight * total:g} 分;"
            f"测评点 {len(c)} 个({methods});不涉及处理 {t.na_policy};加分上限 {t.bonus_max:g}"
        )
    if roster is None:
        lines.append("各分组适用的基础分值(不含按单位指定的测评点):")
        for gid, gname in spec.groups.items():
            own = checks[checks["units"].isna() & checks["applies_to"].map(lambda a, g=gid: a is None or g in a)]
            per_track = own[own["is_base"]].groupby("track_id")["points"].sum()
            text = ";".join(f"{tid} {per_track.get(tid, 0):g} 分" for tid in rubric.tracks["track_id"])
            lines.append(f"  {gid} {gname}:测评点 {len(own)} 个;{text}")
        by_unit = int(checks["units"].notna().sum())
        if by_unit:
            lines.append(f"  另有 {by_unit} 个测评点按单位指定(units);加 --units 可按单位统计")
        return lines
    pairs = rubric.applicability(roster).merge(checks, on="check_id").merge(roster, on="unit_id")
    base = pairs[pairs["is_base"]]
    per_unit = base.groupby(["group", "track_id", "unit_id"])["points"].sum().reset_index()
    n_checks = pairs.groupby(["group", "unit_id"]).size().groupby("group").agg(["min", "max"])
    lines.append(f"单位名单 {len(roster)} 个单位;各分组每个单位适用的测评点与基础分值:")
    for gid, gname in spec.groups.items():
        members = int((roster["group"] == gid).sum())
        if members == 0:
            lines.append(f"  {gid} {gname}:名单中没有单位")
            continue
        parts = []
        for tid in rubric.tracks["track_id"]:
            pts = per_unit[(per_unit["group"] == gid) & (per_unit["track_id"] == tid)]["points"]
            parts.append(f"{tid} {_span(pts.min(), pts.max())} 分" if len(pts) else f"{tid} 无")
        cmin, cmax = (n_checks.loc[gid, "min"], n_checks.loc[gid, "max"]) if gid in n_checks.index else (0, 0)
        lines.append(f"  {gid} {gname}:{members} 个单位;测评点 {_span(cmin, cmax)} 个;{';'.join(parts)}")
    return lines


def _span(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def _cmd_validate(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric) if args.units else None
    print("\n".join(rubric_summary(rubric, roster)))
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    result = assess(args.rubric, args.units, args.results, allow_missing=args.allow_missing)
    out = write_outputs(result.scores, result.rubric, result.sources, args.out, allow_missing=args.allow_missing)
    s = result.scores
    print(f"已计分:期次 {'、'.join(s.periods)};{len(s.units)} 个单位轨道得分")
    missing = int((s.checks["status"] == "missing").sum())
    if missing:
        print(f"注意:{missing} 个测评点没有结果,已按 0 分计并标记为 missing")
    for name in OUTPUT_FILES:
        print(f"  {out / name}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric)
    data = build_template(rubric, roster, args.period)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".assess-", suffix=".xlsx", dir=out.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
    n = len(rubric.applicability(roster))
    print(f"已生成测评模板 {out}:期次 {args.period},{n} 行待填写")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assess",
        description="政务公开政务服务绩效考核计分工具(performance assessment engine)",
    )
    p.add_argument("--version", action="version", version=f"assess {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{validate,score,template}")

    v = sub.add_parser("validate", help="检查指标体系(rubric)文件,可同时检查单位名单")
    v.add_argument("rubric", help="指标体系 YAML 文件")
    v.add_argument("--units", help="单位名单 CSV/XLSX")
    v.set_defaults(run=_cmd_validate)

    s = sub.add_parser("score", help="校验测评结果并计分,写出得分表")
    s.add_argument("--rubric", required=True, help="指标体系 YAML 文件")
    s.add_argument("--units", required=True, help="单位名单 CSV/XLSX")
    s.add_argument("--results", required=True, nargs="+", help="测评结果 CSV/XLSX(可多个)")
    s.add_argument("--out", required=True, help="输出文件夹")
    s.add_argument("--allow-missing", action="store_true", help="缺少的结果按 0 分计(标记为 missing)")
    s.set_defaults(run=_cmd_score)

    t = sub.add_parser("template", help="生成第三方测评填报模板(XLSX)")
    t.add_argument("--rubric", required=True)
    t.add_argument("--units", required=True)
    t.add_argument("--period", required=True, help="期次,例如 2017Q3")
    t.add_argument("--out", required=True, help="输出 .xlsx 文件")
    t.set_defaults(run=_cmd_template)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        _print_issues(exc, args.command)
        return 2
    except Exception:  # a bug, not a user mistake: keep the traceback for the report
        print("内部错误(这是程序缺陷,请附上以下信息报告):", file=sys.stderr)
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
