"""Check test results against the rubric and roster, and normalise their values.

All problems of SPEC §2 are collected in one pass over whole columns; the
result is a frame of findings whose ``num`` holds the method's number
(1/0 for binary and veto, the fraction for levels and ratio, the count for
deduct and bonus) so that scoring is plain arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, Issue
from .rubric import Rubric
from .tables import RESULT_COLUMNS, as_text
from .values import FAIL_TOKENS, NA_TOKENS, PASS_TOKENS, accepted_values

__all__ = ["MAX_ISSUES_PER_KIND", "Findings", "validate_results"]

# past this many issues of one kind, one summary line stands for the rest
MAX_ISSUES_PER_KIND = 500
KEY = ["period", "unit_id", "check_id"]
SINGLE_ROW_METHODS = ("binary", "levels", "ratio", "veto")


@dataclass(frozen=True)
class Findings:
    """Validated result rows, one per finding, with normalised values."""

    rows: pd.DataFrame
    periods: list[str]


def _col(name: str) -> str:
    return RESULT_COLUMNS.aliases[name]


def _row_issues(bad: pd.DataFrame, code: str, messages: pd.Series | str, column: str | None) -> list[Issue]:
    """Located issues for the rows of ``bad``, capped with a count of the rest."""
    if bad.empty:
        return []
    msgs = messages if isinstance(messages, pd.Series) else pd.Series(messages, index=bad.index)
    head = bad.head(MAX_ISSUES_PER_KIND)
    out = [
        Issue(
            code=code,
            message=msg,
            file=f,
            sheet=s or None,
            row=int(r),
            column=_col(column) if column else None,
            value=v,
        )
        for f, s, r, v, msg in zip(
            head["_file"],
            head["_sheet"],
            head["_row"],
            head[column].astype(str) if column else [None] * len(head),
            msgs.loc[head.index],
            strict=True,
        )
    ]
    if len(bad) > len(head):
        out.append(Issue(code=code, message=f"另有 {len(bad) - len(head)} 行同类问题未逐条列出"))
    return out


def _numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers in the text cells, and which of them were written as percents."""
    pct = text.str.endswith("%")
    bare = text.where(~pct, text.str[:-1]).str.strip()
    num = pd.to_numeric(bare, errors="coerce").astype("float64")
    num = num.where(~pct, num / 100)
    return num, pct


