"""Views of scores that people read: rankings with movement, a unit's profile, its lost points.

These are plain frames (English column names) shared by the app and the Excel reports, so that
what a leader sees on screen and what a unit receives in its report are computed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import Scores
from scoring.pipeline import Assessment
from scoring.rubric.load import Rubric
from scoring.views.completeness import complete_units

__all__ = [
    "common_problems",
    "dimension_profile",
    "grade_counts",
    "import_preview",
    "lost_points",
    "missing_results",
    "previous_period",
    "ranking_history",
    "ranking_table",
    "rubric_table",
    "unit_tracks",
    "unit_trend",
    "units_losing",
    "unsupported_losses",
]


def previous_period(periods: list[str], period: str) -> str | None:
    """The round before ``period`` among the scored ones (periods sort as text: 2017Q3 < 2017Q4)."""
    earlier = [p for p in sorted(periods) if p < period]
    return earlier[-1] if earlier else None


def ranking_table(scores: Scores, period: str, track: str, group: str) -> pd.DataFrame:
    """One group's ranking in one round, with change in rank and score since the previous round."""
    u = scores.units
    cols = ["unit_id", "unit_name", "rank", "rank_of", "score", "base", "bonus", "grade", "vetoed", "target_points"]
    cols += [c for c in ("recorded", "applicable", "complete") if c in u.columns]  # an open round's progress
    now = u[(u["period"] == period) & (u["track"] == track) & (u["group"] == group)][cols].copy()
    prev_period = previous_period(scores.periods, period)
    if prev_period is not None:
        prev = u[(u["period"] == prev_period) & (u["track"] == track) & (u["group"] == group)]
        # reindex, not map: mapping an empty group (no unit scored on this track) gives text, not numbers
        prev = prev.set_index("unit_id")[["rank", "score"]].astype(float).reindex(now["unit_id"])
        # a rise in the ranking is a positive change: rank 5 -> 2 is +3
        now["rank_change"] = prev["rank"].to_numpy() - now["rank"].to_numpy()
        now["score_change"] = (now["score"].to_numpy() - prev["score"].to_numpy()).round(4)
    else:
        now["rank_change"] = np.nan
        now["score_change"] = np.nan
    now["rank_change"] = now["rank_change"].astype("Float64")
    if not complete_units(now).all():
        # ranked among the units whose results are in so far, a rank is no place among all of them
        # yet: its change from the previous round's would mislead (issue 29)
        now["rank_change"] = pd.array([pd.NA] * len(now), dtype="Float64")
    return now.sort_values(["rank", "unit_id"]).reset_index(drop=True)


def ranking_history(scores: Scores, track: str, group: str, periods: list[str]) -> pd.DataFrame:
    """One group's scores and ranks in each of ``periods`` (in that order), a row per (unit, period)."""
    u = scores.units
    rows = u[u["period"].isin(periods) & (u["track"] == track) & (u["group"] == group)]
    cols = ["period", "unit_id", "unit_name", "score", "rank", "rank_of", "grade", "vetoed"]
    order = rows.assign(_p=rows["period"].map({p: i for i, p in enumerate(periods)}))
    return order.sort_values(["_p", "rank", "unit_id"])[cols].reset_index(drop=True)


def grade_counts(table: pd.DataFrame, grade_names: list[str]) -> pd.DataFrame:
    """How many units got each grade (every grade listed, highest first)."""
    counts = table["grade"].value_counts()
    return pd.DataFrame({"grade": grade_names, "count": [int(counts.get(g, 0)) for g in grade_names]})


def unit_tracks(scores: Scores, unit_id: str, period: str, rubric: Rubric | None = None) -> pd.DataFrame:
    """A unit's track scores in one round, with ``bonus_note``: why a bonus earned was not counted
    (naming the track's 加分起算线 when ``rubric`` is given)."""
    u = scores.units
    rows = u[(u["unit_id"] == unit_id) & (u["period"] == period)].reset_index(drop=True)
    lines = {} if rubric is None else {t.id: t.bonus_min_base for t in rubric.spec.tracks}
    # bonus_above (高于 N 分才加分, the national inspection's strict form) says so in its own words
    above = {} if rubric is None else {t.id: t.bonus_above for t in rubric.spec.tracks if t.bonus_above is not None}
    notes = [
        (f"基础分 {r.base:g} 未高于 {above[r.track]:g} 分" if r.track in above else
         f"基础分 {r.base:g} 未达加分起算线{'' if lines.get(r.track) is None else f' {lines[r.track]:g}'}")
        + f",已得加分 {r.bonus_withheld:g} 分不计入得分"
        if getattr(r, "bonus_withheld", 0.0) > 0 else ""
        for r in rows.itertuples()
    ]  # fmt: skip
    return rows.assign(bonus_note=notes)


