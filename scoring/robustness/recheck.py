"""抽查复核 (issue 33): a re-check sample of a round's recorded findings, drawn fairly and
reproducibly, and the reconciliation of a second evaluator's values with the first.

The sample is of (period, unit, check) results that hold a recorded value (scored or 不涉及), in
strata of evaluator × peer group × method. Every non-empty stratum gives one result; the rest of
the sample is shared out in proportion to what each stratum has left (largest remainders), so a
stratum is never over-drawn and the total is the size asked for (or the number of strata, when
that is larger). Within a stratum the results with the smallest draws of ``numpy``'s Generator
are taken, the population first put in (period, unit, check) order: the same stored round and the
same seed give the same sample.

The reconciliation re-scores the round with every differing value taken at the second
evaluator's: it says, per differing result, both values, the points each earns, and the unit's
score and rank in the track before and after (all of that unit's differences taken together,
since one score holds them all).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from scoring.engine import score_findings
from scoring.pipeline import Assessment
from scoring.validate import validate_results
from scoring.words import METHOD_NAMES
from scoring.workbooks.template import build_template
from scoring.workbooks.xlsx import append_text_safe, reproducible

__all__ = [
    "NO_EVALUATOR",
    "RECONCILE_COLUMNS",
    "SAMPLE_COLUMNS",
    "STRATA_SHEET",
    "allocate",
    "differing",
    "draw_sample",
    "reconcile",
    "sample_workbook",
]

NO_EVALUATOR = "(未填写测评人)"
SAMPLE_COLUMNS = ["period", "unit_id", "check_id", "evaluator", "group", "method"]
STRATA_SHEET = "抽样分层"
RECONCILE_COLUMNS = [
    "period", "track", "unit_id", "unit_name", "check_id", "check_name", "method", "first", "second",
    "earned_first", "earned_second", "score_before", "score_after", "rank_before", "rank_after", "changed_in_unit",
]  # fmt: skip
# the reference values compared as numbers for the counted and measured methods (as agreement does)
_NUMERIC = ("ratio", "deduct", "bonus", "deadline")


def allocate(counts: np.ndarray, size: int) -> np.ndarray:
    """How many to draw from each stratum: one from each non-empty one, the rest in proportion to
    what each has left, by largest remainders (ties to the earlier stratum); never more than it holds."""
    counts = np.asarray(counts, dtype=np.int64)
    take = (counts > 0).astype(np.int64)
    left = counts - take
    extra = min(max(size - int(take.sum()), 0), int(left.sum()))
    if extra == 0:
        return take
    quota = left * extra / left.sum()
    whole = np.minimum(np.floor(quota).astype(np.int64), left)
    short = extra - int(whole.sum())
    if short > 0:
        room = whole < left
        order = np.lexsort((np.arange(len(counts)), -(quota - whole)))
        order = order[room[order]][:short]
        whole[order] += 1
    return take + whole


def _population(result: Assessment, rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """The period's results holding a recorded value, with their evaluator, group and method."""
    c = result.scores.checks
    held = c[(c["period"].astype(str) == period) & (c["status"].astype(str) != "missing")]
    pop = pd.DataFrame({"period": period, "unit_id": held["unit_id"].astype(str).to_numpy(),
                        "check_id": held["check_id"].astype(str).to_numpy(),
                        "method": held["method"].astype(str).to_numpy()})  # fmt: skip
    r = rows[rows["period"].astype(str) == period]
    ev = r["evaluator"].astype(object).where(r["evaluator"].notna(), "").astype(str).str.strip()
    named = pd.DataFrame({"unit_id": r["unit_id"].astype(str), "check_id": r["check_id"].astype(str), "evaluator": ev})
    # several rows of a counted check may name several people: the first named, in the order stored
    named = named[named["evaluator"] != ""].drop_duplicates(["unit_id", "check_id"])
    pop = pop.merge(named, on=["unit_id", "check_id"], how="left")
    pop["evaluator"] = pop["evaluator"].fillna(NO_EVALUATOR)
    groups = result.roster.set_index("unit_id")["group"]
    pop["group"] = pop["unit_id"].map(groups).astype(str)
    return pop.sort_values(["unit_id", "check_id"], kind="stable").reset_index(drop=True)[SAMPLE_COLUMNS]


