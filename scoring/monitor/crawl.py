"""The content rules' share of a run (SPEC extension 4a): the columns' newest articles on the unit's
own host, the attachments that pages and articles link to, read as they arrive and then dropped,
and every finding gathered into one frame the rules count.

Each article or attachment is read in the fetcher's reading thread as soon as its probe ends and
only its findings are kept, so that a run holds no more than one attachment's bytes per request
under way. Two attachments with the same content (the same PDF linked from several articles under
different names) are read once. An attachment or article that cannot be read is one located
warning and leaves its unit's findings unjudged as fixed; it never ends the run."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from scoring.limits import MAX_ATTACHMENT_BYTES
from scoring.monitor.attachments import attachment_text
from scoring.monitor.content import Finding, Scanner, attachment_kind
from scoring.monitor.fetch import Fetcher, Probe, host_of
from scoring.monitor.ids import mask_ids
from scoring.monitor.pages import Page, Unreadable, decode, read_body
from scoring.monitor.sites import COLUMN_KINDS

__all__ = ["DEFAULT_MAX_ARTICLES", "FOUND_COLUMNS", "ContentCrawl", "Doc", "crawl_content", "findings_frame",
           "masked_body"]  # fmt: skip

DEFAULT_MAX_ARTICLES = 20  # SPEC 4a: the newest articles read per column
ARTICLE_KINDS = (*COLUMN_KINDS, "messages")
FOUND_COLUMNS = ["unit_id", "rule", "url", "found", "context", "severity", "ident", "first", "second"]


@dataclass(frozen=True)
class Doc:
    """What an article or an attachment showed, or why it was not read."""

    found: tuple[Finding, ...] = ()
    hidden: tuple[tuple[str, str], ...] = ()
    attachments: tuple[str, ...] = ()
    unread: str = ""


@dataclass
class ContentCrawl:
    # unit_id, source (the page linking it), url, what (文章 / 附件), unread ('' when read)
    docs: pd.DataFrame
    read: dict[str, Doc]
    probes: dict[str, Probe]  # bodies dropped
    warnings: list[str] = field(default_factory=list)
    late_units: list[str] = field(default_factory=list)  # with an article or attachment the deadline left unread
    partial_units: list[str] = field(default_factory=list)  # late, or with one that failed or could not be read
    unvisited: int = 0


def masked_body(probe: Probe) -> bytes:
    """The page's bytes with every ID number masked, in its own encoding; the very same bytes
    object when there is nothing to mask."""
    text, encoding = decode(probe.body, probe.content_type)
    masked = mask_ids(text)
    return probe.body if masked == text else masked.encode(encoding, errors="replace")


def _articles(sites: pd.DataFrame, read: dict[str, Page | str], max_articles: int) -> list[tuple[str, str, str]]:
    """(unit_id, column page, article) of each column's ``max_articles`` newest items that link to a
    page on the unit's own host (undated items after the dated ones, in page order). One frame for
    every column of the run: per page only its entries are listed."""
    home = sites[sites["kind"] == "home"].drop_duplicates("unit_id").set_index("unit_id")["url"].map(host_of)
    columns = sites[sites["kind"].isin(ARTICLE_KINDS) & sites["unit_id"].isin(home.index)]
    listed = [(uid, url, e[1], e[2]) for uid, url in zip(columns["unit_id"], columns["url"], strict=True)
              if isinstance(read.get(url), Page) for e in read[url].entries]  # fmt: skip
    items = pd.DataFrame(listed, columns=["unit_id", "page", "target", "date"])
    items = items[(items["target"] != "") & ~items["target"].isin(set(sites["url"]))]
    items = items.drop_duplicates(["unit_id", "page", "target"])
    targets = pd.Index(items["target"].unique())
    hosts = pd.Series([host_of(t) for t in targets], index=targets, dtype=object)
    pages_ = pd.Series([attachment_kind(t) is None for t in targets], index=targets, dtype=bool)
    own = (items["target"].map(hosts) == items["unit_id"].map(home)) & items["target"].map(pages_).astype(bool)
    items = items[own.to_numpy()].assign(date=pd.to_datetime(items["date"]), order=lambda f: range(len(f)))
    items = items.sort_values(["page", "date", "order"], ascending=[True, False, True], na_position="last",
                              kind="stable")  # fmt: skip
    newest = items.groupby("page", sort=False).head(max_articles)
    # in the sites file's order, each column's articles newest first
    rank = pd.Index(columns["url"].drop_duplicates())
    newest = newest.assign(_p=rank.get_indexer(newest["page"])).sort_values("_p", kind="stable")
    return list(zip(newest["unit_id"], newest["page"], newest["target"], strict=True))


async def crawl_content(fetcher: Fetcher, sites: pd.DataFrame, read: dict[str, Page | str], scanner: Scanner,
                        max_articles: int, max_links: int, deadline: float, total: list[int]) -> ContentCrawl:  # fmt: skip
    """Fetch and read the articles, then the attachments, until ``deadline`` (loop time)."""
    results: dict[str, Doc] = {}
    by_content: dict[tuple[str, str], Doc] = {}

    def article(probe: Probe) -> Probe:
        if probe.ok:
            key = (probe.sha256, probe.final_url)
            if key not in by_content:
                try:
                    page = read_body(probe.body, probe.content_type, probe.final_url, scanner.as_of, max_links, scanner)
                    by_content[key] = Doc(page.found, page.hidden, page.attachments)
                except Unreadable as exc:
                    by_content[key] = Doc(unread=str(exc))
                except (RecursionError, MemoryError, ValueError, TypeError) as exc:
                    by_content[key] = Doc(unread=f"网页无法解析({type(exc).__name__})")
            results[probe.url] = by_content[key]
        return replace(probe, body=b"")

    def attachment(probe: Probe) -> Probe:
        if probe.ok and not probe.unread:
            key = (probe.sha256, "")
            if key not in by_content:
                try:
                    by_content[key] = Doc(scanner.scan(attachment_text(probe.body, attachment_kind(probe.url) or "")))
                except Unreadable as exc:
                    by_content[key] = Doc(unread=str(exc))
            results[probe.url] = by_content[key]
        return replace(probe, body=b"")

    loop = asyncio.get_running_loop()
    plan = _articles(sites, read, max_articles)
    wanted = list(dict.fromkeys(a for _, _, a in plan))
    total[1] += len(wanted)
    try:
        async with asyncio.timeout_at(deadline):
            await fetcher.probe_all(wanted, digest=article)
    except TimeoutError:
        pass
    # attachments linked from the sites' own pages and from the articles read
    attached = [(uid, url, a) for uid, url in zip(sites["unit_id"], sites["url"], strict=True)
                if isinstance(read.get(url), Page) for a in read[url].attachments]  # fmt: skip
    attached += [(uid, art, a) for uid, _, art in plan if art in results for a in results[art].attachments]
    files = list(dict.fromkeys(a for _, _, a in attached))
    total[1] += len(files)
    fetcher.allow(files)
    if loop.time() < deadline:
        try:
            async with asyncio.timeout_at(deadline):
                await fetcher.probe_all(files, max_bytes=MAX_ATTACHMENT_BYTES, digest=attachment)
        except TimeoutError:
            pass
    docs = pd.DataFrame([(u, s, a, "文章") for u, s, a in plan] + [(u, s, a, "附件") for u, s, a in attached],
                        columns=["unit_id", "source", "url", "what"]).drop_duplicates(["unit_id", "url"])  # fmt: skip
    probes = {u: fetcher.finished[u] for u in docs["url"] if u in fetcher.finished}

    def why(url: str) -> str:
        if url not in probes:
            return "截止时间已到,未访问"
        if not probes[url].ok:
            return probes[url].said
        return probes[url].unread or (results[url].unread if url in results else "截止时间已到,未读取")

    docs = docs.assign(unread=docs["url"].map(why).astype(object))
    late = docs["unread"].str.startswith("截止时间已到")
    bad = docs[(docs["unread"] != "") & ~late]
    warnings = [f"单位 {u}:{w}{url}(链接自 {s})未能读取:{r}"
                for u, s, url, w, r in bad[["unit_id", "source", "url", "what", "unread"]].itertuples(index=False)]  # fmt: skip
    return ContentCrawl(
        docs.reset_index(drop=True), results, probes, warnings,
        late_units=list(dict.fromkeys(docs.loc[late, "unit_id"])),
        partial_units=list(dict.fromkeys(docs.loc[docs["unread"] != "", "unit_id"])),
        unvisited=int(late.sum()),
    )  # fmt: skip


def findings_frame(pages: pd.DataFrame, read: dict[str, Page | str], content: ContentCrawl | None,
                   hosts: set[str | None], as_of: dt.date) -> pd.DataFrame:  # fmt: skip
    """Every finding of the run (FOUND_COLUMNS): unit, rule, where (a page, article or attachment),
    what (masked), its context (masked), the wrong form's severity, the number's run identity; for
    a messages page's items, their first and second dates (to be judged against a check's days)."""
    from urllib.parse import urlsplit

    rows: list[tuple] = []

    def add(uid: str, url: str, found: tuple[Finding, ...], hidden: tuple[tuple[str, str], ...]) -> None:
        rows.extend((uid, f.rule, url, f.found, f.context, f.severity, f.ident, None, None) for f in found)
        rows.extend((uid, "hidden_links", url, target, f"隐藏方式:{why}", "", "", None, None)
                    for target, why in hidden if urlsplit(target).hostname not in hosts)  # fmt: skip

    for uid, kind, url in pages[["unit_id", "kind", "url"]].itertuples(index=False):
        page = read.get(url)
        if not isinstance(page, Page):
            continue
        add(uid, url, page.found, page.hidden)
        if kind == "messages":
            rows.extend((uid, "unanswered_messages", url, title or "(无标题)", "", "", "", d1, d2)
                        for title, _, d1, d2 in page.entries if d1 is not None)  # fmt: skip
    if content is not None:
        for uid, url in content.docs[["unit_id", "url"]].itertuples(index=False):
            doc = content.read.get(url)
            if doc is not None:
                add(uid, url, doc.found, doc.hidden)
    frame = pd.DataFrame(rows, columns=FOUND_COLUMNS)
    for name in ("url", "found", "context"):
        frame[name] = frame[name].astype(str).map(mask_ids)
    return frame.assign(first=pd.to_datetime(frame["first"]), second=pd.to_datetime(frame["second"]))
