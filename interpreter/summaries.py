"""What the Temporal Web UI shows of a step: a short summary on each activity and timer, and
action activity ids that name the step, so ``GET /v1/runs/{id}`` can tell which step a
retrying activity belongs to from Temporal's pending activities.

Summaries are metadata, not part of a command's identity: changing them needs no patch.
Activity ids are compared on replay, so the step-naming ids sit behind ``ACTIVITY_ID_PATCH``.
"""

from interpreter import engine
from interpreter.memory import RunMemory, Scope

ACTIVITY_ID_PATCH = "relay-step-activity-ids"
SUMMARY_LIMIT = 200  # the Web UI shows a line; Temporal caps summaries at a few KB


def summary(step_id: str, kind: str, scope: Scope) -> str:
    """``send · email``, or ``send · email · item 3`` inside a ``foreach``."""
    index = scope.item_index()
    text = f"{step_id} · {kind}" if index is None else f"{step_id} · {kind} · item {index}"
    return text[:SUMMARY_LIMIT]


def uses_step_activity_ids() -> bool:
    """Whether this execution names its action activities by step. Asked once, as it starts:
    the SDK remembers a patch's first answer for the run, so asking at the first action would
    answer False for good to a run replayed from before an upgrade, then mismatch the ids its
    later actions were given."""
    return engine.patched(ACTIVITY_ID_PATCH)


def activity_id(memory: RunMemory, step_id: str, scope: Scope) -> str | None:
    """``send#4``, or ``each[3].send#9`` inside item 3 of ``foreach`` ``each``; the number keeps
    ids unique within the execution (a step may run again through an ``on_error`` route).
    None for runs that began before these ids: Temporal numbers their activities."""
    if not memory.step_activity_ids:
        return None
    memory.activities += 1
    row = scope.item_row()
    return f"{row}.{step_id}#{memory.activities}" if row else f"{step_id}#{memory.activities}"


def row_of_activity(activity_id: str) -> str | None:
    """The step row (``send`` or ``each[3]``) an action's activity id names; None for an id
    that names none (an older run's, or a system activity's)."""
    name, sep, number = activity_id.rpartition("#")
    if not sep or not number.isdigit() or not name:
        return None
    return name.split(".", 1)[0]
