"""From what the pages showed to one value per (unit, monitored check), with the evidence behind
it (SPEC extension 4, the table of rules). Frames in, frames out: one row per sites row (``pages``)
and one per (unit, link target) (``links``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scoring.monitor.dates import age_days
from scoring.monitor.pages import DEFAULT_MAX_LINKS
from scoring.monitor.sites import COLUMN_KINDS
from scoring.rubric.model import MonitorSpec

__all__ = ["DEFAULT_LIMITS", "rule_values"]

DEFAULT_LIMITS = {"news": 14, "notice": 183, "policy": 183, "static": 365}
DEFAULT_MAX_FAILURE_RATE = 0.05
DEFAULT_HOME_DAYS = 14
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


def rule_values(
    rule: MonitorSpec, method: str, pages: pd.DataFrame, links: pd.DataFrame, home_counts: pd.DataFrame,
    as_of: dt.date, *, max_links: int = DEFAULT_MAX_LINKS,
) -> pd.DataFrame:  # fmt: skip
    """unit_id, value, evidence for every unit of ``pages`` (index = unit_id). ``pages`` may hold any
    subset of the kinds (a unit's home row at least); ``unreadable`` says why a page that answered
    could not be read, ``unprobed`` how many of its links were beyond ``max_links``."""
    pages = pages.assign(**{c: v for c, v in (("unreadable", ""), ("unprobed", 0)) if c not in pages})
    units = pd.Index(pages["unit_id"].drop_duplicates())
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
        limits = {**DEFAULT_LIMITS, **(rule.limits or {})}
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
        fine = (
            "已检查栏目 "
            + checked
            + " 个:"
            + ("均有带日期的条目" if rule.rule == "empty_columns" else "均在更新期限内")
        ).where(checked != "0", "站点清单中没有该单位的栏目(动态、通知公告、政策文件、静态)")
        evidence = _joined(parts, hit["unit_id"], units)
        return pd.DataFrame({"value": counts.astype(str), "evidence": evidence.where(counts > 0, fine)})

    if rule.rule == "broken_links":
        broken = links[~links["ok"].astype(bool)]
        counts = broken.groupby("unit_id").size().reindex(units, fill_value=0)
        parts = broken["target"] + "(" + broken["said"] + ")"
        checked = links.groupby("unit_id").size().reindex(units, fill_value=0).astype(str)
        evidence = _joined(parts, broken["unit_id"], units)
        evidence = evidence.where(counts > 0, "已检查链接 " + checked + " 个:均可访问")
        # what was not checked is said beside what was: links beyond the cap, pages that could not be read
        sources = pages[pages["kind"].isin(("home", *COLUMN_KINDS))]
        left = sources.groupby("unit_id")["unprobed"].sum().reindex(units, fill_value=0).astype(int)
        unread = sources[(sources["unreadable"] != "")]
        unread_parts = _joined("「" + unread["column"] + "」无法读取(" + unread["unreadable"] + "),其中链接未检查",
                               unread["unit_id"], units)  # fmt: skip
        evidence = (evidence + np.where(left > 0, " | 另有 " + left.astype(str) + f" 个链接未探测(每页最多探测 {max_links} 个)", "")
                    + np.where(unread_parts != "", " | " + unread_parts, ""))  # fmt: skip
        return pd.DataFrame({"value": counts.astype(str), "evidence": evidence})

    raise ValueError(f"unknown monitor rule {rule.rule}")  # the rubric model admits no other
