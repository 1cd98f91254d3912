"""The registry is built per load: loading modules A and B gives A, B and the built-ins,
whatever else the process has imported."""

import importlib
from collections.abc import Mapping

import pytest

from activities import ActionRegistry, ActionSpec, action, load_actions
from activities.registry import BUILTIN_MODULES
from interpreter.compile import compile_definition
from tests.actions.registry_a import Nothing

BUILTINS = {"http_request", "email", "slack", "emit_event", "log"}


def test_loading_a_gives_a_and_the_builtins_not_b_imported_before() -> None:
    importlib.import_module("tests.actions.registry_b")

    actions = load_actions(["tests.actions.registry_a"])

    assert set(actions) == BUILTINS | {"registry_a"}
    assert set(load_actions([])) == BUILTINS
    assert set(load_actions(["tests.actions.registry_a", "tests.actions.registry_b"])) == BUILTINS | {
        "registry_a",
        "registry_b",
    }
    assert BUILTIN_MODULES == ("activities.builtin",)


def test_each_load_is_a_fresh_read_only_mapping() -> None:
    first, second = load_actions([]), load_actions(["tests.actions.registry_a"])

    assert isinstance(first, Mapping) and isinstance(first, ActionRegistry)
    assert "registry_a" not in first and "registry_a" in second
    assert isinstance(second["registry_a"], ActionSpec)
    assert not hasattr(first, "__setitem__")
    compile_definition({"name": "x", "actions": [{"type": "registry_a", "data": {}}]}, second)


def test_two_modules_declaring_one_name_fail_naming_both() -> None:
    with pytest.raises(
        ValueError, match="registry_a.*tests.actions.registry_a.*tests.actions.registry_clash"
    ):
        load_actions(["tests.actions.registry_a", "tests.actions.registry_clash"])


def test_a_flow_type_name_is_refused() -> None:
    with pytest.raises(ValueError, match="flow action type"):
        action("foreach", input=Nothing, output=Nothing, description="no")
