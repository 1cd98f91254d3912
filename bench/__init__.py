"""Relay's benchmark suite: ``python -m bench`` (``make bench``), ``--quick`` for a smoke run.

It starts its own Temporal dev server (in memory and file-backed), a worker process, the
API under uvicorn on a free loopback port, and measures Relay against hand-written
Temporal code side by side, alternating A/B. See the Performance section of the README.
"""
