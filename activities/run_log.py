"""The one log line a run writes when it starts and the one when it ends (SPEC §7).

Written by ``relay.record_run`` once the database took the recording, not by workflow code,
so a replay of the workflow writes nothing again.
"""

import logging

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from interpreter.contract import RunRecord
from relay.storage.tables import Run

log = logging.getLogger("relay.runs")

# A run's error can be long (a step's whole message); the line keeps its start.
ERROR_CHARS = 500


def log_recorded(engine: Engine, record: RunRecord, *, run_id: str) -> None:
    """Log the recorded start or end of ``run_id``, with its event id; blocking (a thread)."""
    try:
        with Session(engine) as session:
            event_id = session.exec(select(Run.event_id).where(Run.id == run_id)).first()
    except SQLAlchemyError:  # the recording is done: a failed lookup must not fail it
        event_id = None
    # ``run_id``: a scheduled fire gets its own id when its start is recorded.
    ids = {"run_id": run_id, **({"event_id": event_id} if event_id else {})}
    with structlog.contextvars.bound_contextvars(**ids):
        if record.status == "running":
            log.info("run started", extra={"version": record.version})
            return
        fields: dict[str, object] = {"status": record.status, "version": record.version}
        if record.error:
            fields["error"] = record.error[:ERROR_CHARS]
        log.info("run ended", extra=fields)
