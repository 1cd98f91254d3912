"""The search attributes a run keeps true itself: its run id once recorded, its status as it
ends (``interpreter.contract.search_attributes`` sets the rest when it starts).

Each upsert is a new workflow command, so each call site sits behind its own patch id, and
runs started before it replay unchanged. Only a run started with Relay's attributes upserts:
upserting an attribute its namespace has not registered would fail every workflow task.
"""

from interpreter import engine
from interpreter.contract import RELAY_RUN, RELAY_STATUS

RUN_PATCH = "relay-attribute-run"
STATUS_PATCH = "relay-attribute-status"


def _carries_attributes() -> bool:
    return engine.search_attribute(RELAY_STATUS) is not None


def set_run_id(run_id: str) -> None:
    """``RelayRun``: a scheduled fire learns its run id only when it records its start."""
    if not _carries_attributes() or engine.search_attribute(RELAY_RUN) == run_id:
        return
    if engine.patched(RUN_PATCH):
        engine.upsert_search_attributes([RELAY_RUN.value_set(run_id)])


def set_status(status: str, *, patch: str = STATUS_PATCH) -> None:
    """``RelayStatus``, so a ``filtered`` run (COMPLETED to Temporal) is found as filtered.

    Another call site (a ``queued`` run turning ``running``) passes a patch id of its own:
    the SDK remembers a patch's answer for the whole run.
    """
    if not _carries_attributes() or engine.search_attribute(RELAY_STATUS) == status:
        return
    if engine.patched(patch):
        engine.upsert_search_attributes([RELAY_STATUS.value_set(status)])
