"""Events delivered to a run by signal, kept until a ``wait_for_event`` step consumes them.

The API signals a run as soon as a matching event is recorded, whether or not the run
has reached its wait yet (signals are durable in history). So an event that arrives
while earlier steps still run is buffered here, not lost, and each event is consumed at
most once per run.
"""

from datetime import timedelta
from typing import Any

from interpreter import engine, expressions
from interpreter.contract import EventPayload
from interpreter.steps.wait_for_event import WaitForEvent


class Inbox:
    def __init__(self) -> None:
        self.pending: list[EventPayload] = []
        self.seen: set[str] = set()

    def deliver(self, event: EventPayload) -> None:
        """Signal handler body: keep each event once, however often it is signalled."""
        if event.id in self.seen:
            return
        self.seen.add(event.id)
        self.pending.append(event)

    def _take(self, step: WaitForEvent, context: dict[str, Any]) -> EventPayload | None:
        for index, event in enumerate(self.pending):
            if event.name == step.data.event and _matches(step, event, context):
                return self.pending.pop(index)
        return None

    async def wait(
        self,
        step: WaitForEvent,
        context: dict[str, Any],
        *,
        within: timedelta | None,
        summary: str | None = None,
    ) -> dict[str, Any] | None:
        """The first matching event not yet consumed, or None when the timeout passes."""
        found: list[EventPayload] = []

        def ready() -> bool:
            event = self._take(step, context)
            if event is not None:
                found.append(event)
            return bool(found)

        try:
            await engine.wait_for_event(ready, within=within, summary=summary or step.id)
        except TimeoutError:
            return None
        return found[0].model_dump(mode="json")


def _matches(step: WaitForEvent, event: EventPayload, context: dict[str, Any]) -> bool:
    candidate = event.model_dump(mode="json")
    if step.data.match is not None:
        trigger = context.get("event") or {}
        mine = expressions.evaluate(step.data.match, candidate)
        theirs = expressions.evaluate(step.data.match, trigger)
        if mine is None or mine != theirs:
            return False
    if step.data.if_ is not None:
        scope = {**context, "event": candidate, "trigger": context.get("event")}
        return expressions.truthy(expressions.evaluate(step.data.if_, scope, now=engine.now()))
    return True
