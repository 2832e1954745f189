"""A JSON Schema of the rubric file, generated from the pydantic models, for editors.

With ``# yaml-language-server: $schema=rubric.schema.json`` at the top of a rubric, an editor
with a YAML language server (VS Code, for one) completes keys and flags a typo or a value out of
range while the office types. The schema knows the shape only (the models'
checks); the rules across keys (points that must add up, the 4% weight, method parameters) are
still the engine's, reported by ``assess validate``. ``rubrics/rubric.schema.json`` is this
module's output, committed; a test fails when it is stale.
"""

from __future__ import annotations

import json
from typing import Any

from scoring.rubric.model import RubricSpec

__all__ = ["SCHEMA_FILE", "rubric_json_schema", "schema_text"]

SCHEMA_FILE = "rubric.schema.json"

# what an editor shows on hover: the field's meaning in the office's words, then the rule
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("RubricSpec", "id"): "指标体系编码(小写字母、数字、连字符)",
    ("RubricSpec", "title"): "指标体系名称,例如 2017年度全市政务公开政务服务绩效考核",
    ("RubricSpec", "version"): '版本(写成文本,例如 "1.0")',
    ("RubricSpec", "source"): "依据的文件",
    ("RubricSpec", "target"): "目标管理绩效考核:总分",
    ("RubricSpec", "grades"): "等次,从高到低;得分不低于 min 即为该等次",
    ("RubricSpec", "rounding"): "得分保留的小数位数和舍入方式(默认四舍五入)",
    ("RubricSpec", "ranking"): "排名方式",
    ("RubricSpec", "groups"): "分组(编码: 名称);各组分别排名",
    ("RubricSpec", "tracks"): "轨道:政务公开、政务服务等,分别计分",
    ("TargetSpec", "total_points"): "目标管理绩效考核总分",
    ("RoundingSpec", "decimals"): "小数位数 0–4",
    ("RoundingSpec", "mode"): "half_up 四舍五入(默认)| half_even 四舍六入五成双(R、numpy 的舍入)",
    ("RankingSpec", "by"): "rounded:按公布的得分排名;exact:按未四舍五入的得分排名",
    ("RankingSpec", "method"): "competition:1、2、2、4;dense:1、2、2、3",
    ("TrackSpec", "kind"): "disclosure 政务公开(权重不低于 0.04)| service 政务服务 | other",
    ("TrackSpec", "weight"): "占目标管理绩效考核总分的比例(政务公开不低于 0.04)",
    ("TrackSpec", "na_policy"): "不涉及的测评点:rescale 不计入满分(折算);full 按满分计",
    ("TrackSpec", "bonus_max"): "加分上限;有加分项时须大于 0",
    ("TrackSpec", "bonus_min_base"): "加分起算线:公布的基础分达到此分数才计加分(可选)",
    ("TrackSpec", "bonus_above"): "加分门槛:公布的基础分高于(不含)此分数才计加分(可选;与 bonus_min_base 二选一)",
    ("TrackSpec", "dimensions"): "一级指标",
    ("DimensionSpec", "points"): "分值(可选;写了就必须等于其下测评点的基础分之和)",
    ("DimensionSpec", "indicators"): "二级指标",
    ("IndicatorSpec", "points"): "分值(可选;写了就必须等于其下测评点的基础分之和)",
    ("IndicatorSpec", "deduct_pool"): "扣完为止按指标计:其下扣分项合计扣分不超过指标分值(需写 points,只含 deduct)",
    ("IndicatorSpec", "checks"): "测评点",
    ("CheckSpec", "method"): "binary 是否 | levels 等级 | ratio 比例 | deduct 扣分 | bonus 加分 | veto 单项否决",
    ("CheckSpec", "points"): "分值(veto 除外都需要)",
    ("CheckSpec", "per_item"): "每条扣/加的分数(deduct、bonus)",
    ("CheckSpec", "levels"): "等级: 得分比例(0–1),例如 优: 1, 良: 0.8(levels)",
    ("CheckSpec", "floor"): "起评线,低于它得 0 分(ratio,默认 0)",
    ("CheckSpec", "target"): "满分线,达到它得满分(ratio,默认 1)",
    ("CheckSpec", "cap"): "否决时得分封顶,例如 59 或 0(veto)",
    ("CheckSpec", "effect"): "否决效果(veto):cap 按 cap 封顶(默认);unscored 判定不合格、不计分、排在计分单位之后",
    ("CheckSpec", "applies_to"): "只适用于这些分组(与 units 二选一)",
    ("CheckSpec", "units"): "只适用于这些单位:牵头单位、协同配合单位(与 applies_to 二选一)",
    ("CheckSpec", "basis"): "依据",
    ("CheckSpec", "criteria"): "评分标准(单位看到的失分说明)",
    ("CheckSpec", "monitor"): "由网站监测(assess monitor)自动测评:rule 及其参数",
    ("MonitorSpec", "rule"): "unreachable 首页不可访问(veto/binary)| home_stale 首页长期未更新(veto/binary)| "
    "stale_columns 栏目未按时更新数(deduct/veto)| empty_columns 空白栏目数(deduct/veto)| broken_links 不可用链接数(deduct)| "
    "page_exists 页面存在(binary)| wrong_words 错误表述数(deduct/veto)| privacy_leaks 未遮盖的身份证号码数"
    "(deduct/veto)| hidden_links 隐藏链接数(deduct/veto)| unanswered_messages 逾期未答复留言数(deduct/veto)",
    ("MonitorSpec", "max_failure_rate"): "unreachable:本期首页探测失败比例达到此值即判定(默认 0.05)",
    ("MonitorSpec", "timeout_s"): "unreachable:每次请求须在此秒数内完整响应(默认 15;对全部请求生效)",
    ("MonitorSpec", "days"): "home_stale:首页最新日期距测评日超过此天数即判定(默认 14);"
    "unanswered_messages:留言超过此天数未答复或答复晚于此天数即计入(默认 90)",
    ("MonitorSpec", "limits"): "stale_columns:各类栏目的更新期限(天),默认 news 14、notice 183、policy 183、static 365",
    ("MonitorSpec", "kinds"): "stale_columns、empty_columns:只计这些类型的栏目(news、notice、policy、static,默认全部)",
    ("MonitorSpec", "at_least"): "stale_columns、empty_columns 的 veto:计入的栏目达到此数即否决(整数 ≥ 1,默认 1)",
    ("MonitorSpec", "column"): "page_exists:站点清单中的栏目名称,例如 依申请公开",
    ("MonitorSpec", "severity"): "wrong_words:只计此严重程度(严重 或 一般)的错误表述(默认全部)",
    ("CheckSpec", "records"): "由办件、好差评、政务新媒体记录计算(assess records);不能与 monitor 同时使用",
    ("RecordsSpec", "measure"): "on_time_rate 按期办结率 | overdue_cases 逾期件数(deduct)| online_rate 网上办理率 | "
    "instant_rate 即办件占比 | one_visit_rate 最多跑一次比例 | time_reduction 承诺时限压缩比例 | satisfaction 满意率 | "
    "bad_fixed_on_time 差评按期整改率 | callback_rate 差评回访率 | rating_coverage 办件评价覆盖率 | "
    "stale_accounts 长期未更新的政务新媒体账号数(deduct/veto)",
    ("RecordsSpec", "max_visits"): "one_visit_rate:跑动次数不超过此数即计入(默认 1)",
    (
        "RecordsSpec",
        "days",
    ): "bad_fixed_on_time:差评整改时限,工作日(默认 5);stale_accounts:账号未更新的天数上限(默认 14)",
}


def rubric_json_schema() -> dict[str, Any]:
    schema = RubricSpec.model_json_schema()
    definitions = schema.get("$defs", {})
    for (model, field), text in DESCRIPTIONS.items():
        node = schema if model == "RubricSpec" else definitions[model]
        node["properties"][field]["description"] = text
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "指标体系 rubric",
        "description": "政务公开政务服务绩效考核指标体系文件(见 docs/formats.md)",
    }


def schema_text() -> str:
    """The schema as committed: stable key order, Chinese kept readable, a final newline."""
    return json.dumps(rubric_json_schema(), ensure_ascii=False, indent=2) + "\n"
