"""Where the app's data comes from: the evaluation store, cached on its last audit entry.

The store is ``ASSESS_DB`` or ``data/assess.db`` under the working directory. An empty store is
filled with the demo rounds on first start (unless ASSESS_NO_DEMO is set), so the app needs no
configuration. Every change to the store writes an audit entry, so the newest audit id is a
cache key that changes exactly when the data does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from scoring import Rubric, build_template
from scoring.engine import Scores
from scoring.pipeline import Assessment
from scoring.rounds import (
    STATUS_NAMES,
    published_assessment,
    round_assessment,
    rounds_table,
)
from scoring.store import Store, default_db_path, open_store
from scoring.validate import Findings

from .demo import seed_demo

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RoundView:
    """One round as the app shows it: which version of it, and whether it is final."""

    period: str
    status: str
    revision: int | None

    @property
    def label(self) -> str:
        if self.status == "published":
            return f"{self.period} · {STATUS_NAMES['published']} 第 {self.revision} 版"
        return f"{self.period} · {STATUS_NAMES[self.status]}(初步结果,未发布)"


def db_path() -> Path:
    return default_db_path()


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    store = open_store(path)
    if not os.environ.get("ASSESS_NO_DEMO"):
        seed_demo(store)
    return store


def store() -> Store:
    return _store(str(db_path()))


def version() -> int:
    """Changes whenever anything in the store changes (every write leaves an audit entry)."""
    return int(store().db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0])


def is_demo() -> bool:
    row = store().db.execute("SELECT 1 FROM audit WHERE action = 'demo.seed' LIMIT 1").fetchone()
    return row is not None


@st.cache_resource(show_spinner=False, max_entries=4)
def _everything(path: str, stamp: int) -> tuple[Assessment | None, tuple[RoundView, ...]]:
    s = _store(path)
    table = rounds_table(s)
    if table.empty:
        return None, ()
    parts, views = [], []
    for r in table.itertuples():
        if r.status == "published":
            result, rev = published_assessment(s, r.period)
        else:
            result, rev = round_assessment(s, r.period, allow_missing=True), None
        parts.append(result)
        views.append(RoundView(r.period, r.status, rev))
    latest = parts[-1]
    scores = Scores(
        units=pd.concat([p.scores.units for p in parts], ignore_index=True),
        dimensions=pd.concat([p.scores.dimensions for p in parts], ignore_index=True),
        checks=pd.concat([p.scores.checks for p in parts], ignore_index=True),
        periods=[v.period for v in views],
    )
    findings = Findings(rows=pd.concat([p.findings.rows for p in parts], ignore_index=True), periods=scores.periods)
    return Assessment(latest.rubric, latest.roster, findings, scores, []), tuple(views)


def assessment() -> Assessment | None:
    """Every round in the store: published ones as frozen, the others as preliminary scores."""
    return _everything(str(db_path()), version())[0]


def round_views() -> dict[str, RoundView]:
    return {v.period: v for v in _everything(str(db_path()), version())[1]}


def rubric() -> Rubric | None:
    result = assessment()
    return result.rubric if result else None


@st.cache_data(show_spinner=False, max_entries=16)
def _template(period: str, path: str, stamp: int) -> bytes:
    result = assessment()
    return build_template(result.rubric, result.roster, period)


def template_bytes(period: str) -> bytes:
    """The evaluator's workbook for a round, for the roster and rubric of the latest round."""
    return _template(period, str(db_path()), version())


def shipped_rubric() -> Path:
    return Path(os.environ.get("ASSESS_RUBRIC", ROOT / "rubrics" / "suzhou-2017.yaml"))


def shipped_units() -> Path:
    return Path(os.environ.get("ASSESS_UNITS", ROOT / "sample_data" / "units.csv"))
