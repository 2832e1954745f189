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


def _ids(lost: pd.DataFrame, measure: str) -> dict[int, str]:
    """unit -> the first records that cost points, joined (``lost`` holds each unit's rows together,
    worst first). Only those few ids become Python strings."""
    if lost.empty:
        return {}
    units = lost["unit"].to_numpy()
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    sizes = np.diff(np.r_[starts, len(units)])
    rank = np.arange(len(units)) - np.repeat(starts, sizes)
    picked = np.flatnonzero(rank < SHOWN_IDS)
    names = lost["id"].iloc[picked].astype(object).to_numpy()
    if measure == "time_reduction":
        cuts = (100 * lost["cut"].to_numpy()[picked]).tolist()
        names = [f"{n}({c:.1f}%)" for n, c in zip(names, cuts, strict=True)]
    shown = np.minimum(sizes, SHOWN_IDS)
    ends = np.cumsum(shown)
    # a loop over units (the rows written), not over records
    return {int(units[a]): "、".join(names[e - n : e]) for a, n, e in zip(starts, shown, ends, strict=True)}


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
        if more and u in shown:
            rest = more - min(more, SHOWN_IDS)
            tail = f" 等 {more:,} {COUNTER[measure]}" if rest else ""
            text += f";{lost_w.format(**fields)}:{shown[u]}{tail}"
        out.append(text)
    return out
