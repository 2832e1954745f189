"""read rubric -> read roster -> read results -> validate -> score: one call for callers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from scoring.engine import Scores, score_findings
from scoring.errors import InputError, Issue
from scoring.rubric.load import Rubric, load_rubric, rubric_from_bytes
from scoring.tables import InputFile, SourceInfo, read_result_files
from scoring.tables import read_roster as _read_roster
from scoring.validate import Findings, validate_results

__all__ = [
    "Assessment",
    "RawResults",
    "RoundsScores",
    "ScopedScores",
    "as_input",
    "as_rubric",
    "assess",
    "checks_of",
    "combine_rounds",
    "concat_frames",
    "narrowed",
    "read_results",
    "read_roster",
    "score",
    "without_findings",
]  # fmt: skip

FileLike = str | Path | InputFile


def as_input(f: FileLike) -> InputFile:
    return f if isinstance(f, InputFile) else InputFile.from_path(f)


@dataclass(frozen=True)
class RawResults:
    """Result rows as read, their files, and the problems met while reading."""

    rows: pd.DataFrame
    sources: list[SourceInfo]
    issues: list[Issue]


@dataclass(frozen=True)
class Assessment:
    """Everything one scoring run used and produced."""

    rubric: Rubric
    roster: pd.DataFrame
    findings: Findings
    scores: Scores
    sources: list[SourceInfo]


def read_roster(f: FileLike, rubric: Rubric | None = None) -> pd.DataFrame:
    """The unit roster; with a rubric, groups and the rubric's unit lists are checked too."""
    src = as_input(f)
    roster = _read_roster(src, rubric.groups if rubric is not None else None)
    if rubric is not None:
        issues = rubric.roster_issues(roster, src.name)
        if issues:
            raise InputError(issues)
    roster.attrs["source"] = SourceInfo(path=src.name, sha256=src.sha256, rows=len(roster), role="units")
    return roster


def read_results(files: list[FileLike], *, pending_allowed: bool = False) -> RawResults:
    """Every results row of every file; reading problems are collected, not raised. With
    ``pending_allowed`` (the store's import), an empty result is a row not yet recorded."""
    inputs: list[InputFile] = []
    issues: list[Issue] = []
    first: dict[object, tuple[int, str]] = {}
    for n, f in enumerate(files, 1):
        try:
            src = as_input(f)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        # the same file twice would count every deduction twice (SPEC extension 2a)
        earlier = first.get(_identity(f)) or first.get(src.sha256)
        if earlier is not None:
            issues.append(Issue(code="same-file-twice", file=src.name, message=(
                f"第 {n} 个结果文件与第 {earlier[0]} 个({earlier[1]})是同一个文件"
                f"{'' if _identity(f) in first else '(内容完全相同)'};同一文件只能给一次,否则结果会重复计算")))  # fmt: skip
            continue
        first.setdefault(_identity(f), (n, src.name))
        first.setdefault(src.sha256, (n, src.name))
        inputs.append(src)
    rows, sources, read_issues = read_result_files(inputs, pending_allowed=pending_allowed)
    return RawResults(rows=rows, sources=sources, issues=issues + read_issues)


def _identity(f: FileLike) -> object:
    """What makes two arguments one file: the resolved path, or an upload's name and bytes."""
    if isinstance(f, InputFile):
        return ("upload", f.name, f.sha256)
    return ("path", str(Path(f).resolve()))


def score(rubric: Rubric, roster: pd.DataFrame, findings: Findings) -> Scores:
    """Unit, dimension and check scores for every period of the findings."""
    return score_findings(rubric, roster, findings)


def assess(
    rubric: FileLike | Rubric,
    units: FileLike,
    results: list[FileLike],
    *,
    allow_missing: bool = False,
) -> Assessment:
    """The whole run; raises InputError with every problem of every input at once."""
    issues: list[Issue] = []
    rub: Rubric | None = None
    roster: pd.DataFrame | None = None
    try:
        rub = as_rubric(rubric)
    except InputError as exc:
        issues.extend(exc.issues)
    try:
        roster = read_roster(units, rub)
    except InputError as exc:
        issues.extend(exc.issues)
    raw = read_results(results)
    if rub is None or roster is None:
        raise InputError(issues + raw.issues)
    findings = validate_results(rub, roster, raw.rows, allow_missing=allow_missing, prior_issues=issues + raw.issues)
    sources = [roster.attrs["source"], *raw.sources]
    return Assessment(rub, roster, findings, score_findings(rub, roster, findings), sources)


