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

from scoring.errors import InputError, Issue, by_location, format_issue
from scoring.output import OUTPUT_FILES, write_outputs
from scoring.pipeline import assess, read_roster
from scoring.rubric.load import Rubric, load_rubric
from scoring.store.db import default_actor
from scoring.tables import InputFile, SourceInfo
from scoring.version import __version__

__all__ = ["main"]

KIND_NAMES = {"disclosure": "政务公开类", "service": "政务服务类", "other": "其他"}
MAX_PRINTED = 200


def _print_issues(exc: InputError, command: str) -> None:
    issues = by_location(exc.issues)
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
            + ("" if t.bonus_min_base is None else f";加分起算线 {t.bonus_min_base:g}")
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


def _cmd_schema(args: argparse.Namespace) -> int:
    from scoring.rubric.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    result = assess(args.rubric, args.units, args.results, allow_missing=args.allow_missing)
    out = write_outputs(result.scores, result.rubric, result.sources, args.out, allow_missing=args.allow_missing)
    s = result.scores
    _say_encodings(result.sources)
    print(f"已计分:期次 {'、'.join(s.periods)};{len(s.units)} 个单位轨道得分")
    missing = int((s.checks["status"] == "missing").sum())
    if missing:
        print(f"注意:{missing} 个测评点没有结果,已按 0 分计并标记为 missing")
    for name in OUTPUT_FILES:
        print(f"  {out / name}")
    return 0


def _say_encodings(sources: list[SourceInfo]) -> None:
    for src in sources:
        if src.encoding != "utf-8":
            print(f"注意:{src.path} 不是 UTF-8 编码,已按 GB18030(GBK)读取", file=sys.stderr)


def _cmd_template(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric)
    out = Path(args.out)
    from scoring.workbooks.template import build_template  # openpyxl is slow to import; only this command needs it

    _write_atomically(out, build_template(rubric, roster, args.period))
    n = len(rubric.applicability(roster))
    print(f"已生成测评模板 {out}:期次 {args.period},{n} 行待填写")
    return 0


def _store(args: argparse.Namespace):
    from scoring.store.db import open_store

    return open_store(args.db)


def _actor(store, args: argparse.Namespace):
    from scoring.store.accounts import acting_user

    return acting_user(store, args.by)


def _cmd_import(args: argparse.Namespace) -> int:
    from scoring.store.rounds import import_results

    store = _store(args)
    res = import_results(store, args.rubric, args.units, args.results, _actor(store, args))
    _say_encodings(res.sources)
    print(
        f"已导入 {len(res.batches)} 个文件(批次 {'、'.join(map(str, res.batches))}),{res.rows} 行;期次 {'、'.join(res.periods)}"
    )
    print(f"存储:{store.path}")
    # stored is stored: a note that cannot be made after the commit must not turn it into exit 2
    try:
        _warn_unsupported(store, res.periods)
    except InputError as exc:
        print(f"注意:已导入,但无法列出缺少佐证的失分点:{exc}", file=sys.stderr)
    return 0


def _warn_unsupported(store, periods: list[str]) -> None:
    """Losses with no evidence are allowed (SPEC §2) but untraceable: name them on stderr."""
    from scoring.store.rounds import round_assessment
    from scoring.views.explain import unsupported_losses

    for period in periods:
        bare = unsupported_losses(round_assessment(store, period, allow_missing=True), [period])
        if bare.empty:
            continue
        print(f"注意:期次 {period} 有 {len(bare)} 个失分点没有佐证材料:", file=sys.stderr)
        for r in bare.head(20).itertuples():
            print(f"  {r.unit_id} {r.unit_name} {r.check_id} {r.check_name}", file=sys.stderr)
        if len(bare) > 20:
            print(f"  ……另有 {len(bare) - 20} 个", file=sys.stderr)


