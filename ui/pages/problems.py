"""共性问题: the checks most units of a group lost points on in a round, and who they are."""

import streamlit as st

from scoring.pipeline import narrowed
from scoring.views.explain import common_problems, units_losing
from ui import charts
from ui.glossary import COLUMN, FILE, LABEL, SHEET
from ui.progress import round_complete
from ui.tables import evidence_links, method_names, shown, status_names, value_text
from ui.widgets import round_picker, rounds_page, table_downloads

TOP = 15

user, result, views = rounds_page("problems")
rubric = result.rubric
tracks = rubric.tracks.set_index("track_id")

c1, c2, c3 = st.columns(3)
period = round_picker(c1, [p for p in result.scores.periods if p in views][::-1], views, "problems_period")
track = c2.selectbox(LABEL["track"], list(tracks.index), format_func=lambda t: tracks.loc[t, "track_name"],
                     key="problems_track")  # fmt: skip
# "" is every group (no group id is empty)
group = c3.selectbox(LABEL["group"], ["", *rubric.groups], key="problems_group",
                     format_func=lambda g: rubric.groups[g] if g else LABEL["all_groups"])  # fmt: skip
st.caption(LABEL["viewing"].format(label=views[period].label))
round_complete(period, views[period])  # an open round's results may be partial (issue 29)
st.caption(LABEL["problems_rule"])

roster = result.roster
unit_ids = list(roster["unit_id"] if not group else roster.loc[roster["group"] == group, "unit_id"])
result = narrowed(result, periods=[period], units=unit_ids if group else None)
problems = common_problems(result, period, track, unit_ids)
lost = problems[problems["losing"] > 0]
if lost.empty:
    st.success(LABEL["problems_none"])
    st.stop()

view = lost.assign(method=method_names(lost["method"]))
columns = ["check_id", "check_name", "dimension_name", "method", "points", "tested", "losing", "loss_rate",
           "lost_mean", "lost_total", "criteria"]  # fmt: skip
shown_table = shown(view, columns)
number = st.column_config.NumberColumn(format="%.2f")
st.dataframe(shown_table, hide_index=True, placeholder="", width="stretch",
             column_config={COLUMN["loss_rate"]: st.column_config.NumberColumn(format="%.1f"),
                            COLUMN["lost_mean"]: number, COLUMN["lost_total"]: number,
                            COLUMN["criteria"]: st.column_config.TextColumn(width="large")})  # fmt: skip
st.markdown(f"**{LABEL['problems_top'].format(n=min(TOP, len(lost)))}**")
st.plotly_chart(charts.problem_bars(lost, TOP), width="stretch", config=charts.CONFIG)

names = dict(zip(lost["check_id"], lost["check_id"] + " " + lost["check_name"], strict=True))
check = st.selectbox(LABEL["problems_pick"], list(names), format_func=names.get, key="problems_check")
who = units_losing(result, period, check, unit_ids)
who_view = who.assign(
    status=status_names(who["status"], who["violated"]),
    value=value_text(who["method"], who["value"], who["status"]),
)
who_table = shown(who_view, ["unit_name", "status", "value", "lost", "evidence"])
who_table[LABEL["evidence_link"]] = evidence_links(who["evidence"])
st.dataframe(who_table, hide_index=True, placeholder="", width="stretch",
             column_config={COLUMN["lost"]: number, LABEL["evidence_link"]: st.column_config.LinkColumn(display_text=LABEL["open_evidence"])})  # fmt: skip

group_name = rubric.groups[group] if group else LABEL["all_groups"]
name = FILE["problems"].format(period=period, track=tracks.loc[track, "track_name"], group=group_name)
table_downloads(shown_table, name, SHEET["problems"])
