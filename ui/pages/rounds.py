"""测评轮次: the assessment office moves a round through feedback, appeals and publication."""

import pandas as pd
import streamlit as st

from scoring import InputError, Issue, format_issue
from scoring.store.access import can
from scoring.store.publish import publish, revision_digests, verify
from scoring.store.rounds import STATUS_NAMES, TRANSITIONS, open_periods, open_round, set_status
from ui import data
from ui.glossary import AUDIT_COLUMNS, AUDIT_TARGETS, FILE, LABEL, MISSING_COLUMNS, ROUND_COLUMNS, SHEET
from ui.tables import audit_actions, audit_details, beijing_time, next_period, table_height
from ui.tables import shown as shown_columns
from ui.widgets import action_page, table_downloads

user = action_page("rounds", "set_status", "verify")
store = data.store()
table, digests = data.rounds_overview()
opened = open_periods(store)

if can(user, "open_round"):
    # results may be imported only into a period the office has opened (SPEC extension 2a)
    with st.expander(LABEL["open_round"], expanded=table.empty), st.form("open_round", clear_on_submit=True):
        new_period = st.text_input(LABEL["open_round_period"], value=next_period(list(opened["period"])))
        title = st.text_input(LABEL["open_round_title"])
        if st.form_submit_button(LABEL["open_round_button"]):
            try:
                open_round(store, new_period.strip(), user, title)
                st.session_state["rounds_done"] = LABEL["round_opened"].format(period=new_period.strip())
                st.rerun()
            except InputError as exc:
                st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues))
waiting = opened[~opened["period"].isin(table["period"])]
if not waiting.empty:
    st.caption(LABEL["opened_waiting"].format(periods="、".join(waiting["period"])))
if table.empty:
    if "rounds_done" in st.session_state:
        st.success(st.session_state.pop("rounds_done"))
    st.info(LABEL["store_empty"])
    st.stop()

latest_digest = digests.drop_duplicates("period", keep="last").set_index("period")["digest"]
rub = data.rubric()
titles = {rub.id: rub.spec.title} if rub else {}  # a round under an older rubric keeps its id
shown = table.assign(
    rubric_id=table["rubric_id"].map(titles).fillna(table["rubric_id"]),
    digest=table["period"].map(latest_digest).fillna(""),
    status=table["status"].map(STATUS_NAMES),
    revision=table["revision"].map(lambda r: "" if pd.isna(r) else LABEL["revision_n"].format(n=r)),
).rename(columns=ROUND_COLUMNS)
if "rounds_done" in st.session_state:
    st.success(st.session_state.pop("rounds_done"))
st.dataframe(shown, hide_index=True, placeholder="", width="stretch")

period = st.selectbox(LABEL["period"], list(table["period"])[::-1], key="round_period")
info = table.set_index("period").loc[period]
status = info["status"]
st.caption(f"{LABEL['status']}:{STATUS_NAMES[status]}")

missing = pd.DataFrame(columns=["unit_id", "unit_name", "missing", "checks"])
if status != "published":
    missing, bare = data.round_gaps(period)
    if not missing.empty:
        # publication refuses a round with gaps; the office sees them before pressing the button
        st.warning(LABEL["missing_results"].format(units=len(missing), n=int(missing["missing"].sum())),
                   icon=":material/pending_actions:")  # fmt: skip
        gaps = shown_columns(missing, ["unit_name", "missing", "checks"]).rename(columns=MISSING_COLUMNS)
        st.dataframe(gaps, hide_index=True, width="stretch", placeholder="", height=table_height(len(gaps)))
        table_downloads(gaps, FILE["missing"].format(period=period), SHEET["missing"])
    if not bare.empty:
        # the office publishes; it should know which losses no evidence stands behind
        st.warning(LABEL["unsupported"].format(n=len(bare)), icon=":material/warning:")
        st.dataframe(shown_columns(bare, ["unit_name", "check_id", "check_name", "value", "lost"]), hide_index=True, placeholder="",
                     width="stretch")  # fmt: skip

if can(user, "set_status"):
    with st.form("round_control"):
        # the reversible steps first: what is preselected is never publishing or reopening
        stage = list(STATUS_NAMES).index
        targets = sorted((b for a, b in TRANSITIONS if a == status), key=stage)
        ahead = [t for t in targets if stage(t) > stage(status)]
        back = [t for t in targets if stage(t) < stage(status)]
        choices = [*ahead, *back, "publish"] if status == "appeal" else [*ahead, *back]
        choice = st.radio(
            LABEL["change_status"],
            choices,
            format_func=lambda s: LABEL["publish"] if s == "publish" else STATUS_NAMES[s],
            horizontal=True,
            key="round_choice",
        )
        reason = st.text_input(LABEL["reason"], help=LABEL["reason_required"])
        final = choice == "publish" or status == "published"  # publishing, or reopening a published round
        allow_missing = False
        if status == "appeal" and not missing.empty:  # what assess publish --allow-missing does, on the page
            allow_missing = st.checkbox(LABEL["publish_allow_missing"].format(units=len(missing),
                                                                             n=int(missing["missing"].sum())),
                                        key="round_allow_missing")  # fmt: skip
        sure = st.checkbox(LABEL["confirm_final"], key="round_sure")
        if st.form_submit_button(LABEL["confirm"], type="primary"):
            try:
                if final and not sure:
                    raise InputError([Issue(code="confirm", message=LABEL["confirm_final_needed"])])
                if choice == "publish":
                    rev = publish(store, period, user, reason, allow_missing=allow_missing)
                    digests = revision_digests(store, period)
                    digest = digests.loc[digests["revision"] == rev, "digest"].iloc[0]
                    done = LABEL["published_as"].format(period=period, rev=rev, digest=digest)
                else:
                    set_status(store, period, choice, user, reason)
                    done = LABEL["status_changed"].format(period=period, status=STATUS_NAMES[choice])
                # the rerun redraws the table with the new status; the message waits for it
                st.session_state["rounds_done"] = done
                st.rerun()
            except InputError as exc:
                if all(i.code == "missing-result" for i in exc.issues):  # the table above names them all
                    st.error(LABEL["publish_missing"].format(units=len(missing)))
                else:
                    st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues))

if st.button(LABEL["verify"]):
    res = verify(store)
    if res.differences:
        st.error(LABEL["verify_bad"].format(n=len(res.differences)) + "\n\n" + "\n".join(res.differences[:20]))
    else:
        st.success(LABEL["verify_ok"].format(snapshots=res.snapshots, rows=res.rows_compared, files=res.files_checked))

if can(user, "audit"):
    with st.expander(LABEL["audit"]):
        audit = pd.DataFrame(store.recent_audit(200), columns=list(AUDIT_COLUMNS))
        audit = audit.assign(at=beijing_time(audit["at"]), action=audit_actions(audit["action"]),
                             target=audit["target"].replace(AUDIT_TARGETS),
                             detail=audit_details(audit["detail"], data.roster(), titles))  # fmt: skip
        st.dataframe(audit.rename(columns=AUDIT_COLUMNS), hide_index=True, placeholder="", width="stretch")
