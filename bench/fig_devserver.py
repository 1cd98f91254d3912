"""The dev server as ``relay dev`` tunes it (``relay.core.dev_server``) versus the server's
defaults: the same Relay run, 20 sequential steps, on two dev servers side by side (the
stack's own, tuned, and a second one started without the dynamic configuration)."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.definitions import chain, compiled, start_relay
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack, open_stack
from bench.stats import median, paired_ratio, rotate, summary

TARGET = 0.35


def _once(stack: Stack, definition: dict[str, Any]) -> Callable[[], Awaitable[float]]:
    async def timed() -> float:
        began = time.perf_counter()
        handle = await start_relay(stack.client, stack.settings.task_queue, definition)
        await handle.result()
        return time.perf_counter() - began

    return timed


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    definition = compiled(chain(sizes.latency_steps))
    async with open_stack(stack.server, stack.workdir / "untuned", tuned=False) as untuned:
        tuned_s, untuned_s = await rotate(
            [_once(stack, definition), _once(untuned, definition)],
            rounds=sizes.latency_rounds,
            warmup=sizes.warmup,
        )
    value = paired_ratio(tuned_s, untuned_s)
    results.add(Row(
        id="devserver.tuning", server=stack.server, unit="ms",
        figure=f"{sizes.latency_steps}-step Relay run p50, relay dev's tuned dev server vs its defaults",
        relay=round(median(tuned_s) * 1000, 1), baseline=round(median(untuned_s) * 1000, 1),
        ratio=value, target=f"≤ {TARGET:.2f}", met=value <= TARGET,
        details={"tuned_s": summary(tuned_s), "untuned_s": summary(untuned_s)},
    ))  # fmt: skip
