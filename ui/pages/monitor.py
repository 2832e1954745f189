"""网站监测: the office and evaluators run the website monitor for an open round, see what it found
and each finding's evidence, the warnings before a veto, and add its rows to the round as a batch."""

import datetime as dt
import io
from dataclasses import replace
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from scoring import InputError, InputFile, format_issue, load_rubric, read_roster
from scoring.monitor import monitor_sites
from scoring.monitor.run import DEFAULT_DEADLINE_S, monitored_checks
from scoring.monitor.sites import KINDS, read_sites
from scoring.monitor.warnings import due_columns, failing_homes
from scoring.store.access import can
from scoring.store.content import latest_words
from scoring.store.probes import home_history, latest_results, probes_table, record_run
from scoring.store.rounds import open_periods
from scoring.views.periods import date_within
from ui import data
from ui.content_fixes import content_fixes_section, saved_note, words_editor
from ui.glossary import FILE, LABEL, MONITOR_COLUMNS
from ui.tables import beijing_time, machine_rows_shown, table_height
from ui.widgets import RESULTS_MB, action_page, evidence_viewer, import_rows_button, table_downloads

user = action_page("monitor", "monitor", "content_fixes")
store = data.store()
rubric_path, units_path = data.shipped_rubric(), data.shipped_units()
rubric = load_rubric(rubric_path)
roster = read_roster(units_path, rubric)
names = roster.set_index("unit_id")["name"]
if not can(user, "monitor"):  # a unit account: what the monitor found on its own sites, nothing else
    content_fixes_section(user, names)
    st.stop()


def stop() -> None:
    """The page ends here; the rectification list and the words list are still shown."""
    content_fixes_section(user, names)
    words_editor(store, user)
    st.stop()


st.caption(LABEL["monitor_intro"])
saved_note()
checks = monitored_checks(rubric)
if not checks:
    st.info(LABEL["monitor_no_checks"])
    stop()
check_name = rubric.checks.set_index("check_id")["check_name"]
st.caption(LABEL["monitor_checks"].format(checks="、".join(f"{c} {check_name[c]}" for c, _, _ in checks)))

# only a period still taking results (opened, no round yet or a draft one): a run for a round past
# its draft would write its probes and then have its import refused (issue 29)
statuses = data.round_views()
opened = [p for p in open_periods(store)["period"] if p not in statuses or statuses[p].status == "draft"]
if not opened:
    st.info(LABEL["monitor_no_open_round"])
    stop()
c1, c2 = st.columns([1, 1])
period = c1.selectbox(LABEL["period"], opened[::-1], key="monitor_period")
demo = data.demo_mode()
today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
# the date pages are dated against defaults into the chosen period (today, or its nearer end);
# a key per period, so that choosing another period moves the date with it
as_of = c2.date_input(LABEL["monitor_as_of"], value=date_within(period, data.demo_as_of() if demo else today),
                      format="YYYY-MM-DD", key=f"monitor_as_of_{period}", help=LABEL["monitor_as_of_help"])  # fmt: skip
upload = st.file_uploader(LABEL["monitor_sites"], type=["csv", "xlsx"], key="monitor_sites",
                          help=LABEL["monitor_sites_help"], max_upload_size=RESULTS_MB)  # fmt: skip
sites = None
try:
    if upload is not None:
        sites = read_sites(InputFile(upload.name, upload.getvalue()), roster)
    elif demo:
        sites = data.demo_sites()
        st.caption(LABEL["monitor_demo_sites"].format(n=sites["unit_id"].nunique()))
except InputError as exc:
    st.error(
        LABEL["upload_bad"].format(n=len(exc.issues))
        + "\n\n"
        + "\n".join(f"- {format_issue(i)}" for i in exc.issues[:20])
    )

if sites is not None:
    kept_words = latest_words(store)
    st.caption(LABEL["monitor_words_none"] if kept_words is None
               else LABEL["monitor_words_used"].format(id=kept_words.id, n=len(kept_words.words)))  # fmt: skip
if sites is not None and st.button(LABEL["monitor_run"], type="primary", key="monitor_go"):
    bar = st.progress(0.0, text=LABEL["monitor_progress"].format(done=0, total=sites["url"].nunique()))

    def moved(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=LABEL["monitor_progress"].format(done=done, total=total))

    try:
        # without a file of its own, a run uses the office's latest words list, and records which
        words = latest_words(store)
        run = monitor_sites(rubric, roster, sites, period, as_of, history=home_history(store, period), progress=moved,
                            words=None if words is None else words.words)  # fmt: skip
        record_run(store, period, run, user, None if words is None else words.id)
        # the pages' bodies are in the store now; a session keeps only what the page shows
        st.session_state["monitor_run"] = (period, as_of, replace(run, probes=[], screenshots={}))
    except InputError as exc:
        st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues))
    bar.empty()

