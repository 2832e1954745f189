"""单位详情: where a unit stands and exactly where it lost points, with the evidence."""

import pandas as pd
import streamlit as st

from scoring import InputError
from scoring.pipeline import narrowed
from scoring.records import records_checks
from scoring.store.access import scoped_appeals, visible_units
from scoring.store.appeals import appeals_table
from scoring.views.completeness import complete_units
from scoring.views.explain import dimension_profile, lost_points, previous_period, unit_tracks, unit_trend
from scoring.views.rectification import rectification, rectification_summary
from scoring.views.whatif import rank_among, recorded_values, score_variants
from scoring.workbooks.report import unit_report
from ui import charts, data
from ui.glossary import AUTH, COLUMN, FILE, LABEL, PRIORITY_COLUMNS, RECTIFY, WHATIF_COLUMNS
from ui.progress import round_complete
from ui.tables import (
    appeals_view,
    evidence_links,
    method_names,
    plain,
    rectification_view,
    shown,
    status_names,
    value_text,
)
from ui.widgets import XLSX, evidence_viewer, page_table, rounds_page

user, result, views = rounds_page("unit")
rubric = result.rubric
roster = result.roster.set_index("unit_id")
allowed = visible_units(user, result.roster)
asked = st.query_params.get("unit")
if asked is not None and asked not in allowed:
    st.error(AUTH["denied"])
    st.stop()
if asked is not None:
    st.session_state["unit_id"] = asked
tracks = rubric.tracks.set_index("track_id")
track_names = tracks["track_name"].to_dict()

c1, c2 = st.columns([2, 1])
unit = c1.selectbox(LABEL["unit"], allowed, format_func=lambda u: f"{roster.loc[u, 'name']}({u})", key="unit_id")
if unit not in allowed:  # a forged widget value gets nothing
    st.error(AUTH["denied"])
    st.stop()
period = c2.selectbox(LABEL["period"], [p for p in result.scores.periods if p in views][::-1], key="unit_period")
result = narrowed(result, units=[unit])  # the drill-down is built from this unit's rows alone
st.caption(
    LABEL["group_of"].format(group=rubric.groups[roster.loc[unit, "group"]])
    + " | "
    + LABEL["viewing"].format(label=views[period].label)
)
round_complete(period, views[period])  # says how far an open round's results are in (issue 29)

summary = unit_tracks(result.scores, unit, period, rubric).set_index("track")
# the tracks where this unit's results are all in (every track of a published round)
unit_done = set(summary.index[complete_units(summary)])
prev = previous_period(result.scores.periods, period)
prev_scores = unit_tracks(result.scores, unit, prev).set_index("track") if prev else None

cols = st.columns(max(1, len(tracks)))
for col, (tid, t) in zip(cols, tracks.iterrows(), strict=False):
    with col:
        if tid not in summary.index:
            st.metric(t["track_name"], "—")
            st.caption(LABEL["not_scored"])
            continue
        r = summary.loc[tid]
        if tid not in unit_done:  # no score, rank or grade from a part of the results (issue 29)
            st.metric(f"{t['track_name']} · {LABEL['incomplete']}", "—")
            st.caption(LABEL["unit_recorded"].format(recorded=int(r["recorded"]), applicable=int(r["applicable"])))
            continue
        delta = None
        if prev_scores is not None and tid in prev_scores.index:
            was = prev_scores.loc[tid, "score"]
            delta = None if pd.isna(was) else f"{r['score'] - was:+.2f}"
        unscored = pd.isna(r["score"])  # 单项否决 of effect unscored: 不合格 with no number
        st.metric(f"{t['track_name']} · {r['grade']}", LABEL["unscored"] if unscored else f"{r['score']:.2f}",
                  delta=None if unscored else delta)  # fmt: skip
        st.caption(LABEL["rank_of"].format(rank=r["rank"], of=r["rank_of"]))
        if r["bonus_note"]:
            st.caption(r["bonus_note"])

lost = lost_points(result, unit, period)
vetoes = lost[lost["violated"]]
if not vetoes.empty:
    st.error(LABEL["vetoed_banner"].format(checks="、".join(vetoes["check_name"])), icon=":material/block:")

st.subheader(LABEL["lost_points"])
if lost.empty:
    st.success(LABEL["no_lost_points"])
else:
    view = lost.assign(
        track=lost["track"].map(track_names),
        method=method_names(lost["method"]),
        status=status_names(lost["status"], lost["violated"]),
        value=value_text(lost["method"], lost["value"], lost["status"]),
        link=evidence_links(lost["evidence"]),
    )
    table = shown(view, ["track", "check_name", "status", "value", "lost", "computation", "criteria", "evidence",
                         "basis"])  # fmt: skip
    table[LABEL["evidence_link"]] = view["link"]
    page_table(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            COLUMN["lost"]: st.column_config.NumberColumn(format="%.2f"),
            COLUMN["computation"]: st.column_config.TextColumn(width="large"),
            COLUMN["criteria"]: st.column_config.TextColumn(width="large"),
            COLUMN["evidence"]: st.column_config.TextColumn(width="large"),
            LABEL["evidence_link"]: st.column_config.LinkColumn(display_text=LABEL["open_evidence"]),
        },
    )
    # a check measured from the platforms' records names the cases or ratings that cost the points
    # (up to five ids after the counts): longer than a table cell shows, so written out in full
    measured = lost[lost["check_id"].isin(records_checks(rubric)["check_id"]) & (lost["evidence"] != "")]
    if not measured.empty:
        st.markdown(LABEL["records_lost"] + "\n" + "\n".join(
            f"- **{plain(n)}**:{plain(e)}" for n, e in zip(measured["check_name"], measured["evidence"], strict=True)))  # fmt: skip
    evidence_viewer(data.store(), list(lost["evidence"]), key="unit-evidence")

