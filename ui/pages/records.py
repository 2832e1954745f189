"""政务服务记录: the office and evaluators compute the 政务服务 checks of an open round from the
platforms' exports (办件, 好差评, 政务新媒体; SPEC extension 6), see per unit the value, the counts
and the records that cost points, and add the rows to the round as a batch."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from scoring import InputError, InputFile, load_rubric, read_roster
from scoring.output import csv_bytes
from scoring.records import compute_records, records_checks
from scoring.store.records import latest_records, record_records
from scoring.store.rounds import open_periods
from scoring.views.periods import period_span
from scoring.views.records_shown import quarter_window, records_shown
from ui import data
from ui.glossary import FILE, LABEL, RECORDS_COLUMNS
from ui.tables import machine_rows_shown, table_height
from ui.widgets import RESULTS_MB, action_page, import_rows_button, show_problems, table_downloads

user = action_page("records", "records")
st.caption(LABEL["records_intro"])
store = data.store()
rubric_path, units_path = data.shipped_rubric(), data.shipped_units()
rubric = load_rubric(rubric_path)
roster = read_roster(units_path, rubric)
names = roster.set_index("unit_id")["name"]
checks = records_checks(rubric)
if checks.empty:
    st.info(LABEL["records_no_checks"])
    st.stop()
check_name = rubric.checks.set_index("check_id")["check_name"]
st.caption(LABEL["records_checks"].format(checks="、".join(check_name[c] for c in checks["check_id"])))

# a period still taking results (opened, no round yet or a draft one), as on 网站监测 (issue 29)
statuses = data.round_views()
opened = [p for p in open_periods(store)["period"] if p not in statuses or statuses[p].status == "draft"]
if not opened:
    st.info(LABEL["records_no_open_round"])
    st.stop()
c1, c2, c3 = st.columns([1, 1, 1])
period = c1.selectbox(LABEL["period"], opened[::-1], key="records_period")
first, last = quarter_window(period_span(period), dt.datetime.now(ZoneInfo("Asia/Shanghai")).date())
# a key per period, so that choosing another period moves the window with it
start = c2.date_input(LABEL["records_from"], value=first, format="YYYY-MM-DD", key=f"records_from_{period}",
                      help=LABEL["records_window_help"])  # fmt: skip
end = c3.date_input(LABEL["records_to"], value=last, format="YYYY-MM-DD", key=f"records_to_{period}",
                    help=LABEL["records_window_help"])  # fmt: skip

kinds = {"cases": True, "ratings": True, "accounts": False, "posts": True}  # accepts several files?
uploads = {}
u1, u2 = st.columns(2)
for i, (kind, several) in enumerate(kinds.items()):
    uploads[kind] = (u1 if i % 2 == 0 else u2).file_uploader(
        LABEL[f"records_{kind}"], type=["csv", "xlsx", "parquet"], accept_multiple_files=several,
        key=f"records_{kind}", help=LABEL["records_files_help"], max_upload_size=RESULTS_MB,
    )  # fmt: skip
given = {k: ([InputFile(f.name, f.getvalue()) for f in v] if kinds[k] else InputFile(v.name, v.getvalue()))
         for k, v in uploads.items() if v}  # fmt: skip

go = False
if given:
    go = st.button(LABEL["records_run"], type="primary", key="records_go")
elif data.demo_mode():
    demo_files = data.demo_records(period)
    st.caption(LABEL["records_demo_files"].format(files="、".join(p.name for fs in demo_files.values() for p in fs)))
    if st.button(LABEL["records_demo"], type="primary", key="records_demo"):
        given = {k: (v if kinds[k] else v[0]) for k, v in demo_files.items() if v}
        go = True
else:
    st.caption(LABEL["records_need_files"])

if go:
    try:
        with st.spinner(LABEL["records_computing"]):
            run = compute_records(rubric, roster, period, start, end, cases=given.get("cases", []),
                                  ratings=given.get("ratings", []), accounts=given.get("accounts"),
                                  posts=given.get("posts", []))  # fmt: skip
            # files that measure none of the rubric's checks (ratings only, accounts without posts) make no rows to keep
            kept = record_records(store, period, csv_bytes(run.rows), user) if len(run.rows) else None
        if kept is None:
            st.session_state.pop("records_run", None)
            st.warning(LABEL["records_nothing"])
        else:
            st.session_state["records_run"] = (period, start, end, run, kept)
    except InputError as exc:
        st.session_state.pop("records_run", None)
        show_problems(exc.issues, LABEL["records_bad"])

done = st.session_state.get("records_run")
rows = detail = None
if done is not None and done[0] == period:
    _, ran_from, ran_to, run, kept = done
    rows, detail = run.rows, run.detail
    left = [LABEL["records_outside"].format(kind=LABEL[f"records_kind_{k}"], n=n) for k, n in run.outside.items() if n]
    left += [LABEL["records_off_roster"].format(kind=LABEL[f"records_kind_{k}"], n=n)
             for k, n in run.off_roster.items() if n]  # fmt: skip
    st.caption(LABEL["records_read"].format(**run.read, kept=kept) + ("" if not left else ";" + ";".join(left)))
elif (stored := latest_records(store, period)) is not None:
    # the period's latest run, as kept with the round: an evaluator may import it in a later session
    rows = pd.read_csv(io.BytesIO(stored[1]), dtype=str, keep_default_na=False)
    ran_to = dt.date.fromisoformat(rows["checked_at"].iloc[0]) if len(rows) else end
    ran_from = None
    st.caption(LABEL["records_stored"].format(name=stored[0]))

if rows is not None:
    rubric_checks = rubric.checks[["check_id", "check_name", "method"]]
    if detail is not None:
        shown = records_shown(rows, detail, names, rubric_checks)
    else:  # a kept run has its rows only: the evidence cell holds its counts and ids
        shown = machine_rows_shown(rows, names, rubric_checks)
    shown = shown.rename(columns=RECORDS_COLUMNS)
    window = (LABEL["records_window"].format(start=ran_from, end=ran_to) if ran_from is not None
              else LABEL["records_window_to"].format(end=ran_to))  # fmt: skip
    st.subheader(LABEL["records_rows"].format(n=len(rows), window=window))
    wide = {RECORDS_COLUMNS[c]: st.column_config.TextColumn(width="large") for c in ("worst", "evidence")}
    st.dataframe(shown, hide_index=True, placeholder="", width="stretch", height=table_height(len(shown)),
                 column_config=wide)  # fmt: skip
    table_downloads(shown, FILE["records"].format(period=period), "records")
    import_rows_button(
        store,
        rubric_path,
        units_path,
        rows,
        user,
        words="records",
        period=period,
        file_name=FILE["records_batch"].format(period=period, to=ran_to.isoformat()),
    )