def draw_sample(
    result: Assessment, rows: pd.DataFrame, period: str, size: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the sample, its strata: evaluator, group, method, population, sampled) of one period.

    ``rows`` are the findings as stored or read (``period, unit_id, check_id, evaluator`` at least)."""
    pop = _population(result, rows, period)
    keys = ["evaluator", "group", "method"]
    stratum, strata = pd.MultiIndex.from_frame(pop[keys]).factorize(sort=True)
    counts = np.bincount(stratum, minlength=len(strata))
    want = allocate(counts, size)
    draw = np.random.default_rng(seed).random(len(pop))
    order = np.lexsort((draw, stratum))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    position = np.empty(len(pop), dtype=np.int64)
    position[order] = np.arange(len(pop)) - starts[stratum[order]]
    sample = pop[position < want[stratum]].reset_index(drop=True)
    table = strata.to_frame(index=False, name=keys).assign(population=counts, sampled=want)
    return sample, table


def sample_workbook(result: Assessment, period: str, sample: pd.DataFrame, strata: pd.DataFrame, seed: int) -> bytes:
    """The evaluators' template of the sampled results alone, the recorded values not shown, and
    a sheet of the strata (who and what was sampled, out of how many)."""
    help_text = [
        "抽查复核填写说明",
        f"1. 本工作簿是 {period} 期测评结果的抽查样本:共 {len(sample)} 项,"
        f"按测评人 × 分组 × 计分方法分层抽取(随机种子 {seed},同一种子抽出同一样本)。",
        "2. 请独立复核每一项,只在黄色的「结果」列填写您的结果;原测评结果不在本表中。",
        "3. 「结果」可填的值见每行的「可填值」列;不涉及的填「不涉及」。",
        "4. 填好后交考核办,在「评分一致性」页面上传(或 assess agreement),"
        "系统比较两次结果,列出不一致的各项及其对单位得分和排名的影响。",
        "5. 请勿修改表头、期次、单位编码和测评点编码。",
    ]
    data = build_template(result.rubric, result.roster, period, only=sample, help_text=help_text)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.create_sheet(STRATA_SHEET)
    append_text_safe(ws, ["测评人", "分组", "计分方法", "结果数", "抽取数"])
    groups = result.rubric.groups
    for r in strata.itertuples(index=False):  # a row per stratum: a few dozen
        append_text_safe(ws, [r.evaluator, groups.get(r.group, r.group), METHOD_NAMES.get(r.method, r.method),
                              int(r.population), int(r.sampled)])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def _rebuilt_rows(result: Assessment, replace: pd.DataFrame) -> pd.DataFrame:
    """The round as result rows again, one per recorded result (its normalised value, which the
    validator reads back as the same value), with ``replace``'s values in place of the first."""
    c = result.scores.checks
    held = c["status"].astype(str) != "missing"
    frame = pd.DataFrame({"period": c["period"].astype(str), "unit_id": c["unit_id"].astype(str),
                          "check_id": c["check_id"].astype(str), "value": c["value"].astype(str)})[held]  # fmt: skip
    frame = frame.merge(replace[["period", "unit_id", "check_id", "second"]], how="left")
    frame["value"] = frame["second"].where(frame["second"].notna(), frame["value"])
    frame = frame.drop(columns="second").reset_index(drop=True)
    return frame.assign(evidence="", _file="复核", _sheet="", _row=np.arange(2, len(frame) + 2))


def _recorded(result: Assessment) -> pd.DataFrame:
    """(period, unit_id, check_id, method, value) of every result holding a recorded value."""
    c = result.scores.checks
    held = (c["status"].astype(str) != "missing").to_numpy()
    return pd.DataFrame(
        {k: c[k].astype(str).to_numpy()[held] for k in ("period", "unit_id", "check_id", "method", "value")}
    )


def differing(first: Assessment, second: Assessment) -> pd.DataFrame:
    """(period, unit_id, check_id, method, first, second) of the results both hold with different
    values: numbers compared as numbers, and 不涉及 (NA) or 未答复 against a value is a difference too."""
    both = _recorded(first).merge(
        _recorded(second), on=["period", "unit_id", "check_id", "method"], suffixes=("_a", "_b")
    )
    a, b = both["value_a"], both["value_b"]
    numeric = both["method"].isin(_NUMERIC).to_numpy()
    x, y = pd.to_numeric(a, errors="coerce").to_numpy(), pd.to_numeric(b, errors="coerce").to_numpy()
    # a count or rate on both sides is compared as a number (0.8 is 80%); anything else as text
    as_numbers = numeric & ~np.isnan(x) & ~np.isnan(y)
    same = np.where(as_numbers, np.isclose(x, y, rtol=0, atol=1e-12), (a == b).to_numpy())
    out = both[~same].rename(columns={"value_a": "first", "value_b": "second"})
    return out.reset_index(drop=True)


def reconcile(first: Assessment, second: Assessment) -> pd.DataFrame:
    """The results whose second value differs from the first (:func:`differing`), with both values,
    the points each earns, and the unit's track score and rank before and after taking every
    second value."""
    differ = differing(first, second)
    if differ.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    rubric, roster = first.rubric, first.roster
    rows = _rebuilt_rows(first, differ)
    findings = validate_results(rubric, roster, rows, allow_missing=True)
    after = score_findings(rubric, roster, findings)
    key = ["period", "unit_id", "check_id"]
    c0 = first.scores.checks
    c1 = after.checks
    earned = lambda c: pd.DataFrame({k: c[k].astype(str) for k in key}).assign(earned=c["earned"].to_numpy())  # noqa: E731
    out = differ.merge(earned(c0).rename(columns={"earned": "earned_first"}), on=key, how="left")
    out = out.merge(earned(c1).rename(columns={"earned": "earned_second"}), on=key, how="left")
    meta = rubric.checks.set_index("check_id")
    out["track"] = out["check_id"].map(meta["track_id"])
    out["check_name"] = out["check_id"].map(meta["check_name"])
    unit = ["period", "track", "unit_id"]

    def scores(u: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({k: u[k].astype(str) for k in unit}).assign(
            score=u["score"].to_numpy(), rank=u["rank"].to_numpy(), unit_name=u["unit_name"].astype(str).to_numpy()
        )

    before_t = scores(first.scores.units).rename(columns={"score": "score_before", "rank": "rank_before"})
    after_t = (
        scores(after.units).drop(columns="unit_name").rename(columns={"score": "score_after", "rank": "rank_after"})
    )
    out = out.merge(before_t, on=unit, how="left").merge(after_t, on=unit, how="left")
    out["changed_in_unit"] = out.groupby(unit)["check_id"].transform("size")
    order = rubric.checks["check_id"].tolist()
    out["_o"] = out["check_id"].map({c: i for i, c in enumerate(order)})
    out = out.sort_values(["period", "unit_id", "_o"], kind="stable")
    return out[RECONCILE_COLUMNS].reset_index(drop=True)
