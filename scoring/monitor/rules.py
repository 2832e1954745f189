"""From what the pages showed to one value per (unit, monitored check), with the evidence behind
it (SPEC extension 4, the table of rules). Frames in, frames out: one row per sites row (``pages``)
and one per (unit, link target) (``links``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scoring.monitor.content import CONTENT_RULES
from scoring.monitor.dates import age_days
from scoring.monitor.pages import DEFAULT_MAX_LINKS
from scoring.monitor.sites import COLUMN_KINDS
from scoring.rubric.model import MonitorSpec

__all__ = ["DEFAULT_LIMITS", "DEFAULT_MESSAGE_DAYS", "late_messages", "message_said", "rule_values"]

DEFAULT_LIMITS = {"news": 14, "notice": 183, "policy": 183, "static": 365}
DEFAULT_MAX_FAILURE_RATE = 0.05
DEFAULT_HOME_DAYS = 14
DEFAULT_MESSAGE_DAYS = 90
# what each content rule looks for, as the evidence names it; and which findings are one
NOTHING = {"wrong_words": "未发现错误表述", "privacy_leaks": "未发现未遮盖的身份证号码",
           "hidden_links": "未发现隐藏链接", "unanswered_messages": "未发现逾期未答复的留言"}  # fmt: skip
DISTINCT = {"wrong_words": ["url", "found"], "privacy_leaks": ["ident"], "hidden_links": ["found"],
            "unanswered_messages": ["url", "found"]}  # fmt: skip
KIND_NAMES = {"news": "动态", "notice": "通知公告", "policy": "政策文件", "static": "静态"}
EVIDENCE_ITEMS = 30  # a cell names this many pages or links, then how many more


def _joined(parts: pd.Series, by: pd.Series, units: pd.Index) -> pd.Series:
    """Evidence parts joined per unit with ' | ' (the separator of several evidence items), capped."""
    if parts.empty:
        return pd.Series("", index=units)
    frame = pd.DataFrame({"unit_id": by.to_numpy(), "part": parts.to_numpy()})
    frame["n"] = frame.groupby("unit_id").cumcount()
    shown = frame[frame["n"] < EVIDENCE_ITEMS].groupby("unit_id")["part"].agg(" | ".join)
    more = frame.groupby("unit_id").size() - EVIDENCE_ITEMS
    tail = more.map(lambda n: f" | 等另 {n} 项" if n > 0 else "").astype(object)
    return (shown + tail.reindex(shown.index)).reindex(units, fill_value="")


def _date_text(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").fillna("")


def late_messages(found: pd.DataFrame, days: int, as_of: dt.date) -> pd.Series:
    """Of a messages page's items (first, second dates): unanswered more than ``days`` after they
    were left, or answered more than ``days`` after (SPEC 4a)."""
    waited = (pd.Timestamp(as_of) - found["first"]).dt.days
    took = (found["second"] - found["first"]).dt.days
    return (found["second"].isna() & (waited > days)) | (took > days).fillna(False)


def message_said(found: pd.DataFrame, days: int, as_of: dt.date) -> pd.Series:
    waited = (pd.Timestamp(as_of) - found["first"]).dt.days.astype("Int64").astype(str)
    took = (found["second"] - found["first"]).dt.days.astype("Int64").astype(str)
    return pd.Series(np.where(found["second"].isna(),
                              "留言于 " + _date_text(found["first"]) + ",未见答复(已 " + waited + f" 天,限 {days} 天)",
                              "留言于 " + _date_text(found["first"]) + ",答复于 " + _date_text(found["second"])
                              + "(相隔 " + took + f" 天,限 {days} 天)"), index=found.index)  # fmt: skip


def _content_values(rule: MonitorSpec, method: str, pages: pd.DataFrame, units: pd.Index, found: pd.DataFrame,
                    docs: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:  # fmt: skip
    """The content rules (SPEC 4a): distinct findings per unit, and the pages read for them."""
    hits = found[found["rule"] == rule.rule]
    if rule.rule == "wrong_words" and rule.severity is not None:
        hits = hits[hits["severity"] == rule.severity]
    days = rule.days if rule.days is not None else DEFAULT_MESSAGE_DAYS
    if rule.rule == "unanswered_messages":
        hits = hits[late_messages(hits, days, as_of)]
        hits = hits.assign(context=message_said(hits, days, as_of))
    hits = hits.drop_duplicates(["unit_id", "url", "found"])
    counts = hits.drop_duplicates(["unit_id", *DISTINCT[rule.rule]]).groupby("unit_id").size()
    counts = counts.reindex(units, fill_value=0)
    label = {"wrong_words": "错误表述", "privacy_leaks": "身份证号码", "hidden_links": "隐藏链接",
             "unanswered_messages": "留言"}[rule.rule]  # fmt: skip
    parts = hits["url"] + f":{label}「" + hits["found"] + "」"
    if rule.rule == "wrong_words":
        parts = parts + np.where(hits["severity"] != "", "(" + hits["severity"] + ")", "")
    parts = parts + np.where(hits["context"] != "", " …" + hits["context"] + "…", "")
    # what was read for this rule: the pages (a messages rule only its messages pages), the articles
    # and attachments (not for hidden links in attachments, nor messages)
    looked = pages[pages["kind"] == "messages"] if rule.rule == "unanswered_messages" else pages
    read_ok = looked["ok"].astype(bool) & (looked["unreadable"] == "")
    checked = looked.loc[read_ok, ["unit_id", "url"]].assign(what="网页")
    missed = looked.loc[~read_ok, ["unit_id", "url"]].assign(why=np.where(~looked.loc[~read_ok, "ok"].astype(bool),
                                                                           looked.loc[~read_ok, "said"],
                                                                           looked.loc[~read_ok, "unreadable"]))  # fmt: skip
    if docs is not None and rule.rule != "unanswered_messages":
        docs = docs if rule.rule != "hidden_links" else docs[docs["what"] == "文章"]
        checked = pd.concat([checked, docs.loc[docs["unread"] == "", ["unit_id", "url", "what"]]])
        missed = pd.concat([missed, docs.loc[docs["unread"] != "", ["unit_id", "url"]]
                            .assign(why=docs.loc[docs["unread"] != "", "unread"])])  # fmt: skip
    tally = checked.groupby(["unit_id", "what"]).size().unstack(fill_value=0).reindex(units, fill_value=0)
    n = {w: tally[w].astype(str) if w in tally else pd.Series("0", index=units) for w in ("网页", "文章", "附件")}
    summary = "已检查网页 " + n["网页"] + " 个"
    if rule.rule not in ("unanswered_messages",):
        summary = summary + "、文章 " + n["文章"] + " 篇"
    if rule.rule in ("wrong_words", "privacy_leaks"):
        summary = summary + "、附件 " + n["附件"] + " 个"
    listed = _joined(checked["url"], checked["unit_id"], units)
    unread = _joined(missed["url"] + "(" + missed["why"].astype(str) + ")", missed["unit_id"], units)
    nothing = pd.Series(NOTHING[rule.rule], index=units)
    if rule.rule == "unanswered_messages":  # a unit without a messages page is said to have none
        has = pd.Index(looked["unit_id"])
        nothing = nothing.where(units.isin(has), "站点清单中没有该单位的留言页面(类型 messages)")
    evidence = _joined(parts, hits["unit_id"], units).where(counts > 0, nothing)
    evidence = (evidence + " | " + summary + np.where(listed != "", ":" + listed, "")
                + np.where(unread != "", " | 未能读取:" + unread, ""))  # fmt: skip
    value = counts.astype(str) if method == "deduct" else np.where(counts > 0, "1", "0")
    return pd.DataFrame({"value": value, "evidence": evidence}, index=units)


def _column_values(rule: MonitorSpec, method: str, columns: pd.DataFrame, units: pd.Index,
                   as_of: dt.date) -> pd.DataFrame:  # fmt: skip
    """stale_columns and empty_columns: how many of the unit's columns (of ``rule.kinds``) are
    stale or empty; on a veto, 1 when they are at least ``rule.at_least`` (单项否决 四)."""
    limits = {**DEFAULT_LIMITS, **(rule.limits or {})}
    kinds = rule.kinds or list(COLUMN_KINDS)
    columns = columns[columns["kind"].isin(kinds)]
    empty = ~columns["ok"].astype(bool) | (columns["unreadable"] != "") | (columns["dated_items"] == 0)
    age = pd.Series(age_days(columns["newest_item"].to_numpy(dtype="datetime64[D]"), as_of), index=columns.index)
    # float even when no row is a column (a sites file of home pages only)
    limit = columns["kind"].map(limits).astype("float64")
    if rule.rule == "empty_columns":
        hit = columns[empty]
        why = np.where(~hit["ok"].astype(bool), hit["said"],
                       np.where(hit["unreadable"] != "", "无法读取(" + hit["unreadable"] + ")", "未列出带日期的条目"))  # fmt: skip
        parts = "「" + hit["column"] + "」" + hit["url"] + ":" + pd.Series(why, index=hit.index)
    else:
        stale = ~empty & (age > limit)
        hit = columns[stale]
        parts = ("「" + hit["column"] + "」" + hit["url"] + ":最新 " + _date_text(hit["newest_item"]) + "(已 "
                 + age[stale].astype(int).astype(str) + " 天,限 " + limit[stale].astype(int).astype(str) + " 天)")  # fmt: skip
    counts = hit.groupby("unit_id").size().reindex(units, fill_value=0)
    checked = columns.groupby("unit_id").size().reindex(units, fill_value=0).astype(str)
    named = _joined("「" + columns["column"] + "」" + columns["url"], columns["unit_id"], units)
    fine = (
        "已检查栏目 "
        + checked
        + " 个:"
        + ("均有带日期的条目" if rule.rule == "empty_columns" else "均在更新期限内")
        + " | "
        + named
    ).where(checked != "0", f"站点清单中没有该单位的栏目({'、'.join(KIND_NAMES[k] for k in kinds)})")
    evidence = _joined(parts, hit["unit_id"], units)
    if method != "veto":
        return pd.DataFrame({"value": counts.astype(str), "evidence": evidence.where(counts > 0, fine)})
    # a veto names every column it counted, and says how far the count is from the threshold
    at_least = rule.at_least if rule.at_least is not None else 1
    what = "空白栏目" if rule.rule == "empty_columns" else "未按期更新的栏目"
    vetoed = counts >= at_least
    head = (what + " " + counts.astype(str) + " 个," + np.where(vetoed, "达到", "未达到") + f" {at_least} 个"
            + np.where(vetoed, "(单项否决)", "") + ":")  # fmt: skip
    return pd.DataFrame({"value": np.where(vetoed, "1", "0"), "evidence": (head + evidence).where(counts > 0, fine)})


def rule_values(
    rule: MonitorSpec, method: str, pages: pd.DataFrame, links: pd.DataFrame, home_counts: pd.DataFrame,
    as_of: dt.date, *, max_links: int = DEFAULT_MAX_LINKS, found: pd.DataFrame | None = None,
    docs: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """unit_id, value, evidence for every unit of ``pages`` (index = unit_id). ``pages`` may hold any
    subset of the kinds (a unit's home row at least); ``unreadable`` says why a page that answered
    could not be read, ``unprobed`` how many of its links were beyond ``max_links``. The content
    rules count ``found`` (scoring.monitor.crawl.findings_frame) and cite ``docs`` (the articles and
    attachments, ContentCrawl.docs)."""
    pages = pages.assign(**{c: v for c, v in (("unreadable", ""), ("unprobed", 0)) if c not in pages})
    units = pd.Index(pages["unit_id"].drop_duplicates())
    if rule.rule in CONTENT_RULES:
        if found is None:
            raise ValueError("content rules need the run's findings")
        return _content_values(rule, method, pages, units, found, docs, as_of)
    home = pages[pages["kind"] == "home"].set_index("unit_id").reindex(units)
    columns = pages[pages["kind"].isin(COLUMN_KINDS)]
    passed = {"veto": ("0", "1"), "binary": ("1", "0")}.get(method)  # (kept, violated)

    if rule.rule == "unreachable":
        counts = home_counts.reindex(units).fillna(0)
        rate = counts["failed"] / counts["probes"].where(counts["probes"] > 0)
        limit = rule.max_failure_rate if rule.max_failure_rate is not None else DEFAULT_MAX_FAILURE_RATE
        bad = (rate >= limit).fillna(False)
        evidence = (home["url"] + ":本期探测 " + counts["probes"].astype(int).astype(str) + " 次,失败 "
                    + counts["failed"].astype(int).astype(str) + " 次(" + (rate * 100).round(1).map("{:g}%".format)
                    + f",限 {limit * 100:g}%);本次 " + home["said"])  # fmt: skip
        return pd.DataFrame({"value": np.where(bad, passed[1], passed[0]), "evidence": evidence}, index=units)

    if rule.rule == "home_stale":
        days = rule.days if rule.days is not None else DEFAULT_HOME_DAYS
        age = pd.Series(age_days(home["newest_text"].to_numpy(dtype="datetime64[D]"), as_of), index=units)
        bad = age.isna() | (age > days)
        said = np.where(~home["ok"].astype(bool), "首页无法访问(" + home["said"] + ")",
                        np.where(home["unreadable"] != "", "首页无法读取(" + home["unreadable"] + ")",
                        np.where(age.isna(), "首页未见日期",
                                 "首页最新日期 " + _date_text(home["newest_text"]) + "(距测评日 "
                                 + age.fillna(0).astype(int).astype(str) + f" 天,限 {days} 天)")))  # fmt: skip
        evidence = home["url"] + ":" + pd.Series(said, index=units)
        return pd.DataFrame({"value": np.where(bad, passed[1], passed[0]), "evidence": evidence}, index=units)

    if rule.rule == "page_exists":
        wanted = pages[pages["column"] == rule.column].set_index("unit_id").reindex(units)
        answered = wanted["ok"].fillna(False).astype(bool)
        unreadable = wanted["unreadable"].fillna("")
        exists = answered & (unreadable == "") & (wanted["anchors"].fillna(0) >= 1)
        said = np.where(wanted["url"].isna(), f"站点清单中没有栏目「{rule.column}」",
                        wanted["url"].fillna("") + ":" + np.where(~answered, wanted["said"].fillna(""),
                        np.where(unreadable != "", "无法读取(" + unreadable + ")",
                        "HTTP 200,链接 " + wanted["anchors"].fillna(0).astype(int).astype(str) + " 个")))  # fmt: skip
        return pd.DataFrame({"value": np.where(exists, "1", "0"), "evidence": said}, index=units)

    if rule.rule in ("stale_columns", "empty_columns"):
        return _column_values(rule, method, columns, units, as_of)

    if rule.rule == "broken_links":
        broken = links[~links["ok"].astype(bool)]
        counts = broken.groupby("unit_id").size().reindex(units, fill_value=0)
        parts = broken["target"] + "(" + broken["said"] + ")"
        checked = links.groupby("unit_id").size().reindex(units, fill_value=0).astype(str)
        evidence = _joined(parts, broken["unit_id"], units)
        evidence = evidence.where(counts > 0, "已检查链接 " + checked + " 个:均可访问")
        # what was not checked is said beside what was: links beyond the cap, pages that could not be read
        sources = pages[pages["kind"].isin(("home", *COLUMN_KINDS))]
        read_ok = sources[sources["ok"].astype(bool) & (sources["unreadable"] == "")]
        named = _joined(read_ok["url"], read_ok["unit_id"], units)
        left = sources.groupby("unit_id")["unprobed"].sum().reindex(units, fill_value=0).astype(int)
        unread = sources[(sources["unreadable"] != "")]
        unread_parts = _joined("「" + unread["column"] + "」无法读取(" + unread["unreadable"] + "),其中链接未检查",
                               unread["unit_id"], units)  # fmt: skip
        evidence = (evidence + np.where(left > 0, " | 另有 " + left.astype(str) + f" 个链接未探测(每页最多探测 {max_links} 个)", "")
                    + np.where(unread_parts != "", " | " + unread_parts, "")
                    + np.where(named != "", " | 链接所在网页:" + named, ""))  # fmt: skip
        return pd.DataFrame({"value": counts.astype(str), "evidence": evidence})

    raise ValueError(f"unknown monitor rule {rule.rule}")  # the rubric model admits no other
