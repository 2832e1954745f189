"""Streamlit pieces that more than one page shows the same way."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

import pandas as pd
import streamlit as st

from scoring.errors import Issue, by_location, format_issue, issues_frame
from scoring.images import thumbnail
from scoring.pipeline import Assessment
from scoring.store.access import can
from scoring.store.accounts import User
from scoring.store.evidence import IMAGE_TYPES, MAX_EVIDENCE_BYTES, cited_files, evidence_content
from scoring.workbooks.report import table_csv, table_xlsx

from . import charts, data
from .auth import current_user
from .data import RoundView
from .glossary import AUTH, LABEL, PAGE
from .tables import CHART_ENDS, chart_units, shown

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def stop_unless_rounds(result, views: dict) -> None:
    """End the page with a note when the store is empty or this user may see no round."""
    if result is None or not views:
        st.info(LABEL["store_empty"] if result is None else AUTH["denied"])
        st.stop()


def action_page(page: str, *actions: str) -> User:
    """A page's title and the signed-in user, who must be allowed one of ``actions`` (else the page ends)."""
    st.title(PAGE[page])
    user = current_user()
    if not any(can(user, a) for a in actions):
        st.error(AUTH["denied"])
        st.stop()
    return user


def rounds_page(page: str, published_only_for_units: bool = False) -> tuple[User, Assessment, dict[str, RoundView]]:
    """A page's title, the signed-in user, and the rounds they may see (the page ends if none).

    ``published_only_for_units``: a unit sees this page's view of published rounds only.
    """
    st.title(PAGE[page])
    user = current_user()
    result, views = data.view(user)
    if published_only_for_units and user is not None and user.role == "unit":
        views = {p: v for p, v in views.items() if v.status == "published"}
    stop_unless_rounds(result, views)
    return user, result, views


def round_picker(column, choices: list[str], views: dict, key: str) -> str:
    """A round, newest first, opening on the latest published one (preliminary ones a click away)."""
    published = [p for p in choices if views[p].status == "published"]
    return column.selectbox(LABEL["period"], choices, index=choices.index(published[0]) if published else 0,
                            format_func=lambda p: views[p].label, key=key)  # fmt: skip


def table_downloads(table: pd.DataFrame, name: str, sheet: str) -> list:
    """CSV and Excel downloads of a displayed table, built only when clicked; returns the free columns."""
    d1, d2, *rest = st.columns([1, 1, 1, 2])
    d1.download_button(
        LABEL["download_csv"],
        lambda: table_csv(table),
        f"{name}.csv",
        "text/csv",
        key=f"{sheet}-csv",
        on_click="ignore",
    )
    d2.download_button(LABEL["download_xlsx"], lambda: table_xlsx(table, sheet), f"{name}.xlsx", XLSX,
                       key=f"{sheet}-xlsx", on_click="ignore")  # fmt: skip
    return rest


# what the uploaders accept, as the store enforces it: an evidence file up to 20 MB; a results file
# up to 100 MB (a province's round of 600,000 findings is 35 MB as CSV); .streamlit/config.toml's
# maxUploadSize is the larger
EVIDENCE_MB = MAX_EVIDENCE_BYTES // 2**20
RESULTS_MB = 100


def ranking_chart(table: pd.DataFrame, grades: list[str], key: str) -> pd.DataFrame:
    """The ranking as bars a person can read: all of a small group; of a large one the first and
    last ``CHART_ENDS`` and the units searched for. Returns the rows drawn, in rank order."""
    query = ""
    if len(table) > 2 * CHART_ENDS:  # 2,000 bars cannot be read: the ends, and whom the reader looks for
        query = st.text_input(LABEL["chart_search"], help=LABEL["chart_search_help"], key=key)
    drawn = chart_units(table.sort_values("rank", kind="stable"), query)
    if len(drawn) < len(table):
        found = len(drawn) - 2 * CHART_ENDS
        st.caption(LABEL["chart_ends"].format(n=len(table), ends=CHART_ENDS,
                                              found=LABEL["chart_found"].format(n=found) if found else ""))  # fmt: skip
    st.plotly_chart(charts.ranking_bars(drawn, grades), width="stretch", config=charts.CONFIG)
    return drawn


