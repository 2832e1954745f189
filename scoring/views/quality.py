"""The quality audit and the reconciliation list as people read them (指标质量 page, ``assess
audit``'s workbook, 评分一致性's 抽查复核): names instead of codes, shares in percent, Chinese headers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import Workbook

from scoring.robustness.audit import QualityAudit
from scoring.rubric.load import Rubric
from scoring.words import METHOD_NAMES
from scoring.workbooks.xlsx import append_text_safe, reproducible

__all__ = [
    "CHECK_QUALITY_HEADERS",
    "DIMENSION_QUALITY_HEADERS",
    "RECONCILE_HEADERS",
    "audit_workbook",
    "shown_check_quality",
    "shown_dimension_quality",
    "shown_reconciliation",
]

CHECK_QUALITY_HEADERS = {
    "period": "期次", "track": "轨道", "dimension": "一级指标", "check_id": "测评点编码", "check_name": "测评点",
    "method": "计分方法", "units": "适用单位数", "tested": "已测评单位数", "na_share": "不涉及占比%",
    "full_share": "满分占比%", "zero_share": "零分占比%", "distinct": "不同结果数", "mean_lost": "平均失分",
    "r_dimension": "与一级指标其余部分的相关", "r_track": "与轨道其余部分的相关", "flags": "提示",
}  # fmt: skip
DIMENSION_QUALITY_HEADERS = {"period": "期次", "track": "轨道", "dimension_id": "一级指标编码", "dimension_name": "一级指标",
                             "items": "计入的测评点数", "units": "单位数", "alpha": "Cronbach's α"}  # fmt: skip
RECONCILE_HEADERS = {
    "period": "期次", "track": "轨道", "unit_id": "单位编码", "unit_name": "单位", "check_id": "测评点编码",
    "check_name": "测评点", "method": "计分方法", "first": "原结果", "second": "复核结果", "earned_first": "原得分",
    "earned_second": "复核得分", "score_before": "单位原得分", "score_after": "按复核结果的单位得分",
    "rank_before": "原排名", "rank_after": "按复核结果的排名", "changed_in_unit": "该单位不一致项数",
}  # fmt: skip
CHECK_SHEET, DIMENSION_SHEET = "测评点质量", "一级指标一致性"


def _names(rubric: Rubric) -> tuple[pd.Series, pd.Series]:
    tracks = rubric.tracks.set_index("track_id")["track_name"]
    dims = rubric.checks.drop_duplicates("dimension_id").set_index("dimension_id")["dimension_name"]
    return tracks, dims


def shown_check_quality(audit: QualityAudit, rubric: Rubric) -> pd.DataFrame:
    """A row per (period, check), shares in percent to one decimal, blank where a figure is undefined."""
    c = audit.checks
    tracks, dims = _names(rubric)
    shown = pd.DataFrame({
        "period": c["period"], "track": c["track"].map(tracks), "dimension": c["dimension_id"].map(dims),
        "check_id": c["check_id"], "check_name": c["check_name"], "method": c["method"].map(METHOD_NAMES),
        "units": c["units"], "tested": c["tested"],
        **{k: (c[k] * 100).round(1) for k in ("na_share", "full_share", "zero_share")},
        "distinct": c["distinct"], "mean_lost": c["mean_lost"].round(2),
        "r_dimension": c["r_dimension"].round(2), "r_track": c["r_track"].round(2), "flags": c["flags"],
    })  # fmt: skip
    return shown.rename(columns=CHECK_QUALITY_HEADERS)


def shown_dimension_quality(audit: QualityAudit, rubric: Rubric) -> pd.DataFrame:
    d = audit.dimensions.copy()
    tracks, _ = _names(rubric)
    d["track"] = d["track"].map(tracks)
    d["alpha"] = d["alpha"].round(3)
    return d.rename(columns=DIMENSION_QUALITY_HEADERS)


def shown_reconciliation(table: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    tracks, _ = _names(rubric)
    shown = table.assign(track=table["track"].map(tracks), method=table["method"].map(METHOD_NAMES))
    return shown.rename(columns=RECONCILE_HEADERS)


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    """Rows of plain Python values; an undefined figure is an empty cell, never 'nan'."""
    values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return [[v.item() if isinstance(v, np.generic) else v for v in row] for row in values]


def audit_workbook(audit: QualityAudit, rubric: Rubric) -> bytes:
    """The audit as a workbook: a sheet of checks and a sheet of dimensions."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in ((CHECK_SHEET, shown_check_quality(audit, rubric)),
                        (DIMENSION_SHEET, shown_dimension_quality(audit, rubric))):  # fmt: skip
        ws = wb.create_sheet(name)
        append_text_safe(ws, list(frame.columns))
        for row in _cells(frame):
            append_text_safe(ws, row)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())