def dimension_profile(result: Assessment, unit_id: str, period: str, track: str) -> pd.DataFrame:
    """Per dimension: the unit's percent beside its group's mean and best in the same round."""
    d = result.scores.dimensions
    group = result.roster.set_index("unit_id").loc[unit_id, "group"]
    peers = set(result.roster.loc[result.roster["group"] == group, "unit_id"])
    rows = d[(d["period"] == period) & (d["track"] == track) & d["unit_id"].isin(peers)]
    stats = rows.groupby("dimension_id")["percent_exact"].agg(group_mean="mean", group_best="max")
    own = rows[rows["unit_id"] == unit_id].set_index("dimension_id")[["earned", "max", "percent_exact"]]
    names = result.rubric.checks.drop_duplicates("dimension_id").set_index("dimension_id")["dimension_name"]
    out = own.join(stats).reset_index()
    out.insert(1, "dimension_name", out["dimension_id"].map(names))
    return out.rename(columns={"percent_exact": "percent"})


def lost_points(result: Assessment, unit_id: str, period: str) -> pd.DataFrame:
    """Every check where the unit lost points, was vetoed or had no result, largest loss first."""
    c = result.scores.checks
    mine = c[(c["unit_id"] == unit_id) & (c["period"] == period)]
    hit = _plain(mine[(mine["lost"] > 1e-9) | mine["violated"] | (mine["status"] == "missing")])
    meta = result.rubric.checks.set_index("check_id")[["check_name", "criteria", "basis", "per_item"]]
    out = hit.join(meta, on="check_id")
    # vetoes first: they cost more than any single check
    out = out.assign(_veto=out["violated"].astype(int)).sort_values(
        ["_veto", "lost", "track", "check_id"], ascending=[False, False, True, True]
    )
    keep = ["track", "dimension_id", "check_id", "check_name", "method", "status", "value", "earned", "max", "lost",
            "violated", "criteria", "basis", "evidence", "findings"]  # fmt: skip
    out = out[keep].reset_index(drop=True)
    checks = result.rubric.checks.set_index("check_id")
    out["computation"] = [_computation(r, checks.loc[r.check_id]) for r in out.itertuples()]
    return out


def _n(x: float) -> str:
    """A number as a person writes it: 2.5, 3, 0.33 (at most 2 decimals)."""
    return f"{round(float(x), 2):g}"


def _pct(x: float) -> str:
    return f"{round(float(x) * 100, 2):g}%"


def _computation(r, check: pd.Series) -> str:
    """How the engine got from the recorded value to the points lost (SPEC §1), in words a unit reads."""
    pts, lost = check["points"], r.lost
    if r.violated:
        return f"触发单项否决:本轨道得分封顶 {_n(check['cap'])} 分"
    if r.status == "missing":
        return f"缺少测评结果,按 0 分计:失 {_n(lost)} 分"
    if r.method == "binary":
        return f"未通过:得 0 分,失 {_n(lost)} 分"
    if r.method == "levels":
        fraction = r.earned / pts if pts else 0.0
        return f"评为「{r.value}」,得满分的 {_pct(fraction)}:{_n(pts)} × {_n(fraction)} = {_n(r.earned)} 分,失 {_n(lost)} 分"
    if r.method == "ratio":
        v, lo, hi = float(r.value), check["floor"], check["target"]
        if v <= lo:
            return f"{_pct(v)} 不高于下限 {_pct(lo)}:得 0 分,失 {_n(lost)} 分"
        # (value − floor) ÷ (target − floor) names the floor and the target itself
        return f"{_n(pts)} × ({_pct(v)} − {_pct(lo)}) ÷ ({_pct(hi)} − {_pct(lo)}) = {_n(r.earned)} 分,失 {_n(lost)} 分"
    if r.method == "deduct":
        n = float(r.value)
        total = n * check["per_item"]
        capped = ",扣完为止" if total > pts + 1e-9 else ""
        return f"{_n(n)} 条 × 每条扣 {_n(check['per_item'])} 分 = {_n(total)} 分{capped}:失 {_n(lost)} 分"
    if r.method == "deadline":
        return _deadline_text(r, check)
    return f"失 {_n(lost)} 分"