def _cmd_rounds(args: argparse.Namespace) -> int:
    from scoring.store.rounds import STATUS_NAMES, rounds_table, set_status

    store = _store(args)
    if args.status:
        if not args.period:
            raise InputError([Issue(code="period-required", message="改变状态须指定 --period")])
        set_status(store, args.period, args.status, _actor(store, args), args.reason or "")
        print(f"期次 {args.period} 已转为「{STATUS_NAMES[args.status]}」")
        return 0
    table = rounds_table(store)
    if table.empty:
        print(f"{store.path} 中还没有测评轮次;用 assess import 导入")
        return 0
    print("期次\t状态\t指标体系\t批次\t结果行\t待复核申诉\t已发布版本")
    for r in table.itertuples():
        rev = "" if pd.isna(r.revision) else f"第 {r.revision} 版"
        print(f"{r.period}\t{STATUS_NAMES[r.status]}\t{r.rubric_id} {r.rubric_version}\t{r.batches}\t{r.findings}\t"
              f"{r.open_appeals}\t{rev}")  # fmt: skip
    return 0


def _cmd_appeal(args: argparse.Namespace) -> int:
    from scoring.store.rounds import appeals_table, decide_appeal, file_appeal
    from scoring.workbooks.report import APPEAL_OUTCOMES

    store = _store(args)
    if args.action == "file":
        files = _read_files(args.proof_files or [])
        aid = file_appeal(store, args.period, args.unit, args.check, args.reason, args.proof or "", _actor(store, args),
                          files)  # fmt: skip
        print(f"已登记申诉 {aid}:期次 {args.period} 单位 {args.unit} 测评点 {args.check}")
    elif args.action == "decide":
        outcome = "corrected" if args.correct is not None else "upheld"
        decide_appeal(store, args.id, outcome, args.reason, _actor(store, args), args.correct)
        print(f"申诉 {args.id} 已复核:{APPEAL_OUTCOMES[outcome]}" + (f",更正为 {args.correct}" if args.correct else ""))
    else:
        table = appeals_table(store, args.period, args.unit)
        if table.empty:
            print("没有申诉")
        for r in table.itertuples():
            print(f"{r.id}\t{r.period}\t{r.unit_id}\t{r.check_id}\t{APPEAL_OUTCOMES[r.outcome]}\t{r.reason}"
                  + (f"\t复核:{r.decision_reason}" if r.decision_reason else ""))  # fmt: skip
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from scoring.store.rounds import publish, revision_digests

    store = _store(args)
    revision = publish(store, args.period, _actor(store, args), args.reason or "", allow_missing=args.allow_missing)
    digests = revision_digests(store, args.period)
    digest = digests.loc[digests["revision"] == revision, "digest"].iloc[0]
    print(f"期次 {args.period} 已发布第 {revision} 版")
    print(f"发布摘要(sha256):{digest}")
    print("请把这行摘要另行保存(如写入通报或归档):日后 assess verify --digest 可据此证明存档未被改动")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from scoring.store.rounds import verify

    if args.digest and not args.period:
        raise InputError([Issue(code="period-required", message="--digest 须与 --period 一起使用")])
    res = verify(_store(args), args.period, digest=args.digest, revision=args.revision)
    if res.differences:
        print(f"核验未通过:{len(res.differences)} 处不同({res.snapshots} 个已发布版本,比对 {res.rows_compared} 行)")
        for d in res.differences[:MAX_PRINTED]:
            print(d)
        return 1
    files = f",佐证文件 {res.files_checked} 个" if res.files_checked else ""
    print(f"核验通过:{res.snapshots} 个已发布版本,比对 {res.rows_compared} 行{files},全部一致")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from scoring.store.rounds import appeals_table, published_assessment
    from scoring.workbooks.report import leaders_report, unit_report

    store = _store(args)
    result, revision = published_assessment(store, args.period, args.revision)
    # the previous published round: movers and rectification (整改情况) are measured against it
    previous = _previous_published(store, args.period)
    if args.unit:
        if args.unit not in set(result.roster["unit_id"]):
            raise InputError([Issue(code="unknown-unit", message=f"单位 {args.unit} 不在该期单位名单中")])
        appeals = appeals_table(store, args.period, args.unit)
        data = unit_report(result, args.unit, args.period, appeals, previous)
    else:
        data = leaders_report(result, args.period, previous, _digest(store, args.period, revision))
    _write_atomically(Path(args.out), data)
    print(f"已生成报告 {args.out}(期次 {args.period} 第 {revision} 版)")
    return 0


