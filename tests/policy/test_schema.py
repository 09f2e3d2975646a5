"""`coretime-agent schema`: a draft-07 JSON Schema editors can use, true to the loader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from agent.cli import main
from agent.policy import policy_schema

REPO = Path(__file__).parents[2]
POLICIES = REPO / "policies"
COMMITTED = POLICIES / "coretime-policy.schema.json"


def _documents(path: Path) -> list[Any]:
    return [doc for doc in YAML(typ="safe", pure=True).load_all(path.read_text()) if doc]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return policy_schema()


@pytest.fixture(scope="module")
def draft7() -> Any:
    """jsonschema's draft-07 validator (a dev dependency); the structural tests run without it."""
    return pytest.importorskip("jsonschema").Draft7Validator


def test_cli_prints_the_schema(capsys: pytest.CaptureFixture[str], schema: dict[str, Any]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema


def test_cli_writes_the_schema_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: dict[str, Any]
) -> None:
    target = tmp_path / "policy.schema.json"
    target.write_text("stale")
    assert main(["schema", "--output", str(target)]) == 0
    assert json.loads(target.read_text()) == schema
    assert str(target) in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["policy.schema.json"]  # no temp file left


def test_cli_reports_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--output", str(tmp_path / "missing-dir" / "s.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write")
    assert "Traceback" not in err


def test_it_is_a_valid_draft_07_schema(schema: dict[str, Any], draft7: Any) -> None:
    draft7.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"]
    assert schema["title"] == "CoretimePolicy (coretime-agent/v1)"
    assert "$defs" not in schema


def test_every_object_forbids_unknown_keys_and_refs_resolve(schema: dict[str, Any]) -> None:
    objects = [n for n in _walk(schema) if n.get("type") == "object" and "properties" in n]
    assert len(objects) >= 10
    assert all(n.get("additionalProperties") is False for n in objects)
    for node in _walk(schema):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/definitions/")
            assert ref.removeprefix("#/definitions/") in schema["definitions"]
            assert set(node) == {"$ref"}  # draft-07 ignores anything beside a $ref


def test_keys_are_camel_case_with_descriptions_and_yaml_defaults(schema: dict[str, Any]) -> None:
    renewal = schema["definitions"]["RenewalSpec"]["properties"]
    assert set(renewal) == {"enabled", "startAfter", "deadline", "maxPrice", "maxIncrease"}
    assert renewal["startAfter"]["default"] == "5%"
    assert renewal["deadline"]["default"] == "80%"
    assert "interlude" in renewal["startAfter"]["description"]
    assert renewal["maxPrice"]["description"] == "Never renew above this price."
    assert "title" not in renewal["maxPrice"]
    spec = schema["definitions"]["PolicySpec"]
    assert {"network", "paraId", "signer"} <= set(spec["required"])
    assert "secret never appears" in spec["properties"]["signer"]["description"]
    assert schema["properties"]["apiVersion"]["const"] == "coretime-agent/v1"


def test_the_committed_schema_beside_the_examples_is_current(schema: dict[str, Any]) -> None:
    """policies/*.yaml point their editors at this file; regenerate it with `schema -o`."""
    assert json.loads(COMMITTED.read_text()) == schema


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_validate_against_the_schema_and_carry_the_modeline(
    path: Path, schema: dict[str, Any], draft7: Any
) -> None:
    validator = draft7(schema)
    for document in _documents(path):
        assert [e.message for e in validator.iter_errors(document)] == []
    first_line = path.read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./coretime-policy.schema.json"


@pytest.mark.parametrize(
    ("patch", "complaint"),
    [
        ({"maxprice": "1 DOT"}, "Additional properties are not allowed"),
        ({"maxPrice": 1.5}, "is not valid under any of the given schemas"),
        ({"startAfter": 5}, "is not of type 'string'"),
        ({"enabled": "yes"}, "is not of type 'boolean'"),
    ],
)
def test_the_schema_flags_what_an_editor_should(
    schema: dict[str, Any], draft7: Any, patch: dict[str, Any], complaint: str
) -> None:
    document = _documents(POLICIES / "acala.yaml")[0]
    document["spec"]["renewal"].update(patch)
    messages = [e.message for e in draft7(schema).iter_errors(document)]
    assert any(complaint in m for m in messages), messages


def test_xcm_version_may_be_written_as_a_number(schema: dict[str, Any], draft7: Any) -> None:
    document = _documents(POLICIES / "moonfield.yaml")[0]
    document["spec"]["autoRenew"]["xcmVersion"] = 4
    assert list(draft7(schema).iter_errors(document)) == []
