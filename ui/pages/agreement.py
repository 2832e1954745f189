"""评分一致性: the office uploads a second evaluator's results for a sample of units and sees, check
by check, how often the two agree and Krippendorff's alpha; checks below 0.667 need clearer criteria."""

import pandas as pd
import streamlit as st

from scoring import InputError, InputFile, assess, format_issue
from scoring.robustness.agreement import SMALL_SAMPLE, agreement_table, alpha_notes, paired_values
from scoring.robustness.recheck import draw_sample, reconcile, sample_workbook
from scoring.store.rounds import round_rows
from scoring.views.quality import RECONCILE_HEADERS, shown_reconciliation
from scoring.workbooks.template import METHOD_NAMES
from ui import data
from ui.glossary import AGREEMENT_COLUMNS, FILE, LABEL
from ui.widgets import RESULTS_MB, XLSX, action_page, table_downloads

ALPHA_FLOOR = 0.667  # Krippendorff's threshold for tentative conclusions

user = action_page("agreement", "agreement")
st.caption(LABEL["agreement_intro"])
views = data.round_views()
periods = [p for p in views][::-1]
if not periods:
    st.info(LABEL["store_empty"])
    st.stop()
period = st.selectbox(LABEL["period"], periods, format_func=lambda p: views[p].label, key="agreement_period")
first = data.whole_round(period)

st.subheader(LABEL["recheck_title"])
st.caption(LABEL["recheck_intro"])
c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
size = int(c1.number_input(LABEL["recheck_size"], min_value=1, max_value=100_000, value=30, key="recheck_size"))
seed = int(c2.number_input(LABEL["recheck_seed"], min_value=0, max_value=2**31 - 1, value=0, key="recheck_seed"))
# the stored findings, for who recorded each result (the scored round keeps none of that)
sample, strata = draw_sample(first, round_rows(data.store(), period)[2], period, size, seed)
if sample.empty:
    c3.info(LABEL["recheck_empty"])
else:
    c3.download_button(LABEL["recheck_download"], lambda: sample_workbook(first, period, sample, strata, seed),
                       FILE["recheck"].format(period=period, seed=seed), XLSX, key="recheck-xlsx", on_click="ignore")  # fmt: skip
    st.caption(
        LABEL["recheck_drawn"].format(n=len(sample), strata=len(strata), population=int(strata["population"].sum()))
    )

upload = st.file_uploader(LABEL["agreement_upload"], type=["csv", "xlsx"], key="agreement_file",
                          help=LABEL["agreement_upload_help"], max_upload_size=RESULTS_MB)  # fmt: skip
if upload is None:
    st.stop()
try:
    second = assess(first.rubric, data.shipped_units(), [InputFile(upload.name, upload.getvalue())], allow_missing=True)
except InputError as exc:
    st.error(
        LABEL["upload_bad"].format(n=len(exc.issues))
        + "\n\n"
        + "\n".join(f"- {format_issue(i)}" for i in exc.issues[:20])
    )
    st.stop()
pairs, one = paired_values(first, second)
pairs = pairs[pairs["period"] == period]
if pairs.empty:
    st.warning(LABEL["agreement_none"].format(period=period))
    st.stop()
table = agreement_table(pairs, list(first.rubric.checks["check_id"]))
names = first.rubric.checks.set_index("check_id")["check_name"]
alpha = pd.to_numeric(table["alpha"], errors="coerce")
# a blank alpha says why, and one from a few pairs says so (issue 29)
notes = alpha_notes(table)
said = notes.map({"": "", **{n: LABEL[f"agreement_{n}"].format(n=SMALL_SAMPLE) for n in notes.unique() if n}})
low_alpha = alpha < ALPHA_FLOOR
flag = low_alpha.map({True: LABEL["agreement_flag"], False: ""})
shown = pd.DataFrame({
    "check": table["check_id"].map(lambda c: LABEL["agreement_all"] if c == "ALL" else f"{c} {names.get(c, '')}"),
    "method": table["method"].map(METHOD_NAMES),
    "pairs": table["pairs"],
    "agreement": (table["agreement"] * 100).round(1),
    "alpha": alpha.round(3),
    "flag": flag.str.cat(said, sep=";").str.strip(";"),
}).rename(columns=AGREEMENT_COLUMNS)  # fmt: skip
checks_only = table["check_id"] != "ALL"
low = int((low_alpha & checks_only & (notes != "small_sample")).sum())
low_small = int((low_alpha & checks_only & (notes == "small_sample")).sum())
units = pairs["unit_id"].nunique()
st.caption(
    LABEL["agreement_summary"].format(pairs=len(pairs), units=units, checks=int((table["check_id"] != "ALL").sum()))
)
if low:
    st.warning(LABEL["agreement_low"].format(n=low, floor=ALPHA_FLOOR))
if low_small:
    st.caption(LABEL["agreement_low_small"].format(n=low_small, floor=ALPHA_FLOOR, small=SMALL_SAMPLE))
st.dataframe(shown, hide_index=True, placeholder="", width="stretch",
             column_config={AGREEMENT_COLUMNS["agreement"]: st.column_config.NumberColumn(format="%.1f%%")})  # fmt: skip
only_second = int((one["held_in"] == 2).sum())
if only_second:
    st.caption(LABEL["agreement_only_second"].format(n=only_second))
table_downloads(shown, FILE["agreement"].format(period=period), "agreement")

st.subheader(LABEL["reconcile_title"])
listed = reconcile(first, second)
if listed.empty:
    st.success(LABEL["reconcile_none"])
else:
    st.caption(LABEL["reconcile_intro"])
    reconciled = shown_reconciliation(listed, first.rubric).drop(
        columns=[RECONCILE_HEADERS[k] for k in ("period", "track", "unit_id", "check_id")]
    )
    st.dataframe(reconciled, hide_index=True, placeholder="", width="stretch")
    table_downloads(reconciled, FILE["reconcile"].format(period=period), "reconcile")