def _digest(store, period: str, revision: int) -> str:
    from scoring.store.rounds import revision_digests

    d = revision_digests(store, period)
    hit = d.loc[d["revision"] == revision, "digest"]
    return str(hit.iloc[0]) if len(hit) and isinstance(hit.iloc[0], str) else ""


def _previous_published(store, period: str):
    """The published round before ``period``, frozen, or None: what movers and rectification compare with."""
    from scoring.store.rounds import published_assessment, rounds_table

    published = rounds_table(store)
    earlier = published[(published["period"] < period) & published["revision"].notna()]
    return published_assessment(store, earlier["period"].iloc[-1])[0] if len(earlier) else None


def _cmd_circular(args: argparse.Namespace) -> int:
    from scoring.store.rounds import combine_rounds, published_assessment
    from scoring.views.circular import circular_text

    store = _store(args)
    result, revision = published_assessment(store, args.period)
    previous = _previous_published(store, args.period)
    both = combine_rounds([previous, result] if previous is not None else [result])
    text = circular_text(both, args.period, f"{args.period} · 已发布 第 {revision} 版",
                         _digest(store, args.period, revision))  # fmt: skip
    _write_atomically(Path(args.out), text.encode("utf-8"))
    print(f"已生成通报草稿 {args.out}(期次 {args.period} 第 {revision} 版)")
    return 0


def _cmd_annual(args: argparse.Namespace) -> int:
    from scoring.store.rounds import published_assessment, rounds_table
    from scoring.views.annual import annual_csv, annual_scores, target_totals, totals_csv
    from scoring.workbooks.report import annual_report

    store = _store(args)
    rounds = rounds_table(store)
    periods = sorted(set(args.periods or rounds.loc[rounds["status"] == "published", "period"]))
    if not periods:
        raise InputError([Issue(code="not-published", message="还没有已发布的期次;年度汇总只计已发布的结果")])
    found: list[Issue] = []
    results = []
    for period in periods:
        try:
            results.append(published_assessment(store, period)[0])
        except InputError as exc:
            found.extend(exc.issues)
    rubrics = {(r.rubric.id, r.rubric.spec.version) for r in results}
    if len(rubrics) > 1:
        used = "、".join(f"{i} 版本 {v}" for i, v in sorted(rubrics))
        found.append(Issue(code="rubrics-differ", message=f"所选期次使用了不同的指标体系({used}),不能合并为一个年度"))
    if found:
        raise InputError(found)
    rubric = results[-1].rubric
    year = annual_scores(pd.concat([r.scores.units for r in results], ignore_index=True), periods, rubric)
    out = annual_csv(year, periods, rubric)
    totals = totals_csv(target_totals(year, rubric), rubric) if args.totals else None
    workbook = annual_report(year, target_totals(year, rubric), periods, rubric) if args.xlsx else None
    _write_atomically(Path(args.out), out)
    print(f"已生成年度汇总 {args.out}:期次 {'、'.join(periods)},{len(year)} 行(单位 × 轨道)")
    if totals is not None:
        _write_atomically(Path(args.totals), totals)
        print(f"已生成目标管理分合计 {args.totals}")
    if workbook is not None:
        _write_atomically(Path(args.xlsx), workbook)
        print(f"已生成年度汇总工作簿 {args.xlsx}")
    return 0


