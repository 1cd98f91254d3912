"""The worker process's allocator: memory freed after runs with large payloads goes back to the
system instead of staying in the worker's RSS for good.

A run's 1 MiB output is copied several times on its way through a worker (the action's JSON,
the claim check's bytes, the workflow's decoded value, the run's result), by the event loop,
the threads that read and write the payload store and the SDK's own threads. glibc's malloc
maps blocks of 128 KiB and more on their own and unmaps them when freed, but each time it frees
such a block it raises that threshold to the block's size (up to 32 MiB). From then on large
buffers are carved out of its heaps (one per thread that allocates, up to 8 per core), and
free space inside a heap is kept for reuse, never returned: RSS climbs to the peak of every
heap and stays there, although Python holds none of it.

Two remedies, measured in docs/performance.md ("Worker memory"):
- ``trim_freed_memory``: ``malloc_trim(0)`` every few seconds hands the free pages of every
  heap back (on by default; costs a few milliseconds in a thread, nothing per run);
- ``fix_mmap_threshold``: keeps large blocks mapped on their own, so they are returned the
  moment they are freed and the peak itself stays low, at a CPU cost per large allocation
  (page faults on fresh memory) that is why it is off by default.
Both are no-ops with a C library other than glibc.
"""

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger("relay.worker")

# <malloc.h>
M_MMAP_THRESHOLD = -3


def _glibc_function(name: str) -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return None
    function = getattr(libc, name, None)  # glibc's; musl has neither
    if function is None:
        return None
    function.restype = ctypes.c_int
    return function


def fix_mmap_threshold(threshold: int) -> bool:
    """Map blocks of ``threshold`` bytes and more on their own, whatever is freed later.
    False, and nothing changed, when ``threshold`` is 0 or the C library is not glibc."""
    mallopt = _glibc_function("mallopt") if threshold > 0 else None
    if mallopt is None:
        return False
    applied = bool(mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(threshold)))
    if not applied:
        log.warning("malloc refused an mmap threshold of %d bytes", threshold)
    return applied


async def trim_freed_memory(every: float) -> None:
    """Return the free pages of malloc's heaps to the system every ``every`` seconds, until
    cancelled. Returns at once when ``every`` is 0 or the C library is not glibc."""
    malloc_trim = _glibc_function("malloc_trim") if every > 0 else None
    if malloc_trim is None:
        return
    while True:
        await asyncio.sleep(every)
        # In a thread: it walks every heap (tens of milliseconds after a burst) and must not
        # hold up the event loop, whose workflow tasks have a 2 s deadlock limit.
        await asyncio.to_thread(malloc_trim, ctypes.c_size_t(0))
