"""The definitions in docs/definitions.md compile, and its expression examples evaluate as shown."""

import json
import re
from pathlib import Path

import pytest

from activities.registry import load_actions
from interpreter.compile import compile_definition
from interpreter.expressions import evaluate, render

DOC = (Path(__file__).parents[2] / "docs" / "definitions.md").read_text()
BLOCKS = re.findall(r"```json\n(.*?)```", DOC, re.S)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: json.loads(b)["name"])
def test_documented_definition_compiles(block: str) -> None:
    compile_definition(json.loads(block), load_actions([]))


CONTEXT = {
    "event": {"data": {"amount": 20000, "status": "won", "name": "Ada", "contacts": [1, 2],
                       "lead-email": "a@x.test", "lines": [{"qty": 2, "price": 5}, {"qty": 1, "price": 3}]}},
    "vars": {"tries": 1},
    "steps": {"fetch": {"output": {"body": {"items": [1, 2, 3]}}}, "review": {"output": None}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("event.data.amount > 10000", True),
        ('event.data.status = "won" and vars.tries < 3', True),
        ("$count(steps.fetch.output.body.items)", 3),
        ('steps.review.output = null ? "timed out" : steps.review.output.data.decision', "timed out"),
        ("event.data.`lead-email`", "a@x.test"),
        ("$sum(event.data.lines.(qty * price))", 13),
    ],
)
def test_documented_expressions(source: str, expected: object) -> None:
    assert evaluate(source, CONTEXT) == expected


def test_documented_templates() -> None:
    assert render("Hi {{ event.data.name }}", CONTEXT) == "Hi Ada"
    assert render("{{ event.data.contacts }}", CONTEXT) == [1, 2]
