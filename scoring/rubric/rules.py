"""Rules of a rubric that look across keys (SPEC §1).

They walk the plain YAML data defensively, skipping whatever has the wrong type
(the shape models report that), so that a broken key elsewhere never hides a
duplicate id or a weight below the 4% the policy demands.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from scoring.rubric.model import BASE_METHODS, METHODS

__all__ = ["METHOD_PARAMS", "RECORDS_METHODS", "Problem", "rubric_rule_problems"]

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str, str]  # (where, code, message)

DISCLOSURE_MIN_WEIGHT = 0.04
EPS = 1e-9

# parameters each method takes: (required, optional)
METHOD_PARAMS: dict[str, tuple[set[str], set[str]]] = {
    "binary": ({"points"}, set()),
    "levels": ({"points", "levels"}, set()),
    "ratio": ({"points"}, {"floor", "target"}),
    "deduct": ({"points", "per_item"}, set()),
    "bonus": ({"points", "per_item"}, set()),
    "veto": (set(), {"cap", "effect"}),
    "deadline": ({"points", "limit"}, {"per_day"}),
}
ALL_PARAMS = {"points", "per_item", "levels", "floor", "target", "cap", "limit", "per_day", "effect"}

PARAM_NAMES = {
    "points": "分值 points",
    "per_item": "每项扣/加分 per_item",
    "levels": "等级表 levels",
    "floor": "起评线 floor",
    "target": "满分线 target",
    "cap": "封顶分 cap",
    "limit": "时限(工作日)limit",
    "per_day": "每逾期 1 个工作日扣分 per_day",
    "effect": "否决效果 effect",
}


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _dicts(node: Any, key: str, loc: Loc) -> Iterator[tuple[Loc, dict]]:
    items = node.get(key) if isinstance(node, dict) else None
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield (*loc, key, i), item


def _walk(data: dict) -> Iterator[tuple[str, Loc, dict, dict | None]]:
    """Yield (level, loc, node, track) for every track, dimension, indicator and check."""
    for tloc, track in _dicts(data, "tracks", ()):
        yield "track", tloc, track, track
        for dloc, dim in _dicts(track, "dimensions", tloc):
            yield "dimension", dloc, dim, track
            for iloc, ind in _dicts(dim, "indicators", dloc):
                yield "indicator", iloc, ind, track
                for cloc, check in _dicts(ind, "checks", iloc):
                    yield "check", cloc, check, track


def _base_points(node: dict, child_key: str) -> float | None:
    """Sum of the base points below a dimension or indicator; None if unknowable."""
    total = 0.0
    for _, child in _dicts(node, child_key, ()):
        if child_key == "checks":
            if child.get("method") in BASE_METHODS:
                p = _number(child.get("points"))
                if p is None:
                    return None
                total += p
        else:
            sub = _base_points(child, "checks")
            if sub is None:
                return None
            total += sub
    return total


def _check_method(loc: Loc, check: dict, track: dict | None) -> Iterator[Problem]:
    method = check.get("method")
    if method not in METHODS:
        return  # the shape model names the accepted methods
    required, optional = METHOD_PARAMS[method]
    for param in sorted(required):
        if param not in check:
            yield loc, "check-param-missing", f"方法 {method} 需要{PARAM_NAMES[param]}"
    for param in sorted(ALL_PARAMS - required - optional):
        if param in check:
            yield (
                (*loc, param),
                "check-param-unused",
                f"方法 {method} 不使用{PARAM_NAMES[param]};请删除它或改用合适的方法",
            )
    if method == "levels" and isinstance(check.get("levels"), dict) and not check["levels"]:
        yield (*loc, "levels"), "levels-empty", "等级表 levels 至少需要 1 个等级(标签: 得分比例)"
    if method == "ratio":
        floor = _number(check.get("floor", 0))
        target = _number(check.get("target", 1))
        if floor is not None and target is not None and not floor < target:
            yield (
                (*loc, "floor"),
                "ratio-floor-target",
                f"起评线 floor ({floor:g}) 必须小于满分线 target ({target:g})",
            )
    if method == "veto" and check.get("effect") == "unscored" and "cap" in check:
        yield (
            (*loc, "cap"),
            "veto-unscored-cap",
            "effect: unscored 的否决项判定单位不合格且不计分,不使用封顶分 cap;请删除 cap 或改用 effect: cap",
        )
    if method == "bonus" and isinstance(track, dict):
        bonus_max = _number(track.get("bonus_max", 0))
        if bonus_max is not None and bonus_max <= 0:
            yield (
                (*loc, "method"),
                "bonus-without-bonus-max",
                "加分项(bonus)所在的轨道需要 bonus_max > 0(加分上限)",
            )


# SPEC extension 4: the methods each monitor rule serves and the parameters it takes
MONITOR_METHODS = {"unreachable": ("veto", "binary"), "home_stale": ("veto", "binary"), "stale_columns": ("deduct", "veto"),
                   "empty_columns": ("deduct", "veto"), "broken_links": ("deduct",), "page_exists": ("binary",),
                   "wrong_words": ("deduct", "veto"), "privacy_leaks": ("deduct", "veto"),
                   "hidden_links": ("deduct", "veto"), "unanswered_messages": ("deduct", "veto")}  # fmt: skip
MONITOR_PARAMS = {"unreachable": {"max_failure_rate", "timeout_s"}, "home_stale": {"days"}, "stale_columns": {"limits", "kinds", "at_least"},
                  "empty_columns": {"kinds", "at_least"}, "broken_links": set(), "page_exists": {"column"},
                  "wrong_words": {"severity"}, "privacy_leaks": set(), "hidden_links": set(),
                  "unanswered_messages": {"days"}}  # fmt: skip


def _check_monitor(loc: Loc, check: dict) -> Iterator[Problem]:
    monitor = check.get("monitor")
    if not isinstance(monitor, dict) or monitor.get("rule") not in MONITOR_METHODS:
        return  # the shape model names the accepted rules
    rule, method = monitor["rule"], check.get("method")
    if method in METHODS and method not in MONITOR_METHODS[rule]:
        yield (
            (*loc, "monitor", "rule"),
            "monitor-method",
            (f"监测规则 {rule} 只用于方法 {'、'.join(MONITOR_METHODS[rule])},本测评点的方法是 {method}"),
        )
    for param in sorted(set(monitor) - {"rule"} - MONITOR_PARAMS[rule]):
        taken = f"它接受 {'、'.join(sorted(MONITOR_PARAMS[rule]))}" if MONITOR_PARAMS[rule] else "它不接受任何参数"
        yield (*loc, "monitor", param), "monitor-param-unused", f"监测规则 {rule} 不使用参数 {param};{taken}"
    if "at_least" in monitor and "at_least" in MONITOR_PARAMS[rule] and method in METHODS and method != "veto":
        yield (
            (*loc, "monitor", "at_least"),
            "monitor-at-least-not-veto",
            f"at_least(栏目数达到此数即单项否决)只用于方法 veto;本测评点的方法是 {method},按栏目个数扣分时请删除 at_least",
        )
    if rule == "page_exists" and not monitor.get("column"):
        yield (*loc, "monitor"), "monitor-param-missing", "监测规则 page_exists 需要 column(站点清单中的栏目名称)"


# SPEC extension 6: the methods each records measure serves and the parameters it takes
RATIO_MEASURES = ("on_time_rate", "online_rate", "instant_rate", "one_visit_rate", "time_reduction", "satisfaction",
                  "bad_fixed_on_time", "callback_rate", "rating_coverage")  # fmt: skip
RECORDS_METHODS: dict[str, tuple[str, ...]] = {
    **{m: ("ratio",) for m in RATIO_MEASURES},
    "overdue_cases": ("deduct",),
    "stale_accounts": ("deduct", "veto"),
}
RECORDS_PARAMS: dict[str, set[str]] = {m: set() for m in RECORDS_METHODS}
RECORDS_PARAMS.update({"one_visit_rate": {"max_visits"}, "bad_fixed_on_time": {"days"}, "stale_accounts": {"days"}})


def _check_records(loc: Loc, check: dict) -> Iterator[Problem]:
    records = check.get("records")
    if "records" in check and "monitor" in check:
        yield (
            (*loc, "records"),
            "records-and-monitor",
            "一个测评点不能同时由网站监测(monitor)和办件评价记录(records)测量;请只保留一个",
        )
    if not isinstance(records, dict) or records.get("measure") not in RECORDS_METHODS:
        return  # the shape model names the accepted measures
    measure, method = records["measure"], check.get("method")
    if method in METHODS and method not in RECORDS_METHODS[measure]:
        yield (
            (*loc, "records", "measure"),
            "records-method",
            f"记录指标 {measure} 只用于方法 {'、'.join(RECORDS_METHODS[measure])},本测评点的方法是 {method}",
        )
    for param in sorted(set(records) - {"measure"} - RECORDS_PARAMS[measure]):
        taken = "、".join(sorted(RECORDS_PARAMS[measure])) or "任何参数"
        yield (*loc, "records", param), "records-param-unused", f"记录指标 {measure} 不使用参数 {param};它接受 {taken}"


def _check_scope(loc: Loc, check: dict, groups: set[str] | None) -> Iterator[Problem]:
    if "applies_to" in check and "units" in check:
        yield loc, "scope-both", "applies_to(按分组)与 units(按单位)不能同时出现在一个测评点上"
    applies = check.get("applies_to")
    if isinstance(applies, list):
        if not applies:
            yield (*loc, "applies_to"), "scope-empty", "applies_to 至少需要 1 个分组"
        for j, gid in enumerate(applies):
            if groups is not None and isinstance(gid, str) and gid not in groups:
                yield (
                    (*loc, "applies_to", j),
                    "unknown-group",
                    f"未知分组 {gid};可用分组:{', '.join(sorted(groups))}",
                )
    units = check.get("units")
    if isinstance(units, list):
        if not units:
            yield (*loc, "units"), "scope-empty", "units 至少需要 1 个单位编码"
        seen: set[str] = set()
        for j, uid in enumerate(units):
            if uid in seen:
                yield (*loc, "units", j), "rubric-duplicate-unit", f"单位 {uid} 重复列出"
            seen.add(uid)


def _pool_problems(loc: Loc, indicator: dict) -> Iterator[Problem]:
    """A deduction pool (扣完为止 per indicator) needs its points and holds deduct checks only."""
    if _number(indicator.get("points")) is None:
        yield (*loc, "deduct_pool"), "pool-points-missing", "扣分池 deduct_pool 需要指标的分值 points(扣分之和的上限)"
    for cloc, check in _dicts(indicator, "checks", loc):
        method = check.get("method")
        if method in METHODS and method != "deduct":
            yield (
                (*cloc, "method"),
                "pool-method",
                f"扣分池 deduct_pool 中只能有扣分项(deduct),本测评点的方法是 {method}",
            )


def _has_bonus(track: dict) -> bool:
    return any(
        check.get("method") == "bonus"
        for _, dim in _dicts(track, "dimensions", ())
        for _, ind in _dicts(dim, "indicators", ())
        for _, check in _dicts(ind, "checks", ())
    )


def rubric_rule_problems(data: Any) -> list[Problem]:
    """Every cross-key problem of a rubric, in document order."""
    if not isinstance(data, dict):
        return []
    out: list[Problem] = []
    groups_raw = data.get("groups")
    groups = set(groups_raw) if isinstance(groups_raw, dict) else None

    seen_ids: dict[str, Loc] = {}
    weight_sum = 0.0
    for level, loc, node, track in _walk(data):
        nid = node.get("id")
        if isinstance(nid, str):
            if nid in seen_ids:
                out.append(((*loc, "id"), "duplicate-id", f"编码 {nid} 重复;编码在整个指标体系中必须唯一"))
            else:
                seen_ids[nid] = loc
        if level == "track":
            w = _number(node.get("weight"))
            if w is not None:
                weight_sum += w
                if node.get("kind") == "disclosure" and w < DISCLOSURE_MIN_WEIGHT - EPS:
                    out.append(
                        (
                            (*loc, "weight"),
                            "disclosure-weight",
                            f"政务公开轨道的权重为 {w:g},不得低于 0.04(即目标管理绩效考核分值的 4%)",
                        )
                    )
            if node.get("bonus_min_base") is not None and not _has_bonus(node):
                out.append(((*loc, "bonus_min_base"), "bonus-min-base-without-bonus",
                            "加分起算线 bonus_min_base 只对加分项(bonus)起作用,而该轨道没有加分项"))  # fmt: skip
            if node.get("bonus_above") is not None:
                if node.get("bonus_min_base") is not None:
                    out.append(((*loc, "bonus_above"), "bonus-threshold-both",
                                "bonus_min_base(达到即加分)与 bonus_above(高于才加分)只能选一个"))  # fmt: skip
                if not _has_bonus(node):
                    out.append(((*loc, "bonus_above"), "bonus-above-without-bonus",
                                "加分门槛 bonus_above 只对加分项(bonus)起作用,而该轨道没有加分项"))  # fmt: skip
        elif level in ("dimension", "indicator"):
            if level == "indicator" and node.get("deduct_pool") is True:
                out.extend(_pool_problems(loc, node))
            declared = _number(node.get("points"))
            if declared is not None:
                actual = _base_points(node, "indicators" if level == "dimension" else "checks")
                if actual is not None and abs(actual - declared) > EPS:
                    out.append(
                        (
                            (*loc, "points"),
                            "points-sum",
                            f"声明的分值 {declared:g} 与其下基础测评点分值之和 {actual:g} 不一致",
                        )
                    )
        else:
            out.extend(_check_method(loc, node, track))
            out.extend(_check_scope(loc, node, groups))
            out.extend(_check_monitor(loc, node))
            out.extend(_check_records(loc, node))

    if weight_sum > 1 + EPS:
        out.append((("tracks",), "weight-sum", f"各轨道权重之和为 {weight_sum:g},不得超过 1"))

    out.extend(_grade_problems(data.get("grades")))
    out.extend(_calendar_problems(data.get("calendar")))
    return out


def _calendar_problems(calendar: Any) -> Iterator[Problem]:
    """A rubric's own days: real dates, and none both a holiday and a workday (SPEC extension 1a)."""
    if not isinstance(calendar, dict):
        return
    seen: dict[str, str] = {}
    for key in ("holidays", "workdays"):
        days = calendar.get(key)
        for i, day in enumerate(days if isinstance(days, list) else []):
            if not isinstance(day, str):
                continue
            try:
                date.fromisoformat(day)
            except ValueError:
                yield ("calendar", key, i), "calendar-date", f"日期 {day} 不存在;请按 YYYY-MM-DD 写真实的日期"
                continue
            if seen.get(day, key) != key:
                yield (
                    ("calendar", key, i),
                    "calendar-both",
                    f"日期 {day} 不能既是节假日(holidays)又是调休上班日(workdays)",
                )
            seen[day] = key


def _grade_problems(grades: Any) -> Iterator[Problem]:
    if not isinstance(grades, list):
        return
    mins = [(_number(g.get("min")) if isinstance(g, dict) else None) for g in grades]
    for i in range(1, len(mins)):
        a, b = mins[i - 1], mins[i]
        if a is not None and b is not None and not b < a:
            yield ("grades", i, "min"), "grades-order", f"等次须按 min 严格递减排列:{b:g} 不小于上一等次的 {a:g}"
    if mins and mins[-1] is not None and mins[-1] != 0:
        yield ("grades", len(mins) - 1, "min"), "grades-last", f"最后一个(最低)等次的 min 必须为 0,而不是 {mins[-1]:g}"
