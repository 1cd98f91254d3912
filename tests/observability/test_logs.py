"""JSON log lines of a real ``relay api`` and ``relay worker`` for one run whose second step
fails with a classified error (SPEC §7 Logs)."""

import json
import logging
from typing import Any

from relay.core.logs import build_formatter
from tests.observability.scenario import SECRET, Observed

RUN_IDS = ("account_id", "workflow_id", "run_id")


def _parsed(lines: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for line in lines:
        value = json.loads(line)  # every line is one JSON object, whoever wrote it
        assert isinstance(value, dict) and {"event", "level", "logger", "timestamp"} <= value.keys(), line
        parsed.append(value)
    return parsed


def _ids_of(observed: Observed) -> dict[str, str]:
    return {"account_id": observed.account_id, "workflow_id": observed.workflow_id, "run_id": observed.run_id}


def test_every_line_of_both_processes_is_json(observed: Observed) -> None:
    assert len(_parsed(observed.api_log)) > 5
    assert len(_parsed(observed.worker_log)) > 3


def test_the_run_logs_one_start_and_one_end_line_with_its_ids(observed: Observed) -> None:
    lines = _parsed(observed.worker_log)
    started = [line for line in lines if line["event"] == "run started"]
    ended = [line for line in lines if line["event"] == "run ended"]

    assert len(started) == 1 and len(ended) == 1, (started, ended)
    expected = {**_ids_of(observed), "event_id": observed.event_id}
    for line in (*started, *ended):
        assert {k: line.get(k) for k in expected} == expected, line
    assert ended[0]["status"] == "failed"
    assert "notify" in ended[0]["error"]


def test_a_classified_step_failure_is_one_line_without_traceback(observed: Observed) -> None:
    lines = _parsed(observed.worker_log)
    failures = [line for line in lines if line["event"].startswith("step failed")]

    assert len(failures) == 1, failures
    [failure] = failures
    assert failure["level"] == "warning"
    assert failure["error_class"] == "HTTP404"
    assert "answered 404 Not Found" in failure["error"]
    assert failure["retryable"] is False
    assert {k: failure.get(k) for k in RUN_IDS} == _ids_of(observed)
    assert (failure["step_id"], failure["attempt"]) == ("notify", 1)
    assert "exception" not in failure
    # Neither Relay nor the SDK ("Completing activity as failed") wrote a traceback.
    assert not any("Traceback" in line for line in observed.worker_log)
    assert not any(line["event"].startswith("Completing activity") for line in lines)


def test_every_worker_line_about_the_run_carries_its_ids(observed: Observed) -> None:
    about_run = [
        line
        for line in _parsed(observed.worker_log)
        if line["logger"].startswith(("relay.runs", "relay.steps", "relay.actions", "temporalio.activity"))
    ]
    assert len(about_run) >= 3
    for line in about_run:
        assert {k: line.get(k) for k in RUN_IDS} == _ids_of(observed), line


def test_api_lines_are_json_with_the_account_and_event(observed: Observed) -> None:
    lines = _parsed(observed.api_log)
    [recorded] = [line for line in lines if line["event"] == "event recorded"]
    assert recorded["account_id"] == observed.account_id
    assert recorded["event_id"] == observed.event_id
    assert recorded["runs"] == [observed.run_id]

    [access] = [
        line for line in lines if line["logger"] == "uvicorn.access" and line.get("path") == "/v1/events"
    ]
    assert (access["method"], access["status"]) == ("POST", 202)
    assert access["account_id"] == observed.account_id


def test_no_line_holds_the_secret_or_the_api_key(observed: Observed) -> None:
    # The CRM echoed the secret in its 404 body, which the failure's message quotes.
    for line in (*observed.api_log, *observed.worker_log):
        assert SECRET not in line
        assert observed.api_key not in line
    assert any("[redacted]" in line for line in observed.worker_log)


def test_text_format_is_key_value_lines() -> None:
    record = logging.LogRecord("relay.runs", logging.INFO, __file__, 1, "run ended", None, None)
    record.status = "failed"
    line = build_formatter("text").format(record)

    assert "run ended" in line and "status=failed" in line
    assert not line.lstrip().startswith("{")
