"""How far a round's results are recorded, and its unit table as a page may show it before publication.

A round that is still open scores every missing result as 0 (SPEC §1, so that publishing with
gaps is a choice the office sees in figures); shown as a ranking, a draft with most results
missing would rank every unit 不合格 and report falls of 90 points (issue 29). So before
publication a unit whose results on a track are incomplete has no score, rank or grade here: it
is 未测完, with how many of its results are in; the units whose results are all in are ranked
among themselves. A published round is never changed: publishing with missing results is the
office's decision, and its missing count is said beside it (``result_counts``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import Scores
from scoring.pipeline import Assessment

__all__ = ["PROGRESS_COLUMNS", "complete_units", "provisional", "result_counts", "round_progress"]

# what ``provisional`` adds to the unit table of an unpublished round
PROGRESS_COLUMNS = ["recorded", "applicable", "complete"]
# what a unit with incomplete results does not have before publication
_WITHHELD = ["base", "bonus", "score", "grade", "target_points", "base_exact", "bonus_exact", "score_exact",
             "bonus_withheld"]  # fmt: skip


def result_counts(checks: pd.DataFrame) -> pd.DataFrame:
    """Per (period, track, unit_id): ``recorded`` (applicable checks with a result) of ``applicable``."""
    keys = ["period", "track", "unit_id"]
    status = checks["status"].astype(object)
    applicable = (status != "na").to_numpy()
    frame = pd.DataFrame({k: checks[k].astype(object).to_numpy()[applicable] for k in keys})
    frame["recorded"] = (status[applicable] != "missing").to_numpy()
    out = frame.groupby(keys, sort=False)["recorded"].agg(recorded="sum", applicable="size").reset_index()
    return out.astype({"recorded": "int64", "applicable": "int64"})


def round_progress(scores: Scores, period: str) -> tuple[int, int]:
    """How many of a round's applicable results are recorded, and how many there are."""
    c = scores.checks
    status = c.loc[(c["period"] == period).to_numpy(), "status"].astype(object)
    applicable = status != "na"
    return int((applicable & (status != "missing")).sum()), int(applicable.sum())


def provisional(result: Assessment) -> Assessment:
    """An unpublished round's assessment as a page may show it: its unit table carries ``recorded``,
    ``applicable`` and ``complete``; a unit whose results on a track are incomplete has no score,
    grade or rank there (NA), and the complete ones are ranked among themselves (``rank_of`` of
    them), in the engine's order, ties kept. The check and dimension tables are left as scored."""
    s = result.scores
    units = s.units.merge(result_counts(s.checks), on=["period", "track", "unit_id"], how="left")
    units[["recorded", "applicable"]] = units[["recorded", "applicable"]].fillna(0).astype("int64")
    units["complete"] = (units["recorded"] == units["applicable"]).to_numpy()
    done = units["complete"].to_numpy()
    for col in _WITHHELD:
        if col in units.columns:
            units[col] = units[col].where(done)
    group = ["period", "track", "group"]
    ranked = units.loc[done]
    rank = pd.Series(pd.NA, index=units.index, dtype="Int64")
    rank_of = pd.Series(pd.NA, index=units.index, dtype="Int64")
    rank.loc[ranked.index] = ranked.groupby(group, observed=True)["rank"].rank(method="min").astype("int64")
    rank_of.loc[ranked.index] = ranked.groupby(group, observed=True)["rank"].transform("size").astype("int64")
    units["rank"], units["rank_of"] = rank, rank_of
    scores = Scores(units, s.dimensions, s.checks, s.periods)
    return Assessment(result.rubric, result.roster, result.findings, scores, result.sources)


def complete_units(units: pd.DataFrame) -> np.ndarray:
    """Which rows of a unit table have their results complete: every row of a published round
    (no ``complete`` column, or NA where rounds are side by side), the complete ones of an open one."""
    if "complete" not in units.columns:
        return np.ones(len(units), dtype=bool)
    return units["complete"].astype("boolean").fillna(True).to_numpy(dtype=bool)
