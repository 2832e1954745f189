"""The committed JSON Schema of rubric files: current, and right about real rubrics."""

import copy
import json

import jsonschema
import pytest

from helpers import ROOT
from scoring.rubric.schema import SCHEMA_FILE, rubric_json_schema, schema_text
from scoring.rubric.yaml_source import parse_yaml

RUBRICS = [ROOT / "rubrics" / "suzhou-2017.yaml", ROOT / "rubrics" / "website-inspection.yaml",
           ROOT / "docs" / "example" / "rubric.yaml"]  # fmt: skip


CHECK = ["tracks", 0, "dimensions", 0, "indicators", 0, "checks", 0]


def first_check(data):
    return data["tracks"][0]["dimensions"][0]["indicators"][0]["checks"][0]


def _data(path):
    return parse_yaml(path.read_text(encoding="utf-8")).data


def _shape(schema: dict) -> dict:
    """Per object of the schema: its keys, the required ones, their types and descriptions.

    What a stale file would get wrong, without pydantic's cosmetic choices (titles, key order),
    which a newer pydantic on a fresh machine may make differently.
    """
    objects = {"": schema, **schema.get("$defs", {})}
    return {
        name: {
            "required": sorted(node.get("required", [])),
            "properties": {key: (prop.get("type"), json.dumps(prop.get("anyOf"), sort_keys=True), prop.get("enum"),
                                 prop.get("description")) for key, prop in node["properties"].items()},
        }
        for name, node in objects.items()
    }  # fmt: skip


def test_the_committed_schema_is_what_the_models_generate():
    committed = json.loads((ROOT / "rubrics" / SCHEMA_FILE).read_text(encoding="utf-8"))
    stale = "rubrics/rubric.schema.json is stale: assess schema > rubrics/rubric.schema.json"
    assert _shape(committed) == _shape(json.loads(schema_text())), stale


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.name)
def test_shipped_rubrics_point_editors_at_the_schema_and_pass_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert first.startswith("# yaml-language-server: $schema=") and target == ROOT / "rubrics" / SCHEMA_FILE
    jsonschema.validate(_data(path), rubric_json_schema())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["tracks"][0].update(bonus_max_points=3), ["tracks", 0]),  # a typo in a key
        (lambda d: d["tracks"][0].update(weight=1.2), ["tracks", 0, "weight"]),
        (lambda d: d["tracks"][0].update(bonus_min_base=120), ["tracks", 0, "bonus_min_base"]),
        (lambda d: first_check(d).update(method="score"), [*CHECK, "method"]),
        (lambda d: d.update(version=1.0), ["version"]),  # YAML 1.0 is a number: the version must be text
    ],
)
def test_the_schema_flags_what_an_editor_should(change, where):
    data = copy.deepcopy(_data(RUBRICS[0]))
    change(data)
    errors = list(jsonschema.Draft202012Validator(rubric_json_schema()).iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [where]
