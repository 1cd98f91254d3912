"""The catalog's JSON Schemas accept every built-in example in the README, and the README's
definitions compile."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from activities.registry import load_actions
from api.models.actions import ActionPublic
from interpreter.compile import compile_definition

README = (Path(__file__).parents[2] / "README.md").read_text()
ACTIONS = load_actions([])
STEPS = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", README, re.S)]
SCHEMAS = {name: ActionPublic.of(spec).input_schema for name, spec in ACTIONS.items()}


def test_every_builtin_has_a_readme_example() -> None:
    assert {step["type"] for step in STEPS} >= {"http_request", "email", "slack", "emit_event", "log"}


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s["type"])
def test_catalog_schema_accepts_the_example(step: dict[str, object]) -> None:
    jsonschema.validate(step["data"], SCHEMAS[str(step["type"])])
    compile_definition({"name": "readme", "actions": [step]}, ACTIONS)
