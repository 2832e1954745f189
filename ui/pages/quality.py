"""指标质量: the office sees, for a stored round, which checks tell units apart and which do not
(issue 33); the figures are scoring.robustness.audit's, the table scoring.views.quality's."""

import streamlit as st

from scoring.robustness.audit import FULL_SHARE_FLAG, NA_SHARE_FLAG, audit_round
from scoring.views.quality import CHECK_QUALITY_HEADERS, shown_check_quality, shown_dimension_quality
from ui import data
from ui.charts import CONFIG, full_share_bars
from ui.glossary import FILE, LABEL
from ui.widgets import action_page, table_downloads

FLAGGED_ROW = "background-color: #fdecea"

user = action_page("quality", "quality")
st.caption(LABEL["quality_intro"].format(full=f"{FULL_SHARE_FLAG:.0%}", na=f"{NA_SHARE_FLAG:.0%}"))
views = data.round_views()
periods = [p for p in views][::-1]
if not periods:
    st.info(LABEL["store_empty"])
    st.stop()
period = st.selectbox(LABEL["period"], periods, format_func=lambda p: views[p].label, key="quality_period")
result = data.whole_round(period)
audit = audit_round(result)
checks = audit.checks[audit.checks["period"] == period]
audit = type(audit)(checks=checks, dimensions=audit.dimensions[audit.dimensions["period"] == period])
shown = shown_check_quality(audit, result.rubric).drop(columns=CHECK_QUALITY_HEADERS["period"])
flags = CHECK_QUALITY_HEADERS["flags"]
flagged = shown[flags] != ""
st.caption(LABEL["quality_summary"].format(checks=len(shown), flagged=int(flagged.sum())))
if st.toggle(LABEL["quality_only_flagged"], key="quality_only_flagged"):
    shown, flagged = shown[flagged], flagged[flagged]
st.dataframe(
    shown.style.apply(lambda row: [FLAGGED_ROW if row[flags] else ""] * len(row), axis=1),
    hide_index=True, width="stretch", placeholder="",
    column_config={CHECK_QUALITY_HEADERS[k]: st.column_config.NumberColumn(format="%.1f%%")
                   for k in ("na_share", "full_share", "zero_share")},
)  # fmt: skip
table_downloads(shown, FILE["quality"].format(period=period), "quality")
if len(shown):
    st.subheader(LABEL["quality_chart"].format(full=f"{FULL_SHARE_FLAG:.0%}"))
    bars = shown.assign(full=shown[CHECK_QUALITY_HEADERS["full_share"]])
    label = shown[CHECK_QUALITY_HEADERS["check_id"]] + " " + shown[CHECK_QUALITY_HEADERS["check_name"]]
    st.plotly_chart(full_share_bars(bars, label, flagged, FULL_SHARE_FLAG * 100), config=CONFIG)
st.subheader(LABEL["quality_dimensions"])
st.caption(LABEL["quality_alpha_help"])
st.dataframe(shown_dimension_quality(audit, result.rubric), hide_index=True, width="stretch", placeholder="")
