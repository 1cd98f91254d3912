"""How Relay runs the single-shard Temporal dev server: one set of dynamic-config values for
``relay dev``, the tests and the benchmark, so all three measure the same engine.

Each value is here because it was measured to matter; ``docs/operations.md`` gives the
production equivalent on a Temporal cluster.
"""

# Task-queue fairness (SPEC §8): the new matcher dispatches by fairness key; one partition
# per queue so a key's share is not split across partitions (measured: with the default 4
# partitions an idle tenant's first task waited 0.1-9.2 s behind a backlog, with 1: 0.1 s).
FAIRNESS: dict[str, str] = {
    "matching.enableFairness": "true",
    "matching.useNewMatcher": "true",
    "matching.numTaskqueueReadPartitions": "1",
    "matching.numTaskqueueWritePartitions": "1",
}

# One shard polls its transfer queue at history.transferProcessorMaxPollRPS (default 20, one
# poll per 50 ms): every workflow task waited for it (measured 52 -> 13-15 ms per step).
THROUGHPUT: dict[str, str] = {
    "history.transferProcessorMaxPollRPS": "1000",
    # A workflow task that schedules an activity on the worker's own queue gets the activity
    # task back in the same answer when the worker has a free slot (the SDK asks by default):
    # one matching round trip fewer per step.
    "system.enableActivityEagerExecution": "true",
}

DYNAMIC_CONFIG: dict[str, str] = {**FAIRNESS, **THROUGHPUT}


def dynamic_config_args(values: dict[str, str] | None = None) -> list[str]:
    """``--dynamic-config-value KEY=VALUE`` flags for ``temporal server start-dev``."""
    chosen = DYNAMIC_CONFIG if values is None else values
    return [arg for key, value in chosen.items() for arg in ("--dynamic-config-value", f"{key}={value}")]
