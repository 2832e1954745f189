"""导入测评结果: evaluators load a round into the store, or see every problem located."""

import pandas as pd
import streamlit as st

from scoring import InputError, InputFile
from scoring.pipeline import narrowed
from scoring.store.evidence import add_evidence, evidence_files
from scoring.store.rounds import import_results, open_periods
from scoring.views.explain import import_preview, unsupported_losses
from ui import data
from ui.glossary import FILE, LABEL, PAGE
from ui.tables import shown, status_names, table_height, value_text
from ui.widgets import EVIDENCE_MB, RESULTS_MB, XLSX, action_page, show_problems

user = action_page("upload", "import")

with st.form("import", clear_on_submit=True):
    files = st.file_uploader(
        LABEL["upload_files"],
        type=["csv", "xlsx"],
        accept_multiple_files=True,
        help=LABEL["upload_help"],
        key="upload",
        max_upload_size=RESULTS_MB,
    )
    submitted = st.form_submit_button(PAGE["upload"], type="primary")


def show_preview(result, periods: list[str]) -> None:
    """The round as it now stands: tested units ranked among themselves, the others 未测."""
    st.subheader(LABEL["preview"])
    st.caption(LABEL["preview_note"])
    p = import_preview(result, periods)
    tested, done = p["tested"], p["complete"]
    view = p.assign(
        track=p["track"].map(result.rubric.tracks.set_index("track_id")["track_name"]),
        group=p["group"].map(result.rubric.groups),
        rank=p["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))),
        score=p["score"].map(lambda v: LABEL["unscored"] if pd.isna(v) else f"{v:.2f}").where(done, ""),
        grade=p["grade"].where(done, LABEL["incomplete"]).where(tested, LABEL["not_tested"]),
        vetoed=p["vetoed"].map({True: LABEL["vetoed_mark"], False: ""}).where(tested, ""),
        recorded=p["recorded"].astype(str) + " / " + p["applicable"].astype(str),
    )
    cols = ["period", "track", "group", "rank", "unit_name", "score", "grade", "vetoed", "recorded"]
    table = shown(view, cols).rename(columns={"group": LABEL["group"], "recorded": LABEL["recorded"]})
    st.dataframe(table, hide_index=True, placeholder="", width="stretch", height=table_height(len(table)))
    show_unsupported(result, periods)


def show_unsupported(result, periods: list[str]) -> None:
    """Losses with no evidence: allowed, but untraceable, so the evaluator is told at once."""
    bare = unsupported_losses(narrowed(result, periods=periods), periods)
    if bare.empty:
        return
    st.warning(LABEL["unsupported"].format(n=len(bare)), icon=":material/warning:")
    view = bare.assign(status=status_names(bare["status"], bare["violated"]),
                       value=value_text(bare["method"], bare["value"], bare["status"]))  # fmt: skip
    st.dataframe(shown(view, ["period", "unit_name", "check_id", "check_name", "status", "value", "lost"]),
                 hide_index=True, placeholder="", width="stretch")  # fmt: skip


if submitted and files:
    inputs = [InputFile(f.name, f.getvalue()) for f in files]
    res = None
    with st.status(LABEL["validating"], expanded=False) as status:
        try:
            res = import_results(data.store(), data.shipped_rubric(), data.shipped_units(), inputs, user)
        except InputError as exc:
            status.update(label=LABEL["validate_failed"], state="error", expanded=True)
            show_problems(exc.issues)
        else:
            done = LABEL["import_ok"].format(files=len(inputs), rows=res.rows, periods="、".join(res.periods))
            status.update(label=LABEL["validated"], state="complete")  # the outcome is said once, below
    if res is not None:  # a file with problems still leaves the template below within reach
        st.success(done)
        if res.pending:
            st.info(LABEL["import_pending"].format(n=res.pending))
        if res.already:
            st.info(LABEL["import_already"].format(n=res.already))
        if res.replaced:
            st.info(LABEL["import_replaced"].format(n=res.replaced))
        show_preview(res.scored, res.periods)

st.divider()
st.subheader(LABEL["evidence_section"])
with st.form("evidence", clear_on_submit=True):
    evidence = st.file_uploader(LABEL["upload_evidence"], accept_multiple_files=True, key="evidence_upload",
                                help=LABEL["upload_evidence_help"], max_upload_size=EVIDENCE_MB)  # fmt: skip
    save = st.form_submit_button(LABEL["save_evidence"])
if save and evidence:
    try:
        added = add_evidence(data.store(), [InputFile(f.name, f.getvalue()) for f in evidence], user)
    except InputError as exc:
        show_problems(exc.issues, LABEL["evidence_bad"])
    else:
        skipped = LABEL["evidence_skipped"].format(n=len(added.already)) if added.already else ""
        st.success(LABEL["evidence_ok"].format(n=len(added.stored)) + skipped)
st.caption(LABEL["evidence_stored"].format(n=len(evidence_files(data.store()))))

st.divider()
st.subheader(LABEL["download_template"])
# a template only for a period the office has opened: results for any other would be refused
opened = list(open_periods(data.store())["period"])[::-1]
if not opened:
    st.info(LABEL["no_open_round"])
else:
    period = st.selectbox(LABEL["template_period"], opened, key="template_period")
    st.download_button(LABEL["download_template"], lambda: data.template_bytes(period),
                       FILE["template"].format(period=period), XLSX, on_click="ignore")  # fmt: skip
