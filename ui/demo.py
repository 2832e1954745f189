"""Fill an empty store with the demo rounds, so that a first start shows a living assessment.

2017Q3–2018Q1 are published; 2018Q2 is in its appeal window with one appeal waiting for review.
All of it is demo data (see sample_data/generate.py) and the store records that it is.
"""

from __future__ import annotations

from pathlib import Path

from scoring.rounds import file_appeal, import_results, publish, set_status
from scoring.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEMO_ACTOR = "演示数据"


def seed_demo(store: Store) -> bool:
    """Seed only a store that has never held anything; True if it did."""
    if store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]:
        return False
    rubric = ROOT / "rubrics" / "suzhou-2017.yaml"
    units = ROOT / "sample_data" / "units.csv"
    rounds = sorted((ROOT / "sample_data" / "results").glob("*.xlsx"))
    import_results(store, rubric, units, rounds, DEMO_ACTOR)
    periods = [p.stem for p in rounds]
    for period in periods:
        set_status(store, period, "feedback", DEMO_ACTOR)
        set_status(store, period, "appeal", DEMO_ACTOR)
    for period in periods[:-1]:
        publish(store, period, DEMO_ACTOR)
    file_appeal(
        store, periods[-1], "341322", "GK3.2.1",
        "测评所指“通知公告”栏目已于测评前更新,测评时因缓存显示旧页面", "截图 萧县-通知公告-更新记录.png", "萧县人民政府",
    )  # fmt: skip
    with store.transaction():
        store.audit(DEMO_ACTOR, "demo.seed", "store", "demo rounds 2017Q3–2018Q2 loaded")
    return True
