"""The values an evaluator may record, per scoring method (SPEC §1, 'Scoring methods')."""

from __future__ import annotations

__all__ = ["FAIL_TOKENS", "NA_LABEL", "NA_TOKENS", "PASS_TOKENS", "UNANSWERED_TOKENS", "accepted_values"]

# matched after trimming, case-insensitively
PASS_TOKENS = ("1", "true", "yes", "y", "pass", "是", "通过")
FAIL_TOKENS = ("0", "false", "no", "n", "fail", "否", "未通过")
NA_TOKENS = ("na", "n/a", "不涉及", "不适用")
NA_LABEL = "NA"
UNANSWERED_TOKENS = ("未答复", "unanswered")  # a deadline never met (SPEC extension 1a)

_NA_HINT = ";或不涉及/不适用/NA(须是该单位该测评点本期唯一的一行)"


def accepted_values(method: str, levels: dict[str, float] | None = None) -> str:
    """What a method accepts, in words an evaluator can act on."""
    if method == "binary":
        text = "通过填 1/是/通过/true/yes/y/pass,不通过填 0/否/未通过/false/no/n/fail"
    elif method == "veto":
        text = "发生否决情形填 1/是/true/yes,未发生填 0/否/false/no"
    elif method == "levels":
        text = "以下等级之一:" + "、".join(levels or {})
    elif method == "ratio":
        text = "0 到 1 之间的数(如 0.85)或百分数(如 85%)"
    elif method == "deadline":
        text = "收到与答复日期(如 2017-09-04/2017-09-22)、用时工作日数(如 14)或 未答复/unanswered"
    else:
        text = "0 到 1000000000 之间的整数(发现的问题条数,如 3),用数字书写,不用科学计数法"
    return text + _NA_HINT


def dropdown_values(method: str, levels: dict[str, float] | None = None) -> list[str] | None:
    """The template's in-cell drop-down for a method, or None where a number is typed."""
    if method == "binary":
        return ["通过", "未通过", "不涉及"]
    if method == "veto":
        return ["否", "是", "不涉及"]
    if method == "levels":
        return [*(levels or {}), "不涉及"]
    return None