done = st.session_state.get("monitor_run")
rows, pages, without, ran_as_of, unfinished = None, None, [], as_of, []
if done is not None and done[0] == period:
    _, ran_as_of, run = done
    rows, pages, without, unfinished = run.rows, run.pages, run.without_sites, run.unfinished
elif (kept := latest_results(store, period)) is not None:
    # the period's latest run, as stored: an evaluator may import it in a later session
    rows = pd.read_csv(io.BytesIO(kept[1]), dtype=str, keep_default_na=False)
    ran_as_of = dt.date.fromisoformat(rows["checked_at"].iloc[0]) if len(rows) else as_of
    st.caption(LABEL["monitor_stored"].format(name=kept[0]))
if rows is not None:
    shown = machine_rows_shown(rows, names, rubric.checks).rename(columns=MONITOR_COLUMNS)
    st.subheader(LABEL["monitor_rows"].format(n=len(rows), as_of=ran_as_of.isoformat()))
    if without:
        st.caption(LABEL["monitor_without_sites"].format(units="、".join(names.get(u, u) for u in without)))
    if unfinished:
        check_name = rubric.checks.set_index("check_id")["check_name"]
        st.warning(LABEL["monitor_unfinished"].format(minutes=DEFAULT_DEADLINE_S / 60,
            items="、".join(f"{names.get(u, u)}「{check_name.get(c, c)}」" for u, c in unfinished)))  # fmt: skip
    st.dataframe(shown, hide_index=True, placeholder="", width="stretch", height=table_height(len(shown)))
    table_downloads(shown, FILE["monitor"].format(period=period), "monitor")
    import_rows_button(
        store,
        rubric_path,
        units_path,
        rows,
        user,
        words="monitor",
        period=period,
        file_name=FILE["monitor_batch"].format(period=period, as_of=ran_as_of.isoformat()),
    )

    due = due_columns(pages, ran_as_of) if pages is not None else None
    st.subheader(LABEL["monitor_warnings"])
    if due is None:
        st.caption(LABEL["monitor_due_after_run"])
    elif due.empty:
        st.caption(LABEL["monitor_no_due"])
    else:
        st.warning(LABEL["monitor_due"].format(n=len(due)))
        st.dataframe(due.assign(unit=due["unit_id"].map(names), newest=due["newest_item"].dt.strftime("%Y-%m-%d"))
                     [["unit", "column", "url", "newest", "days_left"]].rename(columns=MONITOR_COLUMNS),
                     hide_index=True, placeholder="", width="stretch")  # fmt: skip
    unit = st.selectbox(LABEL["monitor_unit"], list(rows["unit_id"].drop_duplicates()), format_func=lambda u: names.get(u, u),
                        key="monitor_unit")  # fmt: skip
    evidence_viewer(store, list(rows.loc[rows["unit_id"] == unit, "evidence"]), key="monitor-evidence", inline=6)

stored = probes_table(store, period)
st.subheader(LABEL["monitor_probes"])
if stored.empty:
    st.caption(LABEL["monitor_no_probes"])
else:
    failing = failing_homes(stored, dt.datetime.now(dt.UTC))
    if not failing.empty:
        st.warning(
            LABEL["monitor_failing"].format(units="、".join(failing["unit_id"].map(names).fillna(failing["unit_id"])))
        )
    home = stored[stored["kind"] == "home"]
    latest = home.drop_duplicates("unit_id")  # newest first
    per_unit = home.groupby("unit_id").agg(probes=("at", "size"), failed=("failure", lambda f: int((f != "").sum())))
    view = latest.assign(
        unit=latest["unit_id"].map(names).fillna(latest["unit_id"]),
        at=beijing_time(latest["at"]),
        outcome=latest["failure"].where(
            latest["failure"] != "", "HTTP " + latest["status"].astype("Int64").astype(str)
        ),
        probes=latest["unit_id"].map(per_unit["probes"]),
        failed=latest["unit_id"].map(per_unit["failed"]),
        kind=latest["kind"].map(KINDS),
    )[["unit", "url", "at", "outcome", "probes", "failed"]].rename(columns=MONITOR_COLUMNS)
    st.dataframe(view, hide_index=True, placeholder="", width="stretch", height=table_height(len(view)))

content_fixes_section(user, names)
words_editor(store, user)
