"""Check test results against the rubric and roster, and normalise their values.

All problems of SPEC §2 are collected in one pass over whole columns; the
result is a frame of findings whose ``num`` holds the method's number
(1/0 for binary and veto, the fraction for levels and ratio, the count for
deduct and bonus) so that scoring is plain arithmetic.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.codes import Codes
from scoring.errors import InputError, Issue
from scoring.rubric.load import Rubric
from scoring.tables import RESULT_COLUMNS, as_text, coded_text
from scoring.values import FAIL_TOKENS, NA_TOKENS, PASS_TOKENS, UNANSWERED_TOKENS, accepted_values

__all__ = ["MAX_ISSUES_PER_KIND", "Findings", "validate_results"]

# past this many issues of one kind, one summary line stands for the rest
MAX_ISSUES_PER_KIND = 500
KEY = ["period", "unit_id", "check_id"]
SINGLE_ROW_METHODS = ("binary", "levels", "ratio", "veto", "deadline")
# a deadline's value: RECEIVED/ANSWERED as ISO dates (SPEC extension 1a), spaces around '/' allowed
_DATE_PAIR = r"^(?P<received>\d{4}-\d{2}-\d{2})\s*/\s*(?P<answered>\d{4}-\d{2}-\d{2})$"
UNANSWERED = -1.0  # a deadline's value for 未答复: earns nothing
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
    # rows per (period, unit, check) key, which validation counts anyway and scoring needs
    counts: np.ndarray | None = field(default=None, compare=False, repr=False)


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


# numbers as people write them in a cell: digits with an optional point; not 1e3, inf or nan
# (SPEC extension 1b), which pandas would read and a count would then print as -9223372036854775808
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
MAX_COUNT = 10**9


def _numbers(low: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in the text cells (NaN where a cell is no plain decimal), and which were percents.

    In Arrow: a round holds up to one distinct text per rate (43,000 in the benchmark's million findings), and
    Python string methods on each would cost more than scoring."""
    pct = pc.ends_with(low, "%")
    bare = pc.utf8_trim_whitespace(pc.if_else(pct, pc.utf8_slice_codeunits(low, 0, -1), low))
    plain = pc.match_substring_regex(bare, f"^{_DECIMAL}$")
    num = pc.cast(pc.if_else(plain, bare, pa.scalar(None, pa.string())), pa.float64())
    num = num.to_numpy(zero_copy_only=False).astype(float)  # nulls become NaN
    is_pct = pct.to_numpy(zero_copy_only=False)
    return np.where(is_pct, num / 100, num), is_pct


def _lowered(text: pd.Series) -> pa.Array:
    """The distinct values trimmed, lower-cased and, where not plain ASCII, NFKC-normalised:
    full-width forms typed with a Chinese IME (ＮＡ, １００％, ８４．３％) mean their ASCII twins."""
    arr = pa.array(text.to_numpy(dtype=object), type=pa.string())
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        arr = pc.utf8_normalize(arr, "NFKC")
    return pc.utf8_lower(pc.utf8_trim_whitespace(arr))


