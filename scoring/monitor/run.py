"""One run of the monitor: probe every page of the sites file and the links they hold, read the
pages, and write one results row per (unit, monitored check) (SPEC extension 4)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import pandas as pd

from scoring.codes import applicable_matrix
from scoring.errors import InputError, Issue
from scoring.monitor.content import CONTENT_RULES, Scanner
from scoring.monitor.crawl import DEFAULT_MAX_ARTICLES, ContentCrawl, crawl_content, findings_frame, masked_body
from scoring.monitor.fetch import Fetcher, Probe
from scoring.monitor.ids import mask_ids
from scoring.monitor.pages import DEFAULT_MAX_LINKS, Page, Unreadable, read_body
from scoring.monitor.rules import DEFAULT_MESSAGE_DAYS, late_messages, message_said, rule_values
from scoring.monitor.sites import COLUMN_KINDS
from scoring.monitor.words import WordList
from scoring.rubric import Rubric
from scoring.rubric.model import MonitorSpec

__all__ = ["CONTENT_COLUMNS", "DEFAULT_DEADLINE_S", "DEFAULT_TIMEOUT_S", "EVALUATOR", "MonitorRun", "archive_name",
           "monitor_sites", "monitored_checks"]  # fmt: skip

EVALUATOR = "monitor"  # the results rows' evaluator: a batch like any other, appealed and corrected the same way
DEFAULT_TIMEOUT_S = 15.0
DEFAULT_DEADLINE_S = 3600.0  # SPEC 4a --deadline 60
NOT_VISITED = "截止时间已到,未访问"
# SPEC 4a, the store's fix tracking reads these: found is a wrong form, a masked ID number, a link
# target or a message's title; key is rule + url + found, hashed (stable across runs)
CONTENT_COLUMNS = ["unit_id", "rule", "url", "found", "context", "severity", "key"]
RESULT_HEADER = ["period", "unit_id", "check_id", "value", "evidence", "note", "evaluator", "checked_at"]


@dataclass
class MonitorRun:
    rows: pd.DataFrame  # the results rows (SPEC section 2 columns)
    probes: list[Probe]  # every probe of this run, pages first
    pages: pd.DataFrame  # one row per sites row with what its page showed
    without_sites: list[str] = field(default_factory=list)  # roster units the sites file does not list
    screenshots: dict[str, bytes] = field(default_factory=dict)  # evidence name → PNG (--screenshots)
    # the deadline came first: how many URLs were never probed, and the (unit_id, check_id) whose
    # pages or links were not all probed by then, which get no row
    unvisited: int = 0
    unfinished: list[tuple[str, str]] = field(default_factory=list)
    # SPEC 4a: one row per distinct finding of a content rule (CONTENT_COLUMNS), and the units whose
    # pages, articles and attachments were all read this run (only their findings may be marked fixed)
    content: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONTENT_COLUMNS))
    content_units: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # located, masked: attachments or articles not read


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


def _read(probe: Probe, as_of: dt.date, max_links: int, scanner: Scanner | None = None) -> Page | str:
    """The page, or why it cannot be read: one page's bytes never end the run."""
    if probe.unread:
        return probe.unread
    try:
        return read_body(probe.body, probe.content_type, probe.final_url, as_of, max_links, scanner)
    except Unreadable as exc:
        return str(exc)
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:  # the parser's own limits
        return f"网页无法解析({type(exc).__name__})"


