"""What the content rules find in a page or an attachment (SPEC extension 4a): wrong wording, ID
numbers, links hidden from visitors. Each finding carries its context, 20 characters either side,
cut from the text after :func:`scoring.monitor.ids.mask_ids` (which keeps positions), so that no
context can show a number in full, not even one cut at the window's edge."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scoring.monitor.ids import find_ids, mask_ids
from scoring.monitor.words import WordList

__all__ = ["ATTACHMENT_KINDS", "CONTENT_RULES", "CONTEXT_CHARS", "Finding", "Scanner", "attachment_kind",
           "hidden_links"]  # fmt: skip

CONTENT_RULES = ("wrong_words", "privacy_leaks", "hidden_links", "unanswered_messages")
ATTACHMENT_KINDS = (".pdf", ".docx", ".xlsx", ".xls", ".csv", ".txt")
CONTEXT_CHARS = 20
_BLANKS = re.compile(r"\s+")


def attachment_kind(url: str) -> str | None:
    """The attachment's kind by its path's ending (.pdf ...), or None for a page."""
    path = unquote(urlsplit(url).path).lower()
    return next((k for k in ATTACHMENT_KINDS if path.endswith(k)), None)


@dataclass(frozen=True)
class Finding:
    """One occurrence: ``found`` is a wrong form, a masked ID number or a link target; ``ident``
    tells two ID numbers with the same masked form apart within this run (never stored)."""

    rule: str
    found: str
    context: str
    severity: str = ""
    ident: str = ""


def _context(masked: str, start: int, end: int) -> str:
    return _BLANKS.sub(" ", masked[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]).strip()


@dataclass(frozen=True)
class Scanner:
    """Scans text for the rubric's content rules: wrong forms (with ``words``) and ID numbers."""

    as_of: dt.date
    words: WordList | None = None
    ids: bool = False

    def scan(self, text: str) -> tuple[Finding, ...]:
        if not text or (self.words is None and not self.ids):
            return ()
        masked = mask_ids(text)
        out: list[Finding] = []
        # the rules count distinct findings per page: the first occurrence of each is kept (a list
        # repeating one outdated name on every row is one finding, with one context)
        if self.words is not None:
            severity = self.words.severity()
            first = dict(reversed([(form, at) for at, form in self.words.find(text)]))
            out += [Finding("wrong_words", form, _context(masked, at, at + len(form)), severity[form])
                    for form, at in sorted(first.items(), key=lambda f: f[1])]  # fmt: skip
        if self.ids:
            seen: set[str] = set()
            for at, shown, ident in find_ids(text, self.as_of):
                if ident not in seen:
                    seen.add(ident)
                    out.append(Finding("privacy_leaks", shown, _context(masked, at, at + 18), "", ident))
        return tuple(out)


# inline styles that hide an element (SPEC 4a); the style is lower-cased and its blanks removed
_NONE = re.compile(r"(?:^|;)display:none(?:;|!|$)")
_INVISIBLE = re.compile(r"(?:^|;)visibility:hidden(?:;|!|$)")
_NO_FONT = re.compile(r"(?:^|;)font-size:0+(?:\.0*)?(?:[a-z%]+)?(?:;|!|$)")
_ZERO_BOX = re.compile(r"(?:^|;)(?:width|height):0+(?:\.0*)?(?:[a-z%]+)?(?:;|!|$)")
_CLIPPED = re.compile(r"(?:^|;)overflow:hidden(?:;|!|$)")
_ABSOLUTE = re.compile(r"(?:^|;)position:absolute(?:;|!|$)")
_FAR = re.compile(r"(?:^|;)(?:left|top|right|bottom):-(\d+(?:\.\d*)?)px")
FAR_PX = 999


def _hiding(style: str) -> str:
    """Why an inline style hides its element, as the evidence says it; '' when it does not."""
    style = "".join(style.lower().split())
    if _NONE.search(style):
        return "display:none"
    if _INVISIBLE.search(style):
        return "visibility:hidden"
    if _NO_FONT.search(style):
        return "font-size:0"
    if _CLIPPED.search(style) and _ZERO_BOX.search(style):
        return "宽或高为 0 且 overflow:hidden"
    if _ABSOLUTE.search(style) and any(float(v) >= FAR_PX for v in _FAR.findall(style)):
        return f"绝对定位到 -{FAR_PX}px 以外"
    return ""


def hidden_links(tree: LexborHTMLParser, resolve: Callable[[str | None], str | None]) -> dict[str, str]:
    """Link target → why it is hidden, for every a[href] inside (or being) an element hidden by
    the ``hidden`` attribute or an inline style. ``resolve`` turns an href into a target or None."""
    out: dict[str, str] = {}
    for node in tree.css("[hidden], [style]"):
        attrs = node.attributes
        why = "hidden 属性" if "hidden" in attrs else _hiding(attrs.get("style") or "")
        if not why:
            continue
        anchors = node.css("a[href]")
        if node.tag == "a" and attrs.get("href"):
            anchors = [node, *anchors]
        for a in anchors:
            target = resolve(a.attributes.get("href"))
            if target is not None:
                out.setdefault(target, why)
    return out