def _deadline_text(r, check: pd.Series) -> str:
    """用时 23 个工作日,时限 20 个工作日,逾期 3 个工作日,每逾期 1 个工作日扣 1 分:得 1 分,失 3 分."""
    if r.value == "unanswered":
        return f"未答复:得 0 分,失 {_n(r.lost)} 分"
    taken, limit = int(float(r.value)), int(check["limit"])
    said = f"用时 {taken} 个工作日,时限 {limit} 个工作日"
    if taken <= limit:
        return f"{said},按时:得 {_n(r.earned)} 分"
    late = f"{said},逾期 {taken - limit} 个工作日"
    if pd.isna(check["per_day"]):
        return f"{late}:得 0 分,失 {_n(r.lost)} 分"
    return f"{late},每逾期 1 个工作日扣 {_n(check['per_day'])} 分:得 {_n(r.earned)} 分,失 {_n(r.lost)} 分"


def _lost(checks: pd.DataFrame) -> pd.Series:
    """Where a unit lost points on a check it was tested on, or violated a veto."""
    return (checks["status"] == "scored") & ((checks["lost"] > 1e-9) | checks["violated"].astype(bool))


def common_problems(result: Assessment, period: str, track: str, unit_ids: list[str]) -> pd.DataFrame:
    """共性问题: per check of the track, how many of ``unit_ids`` lost points on it in ``period``.

    One row per check tested on at least one of the units: ``tested`` (units scored on it),
    ``losing`` (units that lost points or violated the veto), ``loss_rate`` (percent of tested),
    ``lost_total`` and ``lost_mean`` (points, over the losing units), ``na`` and ``missing``
    (units for which it was not applicable or had no result). Most widespread first.
    """
    c = result.scores.checks
    rows = c[(c["period"] == period) & (c["track"] == track) & c["unit_id"].isin(unit_ids)]
    frame = pd.DataFrame({
        "check_id": rows["check_id"].astype(object).to_numpy(),
        "tested": (rows["status"] == "scored").to_numpy(),
        "losing": _lost(rows).to_numpy(),
        "lost": rows["lost"].to_numpy(dtype=float),
        "na": (rows["status"] == "na").to_numpy(),
        "missing": (rows["status"] == "missing").to_numpy(),
    })  # fmt: skip
    frame["lost"] = np.where(frame["losing"], frame["lost"], 0.0)
    out = frame.groupby("check_id", sort=False).agg(
        tested=("tested", "sum"), losing=("losing", "sum"), lost_total=("lost", "sum"), na=("na", "sum"),
        missing=("missing", "sum"),
    )  # fmt: skip
    out = out[out["tested"] > 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["loss_rate"] = 100.0 * out["losing"] / out["tested"]
        out["lost_mean"] = np.where(out["losing"] > 0, out["lost_total"] / out["losing"], np.nan)
    meta = result.rubric.checks.set_index("check_id")[["check_name", "dimension_name", "method", "points",
                                                        "criteria", "basis"]]  # fmt: skip
    out = out.join(meta).reset_index()
    out["lost_total"] = out["lost_total"].round(4)
    out["lost_mean"] = out["lost_mean"].round(4)
    return out.sort_values(["losing", "lost_total", "check_id"], ascending=[False, False, True]).reset_index(drop=True)


def units_losing(result: Assessment, period: str, check_id: str, unit_ids: list[str]) -> pd.DataFrame:
    """The units of ``unit_ids`` that lost points on one check in ``period``: value, loss, evidence."""
    c = result.scores.checks
    rows = c[(c["period"] == period) & (c["check_id"] == check_id) & c["unit_id"].isin(unit_ids)]
    hit = _plain(rows[_lost(rows)])
    names = result.roster.set_index("unit_id")["name"]
    out = hit.assign(unit_name=hit["unit_id"].map(names))
    out = out.assign(_veto=out["violated"].astype(int)).sort_values(["_veto", "lost", "unit_id"],
                                                                     ascending=[False, False, True])  # fmt: skip
    return out[["unit_id", "unit_name", "method", "status", "value", "lost", "violated", "evidence"]].reset_index(
        drop=True
    )


def missing_results(result: Assessment, period: str) -> pd.DataFrame:
    """Per unit, the applicable checks with no result yet in an open round (publication needs them).

    Columns: unit_id, unit_name, missing (how many), checks (their ids, comma-joined); most first.
    """
    c = result.scores.checks
    rows = c[(c["period"] == period) & (c["status"] == "missing")]
    if rows.empty:
        return pd.DataFrame(columns=["unit_id", "unit_name", "missing", "checks"])
    plain = _plain(rows[["unit_id", "check_id"]])
    out = plain.groupby("unit_id", sort=False)["check_id"].agg(missing="size", checks=lambda s: "、".join(s))
    out = out.reset_index()
    out.insert(1, "unit_name", out["unit_id"].map(result.roster.set_index("unit_id")["name"]))
    return out.sort_values(["missing", "unit_id"], ascending=[False, True]).reset_index(drop=True)


def import_preview(result: Assessment, periods: list[str]) -> pd.DataFrame:
    """The preliminary scores after an import, as an evaluator filling a round reads them: per
    (period, track, unit) how many applicable checks have a result (``recorded`` of ``applicable``).
    A unit with none is not tested yet (``tested`` False), one with some not ``complete``: neither
    has a rank; the complete ones are ranked among themselves in their group, so that a missing
    result's 0 never pushes anyone down."""
    c = result.scores.checks
    c = c[c["period"].isin(periods)]
    counts = (
        _plain(c[["period", "track", "unit_id"]])
        .assign(recorded=(c["status"] != "missing").to_numpy())
        .groupby(["period", "track", "unit_id"], sort=False)["recorded"]
        .agg(recorded="sum", applicable="size")
        .reset_index()
    )
    u = result.scores.units
    out = u[u["period"].isin(periods)].merge(counts, on=["period", "track", "unit_id"], how="left")
    out[["recorded", "applicable"]] = out[["recorded", "applicable"]].fillna(0).astype(int)
    out["tested"] = out["recorded"] > 0
    # a unit with some results is 未测完 and unranked, as on every page (issue 29)
    out["complete"] = out["recorded"] == out["applicable"]
    ranked = out[out["complete"]]
    # among the tested units only, by the rank the engine gave (its order, ties included)
    out["rank"] = ranked.groupby(["period", "track", "group"])["rank"].rank(method="min").astype("Int64")
    out["rank"] = out["rank"].astype("Int64")
    return out.sort_values(["period", "track", "group", "complete", "tested", "rank", "unit_id"],
                           ascending=[True, True, True, False, False, True, True], kind="stable").reset_index(drop=True)  # fmt: skip


def unsupported_losses(result: Assessment, periods: list[str]) -> pd.DataFrame:
    """Lost points and violated vetoes in ``periods`` with no evidence (佐证) behind them.

    SPEC §2 leaves evidence optional, so these are not errors; but a loss nobody can trace is
    the first thing a unit will appeal, so the evaluator sees them before the round goes out.
    """
    c = result.scores.maybe_bare_losses()
    rows = c[c["period"].isin(periods)]
    empty = rows["evidence"].fillna("").astype(str).str.strip() == ""
    hit = _plain(rows[_lost(rows) & empty.to_numpy()])
    names = result.roster.set_index("unit_id")["name"]
    checks = result.rubric.checks.set_index("check_id")["check_name"]
    out = hit.assign(unit_name=hit["unit_id"].map(names), check_name=hit["check_id"].map(checks))
    cols = ["period", "unit_id", "unit_name", "check_id", "check_name", "method", "status", "value", "lost", "violated"]
    return out[cols].sort_values(["period", "unit_id", "check_id"]).reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns (how the engine keeps a million rows small) as plain text, for a few rows."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype(dict.fromkeys(cats, object)) if cats else frame


def unit_trend(scores: Scores, unit_id: str) -> pd.DataFrame:
    u = scores.units
    return u[u["unit_id"] == unit_id][["period", "track", "score", "rank", "rank_of", "grade", "vetoed"]].sort_values(
        ["track", "period"]
    )


def rubric_table(result_rubric) -> pd.DataFrame:
    """The rubric flattened for browsing: one row per check with where it applies."""
    rubric = result_rubric
    c = rubric.checks.copy()
    groups = rubric.groups

    def scope(row: pd.Series) -> str:
        if row["units"] is not None:
            return "、".join(row["units"])
        return "、".join(groups[g] for g in (row["applies_to"] or groups))

    c["scope"] = [scope(r) for _, r in c.iterrows()]
    c["points_text"] = np.where(
        c["method"] == "veto", "封顶 " + c["cap"].map("{:g}".format), c["points"].map("{:g}".format)
    )
    return c
