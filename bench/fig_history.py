"""4. History cost: events per step of each type, Relay versus the hand-written equivalent,
and the largest history of one 10,000-item ``foreach`` run (parent and child runs).

Per type: a run of 1 step and a run of 1 + k steps; the difference over k is the cost of
one step, whatever the run's fixed start and end cost.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.baseline import (
    BASELINE_WORKFLOW,
    EVENT_SIGNAL,
    WAITING_QUERY,
    BaselineInput,
    BaselineResult,
    Kind,
)
from bench.definitions import compiled, publish, start_relay
from bench.noop_actions import NOOP
from bench.report import Results, Row, echo, ratio
from bench.sizes import Sizes
from bench.stack import Stack
from interpreter.contract import EVENT_SIGNAL as RELAY_SIGNAL
from interpreter.contract import PROGRESS_QUERY, EventPayload, Progress

# Temporal warns at 10,240 events (and ends a run at 51,200).
HISTORY_WARNING = 10_240
WAIT_EVENT = "bench/continue"


def _steps(kind: str, count: int, child: str) -> list[dict[str, Any]]:
    one: dict[str, Any] = {
        "action": {"type": NOOP},
        "filter": {"type": "filter", "data": {"if": "true"}},
        "set": {"type": "set", "data": {"x": "{{ 1 }}"}},
        "branch": {"type": "branch", "data": {"if": "true", "then": [{"type": "set", "data": {"y": 1}}]}},
        "sleep": {"type": "sleep", "data": {"duration": "50ms"}},
        "wait_for_event": {"type": "wait_for_event", "data": {"event": WAIT_EVENT}},
        "parallel": {"type": "parallel", "data": {"branches": [[{"type": NOOP}], [{"type": NOOP}]]}},
        "invoke": {"type": "invoke", "data": {"workflow": child}},
    }[kind]
    return [one for _ in range(count)]


# Relay step type -> (what the hand-written workflow does instead, how the row reads).
TYPES: dict[str, tuple[Kind, str]] = {
    "action": ("action", "action (any registered type), per step"),
    "filter": ("none", "filter (passing), per step"),
    "set": ("none", "set, per step"),
    "branch": ("none", "branch (then: one set), per step"),
    "sleep": ("sleep", "sleep, per step"),
    "wait_for_event": ("signal", "wait_for_event (event arrives while waiting), per step"),
    "parallel": ("parallel", "parallel of two actions, per step"),
    "foreach": ("action", "foreach over items (one action each), per item"),
    "invoke": ("child", "invoke (child run, wait), per step"),
}


async def _history_length(handle: WorkflowHandle[Any, Any]) -> int:
    return len((await handle.fetch_history()).events)


async def _feed(handle: WorkflowHandle[Any, Any], count: int, ready: Callable[[int], Awaitable[bool]],
                signal: Callable[[], Awaitable[None]]) -> None:  # fmt: skip
    """Signal ``count`` times, each once the run waits for that signal."""
    for index in range(count):
        while not await ready(index):  # noqa: ASYNC110 - the run's state is polled by query
            await asyncio.sleep(0.05)
        await signal()
    await handle.result()


async def _relay_run(stack: Stack, kind: str, count: int, account_id: str, child: str) -> int:
    queue = stack.settings.task_queue
    if kind == "foreach":
        document = {
            "name": "Each",
            "actions": [{"type": "foreach", "data": {"items": "input.items", "do": [{"type": NOOP}]}}],
        }
        handle = await start_relay(stack.client, queue, compiled(document), account_id=account_id,
                                   input={"items": list(range(count))})  # fmt: skip
    else:
        document = {"name": f"History {kind}", "actions": _steps(kind, count, child)}
        handle = await start_relay(stack.client, queue, compiled(document), account_id=account_id)
    if kind == "wait_for_event":

        async def ready(index: int) -> bool:
            progress = await handle.query(PROGRESS_QUERY, result_type=Progress)
            done = sum(1 for s in progress.steps if s.status == "completed")
            return done == index and any(s.status == "running" for s in progress.steps)

        async def signal() -> None:
            await handle.signal(RELAY_SIGNAL, EventPayload(id=uuid.uuid4().hex, name=WAIT_EVENT))

        await _feed(handle, count, ready, signal)
    result = await handle.result()
    if result.status != "completed":
        raise RuntimeError(f"{kind}: run ended {result.status}")
    return await _history_length(handle)


async def _baseline_run(client: Client, queue: str, kind: Kind, count: int) -> int:
    run_id = f"base-{uuid.uuid4().hex[:12]}"
    handle = await client.start_workflow(
        BASELINE_WORKFLOW, BaselineInput(run_id=run_id, steps=count, kind=kind, sleep_ms=50),
        id=f"bench-{run_id}", task_queue=queue, result_type=BaselineResult,
    )  # fmt: skip
    if kind == "signal":

        async def ready(index: int) -> bool:
            return await handle.query(WAITING_QUERY, result_type=int | None) == index

        async def signal() -> None:
            await handle.signal(EVENT_SIGNAL, EventPayload(id=uuid.uuid4().hex, name=WAIT_EVENT))

        await _feed(handle, count, ready, signal)
    await handle.result()
    return await _history_length(handle)


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    account_id, key = stack.account("History")
    async with stack.http(key) as http:
        child = await publish(http, {"name": "Child", "actions": [{"type": "set", "data": {"done": True}}]})
    k = sizes.history_steps
    queue = stack.settings.task_queue

    async def per_step(kind: str) -> tuple[float, float]:
        base_kind = TYPES[kind][0]
        small, large, base_small, base_large = await asyncio.gather(
            _relay_run(stack, kind, 1, account_id, child),
            _relay_run(stack, kind, 1 + k, account_id, child),
            _baseline_run(stack.client, queue, base_kind, 1),
            _baseline_run(stack.client, queue, base_kind, 1 + k),
        )
        return (large - small) / k, (base_large - base_small) / k

    costs = await asyncio.gather(*(per_step(kind) for kind in TYPES))
    for kind, (relay, base) in zip(TYPES, costs, strict=True):
        results.add(Row(
            id=f"history.{kind}", figure=f"history events: {TYPES[kind][1]}", unit="events",
            relay=round(relay, 1), baseline=round(base, 1), ratio=ratio(relay, base) if base else None,
            target="report", server=stack.server,
        ))  # fmt: skip
    per_action = dict(zip(TYPES, costs, strict=True))["action"][1]
    await _foreach(stack, results, sizes, account_id, per_action)


async def _foreach(stack: Stack, results: Results, sizes: Sizes, account_id: str, per_action: float) -> None:
    items = sizes.foreach_items
    document = {"name": "Long list", "actions": [{
        "id": "each", "type": "foreach",
        "data": {"items": "input.items", "concurrency": sizes.foreach_concurrency, "do": [{"type": NOOP}]},
    }]}  # fmt: skip
    loop = asyncio.get_running_loop()
    began = loop.time()
    handle = await start_relay(stack.client, stack.settings.task_queue, compiled(document),
                               account_id=account_id, input={"items": list(range(items))})  # fmt: skip
    result = await handle.result()
    seconds = loop.time() - began
    if result.status != "completed" or len(result.output) != items:
        raise RuntimeError(f"foreach over {items} items ended {result.status}")
    history = await handle.fetch_history()
    children = [
        e.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id
        for e in history.events
        if e.HasField("child_workflow_execution_started_event_attributes")
    ]
    lengths = await asyncio.gather(*(_history_length(stack.client.get_workflow_handle(c)) for c in children))
    largest = max([len(history.events), *lengths])
    # One hand-written workflow looping over every item: the measured cost of an action each.
    single = round(per_action * items + 5)
    echo(f"    foreach over {items:,} items: {len(children)} child runs, {seconds:.1f}s")
    results.add(Row(
        id="history.foreach_largest", server=stack.server, unit="events",
        figure=f"largest history of a {items:,}-item foreach run, concurrency {sizes.foreach_concurrency} "
        "(baseline: one workflow looping, estimated)",
        relay=largest, baseline=single, ratio=ratio(largest, single),
        target=f"< {HISTORY_WARNING:,} (Temporal warns)", met=largest < HISTORY_WARNING,
        details={"parent_events": len(history.events), "child_runs": len(children),
                 "child_events": sorted(lengths), "seconds": round(seconds, 1),
                 "baseline_is": "estimate: one hand-written workflow, one activity per item"},
    ))  # fmt: skip