def _cmd_user(args: argparse.Namespace) -> int:
    from scoring.store.accounts import ROLE_NAMES, add_user, disable_user, enable_user, list_users, set_password

    store = _store(args)

    def password() -> str:
        if not args.password_stdin:
            raise InputError([Issue(code="password-stdin", message="请用 --password-stdin 从标准输入提供密码")])
        return sys.stdin.readline().rstrip("\n")

    if args.action == "add":
        user = add_user(store, args.name, args.role, password(), _actor(store, args), unit_id=args.unit)
        print(f"已创建账号 {user.name}({ROLE_NAMES[user.role]}{' ' + user.unit_id if user.unit_id else ''})")
    elif args.action == "passwd":
        set_password(store, args.name, password(), _actor(store, args))
        print(f"已修改账号 {args.name} 的密码")
    elif args.action == "disable":
        disable_user(store, args.name, _actor(store, args))
        print(f"已停用账号 {args.name}")
    elif args.action == "enable":
        enable_user(store, args.name, _actor(store, args))
        print(f"已启用账号 {args.name}")
    else:
        for r in list_users(store).itertuples():
            state = "停用" if r.disabled else "正常"
            print(f"{r.name}\t{ROLE_NAMES[r.role]}\t{r.unit_id or ''}\t{state}\t{r.created_at}")
    return 0


def _read_files(paths: list[str]) -> list[InputFile]:
    """Every file read, or every unreadable one named at once."""
    files, unreadable = [], []
    for f in paths:
        try:
            files.append(InputFile.from_path(f))
        except InputError as exc:
            unreadable.extend(exc.issues)
    if unreadable:
        raise InputError(unreadable)
    return files


def _cmd_backup(args: argparse.Namespace) -> int:
    store = _store(args)
    out = store.backup(args.out)
    print(f"已备份 {store.path} → {out}({out.stat().st_size / 2**20:.1f} MB)")
    return 0


def _cmd_evidence(args: argparse.Namespace) -> int:
    from scoring.store.evidence import add_evidence, evidence_content, evidence_files

    store = _store(args)
    if args.action == "add":
        if not args.files:
            raise InputError([Issue(code="files-required", message="请给出要保存的佐证文件")])
        added = add_evidence(store, _read_files(args.files), _actor(store, args))
        print(
            f"已保存 {len(added.stored)} 个佐证文件"
            + (f";{len(added.already)} 个此前已保存,跳过" if added.already else "")
        )
    elif args.action == "list":
        for r in evidence_files(store).itertuples():
            print(f"{r.name}\t{r.size}\t{r.uploaded_at}\t{r.uploaded_by}\t{r.sha256}")
    else:
        if len(args.files) != 1 or not args.out:
            raise InputError([Issue(code="get-usage", message="用法:assess evidence get 文件名 --out 输出文件")])
        _write_atomically(Path(args.out), evidence_content(store, args.files[0]))
        print(f"已写出 {args.out}")
    return 0


