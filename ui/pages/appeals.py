"""申诉复核: units file appeals on their own findings; evaluators uphold or correct them."""

import streamlit as st

from scoring import InputError, InputFile, format_issue
from scoring.pipeline import narrowed
from scoring.store.access import can, scoped_appeals
from scoring.store.appeals import appeals_table, decide_appeal, file_appeal
from scoring.views.explain import lost_points
from ui import data
from ui.auth import current_user
from ui.glossary import AUTH, COLUMN, LABEL, PAGE
from ui.tables import appeals_view, linked, plain, value_text
from ui.widgets import EVIDENCE_MB, evidence_viewer

st.title(PAGE["appeals"])
user = current_user()
result, views = data.view(user)
if result is None or not views or user.role == "leader":
    st.info(LABEL["store_empty"] if result is None else AUTH["denied"])
    st.stop()
roster = result.roster.set_index("unit_id")
checks = result.rubric.checks.set_index("check_id")
statuses = {p: v.status for p, v in views.items()}


def _errors(exc: InputError) -> None:
    st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues))


def _under_appeal(appeal, period: str) -> None:
    """What the evaluator decides on: the finding as it stands, the rule, and the unit's case."""
    lost = lost_points(narrowed(result, periods=[period], units=[appeal.unit_id]), appeal.unit_id, period)
    finding = lost[lost["check_id"] == appeal.check_id]
    lines = [f"**{plain(appeal.check_id)} {plain(checks.loc[appeal.check_id, 'check_name'])}**"]
    if not finding.empty:
        f = finding.iloc[0]
        shown_value = value_text(finding["method"], finding["value"], finding["status"]).iloc[0]
        lines += [
            f"{COLUMN['criteria']}:{plain(f['criteria'])}",
            f"{COLUMN['value']}:{plain(shown_value)} · {COLUMN['lost']} {f['lost']:g}",
            f"{COLUMN['evidence']}:{linked(f['evidence']) or '—'}",
        ]
    lines += [
        f"{LABEL['appeal_reason']}:{linked(appeal.reason)}",
        f"{LABEL['appeal_proof']}:{linked(appeal.proof) or '—'}",
    ]
    with st.container(border=True):
        st.markdown("\n\n".join(lines))
        if not finding.empty:
            evidence_viewer(data.store(), [finding.iloc[0]["evidence"], appeal.proof], key=f"appeal-{appeal.id}")


if "appeal_done" in st.session_state:
    st.success(st.session_state.pop("appeal_done"))
# it opens on the newest round with appeals waiting for a decision — one in its appeal window
# first, where they can be decided — as the menu's count promises (issue 29)
choices = list(views)[::-1]
waiting = sorted((p for p in choices if views[p].open_appeals), key=lambda p: views[p].status != "appeal")
period = st.selectbox(LABEL["period"], choices, index=choices.index(waiting[0]) if waiting else 0,
                      format_func=lambda p: views[p].label, key="appeal_period")  # fmt: skip
status = statuses[period]

if can(user, "file_appeal"):
    st.subheader(LABEL["file_appeal"])
    if status not in ("feedback", "appeal"):
        st.info(LABEL["appeal_not_open"])
    else:
        unit = user.unit_id
        lost = lost_points(result, unit, period).set_index("check_id")
        with st.form("file_appeal", clear_on_submit=True):
            check = st.selectbox(
                LABEL["appeal_check"], list(lost.index),
                format_func=lambda c: LABEL["appeal_check_option"].format(check=c, name=checks.loc[c, "check_name"],
                                                                          lost=lost.loc[c, "lost"]),
            )  # fmt: skip
            reason = st.text_area(LABEL["appeal_reason"])
            proof = st.text_input(LABEL["appeal_proof"])
            proof_files = st.file_uploader(LABEL["appeal_files"], accept_multiple_files=True, key="appeal_files",
                                           help=LABEL["appeal_files_help"], max_upload_size=EVIDENCE_MB)  # fmt: skip
            if st.form_submit_button(LABEL["submit_appeal"]) and check:
                files = [InputFile(f.name, f.getvalue()) for f in proof_files or []]
                try:
                    aid = file_appeal(data.store(), period, unit, check, reason, proof, user, files)
                    st.success(LABEL["appeal_filed"].format(id=aid))
                except InputError as exc:
                    _errors(exc)

appeals = scoped_appeals(user, appeals_table(data.store(), period), statuses)
if can(user, "decide_appeal"):
    st.subheader(LABEL["decide"])
    open_ = appeals[appeals["outcome"] == "open"]
    if status != "appeal" or open_.empty:
        st.info(LABEL["no_open_appeals"] if status == "appeal" else LABEL["appeal_not_open"])
    else:
        labels = {
            int(r.id): LABEL["appeal_option"].format(
                id=r.id, unit=roster.loc[r.unit_id, "name"], check=r.check_id, reason=r.reason[:40]
            )
            for r in open_.itertuples()
        }
        aid = st.selectbox(LABEL["decide_appeal"], list(labels), format_func=labels.get, key="decide_pick")
        _under_appeal(next(r for r in open_.itertuples() if int(r.id) == aid), period)
        with st.form("decide", clear_on_submit=True):
            outcome = st.radio(LABEL["decide"], ["upheld", "corrected"], horizontal=True,
                               format_func=lambda o: LABEL["uphold"] if o == "upheld" else LABEL["correct"])  # fmt: skip
            new_value = st.text_input(LABEL["correct"])
            reason = st.text_area(LABEL["decision_reason"])
            if st.form_submit_button(LABEL["submit_decision"]):
                try:
                    decide_appeal(data.store(), int(aid), outcome, reason, user, new_value or None)
                except InputError as exc:
                    _errors(exc)
                else:
                    # redraw without the decided appeal among the open ones; the message waits for it
                    st.session_state["appeal_done"] = LABEL["decided"].format(id=aid)
                    st.rerun()

st.subheader(LABEL["appeal_list"])
appeals = scoped_appeals(user, appeals_table(data.store(), period), statuses)
if appeals.empty:
    st.info(LABEL["no_appeals"])
else:
    st.dataframe(appeals_view(appeals, result.roster, result.rubric, data.accounts()), hide_index=True,
                 width="stretch", placeholder="")  # fmt: skip
