"""How big each measurement is: the full run (``make bench``) and ``--quick`` (a smoke run)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    # 1. interpreter overhead
    latency_steps: int = 20
    latency_rounds: int = 9
    # rounds run first and not kept, for each side
    warmup: int = 2
    batch_runs: int = 200
    batch_steps: int = 5
    batch_rounds: int = 3
    # 2. trigger overhead
    trigger_latency_rounds: int = 30
    trigger_starts: int = 400
    trigger_rounds: int = 3
    concurrency: int = 50
    # 3. scale of matching
    definitions: tuple[int, int, int] = (10, 1_000, 10_000)
    waiting: tuple[int, int, int] = (0, 1_000, 10_000)
    intake_samples: int = 30
    # 4. history cost
    history_steps: int = 10
    foreach_items: int = 10_000
    foreach_concurrency: int = 10
    # 5. memory
    sleeping_runs: int = 1_000
    # each round: a fresh Relay worker process and a fresh baseline one, side by side
    memory_rounds: int = 1
    # worker RSS after runs with large outputs (bench.fig_payload_memory)
    large_output_runs: int = 1_000
    large_output_bytes: int = 1024 * 1024
    large_output_concurrency: int = 10
    # 6. scaling out: I/O-bound runs on 1 vs 2 workers; intake on 1 vs 2 API processes
    io_runs: int = 200
    io_steps: int = 5
    scaling_rounds: int = 3


FULL = Sizes()
QUICK = Sizes(
    latency_rounds=2,
    warmup=0,
    batch_runs=10,
    batch_rounds=1,
    trigger_latency_rounds=4,
    trigger_starts=20,
    trigger_rounds=1,
    concurrency=10,
    definitions=(2, 10, 20),
    waiting=(0, 5, 20),
    intake_samples=3,
    history_steps=2,
    foreach_items=500,
    foreach_concurrency=10,
    sleeping_runs=20,
    large_output_runs=20,
    io_runs=10,
    io_steps=2,
    scaling_rounds=1,
)
