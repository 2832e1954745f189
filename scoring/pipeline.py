"""read rubric -> read roster -> read results -> validate -> score: one call for callers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.engine import Scores, score_findings
from scoring.errors import InputError, Issue
from scoring.rubric.load import Rubric, load_rubric, rubric_from_bytes
from scoring.tables import InputFile, SourceInfo, read_result_files
from scoring.tables import read_roster as _read_roster
from scoring.validate import Findings, validate_results

__all__ = [
    "Assessment", "RawResults", "as_input", "as_rubric", "assess", "combine_rounds", "read_results", "read_roster",
    "score",
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


def combine_rounds(parts: list[Assessment]) -> Assessment:
    """Rounds side by side as one assessment, in the given order, with the rubric and roster of the
    last; the check tables are joined only when something asks for them."""
    latest = parts[-1]
    scores = Scores(
        units=pd.concat([p.scores.units for p in parts], ignore_index=True),
        dimensions=pd.concat([p.scores.dimensions for p in parts], ignore_index=True),
        checks=lambda: pd.concat([p.scores.checks for p in parts], ignore_index=True),
        periods=[period for p in parts for period in p.scores.periods],
    )
    findings = Findings(rows=pd.concat([p.findings.rows for p in parts], ignore_index=True), periods=scores.periods)
    return Assessment(latest.rubric, latest.roster, findings, scores, [])
