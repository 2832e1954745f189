"""Excel reports: one unit's results for one round (反馈 to the unit)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from scoring.output import formula_safe
from scoring.pipeline import Assessment, combine_rounds
from scoring.rounding import round_half_up
from scoring.views.explain import (
    common_problems,
    dimension_profile,
    grade_counts,
    lost_points,
    previous_period,
    ranking_table,
    unit_tracks,
)
from scoring.views.people import beijing_time, people
from scoring.views.rectification import (
    RECTIFICATION_NAMES,
    RECTIFICATION_STATUSES,
    rectification,
    rectification_summary,
)
from scoring.views.values_shown import recorded_status, value_text
from scoring.words import APPEAL_OUTCOMES, CHECK_STATUS_NAMES
from scoring.workbooks.template import METHOD_NAMES
from scoring.workbooks.xlsx import append_text_safe, reproducible, write_text_safe

__all__ = ["annual_report", "arrows", "fixed", "leaders_report", "table_csv", "table_xlsx", "unit_report"]

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
STATUS_NAMES = CHECK_STATUS_NAMES


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[object]], widths: list[int],
           formats: dict[str, str] | None = None) -> None:  # fmt: skip
    """A sheet with a bold header row; ``formats`` maps a header to the number format of its cells
    (two decimals, ▲▼), so that a figure reads as published and stays a number Excel can sum."""
    ws = wb.create_sheet(title)
    append_text_safe(ws, header)
    for row in rows:
        append_text_safe(ws, row)
    for i, name in enumerate(header, start=1):
        if name in (formats or {}):
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = formats[name]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.cell(row=1, column=i).fill = HEADER_FILL
    ws.freeze_panes = "A2"


def _text(x: object) -> object:
    return None if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)) else x


def _num(x: float | None, decimals: int = 2) -> float | None:
    """Rounded half-up as the engine rounds scores (a change of -0.125 is -0.13); None where missing."""
    if x is None or pd.isna(x):
        return None
    return float(np.copysign(round_half_up(abs(float(x)), decimals), float(x)))


def fixed(decimals: int) -> str:
    """Excel's number format with exactly ``decimals`` places: 0.00."""
    return "0." + "0" * decimals if decimals else "0"


def arrows(decimals: int = 0) -> str:
    """A change as the pages show it, ▲ 3 / ▼ 2 / —, while the cell stays a signed number."""
    f = fixed(decimals)
    return f'"▲"{f};"▼"{f};"—"'


def _figures(rubric) -> tuple[int, str]:
    """The rubric's decimals and their number format: every score and lost point as published."""
    d = rubric.spec.rounding.decimals
    return d, fixed(d)


def _with_previous(result: Assessment, previous: Assessment | None) -> Assessment:
    """``result`` with the earlier round beside it, when it holds only one published revision."""
    return result if previous is None else combine_rounds([previous, result])


def _compared(result: Assessment, period: str) -> tuple[pd.DataFrame, str] | None:
    """The rectification table of ``period`` against the round before it, and that round; None in a first round."""
    before = previous_period(result.scores.periods, period)
    return None if before is None else (rectification(result.scores.checks, period, before), before)


def _rectification_sheet(wb: Workbook, rubric, table: pd.DataFrame, before: str) -> None:
    tracks = rubric.tracks.set_index("track_id")["track_name"]
    names = rubric.checks.set_index("check_id")["check_name"]
    d, f = _figures(rubric)
    table = table.assign(
        value_before=value_text(table["method"], table["value_before"], recorded_status(table["value_before"])),
        value_now=value_text(table["method"], table["value_now"], recorded_status(table["value_now"])),
    )
    rows = [
        [tracks.get(r.track, r.track), r.check_id, names.get(r.check_id, r.check_id), RECTIFICATION_NAMES[r.status],
         _text(r.value_before), _text(r.value_now), _num(r.lost_before, d), _num(r.lost_now, d)]
        for r in table.itertuples()
    ]  # fmt: skip
    _sheet(wb, "整改情况", ["轨道", "测评点", "名称", "整改情况", f"上期({before})结果", "本期结果", "上期失分",
                            "本期失分"], rows, [10, 10, 30, 10, 14, 10, 10, 10], {"上期失分": f, "本期失分": f})  # fmt: skip


