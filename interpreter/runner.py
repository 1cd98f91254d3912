"""Runs graphs and sub-lists of steps: scheduling, joins, edge conditions and on_error.

A node starts once every incoming edge is resolved and at least one was taken (its
source finished and the edge's condition held); a node none of whose edges were taken
is skipped, and so are the nodes only it leads to. Independent nodes run concurrently
as asyncio tasks on Temporal's deterministic event loop.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from interpreter import engine, expressions
from interpreter.definition import Edge, Step
from interpreter.failures import StepFailed
from interpreter.memory import Scope

GOTO_PATCH = "relay-goto-before-skip"


@dataclass
class Outcome:
    """How a step ended, as far as the steps after it care."""

    kind: str  # completed | skipped | continued | goto
    output: Any = None
    goto: str | None = None

    @property
    def leads_on(self) -> bool:
        return self.kind in ("completed", "skipped", "continued")


@dataclass
class _GraphRun:
    nodes: dict[str, Step]
    edges: list[Edge]
    incoming: dict[str, list[int]] = field(default_factory=dict)
    outgoing: dict[str, list[int]] = field(default_factory=dict)
    edge_taken: dict[int, bool] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    running: int = 0
    failure: BaseException | None = None
    last_output: Any = None
    # Nodes held back because history is long: the run continues as new with them.
    deferred: list[str] = field(default_factory=list)
    pausable: bool = False

    def __post_init__(self) -> None:
        for node in self.nodes:
            self.incoming[node] = []
            self.outgoing[node] = []
        for index, edge in enumerate(self.edges):
            self.outgoing[edge.source].append(index)
            self.incoming[edge.target].append(index)


class Paused(Exception):
    """History grew long at the top level: continue as new from this state."""

    def __init__(self, edge_taken: dict[int, bool], settled: list[str], ready: list[str], last: Any) -> None:
        super().__init__("continue as new")
        self.edge_taken = edge_taken
        self.settled = settled
        self.ready = ready
        self.last_output = last


class StepRunner(Protocol):
    """What the graph runner needs of the interpreter (``interpreter.frame.Interpreter``)."""

    async def run_step(self, step: Step, scope: Scope, *, track: bool) -> Outcome: ...

    def mark_not_reached(self, step: Step, *, track: bool) -> None: ...

    def context(self, scope: Scope) -> dict[str, Any]: ...

    def history_is_long(self) -> bool: ...


class GraphRunner:
    """Runs the steps of one graph or sub-list; the interpreter runs each single step."""

    def __init__(self, steps: StepRunner) -> None:
        self._steps = steps

    async def run_sequence(self, steps: list[Step], scope: Scope, *, track: bool) -> Any:
        """Steps one after another; returns the last output."""
        last = None
        for step in steps:
            outcome = await self._steps.run_step(step, scope, track=track)
            if outcome.kind in ("completed", "continued"):
                last = outcome.output
        return last

    async def resume_graph(
        self,
        nodes: list[Step],
        edges: list[Edge],
        ready: list[str],
        scope: Scope,
        *,
        track: bool,
        pausable: bool = False,
        edge_taken: dict[int, bool] | None = None,
        settled: Sequence[str] = (),
        last_output: Any = None,
    ) -> Any:
        """Run from a given state; with ``pausable``, raise ``Paused`` once history is long."""
        run = _GraphRun(nodes={n.id or "": n for n in nodes}, edges=edges, pausable=pausable)
        run.edge_taken.update(edge_taken or {})
        run.started.update(settled)
        run.last_output = last_output
        for node in ready:
            self._start(run, node, scope, track)
        try:
            await engine.wait_condition(lambda: run.running == 0 or run.failure is not None)
        except asyncio.CancelledError:
            # The run is being cancelled: the node tasks are ours to cancel, so their steps
            # end as cancelled instead of being left running.
            await _cancel_all(run.tasks)
            raise
        if run.failure is not None:
            await _cancel_all(run.tasks)
            raise run.failure
        if run.deferred:
            settled_now = [n for n in run.started if n not in run.deferred]
            raise Paused(run.edge_taken, sorted(settled_now), run.deferred, run.last_output)
        return run.last_output

    def _start(self, run: _GraphRun, node: str, scope: Scope, track: bool) -> None:
        if node in run.started:
            return
        run.started.add(node)
        if run.pausable and self._steps.history_is_long():
            run.deferred.append(node)
            return
        run.running += 1
        run.tasks.append(asyncio.create_task(self._run_node(run, node, scope, track)))

    async def _run_node(self, run: _GraphRun, node: str, scope: Scope, track: bool) -> None:
        try:
            outcome = await self._steps.run_step(run.nodes[node], scope, track=track)
            if outcome.kind in ("completed", "continued"):
                run.last_output = outcome.output
            # The on_error target starts before the failed node's edges are decided: a target
            # only this node leads to would otherwise be skipped with them. Runs from before
            # the patch decided first (and so never ran such a target).
            goto_first = outcome.goto is not None and engine.patched(GOTO_PATCH)
            if goto_first and outcome.goto is not None:
                self._start(run, outcome.goto, scope, track)
            self._resolve(run, node, outcome.leads_on, scope, track)
            if outcome.goto is not None and not goto_first:
                self._start(run, outcome.goto, scope, track)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to resume_graph, which re-raises
            if run.failure is None:
                run.failure = exc
        finally:
            run.running -= 1

    def _resolve(self, run: _GraphRun, node: str, taken: bool, scope: Scope, track: bool) -> None:
        """Decide each outgoing edge, then start or skip the children that are now decided."""
        for index in run.outgoing[node]:
            edge = run.edges[index]
            run.edge_taken[index] = taken and self._edge_holds(edge, scope)
        for index in run.outgoing[node]:
            self._consider(run, run.edges[index].target, scope, track)

    def _edge_holds(self, edge: Edge, scope: Scope) -> bool:
        if edge.if_ is None:
            return True
        ctx = self._steps.context(scope)
        try:
            return expressions.truthy(expressions.evaluate(edge.if_, ctx, now=engine.now()))
        except expressions.ExpressionError as exc:
            raise StepFailed(edge.source, f"edge to {edge.target!r}: {exc}") from None

    def _consider(self, run: _GraphRun, node: str, scope: Scope, track: bool) -> None:
        if node in run.started:
            return
        decided = [run.edge_taken.get(i) for i in run.incoming[node]]
        if any(d is None for d in decided):
            return
        if any(decided):
            self._start(run, node, scope, track)
            return
        run.started.add(node)
        self._steps.mark_not_reached(run.nodes[node], track=track)
        self._resolve(run, node, False, scope, track)


async def _cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
