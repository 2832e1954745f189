"""assess monitor (SPEC extension 4): test the units' websites and write results rows."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scoring.cli.common import actor, store_of, write_atomically
from scoring.errors import InputError, Issue
from scoring.output import csv_bytes
from scoring.tables import InputFile

if TYPE_CHECKING:
    from scoring.store import Store
    from scoring.store.users import User

__all__ = ["cmd_monitor", "parse_as_of"]


def parse_as_of(text: str | None) -> dt.date:
    """The date the ages are counted to: given, or today in Beijing."""
    if text is None:
        return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError([Issue(code="bad-as-of", value=text,
                                message=f"--as-of {text} 不是日期;请写作 YYYY-MM-DD,例如 2017-09-30")]) from None  # fmt: skip


def cmd_monitor(args: argparse.Namespace) -> int:
    from scoring.monitor import monitor_sites
    from scoring.monitor.sites import read_sites
    from scoring.monitor.words import read_words
    from scoring.pipeline import read_roster
    from scoring.rubric import load_rubric
    from scoring.store.rounds import PERIOD_PATTERN

    as_of = parse_as_of(args.as_of)
    if not PERIOD_PATTERN.fullmatch(args.period):
        raise InputError([Issue(code="bad-period", value=args.period,
                                message=f"期次编码 “{args.period}” 无效:须为 1 到 32 个字母、数字、“-” 或 “_”")])  # fmt: skip
    if not 1 <= args.concurrency <= 256:
        raise InputError([Issue(code="bad-concurrency", message="--concurrency 须为 1 到 256 之间的整数")])
    if not 1 <= args.max_links <= 100_000:
        raise InputError([Issue(code="bad-max-links", value=str(args.max_links),
                                message="--max-links 须为 1 到 100000 之间的整数(每个网页最多探测的链接数)")])  # fmt: skip
    if not 0 <= args.max_articles <= 10_000:
        raise InputError([Issue(code="bad-max-articles", value=str(args.max_articles),
                                message="--max-articles 须为 0 到 10000 之间的整数(每个栏目最多读取的最新文章数)")])  # fmt: skip
    if not 0 < args.deadline <= 24 * 60:  # also refuses nan
        raise InputError([Issue(code="bad-deadline", value=str(args.deadline),
                                message="--deadline 须为大于 0、不超过 1440 的分钟数,例如 60 或 0.5")])  # fmt: skip
    if args.screenshots and not args.db:
        raise InputError([Issue(code="screenshots-need-db",
                                message="--screenshots 的截图作为佐证文件保存在存储中;请同时给出 --db")])  # fmt: skip
    rubric = load_rubric(args.rubric)
    roster = read_roster(args.units, rubric)
    sites = read_sites(InputFile.from_path(args.sites), roster)
    words = read_words(InputFile.from_path(args.words)) if args.words else None
    store, user, history = None, None, None
    if args.db:
        from scoring.store.probes import home_history, record_run, require_open

        store = store_of(args)
        user = actor(store, args)
        require_open(store, args.period)  # before any page is fetched
        history = home_history(store, args.period)
    run = monitor_sites(rubric, roster, sites, args.period, as_of, history=history, concurrency=args.concurrency,
                        screenshot=args.screenshots, max_links=args.max_links, deadline_s=args.deadline * 60,
                        keep_pages=store is not None, words=words, max_articles=args.max_articles)  # fmt: skip
    for uid in run.without_sites:
        print(f"注意:单位 {uid} 不在站点清单中,未监测", file=sys.stderr)
    for warning in run.warnings:  # located, and masked like every evidence
        print(f"注意:{warning}", file=sys.stderr)
    if run.unvisited:
        unit_name = dict(zip(roster["unit_id"], roster["name"], strict=False))
        check_name = dict(zip(rubric.checks["check_id"], rubric.checks["check_name"], strict=False))
        late = "、".join(f"{unit_name.get(u, u)}({u})「{check_name.get(c, c)}」({c})" for u, c in run.unfinished)
        print(f"注意:已到时限(--deadline {args.deadline:g} 分钟),{run.unvisited} 个网址未访问或未读完;"
              f"所需网页或链接未访问完的测评点未写出结果:{late or '无'}", file=sys.stderr)  # fmt: skip
    content_run = None
    if store is not None:
        content_run = record_run(store, args.period, run, user, _words_version(store, args, user))
    write_atomically(Path(args.out), csv_bytes(run.rows))
    failed = sum(not p.ok for p in run.probes)
    print(f"已监测 {run.pages['unit_id'].nunique()} 个单位、{len(run.probes)} 个网址(失败 {failed} 个);"
          f"写出 {len(run.rows)} 行测评结果到 {args.out}(测评日 {as_of.isoformat()})")  # fmt: skip
    if store is not None:
        from scoring.store.content import run_counts
        from scoring.views.content_fixes import content_summary

        print(f"探测记录和网页存档已保存到 {store.location}")
        print(content_summary(None if content_run is None else run_counts(store, content_run)))
    return 0


def _words_version(store: Store, args: argparse.Namespace, user: User) -> int | None:
    """The words list given with --words, kept as a version in the store so that the run can be replayed."""
    if getattr(args, "words", None) is None:
        return None
    from scoring.store.content import save_words
    from scoring.words_list import read_words_list

    words = InputFile.from_path(args.words)
    return save_words(store, read_words_list(words), Path(words.name).name, user)
