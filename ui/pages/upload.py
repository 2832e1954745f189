"""导入测评结果: evaluators load a round, see every problem located, or a preview of the scores."""

import re

import streamlit as st

from scoring import InputError, InputFile, format_issue, issues_frame
from scoring.pipeline import assess_with_new_rounds
from ui import data
from ui.glossary import LABEL, PAGE
from ui.tables import shown

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def next_period(periods: list[str]) -> str:
    """The quarter after the latest one (2018Q2 -> 2018Q3); the latest itself if not a quarter."""
    latest = sorted(periods)[-1] if periods else "2017Q3"
    m = re.fullmatch(r"(\d{4})Q([1-4])", latest)
    if not m:
        return latest
    year, q = int(m.group(1)), int(m.group(2))
    return f"{year + (q == 4)}Q{q % 4 + 1}"


st.title(PAGE["upload"])
current = data.assessment()

files = st.file_uploader(
    LABEL["upload_files"], type=["csv", "xlsx"], accept_multiple_files=True, help=LABEL["upload_help"], key="upload"
)
allow_missing = st.checkbox("缺少的测评结果按 0 分计(标记为“缺少结果”)", value=False)

if files:
    inputs = [InputFile(f.name, f.getvalue()) for f in files]
    src = data.sources()
    with st.status(LABEL["validating"], expanded=False) as status:
        try:
            result = assess_with_new_rounds(
                src.rubric, src.units, list(src.results), inputs, allow_missing=allow_missing
            )
        except InputError as exc:
            status.update(label=LABEL["upload_bad"].format(n=len(exc.issues)), state="error", expanded=True)
            issues = issues_frame(exc.issues)
            issues["row"] = issues["row"].astype("Int64")
            shown_lines = [f"- {format_issue(i)}" for i in exc.issues[:10]]
            st.error(LABEL["upload_bad"].format(n=len(exc.issues)) + "\n\n" + "\n".join(shown_lines))
            st.dataframe(shown(issues, ["file", "sheet", "row", "column", "message"]), hide_index=True, width="stretch")
            st.stop()
        new_periods = sorted({p for f in inputs for p in result.findings.rows.loc[
            result.findings.rows["_file"] == f.name, "period"]})  # fmt: skip
        rows = int(result.findings.rows["_file"].isin([f.name for f in inputs]).sum())
        status.update(label=LABEL["upload_ok"].format(rows=rows, periods="、".join(new_periods)), state="complete")
    st.success(LABEL["upload_ok"].format(rows=rows, periods="、".join(new_periods)))
    replaced = sorted(set(new_periods) & set(current.scores.periods))
    if replaced:
        st.warning(LABEL["upload_replaces"].format(periods="、".join(replaced)))
    st.session_state[data.UPLOADS_KEY] = inputs

    st.subheader(LABEL["preview"])
    u = result.scores.units
    preview = u[u["period"].isin(new_periods)].assign(
        track=lambda d: d["track"].map(result.rubric.tracks.set_index("track_id")["track_name"]),
        group=lambda d: d["group"].map(result.rubric.groups),
    )
    cols = ["period", "track", "group", "rank", "unit_name", "score", "grade", "vetoed"]
    st.dataframe(shown(preview, cols).rename(columns={"group": LABEL["group"]}), hide_index=True, width="stretch")

if data.uploads() and st.button(LABEL["clear_uploads"]):
    st.session_state.pop(data.UPLOADS_KEY, None)
    st.rerun()

st.divider()
st.subheader(LABEL["download_template"])
period = st.text_input(LABEL["template_period"], value=next_period(current.scores.periods))
if period.strip():
    st.download_button(
        LABEL["download_template"], data.template_bytes(period.strip()), f"测评模板_{period.strip()}.xlsx", XLSX
    )
