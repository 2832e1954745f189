"""Read a rubric file, validate it whole, and flatten it into a table of checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from scoring.errors import InputError, Issue
from scoring.limits import MAX_RUBRIC_BYTES
from scoring.rubric.model import BASE_METHODS, ID_PATTERN, RubricSpec
from scoring.rubric.rules import rubric_rule_problems
from scoring.rubric.yaml_source import YamlDocument, YamlSyntaxError, parse_yaml
from scoring.tables import InputFile
from scoring.workdays import WorkCalendar, work_calendar

__all__ = ["Rubric", "load_rubric", "parse_rubric", "rubric_from_bytes"]


@dataclass(frozen=True)
class Rubric:
    """A validated rubric: its spec, its source text and the flat check table."""

    spec: RubricSpec
    path: str
    text: str
    sha256: str = field(repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def groups(self) -> dict[str, str]:
        return dict(self.spec.groups)

    @property
    def calendar(self) -> WorkCalendar:
        """Working days: the national calendar with this rubric's ``calendar`` applied (SPEC extension 1a)."""
        own = self.spec.calendar
        if own is None:
            return work_calendar()
        return work_calendar(tuple(own.years), tuple(own.holidays), tuple(own.workdays))

    @cached_property
    def tracks(self) -> pd.DataFrame:
        rows = [
            {
                "track_id": t.id,
                "track_name": t.name,
                "kind": t.kind,
                "weight": t.weight,
                "na_policy": t.na_policy,
                "bonus_max": t.bonus_max,
                "bonus_min_base": float("nan") if t.bonus_min_base is None else t.bonus_min_base,
                "bonus_above": float("nan") if t.bonus_above is None else t.bonus_above,
                "track_order": i,
            }
            for i, t in enumerate(self.spec.tracks)
        ]
        return pd.DataFrame(rows)

    @cached_property
    def checks(self) -> pd.DataFrame:
        """One row per check, with its track, dimension, indicator and parameters."""
        rows: list[dict[str, Any]] = []
        for track in self.spec.tracks:
            for dim in track.dimensions:
                for ind in dim.indicators:
                    for c in ind.checks:
                        rows.append(
                            {
                                "check_id": c.id,
                                "check_name": c.name,
                                "track_id": track.id,
                                "dimension_id": dim.id,
                                "dimension_name": dim.name,
                                "indicator_id": ind.id,
                                "indicator_name": ind.name,
                                "method": c.method,
                                "points": c.points,
                                "per_item": c.per_item,
                                "limit": c.limit,
                                "per_day": c.per_day,
                                "floor": 0.0 if c.floor is None else c.floor,
                                "target": 1.0 if c.target is None else c.target,
                                "cap": 0.0 if c.cap is None else c.cap,
                                "unscored": c.effect == "unscored",
                                "pool": ind.id if ind.deduct_pool else None,
                                "levels": c.levels,
                                "applies_to": tuple(c.applies_to) if c.applies_to is not None else None,
                                "units": tuple(c.units) if c.units is not None else None,
                                "basis": c.basis or "",
                                "criteria": c.criteria or "",
                                "is_base": c.method in BASE_METHODS,
                                "check_order": len(rows),
                            }
                        )
        frame = pd.DataFrame(rows)
        for col in ("points", "per_item", "limit", "per_day"):
            frame[col] = frame[col].astype("float64")
        return frame

    def applicability(self, roster: pd.DataFrame) -> pd.DataFrame:
        """(unit_id, check_id) pairs: which check applies to which unit of the roster."""
        checks = self.checks[["check_id", "applies_to", "units"]]
        everyone = checks[checks["applies_to"].isna() & checks["units"].isna()]
        by_group = checks[checks["applies_to"].notna()][["check_id", "applies_to"]]
        by_group = by_group.explode("applies_to").rename(columns={"applies_to": "group"})
        all_groups = pd.DataFrame({"group": list(self.spec.groups)})
        everyone = everyone[["check_id"]].merge(all_groups, how="cross")
        group_pairs = pd.concat([everyone, by_group], ignore_index=True)
        pairs_g = roster[["unit_id", "group"]].merge(group_pairs, on="group")[["unit_id", "check_id"]]
        by_unit = checks[checks["units"].notna()][["check_id", "units"]].explode("units")
        by_unit = by_unit.rename(columns={"units": "unit_id"})
        pairs_u = by_unit.merge(roster[["unit_id"]], on="unit_id")[["unit_id", "check_id"]]
        return pd.concat([pairs_g, pairs_u], ignore_index=True).drop_duplicates(ignore_index=True)

    def roster_issues(self, roster: pd.DataFrame, roster_file: str | None = None) -> list[Issue]:
        """Problems between the rubric and a roster: unit ids the rubric names that the roster lacks."""
        known = set(roster["unit_id"])
        unknown = [
            (("tracks", ti, "dimensions", di, "indicators", ii, "checks", ci, "units", ui), uid)
            for ti, track in enumerate(self.spec.tracks)
            for di, dim in enumerate(track.dimensions)
            for ii, ind in enumerate(dim.indicators)
            for ci, c in enumerate(ind.checks)
            for ui, uid in enumerate(c.units or ())
            if uid not in known
        ]
        if not unknown:
            return []
        doc = _document_or_none(self.text)  # parsed again only to point at lines: a big rubric takes a second
        return [
            Issue(
                code="rubric-unknown-unit",
                message=f"单位 {uid} 不在单位名单{f' {roster_file} ' if roster_file else ''}中",
                file=self.path,
                path=doc.path(loc) if doc else None,
                line=doc.line(loc) if doc else None,
                value=uid,
            )
            for loc, uid in unknown
        ]


