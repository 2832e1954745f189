"""The rubric in a few lines: tracks, weights, checks and points per group (what `assess validate` prints)."""

from __future__ import annotations

import pandas as pd

from scoring.rubric.load import Rubric
from scoring.words import KIND_NAMES

__all__ = ["KIND_NAMES", "rubric_summary"]


def rubric_summary(rubric: Rubric, roster: pd.DataFrame | None = None) -> list[str]:
    """Lines describing a valid rubric: tracks, weights, checks and points per group."""
    spec = rubric.spec
    checks = rubric.checks
    lines = [f"指标体系 {spec.id}「{spec.title}」版本 {spec.version}:有效"]
    total = spec.target.total_points
    lines.append(f"目标管理绩效考核总分 {total:g} 分;轨道:")
    for t in spec.tracks:
        c = checks[checks["track_id"] == t.id]
        counts = c["method"].value_counts()
        methods = "、".join(f"{m} {n}" for m, n in counts.items())
        lines.append(
            f"  {t.id} {t.name}({KIND_NAMES[t.kind]})权重 {t.weight:.2%} = {t.weight * total:g} 分;"
            f"测评点 {len(c)} 个({methods});不涉及处理 {t.na_policy};加分上限 {t.bonus_max:g}"
            + ("" if t.bonus_min_base is None else f";加分起算线 {t.bonus_min_base:g}")
            + ("" if t.bonus_above is None else f";基础分高于 {t.bonus_above:g} 分才计加分")
        )
    monitored = [(c.id, c.monitor.rule) for tr in spec.tracks for d in tr.dimensions for i in d.indicators
                 for c in i.checks if c.monitor is not None]  # fmt: skip
    if monitored:
        lines.append(f"由网站监测(assess monitor)自动测评的测评点 {len(monitored)} 个:"
                     + "、".join(f"{cid}({rule})" for cid, rule in monitored))  # fmt: skip
    if roster is None:
        lines.append("各分组适用的基础分值(不含按单位指定的测评点):")
        for gid, gname in spec.groups.items():
            own = checks[checks["units"].isna() & checks["applies_to"].map(lambda a, g=gid: a is None or g in a)]
            per_track = own[own["is_base"]].groupby("track_id")["points"].sum()
            text = ";".join(f"{tid} {per_track.get(tid, 0):g} 分" for tid in rubric.tracks["track_id"])
            lines.append(f"  {gid} {gname}:测评点 {len(own)} 个;{text}")
        by_unit = int(checks["units"].notna().sum())
        if by_unit:
            lines.append(f"  另有 {by_unit} 个测评点按单位指定(units);加 --units 可按单位统计")
        return lines
    pairs = rubric.applicability(roster).merge(checks, on="check_id").merge(roster, on="unit_id")
    base = pairs[pairs["is_base"]]
    per_unit = base.groupby(["group", "track_id", "unit_id"])["points"].sum().reset_index()
    n_checks = pairs.groupby(["group", "unit_id"]).size().groupby("group").agg(["min", "max"])
    lines.append(f"单位名单 {len(roster)} 个单位;各分组每个单位适用的测评点与基础分值:")
    for gid, gname in spec.groups.items():
        members = int((roster["group"] == gid).sum())
        if members == 0:
            lines.append(f"  {gid} {gname}:名单中没有单位")
            continue
        parts = []
        for tid in rubric.tracks["track_id"]:
            pts = per_unit[(per_unit["group"] == gid) & (per_unit["track_id"] == tid)]["points"]
            parts.append(f"{tid} {_span(pts.min(), pts.max())} 分" if len(pts) else f"{tid} 无")
        cmin, cmax = (n_checks.loc[gid, "min"], n_checks.loc[gid, "max"]) if gid in n_checks.index else (0, 0)
        lines.append(f"  {gid} {gname}:{members} 个单位;测评点 {_span(cmin, cmax)} 个;{';'.join(parts)}")
    return lines


def _span(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
