"""The sites file (SPEC extension 4): one row a page — unit, column name, kind, URL."""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from scoring.errors import InputError, Issue
from scoring.tables import Columns, InputFile, as_text, first_sheet_frame

__all__ = ["COLUMN_KINDS", "KINDS", "SITES_COLUMNS", "read_sites"]

SITES_COLUMNS = Columns({"unit_id": "单位编码", "column": "栏目", "kind": "类型", "url": "网址"},
                        ("unit_id", "column", "kind", "url"))  # fmt: skip
KINDS = {"home": "首页", "news": "动态类栏目", "notice": "通知公告类栏目", "policy": "政策文件类栏目",
         "static": "静态栏目", "page": "页面", "messages": "留言"}  # fmt: skip
# the kinds that are columns: the home row and page rows are not (SPEC extension 4); nor are
# messages pages (留言, SPEC 4a), whose items are judged by unanswered_messages, not by their age
COLUMN_KINDS = ("news", "notice", "policy", "static")


def _issue(f: InputFile, sheet: str | None, row: int, name: str, code: str, message: str, value: str = "") -> Issue:
    return Issue(code=code, message=message, file=f.name, sheet=sheet, row=row,
                 column=SITES_COLUMNS.aliases[name], value=value or None)  # fmt: skip


def read_sites(f: InputFile, roster: pd.DataFrame) -> pd.DataFrame:
    """unit_id, column, kind, url and the row, in file order; every problem at once (InputError)."""
    frame, sheet, issues = first_sheet_frame(f, SITES_COLUMNS)
    for name in SITES_COLUMNS.aliases:
        frame[name] = as_text(frame[name]).astype(str).str.strip()
    rows = frame["_row"].to_numpy()

    def each(mask: pd.Series, name: str, code: str, message: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            issues.append(_issue(f, sheet, int(rows[i]), name, code, message.format(v=frame[name].iat[i]),
                                 frame[name].iat[i]))  # fmt: skip

    for name in SITES_COLUMNS.required:
        each(frame[name] == "", name, "empty-cell", f"必填单元格为空:{SITES_COLUMNS.describe((name,))}")
    known = set(roster["unit_id"])
    each(~frame["unit_id"].isin(known) & (frame["unit_id"] != ""), "unit_id", "unknown-unit",
         "单位编码 {v} 不在单位名单中")  # fmt: skip
    accepted = "、".join(f"{k}({v})" for k, v in KINDS.items())
    each(~frame["kind"].isin(list(KINDS)) & (frame["kind"] != ""), "kind", "unknown-kind",
         f"类型 {{v}} 不可用;可填 {accepted}")  # fmt: skip
    parts = frame["url"].map(urlsplit)
    good = parts.map(lambda p: p.scheme in ("http", "https") and bool(p.hostname))
    each(~good & (frame["url"] != ""), "url", "bad-url", "网址 {v} 不是完整的 http:// 或 https:// 网址")
    named = frame[frame["unit_id"].isin(known)]
    homes = named[named["kind"] == "home"].groupby("unit_id")["_row"].agg(list)
    for uid in sorted(set(named["unit_id"]) - set(homes.index)):
        first = int(named.loc[named["unit_id"] == uid, "_row"].iloc[0])
        issues.append(
            _issue(f, sheet, first, "kind", "no-home", f"单位 {uid} 没有类型为 home(首页)的行;每个单位恰有一行首页")
        )
    for uid, listed in homes[homes.map(len) > 1].items():
        issues.append(_issue(f, sheet, listed[1], "kind", "two-homes",
                             f"单位 {uid} 有不止一行首页(第 {'、'.join(map(str, listed))} 行);每个单位恰有一行首页"))  # fmt: skip
    twice = named[named.duplicated(["unit_id", "column"], keep=False) & (named["column"] != "")]
    for (uid, col), listed in twice.groupby(["unit_id", "column"])["_row"].agg(list).items():
        issues.append(_issue(f, sheet, listed[1], "column", "column-twice",
                             f"单位 {uid} 的栏目「{col}」出现了不止一次(第 {'、'.join(map(str, listed))} 行);栏目名称须唯一"))  # fmt: skip
    if issues:
        raise InputError(issues)
    if frame.empty:
        raise InputError([Issue(code="sites-empty", message="站点清单没有任何网页", file=f.name, sheet=sheet)])
    return frame[["unit_id", "column", "kind", "url", "_row"]].reset_index(drop=True)
