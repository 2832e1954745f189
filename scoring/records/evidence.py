"""The evidence text of a records row: the counts behind the value and the records that cost points."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SHOWN_IDS", "evidence_texts"]

SHOWN_IDS = 5  # record ids named in a row's evidence (SPEC extension 6)

# measure -> (what the denominator counts, what the numerator counts, what the shown records are)
WORDS = {
    "on_time_rate": ("办结 {d} 件", "按期办结 {n} 件", "逾期"),
    "overdue_cases": (
        "办结及未办结 {d} 件",
        "逾期 {n} 件(逾期办结 {finished_late} 件,超期未办结 {open_late} 件)",
        "逾期",
    ),
    "online_rate": ("受理 {d} 件", "网上办理(含移动端){n} 件", "线下办理"),
    "instant_rate": ("受理 {d} 件", "即办件 {n} 件", "非即办"),
    "one_visit_rate": ("受理且记录跑动次数 {d} 件", "跑动不超过 {max_visits} 次 {n} 件", "跑动超过 {max_visits} 次"),
    "time_reduction": ("事项 {d} 个", "平均压缩承诺时限 {pct}", "压缩最少"),
    "satisfaction": ("评价 {d} 条", "基本满意及以上 {n} 条", "差评"),
    "bad_fixed_on_time": ("应整改差评 {d} 条", "{days} 个工作日内整改 {n} 条", "未按期整改"),
    "callback_rate": ("差评 {d} 条", "已回访 {n} 条", "未回访"),
    "rating_coverage": ("办结 {d} 件", "有评价 {n} 件", "无评价"),
    "stale_accounts": ("账号 {d} 个", "超过 {days} 天未更新 {n} 个", "未更新"),
}
# the counter word of what a measure's records are: cases 件, ratings 条, items and accounts 个
COUNTER = {m: "件" for m in WORDS} | {m: "条" for m in ("satisfaction", "bad_fixed_on_time", "callback_rate")}
COUNTER |= {"time_reduction": "个", "stale_accounts": "个"}
NONE = {
    "on_time_rate": "期内没有办结的办件",
    "overdue_cases": "期内没有办结的办件,截止日也没有未办结的办件",
    "online_rate": "期内没有受理的办件",
    "instant_rate": "期内没有受理的办件",
    "one_visit_rate": "期内受理的办件都没有记录跑动次数",
    "time_reduction": "期内受理的办件没有填写法定时限的事项",
    "satisfaction": "期内没有评价",
    "bad_fixed_on_time": "期内没有已到整改期限或已整改的差评",
    "callback_rate": "期内没有差评",
    "rating_coverage": "期内没有办结的办件",
    "stale_accounts": "单位没有政务新媒体账号",
}


def _ids(lost: pd.DataFrame, measure: str) -> pd.Series:
    """unit -> the first records that cost points, joined, with how many more there are."""
    if lost.empty:
        return pd.Series(dtype=object)
    shown = lost.groupby("unit", sort=False).head(SHOWN_IDS)
    if measure == "time_reduction":
        names = shown["id"] + "(" + (100 * shown["cut"]).map("{:.1f}%".format) + ")"
    else:
        names = shown["id"]
    return names.groupby(shown["unit"], sort=False).agg("、".join)


def evidence_texts(measure: str, params: dict, units: np.ndarray, m) -> list[str]:
    """One evidence text per unit position in ``units``."""
    den_w, num_w, lost_w = WORDS[measure]
    shown = _ids(m.lost, measure)
    out = []
    # a loop over the rows written (one per unit), not over records
    for u in units:
        d = int(m.denominator[u])
        if d == 0:
            out.append(f"无记录:{NONE[measure]}")
            continue
        n = m.numerator[u]
        fields = {"d": f"{d:,}", "n": f"{round(n):,}", **params,
                  **{k: f"{int(v[u]):,}" for k, v in m.parts.items()}}  # fmt: skip
        if measure == "time_reduction":
            fields["pct"] = f"{100 * n / d:.1f}%"
        text = f"{den_w.format(**fields)},{num_w.format(**fields)}"
        more = int(m.lost_count[u])
        if more and u in shown.index:
            rest = more - min(more, SHOWN_IDS)
            tail = f" 等 {more:,} {COUNTER[measure]}" if rest else ""
            text += f";{lost_w.format(**fields)}:{shown[u]}{tail}"
        out.append(text)
    return out
