"""The 网站监测 page's rectification section (what each unit's latest run found new, still there
and fixed) and the office's wrong-words list editor; the logic is in scoring.views.content_fixes
and scoring.store.content."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from scoring import InputError, InputFile, format_issue
from scoring.store import Store
from scoring.store.content import latest_words, save_words, words_versions
from scoring.store.users import User
from scoring.views.content_fixes import rectification_list, unit_counts
from scoring.views.people import beijing_time
from scoring.words_list import SEVERITIES, WORDS_COLUMNS, read_words_list, words_from_table
from scoring.workbooks.content_annex import content_annex_xlsx
from ui.data import content_fixes_history
from ui.glossary import CONTENT_COLUMNS, FILE, FIXES_COUNT_COLUMNS, LABEL, WORDS_VERSION_COLUMNS
from ui.tables import table_height

__all__ = ["content_fixes_section", "words_editor"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_fixes_section(user: User, names: pd.Series) -> None:
    """The rectification list this user may see, and the annex to download."""
    st.subheader(LABEL["fixes_title"])
    st.caption(LABEL["fixes_unit_intro"] if user.role == "unit" else LABEL["fixes_intro"])
    history = content_fixes_history(user)
    listing = rectification_list(history, names)
    if listing.empty:
        st.caption(LABEL["fixes_none"])
        return
    if user.role != "unit":
        counts = unit_counts(history, names)
        st.caption(LABEL["fixes_counts"])
        st.dataframe(counts.drop(columns="unit_id").rename(columns=FIXES_COUNT_COLUMNS), hide_index=True,
                     placeholder="", height=table_height(len(counts), 10))  # fmt: skip
        units = list(listing["unit_id"].drop_duplicates())
        unit = st.selectbox(LABEL["fixes_unit"], ["", *units], key="fixes_unit",
                            format_func=lambda u: names.get(u, u) if u else LABEL["fixes_all_units"])  # fmt: skip
        if unit:
            listing = listing[listing["unit_id"] == unit]
    shown = listing[list(CONTENT_COLUMNS)].rename(columns=CONTENT_COLUMNS)
    st.caption(LABEL["fixes_list"].format(n=len(shown)))
    st.dataframe(shown, hide_index=True, placeholder="", width="stretch", height=table_height(len(shown)),
                 column_config={CONTENT_COLUMNS["url"]: st.column_config.LinkColumn()})  # fmt: skip
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    st.download_button(LABEL["fixes_annex"], lambda: content_annex_xlsx(listing), FILE["content_annex"].format(date=today),
                       XLSX, key="fixes-annex", on_click="ignore")  # fmt: skip


def words_editor(store: Store, user: User) -> None:
    """The office edits the words list in a table or uploads a file; each save is a new version."""
    st.subheader(LABEL["words_title"])
    st.caption(LABEL["words_intro"])
    latest = latest_words(store)
    if latest is None:
        st.caption(LABEL["words_none"])
        table = pd.DataFrame(columns=list(WORDS_COLUMNS.aliases))
    else:
        at = beijing_time(pd.Series([latest.saved_at])).iat[0]
        st.caption(LABEL["words_latest"].format(id=latest.id, name=latest.name, n=len(latest.words),
                                                by=latest.saved_by, at=at))  # fmt: skip
        table = latest.words
    aliases = WORDS_COLUMNS.aliases
    # a key per version: after a save or an upload the editor starts from the version just kept
    edited = st.data_editor(
        table.rename(columns=aliases), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"words_editor_{latest.id if latest else 0}",
        column_config={aliases["severity"]: st.column_config.SelectboxColumn(options=list(SEVERITIES))},
    )  # fmt: skip
    if st.button(LABEL["words_save"], key="words_save"):
        _save(store, user, lambda: words_from_table(edited.rename(columns={v: k for k, v in aliases.items()}),
                                                    LABEL["words_edited_name"]), LABEL["words_edited_name"], latest)  # fmt: skip
    upload = st.file_uploader(LABEL["words_upload"], type=["csv", "xlsx"], key="words_file")
    if upload is not None and st.button(LABEL["words_upload_save"], key="words_upload_save"):
        _save(store, user, lambda: read_words_list(InputFile(upload.name, upload.getvalue())), upload.name, latest)
    versions = words_versions(store)
    if not versions.empty:
        with st.expander(LABEL["words_versions"]):
            st.dataframe(versions.assign(saved_at=beijing_time(versions["saved_at"]))[list(WORDS_VERSION_COLUMNS)]
                         .rename(columns=WORDS_VERSION_COLUMNS), hide_index=True, placeholder="", width="stretch")  # fmt: skip


def _save(store: Store, user: User, words, name: str, latest) -> None:
    try:
        version = save_words(store, words(), name, user)
    except InputError as exc:
        st.error(LABEL["words_bad"].format(n=len(exc.issues)) + "\n\n"
                 + "\n".join(f"- {format_issue(i)}" for i in exc.issues[:20]))  # fmt: skip
        return
    if latest is not None and version == latest.id:
        st.info(LABEL["words_same"].format(id=version))
        return
    st.session_state["words_saved"] = version
    st.rerun()


def saved_note() -> None:
    """The note a save leaves for the rerun it starts."""
    version = st.session_state.pop("words_saved", None)
    if version is not None:
        st.success(LABEL["words_saved"].format(id=version))