def _write_atomically(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".assess-", suffix=out.suffix, dir=out.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assess",
        description="政务公开政务服务绩效考核计分工具(performance assessment engine)",
    )
    p.add_argument("--version", action="version", version=f"assess {__version__}")
    sub = p.add_subparsers(
        dest="command",
        required=True,
        metavar="{validate,schema,score,template,import,rounds,appeal,publish,verify,report,annual,circular,evidence,backup,user}",
    )

    v = sub.add_parser("validate", help="检查指标体系(rubric)文件,可同时检查单位名单")
    v.add_argument("rubric", help="指标体系 YAML 文件")
    v.add_argument("--units", help="单位名单 CSV/XLSX")
    v.set_defaults(run=_cmd_validate)

    sc = sub.add_parser("schema", help="输出指标体系文件的 JSON Schema(供编辑器补全和检查)")
    sc.set_defaults(run=_cmd_schema)

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

    def stored(name: str, help_text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", help="存储文件(默认 ASSESS_DB 或 ./data/assess.db)")
        c.add_argument("--by", default=default_actor(),
                       help="操作人:存储中的账号名(未设任何账号的存储可用任意名字),按该账号的权限检查并记入审计日志")  # fmt: skip
        return c

    i = stored("import", "把测评结果作为一个批次导入存储(整批导入或不导入)")
    i.add_argument("--rubric", required=True)
    i.add_argument("--units", required=True)
    i.add_argument("--results", required=True, nargs="+")
    i.set_defaults(run=_cmd_import)

    r = stored("rounds", "列出测评轮次;或改变某期状态(草稿/反馈/申诉复核)")
    r.add_argument("--period")
    r.add_argument("--status", choices=["draft", "feedback", "appeal"])
    r.add_argument("--reason", help="重新开放已发布轮次时必填;以 - 开头的理由写作 --reason=-…")
    r.set_defaults(run=_cmd_rounds)

    a = stored("appeal", "申诉:登记(file)、列出(list)、复核(decide)")
    a.add_argument("action", choices=["file", "list", "decide"])
    a.add_argument("id", nargs="?", type=int, help="decide:申诉编号")
    a.add_argument("--period")
    a.add_argument("--unit")
    a.add_argument("--check")
    a.add_argument("--reason", default="", help="申诉或复核理由;以 - 开头的理由写作 --reason=-…")
    a.add_argument("--proof")
    a.add_argument("--proof-files", nargs="+", metavar="FILE", help="file:证明材料文件(截图、文档),随申诉保存")
    a.add_argument("--uphold", action="store_true", help="decide:维持原结果")
    a.add_argument("--correct", metavar="VALUE", help="decide:更正为该结果")
    a.set_defaults(run=_cmd_appeal)

    pb = stored("publish", "发布某期结果(冻结为一个版本)")
    pb.add_argument("--period", required=True)
    pb.add_argument("--reason", help="发布第 2 版及以后时必填;以 - 开头的理由写作 --reason=-…")
    pb.add_argument("--allow-missing", action="store_true")
    pb.set_defaults(run=_cmd_publish)

    vf = stored("verify", "用存储的指标体系、名单和测评结果重算已发布版本并逐行比对")
    vf.add_argument("--period")
    vf.add_argument("--revision", type=int, help="与 --digest 一起:核对的版本(默认最新版)")
    vf.add_argument("--digest", help="发布时打印的摘要:核对该期已发布版本重算后与之完全一致")
    vf.set_defaults(run=_cmd_verify)

    rp = stored("report", "生成 Excel 报告:单位报告(--unit)或领导汇总")
    rp.add_argument("--period", required=True)
    rp.add_argument("--unit")
    rp.add_argument("--revision", type=int)
    rp.add_argument("--out", required=True)
    rp.set_defaults(run=_cmd_report)

    an = stored("annual", "年度汇总:已发布各期得分的平均,按分组排名,写出 CSV")
    an.add_argument("--periods", nargs="+", help="计入的期次(默认:全部已发布的期次)")
    an.add_argument("--out", required=True, help="输出 .csv 文件")
    an.add_argument("--totals", help="另写出每个单位各轨道目标管理分及合计的 .csv 文件")
    an.add_argument("--xlsx", help="另写出年度汇总工作簿(各轨道年度排名、目标管理分合计)")
    an.set_defaults(run=_cmd_annual)

    ev = stored("evidence", "佐证文件:add(保存截图、文档等)、list(列出)、get(取出)")
    ev.add_argument("action", choices=["add", "list", "get"])
    ev.add_argument("files", nargs="*", help="add:要保存的文件;get:文件名")
    ev.add_argument("--out", help="get:写出的文件")
    ev.set_defaults(run=_cmd_evidence)

    cc = stored("circular", "通报草稿:根据已发布结果写出本期测评情况通报的文字草稿(与上一已发布期次对比)")
    cc.add_argument("--period", required=True)
    cc.add_argument("--out", required=True, help="输出 .txt 文件(UTF-8)")
    cc.set_defaults(run=_cmd_circular)

    bk = stored("backup", "备份存储:在应用运行时也可安全地复制整个存储文件")
    bk.add_argument("--out", required=True, help="备份文件(.db)")
    bk.set_defaults(run=_cmd_backup)

    us = stored("user", "账号:add(创建)、list(列出)、disable(停用)、enable(启用)、passwd(改密码)")
    us.add_argument("action", choices=["add", "list", "disable", "enable", "passwd"])
    us.add_argument("name", nargs="?")
    us.add_argument("--role", choices=["admin", "evaluator", "leader", "unit"])
    us.add_argument("--unit", help="unit 角色绑定的单位编码")
    us.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码(不在命令行上出现)")
    us.set_defaults(run=_cmd_user)
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