def _where(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    return frame.loc[mask[mask].index]


def _normalise(rows: pd.DataFrame, checks: pd.DataFrame, issues: list[Issue]) -> pd.DataFrame:
    """Add is_na, num and label; report values the check's method does not accept."""
    text = as_text(rows["value"].fillna(""))
    low = text.str.lower()
    num, pct = _numbers(low)
    method = rows["method"]
    is_na = low.isin(NA_TOKENS)
    num_out = pd.Series(np.nan, index=rows.index)
    label = pd.Series("", index=rows.index, dtype=object)
    ok = is_na.copy()

    binary = method.isin(["binary", "veto"]) & ~is_na
    passed = low.isin(PASS_TOKENS) | ((num == 1) & ~pct)
    failed = low.isin(FAIL_TOKENS) | ((num == 0) & ~pct)
    ok |= binary & (passed | failed)
    num_out[binary & passed] = 1.0
    num_out[binary & failed & ~passed] = 0.0

    is_levels = (method == "levels") & ~is_na
    if is_levels.any():
        table = checks.loc[checks["method"] == "levels", ["check_id", "levels"]]
        lv = pd.DataFrame(
            [
                (cid, str(lab).strip().lower(), str(lab), frac)
                for cid, levels in zip(table["check_id"], table["levels"], strict=True)
                for lab, frac in levels.items()
            ],
            columns=["check_id", "low", "label", "fraction"],
        )
        probe = pd.DataFrame({"check_id": rows.loc[is_levels, "check_id"], "low": low[is_levels]})
        hit = probe.reset_index().merge(lv, on=["check_id", "low"], how="left").set_index("index")
        matched = hit["fraction"].notna()
        ok[matched[matched].index] = True
        num_out[hit.index] = hit["fraction"]
        label[hit.index] = hit["label"].fillna("")

    ratio = (method == "ratio") & ~is_na
    ratio_ok = ratio & num.between(0, 1)
    ok |= ratio_ok
    num_out[ratio_ok] = num[ratio_ok]

    count = method.isin(["deduct", "bonus"]) & ~is_na
    count_ok = count & ~pct & (num >= 0) & (num == np.floor(num))
    ok |= count_ok
    num_out[count_ok] = num[count_ok]

    bad = ~ok
    if bad.any():
        accepted = {
            cid: accepted_values(m, lv_)
            for cid, m, lv_ in zip(checks["check_id"], checks["method"], checks["levels"], strict=True)
        }
        b = _where(rows, bad)
        msgs = "测评点 " + b["check_id"] + " 不接受结果 “" + text[bad] + "”;可填:" + b["check_id"].map(accepted)
        issues.extend(_row_issues(b, "bad-value", msgs, "value"))

    out = rows.assign(is_na=is_na, num=num_out, label=label)
    return out[ok]


def _duplicates(rows: pd.DataFrame, issues: list[Issue]) -> pd.Series:
    """Report rows that repeat a (period, unit, check) where only one row is allowed."""
    counts = rows.groupby(KEY, sort=False)["_row"].transform("size")
    na_any = rows.groupby(KEY, sort=False)["is_na"].transform("any")
    single = rows["method"].isin(SINGLE_ROW_METHODS)
    dup = (counts > 1) & (single | na_any)
    if dup.any():
        d = _where(rows, dup).copy()
        d["_where"] = (
            d["_file"]
            + np.where(d["_sheet"] != "", " 工作表「" + d["_sheet"] + "」", "")
            + " 第 "
            + d["_row"].astype(str)
            + " 行"
        )
        first = d.groupby(KEY, sort=False)["_where"].transform("first")
        later = d[d["_where"] != first]
        why = np.where(
            later["method"].isin(SINGLE_ROW_METHODS),
            "该方法每期每单位每测评点只能有一行结果",
            "不涉及(NA)必须是该单位该测评点本期唯一的一行",
        )
        msgs = (
            "期次 "
            + later["period"]
            + " 单位 "
            + later["unit_id"]
            + " 测评点 "
            + later["check_id"]
            + " 重复:与 "
            + first[later.index]
            + " 重复;"
            + why
        )
        issues.extend(_row_issues(later, "duplicate-row", msgs, "check_id"))
    return dup


def _missing(rows: pd.DataFrame, pairs: pd.DataFrame, periods: list[str], checks: pd.DataFrame) -> pd.DataFrame:
    """(period, unit_id, check_id) of the roster's applicable checks with no row at all."""
    expected = pairs.merge(pd.DataFrame({"period": periods}), how="cross")
    have = rows[KEY].drop_duplicates()
    merged = expected.merge(have, on=KEY, how="left", indicator=True)
    missing = merged.loc[merged["_merge"] == "left_only", KEY]
    order = checks.set_index("check_id")["check_order"]
    return missing.assign(_o=missing["check_id"].map(order)).sort_values(["period", "unit_id", "_o"])[KEY]


def validate_results(
    rubric: Rubric,
    roster: pd.DataFrame,
    results: pd.DataFrame,
    *,
    allow_missing: bool = False,
    prior_issues: list[Issue] | None = None,
) -> Findings:
    """Validate raw result rows; raise InputError listing every problem."""
    issues: list[Issue] = list(prior_issues or [])
    checks = rubric.checks
    rows = results.copy()

    known_unit = rows["unit_id"].isin(roster["unit_id"])
    issues.extend(
        _row_issues(
            _where(rows, ~known_unit),
            "unknown-unit",
            "单位编码 " + rows.loc[~known_unit, "unit_id"] + " 不在单位名单中",
            "unit_id",
        )
    )
    known_check = rows["check_id"].isin(checks["check_id"])
    issues.extend(
        _row_issues(
            _where(rows, ~known_check),
            "unknown-check",
            "测评点编码 " + rows.loc[~known_check, "check_id"] + f" 不在指标体系 {rubric.id} 中",
            "check_id",
        )
    )
    rows = rows[known_unit & known_check]

    pairs = rubric.applicability(roster)
    applicable = rows.merge(pairs.assign(_ok=True), on=["unit_id", "check_id"], how="left")["_ok"].notna()
    applicable.index = rows.index
    if (~applicable).any():
        bad = _where(rows, ~applicable)
        group_of = roster.set_index("unit_id")["group"]
        scope = checks.set_index("check_id").apply(_scope_text, axis=1, groups=rubric.groups)
        msgs = (
            "测评点 "
            + bad["check_id"]
            + " 不适用于单位 "
            + bad["unit_id"]
            + "(分组 "
            + bad["unit_id"].map(group_of)
            + ");它只适用于"
            + bad["check_id"].map(scope)
        )
        issues.extend(_row_issues(bad, "not-applicable", msgs, "check_id"))
    rows = rows[applicable]

    meta = checks[["check_id", "method", "track_id", "check_order"]]
    rows = rows.reset_index(drop=True).merge(meta, on="check_id", how="left")
    rows = _normalise(rows, checks, issues)
    dup = _duplicates(rows, issues)
    rows = rows[~dup | ~rows.duplicated(KEY, keep="first")]

    periods = sorted(results["period"][results["period"] != ""].unique().tolist())
    if not allow_missing and periods:
        missing = _missing(results[KEY], pairs, periods, checks)
        issues.extend(_missing_issues(missing))
    if not periods and not issues:
        issues.append(Issue(code="no-results", message="测评结果文件中没有任何结果行"))
    if issues:
        raise InputError(issues)
    keep = ["period", "unit_id", "check_id", "method", "is_na", "num", "label", "evidence", "_file", "_sheet", "_row"]
    return Findings(rows=rows[keep].reset_index(drop=True), periods=periods)


def _scope_text(check: pd.Series, groups: dict[str, str]) -> str:
    if check["units"] is not None:
        return "单位 " + "、".join(check["units"])
    return "分组 " + "、".join(f"{g}({groups[g]})" for g in (check["applies_to"] or groups))


def _missing_issues(missing: pd.DataFrame) -> list[Issue]:
    """One issue per (period, unit): which applicable checks have no row."""
    if missing.empty:
        return []
    out: list[Issue] = []
    grouped = missing.groupby(["period", "unit_id"], sort=False)["check_id"]
    for (period, unit), ids in list(grouped)[:MAX_ISSUES_PER_KIND]:
        shown = "、".join(ids.head(10))
        more = f" 等 {len(ids)} 个" if len(ids) > 10 else ""
        out.append(
            Issue(
                code="missing-result",
                message=f"期次 {period} 单位 {unit} 缺少测评点 {shown}{more} 的结果;"
                "请补齐;确需按 0 分计的,可选择“缺少的结果按 0 分计”(命令行参数 --allow-missing)",
                value=unit,
            )
        )
    n_groups = grouped.ngroups
    if n_groups > MAX_ISSUES_PER_KIND:
        out.append(
            Issue(code="missing-result", message=f"另有 {n_groups - MAX_ISSUES_PER_KIND} 个单位缺少结果未逐条列出")
        )
    return out
