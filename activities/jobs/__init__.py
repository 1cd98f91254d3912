"""Bulk jobs on runs (``POST /v1/runs/bulk``): Relay system work, run as a Temporal workflow.

``contract`` holds the names and types shared by the workflow (``workflow``) and its
activities (``batch``); this package imports neither, so the workflow sandbox loads only
what the workflow needs.
"""
