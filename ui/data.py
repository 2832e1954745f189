"""Where the app's data comes from: the evaluation store, cached on its last audit entry.

The store is ``ASSESS_DB`` or ``data/assess.db`` under the working directory. In demo mode
(``ASSESS_DEMO=1``) it is ``data/demo.db``, filled with the demo rounds and fresh demo accounts, so
that the app needs no configuration; ``ASSESS_DEMO=gov-website-2019`` shows the national inspection
of 2019 instead, in ``data/demo-gov-website-2019.db``. Every change to the rounds writes an audit entry, so the
newest such entry (``Store.data_version``) is a cache key that changes exactly when the data does.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from scoring import Rubric, build_template, load_rubric, read_roster
from scoring.pipeline import Assessment, checks_of, combine_rounds, narrowed, without_findings
from scoring.store import Store, default_db_path, open_store
from scoring.store.content import content_history, visible_part
from scoring.store.publish import load_round, published_scores, revision_digests, snapshot_stamp
from scoring.store.rounds import STATUS_NAMES, round_setup, rounds_table
from scoring.store.users import User
from scoring.views.completeness import provisional, round_progress
from scoring.views.explain import missing_results, unsupported_losses
from scoring.views.rectification import rectification

from .demo import demo_accounts, seed_demo
from .demo import demo_credentials as credentials_of
from .demo_national import RUBRIC_ID as NATIONAL_DEMO
from .demo_national import seed_national_demo
from .glossary import LABEL

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RoundView:
    """One round as the app shows it: which version of it, and whether it is final."""

    period: str
    status: str
    revision: int | None
    digest: str = ""  # the published revision's digest (发布摘要), empty before publication
    rubric: tuple[str, str] = ("", "")  # the rubric it was scored under: id and version
    open_appeals: int = 0  # appeals filed and not yet decided

    @property
    def label(self) -> str:
        if self.status == "published":
            return LABEL["round_published"].format(period=self.period, status=STATUS_NAMES["published"],
                                                   revision=self.revision)  # fmt: skip
        return LABEL["round_preliminary"].format(period=self.period, status=STATUS_NAMES[self.status])


def demo_mode() -> bool:
    """演示模式, only when asked for with ASSESS_DEMO=1 (or the id of a demo rubric, below)."""
    return os.environ.get("ASSESS_DEMO", "") not in ("", "0")


def demo_rubric() -> str:
    """Which assessment the demo shows: ``ASSESS_DEMO=gov-website-2019`` the national inspection of
    2019 on the demo's websites; any other value the city's own work plan."""
    return NATIONAL_DEMO if os.environ.get("ASSESS_DEMO", "") == NATIONAL_DEMO else ""


def db_path() -> Path | str:
    # the demo lives in its own file, so demo rounds and accounts never mix with real ones
    if demo_mode() and not os.environ.get("ASSESS_DB"):
        # each demo assessment in its own file: rounds of two rubrics are never ranked together
        return Path.cwd() / "data" / (f"demo-{demo_rubric()}.db" if demo_rubric() else "demo.db")
    return default_db_path()


@st.cache_resource(show_spinner=False)
def _store(path: str, demo: bool) -> Store:
    store = open_store(path)
    if demo:
        if demo_rubric() == NATIONAL_DEMO:
            seed_national_demo(store)
        else:
            seed_demo(store)
        demo_accounts(store)
    # the rounds are loaded while the first person signs in, not when they open their first page
    warm = threading.Thread(target=_warm, args=(path,), name="assess-warm-up", daemon=True)
    add_script_run_ctx(warm)
    warm.start()
    return store


def _warm(path: str) -> None:
    try:
        stamp = _store(path, demo_mode()).data_version()
        views = _rounds(path, stamp)
        _setup(path, stamp)
        # what leaders and units open first (published rounds, read as frozen: quick), then the
        # draft rounds that only the office and evaluators see (scored: seconds for a province)
        _combined(path, stamp, tuple(v.period for v in views if v.status == "published"))
        _combined(path, stamp, tuple(v.period for v in views))
    except ScriptControlException:
        # this thread carries the first session's run context (so the caches know it); while it
        # waits for a cache another run is filling, Streamlit polls that session's stop request and
        # raises StopException here once the run has ended (st.stop, st.rerun, the server's
        # shutdown): a warm-up nobody waits for any more simply ends, as the page loads on demand
        return
    except Exception:  # a page that needs the rounds will meet the same problem and show it
        logging.getLogger(__name__).exception("loading the rounds ahead of the first page failed")


def store() -> Store:
    return _store(str(db_path()), demo_mode())


def demo_credentials() -> pd.DataFrame:
    """The demo accounts with their passwords (demo mode only), the same in every app process."""
    return credentials_of(store())


def version() -> int:
    """Changes whenever the rounds in the store change, and not when someone signs in."""
    return store().data_version()


# What depends only on the store's contents is cached once for every session (st.cache_resource),
# keyed by the store's state; each person's view is filtered from it on demand (issue 21).


@st.cache_resource(show_spinner=False, max_entries=64)
def _frozen(path: str, period: str, revision: int, stamp: str) -> Assessment:
    # a published revision never changes: its kept tables are loaded once per process, never rescored
    return published_scores(_store(path, demo_mode()), period, revision)


@st.cache_resource(show_spinner=False, max_entries=4)
def _preliminary(path: str, period: str, version: int) -> Assessment:
    # the findings are dropped once scored: the views read the score tables only; a unit whose
    # results are incomplete has no score, rank or grade before publication (issue 29)
    return without_findings(provisional(load_round(_store(path, demo_mode()), period, None)))


def _cached_round(store: Store, period: str, revision: int | None) -> Assessment:
    path = str(store.path)
    if revision is None:
        return _preliminary(path, period, store.data_version())
    return _frozen(path, period, revision, snapshot_stamp(store, period, revision))


@st.cache_resource(show_spinner=False, max_entries=4)
def _rounds(path: str, stamp: int) -> tuple[RoundView, ...]:
    store = _store(path, demo_mode())
    t = rounds_table(store)
    d = revision_digests(store)
    digests = {(p, int(r)): g for p, r, g in zip(d["period"], d["revision"], d["digest"], strict=True)}
    views = []
    for r in t.itertuples():
        revision = int(r.revision) if r.status == "published" else None
        views.append(RoundView(r.period, r.status, revision, digests.get((r.period, revision)) or "",
                               (r.rubric_id, r.rubric_version), int(r.open_appeals)))  # fmt: skip
    return tuple(views)


@st.cache_resource(show_spinner=False, max_entries=8)
def _combined(path: str, stamp: int, periods: tuple[str, ...]) -> Assessment | None:
    """These rounds side by side (published ones as frozen); the check tables stay per round."""
    store = _store(path, demo_mode())
    views = {v.period: v for v in _rounds(path, stamp)}
    parts = [_cached_round(store, p, views[p].revision) for p in periods]
    return combine_rounds(parts) if parts else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _tables(path: str, stamp: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = _store(path, demo_mode())
    return rounds_table(store), revision_digests(store)


def accounts() -> pd.DataFrame:
    """Every account (name, role, unit_id …), for showing who did what."""
    from scoring.store.accounts import list_users

    return list_users(store())


def rounds_overview() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rounds table and every revision's digest, read once per change of the store."""
    return _tables(str(db_path()), version())


