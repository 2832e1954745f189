"""import, rounds, appeal, publish, verify: a round's life in the store."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from scoring.cli.common import (
    MAX_PRINTED,
    actor,
    cell,
    read_files,
    say_encodings,
    store_of,
)
from scoring.errors import InputError, Issue


def cmd_import(args: argparse.Namespace) -> int:
    from scoring.store.rounds import import_results

    store = store_of(args)
    res = import_results(store, args.rubric, args.units, args.results, actor(store, args))
    say_encodings(res.sources)
    if res.pending:
        print(f"{res.pending} 行尚未填写结果,已跳过;发布前仍按缺少结果处理")
    if res.already:
        print(f"{res.already} 行与已导入的结果完全相同,已跳过")
    print(
        f"已导入 {len(res.batches)} 个文件(批次 {'、'.join(map(str, res.batches))}),{res.rows} 行;期次 {'、'.join(res.periods)}"
    )
    print(f"存储:{store.location}")
    # stored is stored: a note that cannot be made after the commit must not turn it into exit 2
    try:
        _warn_unsupported(res)
    except InputError as exc:
        print(f"注意:已导入,但无法列出缺少佐证的失分点:{exc}", file=sys.stderr)
    return 0


def _warn_unsupported(res) -> None:
    """Losses with no evidence are allowed (SPEC §2) but untraceable: name them on stderr."""
    from scoring.views.explain import unsupported_losses

    for period in res.periods:
        bare = unsupported_losses(res.scored, [period])
        if bare.empty:
            continue
        print(f"注意:期次 {period} 有 {len(bare)} 个失分点没有佐证材料:", file=sys.stderr)
        for r in bare.head(20).itertuples():
            print(f"  {r.unit_id} {r.unit_name} {r.check_id} {r.check_name}", file=sys.stderr)
        if len(bare) > 20:
            print(f"  ……另有 {len(bare) - 20} 个", file=sys.stderr)


def cmd_rounds(args: argparse.Namespace) -> int:
    from scoring.store.rounds import STATUS_NAMES, open_periods, open_round, rounds_table, set_status

    store = store_of(args, writes=bool(args.open or args.status))
    if args.open:
        if not args.period or args.status:
            raise InputError([Issue(code="period-required", message="开启期次须指定 --period,且不能同时改变状态")])
        open_round(store, args.period, actor(store, args), args.title or "")
        print(f"期次 {args.period} 已开启,可以导入测评结果")
        return 0
    if args.status:
        if not args.period:
            raise InputError([Issue(code="period-required", message="改变状态须指定 --period")])
        set_status(store, args.period, args.status, actor(store, args), args.reason or "")
        print(f"期次 {args.period} 已转为「{STATUS_NAMES[args.status]}」")
        return 0
    table = rounds_table(store)
    opened = open_periods(store)
    waiting = opened[~opened["period"].isin(table["period"])]
    if table.empty and waiting.empty:
        print(f"{store.location} 中还没有测评轮次;用 assess rounds --open --period 期次 开启,再用 assess import 导入")
        return 0
    print("期次\t状态\t指标体系\t批次\t结果行\t待复核申诉\t已发布版本")
    for r in table.itertuples():
        rev = "" if pd.isna(r.revision) else f"第 {r.revision} 版"
        print(f"{r.period}\t{STATUS_NAMES[r.status]}\t{cell(r.rubric_id)} {cell(r.rubric_version)}\t{r.batches}\t{r.findings}\t"
              f"{r.open_appeals}\t{rev}")  # fmt: skip
    for r in waiting.itertuples():
        print(f"{r.period}\t已开启,尚无结果\t\t0\t0\t0\t" + (f"({r.title})" if r.title else ""))
    return 0


def cmd_appeal(args: argparse.Namespace) -> int:
    from scoring.store.appeals import appeals_table, decide_appeal, file_appeal
    from scoring.workbooks.report import APPEAL_OUTCOMES

    store = store_of(args, writes=args.action != "list")
    if args.action == "file":
        files = read_files(args.proof_files or [])
        aid = file_appeal(store, args.period, args.unit, args.check, args.reason, args.proof or "", actor(store, args),
                          files)  # fmt: skip
        print(f"已登记申诉 {aid}:期次 {args.period} 单位 {args.unit} 测评点 {args.check}")
    elif args.action == "decide":
        outcome = "corrected" if args.correct is not None else "upheld"
        decide_appeal(store, args.id, outcome, args.reason, actor(store, args), args.correct)
        print(f"申诉 {args.id} 已复核:{APPEAL_OUTCOMES[outcome]}" + (f",更正为 {args.correct}" if args.correct else ""))
    else:
        table = appeals_table(store, args.period, args.unit)
        if table.empty:
            print("没有申诉")
        for r in table.itertuples():
            decided = cell(r.decision_reason)
            print(f"{r.id}\t{r.period}\t{r.unit_id}\t{r.check_id}\t{APPEAL_OUTCOMES[r.outcome]}\t{cell(r.reason)}"
                  + (f"\t复核:{decided}" if decided else ""))  # fmt: skip
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from scoring.store.publish import publish, revision_digests

    store = store_of(args)
    revision = publish(store, args.period, actor(store, args), args.reason or "", allow_missing=args.allow_missing)
    digests = revision_digests(store, args.period)
    digest = digests.loc[digests["revision"] == revision, "digest"].iloc[0]
    print(f"期次 {args.period} 已发布第 {revision} 版")
    print(f"发布摘要(sha256):{digest}")
    print("请把这行摘要另行保存(如写入通报或归档):日后 assess verify --digest 可据此证明存档未被改动")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from scoring.store.failures import StoreUnusable
    from scoring.store.publish import verify

    if args.digest and not args.period:
        raise InputError([Issue(code="period-required", message="--digest 须与 --period 一起使用")])
    try:
        store = store_of(args, writes=False)
    except StoreUnusable as exc:
        if exc.kind != "damaged":
            raise
        # a damaged store is what verify exists to find: said as a failed verification, not an error
        print(f"核验未通过:{exc.issues[0].message}")
        return 1
    res = verify(store, args.period, digest=args.digest, revision=args.revision)
    if res.differences:
        print(f"核验未通过:{len(res.differences)} 处不同({res.snapshots} 个已发布版本,比对 {res.rows_compared} 行)")
        for d in res.differences[:MAX_PRINTED]:
            print(d)
        return 1
    files = f",佐证文件 {res.files_checked} 个" if res.files_checked else ""
    print(f"核验通过:{res.snapshots} 个已发布版本,比对 {res.rows_compared} 行{files},全部一致")
    return 0
