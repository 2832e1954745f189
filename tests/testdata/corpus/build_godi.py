"""Rebuild the Global Open Data Index corpus from the index's own published files.

    python tests/testdata/corpus/build_godi.py API_DIR

API_DIR holds ``places.csv``, ``questions.csv``, ``entries/2014.csv`` and ``entries/2015.csv`` as the
index published them under ``api/`` (okfn/opendataindex, commit 375ded874fcdce9fc8a2465b1c34465ae8e2b330).
It writes, beside this script, one folder per published table: a rubric in our format, the roster,
the survey's answers as results rows, and the published scores and ranks to reproduce
(see SOURCE.md). The answers are copied verbatim (Yes / No / Unsure); only our format is added.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
LEVELS = "{Yes: 1, No: 0, Unsure: 0}"


def _questions(api: Path) -> list[tuple[str, int, str]]:
    q = pd.read_csv(api / "questions.csv", dtype=str, keep_default_na=False)
    return [(r.id, int(r.score), r.question) for r in q.itertuples()]


def _checks(dataset: str, questions: list[tuple[str, int, str]], indent: str, units: list[str] | None) -> str:
    scope = "" if units is None else f"{indent}  units: [{', '.join(units)}]\n"
    return "".join(
        f'{indent}- id: {dataset}.{qid}\n{indent}  name: "{name}"\n{indent}  method: levels\n'
        f"{indent}  points: {points}\n{indent}  levels: {LEVELS}\n{scope}"
        for qid, points, name in questions
    )


def _header(rubric_id: str, title: str, note: str) -> str:
    return (
        f"# {note}\n# Built by build_godi.py from the Global Open Data Index's published files; see SOURCE.md.\n"
        f'id: {rubric_id}\ntitle: "{title}"\nversion: "1"\nsource: Open Knowledge, Global Open Data Index\n'
        "target:\n  total_points: 100\nrounding:\n  decimals: 0\nranking:\n  by: rounded\n  method: competition\n"
        "groups:\n  place: 国家和地区\n"
    )


def _results(entries: pd.DataFrame, period: str, questions, out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["period", "unit_id", "check_id", "value", "evidence"])
        for e in entries.itertuples():
            for qid, _, _ in questions:
                w.writerow([period, e.place, f"{e.dataset}.{qid}", getattr(e, qid),
                            e.url if qid == "exists" and e.url != "None" else ""])  # fmt: skip


def _roster(places: pd.DataFrame, ids, out: Path) -> None:
    chosen = places[places["id"].isin(set(ids))].sort_values("id")
    chosen.assign(group="place")[["id", "name", "group"]].rename(columns={"id": "unit_id"}).to_csv(
        out, index=False, lineterminator="\n"
    )


def places_2015(api: Path, places: pd.DataFrame, questions) -> None:
    """The 2015 place ranking: a place's score is the mean of its 13 dataset scores, rounded."""
    out = HERE / "godi-2015-places"
    out.mkdir(exist_ok=True)
    entries = pd.read_csv(api / "entries" / "2015.csv", dtype=str, keep_default_na=False)
    datasets = sorted(entries["dataset"].unique())
    text = _header(
        "godi-2015-places",
        "Global Open Data Index 2015 国家和地区排名",
        "Each dataset is a dimension; each of its nine questions a check weighted as the index weighs it.",
    )
    text += "tracks:\n  - id: index\n    name: 开放数据指数\n    kind: other\n    weight: 1\n    dimensions:\n"
    for d in datasets:
        text += (
            f"      - id: {d}\n        name: {d}\n        indicators:\n          - id: {d}.q\n            name: {d}\n"
        )
        text += "            checks:\n" + _checks(d, questions, "              ", None)
    (out / "rubric.yaml").write_text(text, encoding="utf-8")
    _roster(places, entries["place"], out / "units.csv")
    _results(entries.sort_values(["place", "dataset"]), "2015", questions, out / "results.csv")
    published = places[places["id"].isin(set(entries["place"]))][["id", "score", "rank"]]
    published.rename(columns={"id": "unit_id"}).sort_values("unit_id").to_csv(
        out / "published.csv", index=False, lineterminator="\n"
    )


def datasets_2014(api: Path, places: pd.DataFrame, questions) -> None:
    """The 2014 dataset rankings: one track per dataset, the places surveyed for it ranked by its score."""
    out = HERE / "godi-2014-datasets"
    out.mkdir(exist_ok=True)
    entries = pd.read_csv(api / "entries" / "2014.csv", dtype=str, keep_default_na=False)
    datasets = sorted(entries["dataset"].unique())
    everyone = set(entries["place"])
    text = _header(
        "godi-2014-datasets",
        "Global Open Data Index 2014 各数据集排名",
        "Each dataset is a track, ranked on its own; its nine questions are checks weighted as the index weighs them.",
    )
    text += "tracks:\n"
    for d in datasets:
        surveyed = sorted(entries.loc[entries["dataset"] == d, "place"])
        units = None if set(surveyed) == everyone else surveyed
        text += (f"  - id: {d}\n    name: {d}\n    kind: other\n    weight: {1 / len(datasets):g}\n    dimensions:\n"
                 f"      - id: {d}.d\n        name: {d}\n        indicators:\n          - id: {d}.i\n"
                 f"            name: {d}\n            checks:\n")  # fmt: skip
        text += _checks(d, questions, "              ", units)
    (out / "rubric.yaml").write_text(text, encoding="utf-8")
    _roster(places, entries["place"], out / "units.csv")
    _results(entries.sort_values(["place", "dataset"]), "2014", questions, out / "results.csv")
    entries[["dataset", "place", "score", "rank"]].rename(columns={"dataset": "track", "place": "unit_id"}).sort_values(
        ["track", "unit_id"]
    ).to_csv(out / "published.csv", index=False, lineterminator="\n")


def main() -> None:
    api = Path(sys.argv[1])
    places = pd.read_csv(api / "places.csv", dtype=str, keep_default_na=False)
    questions = _questions(api)
    places_2015(api, places, questions)
    datasets_2014(api, places, questions)


if __name__ == "__main__":
    main()