async def _crawl(sites: pd.DataFrame, with_links: bool, timeout_s: float, concurrency: int, per_host: int,
                 interval_s: float, progress: Callable[[int, int], None] | None, as_of: dt.date, max_links: int,
                 deadline_s: float, scanner: Scanner | None = None, max_articles: int = DEFAULT_MAX_ARTICLES,
                 ) -> tuple[dict[str, Probe], dict[str, Page | str], dict[str, Probe], int, ContentCrawl | None]:  # fmt: skip
    """Page probes, what each page showed (or why not), link probes, how many URLs the deadline
    left unprobed, and with a ``scanner`` the articles and attachments read. A probe the deadline
    cut off is absent from the dicts."""
    total = [sites["url"].nunique(), 0]
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(done[0], sum(total))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    async with Fetcher(sites["url"], timeout_s, concurrency, per_host, interval_s, tick) as fetcher:
        wanted = list(dict.fromkeys(sites["url"]))
        try:
            async with asyncio.timeout_at(deadline):
                await fetcher.probe_all(wanted)
        except TimeoutError:
            pass
        probes = {u: fetcher.finished[u] for u in wanted if u in fetcher.finished}
        read: dict[str, Page | str] = {}
        for url, probe in probes.items():
            if probe.ok and loop.time() < deadline:  # a page left unread by the deadline is as if unvisited
                read[url] = _read(probe, as_of, max_links, scanner)
        unread = sum(p.ok and u not in read for u, p in probes.items())
        content = None
        if scanner is not None:
            content = await crawl_content(fetcher, sites, read, scanner, max_articles, max_links, deadline, total)
        link_probes: dict[str, Probe] = {}
        targets: list[str] = []
        if with_links:
            sources = sites[sites["kind"].isin(("home", *COLUMN_KINDS))]["url"].drop_duplicates()
            pages = [read[u] for u in sources if isinstance(read.get(u), Page)]
            targets = list(dict.fromkeys(t for page in pages for t in page.links))
            fresh = [t for t in targets if t not in fetcher.finished and t not in wanted]
            total[1] += len(fresh)
            fetcher.allow(targets)
            try:
                async with asyncio.timeout_at(deadline):
                    await fetcher.probe_all(fresh, keep_body=False)
            except TimeoutError:
                pass
            link_probes = {t: fetcher.finished[t] for t in targets if t in fetcher.finished}
        unvisited = len(set(wanted).union(targets) - set(fetcher.finished)) + unread
        if content is not None:
            unvisited += content.unvisited
    return probes, read, link_probes, unvisited, content