def assessment() -> Assessment | None:
    """Every round in the store: published ones as frozen, the others as preliminary scores."""
    path, stamp = str(db_path()), version()
    return _combined(path, stamp, tuple(v.period for v in _rounds(path, stamp)))


def round_views() -> dict[str, RoundView]:
    return {v.period: v for v in _rounds(str(db_path()), version())}


@st.cache_resource(show_spinner=False, max_entries=4)
def _setup(path: str, stamp: int) -> tuple[Rubric, pd.DataFrame] | None:
    # the rubric and roster only: a draft round of a province is never scored to name its units (issue 34)
    views = _rounds(path, stamp)
    return round_setup(_store(path, demo_mode()), views[-1].period) if views else None


def rubric() -> Rubric | None:
    """The rubric of the newest round (what the office scores the next round with)."""
    newest = _setup(str(db_path()), version())
    return newest[0] if newest is not None else None


def roster() -> pd.DataFrame:
    """The newest round's units (unit_id, name, group); empty before the first import."""
    newest = _setup(str(db_path()), version())
    return newest[1] if newest is not None else pd.DataFrame(columns=["unit_id", "name", "group"])


@st.cache_data(show_spinner=False, max_entries=16)
def _template(period: str, rubric_path: str, units_path: str, stamp: tuple[float, float]) -> bytes:
    rubric = load_rubric(rubric_path)
    return build_template(rubric, read_roster(units_path, rubric), period)


def template_bytes(period: str) -> bytes:
    """The evaluator's workbook for a round: the rubric and roster that uploads are checked against."""
    rubric, units = shipped_rubric(), shipped_units()
    return _template(period, str(rubric), str(units), (rubric.stat().st_mtime, units.stat().st_mtime))


def shipped_rubric() -> Path:
    shipped = f"{demo_rubric()}.yaml" if demo_rubric() else "suzhou-2017.yaml"
    return Path(os.environ.get("ASSESS_RUBRIC", ROOT / "rubrics" / shipped))


def shipped_units() -> Path:
    shipped = f"units-{demo_rubric()}.csv" if demo_rubric() else "units.csv"
    return Path(os.environ.get("ASSESS_UNITS", ROOT / "sample_data" / shipped))


