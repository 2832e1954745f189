"""Where the app's data comes from: the evaluation store, cached on its last audit entry.

The store is ``ASSESS_DB`` or ``data/assess.db`` under the working directory. In demo mode
(``ASSESS_DEMO=1``) it is ``data/demo.db``, filled with the demo rounds and fresh demo accounts, so
that the app needs no configuration. Every change to the rounds writes an audit entry, so the
newest such entry (``Store.data_version``) is a cache key that changes exactly when the data does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from scoring import Rubric, build_template, load_rubric, read_roster
from scoring.pipeline import Assessment
from scoring.store import Store, default_db_path, open_store
from scoring.store.publish import all_rounds, load_round, revision_digests, snapshot_stamp
from scoring.store.rounds import STATUS_NAMES, rounds_table

from .demo import demo_accounts, seed_demo
from .glossary import CREDENTIAL_COLUMNS, LABEL

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RoundView:
    """One round as the app shows it: which version of it, and whether it is final."""

    period: str
    status: str
    revision: int | None
    digest: str = ""  # the published revision's digest (发布摘要), empty before publication
    rubric: tuple[str, str] = ("", "")  # the rubric it was scored under: id and version

    @property
    def label(self) -> str:
        if self.status == "published":
            return LABEL["round_published"].format(period=self.period, status=STATUS_NAMES["published"],
                                                   revision=self.revision)  # fmt: skip
        return LABEL["round_preliminary"].format(period=self.period, status=STATUS_NAMES[self.status])


def demo_mode() -> bool:
    """演示模式, only when asked for with ASSESS_DEMO=1."""
    return os.environ.get("ASSESS_DEMO", "") not in ("", "0")


def db_path() -> Path:
    # the demo lives in its own file, so demo rounds and accounts never mix with real ones
    if demo_mode() and not os.environ.get("ASSESS_DB"):
        return Path.cwd() / "data" / "demo.db"
    return default_db_path()


@st.cache_resource(show_spinner=False)
def _store(path: str, demo: bool) -> tuple[Store, pd.DataFrame]:
    store = open_store(path)
    credentials = pd.DataFrame(columns=CREDENTIAL_COLUMNS)
    if demo:
        seed_demo(store)
        credentials = demo_accounts(store)
    return store, credentials


def store() -> Store:
    return _store(str(db_path()), demo_mode())[0]


def demo_credentials() -> pd.DataFrame:
    """The demo accounts made at this start, with their passwords (demo mode only)."""
    return _store(str(db_path()), demo_mode())[1]


def version() -> int:
    """Changes whenever the rounds in the store change, and not when someone signs in."""
    return store().data_version()


@st.cache_resource(show_spinner=False, max_entries=64)
def _frozen(path: str, period: str, revision: int, stamp: str) -> Assessment:
    # a published revision never changes: it is computed once per process, not on every change
    return load_round(_store(path, demo_mode())[0], period, revision)


@st.cache_resource(show_spinner=False, max_entries=16)
def _preliminary(path: str, period: str, version: int) -> Assessment:
    return load_round(_store(path, demo_mode())[0], period, None)


def _cached_round(store: Store, period: str, revision: int | None) -> Assessment:
    path = str(store.path)
    if revision is None:
        return _preliminary(path, period, store.data_version())
    return _frozen(path, period, revision, snapshot_stamp(store, period, revision))


@st.cache_resource(show_spinner=False, max_entries=4)
def _everything(path: str, stamp: int) -> tuple[Assessment | None, tuple[RoundView, ...]]:
    store = _store(path, demo_mode())[0]
    result, rounds = all_rounds(store, _cached_round)
    d = revision_digests(store)
    digests = {(p, int(r)): g for p, r, g in zip(d["period"], d["revision"], d["digest"], strict=True)}
    t = rounds_table(store).set_index("period")
    return result, tuple(RoundView(p, s, rev, digests.get((p, rev)) or "", (t.loc[p, "rubric_id"], t.loc[p, "rubric_version"]))
                         for p, s, rev in rounds)  # fmt: skip


def assessment() -> Assessment | None:
    """Every round in the store: published ones as frozen, the others as preliminary scores."""
    return _everything(str(db_path()), version())[0]


def round_views() -> dict[str, RoundView]:
    return {v.period: v for v in _everything(str(db_path()), version())[1]}


def rubric() -> Rubric | None:
    result = assessment()
    return result.rubric if result else None


@st.cache_data(show_spinner=False, max_entries=16)
def _template(period: str, rubric_path: str, units_path: str, stamp: tuple[float, float]) -> bytes:
    rubric = load_rubric(rubric_path)
    return build_template(rubric, read_roster(units_path, rubric), period)


def template_bytes(period: str) -> bytes:
    """The evaluator's workbook for a round: the rubric and roster that uploads are checked against."""
    rubric, units = shipped_rubric(), shipped_units()
    return _template(period, str(rubric), str(units), (rubric.stat().st_mtime, units.stat().st_mtime))


def shipped_rubric() -> Path:
    return Path(os.environ.get("ASSESS_RUBRIC", ROOT / "rubrics" / "suzhou-2017.yaml"))


def shipped_units() -> Path:
    return Path(os.environ.get("ASSESS_UNITS", ROOT / "sample_data" / "units.csv"))


def view(user) -> tuple[Assessment | None, dict[str, RoundView]]:
    """What this user may see: the scoped rounds, and which rounds (with their status) those are."""
    from scoring.store.access import scoped, visible_periods

    views = round_views()
    statuses = {p: v.status for p, v in views.items()}
    visible = {p: views[p] for p in visible_periods(user, statuses)}
    return scoped(user, assessment(), statuses), visible
