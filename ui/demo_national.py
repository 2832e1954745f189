"""The national inspection (国办秘函〔2019〕19号) on the demo's fake websites: an office starts the
demo with ``ASSESS_DEMO=gov-website-2019`` and sees its city's sites scored by the national flow
(单项否决 → 不合格 with no score, 扣完为止 per indicator, bonus only above 80, department sites
without services on 75 points × 4/3), in a store of its own so rounds of two rubrics never mix.

One round, 2018Q3, published: the monitor's rows measured on the fake websites (served on
127.0.0.1, 演示网站,非真实) and invented, deterministic hand findings for the rest. Demo data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import InputFile, load_rubric, read_roster
from scoring.monitor import monitor_sites
from scoring.output import csv_bytes
from scoring.store import Store
from scoring.store.probes import home_history, record_run
from scoring.store.publish import publish
from scoring.store.rounds import import_results, open_round, set_status

from .demo import DEMO, DEMO_ACTOR, DEMO_AS_OF, ROOT, demo_sites
from .glossary import NATIONAL_DEMO

RUBRIC_ID = "gov-website-2019"
PERIOD = "2018Q3"
# invented single vetoes, so that the demo shows 不合格 without a score: a department whose 办事指南
# lacks its key elements, and a zone whose consultation column left a message unanswered
VETOED = {("GSJ", "V6.2"), ("MAS", "V5.2")}
# 单项否决 四 was hand-recorded when the demo's findings were first drawn: its checks stay in the draw
# (their values unused, the monitor measures them now) so that every other finding is what it was
DRAWN_THOUGH_MEASURED = {"V4.1", "V4.2", "V4.3"}


def national_paths() -> tuple[str, str]:
    return str(ROOT / "rubrics" / f"{RUBRIC_ID}.yaml"), str(ROOT / "sample_data" / f"units-{RUBRIC_ID}.csv")


def hand_findings(rubric, roster: pd.DataFrame, measured: set[str]) -> pd.DataFrame:
    """What an evaluator records by hand for every check the monitor does not measure: vetoes not
    found (but VETOED), deductions and portals' bonus in tenths of a point, from a fixed seed."""
    rng = np.random.default_rng(2019)
    checks = rubric.checks[~rubric.checks["check_id"].isin(measured - DRAWN_THOUGH_MEASURED)]
    pairs = rubric.applicability(roster).merge(checks[["check_id", "method", "check_order"]], on="check_id")
    pairs = pairs.merge(roster[["unit_id"]].reset_index(), on="unit_id").sort_values(["index", "check_order"])
    tenths = {"D1.1": 120, "D2.4": 260, "B1.1": 160}  # the most an evaluator records, in tenths
    high = pairs["check_id"].map(tenths).fillna(1).to_numpy(dtype=int)
    value = np.where(pairs["method"].eq("veto"), 0, rng.integers(0, high + 1))
    vetoed = [(u, c) in VETOED for u, c in zip(pairs["unit_id"], pairs["check_id"], strict=True)]
    value = np.where(vetoed, 1, value)
    found = pd.DataFrame({"period": PERIOD, "unit_id": pairs["unit_id"].to_numpy(), "check_id": pairs["check_id"].to_numpy(),
                          "value": value.astype(str), "evidence": "", "evaluator": DEMO_ACTOR,
                          "checked_at": DEMO_AS_OF.isoformat()})  # fmt: skip
    return found[~found["check_id"].isin(measured)].reset_index(drop=True)


def seed_national_demo(store: Store) -> bool:
    """Seed only a store that has never held anything; True if it did."""
    if not store.is_empty():
        return False
    rubric_path, units_path = national_paths()
    rubric = load_rubric(rubric_path)
    roster = read_roster(units_path, rubric)
    open_round(store, PERIOD, DEMO, NATIONAL_DEMO["title"])
    run = monitor_sites(rubric, roster, demo_sites(), PERIOD, DEMO_AS_OF, history=home_history(store, PERIOD))
    record_run(store, PERIOD, run, DEMO)
    hand = hand_findings(rubric, roster, set(run.rows["check_id"]))
    files = [InputFile(NATIONAL_DEMO["monitor_file"], csv_bytes(run.rows)),
             InputFile(NATIONAL_DEMO["hand_file"], csv_bytes(hand))]  # fmt: skip
    import_results(store, rubric_path, units_path, files, DEMO)
    set_status(store, PERIOD, "feedback", DEMO)
    set_status(store, PERIOD, "appeal", DEMO)
    publish(store, PERIOD, DEMO)
    with store.transaction():
        store.audit(DEMO_ACTOR, "demo.seed", "store", f"demo round {PERIOD} on {RUBRIC_ID} loaded")
    return True