def _unfinished(spec: MonitorSpec, pages: pd.DataFrame, links: pd.DataFrame,
                content: ContentCrawl | None = None) -> pd.Index:  # fmt: skip
    """Units whose value for this rule would rest on a page or link the deadline left unprobed."""
    if spec.rule in CONTENT_RULES:
        late = pd.Index(content.late_units if content is not None else [])
        return pd.Index(pages.loc[~pages["fetched"], "unit_id"]).union(late).drop_duplicates()
    if spec.rule in ("unreachable", "home_stale"):
        needed = pages[pages["kind"] == "home"]
    elif spec.rule in ("stale_columns", "empty_columns"):
        needed = pages[pages["kind"].isin(spec.kinds or COLUMN_KINDS)]
    elif spec.rule == "page_exists":
        needed = pages[pages["column"] == spec.column]
    else:  # broken_links: its pages and their links
        needed = pages[pages["kind"].isin(("home", *COLUMN_KINDS))]
        late_links = links.loc[~links["probed"], "unit_id"]
        return pd.Index(needed.loc[~needed["fetched"], "unit_id"]).union(pd.Index(late_links)).drop_duplicates()
    return pd.Index(needed.loc[~needed["fetched"], "unit_id"]).drop_duplicates()


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
    max_links: int = DEFAULT_MAX_LINKS,
    deadline_s: float = DEFAULT_DEADLINE_S,
    keep_pages: bool = True,
    words: pd.DataFrame | None = None,
    max_articles: int = DEFAULT_MAX_ARTICLES,
) -> MonitorRun:
    """Probe, read and judge. ``history`` gives, for {unit_id: home URL}, the home probes stored
    before this run (unit_id → probes, failed), so that a daily run makes the period's failure rate.
    At most ``max_links`` link targets per page are probed; after ``deadline_s`` seconds the run
    ends with what it has (MonitorRun.unfinished). ``keep_pages`` False drops the pages' bytes once
    read (nothing will archive them). ``words`` is the office's list of wrong forms
    (scoring.monitor.words.read_words); without it no wrong_words check gets a row (a warning says
    so). With a content rule, the ``max_articles`` newest articles of each column and the
    attachments they link are read too (SPEC 4a)."""
    checks = monitored_checks(rubric)
    if not checks:
        raise InputError([Issue(code="no-monitored-checks", file=rubric.path,
                                message="指标体系中没有带 monitor 的测评点;请先为可自动监测的测评点写上 monitor: {rule: ...}")])  # fmt: skip
    listed = sites[sites["unit_id"].isin(set(roster["unit_id"]))]
    with_links = any(m.rule == "broken_links" for _, _, m in checks)
    rules = {m.rule for _, _, m in checks}
    warnings: list[str] = []
    if "wrong_words" in rules and words is None:
        names = "、".join(c for c, _, m in checks if m.rule == "wrong_words")
        warnings.append(f"未给出错误表述清单(--words),测评点 {names} 未写出结果")
        checks = [c for c in checks if c[2].rule != "wrong_words"]
        rules.discard("wrong_words")
    scanner = None
    if rules & set(CONTENT_RULES):
        scanner = Scanner(as_of, WordList.of(words) if "wrong_words" in rules else None, "privacy_leaks" in rules)
    probes, read, link_probes, unvisited, content = asyncio.run(
        _crawl(listed, with_links, _timeout(checks), concurrency, per_host, interval_s, progress, as_of, max_links,
               deadline_s, scanner, max_articles)
    )  # fmt: skip

    def seen(url: str, attr: str, empty: object) -> object:
        page = read.get(url)
        return getattr(page, attr) if isinstance(page, Page) else empty

    def said(url: str) -> str:
        return probes[url].said if url in probes else NOT_VISITED

    fetched = listed["url"].map(lambda u: u in probes and (not probes[u].ok or u in read))
    answered = listed["url"].map(lambda u: u in probes and probes[u].ok)
    pages = listed.assign(
        fetched=fetched,
        ok=answered,
        said=listed["url"].map(said),
        unreadable=listed["url"].map(lambda u: read[u] if isinstance(read.get(u), str) else ""),
        items=listed["url"].map(lambda u: seen(u, "items", 0)),
        dated_items=listed["url"].map(lambda u: seen(u, "dated_items", 0)),
        anchors=listed["url"].map(lambda u: seen(u, "anchors", 0)),
        unprobed=listed["url"].map(lambda u: seen(u, "unprobed", 0)),
        newest_item=pd.to_datetime(listed["url"].map(lambda u: seen(u, "newest_item", None))),
        newest_text=pd.to_datetime(listed["url"].map(lambda u: seen(u, "newest_text", None))),
        # a page's bytes are archived when it answered with some (not over the limit, not dropped)
        archive=listed["url"].map(lambda u: archive_name(probes[u]) if answered_with_body(probes.get(u)) else ""),
    )
    if not keep_pages:
        probes = {u: replace(p, body=b"") for u, p in probes.items()}
    # the tool must never become a second leak: a kept page's ID numbers are masked (its archive
    # keeps the name of the page as fetched), and a page that shows one gets no screenshot
    masked = {u: masked_body(p) for u, p in probes.items() if p.body}
    leaky = {u for u, body in masked.items() if body is not probes[u].body}
    probes = {u: replace(p, body=masked[u]) if u in leaky else p for u, p in probes.items()}
    shots: dict[str, bytes] = {}
    if screenshot and not unvisited:
        from scoring.monitor.screens import screenshot_name, screenshots

        linked = [t for page in read.values() if isinstance(page, Page) for t in page.links]
        shown = pages.loc[pages["ok"] & ~pages["url"].isin(leaky), "url"]
        taken = screenshots(shown, [*listed["url"], *linked], _timeout(checks))
        shots = {screenshot_name(png): png for png in taken.values()}
        names = {u: screenshot_name(png) for u, png in taken.items()}
        pages = pages.assign(
            archive=pages["archive"] + pages["url"].map(lambda u: f"、{names[u]}" if u in names else "")
        )
    sources = pages[pages["kind"].isin(("home", *COLUMN_KINDS))]
    links = pd.DataFrame(
        [(uid, t) for uid, u in zip(sources["unit_id"], sources["url"], strict=True) if isinstance(read.get(u), Page)
         for t in read[u].links],
        columns=["unit_id", "target"],
    ).drop_duplicates()  # fmt: skip
    links = links.assign(probed=links["target"].map(lambda t: t in link_probes).astype(bool),
                         ok=links["target"].map(lambda t: link_probes[t].ok if t in link_probes else True).astype(bool),
                         said=links["target"].map(lambda t: link_probes[t].said if t in link_probes else "").astype(object))  # fmt: skip

    homes = pages[pages["kind"] == "home"].set_index("unit_id")["url"]
    now = pd.DataFrame(
        {"probes": 1, "failed": (~pages[pages["kind"] == "home"].set_index("unit_id")["ok"]).astype(int)}
    )
    before = history(homes.to_dict()) if history is not None else pd.DataFrame(columns=["probes", "failed"])
    home_counts = now.add(before.reindex(now.index).fillna(0), fill_value=0)

    hosts = {urlsplit(u).hostname for u in sites["url"]}
    found = findings_frame(pages, read, content, hosts, as_of)
    docs = content.docs if content is not None else None

    units = pd.Index(roster["unit_id"])
    matrix = applicable_matrix(rubric, units, roster["group"].to_numpy())
    check_pos = pd.Index(rubric.checks["check_id"])
    out = []
    unfinished: list[tuple[str, str]] = []
    for check_id, method, spec in checks:
        values = rule_values(spec, method, pages, links, home_counts, as_of, max_links=max_links, found=found,
                             docs=docs)  # fmt: skip
        applies = matrix[units.get_indexer(values.index), check_pos.get_loc(check_id)]
        values = values[applies]
        # never a guess presented as a measurement: a value whose pages the deadline cut off is not written
        late = values.index.isin(_unfinished(spec, pages, links, content))
        unfinished += [(u, check_id) for u in values.index[late]]
        values = values[~late]
        archived = pages[pages["archive"] != ""].groupby("unit_id")["archive"].agg(
            lambda a: "存档 " + "、".join(dict.fromkeys("、".join(a).split("、"))))  # fmt: skip
        # a URL or a page's words may hold an ID number too: every evidence cell is masked
        evidence = (values["evidence"] + (" | " + archived.reindex(values.index)).fillna("")).map(mask_ids)
        out.append(pd.DataFrame({"unit_id": values.index, "check_id": check_id, "value": values["value"].to_numpy(),
                                 "evidence": evidence.to_numpy()}))  # fmt: skip
    rows = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["unit_id", "check_id", "value"])
    order = pd.Index(sites["unit_id"].drop_duplicates())
    rows = rows.assign(_u=order.get_indexer(rows["unit_id"]), _c=check_pos.get_indexer(rows["check_id"]))
    rows = rows.sort_values(["_u", "_c"], kind="stable").drop(columns=["_u", "_c"])
    rows = rows.assign(period=period, note="", evaluator=EVALUATOR, checked_at=as_of.isoformat())[RESULT_HEADER]
    without = [u for u in roster["unit_id"] if u not in set(sites["unit_id"])]
    every = list(probes.values()) + [p for t, p in link_probes.items() if t not in probes]
    if content is not None:
        every += [p for u, p in content.probes.items() if u not in probes and u not in link_probes]
        warnings += content.warnings
    # a link found on a page may carry an ID number in its query (?sfzh=…): stored probes mask it too
    every = [replace(p, url=mask_ids(p.url), final_url=mask_ids(p.final_url)) if p.url not in probes else p
             for p in every]  # fmt: skip
    return MonitorRun(rows.reset_index(drop=True), every, pages, without, shots, unvisited, unfinished,
                      _content_rows(found, rules, checks, as_of), _content_units(pages, content, rules),
                      [mask_ids(w) for w in warnings])  # fmt: skip