def _document_or_none(text: str) -> YamlDocument | None:
    try:
        return parse_yaml(text)
    except YamlSyntaxError:
        return None


PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键(是否拼写错误?)",
    "string_type": '应为文本;编码、版本号等请加引号,例如 "1.10"',
    "float_type": "应为数字",
    "int_type": "应为整数",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表(- 开头的若干项)",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "too_short": "至少需要 1 项",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "只能由字母、数字、'.'、'-'、'_' 组成",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "less_than_equal": "必须小于或等于 {le}",
    "less_than": "必须小于 {lt}",
    "literal_error": "应为以下之一:{expected}",
    "float_parsing": "应为数字",
    "int_from_float": "应为整数",
    "finite_number": "必须是有限的数字(不能是 .inf 或 .nan)",
}


def _pydantic_message(err: dict[str, Any]) -> str:
    template = PYDANTIC_MESSAGES.get(err["type"])
    if template is None:
        return str(err["msg"])
    ctx = dict(err.get("ctx") or {})
    if err["type"] == "string_pattern_mismatch" and ctx.get("pattern") != ID_PATTERN:
        return "只能由小写字母、数字和 '-' 组成"
    try:
        msg = template.format(**{k: (f"{v:g}" if isinstance(v, float) else v) for k, v in ctx.items()})
    except (KeyError, ValueError):
        msg = template
    if err["type"] == "extra_forbidden":
        msg = f"{msg}:{err['loc'][-1]}"
    got = err.get("input")
    if err["type"] not in ("missing", "extra_forbidden") and isinstance(got, (str, int, float, bool)):
        msg = f"{msg}(现为 {got!r})"
    return msg


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (e.g. 'float', 'constrained-float') from a loc."""
    out = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in ("float", "int", "str", "none", "function-after")):
            continue
        out.append(part)
    return tuple(out)


def parse_rubric(text: str, path: str = "rubric.yaml", sha256: str | None = None) -> Rubric:
    """Validate rubric text; raise InputError with every problem found."""
    try:
        doc = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise InputError([Issue(code="yaml-syntax", message=str(exc), file=path, line=exc.line)]) from None
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            [Issue(code="rubric-empty", message="文件为空或不是键值映射;指标体系应以 id:、title: 等键开头", file=path)]
        )
    issues: list[Issue] = []
    seen: set[tuple] = set()
    spec: RubricSpec | None = None
    try:
        spec = RubricSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = _clean_loc(err["loc"])
            if err["type"] == "union_type" or (loc, err["type"]) in seen:
                continue
            seen.add((loc, err["type"]))
            issues.append(
                Issue(
                    code=f"rubric-{err['type'].replace('_', '-')}",
                    message=_pydantic_message(err),
                    file=path,
                    path=doc.path(loc),
                    line=doc.line(loc),
                )
            )
    for loc, code, message in rubric_rule_problems(data):
        issues.append(Issue(code=code, message=message, file=path, path=doc.path(loc), line=doc.line(loc)))
    if issues or spec is None:
        issues.sort(key=lambda i: i.line or 0)
        raise InputError(issues)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Rubric(spec=spec, path=path, text=text, sha256=digest)


def rubric_from_bytes(raw: bytes, name: str) -> Rubric:
    """Validate a rubric given as bytes (an upload, or a file already read)."""
    if len(raw) > MAX_RUBRIC_BYTES:
        raise InputError([Issue(code="rubric-too-large", file=name,
                                message="指标体系文件超过 5 MiB 上限;指标体系通常只有几百 KB,请检查是否选错了文件")])  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            [Issue(code="not-utf8", message="文件不是 UTF-8 编码;请以 UTF-8 另存后再试", file=name)]
        ) from None
    return parse_rubric(text, name, hashlib.sha256(raw).hexdigest())


def load_rubric(path: str | Path) -> Rubric:
    """Read and validate a rubric YAML file (UTF-8)."""
    return rubric_from_bytes(InputFile.from_path(path, MAX_RUBRIC_BYTES).data, str(path))
