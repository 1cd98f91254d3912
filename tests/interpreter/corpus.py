"""Representative definitions, one per construct, whose recorded histories guard replay safety."""

from typing import Any

ECHO = "test_echo"


def _echo(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": ECHO, "data": {"value": value}, **extra}


CORPUS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "sequence_set_sleep": (
        {"name": "seq", "actions": [
            {"type": "filter", "data": {"field": "go", "value": True}},
            _echo("{{ event.data.x }}"),
            {"type": "set", "data": {"n": "{{ steps.test_echo_2.output.value + 1 }}"}},
            {"type": "sleep", "data": {"duration": "1 day"}},
            _echo("{{ vars.n }}", **{"if": "vars.n > 1"}),
        ]},
        {"go": True, "x": 1},
    ),
    "filtered": ({"name": "f", "actions": [{"type": "filter", "data": {"if": "event.data.go"}}, _echo(1)]}, {"go": False}),
    "branch_parallel_foreach": (
        {"name": "bpf", "actions": [
            {"type": "branch", "data": {"if": "event.data.big", "then": [_echo("big")], "else": [_echo("small")]}},
            {"type": "parallel", "data": {"branches": [[_echo("a")], [_echo("b"), _echo("c")]]}},
            {"type": "foreach", "data": {"items": "event.data.items", "concurrency": 2, "do": [_echo("{{ item }}")]}},
            {"type": "return", "data": {"output": "{{ steps.foreach_3.output.value }}"}},
        ]},
        {"big": True, "items": [1, 2, 3]},
    ),
    "graph_join_and_routes": (
        {"name": "g", "nodes": [
            {"id": "start", "type": ECHO, "data": {"value": 5}},
            {"id": "left", "type": ECHO, "data": {"value": "l"}},
            {"id": "right", "type": ECHO, "data": {"value": "r"}},
            {"id": "never", "type": ECHO, "data": {"value": "n"}},
            {"id": "join", "type": ECHO, "data": {"value": "{{ steps.left.output.value }}"}},
        ], "edges": [
            {"source": "start", "target": "left"}, {"source": "start", "target": "right"},
            {"source": "start", "target": "never", "if": "steps.start.output.value > 10"},
            {"source": "left", "target": "join"}, {"source": "right", "target": "join"},
        ]},
        {},
    ),
    "errors_retry_continue": (
        {"name": "e", "actions": [
            {"type": "test_flaky", "data": {"fail_times": 1}},
            {"type": "test_flaky", "on_error": "continue", "data": {"permanent": True}},
            {"type": "fail", "data": {"message": "stop here"}},
        ]},
        {},
    ),
    # Recorded after an on_error target started before the failed step's edges were decided
    # (``relay-goto-before-skip``): a later step of the list is gone to, the one between skipped.
    "goto_unreached_target": (
        {"name": "gt", "actions": [
            {"id": "risky", "type": "test_flaky", "on_error": "recover", "data": {"permanent": True}},
            _echo("passed over"),
            {"id": "recover", **_echo("recovered")},
        ]},
        {},
    ),
    "wait_for_event_timeout": (
        {"name": "w", "actions": [
            {"type": "wait_for_event", "data": {"event": "never/comes", "timeout": "2h"}},
            _echo("{{ steps.wait_for_event_1.output = null }}"),
        ]},
        {},
    ),
    # Recorded with a cancellation request while the run sleeps (see record_histories).
    "cancelled_during_sleep": (
        {"name": "c", "actions": [_echo(1), {"type": "sleep", "data": {"duration": "30 days"}}, _echo(2)]},
        {},
    ),
    # Recorded after runs began to record their own start and end (``relay.record_run``):
    # one history per ending, so the recording's commands stay replayable.
    "lifecycle_completed": ({"name": "lc", "actions": [_echo(1), {"type": "return", "data": {"output": 2}}]}, {}),
    "lifecycle_filtered": ({"name": "lf", "actions": [{"type": "filter", "data": {"if": "event.data.go"}}]}, {}),
    "lifecycle_failed": ({"name": "lx", "actions": [_echo(1), {"type": "fail", "data": {"message": "no"}}]}, {}),
    "lifecycle_cancelled": (
        {"name": "lk", "actions": [_echo(1), {"type": "sleep", "data": {"duration": "30 days"}}]},
        {},
    ),
    # Recorded with Relay's search attributes set at start: the run upserts RelayStatus as it
    # ends, actions carry step-naming activity ids, foreach items get rows of their own.
    "attributes_completed": (
        {"name": "ac", "actions": [
            {"type": "filter", "data": {"if": "event.data.go"}},
            _echo(1),
            {"id": "each", "type": "foreach", "data": {"items": "event.data.items", "do": [_echo("{{ item }}")]}},
            {"type": "sleep", "data": {"duration": "1h"}},
        ]},
        {"go": True, "items": [1, 2]},
    ),
    "attributes_filtered": ({"name": "af", "actions": [{"type": "filter", "data": {"if": "event.data.go"}}]}, {}),
    "attributes_failed": (
        {"name": "ax", "actions": [{"type": "test_flaky", "data": {"permanent": True}}, _echo(2)]},
        {},
    ),
    "attributes_cancelled": (
        {"name": "ak", "actions": [_echo(1), {"type": "sleep", "data": {"duration": "30 days"}}, _echo(2)]},
        {},
    ),
    # Recorded with the expression budget (interpreter.expression_budget): the costly branch
    # fails by count, the regex runs on RE2. A budget change that alters which step fails
    # must go behind workflow.patched; this history says so.
    "expression_over_budget": (
        {"name": "eb", "actions": [
            {"id": "costly", "type": "branch", "on_error": "continue", "data": {
                "if": "$count([1..1000].([1..1000].($ * 2))) > 0", "then": [_echo("then")], "else": [_echo("else")]}},
            _echo("{{ $match(event.data.s, /(a+)+$/) = null }}"),
        ]},
        {"s": "a" * 5000 + "!"},
    ),
}  # fmt: skip

CANCELLED = {"cancelled_during_sleep", "lifecycle_cancelled", "attributes_cancelled"}
