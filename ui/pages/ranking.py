"""排名总览: rankings for leaders, by round, track and peer group."""

import streamlit as st

from scoring.store.rounds import open_periods
from scoring.views.circular import circular_text
from scoring.views.completeness import complete_units
from scoring.views.explain import grade_counts, previous_period, ranking_history, ranking_table
from scoring.workbooks.circular_docx import circular_docx
from scoring.workbooks.report import leaders_report
from ui import charts, data
from ui.glossary import COLUMN, FILE, LABEL, SHEET
from ui.progress import round_complete, withheld
from ui.tables import change_text, groups_overview, ranking_download, ranking_style, shown, table_height
from ui.widgets import (
    DOCX,
    XLSX,
    page_table,
    ranking_chart,
    ranking_metrics,
    round_picker,
    rounds_page,
    table_downloads,
)

# a unit sees rankings of published rounds only, and only its own group's
user, result, views = rounds_page("ranking", published_only_for_units=True)
rubric = result.rubric
tracks = rubric.tracks.set_index("track_id")
grades = [g.name for g in rubric.spec.grades]

c1, c2, c3 = st.columns(3)
period = round_picker(c1, [p for p in result.scores.periods if p in views][::-1], views, "rank_period")
track = c2.selectbox(LABEL["track"], list(tracks.index), format_func=lambda t: tracks.loc[t, "track_name"])
own_group = result.roster.set_index("unit_id")["group"].get(user.unit_id) if user.role == "unit" else None
groups = [own_group] if own_group else list(rubric.groups)
group = c3.selectbox(LABEL["group"], groups, format_func=rubric.groups.get)
st.caption(LABEL["viewing"].format(label=views[period].label))
# an open round with results missing is never read as a ranking (issue 29): it says how far it is
complete_round = round_complete(period, views[period])

total = rubric.spec.target.total_points
weights = []
for _tid, t in tracks.iterrows():
    if t["kind"] == "disclosure":
        weights.append(LABEL["weight_rule"].format(w=t["weight"], p=t["weight"] * total))
    else:
        weights.append(LABEL["weight_other"].format(name=t["track_name"], w=t["weight"], p=t["weight"] * total))
st.caption(" | ".join(weights))

roster_names = result.roster.set_index("unit_id")["name"].to_dict()

table = ranking_table(result.scores, period, track, group)
if table.empty:
    st.info(LABEL["no_scores"])
    st.stop()

done = complete_units(table)
ranked = table[done]
if ranked.empty:
    st.info(LABEL["no_complete_units"])
else:
    ranking_metrics(ranked, grades)

has_prev = previous_period(result.scores.periods, period) is not None
view = table.assign(
    rank_change=change_text(table["rank_change"], has_prev),
    score_change=change_text(table["score_change"], has_prev, decimals=2),
    vetoed=table["vetoed"].map({True: LABEL["vetoed_mark"], False: ""}),
)
view = withheld(view, table, ["rank", "grade"], blank=["rank_change", "score_change"])
columns = ["rank", "unit_name", "score", "grade", "target_points", "rank_change", "score_change", "vetoed"]
columns += [] if done.all() else ["recorded"]  # how many results are in, while some unit's are not
shown_table = shown(view, columns)
own = roster_names.get(user.unit_id) if user.role == "unit" else None
page_table(
    ranking_style(shown_table, own),
    hide_index=True,
    placeholder="",
    width="stretch",
    height=table_height(len(shown_table)),
    column_config={
        COLUMN["score"]: st.column_config.NumberColumn(format="%.2f"),
        COLUMN["target_points"]: st.column_config.NumberColumn(format="%.2f"),
    },
)

drawn = ranked
if not ranked.empty:
    left, right = st.columns([3, 1])
    with left:
        drawn = ranking_chart(ranked, grades, key="rank_search")
    with right:
        st.markdown(f"**{LABEL['grade_distribution']}**")
        st.plotly_chart(charts.grade_pie(grade_counts(ranked, grades), grades), width="stretch", config=charts.CONFIG)

st.subheader(LABEL["robust_title"])
# computed on demand for a province's big groups; at once for a city's
if not complete_round:
    st.caption(LABEL["robust_not_yet"])
elif st.toggle(LABEL["robust_toggle"], value=len(result.roster) <= 500, key="rank_robust"):
    intervals = data.rank_intervals_for(period)
    mine = intervals[(intervals["track"] == track) & (intervals["group"] == group)]
    mine = mine.set_index("unit_id").loc[[u for u in table["unit_id"] if u in set(mine["unit_id"])]].reset_index()
    st.caption(LABEL["robust_note"])
    drawn_ids = set(drawn["unit_id"])
    st.plotly_chart(charts.rank_interval_chart(mine[mine["unit_id"].isin(drawn_ids)]), width="stretch",
                    config=charts.CONFIG, key="rank-intervals")  # fmt: skip
    close = mine[mine["overlaps_next"].fillna(False).astype(bool)]
    following = mine["unit_name"].shift(-1)
    pairs = [LABEL["robust_pair"].format(a=a, b=following[i]) for i, a in close["unit_name"].items()]
    if pairs:
        st.caption(LABEL["robust_overlaps"].format(n=len(pairs), pairs="、".join(pairs[:20])))
    else:
        st.caption(LABEL["robust_none"])

if user.role != "unit" and len(groups) > 1:  # every group at a glance, beside the chosen one
    with st.expander(LABEL["groups_overview"], expanded=False):
        overview = groups_overview(result.scores, period, track, rubric)
        page_table(overview, hide_index=True, width="stretch")

shown_periods = [p for p in result.scores.periods if p in views]
if len(shown_periods) > 1:
    st.subheader(LABEL["rank_history"])
    st.caption(LABEL["rank_history_note"])
    history = ranking_history(result.scores, track, group, shown_periods)
    order = list(drawn["unit_name"])
    st.plotly_chart(
        charts.rank_history(history[history["unit_name"].isin(order)], order), width="stretch", config=charts.CONFIG
    )

name = FILE["ranking"].format(period=period, track=tracks.loc[track, "track_name"], group=rubric.groups[group])
# the download withholds what the table on the page withholds (未测完 units: no rank, grade or change)
numbers = table.assign(rank_change=table["rank_change"].where(done), score_change=table["score_change"].where(done))
download = ranking_download(
    withheld(numbers, table, ["rank", "grade"]), columns, has_prev, rubric.spec.rounding.decimals
)
d3, d4 = table_downloads(download, name, SHEET["ranking"])
# the round's workbook and circular, built only when clicked, once the round may be read as a ranking
if not complete_round:
    recorded, applicable = data.progress(period)
    d3.caption(LABEL["circular_not_yet"].format(recorded=recorded, applicable=applicable))
    st.stop()
d3.download_button(
    LABEL["download_leaders"],
    lambda: leaders_report(result, period, digest=views[period].digest),
    FILE["leaders"].format(period=period),
    XLSX,
    on_click="ignore",
)
if user.role != "unit":  # a circular speaks of every unit; a unit sees only its own group
    label, digest = views[period].label, views[period].digest
    title = str(open_periods(data.store()).set_index("period")["title"].get(period) or "")  # as the office named it
    d4.download_button(LABEL["download_circular_docx"], lambda: circular_docx(result, period, label, digest, title),
                       FILE["circular_docx"].format(period=period), DOCX, key="circular-docx", on_click="ignore")  # fmt: skip
    d4.download_button(LABEL["download_circular"], lambda: circular_text(result, period, label, digest, title).encode(),
                       FILE["circular"].format(period=period), "text/plain", key="circular-txt", on_click="ignore")  # fmt: skip
