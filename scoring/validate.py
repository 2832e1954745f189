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

from .codes import Codes
from .errors import InputError, Issue
from .rubric import Rubric
from .tables import RESULT_COLUMNS, as_text
from .values import FAIL_TOKENS, NA_TOKENS, PASS_TOKENS, accepted_values

__all__ = ["MAX_ISSUES_PER_KIND", "Findings", "validate_results"]

# past this many issues of one kind, one summary line stands for the rest
MAX_ISSUES_PER_KIND = 500
KEY = ["period", "unit_id", "check_id"]
SINGLE_ROW_METHODS = ("binary", "levels", "ratio", "veto")
# a summary line is read apart from the rows it stands for (a table sorted by row): it names its kind
KINDS = {
    "unknown-unit": "单位编码不在单位名单中",
    "unknown-check": "测评点编码不在指标体系中",
    "not-applicable": "测评点不适用于该单位",
    "bad-value": "结果不是该测评点可填的值",
    "duplicate-row": "结果行重复",
}


@dataclass(frozen=True)
class Findings:
    """Validated result rows, one per finding, with normalised values and their (period, unit, check) key."""

    rows: pd.DataFrame
    periods: list[str]
    codes: Codes | None = None


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
        kind = KINDS.get(code, code)
        out.append(Issue(code=code, message=f"另有 {len(bad) - len(head)} 行同类问题({kind})未逐条列出"))
    return out


def _numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in the text cells, and which of them were written as percents."""
    pct = text.str.endswith("%").to_numpy(dtype=bool)
    bare = text.where(~pct, text.str[:-1]).str.strip()
    num = pd.to_numeric(bare, errors="coerce").astype("float64").to_numpy()
    return np.where(pct, num / 100, num), pct


def _encode(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Codes of a column's values in ``index`` (-1 where absent), hashing each distinct value once."""
    codes, uniq = pd.factorize(column)
    return index.get_indexer(pd.Index(uniq, dtype=object))[codes] if len(uniq) else np.full(len(column), -1)


def _where(frame: pd.DataFrame, mask: np.ndarray | pd.Series) -> pd.DataFrame:
    """The rows of ``mask`` (or positions), coded columns as plain text for building messages."""
    mask = np.asarray(mask)
    sub = frame.iloc[np.flatnonzero(mask) if mask.dtype == bool else mask]
    coded = [name for name, dtype in sub.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)]
    return sub.astype(dict.fromkeys(coded, object)) if coded else sub


