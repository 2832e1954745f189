"""整改跟踪: for a round and a peer group, what each unit fixed of what the previous round found."""

import streamlit as st

from scoring.views.explain import previous_period
from scoring.views.rectification import rectification_summary
from ui import charts, data
from ui.glossary import AUTH, COLUMN, FILE, LABEL, RECTIFY, SHEET
from ui.progress import round_complete
from ui.tables import CHART_ENDS, chart_units, rectification_view, shown, table_height
from ui.widgets import round_picker, rounds_page, table_downloads

user, result, views = rounds_page("rectification")
if user.role == "unit":  # every unit's record is here; a unit has its own on 单位详情
    st.error(AUTH["denied"])
    st.stop()
rubric = result.rubric
tracks = rubric.tracks.set_index("track_id")
periods = [p for p in result.scores.periods if p in views]
# a round can be compared only with one before it
choices = [p for p in periods if previous_period(periods, p) is not None][::-1]
if not choices:
    st.info(LABEL["rectify_first"])
    st.stop()

c1, c2, c3 = st.columns(3)
period = round_picker(c1, choices, views, "rectify_period")
# "" is every track (no track id is empty)
track = c2.selectbox(LABEL["track"], ["", *tracks.index], key="rectify_track",
                     format_func=lambda t: tracks.loc[t, "track_name"] if t else LABEL["all_tracks"])  # fmt: skip
group = c3.selectbox(LABEL["group"], list(rubric.groups), format_func=rubric.groups.get, key="rectify_group")
before = previous_period(periods, period)
st.caption(LABEL["rectify_compare"].format(before=views[before].label, period=views[period].label))
round_complete(period, views[period])  # an open round's results may be partial (issue 29)
st.caption(LABEL["rectify_rule"])

u = result.scores.units
scored = u[(u["period"] == period) & (u["group"] == group)]
if track:
    scored = scored[scored["track"] == track]
units = scored.drop_duplicates("unit_id")[["unit_id", "unit_name"]]
if units.empty:
    st.info(LABEL["no_scores"])
    st.stop()
table = data.rectification_table(views, period, before, list(units["unit_id"]))
if track:
    table = table[table["track"] == track]
summary = rectification_summary(table, units)

m1, m2, m3, m4 = st.columns(4)
m1.metric(LABEL["rectify_losses"], int(summary["losses_before"].sum()))
m2.metric(RECTIFY["rectified"], int(summary["rectified"].sum()))
m3.metric(RECTIFY["not_rectified"], int(summary["not_rectified"].sum()))
checkable = int((summary["losses_before"] - summary["unchecked"]).sum())
m4.metric(LABEL["rectify_rate"], f"{100 * summary['rectified'].sum() / checkable:.1f}%" if checkable else "—")

columns = ["unit_name", "losses_before", "not_rectified", "partly", "rectified", "unchecked", "new", "rate"]
shown_table = shown(summary, columns)
st.dataframe(shown_table, hide_index=True, placeholder="", width="stretch", height=table_height(len(shown_table)),
             column_config={COLUMN["rate"]: st.column_config.NumberColumn(format="%.1f")})  # fmt: skip
query = ""
if len(summary) > 2 * CHART_ENDS:
    query = st.text_input(LABEL["chart_search"], help=LABEL["chart_search_help"], key="rectify_search")
drawn = chart_units(summary, query)
if len(drawn) < len(summary):
    found = len(drawn) - 2 * CHART_ENDS
    st.caption(LABEL["chart_worst"].format(n=len(summary), ends=CHART_ENDS,
                                           found=LABEL["chart_found"].format(n=found) if found else ""))  # fmt: skip
st.plotly_chart(charts.rectification_bars(drawn), width="stretch", config=charts.CONFIG)

names = dict(zip(summary["unit_id"], summary["unit_name"], strict=True))
unit = st.selectbox(LABEL["rectify_detail"], list(names), format_func=names.get, key="rectify_unit")
detail = rectification_view(table[table["unit_id"] == unit], rubric)
if detail.empty:
    st.success(LABEL["rectify_nothing"])
else:
    st.dataframe(detail, hide_index=True, placeholder="", width="stretch",
                 column_config={COLUMN["criteria"]: st.column_config.TextColumn(width="large")})  # fmt: skip

group_name = rubric.groups[group]
track_name = tracks.loc[track, "track_name"] if track else LABEL["all_tracks"]
name = FILE["rectification"].format(before=before, period=period, track=track_name, group=group_name)
table_downloads(shown_table, name, SHEET["rectification"])
