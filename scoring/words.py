"""The Chinese names of every engine code, in one place: what a method, a round's status, a
check's status, a track's kind, a role, an appeal's outcome and a rectification status are
called where people read them (workbooks, the command's messages; the app's own words are in
``ui/glossary.py``, which takes these)."""

from __future__ import annotations

__all__ = [
    "APPEAL_OUTCOMES", "CHECK_STATUS_NAMES", "CONTENT_ANNEX_COLUMNS", "CONTENT_RULE_NAMES", "CONTENT_STATUS_NAMES",
    "KIND_NAMES", "METHOD_NAMES", "OPERATOR", "RECTIFICATION_NAMES",
    "ROLE_NAMES", "ROUND_STATUS_NAMES", "UNSCORED", "VALUE_WORDS",
]  # fmt: skip

METHOD_NAMES = {
    "binary": "是否达标",
    "levels": "分档评价",
    "ratio": "比率",
    "deduct": "逐项扣分",
    "bonus": "加分",
    "veto": "单项否决",
    "deadline": "办理时限",
}
ROUND_STATUS_NAMES = {"draft": "草稿", "feedback": "反馈", "appeal": "申诉复核", "published": "已发布"}
CHECK_STATUS_NAMES = {"scored": "已测评", "na": "不涉及", "missing": "缺少结果"}
KIND_NAMES = {"disclosure": "政务公开类", "service": "政务服务类", "other": "其他"}
APPEAL_OUTCOMES = {"open": "待复核", "upheld": "维持原结果", "corrected": "已更正"}
RECTIFICATION_NAMES = {"not_rectified": "未整改", "partly": "部分整改", "new": "新增失分", "rectified": "已整改",
                       "unchecked": "本期未测"}  # fmt: skip
# the command line on a store without any account: whoever holds the file acts as the office would
OPERATOR = "operator"
ROLE_NAMES = {"admin": "考核办", "evaluator": "第三方评估机构", "leader": "领导", "unit": "被考核单位",
              OPERATOR: "命令行操作者"}  # fmt: skip
# a recorded value as a person reads it (scoring.views.values_shown)
VALUE_WORDS = {"pass": "通过", "fail": "未通过", "happened": "发生", "not_happened": "未发生", "items": "{n:g} 条",
               "workdays": "{n} 个工作日", "unanswered": "未答复"}  # fmt: skip
# where a score would stand for a unit failed by a veto of effect 'unscored' (单项否决): no number
UNSCORED = "不计分"
# the monitor's content findings (SPEC 4a) and how a later run left them (scoring.store.content)
CONTENT_RULE_NAMES = {"wrong_words": "错误表述", "privacy_leaks": "泄露身份证号", "hidden_links": "暗链",
                      "unanswered_messages": "留言超期未回复"}  # fmt: skip
CONTENT_STATUS_NAMES = {"new": "新发现", "still": "仍存在", "fixed": "已整改", "fixed_before": "此前已整改"}
# the rectification list as the circular's annex (and the page's table) calls its columns
CONTENT_ANNEX_COLUMNS = {"no": "序号", "unit": "单位", "rule": "问题类型", "severity": "严重程度", "status": "整改状态",
                         "url": "网页", "found": "发现内容", "context": "上下文", "first_at": "首次发现(北京时间)",
                         "last_at": "最近发现(北京时间)", "fixed_at": "确认整改(北京时间)"}  # fmt: skip
