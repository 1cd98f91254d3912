"""``log``: write a line to the worker's log, with the run and step it came from."""

import logging
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field

from activities.context import ActionContext
from activities.registry import RetryDefaults, action

Level = Literal["debug", "info", "warning", "error"]


class LogInput(BaseModel):
    message: str
    level: Level = Field("info", description="debug, info, warning or error")


class LogOutput(BaseModel):
    message: str


@action(
    "log",
    input=LogInput,
    output=LogOutput,
    description="Write a message to the worker's log.",
    timeout=timedelta(seconds=10),
    retry=RetryDefaults(max_attempts=3),
)
async def log_message(data: LogInput, ctx: ActionContext) -> LogOutput:
    # ctx.log puts the run's and step's ids on the record (record.relay_run_id, ...).
    ctx.log.log(logging.getLevelNamesMapping()[data.level.upper()], data.message)
    return LogOutput(message=data.message)
