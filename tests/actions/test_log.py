"""log writes through the activity logger."""

import logging


async def test_log_writes_at_the_level_asked(run_action, caplog):
    caplog.set_level(logging.DEBUG)

    outcome = await run_action("log", {"message": "lead arrived", "level": "warning"})

    assert outcome.output == {"message": "lead arrived"}
    [record] = [r for r in caplog.records if r.getMessage().startswith("lead arrived")]
    assert record.levelno == logging.WARNING
    assert record.relay_step_id == "log"