def unit_report(
    result: Assessment,
    unit_id: str,
    period: str,
    appeals: pd.DataFrame | None = None,
    previous: Assessment | None = None,
    accounts: pd.DataFrame | None = None,
) -> bytes:
    """Summary per track, dimensions against the group, every lost point with its evidence, and
    what became of the previous round's lost points (when ``result`` or ``previous`` holds it);
    the unit's appeals with the people named from ``accounts`` (the store's account list)."""
    rubric = result.rubric
    roster = result.roster.set_index("unit_id")
    tracks = rubric.tracks.set_index("track_id")
    wb = Workbook()
    wb.remove(wb.active)

    d, f = _figures(rubric)
    summary = unit_tracks(result.scores, unit_id, period, rubric)
    rows = [
        [tracks.loc[r.track, "track_name"], _num(r.base, d), _num(r.bonus, d), _num(r.score, d), r.grade,
         f"{r.rank}/{r.rank_of}", "是" if r.vetoed else "否", _num(r.target_points), r.bonus_note]
        for r in summary.itertuples()
    ]  # fmt: skip
    _sheet(wb, "概况", ["轨道", "基础分", "加分", "得分", "等次", "组内排名", "单项否决", "目标管理分", "说明"], rows,
           [14, 10, 8, 10, 10, 10, 10, 12, 40], {"基础分": f, "加分": f, "得分": f, "目标管理分": "0.00"})  # fmt: skip
    ws = wb["概况"]
    ws.insert_rows(1, 3)
    write_text_safe(ws["A1"], f"{rubric.spec.title} — {roster.loc[unit_id, 'name']}({unit_id})")
    ws["A1"].font = Font(bold=True, size=14)
    write_text_safe(ws["A2"],
        f"期次 {period};分组 {rubric.groups[roster.loc[unit_id, 'group']]};指标体系 {rubric.spec.title} 版本 {rubric.spec.version}"
    )  # fmt: skip
    ws.freeze_panes = "A5"

    dim_rows = []
    for track in summary["track"]:
        prof = dimension_profile(result, unit_id, period, track)
        for r in prof.itertuples():
            dim_rows.append([tracks.loc[track, "track_name"], r.dimension_id, r.dimension_name, _num(r.earned, d),
                             _num(r.max, d), _num(r.percent, d), _num(r.group_mean, d), _num(r.group_best, d)])  # fmt: skip
    _sheet(wb, "维度得分", ["轨道", "一级指标", "名称", "得分", "满分", "得分率%", "组内平均%", "组内最高%"], dim_rows,
           [10, 10, 24, 8, 8, 10, 10, 10], dict.fromkeys(["得分", "满分", "得分率%", "组内平均%", "组内最高%"], f))  # fmt: skip

    lost = lost_points(result, unit_id, period)
    # the value as the unit's page shows it (84%, 未通过), not the engine's 0.84 / 0
    lost = lost.assign(value=value_text(lost["method"], lost["value"], lost["status"]))
    lost_rows = [
        [tracks.loc[r.track, "track_name"], r.check_id, r.check_name, METHOD_NAMES[r.method],
         STATUS_NAMES[r.status] if not r.violated else "单项否决", r.value, _num(r.lost, d), r.computation,
         r.criteria, r.evidence, r.basis]
        for r in lost.itertuples()
    ]  # fmt: skip
    _sheet(wb, "失分明细", ["轨道", "测评点", "名称", "方法", "情况", "测评结果", "失分", "计算过程", "评分标准", "佐证",
                            "依据"], lost_rows, [10, 10, 30, 10, 10, 10, 8, 40, 50, 50, 10], {"失分": f})  # fmt: skip
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in wb["失分明细"].iter_rows(min_row=2):
        for cell in row[7:10]:
            cell.alignment = wrap
    compared = _compared(_with_previous(result, previous), period)
    if compared is not None:
        table, before = compared
        _rectification_sheet(wb, rubric, table[table["unit_id"] == unit_id], before)
    if appeals is not None:
        appeals_sheet(wb, appeals, result.roster, accounts, rubric)
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def table_xlsx(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    """Any displayed table as a workbook; user text stays text. ``frame.attrs["number_formats"]``
    may map a column to its number format (two decimals, ▲▼), as the page that made it chose."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = [[_text(v) for v in r] for r in frame.itertuples(index=False)]
    _sheet(wb, sheet, [str(c) for c in frame.columns], rows, [14] * len(frame.columns),
           frame.attrs.get("number_formats"))  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def table_csv(frame: pd.DataFrame) -> bytes:
    """Any displayed table as CSV for spreadsheets: UTF-8 with a BOM, so that Excel reads the
    Chinese, and text that would start a formula prefixed with an apostrophe; numbers stay numbers."""
    return formula_safe(frame).to_csv(index=False).encode("utf-8-sig")


def _rectification_summary_sheet(wb: Workbook, result: Assessment, period: str, table: pd.DataFrame,
                                 before: str) -> None:  # fmt: skip

    u = result.scores.units
    now = u[u["period"] == period].drop_duplicates("unit_id")
    rows = []
    for gid, gname in result.rubric.groups.items():
        units = now.loc[now["group"] == gid, ["unit_id", "unit_name"]]
        if units.empty:
            continue
        for r in rectification_summary(table[table["unit_id"].isin(units["unit_id"])], units).itertuples():
            rows.append([gname, r.unit_name, r.losses_before, *(getattr(r, s) for s in RECTIFICATION_STATUSES),
                         _num(r.rate, 1)])  # fmt: skip
    _sheet(wb, "整改情况", ["分组", "单位", f"上期({before})失分点", *(RECTIFICATION_NAMES[s] for s in RECTIFICATION_STATUSES),
                            "整改率%"], rows, [12, 28, 16, 8, 8, 8, 8, 8, 8], {"整改率%": "0.0"})  # fmt: skip


def _common_problems_sheet(wb: Workbook, result: Assessment, period: str) -> None:
    """共性问题: per track, the checks units lost points on, the widest first (as on the page)."""
    units = list(result.roster["unit_id"])
    d, f = _figures(result.rubric)
    rows = []
    for tid, t in result.rubric.tracks.set_index("track_id").iterrows():
        table = common_problems(result, period, tid, units)
        for r in table[table["losing"] > 0].itertuples():
            rows.append([t["track_name"], r.check_id, r.check_name, r.dimension_name, int(r.tested), int(r.losing),
                         _num(r.loss_rate, 1), _num(r.lost_total, d), r.criteria])  # fmt: skip
    _sheet(wb, "共性问题", ["轨道", "测评点", "名称", "一级指标", "已测评单位", "失分单位", "失分比例%", "合计失分",
                            "评分标准"], rows, [10, 10, 30, 20, 10, 10, 10, 10, 50], {"失分比例%": "0.0", "合计失分": f})  # fmt: skip


def appeals_sheet(wb: Workbook, appeals: pd.DataFrame, roster: pd.DataFrame, accounts: pd.DataFrame | None,
                  rubric) -> None:  # fmt: skip
    """申诉复核 as the unit's page shows it: checks by name, people by who they are, Beijing time, the
    outcome before the long texts."""
    accounts = accounts if accounts is not None else pd.DataFrame(columns=["name", "role", "unit_id"])
    names = rubric.checks.set_index("check_id")["check_name"]
    view = appeals.assign(
        check=appeals["check_id"] + " " + appeals["check_id"].map(names).fillna(""),
        filed_by=people(appeals["filed_by"], accounts, roster),
        decided_by=people(appeals["decided_by"].fillna(""), accounts, roster),
        filed_at=beijing_time(appeals["filed_at"]),
        decided_at=beijing_time(appeals["decided_at"]),
    )
    rows = [
        [r.id, r.check, APPEAL_OUTCOMES[r.outcome], _text(r.new_value), _text(r.decision_reason), r.reason,
         _text(r.proof), r.filed_by, r.filed_at, r.decided_by or None, r.decided_at or None]
        for r in view.itertuples()
    ]  # fmt: skip
    _sheet(wb, "申诉复核", ["编号", "测评点", "复核结论", "更正结果", "复核理由", "申诉理由", "证明材料", "申诉人",
                            "申诉时间", "复核人", "复核时间"], rows, [6, 30, 10, 10, 40, 40, 30, 24, 17, 24, 17])  # fmt: skip


def leaders_report(result: Assessment, period: str, previous: Assessment | None = None, digest: str = "") -> bytes:
    """The leaders' workbook for one round: rankings per track and group, grade counts, movers, and
    per unit what it fixed of the previous round's lost points; with ``digest``, a last sheet that
    names the published revision it was made from."""
    result = _with_previous(result, previous)  # movers and rectification compare with it
    rubric = result.rubric
    scores = result.scores
    tracks = rubric.tracks.set_index("track_id")
    grades = [g.name for g in rubric.spec.grades]
    d, f = _figures(rubric)
    changes = {"排名变化": arrows(), "得分变化": arrows(d)}
    wb = Workbook()
    wb.remove(wb.active)
    count_rows, movers = [], []
    for tid, t in tracks.iterrows():
        rows = []
        for gid, gname in rubric.groups.items():
            table = ranking_table(scores, period, tid, gid)
            if table.empty:
                continue
            for r in table.itertuples():
                change = None if pd.isna(r.rank_change) else int(r.rank_change)
                rows.append([gname, r.rank, r.rank_of, r.unit_name, _num(r.score, d), r.grade,
                             "是" if r.vetoed else "否", _num(r.target_points), change, _num(r.score_change, d)])  # fmt: skip
                if change:
                    movers.append([t["track_name"], gname, r.unit_name, change, _num(r.score_change, d), r.rank])
            counts = grade_counts(table, grades)
            count_rows.append([t["track_name"], gname, *counts["count"].tolist(), int(table["vetoed"].sum())])
        _sheet(wb, f"{t['track_name']}排名", ["分组", "排名", "参评单位数", "单位", "得分", "等次", "单项否决",
                                             "目标管理分", "排名变化", "得分变化"], rows,
               [12, 6, 10, 28, 8, 8, 8, 10, 8, 8], {"得分": f, "目标管理分": "0.00", **changes})  # fmt: skip
    # a count of units here, where the ranking sheets say 是/否 per unit
    _sheet(wb, "等次统计", ["轨道", "分组", *grades, "单项否决单位数"], count_rows, [10, 12] + [8] * len(grades) + [14])
    movers.sort(key=lambda m: -abs(m[3]))
    _sheet(wb, "排名变化", ["轨道", "分组", "单位", "排名变化", "得分变化", "本期排名"], movers,
           [10, 12, 28, 10, 10, 8], changes)  # fmt: skip
    compared = _compared(result, period)
    if compared is not None:
        _rectification_summary_sheet(wb, result, period, *compared)
    _common_problems_sheet(wb, result, period)
    if digest:
        _sheet(wb, "版本信息", ["项目", "内容"], [["指标体系", rubric.spec.title], ["期次", period],
               ["发布摘要(sha256)", digest], ["核对方法", "在测评系统中按期次和发布摘要核对存档未被改动"]], [18, 80])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def annual_report(year: pd.DataFrame, totals: pd.DataFrame, periods: list[str], rubric) -> bytes:
    """The year-end workbook: per track the annual ranking of every group with the round scores
    beside it, then each unit's target-management points of all tracks and their sum."""
    tracks = rubric.tracks.set_index("track_id")
    grades = [g.name for g in rubric.spec.grades]
    d, f = _figures(rubric)
    wb = Workbook()
    wb.remove(wb.active)
    for tid, t in tracks.iterrows():
        rows = []
        for gid, gname in rubric.groups.items():
            table = year[(year["track"] == tid) & (year["group"] == gid)]
            for r in table.itertuples():
                rounds = [_num(v, d) for v in table.loc[r.Index, periods]]
                rows.append([gname, r.rank, r.rank_of, r.unit_name, _num(r.score, d), r.grade, _num(r.target_points), r.rounds,
                             r.vetoed_in or None, *rounds])  # fmt: skip
        _sheet(wb, f"{t['track_name']}年度", ["分组", "排名", "参评单位数", "单位", "年度得分", "等次", "目标管理分",
                                             "参评期数", "单项否决期次", *periods], rows,
               [12, 6, 10, 28, 10, 8, 10, 8, 12] + [8] * len(periods),
               {"年度得分": f, "目标管理分": "0.00", **dict.fromkeys(periods, f)})  # fmt: skip
    header = ["分组", "单位"]
    for _, t in tracks.iterrows():
        header += [f"{t['track_name']}得分", f"{t['track_name']}目标管理分"]
    rows = [
        [rubric.groups[r["group"]], r["unit_name"],
         *[_num(r[f"{tid}_{k}"], d if k == "score" else 2) for tid in tracks.index for k in ("score", "points")], _num(r["total_points"])]
        for _, r in totals.iterrows()
    ]  # fmt: skip
    _sheet(
        wb,
        "目标管理分合计",
        [*header, "合计目标管理分"],
        rows,
        [12, 28] + [12] * (2 * len(tracks) + 1),
        {h: f if h.endswith("得分") else "0.00" for h in [*header[2:], "合计目标管理分"]},
    )
    ws = wb.create_sheet("说明")
    append_text_safe(ws, [f"{rubric.spec.title} 年度汇总:计入期次 {'、'.join(periods)}"])
    append_text_safe(ws, [f"年度得分为各期已发布得分的平均;任一期被单项否决的,年度等次为「{grades[-1]}」。"])
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())
