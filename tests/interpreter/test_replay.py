"""Every recorded history still replays against today's interpreter (determinism guard)."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from interpreter.workflow import RelayRun
from tests.interpreter.corpus import CORPUS
from worker.build import workflow_runner

HISTORIES = Path(__file__).parent.parent / "histories"


def test_corpus_is_recorded() -> None:
    assert {p.stem for p in HISTORIES.glob("*.json")} >= set(CORPUS)


@pytest.mark.parametrize(
    ("name", "recorded"), [(p.stem, p.read_text()) for p in sorted(HISTORIES.glob("*.json"))]
)
async def test_history_replays(name: str, recorded: str) -> None:
    history = WorkflowHistory.from_json(f"relay-replay-{name}", recorded)
    replayer = Replayer(
        workflows=[RelayRun], data_converter=pydantic_data_converter, workflow_runner=workflow_runner()
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{name}: {result.replay_failure}"
