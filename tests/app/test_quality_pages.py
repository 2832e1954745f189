"""Issue 33 in the app (AppTest): 指标质量 for the office, and 抽查复核 with its reconciliation on 评分一致性."""

import os

import numpy as np
import pandas as pd
import pytest
from test_app import db, open_page, seeded_db  # noqa: F401

from helpers import ROOT
from scoring.robustness.audit import audit_round
from scoring.robustness.recheck import draw_sample
from scoring.store import open_store
from scoring.store.rounds import round_assessment, round_rows

pytestmark = pytest.mark.usefixtures("db")


def stored():
    return open_store(os.environ["ASSESS_DB"])


def test_the_quality_page_shows_the_stored_rounds_audit():
    at = open_page("quality", "admin")
    assert not at.exception and not at.error
    at.selectbox(key="quality_period").set_value("2018Q1").run()
    table = at.dataframe[0].value
    table = table.data if hasattr(table, "data") else table  # a Styler: the frame under it
    assert list(table.columns[:3]) == ["轨道", "一级指标", "测评点编码"] and "提示" in table.columns
    expected = audit_round(round_assessment(stored(), "2018Q1")).checks
    expected = expected[expected["period"] == "2018Q1"].set_index("check_id")
    got = table.set_index("测评点编码")
    assert got["满分占比%"].to_dict() == (expected["full_share"] * 100).round(1).to_dict()
    assert (got["提示"] != "").sum() == (expected["flags"] != "").sum() > 0
    assert any("个有提示" in c.value for c in at.caption)
    at.toggle(key="quality_only_flagged").set_value(True).run()
    only = at.dataframe[0].value
    only = only.data if hasattr(only, "data") else only
    assert len(only) == (expected["flags"] != "").sum() and (only["提示"] != "").all()
    dims = at.dataframe[1].value
    assert "Cronbach's α" in dims.columns and len(dims) > 0


def test_a_leader_does_not_find_the_quality_page():
    at = open_page(None, "leader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("ui/pages/quality.py")


def test_the_recheck_sample_and_the_reconciliation_on_the_agreement_page():
    at = open_page("agreement", "admin")
    at.selectbox(key="agreement_period").set_value("2018Q1").run()
    at.number_input(key="recheck_size").set_value(40).run()
    at.number_input(key="recheck_seed").set_value(3).run()
    assert not at.exception and not at.error
    store = stored()
    sample, strata = draw_sample(round_assessment(store, "2018Q1"), round_rows(store, "2018Q1")[2], "2018Q1", 40, 3)
    assert any(f"将抽取 {len(sample)} 项(共 {len(strata)} 层" in c.value for c in at.caption)
    # the re-checker agrees everywhere but on two binary results of the sample
    frame = pd.read_csv(ROOT / "sample_data" / "results" / "2018Q1.csv", dtype=str, keep_default_na=False)
    second = frame.merge(sample[["unit_id", "check_id"]], on=["unit_id", "check_id"])
    binary = np.flatnonzero(second["value"].isin(["0", "1"]).to_numpy())[:2]
    second.loc[binary, "value"] = second.loc[binary, "value"].map({"0": "1", "1": "0"})
    at.file_uploader(key="agreement_file").set_value(("复核.csv", second.to_csv(index=False).encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    listed = at.dataframe[1].value
    assert len(listed) == 2
    assert list(listed.columns[:4]) == ["单位", "测评点", "计分方法", "原结果"]
    assert set(listed["原结果"] + listed["复核结果"]) <= {"10", "01"}
    assert (listed["单位原得分"] != listed["按复核结果的单位得分"]).all()
