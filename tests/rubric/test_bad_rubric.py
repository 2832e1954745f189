"""Every rubric rule of SPEC §1 refused with a located message; all problems at once."""

import copy
import json

import pytest

from helpers import rubric_dict, units_file
from scoring import InputError, format_issue, parse_rubric, read_roster

GOOD = rubric_dict(
    [
        {"id": "A", "name": "a", "method": "binary", "points": 4},
        {"id": "B", "name": "b", "method": "levels", "points": 6, "levels": {"优": 1, "差": 0}},
    ]
)


def problems(data) -> list[tuple[str | None, str, str]]:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    with pytest.raises(InputError) as info:
        parse_rubric(text, "r.yaml")
    return [(i.path, i.code, i.message) for i in info.value.issues]


def mutate(fn):
    data = copy.deepcopy(GOOD)
    fn(data)
    return data


def check(data):
    return data["tracks"][0]["dimensions"][0]["indicators"][0]["checks"]


CHECK_PATH = "tracks[T].dimensions[D].indicators[I].checks"


def test_good_rubric_is_valid():
    assert parse_rubric(json.dumps(GOOD), "r.yaml").id == "t"


def test_disclosure_weight_below_4_percent_is_refused_with_the_reason():
    found = problems(mutate(lambda d: d["tracks"][0].update(weight=0.039)))
    assert found == [
        (
            "tracks[T].weight",
            "disclosure-weight",
            "政务公开轨道的权重为 0.039,不得低于 0.04(即目标管理绩效考核分值的 4%)",
        )
    ]


def test_line_numbers_point_into_the_yaml():
    text = """id: t
title: x
version: "1"
target: {total_points: 100}
groups: {county: 县区政府}
tracks:
  - id: T
    name: 政务公开
    kind: disclosure
    weight: 0.03
    dimensions:
      - id: D
        name: d
        indicators:
          - id: I
            name: i
            checks:
              - {id: A, name: a, method: binary, points: 0}
"""
    with pytest.raises(InputError) as info:
        parse_rubric(text, "r.yaml")
    lines = [format_issue(i) for i in info.value.issues]
    assert lines == [
        "r.yaml:10: tracks[T].weight: 政务公开轨道的权重为 0.03,不得低于 0.04(即目标管理绩效考核分值的 4%)",
        "r.yaml:18: tracks[T].dimensions[D].indicators[I].checks[A].points: 必须大于 0(现为 0)",
    ]


def test_all_problems_are_reported_at_once():
    def breaks(d):
        d["tracks"][0]["weight"] = 0.01
        check(d)[1]["id"] = "A"
        check(d)[0]["points"] = -1
        d["tracks"][0]["colour"] = "red"

    codes = sorted(code for _, code, _ in problems(mutate(breaks)))
    assert codes == ["disclosure-weight", "duplicate-id", "rubric-extra-forbidden", "rubric-greater-than"]


@pytest.mark.parametrize(
    ("fn", "path", "code"),
    [
        (lambda d: d.pop("id"), "id", "rubric-missing"),
        (lambda d: d.update(id="Bad_ID"), "id", "rubric-string-pattern-mismatch"),
        (lambda d: d.update(version=1.1), "version", "rubric-string-type"),
        (lambda d: d["target"].update(total_points=0), "target.total_points", "rubric-greater-than"),
        (lambda d: d["tracks"][0].update(weight=1.5), "tracks[T].weight", "rubric-less-than-equal"),
        (lambda d: d["tracks"][0].update(weight=0), "tracks[T].weight", "rubric-greater-than"),
        (lambda d: d["tracks"][0].update(kind="x"), "tracks[T].kind", "rubric-literal-error"),
        (lambda d: d["tracks"][0].update(na_policy="zero"), "tracks[T].na_policy", "rubric-literal-error"),
        (lambda d: d["tracks"][0].update(bonus_min_base=120), "tracks[T].bonus_min_base", "rubric-less-than-equal"),
        (lambda d: d["tracks"][0].update(dimensions=[]), "tracks[T].dimensions", "rubric-too-short"),
        (
            lambda d: d["tracks"][0]["dimensions"][0].update(indicators=[]),
            "tracks[T].dimensions[D].indicators",
            "rubric-too-short",
        ),
        (
            lambda d: d["tracks"][0]["dimensions"][0]["indicators"][0].update(checks=[]),
            CHECK_PATH,
            "rubric-too-short",
        ),
        (lambda d: check(d)[0].update(id="A B"), f"{CHECK_PATH}[A B].id", "rubric-string-pattern-mismatch"),
        (lambda d: check(d)[0].update(method="score"), f"{CHECK_PATH}[A].method", "rubric-literal-error"),
        (lambda d: check(d)[0].update(points=0), f"{CHECK_PATH}[A].points", "rubric-greater-than"),
        (lambda d: check(d)[1]["levels"].update(好=1.2), f"{CHECK_PATH}[B].levels.好", "rubric-less-than-equal"),
        (lambda d: check(d)[0].update(pts=3), f"{CHECK_PATH}[A].pts", "rubric-extra-forbidden"),
        (lambda d: d.update(rounding={"decimals": 5}), "rounding.decimals", "rubric-less-than-equal"),
        (lambda d: d.update(ranking={"by": "raw"}), "ranking.by", "rubric-literal-error"),
        (lambda d: d.update(groups={}), "groups", "rubric-too-short"),
    ],
)
def test_shape_errors(fn, path, code):
    found = problems(mutate(fn))
    assert (path, code) in [(p, c) for p, c, _ in found], found


