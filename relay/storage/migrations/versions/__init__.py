"""One file per revision, ``NNNN_slug.py``, written by ``relay db revision -m "..."``."""