def _text_codes(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each cell's code among the distinct trimmed texts of the column, and those texts.

    A million cells hold a few dozen distinct values, so text is trimmed and parsed per
    distinct value; XLSX cells (numbers, booleans) become text first, one by one, so that
    1, 1.0 and True are not taken for one value.
    """
    column = as_text(column)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Series(column.cat.categories, dtype=object)
    codes, uniq = pd.factorize(column)
    return codes, pd.Series(uniq, dtype=object)


@dataclass(frozen=True)
class _Values:
    is_na: np.ndarray
    num: np.ndarray
    label: pd.Categorical
    ok: np.ndarray


def _normalise(
    rows: pd.DataFrame, idx: np.ndarray, c: np.ndarray, checks: pd.DataFrame, issues: list[Issue]
) -> _Values:
    """is_na, num and label of the rows ``idx`` (checks ``c``); report values the method does not accept."""
    vcode, text = _text_codes(rows["value"])
    vcode = vcode[idx]
    low = text.str.lower()
    u_num, u_pct = _numbers(low)
    u_na = low.isin(NA_TOKENS).to_numpy()
    u_pass = low.isin(PASS_TOKENS).to_numpy() | ((u_num == 1) & ~u_pct)
    u_fail = low.isin(FAIL_TOKENS).to_numpy() | ((u_num == 0) & ~u_pct)
    u_count = ~u_pct & (u_num >= 0) & (u_num == np.floor(u_num))
    u_ratio = (u_num >= 0) & (u_num <= 1)

    check_method = checks["method"].to_numpy(dtype=object)

    def is_m(*methods: str) -> np.ndarray:
        return np.isin(check_method, methods)[c]

    is_na = u_na[vcode]
    num_out = np.full(len(idx), np.nan)
    label = np.zeros(len(idx), dtype=np.int32)  # codes into label_names; 0 is no label
    label_names: dict[str, int] = {"": 0}
    ok = is_na.copy()

    binary = is_m("binary", "veto") & ~is_na
    passed, failed = u_pass[vcode], u_fail[vcode]
    ok |= binary & (passed | failed)
    num_out[binary & passed] = 1.0
    num_out[binary & failed & ~passed] = 0.0

    is_levels = is_m("levels") & ~is_na
    if is_levels.any():
        # (check code, value code) -> fraction, for every label the rubric defines
        lookup = pd.Series(np.arange(len(low)), index=pd.Index(low, dtype=object))
        keys, fractions, labels = [], [], []
        for code in np.flatnonzero(check_method == "levels"):
            for lab, frac in checks["levels"].iloc[code].items():
                hit = lookup.get(str(lab).strip().lower())
                if hit is not None:
                    keys.append(code * len(low) + int(hit))
                    fractions.append(frac)
                    labels.append(label_names.setdefault(str(lab), len(label_names)))
        found = pd.Index(np.asarray(keys, dtype=np.int64)).get_indexer(
            c[is_levels].astype(np.int64) * len(low) + vcode[is_levels]
        )
        where = np.flatnonzero(is_levels)
        matched = found >= 0
        ok[where[matched]] = True
        num_out[where[matched]] = np.asarray(fractions)[found[matched]]
        label[where[matched]] = np.asarray(labels, dtype=np.int32)[found[matched]]

    ratio_ok = is_m("ratio") & ~is_na & u_ratio[vcode]
    ok |= ratio_ok
    num_out[ratio_ok] = u_num[vcode[ratio_ok]]

    count_ok = is_m("deduct", "bonus") & ~is_na & u_count[vcode]
    ok |= count_ok
    num_out[count_ok] = u_num[vcode[count_ok]]

    if not ok.all():
        accepted = {
            cid: accepted_values(m, lv_)
            for cid, m, lv_ in zip(checks["check_id"], checks["method"], checks["levels"], strict=True)
        }
        b = _where(rows, idx[~ok])
        msgs = (
            "测评点 " + b["check_id"] + " 不接受结果 “" + text.to_numpy()[vcode[~ok]] + "”;可填:"
            + b["check_id"].map(accepted)
        )  # fmt: skip
        issues.extend(_row_issues(b, "bad-value", msgs, "value"))
    labels = pd.Categorical.from_codes(label, categories=pd.Index(list(label_names), dtype=object))
    return _Values(is_na=is_na, num=num_out, label=labels, ok=ok)


def _duplicates(rows: pd.DataFrame, idx: np.ndarray, keys: np.ndarray, is_na: np.ndarray, single: np.ndarray,
                size: int, issues: list[Issue]) -> np.ndarray:  # fmt: skip
    """Report rows ``idx`` that repeat a (period, unit, check) where only one row is allowed.

    ``single`` marks the rows whose method allows one row only.
    """
    repeated = np.bincount(keys, minlength=size)[keys] > 1
    if not repeated.any():
        return repeated
    na_any = np.bincount(keys, weights=is_na.astype(float), minlength=size)[keys] > 0
    dup = repeated & (single | na_any)
    if dup.any():
        d = _where(rows, idx[dup]).assign(_k=keys[dup], _single=single[dup])
        d["_where"] = (
            d["_file"]
            + np.where(d["_sheet"] != "", " 工作表「" + d["_sheet"] + "」", "")
            + " 第 "
            + d["_row"].astype(str)
            + " 行"
        )
        first = d.groupby("_k", sort=False)["_where"].transform("first")
        later = d[d["_where"] != first]
        why = np.where(
            later["_single"],
            "该方法每期每单位每测评点只能有一行结果",
            "不涉及(NA)必须是该单位该测评点本期唯一的一行",
        )
        msgs = (
            "期次 " + later["period"] + " 单位 " + later["unit_id"] + " 测评点 " + later["check_id"]
            + " 重复:与 " + first[later.index] + " 重复;" + why
        )  # fmt: skip
        issues.extend(_row_issues(later, "duplicate-row", msgs, "check_id"))
    return dup


def validate_results(
    rubric: Rubric,
    roster: pd.DataFrame,
    results: pd.DataFrame,
    *,
    allow_missing: bool = False,
    prior_issues: list[Issue] | None = None,
) -> Findings:
    """Validate raw result rows; raise InputError listing every problem.

    The work is done on code arrays; the big frame is copied once, at the end, and only the
    rows and columns the findings keep.
    """
    issues: list[Issue] = list(prior_issues or [])
    checks = rubric.checks
    rows = results.reset_index(drop=True)
    period_code, period_text = pd.factorize(rows["period"])
    periods = sorted(str(x) for x in period_text if x != "")
    codes = Codes.build(rubric, roster, periods)

    u = _encode(rows["unit_id"], codes.units)
    c = _encode(rows["check_id"], codes.checks)
    p = pd.Index(codes.periods, dtype=object).get_indexer(pd.Index(period_text, dtype=object))[period_code]
    known_unit, known_check = u >= 0, c >= 0
    if not known_unit.all():
        bad = _where(rows, ~known_unit)
        issues.extend(_row_issues(bad, "unknown-unit", "单位编码 " + bad["unit_id"] + " 不在单位名单中", "unit_id"))
    if not known_check.all():
        bad = _where(rows, ~known_check)
        msgs = "测评点编码 " + bad["check_id"] + f" 不在指标体系 {rubric.id} 中"
        issues.extend(_row_issues(bad, "unknown-check", msgs, "check_id"))
    known = known_unit & known_check & (p >= 0)
    key = np.where(known, codes.key(np.maximum(p, 0), np.maximum(u, 0), np.maximum(c, 0)), -1)
    applicable = known & codes.applicable[np.maximum(u, 0), np.maximum(c, 0)]
    outside = known & ~applicable
    if outside.any():
        bad = _where(rows, outside)
        group_of = roster.set_index("unit_id")["group"]
        scope = {cid: _scope_text(units_, applies, rubric.groups)
                 for cid, units_, applies in zip(checks["check_id"], checks["units"], checks["applies_to"], strict=True)}  # fmt: skip
        msgs = (
            "测评点 " + bad["check_id"] + " 不适用于单位 " + bad["unit_id"] + "(分组 "
            + bad["unit_id"].map(group_of) + ");它只适用于" + bad["check_id"].map(scope)
        )  # fmt: skip
        issues.extend(_row_issues(bad, "not-applicable", msgs, "check_id"))

    idx = np.flatnonzero(applicable)
    values = _normalise(rows, idx, c[idx], checks, issues)
    ok = values.ok
    method_code, method_names = pd.factorize(checks["method"])
    single = np.isin(method_names, SINGLE_ROW_METHODS)[method_code]
    kept = np.flatnonzero(ok)
    dup = _duplicates(rows, idx[kept], key[idx[kept]], values.is_na[kept], single[c[idx[kept]]], codes.size, issues)
    kept = kept[~dup]

    if not allow_missing and periods:
        present = np.zeros(codes.size, dtype=bool)
        present[key[known]] = True
        expected = codes.applicable_keys()
        missing = expected[~present[expected]]
        issues.extend(_missing_issues(missing, codes))
    if not periods and not issues:
        issues.append(Issue(code="no-results", message="测评结果文件中没有任何结果行"))
    if issues:
        raise InputError(issues)
    take = idx[kept]
    every = len(take) == len(rows)  # the usual case: no row to drop, nothing to copy or gather

    def kept_rows(values: np.ndarray | pd.api.extensions.ExtensionArray, among: np.ndarray):
        return values if every else values[among]

    method = pd.Categorical.from_codes(kept_rows(method_code[c], take),
                                       categories=pd.Index(method_names, dtype=object))  # fmt: skip
    out = pd.DataFrame(
        {
            **{name: kept_rows(rows[name].array, take) for name in ("period", "unit_id", "check_id")},
            "method": method,
            "is_na": kept_rows(values.is_na, kept),
            "num": kept_rows(values.num, kept),
            "label": kept_rows(values.label, kept),
            **{name: kept_rows(rows[name].array, take) for name in ("evidence", "_file", "_sheet", "_row")},
            "_key": kept_rows(key, take),
        },
        copy=False,
    )
    out.index = pd.RangeIndex(len(out))
    return Findings(rows=out, periods=periods, codes=codes)


def _scope_text(units: tuple[str, ...] | None, applies: tuple[str, ...] | None, groups: dict[str, str]) -> str:
    if units is not None:
        return "单位 " + "、".join(units)
    return "分组 " + "、".join(f"{g}({groups[g]})" for g in (applies or groups))


def _missing_issues(missing: np.ndarray, codes: Codes) -> list[Issue]:
    """One issue per (period, unit): which applicable checks have no row."""
    if len(missing) == 0:
        return []
    p, u, c = codes.split(missing)
    frame = pd.DataFrame({"pu": p * len(codes.units) + u, "c": c})
    out: list[Issue] = []
    grouped = frame.groupby("pu", sort=True)["c"]
    for pu, cs in list(grouped)[:MAX_ISSUES_PER_KIND]:
        period, unit = codes.periods[pu // len(codes.units)], codes.units[pu % len(codes.units)]
        ids = codes.checks[cs.to_numpy()]
        shown = "、".join(ids[:10])
        more = f" 等 {len(ids)} 个" if len(ids) > 10 else ""
        out.append(
            Issue(
                code="missing-result",
                message=f"期次 {period} 单位 {unit} 缺少测评点 {shown}{more} 的结果;"
                "请补齐;确需按 0 分计的,可选择“缺少的结果按 0 分计”(命令行参数 --allow-missing)",
                value=unit,
            )
        )
    if grouped.ngroups > MAX_ISSUES_PER_KIND:
        out.append(
            Issue(
                code="missing-result", message=f"另有 {grouped.ngroups - MAX_ISSUES_PER_KIND} 个单位缺少结果未逐条列出"
            )
        )
    return out