@pytest.mark.parametrize(
    ("fn", "path", "code"),
    [
        (lambda d: check(d)[1].update(id="A"), f"{CHECK_PATH}[A].id", "duplicate-id"),
        (lambda d: check(d)[1].update(id="D"), f"{CHECK_PATH}[D].id", "duplicate-id"),
        (
            lambda d: d["tracks"].append({**copy.deepcopy(d["tracks"][0]), "id": "T2", "weight": 0.97}),
            "tracks",
            "weight-sum",
        ),
        (lambda d: check(d)[0].update(per_item=1), f"{CHECK_PATH}[A].per_item", "check-param-unused"),
        (lambda d: check(d)[1].pop("levels"), f"{CHECK_PATH}[B]", "check-param-missing"),
        (lambda d: check(d)[1].update(levels={}), f"{CHECK_PATH}[B].levels", "levels-empty"),
        (
            lambda d: check(d).append({"id": "X", "name": "x", "method": "deduct", "points": 2}),
            f"{CHECK_PATH}[X]",
            "check-param-missing",
        ),
        (
            lambda d: check(d).append(
                {"id": "R", "name": "r", "method": "ratio", "points": 2, "floor": 0.8, "target": 0.8}
            ),
            f"{CHECK_PATH}[R].floor",
            "ratio-floor-target",
        ),
        (
            lambda d: check(d).append({"id": "P", "name": "p", "method": "bonus", "points": 2, "per_item": 1}),
            f"{CHECK_PATH}[P].method",
            "bonus-without-bonus-max",
        ),
        (
            lambda d: check(d).append({"id": "V", "name": "v", "method": "veto", "points": 2}),
            f"{CHECK_PATH}[V].points",
            "check-param-unused",
        ),
        (
            lambda d: d["tracks"][0].update(bonus_min_base=60),
            "tracks[T].bonus_min_base",
            "bonus-min-base-without-bonus",
        ),
        (lambda d: check(d)[0].update(applies_to=["county"], units=["C1"]), f"{CHECK_PATH}[A]", "scope-both"),
        (lambda d: check(d)[0].update(applies_to=["park"]), f"{CHECK_PATH}[A].applies_to[0]", "unknown-group"),
        (lambda d: check(d)[0].update(applies_to=[]), f"{CHECK_PATH}[A].applies_to", "scope-empty"),
        (lambda d: d["tracks"][0]["dimensions"][0].update(points=11), "tracks[T].dimensions[D].points", "points-sum"),
        (
            lambda d: d["tracks"][0]["dimensions"][0]["indicators"][0].update(points=9),
            "tracks[T].dimensions[D].indicators[I].points",
            "points-sum",
        ),
        (
            lambda d: d.update(grades=[{"name": "A", "min": 60}, {"name": "B", "min": 60}, {"name": "C", "min": 0}]),
            "grades[1].min",
            "grades-order",
        ),
        (
            lambda d: d.update(grades=[{"name": "A", "min": 60}, {"name": "B", "min": 10}]),
            "grades[1].min",
            "grades-last",
        ),
    ],
)
def test_rule_errors(fn, path, code):
    found = problems(mutate(fn))
    assert (path, code) in [(p, c) for p, c, _ in found], found


def test_declared_points_that_match_are_accepted():
    data = mutate(lambda d: d["tracks"][0]["dimensions"][0].update(points=10))
    assert parse_rubric(json.dumps(data), "r.yaml")


def test_rubric_without_a_disclosure_track_is_valid():
    data = mutate(lambda d: d["tracks"][0].update(kind="service", weight=0.01))
    assert parse_rubric(json.dumps(data), "r.yaml")


def test_yaml_1_1_surprises_are_not_applied():
    # YAML 1.1 would read NO as false; as a level label it must stay the text 'NO'
    text = json.dumps(mutate(lambda d: check(d)[1].update(levels={"YES": 1, "NO": 0})))
    text = text.replace('"YES"', "YES").replace('"NO"', "NO")
    rubric = parse_rubric(text, "r.yaml")
    assert rubric.checks.set_index("check_id").loc["B", "levels"] == {"YES": 1, "NO": 0}


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("id: t\ntitle: [unclosed\n", "yaml-syntax", 3),
        ("", "rubric-empty", None),
        ("- just\n- a list\n", "rubric-empty", None),
        ("id: t\nid: u\n", "yaml-syntax", 2),
    ],
)
def test_broken_yaml_gets_one_clear_sentence(text, code, line):
    with pytest.raises(InputError) as info:
        parse_rubric(text, "r.yaml")
    [issue] = info.value.issues
    assert (issue.code, issue.file) == (code, "r.yaml")
    if line is not None:
        assert issue.line == line


