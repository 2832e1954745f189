"""排名总览: rankings for leaders, by round, track and peer group."""

import streamlit as st

from scoring.explain import grade_counts, previous_period, ranking_history, ranking_table
from scoring.report import leaders_report, table_csv, table_xlsx
from ui import charts, data
from ui.auth import current_user
from ui.glossary import AUTH, COLUMN, LABEL, PAGE
from ui.tables import change_text, shown
from ui.widgets import ranking_metrics

user = current_user()
result, views = data.view(user)
if user is not None and user.role == "unit":
    # a unit sees rankings of published rounds only, and only its own group's
    views = {p: v for p, v in views.items() if v.status == "published"}
if result is None or not views:
    st.title(PAGE["ranking"])
    st.info(LABEL["store_empty"] if result is None else AUTH["denied"])
    st.stop()
rubric = result.rubric
tracks = rubric.tracks.set_index("track_id")
grades = [g.name for g in rubric.spec.grades]

st.title(PAGE["ranking"])
c1, c2, c3 = st.columns(3)
choices = [p for p in result.scores.periods if p in views][::-1]
published = [p for p in choices if views[p].status == "published"]
# leaders look at the latest published round first; preliminary rounds stay one click away
period = c1.selectbox(
    LABEL["period"],
    choices,
    index=choices.index(published[0]) if published else 0,
    format_func=lambda p: views[p].label,
    key="rank_period",
)
track = c2.selectbox(LABEL["track"], list(tracks.index), format_func=lambda t: tracks.loc[t, "track_name"])
own_group = result.roster.set_index("unit_id")["group"].get(user.unit_id) if user.role == "unit" else None
groups = [own_group] if own_group else list(rubric.groups)
group = c3.selectbox(LABEL["group"], groups, format_func=rubric.groups.get)
st.caption(LABEL["viewing"].format(label=views[period].label))

total = rubric.spec.target.total_points
weights = []
for _tid, t in tracks.iterrows():
    if t["kind"] == "disclosure":
        weights.append(LABEL["weight_rule"].format(w=t["weight"], p=t["weight"] * total))
    else:
        weights.append(LABEL["weight_other"].format(name=t["track_name"], w=t["weight"], p=t["weight"] * total))
st.caption(" | ".join(weights))

table = ranking_table(result.scores, period, track, group)
if table.empty:
    st.info(LABEL["no_scores"])
    st.stop()

ranking_metrics(table, grades)

has_prev = previous_period(result.scores.periods, period) is not None
view = table.assign(
    rank_change=change_text(table["rank_change"], has_prev),
    score_change=change_text(table["score_change"], has_prev, decimals=2),
    vetoed=table["vetoed"].map({True: "✖ 否决", False: ""}),
)
columns = ["rank", "unit_name", "score", "grade", "target_points", "rank_change", "score_change", "vetoed"]
shown_table = shown(view, columns)
st.dataframe(
    shown_table,
    hide_index=True,
    width="stretch",
    column_config={
        COLUMN["score"]: st.column_config.NumberColumn(format="%.2f"),
        COLUMN["target_points"]: st.column_config.NumberColumn(format="%.2f"),
    },
)

left, right = st.columns([3, 1])
with left:
    st.plotly_chart(charts.ranking_bars(table, grades), width="stretch")
with right:
    st.markdown(f"**{LABEL['grade_distribution']}**")
    st.plotly_chart(charts.grade_pie(grade_counts(table, grades), grades), width="stretch")

shown_periods = [p for p in result.scores.periods if p in views]
if len(shown_periods) > 1:
    st.subheader(LABEL["rank_history"])
    st.caption(LABEL["rank_history_note"])
    history = ranking_history(result.scores, track, group, shown_periods)
    st.plotly_chart(charts.rank_history(history, list(table["unit_name"])), width="stretch")

name = f"排名_{period}_{tracks.loc[track, 'track_name']}_{rubric.groups[group]}"
d1, d2, d3, _ = st.columns([1, 1, 1, 2])
d1.download_button(LABEL["download_csv"], lambda: table_csv(shown_table), f"{name}.csv", "text/csv")
d2.download_button(
    LABEL["download_xlsx"],
    lambda: table_xlsx(shown_table, "排名"),
    f"{name}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
d3.download_button(
    LABEL["download_leaders"],
    lambda: leaders_report(result, period),  # built only when clicked
    f"汇总_{period}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
