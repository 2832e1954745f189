"""What a fetched page says: its text decoded as the SPEC orders, its dated list items, its links.

A page is the web's input, not ours: whatever it holds (a codec name that is no text encoding,
binary bytes, no bytes, nesting the HTML parser needs quadratic time for, a million links), reading
it either gives a ``Page`` or raises ``Unreadable`` with the reason the evidence cites."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import time
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import numpy as np
import pandas as pd
from selectolax.lexbor import LexborHTMLParser

from scoring.monitor.content import Finding, Scanner, attachment_kind, hidden_links
from scoring.monitor.dates import dates_in, newest_date

__all__ = ["DEFAULT_MAX_LINKS", "MAX_NESTING_WORK", "Page", "Unreadable", "decode", "read_body", "read_page"]

DEFAULT_MAX_LINKS = 500  # link targets probed per page (SPEC 4a --max-links)
# Lexbor, like every HTML5 parser, scans the stack of open elements at each block start tag (div,
# ul, blockquote ...): 100 000 nested <div> take 15 s, 300 000 take minutes. The sum of the depths
# at those tags is that work; 5e7 is 10 000 nested <div> (0.3 s), a depth no real page reaches.
MAX_NESTING_WORK = 50_000_000
ITEMS_BUDGET_S = 5.0  # reading a page's list items; an ordinary page takes milliseconds
# measured: each of these nested 10 000 deep takes Lexbor 0.1-0.8 s, 100 000 deep minutes
_BLOCKS = frozenset(("address", "article", "aside", "basefont", "blink", "blockquote", "center", "details", "dialog",
                     "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing",
                     "main", "menu", "nav", "ol", "optgroup", "pre", "rp", "rt", "section", "summary", "ul"))  # fmt: skip
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_BLOCK_START = re.compile(r"<(?:" + "|".join(sorted(_BLOCKS)) + r")(?![A-Za-z0-9])", re.I)
# n block start tags do at most n(n+1)/2 work: fewer than this many need no closer look
_FEW_BLOCKS = 9_999
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|body|meta|title|div|p|table|ul|a)\b", re.I)

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# GB2312 and GBK pages often hold characters only GB18030 names; it reads all three the same
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


class Unreadable(Exception):
    """A page answered but cannot be read; the message (Chinese) is what the evidence says."""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _WIDER.get(name.lower(), name.lower())
    try:
        found = codecs.lookup(name)
    except LookupError:
        return None  # an unknown label is as good as none
    # base64, rot13, hex, zlib, uu ... are codecs too, but bytes-to-bytes: no label a page may use
    return found.name if found._is_text_encoding else None


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The page's text and the encoding used: the HTTP header's charset, else <meta charset>, else
    UTF-8, else GB18030 (SPEC extension 4)."""
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    declared = _codec(header.group(1) if header else None) or _codec(
        meta.group(1).decode("ascii", "replace") if meta else None
    )
    if declared:
        try:
            return body.decode(declared, errors="replace"), declared
        except (UnicodeError, LookupError):
            pass  # idna, punycode, undefined: text codecs that refuse a page's bytes; as if undeclared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace"), "gb18030"


@dataclass(frozen=True)
class Page:
    """A page as the rules read it."""

    items: int  # <li> and <tr> that hold a link
    dated_items: int
    newest_item: dt.date | None  # the latest of the items' first dates
    newest_text: dt.date | None  # the latest date anywhere in the visible text of <body>
    anchors: int  # a[href] on the page
    links: tuple[str, ...]  # distinct http(s) targets of a[href] and img[src], resolved, without #fragment
    unprobed: int = 0  # distinct link references beyond the first ``max_links`` targets, not probed
    # each item: (its link's text, its link's target or '', its first date, its second date); a
    # column's articles and a messages page's messages (SPEC 4a)
    entries: tuple[tuple[str, str, dt.date | None, dt.date | None], ...] = ()
    hidden: tuple[tuple[str, str], ...] = ()  # (link target, why hidden) of links hidden from visitors
    attachments: tuple[str, ...] = ()  # targets of a[href] whose path ends in .pdf .docx .xlsx .xls .csv .txt
    found: tuple[Finding, ...] = ()  # what a Scanner found in the page's text


def _target(base: str, ref: str | None) -> str | None:
    if not ref or not ref.strip():
        return None
    url = urldefrag(urljoin(base, ref.strip())).url
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


def _nesting_work(text: str) -> tuple[int, int]:
    """(work, depth): the sum of the open block elements' count at each block start tag, and the
    deepest count. Each tag name's open count never falls below 0 (a stray end tag closes nothing),
    so that end tags of other names or of nothing cannot hide a pile of open <div>."""
    if len(_BLOCK_START.findall(text)) <= _FEW_BLOCKS:  # every ordinary page
        return 0, 0
    tags = pd.DataFrame(_TAG.findall(text), columns=["end", "name"])
    if tags.empty:
        return 0, 0
    tags = tags[tags["name"].str.lower().isin(_BLOCKS)]
    if tags.empty:
        return 0, 0
    name = tags["name"].str.lower()
    step = np.where(tags["end"] == "/", -1, 1)
    total = pd.Series(step, index=tags.index).groupby(name).cumsum()
    # per name, the open count clamped at 0: S - min(0, running min of S) (Lindley's recursion)
    opened = total - np.minimum(total.groupby(name).cummin(), 0)
    depth = opened.groupby(name).diff().fillna(opened).cumsum()
    starts = depth[step > 0]
    return int(starts.sum()), int(depth.max())