@st.cache_resource(show_spinner=False, max_entries=16)
def _rectification(path: str, stamp: int, shown: tuple[str, ...], period: str, before: str,
                   units: tuple[str, ...]) -> pd.DataFrame:  # fmt: skip
    combined = _combined(path, stamp, shown)
    return rectification(checks_of(combined.scores, [before, period], list(units)), period, before, list(units))


@st.cache_resource(show_spinner=False, max_entries=2)
def _content_history(path: str, stamp: int) -> pd.DataFrame:
    # every monitor run leaves an audit entry, so the stamp changes when the history can (1.5 s to
    # build at 500 units × 30 runs: once per run, not on every visit of 网站监测)
    return content_history(_store(path, demo_mode()))


def content_fixes_history(user: User | None) -> pd.DataFrame:
    """The monitor's content findings this user may see (scoring.store.content.visible_history), from
    one copy kept for every session until the next run."""
    return visible_part(_content_history(str(db_path()), version()), user)


@st.cache_resource(show_spinner=False, max_entries=16)
def _progress(path: str, stamp: int, period: str) -> tuple[int, int]:
    store_ = _store(path, demo_mode())
    views = {v.period: v for v in _rounds(path, stamp)}
    return round_progress(_cached_round(store_, period, views[period].revision).scores, period)


def progress(period: str) -> tuple[int, int]:
    """How many of a round's applicable results are recorded, of how many (issue 29)."""
    return _progress(str(db_path()), version(), period)


def rectification_table(visible: dict[str, RoundView], period: str, before: str, units: list[str]) -> pd.DataFrame:
    """What became of the earlier round's lost points, for these units: the same for every reader
    of these rounds (the page is for the office, evaluators and leaders, who see every unit), so it
    is computed once for all of them."""
    return _rectification(str(db_path()), version(), tuple(visible), period, before, tuple(units))


@st.cache_resource(show_spinner=False, max_entries=8)
def _gaps(path: str, stamp: int, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    one = narrowed(assessment(), periods=[period])
    return missing_results(one, period), unsupported_losses(one, [period])


def round_gaps(period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Before publication: per unit the results still missing, and the losses with no evidence."""
    return _gaps(str(db_path()), version(), period)


def view(user) -> tuple[Assessment | None, dict[str, RoundView]]:
    """What this user may see: the scoped rounds, and which rounds (with their status) those are.

    Only the rounds the user may see are loaded (a leader never waits for a draft round to be
    scored); the filtering per person is on the small unit and dimension tables, and on a check
    table only when a page asks for it.
    """
    from scoring.store.access import scoped, visible_periods

    views = round_views()
    statuses = {p: v.status for p, v in views.items()}
    visible = {p: views[p] for p in visible_periods(user, statuses)}
    combined = _combined(str(db_path()), version(), tuple(visible))
    return scoped(user, combined, statuses), visible


def demo_sites() -> pd.DataFrame:
    """Demo mode: the sites file of the demo's loopback websites (started on first use)."""
    from .demo import demo_sites as sites

    return sites()


def demo_as_of():
    """Demo mode: the date the demo's websites are dated against."""
    from .demo import DEMO_AS_OF

    return DEMO_AS_OF


def demo_records(period: str) -> dict[str, list[Path]]:
    """Demo mode: the bundled platform exports a round reads (every file up to its quarter)."""
    from .demo import demo_records_files

    return demo_records_files(period)


def whole_round(period: str) -> Assessment:
    """A round as stored, unscoped: what ranks and rank intervals are computed against (only
    ranks, never other units' findings, reach a page from it)."""
    store_ = store()
    views = round_views()
    return _cached_round(store_, period, views[period].revision)


@st.cache_resource(show_spinner=False, max_entries=16)
def _intervals(path: str, stamp: int, period: str) -> pd.DataFrame:
    from scoring.robustness.sensitivity import overlaps_next, rank_intervals

    store_ = _store(path, demo_mode())
    views = {v.period: v for v in _rounds(path, stamp)}
    out = rank_intervals(_cached_round(store_, period, views[period].revision), periods=[period])
    return out.assign(overlaps_next=overlaps_next(out))


def rank_intervals_for(period: str) -> pd.DataFrame:
    """Each ranked unit's p05–p95 rank when the dimension weights move by ±25% (1,000 runs), and
    whether it overlaps the next unit's; computed once per store state."""
    return _intervals(str(db_path()), version(), period)


@st.cache_data(show_spinner=False, max_entries=256)
def _priorities(path: str, stamp: int, period: str, unit: str) -> pd.DataFrame:
    from scoring.views.whatif import fix_priorities

    store_ = _store(path, demo_mode())
    views = {v.period: v for v in _rounds(path, stamp)}
    return fix_priorities(_cached_round(store_, period, views[period].revision), unit, period)


def fix_priorities_for(unit: str, period: str) -> pd.DataFrame:
    """The unit's 整改优先级 in a round, computed once per store state (a page revisited is instant)."""
    return _priorities(str(db_path()), version(), period, unit)
