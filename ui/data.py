"""Where the app's data comes from, cached on plain inputs (paths, mtimes, upload bytes).

Defaults are the shipped rubric, roster and demo rounds, so the app needs no configuration;
ASSESS_RUBRIC, ASSESS_UNITS and ASSESS_RESULTS (a glob) point it elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from scoring import InputFile, Rubric, build_template, load_rubric
from scoring.pipeline import Assessment, assess_with_new_rounds

ROOT = Path(__file__).resolve().parent.parent
UPLOADS_KEY = "uploaded_rounds"


@dataclass(frozen=True)
class Sources:
    rubric: Path
    units: Path
    results: tuple[Path, ...]
    demo: bool


def sources() -> Sources:
    rubric = Path(os.environ.get("ASSESS_RUBRIC", ROOT / "rubrics" / "suzhou-2017.yaml"))
    units = Path(os.environ.get("ASSESS_UNITS", ROOT / "sample_data" / "units.csv"))
    pattern = os.environ.get("ASSESS_RESULTS", str(ROOT / "sample_data" / "results" / "*.csv"))
    base = Path(pattern).parent
    results = tuple(sorted(base.glob(Path(pattern).name)))
    return Sources(rubric, units, results, demo="ASSESS_RESULTS" not in os.environ)


def _stamp(p: Path) -> tuple[str, float]:
    return (str(p), p.stat().st_mtime)


@st.cache_resource(show_spinner=False, max_entries=8)
def _assessment(
    rubric: tuple[str, float],
    units: tuple[str, float],
    results: tuple[tuple[str, float], ...],
    uploads: tuple[tuple[str, bytes], ...],
) -> Assessment:
    # the frames are shared between sessions and never modified by the pages
    return assess_with_new_rounds(
        rubric[0], units[0], [r[0] for r in results], [InputFile(n, b) for n, b in uploads], allow_missing=True
    )


def uploads() -> list[InputFile]:
    return list(st.session_state.get(UPLOADS_KEY, []))


def assessment(extra: list[InputFile] | None = None) -> Assessment:
    """The scored rounds: shipped (or configured) files plus the rounds uploaded in this session."""
    src = sources()
    files = uploads() if extra is None else extra
    return _assessment(
        _stamp(src.rubric),
        _stamp(src.units),
        tuple(_stamp(p) for p in src.results),
        tuple((f.name, f.data) for f in files),
    )


@st.cache_resource(show_spinner=False)
def _rubric(path: str, mtime: float) -> Rubric:
    return load_rubric(path)


def rubric() -> Rubric:
    return _rubric(*_stamp(sources().rubric))


@st.cache_data(show_spinner=False, max_entries=16)
def _template(period: str, rubric: tuple[str, float], units: tuple[str, float]) -> bytes:
    result = assessment([])
    return build_template(result.rubric, result.roster, period)


def template_bytes(period: str) -> bytes:
    """The evaluator's workbook for a round, for the roster and rubric in use."""
    src = sources()
    return _template(period, _stamp(src.rubric), _stamp(src.units))
