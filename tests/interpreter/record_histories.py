"""Re-record the replay corpus: ``.venv/bin/python -m tests.interpreter.record_histories``.

Only histories that are missing are recorded: the old ones stay as they were, because
replaying histories made by older interpreters is the point. Never re-record to paper
over a replay failure: it means the interpreter changed behaviour and needs
``workflow.patched``.
"""

import asyncio
import tempfile
import uuid
from pathlib import Path

import httpx

from activities.registry import load_actions
from interpreter.compile import compile_definition
from interpreter.contract import EventPayload, RunInput, search_attributes
from relay.core.settings import Settings
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key
from tests.interpreter.conftest import ECHO_MODULE
from tests.interpreter.corpus import CANCELLED, CORPUS
from tests.support.temporal import start_time_skipping
from worker.build import build_worker

HISTORIES = Path(__file__).parent.parent / "histories"


async def record() -> None:
    env = await start_time_skipping()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/relay.db", secrets_keys=new_key(),
            task_queue="record", action_modules=ECHO_MODULE,
        )  # fmt: skip
        engine = create_db_engine(settings.database_url)
        upgrade(engine)
        specs = load_actions(settings.action_modules)
        async with (
            httpx.AsyncClient() as http,
            build_worker(env.client, settings=settings, engine=engine, http=http),
        ):
            for name, (document, data) in CORPUS.items():
                if (HISTORIES / f"{name}.json").exists():
                    continue
                compiled = compile_definition(document, specs)
                run_input = RunInput(
                    run_id=name, account_id="acct", workflow_id="wf", version=1, definition=compiled.definition,
                    event=EventPayload(id=uuid.uuid4().hex, name="test/event", data=data),
                )
                handle = await env.client.start_workflow(
                    "RelayRun", run_input, id=f"corpus-{name}", task_queue=settings.task_queue,
                    # As Relay starts runs (recorded since ``attributes_*``): the run upserts RelayStatus.
                    search_attributes=search_attributes(run_input),
                )  # fmt: skip
                if name in CANCELLED:
                    await asyncio.sleep(1)  # let it reach the sleep
                    await handle.cancel()
                try:
                    await handle.result()
                except Exception:  # failing runs belong in the corpus too
                    pass
                history = await handle.fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())
                print(f"recorded {name}: {len(history.events)} events")  # noqa: T201
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())
