"""Prometheus text from the API's ``/metrics`` and the worker's metrics port after one failed
run, parsed with ``prometheus_client.parser`` (SPEC §7 Metrics)."""

import socket
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from api.app import create_app
from relay.core.settings import Settings
from tests.observability.scenario import SECRET, Observed
from tests.support.procs import relay
from tests.support.servers import free_port


def _families(text: str) -> dict[str, tuple[str, list[Sample]]]:
    return {family.name: (family.type, family.samples) for family in text_string_to_metric_families(text)}


def _value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [
        s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


def _label_values(text: str) -> set[str]:
    return {
        v
        for family in text_string_to_metric_families(text)
        for s in family.samples
        for v in s.labels.values()
    }


def test_the_api_counts_events_and_runs(observed: Observed) -> None:
    families = _families(observed.api_metrics)

    kinds = {name: kind for name, (kind, _) in families.items() if name.startswith("relay_")}
    assert kinds == {
        "relay_events_received": "counter",
        "relay_event_intake_seconds": "histogram",
        "relay_runs_started": "counter",
        "relay_runs_ended": "counter",
    }
    assert _value(families["relay_events_received"][1], "relay_events_received_total") == 1
    assert _value(families["relay_event_intake_seconds"][1], "relay_event_intake_seconds_count") == 1
    assert _value(families["relay_runs_started"][1], "relay_runs_started_total") == 1
    ended = families["relay_runs_ended"][1]
    assert _value(ended, "relay_runs_ended_total", status="failed") == 1
    assert _value(ended, "relay_runs_ended_total", status="completed") == 0


def test_the_worker_serves_the_sdk_metrics_and_relays_steps(observed: Observed) -> None:
    families = _families(observed.worker_metrics)

    assert families["relay_steps"][0] == "counter"
    assert families["relay_step_seconds"][0] == "histogram"
    steps = families["relay_steps"][1]
    assert _value(steps, "relay_steps_total", action="http_request", outcome="completed") == 1
    assert _value(steps, "relay_steps_total", action="http_request", outcome="failed") == 1
    seconds = families["relay_step_seconds"][1]
    assert _value(seconds, "relay_step_seconds_count", action="http_request") == 2
    # The Temporal SDK's own metrics come out of the same endpoint.
    sdk = {name for name in families if name.startswith("temporal_")}
    assert {"temporal_activity_execution_latency", "temporal_activity_execution_failed"} <= sdk, sorted(sdk)


def test_no_label_holds_an_id_or_a_secret(observed: Observed) -> None:
    values = _label_values(observed.api_metrics) | _label_values(observed.worker_metrics)
    assert values  # labels were read
    for value in values:
        assert not any(identifier in value for identifier in observed.ids), value
        assert SECRET not in value


def test_metrics_is_not_in_the_openapi_schema(settings: Settings) -> None:
    assert "/metrics" not in create_app(settings).openapi()["paths"]


def test_a_worker_whose_metrics_port_is_taken_stops_naming_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = relay(
            "worker",
            database_url=f"sqlite:///{tmp_path / 'relay.db'}",
            temporal_address=f"127.0.0.1:{free_port()}",
            worker_metrics_port=str(port),
        )

    assert done.returncode != 0
    assert f"cannot serve metrics on 127.0.0.1:{port}" in done.stderr
