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
}  # fmt: skip

CANCELLED = {"cancelled_during_sleep", "lifecycle_cancelled"}