def _encode(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Codes of a column's values in ``index`` (-1 where absent), looking each distinct value up once."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _recode(column.cat.codes.to_numpy(), column.cat.categories, index)
    codes, uniq = pd.factorize(column)
    return _recode(codes, uniq, index)


def _recode(raw: np.ndarray, labels: object, index: pd.Index) -> np.ndarray:
    """Codes ``raw`` into ``labels`` (-1: none) as codes into ``index`` (-1: not in it)."""
    lookup = index.get_indexer(pd.Index(labels, dtype=object))
    if raw.min(initial=0) >= 0 and np.array_equal(lookup, np.arange(len(lookup))):
        return raw.astype(np.intp)  # coded in the index's own order, as a file sorted like it is
    return np.append(lookup, -1)[raw]  # a cell's code -1 (empty) picks the appended -1


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
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniq = coded_text(column)
        return codes, pd.Series(uniq, dtype=object)
    codes, uniq = pd.factorize(as_text(column))
    return codes, pd.Series(uniq, dtype=object)


@dataclass(frozen=True)
class _Values:
    is_na: np.ndarray
    num: np.ndarray
    label: pd.Categorical
    ok: np.ndarray


@dataclass(frozen=True)
class _ValueTables:
    """What each distinct value means to each class of check.

    A class is one way of reading values: pass/fail (binary, veto), a ratio, a count (deduct,
    bonus), or one distinct set of levels. ``num[k, v]`` is the number value ``v`` stands for
    under class ``k`` (NaN where the class does not accept it), so a million cells are read with
    a few gathers, and per-check dictionaries are walked once per rubric, not per row.
    """

    class_of_check: np.ndarray
    num: np.ndarray  # (classes, values), NaN: not accepted (or NA)
    label: np.ndarray  # (classes, values), codes into label_names; 0: no label
    is_na: np.ndarray  # (values,)
    label_names: list[str]
    # why a deadline does not accept a value it otherwise reads (a year not covered, dates reversed)
    deadline_reason: np.ndarray | None = None


def _deadline_days(low: pa.Array, u_count: np.ndarray, u_num: np.ndarray, calendar) -> tuple[np.ndarray, np.ndarray]:
    """Working days taken for each distinct value under a deadline (NaN: not accepted), and why not
    where the value is a date pair the calendar cannot count. Each distinct pair is counted once."""
    days = np.where(u_count, u_num, np.nan)
    reason = np.full(len(low), "", dtype=object)
    unanswered = pc.is_in(low, value_set=pa.array(sorted(UNANSWERED_TOKENS))).to_numpy(zero_copy_only=False)
    days[unanswered] = UNANSWERED
    parts = pc.extract_regex(low, _DATE_PAIR)
    is_pair = parts.is_valid().to_numpy(zero_copy_only=False)
    if not is_pair.any():
        return days, reason
    pair = np.flatnonzero(is_pair)
    flat = parts.filter(pa.array(is_pair)).flatten()
    received = pd.to_datetime(flat[0].to_pandas(), format="%Y-%m-%d", errors="coerce").to_numpy("datetime64[D]")
    answered = pd.to_datetime(flat[1].to_pandas(), format="%Y-%m-%d", errors="coerce").to_numpy("datetime64[D]")
    bad_date = np.isnat(received) | np.isnat(answered)
    reason[pair[bad_date]] = "日期不存在"
    ok = ~bad_date
    reversed_ = ok & (answered < received)
    reason[pair[reversed_]] = "答复日期早于收到日期"
    ok &= ~reversed_
    missing_year = np.zeros(len(pair), dtype=np.int64)
    missing_year[ok] = calendar.uncovered_year(received[ok], answered[ok])
    for year in np.unique(missing_year[missing_year > 0]):
        reason[pair[missing_year == year]] = (
            f"节假日历未覆盖 {year} 年(请在指标体系的 calendar 中给出该年的节假日和调休上班日)"
        )
    ok &= missing_year == 0
    days[pair[ok]] = calendar.taken(received[ok], answered[ok])
    return days, reason


def _value_tables(text: pd.Series, checks: pd.DataFrame, calendar=None) -> _ValueTables:
    arrow_low = _lowered(text)
    u_num, u_pct = _numbers(arrow_low)
    n_values = len(arrow_low)

    def among(tokens: object) -> np.ndarray:
        return pc.is_in(arrow_low, value_set=pa.array(sorted(tokens), pa.string())).to_numpy(zero_copy_only=False)

    u_na = among(NA_TOKENS)
    u_pass = among(PASS_TOKENS) | ((u_num == 1) & ~u_pct)
    u_fail = among(FAIL_TOKENS) | ((u_num == 0) & ~u_pct)
    u_count = ~u_pct & (u_num >= 0) & (u_num == np.floor(u_num)) & (u_num <= MAX_COUNT)
    u_ratio = (u_num >= 0) & (u_num <= 1)
    method = checks["method"].to_numpy(dtype=object)
    num = [
        np.where(u_pass, 1.0, np.where(u_fail, 0.0, np.nan)),  # binary, veto
        np.where(u_ratio, u_num, np.nan),  # ratio
        np.where(u_count, u_num, np.nan),  # deduct, bonus
    ]
    class_of_check = np.where(np.isin(method, ("binary", "veto")), 0, np.where(method == "ratio", 1, 2))
    deadline_reason = None
    if (method == "deadline").any():
        days, deadline_reason = _deadline_days(arrow_low, u_count, u_num, calendar)
        class_of_check[method == "deadline"] = len(num)
        num.append(days)
    label = [np.zeros(n_values, dtype=np.int32)] * len(num)
    label_names: dict[str, int] = {"": 0}
    classes: dict[tuple, int] = {}
    levels_of_check = checks["levels"].to_numpy(dtype=object)
    for code in np.flatnonzero(method == "levels"):
        levels = levels_of_check[code]
        k = classes.get(key := tuple(levels.items()))
        if k is None:
            k = classes[key] = len(num)
            # one hash lookup per distinct value, not a pass over the values per label; of labels
            # that differ only in case ('b', 'B') the first is the one a value means
            first: dict[str, tuple[float, str]] = {}
            for lab, frac in levels.items():
                first.setdefault(unicodedata.normalize("NFKC", str(lab)).strip().lower(), (frac, str(lab)))
            found = pc.index_in(arrow_low, value_set=pa.array(list(first), pa.string()))
            pos = found.fill_null(-1).to_numpy(zero_copy_only=False)
            hit = pos >= 0
            fractions, labels = np.full(n_values, np.nan), np.zeros(n_values, dtype=np.int32)
            meanings = list(first.values())
            fractions[hit] = np.array([f for f, _ in meanings], dtype=float)[pos[hit]]
            names = np.array([label_names.setdefault(name, len(label_names)) for _, name in meanings], dtype=np.int32)
            labels[hit] = names[pos[hit]]
            num.append(fractions)
            label.append(labels)
        class_of_check[code] = k
    num_table, label_table = np.vstack(num), np.vstack(label)
    num_table[:, u_na] = np.nan  # NA is never a number, whatever the method
    label_table[:, u_na] = 0
    return _ValueTables(class_of_check, num_table, label_table, u_na, list(label_names), deadline_reason)


def _normalise(
    rows: pd.DataFrame, idx: np.ndarray | None, c: np.ndarray, checks: pd.DataFrame, issues: list[Issue], calendar=None
) -> _Values:
    """is_na, num and label of the rows ``idx`` (all rows if None; checks ``c``); report values the
    method does not accept."""
    vcode, text = _text_codes(rows["value"])
    vcode = vcode if idx is None else vcode[idx]
    tables = _value_tables(text, checks, calendar)
    flat = tables.class_of_check[c]
    flat *= len(text)
    flat += vcode
    num = tables.num.ravel()[flat]
    is_na = tables.is_na[vcode]
    ok = is_na | ~np.isnan(num)
    if not ok.all():
        accepted = {
            cid: accepted_values(m, lv_)
            for cid, m, lv_ in zip(checks["check_id"], checks["method"], checks["levels"], strict=True)
        }
        bad = ~ok
        b = _where(rows, np.flatnonzero(bad) if idx is None else idx[bad])
        msgs = (
            "测评点 " + b["check_id"] + " 不接受结果 “" + text.to_numpy()[vcode[bad]] + "”;可填:"
            + b["check_id"].map(accepted)
        )  # fmt: skip
        if tables.deadline_reason is not None:
            why = pd.Series(tables.deadline_reason[vcode[bad]], index=b.index)
            said = why != ""
            msgs = msgs.where(~said, "测评点 " + b["check_id"] + " 的结果 “" + text.to_numpy()[vcode[bad]] + "”:" + why)
        issues.extend(_row_issues(b, "bad-value", msgs, "value"))
    labels = pd.Categorical.from_codes(
        tables.label.ravel()[flat], categories=pd.Index(tables.label_names, dtype=object), validate=False
    )
    return _Values(is_na=is_na, num=num, label=labels, ok=ok)


def _duplicates(rows: pd.DataFrame, take: np.ndarray | None, keys: np.ndarray, c: np.ndarray, is_na: np.ndarray,
                single: np.ndarray, counts: np.ndarray, issues: list[Issue]) -> None:  # fmt: skip
    """Report rows (``take``, all if None; keys ``keys``, checks ``c``) that repeat a (period, unit,
    check) where only one row is allowed.

    ``single`` says, per check, whether its method allows one row only; ``counts`` are the rows per
    key. Only the rows of repeated keys are looked at, and there are few.
    """
    if counts.max(initial=0) <= 1:
        return
    rep = np.flatnonzero(counts[keys] > 1)
    k = keys[rep]
    single_rep = single[c[rep]]
    is_dup = single_rep.copy()
    if (na_rep := is_na[rep]).any():
        is_dup |= np.bincount(k, weights=na_rep.astype(float), minlength=len(counts))[k] > 0
    if not is_dup.any():
        return
    pos = rep[is_dup]
    d = _where(rows, pos if take is None else take[pos]).assign(_k=k[is_dup], _single=single_rep[is_dup])
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


def _period_codes(column: pd.Series) -> tuple[np.ndarray, list[str], pd.Index]:
    """Each cell's code (-1 for none), the distinct period texts that occur, and what the codes index."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        raw = column.cat.codes.to_numpy()
        # a coded column may carry categories no row uses (rows taken from a bigger file); seen
        # unsigned, code -1 (no period) is the largest and is cut off
        n = len(column.cat.categories)
        if raw.itemsize <= 2:
            used = np.bincount(raw.view(f"u{raw.itemsize}"), minlength=n)[:n] > 0
        else:  # so many categories that -1 seen unsigned would ask for gigabytes of counts
            used = np.bincount(raw.astype(np.intp) + 1, minlength=n + 1)[1:] > 0
        return raw, [str(x) for x in column.cat.categories[used]], column.cat.categories
    codes, uniq = pd.factorize(column)
    return codes, [str(x) for x in uniq], uniq


def _compose(outer: np.ndarray | None, inner: np.ndarray | None) -> np.ndarray | None:
    """Positions ``inner`` of the positions ``outer``; None stands for every position."""
    if outer is None:
        return inner
    return outer if inner is None else outer[inner]


def validate_results(
    rubric: Rubric,
    roster: pd.DataFrame,
    results: pd.DataFrame,
    *,
    allow_missing: bool = False,
    prior_issues: list[Issue] | None = None,
) -> Findings:
    """Validate raw result rows; raise InputError listing every problem.

    The work is done on code arrays, and a file without problems takes the short way: no row
    is filtered or gathered. The big frame is never copied.
    """
    issues: list[Issue] = list(prior_issues or [])
    checks = rubric.checks
    rows = results.reset_index(drop=True)
    period_code, used_periods, period_text = _period_codes(rows["period"])
    periods = sorted(x for x in used_periods if x != "")
    codes = Codes.build(rubric, roster, periods)
    n_uc = len(codes.units) * len(codes.checks)

    u = _encode(rows["unit_id"], codes.units)
    c = _encode(rows["check_id"], codes.checks)
    p = _recode(period_code, period_text, pd.Index(codes.periods, dtype=object))
    every_known = min(u.min(initial=0), c.min(initial=0), p.min(initial=0)) >= 0
    if u.min(initial=0) < 0:
        bad = _where(rows, u < 0)
        issues.extend(_row_issues(bad, "unknown-unit", "单位编码 " + bad["unit_id"] + " 不在单位名单中", "unit_id"))
    if c.min(initial=0) < 0:
        bad = _where(rows, c < 0)
        msgs = "测评点编码 " + bad["check_id"] + f" 不在指标体系 {rubric.id} 中"
        issues.extend(_row_issues(bad, "unknown-check", msgs, "check_id"))
    # ten million rows: each temporary is 80 MB of fresh memory, so the keys are built in place
    # (and stay intp: numpy turns any other index into intp first)
    uc = u * len(codes.checks)
    uc += c
    if every_known:
        known = None
        key = p.astype(np.int64)
        key *= n_uc
        key += uc
        applicable = codes.applicable.ravel()[uc]
    else:
        known_mask = (u >= 0) & (c >= 0) & (p >= 0)
        known = np.flatnonzero(known_mask)
        key = np.full(len(rows), -1, dtype=np.int64)
        key[known] = p[known] * n_uc + uc[known]
        applicable = np.zeros(len(rows), dtype=bool)
        applicable[known] = codes.applicable.ravel()[uc[known]]
    every_applicable = bool(applicable.all())
    if not every_applicable:
        bad = _where(rows, ~applicable if known is None else known_mask & ~applicable)
        if not bad.empty:
            group_of = roster.set_index("unit_id")["group"]
            scope = {cid: _scope_text(units_, applies, rubric.groups)
                     for cid, units_, applies in zip(checks["check_id"], checks["units"], checks["applies_to"],
                                                     strict=True)}  # fmt: skip
            msgs = (
                "测评点 " + bad["check_id"] + " 不适用于单位 " + bad["unit_id"] + "(分组 "
                + bad["unit_id"].map(group_of) + ");它只适用于" + bad["check_id"].map(scope)
            )  # fmt: skip
            issues.extend(_row_issues(bad, "not-applicable", msgs, "check_id"))

    idx = None if every_applicable else np.flatnonzero(applicable)
    values = _normalise(rows, idx, c if idx is None else c[idx], checks, issues, rubric.calendar)
    kept = None if values.ok.all() else np.flatnonzero(values.ok)
    take = _compose(idx, kept)
    kept_keys = key if take is None else key[take]
    counts = np.bincount(kept_keys, minlength=codes.size)
    single = np.isin(checks["method"].to_numpy(dtype=object), SINGLE_ROW_METHODS)
    _duplicates(rows, take, kept_keys, c if take is None else c[take],
                values.is_na if kept is None else values.is_na[kept], single, counts, issues)  # fmt: skip

    if not allow_missing and periods:
        if take is not None:  # rows with other problems still count as present
            counts = np.bincount(key if known is None else key[known], minlength=codes.size)
        absent = (counts.reshape(len(codes.periods), n_uc) == 0) & codes.applicable.ravel()
        issues.extend(_missing_issues(np.flatnonzero(absent), codes))
    if not periods and not issues:
        issues.append(Issue(code="no-results", message="测评结果文件中没有任何结果行"))
    if issues:
        raise InputError(issues)
    # no problem left, so the rows kept are those the values were read for: every row but any
    # without a period (which the reader reports)

    def kept_rows(values: np.ndarray | pd.api.extensions.ExtensionArray) -> np.ndarray:
        return values if idx is None else values[idx]

    method_code, method_names = pd.factorize(checks["method"])
    method = pd.Categorical.from_codes(
        kept_rows(method_code.astype(np.int8)[c]), categories=pd.Index(method_names, dtype=object), validate=False
    )
    out = pd.DataFrame(
        {
            **{name: kept_rows(rows[name].array) for name in ("period", "unit_id", "check_id")},
            "method": method,
            "is_na": values.is_na,
            "num": values.num,
            "label": values.label,
            **{name: kept_rows(rows[name].array) for name in ("evidence", "_file", "_sheet", "_row")},
            "_key": kept_rows(key),
        },
        copy=False,
    )
    out.index = pd.RangeIndex(len(out))
    return Findings(rows=out, periods=periods, codes=codes, counts=counts)


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
