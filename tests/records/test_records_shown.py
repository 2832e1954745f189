"""Issue 28: a records run as the 政务服务记录 page shows it, and which exports a round reads."""

from __future__ import annotations

import pandas as pd

from scoring.views.records_shown import files_up_to, records_shown


def test_values_counts_and_the_worst_ids_by_name():
    rows = pd.DataFrame({"unit_id": ["C1", "C1", "C2"], "check_id": ["R1", "R2", "R1"],
                         "value": ["0.750000", "12", "NA"]})  # fmt: skip
    ids = tuple(f"K{i}" for i in range(12))
    detail = pd.DataFrame({"unit_id": ["C1", "C1", "C2"], "check_id": ["R1", "R2", "R1"],
                           "measure": ["on_time_rate", "overdue_cases", "on_time_rate"], "value": [0.75, 12.0, float("nan")],
                           "numerator": [3.0, 12.0, 0.0], "denominator": [4, 1234, 0], "lost": [1, 12, 0],
                           "lost_ids": [("K9",), ids, ()]})  # fmt: skip
    checks = pd.DataFrame(
        {"check_id": ["R1", "R2"], "check_name": ["按期办结率", "逾期办件"], "method": ["ratio", "deduct"]}
    )
    shown = records_shown(rows, detail, pd.Series({"C1": "甲县"}), checks)
    assert shown.to_dict("records") == [
        {"unit": "甲县", "check": "按期办结率", "value": "75%", "numerator": "3", "denominator": "4", "lost": "1",
         "worst": "K9"},
        {"unit": "甲县", "check": "逾期办件", "value": "12 条", "numerator": "12", "denominator": "1,234", "lost": "12",
         "worst": "、".join(ids[:10]) + " 等 12 件"},
        # a unit off the names table keeps its code; no record in the denominator: NA, as elsewhere 不涉及
        {"unit": "C2", "check": "按期办结率", "value": "不涉及", "numerator": "0", "denominator": "0", "lost": "0",
         "worst": ""},
    ]  # fmt: skip


def test_a_round_reads_every_export_up_to_its_quarter(tmp_path):
    names = ["cases_2017Q3.parquet", "cases_2017Q4.csv", "cases_2018Q1.xlsx", "cases_example.csv", "ratings_2017Q4.parquet",
             "accounts.parquet", "posts.csv", "notes.txt", "posts_2017.parquet"]  # fmt: skip
    for n in names:
        (tmp_path / n).write_bytes(b"")
    found = {k: [p.name for p in v] for k, v in files_up_to(tmp_path, "2017Q4").items()}
    assert found == {"cases": ["cases_2017Q3.parquet", "cases_2017Q4.csv"], "ratings": ["ratings_2017Q4.parquet"],
                     "accounts": ["accounts.parquet"], "posts": ["posts.csv"]}  # fmt: skip
