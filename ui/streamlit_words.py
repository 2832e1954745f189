"""Streamlit's own English in Chinese: the uploader's "Upload" and "100MB per file • CSV, XLSX",
"Choose an option", "No results", "Press Enter to apply", the tables' tooltips, the menu.

Streamlit (1.67) has no setting for these texts: a widget's label, placeholder and help are ours,
but the uploader's button and limits, a select box's "No results" and the grids' tooltips are
written by its front end. CSS can hide a text but cannot give it a Chinese one that a screen
reader or a search finds. So one small script (st.html with JavaScript, our own constant text,
never user input) watches the page and puts ui/glossary.py's STREAMLIT_WORDS in place of the
English in text and in the placeholder, aria-label and title attributes, as Streamlit draws them.
Material icon names (text drawn as icons) are left alone.
"""

from __future__ import annotations

import json

import streamlit as st

from .glossary import STREAMLIT_PATTERNS, STREAMLIT_WORDS

__all__ = ["chinese_streamlit"]

_SCRIPT = """
<script>
(() => {
  if (window.__assessChinese) return;  // one watcher per browser tab, however often the page reruns
  window.__assessChinese = true;
  const WORDS = %(words)s;
  const PATTERNS = %(patterns)s.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["placeholder", "aria-label", "title"];
  const say = (s) => {
    const t = s.trim();
    if (!t) return s;
    if (Object.prototype.hasOwnProperty.call(WORDS, t)) return s.replace(t, WORDS[t]);
    for (const [re, to] of PATTERNS) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return s;
  };
  const icon = (n) => n.parentElement && n.parentElement.closest('[data-testid="stIconMaterial"]');
  const fix = (root) => {
    if (!root) return;
    if (root.nodeType === Node.TEXT_NODE) {
      if (!icon(root)) { const v = say(root.nodeValue); if (v !== root.nodeValue) root.nodeValue = v; }
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) fix(n);
    for (const e of [root, ...root.querySelectorAll("[placeholder],[aria-label],[title]")]) {
      for (const a of ATTRS) {
        const old = e.getAttribute(a);
        if (old) { const v = say(old); if (v !== old) e.setAttribute(a, v); }
      }
    }
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "childList") c.addedNodes.forEach(fix);
      else fix(c.target);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
  fix(document.body);
})();
</script>
"""

# the element that carries the script takes no room on the page
_CSS = """<style>.stElementContainer:has(> .stHtml script), [data-testid="stHtml"]:has(script) { display: none; }</style>"""


def chinese_streamlit() -> None:
    """Put Chinese in place of Streamlit's own English on every page (call once per run)."""
    script = _SCRIPT % {"words": json.dumps(STREAMLIT_WORDS, ensure_ascii=False),
                        "patterns": json.dumps(STREAMLIT_PATTERNS, ensure_ascii=False)}  # fmt: skip
    st.html(_CSS + script, unsafe_allow_javascript=True)
