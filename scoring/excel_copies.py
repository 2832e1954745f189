"""``assess score --excel``: the three score tables as a person opens them in Excel on Chinese
Windows, beside the files of SPEC §3 (which stay as the contract says, for scripts).

The copies go into ``DIR/excel/``: UTF-8 with a BOM (so that Excel reads the Chinese without an
import dialog), Chinese headers, tracks, groups, methods and statuses by name, 是/否 for the veto,
a recorded value as the pages show it (通过, 84%, 3 条), numbers written exactly as in the SPEC
files, and text that would start a formula prefixed with an apostrophe.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scoring.engine import Scores
from scoring.output import csv_bytes, formula_safe, score_tables_as_text
from scoring.rubric.load import Rubric
from scoring.views.values_shown import value_text
from scoring.words import CHECK_STATUS_NAMES, METHOD_NAMES

__all__ = ["EXCEL_DIR", "EXCEL_FILES", "excel_tables", "write_excel_copies"]

EXCEL_DIR = "excel"
# SPEC file -> (the copy's name, its columns: SPEC column or added name -> Chinese header)
EXCEL_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "unit_scores.csv": ("单位得分.csv", {
        "period": "期次", "track": "轨道", "group": "分组", "unit_id": "单位编码", "unit_name": "单位名称",
        "base": "基础分", "bonus": "加分", "score": "得分", "vetoed": "单项否决", "grade": "等次", "rank": "排名",
        "rank_of": "参评单位数", "target_points": "目标管理分",
    }),
    "dimension_scores.csv": ("一级指标得分.csv", {
        "period": "期次", "track": "轨道", "unit_id": "单位编码", "unit_name": "单位名称",
        "dimension_id": "一级指标编码", "dimension_name": "一级指标", "earned": "得分", "max": "满分",
        "percent": "得分率%",
    }),
    "check_scores.csv": ("测评点得分.csv", {
        "period": "期次", "track": "轨道", "unit_id": "单位编码", "unit_name": "单位名称",
        "dimension_id": "一级指标编码", "indicator_id": "二级指标编码", "check_id": "测评点编码",
        "check_name": "测评点", "method": "计分方法", "status": "情况", "value": "测评结果", "earned": "得分",
        "max": "满分", "lost": "失分", "findings": "结果行数", "evidence": "佐证",
    }),
}  # fmt: skip
# columns holding text from a rubric, a roster or an evaluator: never a live formula in Excel
TEXT_COLUMNS = ["unit_id", "unit_name", "dimension_name", "check_name", "value", "evidence", "grade"]


def excel_tables(scores: Scores, rubric: Rubric) -> dict[str, pd.DataFrame]:
    """The copies' tables, keyed by the copy's file name (every cell a string)."""
    spec_text = score_tables_as_text(scores, rubric.spec.rounding.decimals)
    tracks = rubric.tracks.set_index("track_id")["track_name"]
    dims = rubric.checks.drop_duplicates("dimension_id").set_index("dimension_id")["dimension_name"]
    checks = rubric.checks.set_index("check_id")["check_name"]
    names = scores.units.drop_duplicates("unit_id").set_index("unit_id")["unit_name"]
    out = {}
    for spec_name, (name, headers) in EXCEL_FILES.items():
        t = spec_text[spec_name].astype(object)
        t["track"] = t["track"].map(tracks).fillna(t["track"])
        if "unit_name" not in t:
            t["unit_name"] = t["unit_id"].map(names).fillna("")
        if spec_name == "unit_scores.csv":
            t["group"] = t["group"].map(rubric.groups).fillna(t["group"])
            t["vetoed"] = np.where(t["vetoed"] == "true", "是", "否")
        if spec_name == "dimension_scores.csv":
            t["dimension_name"] = t["dimension_id"].map(dims).fillna("")
        if spec_name == "check_scores.csv":
            raw = scores.checks
            t["check_name"] = t["check_id"].map(checks).fillna("")
            t["value"] = value_text(raw["method"], raw["value"].astype(object), raw["status"]).to_numpy()
            t["method"] = t["method"].map(METHOD_NAMES).fillna(t["method"])
            t["status"] = t["status"].map(CHECK_STATUS_NAMES).fillna(t["status"])
        t = t[list(headers)]
        out[name] = formula_safe(t, [c for c in TEXT_COLUMNS if c in t]).rename(columns=headers)
    return out


def write_excel_copies(scores: Scores, rubric: Rubric, out_dir: str | Path) -> list[Path]:
    """Write the copies into ``out_dir/excel/``; returns their paths."""
    folder = Path(out_dir) / EXCEL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in excel_tables(scores, rubric).items():
        path = folder / name
        tmp = path.with_name(f".{name}.partial")
        tmp.write_bytes(b"\xef\xbb\xbf" + csv_bytes(table))  # the BOM: Excel then reads UTF-8
        tmp.replace(path)
        written.append(path)
    return written
