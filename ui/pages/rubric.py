"""指标体系: the rubric as a browsable tree, its points, weights and the ≥4% rule."""

from pathlib import Path

import pandas as pd
import streamlit as st

from scoring import load_rubric
from scoring.rubric.schema import SCHEMA_FILE, schema_text
from scoring.views.explain import rubric_table
from ui import charts, data
from ui.auth import current_user
from ui.glossary import COLUMN, LABEL, PAGE
from ui.tables import method_names, shown

rubric = data.rubric() or load_rubric(data.shipped_rubric())
spec = rubric.spec
table = rubric_table(rubric)
tracks = rubric.tracks.set_index("track_id")

st.title(PAGE["rubric"])
st.caption(LABEL["rubric_caption"].format(title=spec.title, id=spec.id, version=spec.version)
           + (LABEL["rubric_source"].format(source=spec.source) if spec.source else ""))  # fmt: skip

d1, d2, _ = st.columns([1, 1, 2])
d1.download_button(LABEL["download_rubric"], rubric.text.encode("utf-8"), Path(rubric.path).name or "rubric.yaml",
                   "application/yaml", on_click="ignore")  # fmt: skip
user = current_user()
if user is not None and user.role == "admin":  # the office writes next year's rubric; nobody else needs the schema
    d2.download_button(LABEL["download_schema"], lambda: schema_text().encode("utf-8"), SCHEMA_FILE,
                       "application/schema+json", help=LABEL["schema_help"], on_click="ignore")  # fmt: skip

cols = st.columns(len(tracks))
total = spec.target.total_points
base_points = table[table["is_base"]].groupby("track_id")["points"].sum()
for col, (tid, t) in zip(cols, tracks.iterrows(), strict=True):
    n = int((table["track_id"] == tid).sum())
    col.metric(f"{t['track_name']} {LABEL['weights']}", f"{t['weight']:.0%}", help=LABEL["checks_count"].format(n=n))
    rule = LABEL["weight_rule"] if t["kind"] == "disclosure" else LABEL["weight_other"]
    col.caption(rule.format(name=t["track_name"], w=t["weight"], p=t["weight"] * total))
    # the points of the rubric beside scores out of 100: say how one becomes the other
    col.caption(LABEL["track_base_points"].format(name=t["track_name"], points=base_points.get(tid, 0.0)))
    if t["bonus_max"] > 0:
        line = "" if pd.isna(t["bonus_min_base"]) else LABEL["bonus_line"].format(line=t["bonus_min_base"])
        line += "" if pd.isna(t["bonus_above"]) else LABEL["bonus_above_line"].format(line=t["bonus_above"])
        col.caption(LABEL["bonus_rule"].format(max=t["bonus_max"]) + line)

st.subheader(LABEL["points_structure"])
st.caption(LABEL["points_structure_note"])
for tid in tracks.index:  # the page's full width each: a 13-point dimension stays a legible box
    st.plotly_chart(charts.points_treemap(rubric, tid), width="stretch", config=charts.CONFIG, key=f"treemap-{tid}")

st.subheader(LABEL["tree"])
for tid, t in tracks.iterrows():
    st.markdown(f"#### {t['track_name']}")
    rows = table[table["track_id"] == tid]
    for dim_id, dim in rows.groupby("dimension_id", sort=False):
        base = dim.loc[dim["is_base"], "points"].sum()
        track_base = base_points.get(tid, 0.0)
        title = LABEL["dimension_title_share"].format(
            id=dim_id, name=dim["dimension_name"].iloc[0], points=base, n=len(dim),
            share=100 * base / track_base if track_base else 0.0,
        )  # fmt: skip
        with st.expander(title):
            view = dim.assign(method=method_names(dim["method"]))
            columns = [
                "check_id",
                "indicator_name",
                "check_name",
                "method",
                "points_text",
                "scope",
                "basis",
                "criteria",
            ]
            st.dataframe(
                shown(view, columns),
                hide_index=True,
                placeholder="",
                width="stretch",
                column_config={COLUMN["criteria"]: st.column_config.TextColumn(width="large")},
            )
