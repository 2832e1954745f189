"""What a fetched page says: its text decoded as the SPEC orders, its dated list items, its links."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scoring.monitor.dates import first_date, newest_date

__all__ = ["Page", "decode", "read_page"]

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# GB2312 and GBK pages often hold characters only GB18030 names; it reads all three the same
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _WIDER.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None  # an unknown label is as good as none


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The page's text and the encoding used: the HTTP header's charset, else <meta charset>, else
    UTF-8, else GB18030 (SPEC extension 4)."""
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    declared = _codec(header.group(1) if header else None) or _codec(
        meta.group(1).decode("ascii", "replace") if meta else None
    )
    if declared:
        return body.decode(declared, errors="replace"), declared
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


def _target(base: str, ref: str | None) -> str | None:
    if not ref or not ref.strip():
        return None
    url = urldefrag(urljoin(base, ref.strip())).url
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


def read_page(text: str, url: str, as_of: dt.date) -> Page:
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()  # their text is not what a visitor reads
    item_dates = []
    items = 0
    for node in tree.css("li, tr"):
        if node.css_first("a[href]") is None:
            continue
        items += 1
        when = first_date(node.text(separator=" "), as_of)
        if when is not None:
            item_dates.append(when)
    body = tree.body
    anchors = tree.css("a[href]")
    refs = [a.attributes.get("href") for a in anchors] + [i.attributes.get("src") for i in tree.css("img[src]")]
    links = dict.fromkeys(t for t in (_target(url, r) for r in refs) if t is not None)
    return Page(
        items=items,
        dated_items=len(item_dates),
        newest_item=max(item_dates) if item_dates else None,
        newest_text=newest_date(body.text(separator=" "), as_of) if body is not None else None,
        anchors=len(anchors),
        links=tuple(links),
    )