def ranking_metrics(table: pd.DataFrame, grades: list[str]) -> None:
    """The four numbers above a ranking: units, mean score, top grade, lowest grade / vetoed."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(LABEL["units_ranked"], len(table))
    mean = table["score"].mean()  # of the scored units: an unscored one (单项否决) has no number
    m2.metric(LABEL["mean_score"], "—" if pd.isna(mean) else f"{mean:.2f}")
    m3.metric(LABEL["top_grade"].format(grade=grades[0]), int((table["grade"] == grades[0]).sum()))
    m4.metric(
        LABEL["failed_vetoed"].format(grade=grades[-1]),
        f"{int((table['grade'] == grades[-1]).sum())} / {int(table['vetoed'].sum())}",
    )


@st.cache_data(max_entries=256, show_spinner=False)
def _thumbnail(sha256: str, _content: bytes) -> bytes | None:
    """The picture as shown, made once per file (by its digest): never the full image, which for a
    13000×13000 px screenshot would be half a gigabyte of pixels in the server (issue 27)."""
    return thumbnail(_content)


def evidence_viewer(store, texts: list[str], key: str, inline: int = 12) -> None:
    """The stored files the given evidence cells cite: images shown, other files as downloads."""
    names = cited_files(store, texts)
    if not names:
        return
    with st.expander(LABEL["evidence_files"].format(n=len(names))):
        columns = st.columns(3)  # screenshots side by side, so that a dozen fit on a screen
        for i, name in enumerate(names):
            content = evidence_content(store, name)
            suffix = PurePath(name).suffix.lower()
            shown = (
                _thumbnail(hashlib.sha256(content).hexdigest(), content)
                if suffix in IMAGE_TYPES and i < inline
                else None
            )
            if shown is not None:  # a broken, mislabelled or oversized 'image' is offered as a download
                columns[i % 3].image(shown, caption=name)
            else:
                columns[i % 3].download_button(name, content, name, key=f"{key}-{i}", on_click="ignore")


def page_table(frame, **kwargs) -> None:
    """A table of a page an office prints: interactive on screen; in 打印版式 (the sidebar switch)
    a plain table with every row and column, which the browser prints whole across A4 pages."""
    if not st.session_state.get("print_mode"):
        st.dataframe(frame, placeholder="", **{k: v for k, v in kwargs.items() if k != "placeholder"})
        return
    if isinstance(frame, pd.io.formats.style.Styler):
        st.table(frame.format(precision=2, na_rep="").hide(axis="index"))
        return
    st.table(frame.style.format(precision=2, na_rep="").hide(axis="index"))


def show_problems(found: list[Issue], heading: str = LABEL["upload_bad"]) -> None:
    """Every problem, first ten as a list and all as a table a person can sort and download."""
    found = by_location(found)
    lines = [f"- {format_issue(i)}" for i in found[:10]]
    more = [LABEL["upload_more"].format(n=len(found) - 10)] if len(found) > 10 else []
    st.error("\n".join([heading.format(n=len(found)), "", *lines, *more]))
    issues = issues_frame(found)
    issues["row"] = issues["row"].astype("Int64")
    issues["sheet"] = issues["sheet"].fillna("")  # a CSV has no sheet: blank, not 'None'
    st.dataframe(
        shown(issues, ["file", "sheet", "row", "column", "message"]), hide_index=True, placeholder="", width="stretch"
    )


def import_rows_button(store, rubric_path, units_path, rows: pd.DataFrame, user: User, *, words: str, file_name: str,
                       period: str) -> None:  # fmt: skip
    """A machine's rows (the monitor's, the records') imported into the round as one batch by an
    evaluator, as an uploaded file is; ``words`` names the page's glossary entries (monitor, records)."""
    from scoring.errors import InputError
    from scoring.output import csv_bytes
    from scoring.store.rounds import import_results
    from scoring.tables import InputFile

    if not can(user, "import"):
        st.caption(LABEL[f"{words}_import_by"])
    elif st.button(LABEL[f"{words}_import"], key=f"{words}_import"):
        try:
            res = import_results(store, rubric_path, units_path, [InputFile(file_name, csv_bytes(rows))], user)
            st.success(LABEL[f"{words}_imported"].format(n=res.rows, period=period))
        except InputError as exc:
            st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues[:20]))