def as_rubric(f: FileLike | Rubric) -> Rubric:
    """A rubric given as a validated Rubric, a path, or an uploaded file."""
    if isinstance(f, Rubric):
        return f
    if isinstance(f, InputFile):
        return rubric_from_bytes(f.data, f.name)
    return load_rubric(f)


class RoundsScores(Scores):
    """Several rounds' scores side by side. Their check tables stay apart, one per round, so that a
    caller who needs one round or one unit (:func:`checks_of`) never joins a province's four
    rounds into one table of millions of rows."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Scores]) -> None:
        super().__init__(
            units=pd.concat([p.units for p in parts], ignore_index=True),
            dimensions=pd.concat([p.dimensions for p in parts], ignore_index=True),
            checks=lambda: concat_frames([p.checks for p in parts]),
            periods=[period for p in parts for period in p.periods],
        )
        self.parts = parts


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames one under another; a column categorical in each stays categorical (pandas would turn
    rounds with different category lists into Python objects, ten times the memory)."""
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    out = {}
    for name in frames[0].columns:
        cols = [f[name] for f in frames]
        if all(isinstance(c.dtype, pd.CategoricalDtype) for c in cols):
            # a unit's rows use a few of a round's 40,000 values: merge only the categories in use
            cols = [c.cat.remove_unused_categories() if len(c) < len(c.cat.categories) else c for c in cols]
            out[name] = pd.Series(union_categoricals([c.cat.as_unordered() for c in cols], ignore_order=True))
        else:
            out[name] = pd.concat(cols, ignore_index=True)
    return pd.DataFrame(out)


class ScopedScores(Scores):
    """Another Scores seen through a filter on periods and units: its check table is the source's
    rows that pass, built on first use from only the rounds the filter lets through."""

    __slots__ = ("only_periods", "only_units", "source")

    def __init__(self, source: Scores, units: pd.DataFrame, dimensions: pd.DataFrame, periods: list[str],
                 only_periods: list[str] | None = None, only_units: list[str] | None = None) -> None:  # fmt: skip
        super().__init__(units, dimensions, checks=lambda: checks_of(source, only_periods, only_units), periods=periods)
        self.source, self.only_periods, self.only_units = source, only_periods, only_units


def _both(a: list[str] | None, b: list[str] | None) -> list[str] | None:
    if a is None or b is None:
        return b if a is None else a
    keep = set(b)
    return [x for x in a if x in keep]


def checks_of(scores: Scores, periods: list[str] | None = None, units: list[str] | None = None) -> pd.DataFrame:
    """The check rows of these periods and units (all when None), touching only the rounds asked for."""
    if isinstance(scores, ScopedScores):
        return checks_of(scores.source, _both(scores.only_periods, periods), _both(scores.only_units, units))
    parts = scores.parts if isinstance(scores, RoundsScores) else [scores]
    wanted = None if periods is None else set(periods)
    picked = []
    for part in parts:
        if wanted is not None and not wanted & set(part.periods):
            continue
        c = part.checks
        keep = np.ones(len(c), dtype=bool)
        if wanted is not None and not set(part.periods) <= wanted:
            keep &= c["period"].isin(list(wanted)).to_numpy()
        if units is not None:
            keep &= c["unit_id"].isin(list(units)).to_numpy()
        picked.append(c if keep.all() else c[keep])
    if not picked:
        return parts[0].checks.iloc[0:0] if parts else pd.DataFrame()
    return concat_frames(picked)


def narrowed(result: Assessment, periods: list[str] | None = None, units: list[str] | None = None) -> Assessment:
    """The same assessment whose check table holds only these periods and units: what a unit's page
    or a comparison of two rounds needs, built from those rows alone."""
    s = result.scores
    scores = ScopedScores(s, s.units, s.dimensions, s.periods, periods, units)
    return Assessment(result.rubric, result.roster, result.findings, scores, result.sources)


def without_findings(result: Assessment) -> Assessment:
    """The assessment without its validated rows, kept for as long as a cache holds the scores."""
    findings = Findings(rows=result.findings.rows.iloc[0:0], periods=result.findings.periods)
    return Assessment(result.rubric, result.roster, findings, result.scores, result.sources)


def combine_rounds(parts: list[Assessment]) -> Assessment:
    """Rounds side by side as one assessment, in the given order, with the rubric and roster of the
    last; the check tables are joined only when something asks for them."""
    latest = parts[-1]
    scores = RoundsScores([p.scores for p in parts])
    findings = Findings(rows=pd.concat([p.findings.rows for p in parts], ignore_index=True), periods=scores.periods)
    return Assessment(latest.rubric, latest.roster, findings, scores, [])
