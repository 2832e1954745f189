"""年度汇总: the year-end roll-up of the published rounds, by track and peer group."""

import streamlit as st

from scoring.views.annual import annual_scores, one_rubric, target_totals
from scoring.views.periods import period_year, year_groups
from scoring.workbooks.report import annual_report
from ui import data
from ui.auth import current_user
from ui.glossary import COLUMN, FILE, LABEL, PAGE, SHEET
from ui.tables import shown, table_height
from ui.widgets import XLSX, page_table, ranking_chart, ranking_metrics, table_downloads

st.title(PAGE["annual"])
user = current_user()
result, views = data.view(user)
published = [p for p in (result.scores.periods if result is not None else []) if views.get(p) and
             views[p].status == "published"]  # fmt: skip
if result is None or not published:
    st.info(LABEL["store_empty"] if result is None else LABEL["annual_none"])
    st.stop()
rubric = result.rubric
spec = rubric.spec
tracks = rubric.tracks.set_index("track_id")
grades = [g.name for g in spec.grades]

# one calendar year by default, the latest with a published round (issue 29): a roll-up of
# 2017Q3–2018Q4 is no year's figure
years = year_groups(published)
periods = st.multiselect(LABEL["annual_periods"], published, default=years[max(years)] if years else published,
                         key="annual_periods")  # fmt: skip
c1, c2 = st.columns(2)
track = c1.selectbox(LABEL["track"], list(tracks.index), format_func=lambda t: tracks.loc[t, "track_name"],
                     key="annual_track")  # fmt: skip
# a unit sees its own group, as on the ranking page
own_group = result.roster.set_index("unit_id")["group"].get(user.unit_id) if user.role == "unit" else None
groups = [own_group] if own_group else list(rubric.groups)
group = c2.selectbox(LABEL["group"], groups, format_func=rubric.groups.get, key="annual_group")
st.caption(LABEL["annual_rule"].format(decimals=spec.rounding.decimals, lowest=grades[-1],
                                       total=spec.target.total_points))  # fmt: skip
if not periods:
    st.info(LABEL["annual_pick"])
    st.stop()
periods = [p for p in published if p in periods]  # in time order, however they were picked
chosen_years = sorted({y for y in map(period_year, periods) if y})
st.caption(
    LABEL["annual_which"].format(years="、".join(chosen_years) or "-", periods="、".join(periods), n=len(periods))
)
if len(chosen_years) > 1:
    st.warning(LABEL["annual_years_mixed"].format(years="、".join(chosen_years)), icon=":material/warning:")
refused = one_rubric({p: views[p].rubric for p in periods})  # the rule assess annual keeps too
if refused:
    st.error(refused[0].message)
    st.stop()
year = annual_scores(result.scores.units, periods, rubric)
table = year[(year["track"] == track) & (year["group"] == group)]
if table.empty:
    st.info(LABEL["no_scores"])
    st.stop()

ranking_metrics(table, grades)

view = table.assign(vetoed=table["vetoed_in"].map(lambda s: f"✖ {s}" if s else ""))
shown_table = shown(view, ["rank", "unit_name", "score", "grade", "target_points", "rounds", *periods, "vetoed"])
number = st.column_config.NumberColumn(format="%.2f")
page_table(
    shown_table,
    hide_index=True,
    width="stretch",
    height=table_height(len(shown_table)),
    column_config={COLUMN["score"]: number, COLUMN["target_points"]: number, **dict.fromkeys(periods, number)},
)
ranking_chart(table, grades, key="annual_search")

span = {"first": periods[0], "last": periods[-1]}
name = FILE["annual"].format(**span, track=tracks.loc[track, "track_name"], group=rubric.groups[group])
table_downloads(shown_table, name, SHEET["annual"])

st.subheader(LABEL["target_totals"])
st.caption(LABEL["target_totals_note"].format(total=spec.target.total_points))
totals = target_totals(year, rubric)
totals = totals[totals["group"] == group]
headers = {"unit_name": COLUMN["unit_name"], "total_points": COLUMN["total_points"]}
for tid, t in tracks.iterrows():
    headers[f"{tid}_score"] = LABEL["track_score"].format(track=t["track_name"])
    headers[f"{tid}_points"] = LABEL["track_points"].format(track=t["track_name"])
totals_table = totals[list(headers)].rename(columns=headers)
page_table(totals_table, hide_index=True, placeholder="", width="stretch",
             column_config=dict.fromkeys(totals_table.columns[1:], number))  # fmt: skip
name = FILE["annual_totals"].format(**span, group=rubric.groups[group])
d3, _ = table_downloads(totals_table, name, SHEET["annual_totals"])
if user.role != "unit":  # the workbook ranks every group; a unit sees its own
    d3.download_button(LABEL["download_annual"], lambda: annual_report(year, target_totals(year, rubric), periods, rubric),
                       FILE["annual_workbook"].format(**span), XLSX, on_click="ignore")  # fmt: skip
