"""The national new-media inspection (rubrics/gov-newmedia-2019.yaml): an account not updated for
15 days is measured from its posts by `assess records` (stale_accounts, 14 days) and fails the
inspection outright, with no score; one updated 14 days before is scored. Hand-worked."""

from __future__ import annotations

import datetime as dt
import math

from helpers import ROOT, csv_file, run, unit_row
from scoring import load_rubric, read_roster
from scoring.records.run import compute_records

NEWMEDIA = load_rubric(ROOT / "rubrics" / "gov-newmedia-2019.yaml")
ACCOUNTS = [
    ("A1", "甲县发布(微信)", "newmedia"),
    ("A2", "乙县发布(微博)", "newmedia"),
    ("A3", "丙县发布(抖音)", "newmedia"),
]
TO = dt.date(2019, 6, 30)


def test_an_account_not_updated_for_15_days_is_failed_unscored_and_ranked_last():
    accounts = csv_file("accounts.csv", ["account_id", "unit_id", "platform", "name"],
                        [("W1", "A1", "微信", "甲县发布"), ("W2", "A2", "微博", "乙县发布"), ("W3", "A3", "抖音", "丙县发布")])  # fmt: skip
    posts = csv_file("posts.csv", ["account_id", "published_at", "title"],
                     [("W1", "2019-06-15", "15 天前"),  # 06-30 − 06-15 = 15 > 14: not updated within two weeks
                      ("W2", "2019-06-16", "14 天前"),  # 14 days: not more than 14, still updated
                      ("W3", "2019-06-29", "昨天")])  # fmt: skip
    roster = csv_file("units.csv", ["unit_id", "name", "group"], ACCOUNTS)
    measured = compute_records(NEWMEDIA, read_roster(roster), "2019H1", dt.date(2019, 1, 1), TO,
                               accounts=accounts, posts=[posts]).rows  # fmt: skip
    values = dict(zip(measured["unit_id"], measured["value"].astype(str), strict=True))
    assert values == {"A1": "1", "A2": "0", "A3": "0"}
    rows = [(u, "NV2.1", values[u]) for u in values]
    rows += [(u, c, "0") for u, _, _ in ACCOUNTS for c in ("NV1.1", "NV3.1")]
    # A2 lost 12.5 points of deductions (records 125 tenths), A3 none
    rows += [("A1", "ND1.1", "0"), ("A1", "ND1.2", "0"), ("A2", "ND1.1", "125"), ("A2", "ND1.2", "0"),
             ("A3", "ND1.1", "0"), ("A3", "ND1.2", "0")]  # fmt: skip
    r = run(NEWMEDIA, [("2019H1", *row) for row in rows], ACCOUNTS, allow_missing=False)
    a1 = unit_row(r, "A1", "2019H1")
    assert math.isnan(a1["score"]) and (a1["grade"], a1["vetoed"], a1["rank"], a1["rank_of"]) == ("不合格", True, 3, 3)
    a2 = unit_row(r, "A2", "2019H1")
    assert (a2["score"], a2["grade"], a2["rank"]) == (87.5, "合格", 2)
    assert (unit_row(r, "A3", "2019H1")["score"], unit_row(r, "A3", "2019H1")["rank"]) == (100, 1)
