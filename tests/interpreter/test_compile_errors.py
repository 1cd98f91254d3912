"""Save-time validation: every bad definition is refused, naming the node and the field."""

from typing import Any

import pytest

from activities.registry import load_actions
from interpreter.compile import DefinitionError, compile_definition
from tests.interpreter.conftest import ECHO_MODULE
from tests.support.documents import APPROVAL

ACTIONS = load_actions([ECHO_MODULE])


def errors_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(DefinitionError) as caught:
        compile_definition(document, ACTIONS)
    return caught.value.errors


def graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "g", "trigger": {"event": "e"}, "nodes": nodes, "edges": edges}


def log(node_id: str, message: str = "hi") -> dict[str, Any]:
    return {"id": node_id, "type": "log", "data": {"message": message}}


def test_seed_approval_document_compiles_with_seed_field_semantics() -> None:
    compiled = compile_definition(APPROVAL, ACTIONS)
    nodes = compiled.definition["nodes"]
    assert compiled.trigger_event == "crm/lead_status.changed"
    assert [n["id"] for n in nodes] == ["filter_1", "email_2", "slack_3", "sleep_4", "email_5"]
    assert nodes[1]["data"]["to"] == "{{ event.data.leadEmail }}"
    assert nodes[4]["data"]["to"] == "{{ event.data.salespersonEmail }}"
    assert compiled.definition["entry"] == ["filter_1"]


def test_literal_address_and_expression_stay_as_written() -> None:
    compiled = compile_definition({"name": "x", "actions": [
        {"type": "email", "data": {"subject": "s", "text": "t", "to": "boss@example.com"}},
        {"type": "email", "data": {"subject": "s", "text": "t", "to": "{{ event.data.a }}"}},
    ]}, ACTIONS)  # fmt: skip
    assert [n["data"]["to"] for n in compiled.definition["nodes"]] == [
        "boss@example.com",
        "{{ event.data.a }}",
    ]


def test_unknown_action_type_names_the_node() -> None:
    [err] = errors_of({"name": "x", "actions": [log("a"), {"type": "fax", "data": {}}]})
    assert err["node"] == "fax_2" and err["loc"] == "actions[1].type"
    assert "unknown action type 'fax'" in err["message"]


def test_action_data_checked_against_its_input_model() -> None:
    errs = errors_of(
        {"name": "x", "actions": [{"type": "http_request", "data": {"url": "http://x", "methd": "GET"}}]}
    )
    assert {"loc": "actions[0].data.methd", "node": "http_request_1"} == {
        k: errs[0][k] for k in ("loc", "node")
    }
    missing = errors_of({"name": "x", "actions": [{"id": "say", "type": "log", "data": {}}]})
    assert missing[0]["loc"] == "actions[0].data.message" and missing[0]["node"] == "say"


def test_templated_values_are_checked_for_syntax_not_type() -> None:
    compile_definition({"name": "x", "actions": [{"type": "test_flaky", "data": {"fail_times": "{{ event.data.n }}"}}]},
                       ACTIONS)  # fmt: skip
    [err] = errors_of({"name": "x", "actions": [{"type": "log", "data": {"message": "{{ event.( }}"}}]})
    assert err["loc"] == "actions[0].data.message" and "bad expression" in err["message"]


@pytest.mark.parametrize(
    ("nodes", "edges", "node", "words"),
    [
        (
            [log("a"), log("b")],
            [{"source": "a", "target": "b"}, {"source": "b", "target": "a"}],
            "a",
            "cycle",
        ),
        ([log("a")], [{"source": "a", "target": "ghost"}], "a", "dangling edge"),
        ([log("a"), log("b"), log("lonely")], [{"source": "a", "target": "b"}], "lonely", "unreachable"),
    ],
)
def test_graph_structure_faults(nodes: list[Any], edges: list[Any], node: str, words: str) -> None:
    errs = errors_of(graph(nodes, edges))
    assert any(e["node"] == node and words in e["message"] for e in errs), errs


def test_graph_nodes_need_unique_ids() -> None:
    errs = errors_of(graph([log("a"), log("a")], [{"source": "a", "target": "a"}]))
    assert any("already used" in e["message"] for e in errs)
    [err] = errors_of(graph([{"type": "log", "data": {"message": "x"}}], []))
    assert err["loc"] == "nodes[0].id"


def test_unknown_step_reference_and_bad_duration() -> None:
    errs = errors_of({"name": "x", "actions": [
        {"type": "log", "data": {"message": "{{ steps.nowhere.output }}"}},
        {"type": "sleep", "data": {"duration": "2 dayz"}},
        {"type": "wait_for_event", "data": {"event": "e", "timeout": "soon"}},
    ]})  # fmt: skip
    found = {(e["node"], e["loc"]) for e in errs}
    assert ("log_1", "actions[0].data.message") in found
    assert ("sleep_2", "actions[1].data.duration") in found
    assert ("wait_for_event_3", "actions[2].data.timeout") in found


def test_secrets_only_inside_action_data() -> None:
    [err] = errors_of({"name": "x", "actions": [{"type": "set", "data": {"k": "{{ secrets.TOKEN }}"}}]})
    assert err["node"] == "set_1" and "only in action data" in err["message"]
    compile_definition({"name": "x", "actions": [
        {"type": "http_request", "data": {"url": "http://x", "headers": {"Authorization": "Bearer {{ secrets.T }}"}}}]},
        ACTIONS)  # fmt: skip


def test_nested_step_errors_name_the_nested_node() -> None:
    errs = errors_of({"name": "x", "actions": [{"type": "branch", "data": {
        "if": "true", "then": [log("ok"), {"type": "sleep", "data": {}}]}}]})  # fmt: skip
    assert errs[0]["node"] == "branch_1_then_sleep_2"
    assert errs[0]["loc"] == "actions[0].data.then[1].data"


def test_shape_errors() -> None:
    assert errors_of({"name": "x"})[0]["loc"] == "definition"
    assert errors_of({"actions": []})[0]["loc"] == "name"
    assert "on_error" in errors_of({"name": "x", "actions": [{"type": "log", "on_error": "nowhere",
                                                               "data": {"message": "m"}}]})[0]["loc"]  # fmt: skip
