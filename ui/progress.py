"""How complete a round is, said on every page that shows its scores (issue 29), and the columns
of a ranking for a unit whose results are not all in (未测完 instead of rank, grade and change)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.views.completeness import complete_units

from . import data
from .data import RoundView
from .glossary import LABEL


def round_complete(period: str, view: RoundView) -> bool:
    """Say how far the round's results are in; True when it may be read as a ranking: every result
    recorded, or published (with missing results only if the office chose to publish so)."""
    recorded, applicable = data.progress(period)
    missing = applicable - recorded
    if view.status == "published":
        if missing:
            st.caption(LABEL["progress_published_gaps"].format(recorded=recorded, applicable=applicable,
                                                               missing=missing))  # fmt: skip
        return True
    if missing:
        st.warning(LABEL["progress_open"].format(recorded=recorded, applicable=applicable), icon=":material/pending:")
        return False
    st.caption(LABEL["progress_open_done"].format(applicable=applicable))
    return True


def withheld(view: pd.DataFrame, units: pd.DataFrame, columns: list[str], blank: list[str] = ()) -> pd.DataFrame:
    """``view`` (rows as ``units``) with 未测完 in ``columns`` and nothing in ``blank`` where a unit's
    results are incomplete, every such column as text; a ``recorded`` column says how many are in."""
    done = complete_units(units)
    if done.all():
        return view
    out = view.copy()
    for col in columns:
        text = out[col].map(lambda v: "" if pd.isna(v) else str(v))
        out[col] = text.where(done, LABEL["incomplete"])
    for col in blank:
        out[col] = out[col].where(done, "")
    out["recorded"] = [
        LABEL["recorded_of"].format(recorded=int(r), applicable=int(a))
        for r, a in zip(units["recorded"].fillna(0), units["applicable"].fillna(0), strict=True)
    ]
    return out