if prev is not None:
    st.subheader(LABEL["rectify_section"].format(before=views[prev].label))
    changes = rectification(result.scores.checks, period, prev, [unit])
    counts = rectification_summary(changes, roster.loc[[unit]].reset_index()).iloc[0]
    st.caption(LABEL["rectify_unit_counts"].format(before=counts["losses_before"], **counts[list(RECTIFY)].to_dict()))
    if changes.empty:
        st.success(LABEL["rectify_nothing"])
    else:
        page_table(rectification_view(changes, rubric), hide_index=True, placeholder="", width="stretch",
                     column_config={COLUMN["criteria"]: st.column_config.TextColumn(width="large")})  # fmt: skip

# what to fix first reads the unit's whole result: not from a part of it (issue 29)
if not lost.empty and (user.role != "unit" or views[period].status != "draft") and unit_done == set(summary.index):
    whole = data.whole_round(period)  # ranks among the others as they stand; only ranks are shown
    st.subheader(LABEL["priority_title"])
    st.caption(LABEL["priority_note"])
    priorities = data.fix_priorities_for(unit, period)
    names = rubric.checks.set_index("check_id")["check_name"]
    page_table(priorities.assign(track=priorities["track"].map(track_names), check_name=priorities["check_id"].map(names))
                 [list(PRIORITY_COLUMNS)].rename(columns=PRIORITY_COLUMNS), hide_index=True, placeholder="",
                 width="stretch", column_config={PRIORITY_COLUMNS["regained"]: st.column_config.NumberColumn(format="%.2f"),
                                                 PRIORITY_COLUMNS["score_after"]: st.column_config.NumberColumn(format="%.2f")})  # fmt: skip
    with st.expander(LABEL["whatif_title"]):
        st.caption(LABEL["whatif_note"])
        recorded = recorded_values(whole, unit, period)
        editable = recorded[recorded["check_id"].isin(set(lost["check_id"]))]
        grid = editable.assign(check_name=editable["check_id"].map(names),
                               now=value_text(editable["method"], editable["value"], editable["status"]))  # fmt: skip
        edited = st.data_editor(grid[list(WHATIF_COLUMNS)].rename(columns=WHATIF_COLUMNS), hide_index=True,
                                disabled=[WHATIF_COLUMNS[c] for c in ("check_id", "check_name", "now")],
                                key=f"whatif-{unit}-{period}", width="stretch")  # fmt: skip
        if st.button(LABEL["whatif_run"], key="whatif_run"):
            changes = dict(zip(edited[WHATIF_COLUMNS["check_id"]], edited[WHATIF_COLUMNS["value"]].astype(str).str.strip(),
                               strict=True))  # fmt: skip
            try:
                after = score_variants(whole, unit, {"now": {}, "then": changes}, recorded).set_index(
                    ["variant", "track"]
                )
            except InputError as exc:
                st.error(LABEL["whatif_bad"].format(n=len(exc.issues)) + "\n\n"
                         + "\n".join(f"- {i.message}" for i in exc.issues[:10]))  # fmt: skip
            else:
                for tid in after.loc["then"].index:
                    a, b = after.loc[("now", tid)], after.loc[("then", tid)]
                    ranks = rank_among(
                        whole, unit, period, tid, [a["score"], b["score"]], [a["score_exact"], b["score_exact"]]
                    )
                    st.success(LABEL["whatif_result"].format(track=track_names[tid], before=a["score"], after=b["score"],
                                                             rank_before=ranks[0], rank_after=ranks[1]))  # fmt: skip

scored_tracks = [t for t in tracks.index if t in unit_done]
if scored_tracks:
    st.subheader(LABEL["dimension_profile"])
    # before publication a unit sees only its own results: no group to compare with (issue 17)
    peers_hidden = user.role == "unit" and views[period].status != "published"
    if peers_hidden:
        st.caption(LABEL["group_hidden"])
    tabs = st.tabs([track_names[t] for t in scored_tracks])
    for tab, tid in zip(tabs, scored_tracks, strict=True):
        with tab:
            profile = dimension_profile(result, unit, period, tid)
            if peers_hidden:
                profile = profile.drop(columns=["group_mean", "group_best"])
            st.plotly_chart(charts.dimension_bars(profile), width="stretch", config=charts.CONFIG, key=f"dims-{tid}")

st.subheader(LABEL["trend"])
st.plotly_chart(charts.trend_lines(unit_trend(result.scores, unit), track_names), width="stretch", config=charts.CONFIG)

statuses = {p: v.status for p, v in views.items()}
appeals = scoped_appeals(user, appeals_table(data.store(), period, unit), statuses)
if not appeals.empty:
    st.subheader(LABEL["appeal_list"])
    page_table(appeals_view(appeals, result.roster, rubric, data.accounts()), hide_index=True, width="stretch",
                 placeholder="")  # fmt: skip

if unit_done != set(summary.index):
    st.caption(LABEL["unit_report_not_yet"])
    st.stop()
st.download_button(
    LABEL["download_report"],
    lambda: unit_report(result, unit, period, appeals, accounts=data.accounts()),  # built only when clicked
    FILE["unit_report"].format(unit=roster.loc[unit, "name"], period=period),
    XLSX,
    on_click="ignore",
)