def _content_rows(found: pd.DataFrame, rules: set[str], checks: list[tuple[str, str, MonitorSpec]],
                  as_of: dt.date) -> pd.DataFrame:  # fmt: skip
    """The interface the store's fix tracking reads: one row per distinct finding, keyed by rule,
    URL and what was found (a masked number, never a full one). A message is a finding when it is
    late by the days of any of the rubric's unanswered_messages checks."""
    if found.empty or not rules & set(CONTENT_RULES):
        return pd.DataFrame(columns=CONTENT_COLUMNS)
    messages = found["rule"] == "unanswered_messages"
    days = [m.days if m.days is not None else DEFAULT_MESSAGE_DAYS for _, _, m in checks
            if m.rule == "unanswered_messages"]  # fmt: skip
    if days:
        late = late_messages(found[messages], min(days), as_of)
        said = message_said(found[messages], min(days), as_of)
        found = found.assign(context=found["context"].where(~messages, said.reindex(found.index)))
        found = found[~messages | late.reindex(found.index, fill_value=False)]
    rows = found[found["rule"].isin(rules)].drop_duplicates(["unit_id", "rule", "url", "found"])
    key = (rows["rule"] + "\n" + rows["url"] + "\n" + rows["found"]).map(
        lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest()[:32])  # fmt: skip
    return rows.assign(key=key)[CONTENT_COLUMNS].reset_index(drop=True)


def _content_units(pages: pd.DataFrame, content: ContentCrawl | None, rules: set[str]) -> list[str]:
    """Units whose every page, article and attachment was fetched and read this run."""
    if content is None or not rules & set(CONTENT_RULES):
        return []
    whole = pages["ok"].astype(bool) & (pages["unreadable"] == "")
    complete = whole.groupby(pages["unit_id"], sort=False).all()
    partial = set(content.partial_units)
    return [u for u, ok in complete.items() if ok and u not in partial]


def answered_with_body(probe: Probe | None) -> bool:
    return probe is not None and probe.ok and bool(probe.body)
