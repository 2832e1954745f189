"""One run of the monitor: probe every page of the sites file and the links they hold, read the
pages, and write one results row per (unit, monitored check) (SPEC extension 4)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from scoring.codes import applicable_matrix
from scoring.errors import InputError, Issue
from scoring.monitor.fetch import Fetcher, Probe
from scoring.monitor.pages import decode, read_page
from scoring.monitor.rules import rule_values
from scoring.monitor.sites import COLUMN_KINDS
from scoring.rubric import Rubric
from scoring.rubric.model import MonitorSpec

__all__ = ["DEFAULT_TIMEOUT_S", "EVALUATOR", "MonitorRun", "archive_name", "monitor_sites", "monitored_checks"]

EVALUATOR = "monitor"  # the results rows' evaluator: a batch like any other, appealed and corrected the same way
DEFAULT_TIMEOUT_S = 15.0
RESULT_HEADER = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]


@dataclass
class MonitorRun:
    rows: pd.DataFrame  # the results rows (SPEC section 2 columns)
    probes: list[Probe]  # every probe of this run, pages first
    pages: pd.DataFrame  # one row per sites row with what its page showed
    without_sites: list[str] = field(default_factory=list)  # roster units the sites file does not list
    screenshots: dict[str, bytes] = field(default_factory=dict)  # evidence name → PNG (--screenshots)


def monitored_checks(rubric: Rubric) -> list[tuple[str, str, MonitorSpec]]:
    """(check id, method, monitor) of every check the monitor measures, in rubric order."""
    return [(c.id, c.method, c.monitor) for t in rubric.spec.tracks for d in t.dimensions for i in d.indicators
            for c in i.checks if c.monitor is not None]  # fmt: skip


def archive_name(probe: Probe) -> str:
    """The evidence file a kept page is stored as: named by its content, so a page that did not
    change between two daily runs is stored once."""
    return f"网页存档-{probe.sha256[:16]}.html"


def _timeout(checks: list[tuple[str, str, MonitorSpec]]) -> float:
    given = [m.timeout_s for _, _, m in checks if m.rule == "unreachable" and m.timeout_s is not None]
    return given[0] if given else DEFAULT_TIMEOUT_S


async def _crawl(sites: pd.DataFrame, with_links: bool, timeout_s: float, concurrency: int, per_host: int,
                 interval_s: float, progress: Callable[[int, int], None] | None,
                 as_of: dt.date) -> tuple[dict[str, Probe], dict[str, object], dict[str, Probe]]:  # fmt: skip
    total = [sites["url"].nunique(), 0]
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(done[0], sum(total))

    async with Fetcher(sites["url"], timeout_s, concurrency, per_host, interval_s, tick) as fetcher:
        probes = await fetcher.probe_all(sites["url"])
        read = {}
        for url, probe in probes.items():
            if probe.ok:
                text, _ = decode(probe.body, probe.content_type)
                read[url] = read_page(text, probe.final_url, as_of)
        link_probes: dict[str, Probe] = {}
        if with_links:
            sources = sites[sites["kind"].isin(("home", *COLUMN_KINDS))]["url"].drop_duplicates()
            targets = list(dict.fromkeys(t for u in sources if u in read for t in read[u].links))
            fresh = [t for t in targets if t not in probes]
            total[1] = len(fresh)
            fetcher.allow(targets)
            link_probes = {**{t: probes[t] for t in targets if t in probes}, **await fetcher.probe_all(fresh)}
    return probes, read, link_probes


def monitor_sites(
    rubric: Rubric,
    roster: pd.DataFrame,
    sites: pd.DataFrame,
    period: str,
    as_of: dt.date,
    *,
    history: Callable[[dict[str, str]], pd.DataFrame] | None = None,
    concurrency: int = 16,
    per_host: int = 2,
    interval_s: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
    screenshot: bool = False,
) -> MonitorRun:
    """Probe, read and judge. ``history`` gives, for {unit_id: home URL}, the home probes stored
    before this run (unit_id → probes, failed), so that a daily run makes the period's failure rate."""
    checks = monitored_checks(rubric)
    if not checks:
        raise InputError([Issue(code="no-monitored-checks", file=rubric.path,
                                message="指标体系中没有带 monitor 的测评点;请先为可自动监测的测评点写上 monitor: {rule: ...}")])  # fmt: skip
    listed = sites[sites["unit_id"].isin(set(roster["unit_id"]))]
    with_links = any(m.rule == "broken_links" for _, _, m in checks)
    probes, read, link_probes = asyncio.run(
        _crawl(listed, with_links, _timeout(checks), concurrency, per_host, interval_s, progress, as_of)
    )

    def seen(url: str, attr: str, empty: object) -> object:
        page = read.get(url)
        return getattr(page, attr) if page is not None else empty

    pages = listed.assign(
        ok=listed["url"].map(lambda u: probes[u].ok),
        said=listed["url"].map(lambda u: probes[u].said),
        items=listed["url"].map(lambda u: seen(u, "items", 0)),
        dated_items=listed["url"].map(lambda u: seen(u, "dated_items", 0)),
        anchors=listed["url"].map(lambda u: seen(u, "anchors", 0)),
        newest_item=pd.to_datetime(listed["url"].map(lambda u: seen(u, "newest_item", None))),
        newest_text=pd.to_datetime(listed["url"].map(lambda u: seen(u, "newest_text", None))),
        archive=listed["url"].map(lambda u: archive_name(probes[u]) if probes[u].ok else ""),
    )
    shots: dict[str, bytes] = {}
    if screenshot:
        from scoring.monitor.screens import screenshot_name, screenshots

        linked = [t for page in read.values() for t in page.links]
        taken = screenshots(pages.loc[pages["ok"], "url"], [*listed["url"], *linked], _timeout(checks))
        shots = {screenshot_name(png): png for png in taken.values()}
        names = {u: screenshot_name(png) for u, png in taken.items()}
        pages = pages.assign(
            archive=pages["archive"] + pages["url"].map(lambda u: f"、{names[u]}" if u in names else "")
        )
    sources = pages[pages["kind"].isin(("home", *COLUMN_KINDS))]
    links = pd.DataFrame(
        [(uid, t) for uid, u in zip(sources["unit_id"], sources["url"], strict=True) if u in read
         for t in read[u].links],
        columns=["unit_id", "target"],
    ).drop_duplicates()  # fmt: skip
    links = links.assign(ok=links["target"].map(lambda t: link_probes[t].ok if t in link_probes else True),
                         said=links["target"].map(lambda t: link_probes[t].said if t in link_probes else ""))  # fmt: skip

    homes = pages[pages["kind"] == "home"].set_index("unit_id")["url"]
    now = pd.DataFrame(
        {"probes": 1, "failed": (~pages[pages["kind"] == "home"].set_index("unit_id")["ok"]).astype(int)}
    )
    before = history(homes.to_dict()) if history is not None else pd.DataFrame(columns=["probes", "failed"])
    home_counts = now.add(before.reindex(now.index).fillna(0), fill_value=0)

    units = pd.Index(roster["unit_id"])
    matrix = applicable_matrix(rubric, units, roster["group"].to_numpy())
    check_pos = pd.Index(rubric.checks["check_id"])
    out = []
    for check_id, method, spec in checks:
        values = rule_values(spec, method, pages, links, home_counts, as_of)
        applies = matrix[units.get_indexer(values.index), check_pos.get_loc(check_id)]
        values = values[applies]
        archived = pages[pages["archive"] != ""].groupby("unit_id")["archive"].agg(
            lambda a: "存档 " + "、".join(dict.fromkeys("、".join(a).split("、"))))  # fmt: skip
        evidence = values["evidence"] + (" | " + archived.reindex(values.index)).fillna("")
        out.append(pd.DataFrame({"unit_id": values.index, "check_id": check_id, "value": values["value"].to_numpy(),
                                 "evidence": evidence.to_numpy()}))  # fmt: skip
    rows = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["unit_id", "check_id", "value"])
    order = pd.Index(sites["unit_id"].drop_duplicates())
    rows = rows.assign(_u=order.get_indexer(rows["unit_id"]), _c=check_pos.get_indexer(rows["check_id"]))
    rows = rows.sort_values(["_u", "_c"], kind="stable").drop(columns=["_u", "_c"])
    rows = rows.assign(period=period, note="", evaluator=EVALUATOR, checked_at=as_of.isoformat())[RESULT_HEADER]
    without = [u for u in roster["unit_id"] if u not in set(sites["unit_id"])]
    every = list(probes.values()) + [p for t, p in link_probes.items() if t not in probes]
    return MonitorRun(rows.reset_index(drop=True), every, pages, without, shots)
