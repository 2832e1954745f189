"""What the monitor read on the sites, kept run by run (SPEC 4a), and the office's wrong-words list.

Insert-only: a content run is its period, time, who ran it, the words-list version it used and the
units whose pages it read whole; beside it, the findings it saw. Nothing is ever marked fixed: a
finding's first and last run, and the run that fixed it (已整改), are asked of these rows.

Episodes. The runs that read a unit whole are the only ones that can say a finding is gone, so a
finding (unit, key) is followed along those runs (and any other run that saw it): a stretch of
runs that saw it is one episode, which is fixed as of the first covering run after it that did not.
A finding that comes back after being fixed starts a new episode, counted as new (新发现) again:
the circular counts what is on the site now, and the earlier episode stays in the history as fixed.
A unit that a later run did not read whole keeps its findings open (nothing can tell they are gone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.store.access import authorize, require
from scoring.store.db import Store, now
from scoring.store.users import User
from scoring.tables import InputFile
from scoring.words_list import read_words_list, words_csv

__all__ = ["CONTENT_STATUSES", "WordsVersion", "content_history", "insert_content", "latest_words", "run_counts",
           "save_words", "visible_history", "visible_part", "words_version", "words_versions"]  # fmt: skip

# relative to the unit's latest covering run: seen there for the first time, seen there and before,
# gone there, gone in an earlier run
CONTENT_STATUSES = ("new", "still", "fixed", "fixed_before")
_FINDING = ["unit_id", "rule", "url", "found", "context", "severity", "key"]
# belt and braces: the rules mask ID numbers already, but a store that repeats one in full would
# make every page and annex a second leak; any 18-character run that could be one is masked again
_ID_LIKE = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{12}([0-9]{1}[0-9Xx])(?![0-9])")


def _masked(text: pd.Series) -> pd.Series:
    return text.astype(str).str.replace(_ID_LIKE, lambda m: f"{m[1]}{'*' * 12}{m[2]}", regex=True)


@dataclass(frozen=True)
class WordsVersion:
    id: int
    sha256: str
    name: str
    saved_at: str
    saved_by: str
    words: pd.DataFrame  # wrong, right, severity


def save_words(store: Store, words: pd.DataFrame, name: str, user: User) -> int:
    """Keep a version of the office's words list (already checked: scoring.words_list); its id. The
    list as it stands saved again is no new version; an earlier list saved again is (it is current again)."""
    authorize(store, user, "monitor", "words")
    text = words_csv(words)
    digest = InputFile(name, text).sha256
    with store.transaction():
        row = store.db.execute("SELECT id, sha256 FROM words_version ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None and row[1] == digest:
            return int(row[0])
        new = store.db.execute(
            "INSERT INTO words_version(sha256, name, text, entries, saved_at, saved_by) VALUES (?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (digest, name, text.decode("utf-8"), len(words), now(), user.name),
        ).fetchone()[0]
        store.audit(user.name, "words.save", name, f"version {new}, {len(words)} entries, sha256 {digest[:16]}")
    return int(new)


def _version(store: Store, where: str, args: tuple) -> WordsVersion | None:
    row = store.db.execute(
        f"SELECT id, sha256, name, text, saved_at, saved_by FROM words_version {where} ORDER BY id DESC LIMIT 1", args
    ).fetchone()
    if row is None:
        return None
    words = read_words_list(InputFile(f"{row[2]}.csv", str(row[3]).encode("utf-8")))
    return WordsVersion(int(row[0]), str(row[1]), str(row[2]), str(row[4]), str(row[5]), words)


def latest_words(store: Store) -> WordsVersion | None:
    """The newest version of the words list, which a run uses when it is given no file."""
    return _version(store, "", ())


def words_version(store: Store, version_id: int) -> WordsVersion | None:
    """One version, to replay the run that used it."""
    return _version(store, "WHERE id = ?", (version_id,))


def words_versions(store: Store) -> pd.DataFrame:
    """Every version, newest first: id, name, entries, saved_at, saved_by, sha256."""
    rows = store.db.execute(
        "SELECT id, name, entries, saved_at, saved_by, sha256 FROM words_version ORDER BY id DESC"
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", "name", "entries", "saved_at", "saved_by", "sha256"])


def insert_content(store: Store, period: str, content: pd.DataFrame, units: list[str], user: User,
                   words_id: int | None) -> int:  # fmt: skip
    """Add one content run inside the caller's transaction (the monitor's record_run); its id."""
    run_id = store.db.execute(
        "INSERT INTO content_run(period, at, run_by, words_id) VALUES (?, ?, ?, ?) RETURNING id",
        (period, now(), user.name, words_id),
    ).fetchone()[0]
    store.db.executemany("INSERT INTO content_unit(run_id, unit_id) VALUES (?, ?)",
                         [(run_id, u) for u in dict.fromkeys(units)])  # fmt: skip
    seen = content[_FINDING].drop_duplicates(["unit_id", "key"])
    seen = seen.assign(found=_masked(seen["found"]), context=_masked(seen["context"]))
    store.db.executemany(
        "INSERT INTO content_finding(run_id, unit_id, finding_key, rule, url, found, context, severity) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, *map(str, r)) for r in seen[["unit_id", "key", "rule", "url", "found", "context", "severity"]]
         .itertuples(index=False)],
    )  # fmt: skip
    return int(run_id)


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


def content_history(store: Store, units: list[str] | None = None) -> pd.DataFrame:
    """One row per episode of a finding, of the given units (None: all), newest unit runs first:
    unit_id, rule, key, url, found, context, severity (as last seen), first_run, first_at, last_run,
    last_at, fixed_run, fixed_at (0 and "" while open), latest_run (the unit's newest covering run),
    status (CONTENT_STATUSES). Times are UTC ISO; runs are content_run ids, in the order they ran."""
    where, args = ("", ()) if units is None else (f" WHERE unit_id IN ({_placeholders(len(units))})", tuple(units))
    if units is not None and not units:
        return _empty_history()
    runs = pd.DataFrame([tuple(r) for r in store.db.execute("SELECT id, at FROM content_run").fetchall()],
                        columns=["run", "at"])  # fmt: skip
    covered = pd.DataFrame([tuple(r) for r in store.db.execute("SELECT run_id, unit_id FROM content_unit" + where,
                                                                args).fetchall()], columns=["run", "unit_id"])  # fmt: skip
    seen = pd.DataFrame(
        [tuple(r) for r in store.db.execute(
            "SELECT run_id, unit_id, finding_key, rule, url, found, context, severity FROM content_finding" + where,
            args).fetchall()],
        columns=["run", "unit_id", "key", "rule", "url", "found", "context", "severity"],
    )  # fmt: skip
    if seen.empty:
        return _empty_history()
    # every covering run of the unit from the finding's first sighting on, and every run that saw it
    first_seen = seen.groupby(["unit_id", "key"], as_index=False)["run"].min().rename(columns={"run": "since"})
    grid = first_seen.merge(covered, on="unit_id")
    grid = grid.loc[grid["run"] >= grid["since"], ["unit_id", "key", "run"]]
    grid = pd.concat([grid, seen[["unit_id", "key", "run"]]]).drop_duplicates().sort_values(["unit_id", "key", "run"])
    grid = grid.merge(seen[["unit_id", "key", "run"]].assign(hit=True), on=["unit_id", "key", "run"], how="left")
    grid["hit"] = grid["hit"].fillna(False).astype(bool)
    pair = grid["unit_id"] + "\0" + grid["key"]
    same = pair.eq(pair.shift())
    # gaps and islands: an episode begins at a sighting whose previous row (same finding) was a miss or absent
    begins = grid["hit"] & ~(same & grid["hit"].shift(fill_value=False))
    grid["episode"] = begins.cumsum()
    # a miss after an episode's last sighting, before the next episode, belongs to it: the first such fixes it
    grid["episode"] = grid["episode"].where(same | begins, 0)
    hits = grid[grid["hit"]]
    episodes = hits.groupby("episode").agg(unit_id=("unit_id", "first"), key=("key", "first"),
                                           first_run=("run", "min"), last_run=("run", "max"))  # fmt: skip
    misses = grid[~grid["hit"] & (grid["episode"] > 0)]
    misses = misses[misses["run"].to_numpy() > episodes["last_run"].reindex(misses["episode"]).to_numpy()]
    episodes["fixed_run"] = misses.groupby("episode")["run"].min().reindex(episodes.index).fillna(0).astype(int)
    latest = pd.concat([covered, seen[["run", "unit_id"]]]).groupby("unit_id")["run"].max()
    episodes["latest_run"] = episodes["unit_id"].map(latest).astype(int)
    last = seen.merge(episodes[["unit_id", "key", "last_run"]], left_on=["unit_id", "key", "run"],
                      right_on=["unit_id", "key", "last_run"])  # fmt: skip
    out = episodes.reset_index(drop=True).merge(
        last[["unit_id", "key", "last_run", "rule", "url", "found", "context", "severity"]],
        on=["unit_id", "key", "last_run"],
    )
    at = runs.set_index("run")["at"]
    out["status"] = np.select(
        [out["last_run"] == out["latest_run"], out["fixed_run"] == out["latest_run"]],
        [np.where(out["first_run"] == out["latest_run"], "new", "still"), "fixed"],
        "fixed_before",
    )
    # a unit whose newest run did not read it whole: its open findings stay open (shown as still there)
    out["status"] = np.where((out["fixed_run"] == 0) & (out["status"] == "fixed_before"), "still", out["status"])
    out = out.assign(first_at=out["first_run"].map(at), last_at=out["last_run"].map(at),
                     fixed_at=out["fixed_run"].map(at).fillna(""))  # fmt: skip
    return out.sort_values(["unit_id", "status", "first_run", "key"], key=_status_order).reset_index(drop=True)[
        _HISTORY
    ]


_HISTORY = ["unit_id", "status", "rule", "key", "url", "found", "context", "severity", "first_run", "first_at",
            "last_run", "last_at", "fixed_run", "fixed_at", "latest_run"]  # fmt: skip


def _status_order(col: pd.Series) -> pd.Series:
    return col.map({s: i for i, s in enumerate(CONTENT_STATUSES)}) if col.name == "status" else col


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=_HISTORY)


def visible_history(store: Store, user: User | None) -> pd.DataFrame:
    """content_history as this user may see it: the office and the evaluators every unit's, a unit
    account its own only; anyone else is refused (AccessDenied)."""
    require(user, "content_fixes")
    return content_history(store, [user.unit_id] if user.role == "unit" else None)  # type: ignore[union-attr]


def visible_part(history: pd.DataFrame, user: User | None) -> pd.DataFrame:
    """visible_history taken from every unit's content_history (one the app keeps for all sessions):
    a unit's episodes depend on its own runs only, so its rows of the whole are its own history."""
    require(user, "content_fixes")
    if user.role != "unit":  # type: ignore[union-attr]
        return history
    return history[history["unit_id"] == user.unit_id].reset_index(drop=True)  # type: ignore[union-attr]


def run_counts(store: Store, run_id: int) -> dict[str, int]:
    """What one run changed: findings it saw first (new), saw again (still) and no longer saw on a
    unit it read whole (fixed). A finding seen again after being fixed counts as new."""
    units = [str(r[0]) for r in store.db.execute(
        "SELECT unit_id FROM content_unit WHERE run_id = ? UNION SELECT unit_id FROM content_finding WHERE run_id = ?",
        (run_id, run_id)).fetchall()]  # fmt: skip
    history = content_history(store, units)
    seen = pd.DataFrame([tuple(r) for r in store.db.execute(
        "SELECT unit_id, finding_key FROM content_finding WHERE run_id = ?", (run_id,)).fetchall()],
        columns=["unit_id", "key"])  # fmt: skip
    here = history[["unit_id", "key"]].merge(seen.assign(here=True), how="left")["here"].fillna(False).to_numpy(bool)
    return {
        "new": int((history["first_run"] == run_id).sum()),
        "still": int((here & (history["first_run"] < run_id) & (history["last_run"] >= run_id)).sum()),
        "fixed": int((history["fixed_run"] == run_id).sum()),
    }