def test_units_named_by_a_check_must_be_in_the_roster():
    data = mutate(lambda d: check(d)[0].update(units=["C1", "ZZ9"]))
    rubric = parse_rubric(json.dumps(data, indent=1), "r.yaml")
    with pytest.raises(InputError) as info:
        read_roster(units_file(), rubric)
    [issue] = info.value.issues
    assert (issue.code, issue.path, issue.value) == ("rubric-unknown-unit", f"{CHECK_PATH}[A].units[1]", "ZZ9")
    assert issue.line is not None


@pytest.mark.parametrize(
    ("monitor", "method", "path", "code"),
    [
        ({"rule": "broken_links"}, "binary", f"{CHECK_PATH}[A].monitor.rule", "monitor-method"),
        ({"rule": "unreachable", "days": 3}, "binary", f"{CHECK_PATH}[A].monitor.days", "monitor-param-unused"),
        ({"rule": "page_exists"}, "binary", f"{CHECK_PATH}[A].monitor", "monitor-param-missing"),
        ({"rule": "ping"}, "binary", f"{CHECK_PATH}[A].monitor.rule", None),
        ({"rule": "unreachable", "max_failure_rate": 1.5}, "binary", f"{CHECK_PATH}[A].monitor.max_failure_rate", None),
        ({"rule": "stale_columns", "limits": {"blog": 3}}, "deduct", f"{CHECK_PATH}[A].monitor.limits", None),
        # 单项否决 四's column counts: a threshold belongs to a veto, and is a whole number from 1
        (
            {"rule": "stale_columns", "at_least": 5},
            "deduct",
            f"{CHECK_PATH}[A].monitor.at_least",
            "monitor-at-least-not-veto",
        ),
        ({"rule": "empty_columns", "at_least": 5}, "binary", f"{CHECK_PATH}[A].monitor.rule", "monitor-method"),
        ({"rule": "empty_columns", "at_least": 2.5}, "veto", f"{CHECK_PATH}[A].monitor.at_least", "rubric-int-type"),
        (
            {"rule": "stale_columns", "at_least": 0},
            "veto",
            f"{CHECK_PATH}[A].monitor.at_least",
            "rubric-greater-than-equal",
        ),
        ({"rule": "stale_columns", "at_least": "5"}, "veto", f"{CHECK_PATH}[A].monitor.at_least", None),
        ({"rule": "stale_columns", "kinds": ["blog"]}, "veto", f"{CHECK_PATH}[A].monitor.kinds", None),
        (
            {"rule": "broken_links", "at_least": 5},
            "deduct",
            f"{CHECK_PATH}[A].monitor.at_least",
            "monitor-param-unused",
        ),
    ],
)
def test_a_monitored_check_is_checked_for_what_its_rule_takes(monitor, method, path, code):
    """SPEC extension 4: a rule serves some methods and takes some parameters; anything else is
    located at its path with what would be accepted."""
    extra = {"per_item": 1} if method == "deduct" else {}
    found = problems(mutate(lambda d: check(d)[0].update(method=method, monitor=monitor, **extra)))
    assert any(p is not None and p.startswith(path) and (code is None or c == code) for p, c, _ in found), found


def test_every_rule_with_its_methods_is_accepted():
    ok = [
        {"id": "U", "name": "u", "method": "veto", "monitor": {"rule": "unreachable", "max_failure_rate": 0.05, "timeout_s": 15}},
        {"id": "H", "name": "h", "method": "binary", "points": 2, "monitor": {"rule": "home_stale", "days": 14}},
        {"id": "S", "name": "s", "method": "deduct", "points": 2, "per_item": 1,
         "monitor": {"rule": "stale_columns", "limits": {"news": 7}}},
        {"id": "E", "name": "e", "method": "deduct", "points": 2, "per_item": 1, "monitor": {"rule": "empty_columns"}},
        {"id": "L", "name": "l", "method": "deduct", "points": 2, "per_item": 1, "monitor": {"rule": "broken_links"}},
        {"id": "P", "name": "p", "method": "binary", "points": 2, "monitor": {"rule": "page_exists", "column": "依申请公开"}},
        {"id": "V", "name": "v", "method": "veto", "monitor": {"rule": "stale_columns", "kinds": ["news"], "at_least": 5}},
        {"id": "W", "name": "w", "method": "veto", "monitor": {"rule": "empty_columns"}},
    ]  # fmt: skip
    parse_rubric(json.dumps(mutate(lambda d: check(d).extend(ok)), ensure_ascii=False), "r.yaml")