def _item_dates(tree: LexborHTMLParser, as_of: dt.date, url: str) -> tuple[list[dt.date], int, list[tuple]]:
    """The first date of each item (an <li> or <tr> that holds a link), how many items there are,
    and each item's entry (its link's text and target, its first and second dates).
    Nested items make this quadratic (each reads its whole subtree: 300 000 nested tables take
    hours), and no cheap count before parsing foresees every way to nest them; so the items get
    ``ITEMS_BUDGET_S`` of time, checked before each item (one costs at most a pass over the page)."""
    start = time.monotonic()
    dates, items, entries = [], 0, []
    for node in tree.css("li, tr"):
        if time.monotonic() - start > ITEMS_BUDGET_S:
            raise Unreadable(f"网页的列表条目嵌套过深,{ITEMS_BUDGET_S:g} 秒内未能读完")
        link = node.css_first("a[href]")
        if link is None:
            continue
        items += 1
        found = dates_in(node.text(separator=" "), as_of)[:2]
        if found:
            dates.append(found[0])
        title = " ".join(link.text(separator=" ").split())[:200]
        entries.append((title, _target(url, link.attributes.get("href")) or "", *[*found, None, None][:2]))
    return dates, items, entries


def read_page(text: str, url: str, as_of: dt.date, max_links: int = DEFAULT_MAX_LINKS,
              scanner: Scanner | None = None) -> Page:  # fmt: skip
    """What a page's text shows; the first ``max_links`` distinct targets are kept, the rest counted.
    With a ``scanner`` (scoring.monitor.content.Scanner), its content findings too."""
    work, depth = _nesting_work(text)
    if work > MAX_NESTING_WORK:
        raise Unreadable(f"网页元素嵌套过深(约 {depth} 层),不予解析")
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()  # their text is not what a visitor reads
    item_dates, items, entries = _item_dates(tree, as_of, url)
    body = tree.body
    visible = body.text(separator=" ") if body is not None else ""
    anchors = tree.css("a[href]")
    written = [a.attributes.get("href") for a in anchors] + [i.attributes.get("src") for i in tree.css("img[src]")]
    # a reference written the same way twice (the fragment aside) is resolved once; mailto: and
    # javascript: are no targets
    refs: dict[str, str] = {}
    for ref in written:
        ref = (ref or "").strip()
        scheme = _SCHEME.match(ref)
        if ref and (scheme is None or scheme.group(1).lower() in ("http", "https")):
            refs.setdefault(ref.split("#", 1)[0], ref)
    links: dict[str, None] = {}
    attachments: dict[str, None] = {}
    resolved = 0
    for ref in refs.values():  # at most max_links targets (and the references that resolve to none) are resolved
        if len(links) >= max_links:
            break
        resolved += 1
        target = _target(url, ref)
        if target is not None:
            links.setdefault(target)
            if attachment_kind(target) is not None:
                attachments.setdefault(target)
    hidden = hidden_links(tree, lambda ref: _target(url, ref))
    return Page(
        items=items,
        dated_items=len(item_dates),
        newest_item=max(item_dates) if item_dates else None,
        newest_text=newest_date(visible, as_of) if body is not None else None,
        anchors=len(anchors),
        links=tuple(links),
        unprobed=len(refs) - resolved,
        entries=tuple(entries),
        hidden=tuple(hidden.items()),
        attachments=tuple(attachments),
        found=scanner.scan(visible) if scanner is not None else (),
    )


def _looks_textual(content_type: str, body: bytes) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return (
        not media
        or media.startswith("text/")
        or "html" in media
        or "xml" in media
        or bool(_HTML_START.match(body[:1024]))
    )


def read_body(body: bytes, content_type: str, url: str, as_of: dt.date, max_links: int = DEFAULT_MAX_LINKS,
              scanner: Scanner | None = None) -> Page:  # fmt: skip
    """A fetched page's bytes as the rules read them, or ``Unreadable`` saying why not."""
    if not body:
        raise Unreadable("网页内容为空(0 字节)")
    if not _looks_textual(content_type, body):
        raise Unreadable(f"不是网页(Content-Type: {(content_type or '').split(';')[0].strip()[:60]})")
    text, encoding = decode(body, content_type)
    sample = text[:200_000]
    # a page of text holds no NUL and few undecodable bytes; binary files hold both
    if "\x00" in sample or sample.count("\ufffd") > max(20, len(sample) // 20):
        raise Unreadable(f"内容不是可读的文本(按 {encoding} 解码失败)")
    return read_page(text, url, as_of, max_links, scanner)
