"""Streamlit pieces that more than one page shows the same way."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .glossary import LABEL


def ranking_metrics(table: pd.DataFrame, grades: list[str]) -> None:
    """The four numbers above a ranking: units, mean score, top grade, lowest grade / vetoed."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(LABEL["units_ranked"], len(table))
    m2.metric(LABEL["mean_score"], f"{table['score'].mean():.2f}")
    m3.metric(LABEL["top_grade"].format(grade=grades[0]), int((table["grade"] == grades[0]).sum()))
    m4.metric(
        LABEL["failed_vetoed"].format(grade=grades[-1]),
        f"{int((table['grade'] == grades[-1]).sum())} / {int(table['vetoed'].sum())}",
    )
