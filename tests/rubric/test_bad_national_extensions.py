"""The rubric extensions of the national flow (veto effect, deduction pool, bonus_above) refused
with located messages when misused; all problems at once."""

import copy
import json

import pytest

from helpers import rubric_dict
from scoring import InputError, parse_rubric

GOOD = rubric_dict(
    [
        {"id": "A", "name": "a", "method": "deduct", "points": 4, "per_item": 1},
        {"id": "B", "name": "b", "method": "deduct", "points": 6, "per_item": 2},
    ],
    bonus_max=5,
)
GOOD["tracks"][0]["bonus_above"] = 80
GOOD["tracks"][0]["dimensions"][0]["indicators"][0].update(points=10, deduct_pool=True)
GOOD["tracks"][0]["dimensions"][0]["indicators"].append({"id": "J", "name": "否决和加分", "checks": [
    {"id": "V", "name": "v", "method": "veto", "effect": "unscored"},
    {"id": "P", "name": "p", "method": "bonus", "points": 5, "per_item": 1},
]})  # fmt: skip
CHECKS = "tracks[T].dimensions[D].indicators[I].checks"
OTHER = "tracks[T].dimensions[D].indicators[J].checks"


def problems(data) -> list[tuple[str | None, str, str]]:
    with pytest.raises(InputError) as info:
        parse_rubric(json.dumps(data, ensure_ascii=False, indent=2), "r.yaml")
    return [(i.path, i.code, i.message) for i in info.value.issues]


def mutate(fn):
    data = copy.deepcopy(GOOD)
    fn(data)
    return data


def indicator(d, i=0):
    return d["tracks"][0]["dimensions"][0]["indicators"][i]


def test_the_good_rubric_uses_every_extension_and_is_valid():
    r = parse_rubric(json.dumps(GOOD), "r.yaml")
    assert r.spec.tracks[0].bonus_above == 80
    pools = r.checks.set_index("check_id")["pool"]
    assert (pools["A"], pools["B"]) == ("I", "I") and pools[["V", "P"]].isna().all()
    assert r.checks.set_index("check_id")["unscored"].to_dict() == {"A": False, "B": False, "V": True, "P": False}


@pytest.mark.parametrize(
    ("change", "where", "code", "message"),
    [
        (lambda d: indicator(d, 1)["checks"][0].update(cap=59), f"{OTHER}[V].cap", "veto-unscored-cap",
         "effect: unscored 的否决项判定单位不合格且不计分,不使用封顶分 cap;请删除 cap 或改用 effect: cap"),
        (lambda d: indicator(d)["checks"][0].update(effect="unscored"), f"{CHECKS}[A].effect", "check-param-unused",
         "方法 deduct 不使用否决效果 effect;请删除它或改用合适的方法"),
        (lambda d: indicator(d, 1)["checks"][0].update(effect="fail"), f"{OTHER}[V].effect", "rubric-literal-error",
         "应为以下之一:'cap' or 'unscored'(现为 'fail')"),
        (lambda d: indicator(d).pop("points"), "tracks[T].dimensions[D].indicators[I].deduct_pool",
         "pool-points-missing", "扣分池 deduct_pool 需要指标的分值 points(扣分之和的上限)"),
        (lambda d: d["tracks"][0].update(bonus_min_base=60), "tracks[T].bonus_above", "bonus-threshold-both",
         "bonus_min_base(达到即加分)与 bonus_above(高于才加分)只能选一个"),
        (lambda d: d["tracks"][0].update(bonus_above=101), "tracks[T].bonus_above", "rubric-less-than-equal",
         "必须小于或等于 100(现为 101)"),
        (lambda d: d["tracks"][0].update(bonus_above="80"), "tracks[T].bonus_above", "rubric-float-type",
         "应为数字(现为 '80')"),
        (lambda d: indicator(d).update(deduct_pool="yes"), "tracks[T].dimensions[D].indicators[I].deduct_pool",
         "rubric-bool-type", "应为 true 或 false(现为 'yes')"),
    ],
)  # fmt: skip
def test_each_misuse_is_one_located_error(change, where, code, message):
    assert problems(mutate(change)) == [(where, code, message)]


def test_a_pool_holds_deduct_checks_only():
    def move_bonus_into_pool(d):
        indicator(d)["checks"].append(indicator(d, 1)["checks"].pop())
        indicator(d)["checks"].append({"id": "Y", "name": "y", "method": "binary", "points": 2})
        indicator(d)["points"] = 12

    found = problems(mutate(move_bonus_into_pool))
    assert found == [
        (f"{CHECKS}[P].method", "pool-method", "扣分池 deduct_pool 中只能有扣分项(deduct),本测评点的方法是 bonus"),
        (f"{CHECKS}[Y].method", "pool-method", "扣分池 deduct_pool 中只能有扣分项(deduct),本测评点的方法是 binary"),
    ]


def test_bonus_above_without_bonus_checks_is_refused():
    def drop_bonus(d):
        indicator(d, 1)["checks"].pop()
        d["tracks"][0]["bonus_max"] = 0

    assert problems(mutate(drop_bonus)) == [
        ("tracks[T].bonus_above", "bonus-above-without-bonus",
         "加分门槛 bonus_above 只对加分项(bonus)起作用,而该轨道没有加分项"),
    ]  # fmt: skip


def test_all_problems_of_the_extensions_are_reported_at_once():
    def break_all(d):
        indicator(d, 1)["checks"][0].update(cap=0)
        indicator(d).pop("points")
        indicator(d)["checks"][0].update(method="binary")
        indicator(d)["checks"][0].pop("per_item")
        d["tracks"][0].update(bonus_min_base=60)

    codes = sorted(code for _, code, _ in problems(mutate(break_all)))
    assert codes == ["bonus-threshold-both", "pool-method", "pool-points-missing", "veto-unscored-cap"]
