"""OTLP/HTTP spans received by a real local collector: the event's intake request, the run's
workflow and its steps' activities are one trace (SPEC §7 Traces)."""

from collections import Counter

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.observability.scenario import SECRET, Observed


def _attributes(span: Span) -> dict[str, str]:
    return {a.key: a.value.string_value or str(a.value.int_value) for a in span.attributes}


def _intake_trace(observed: Observed) -> list[Span]:
    [intake] = [s for s in observed.spans if s.name == "POST /v1/events"]
    return [s for s in observed.spans if s.trace_id == intake.trace_id]


def test_intake_run_and_steps_are_one_trace(observed: Observed) -> None:
    trace = _intake_trace(observed)
    names = Counter(s.name for s in trace)

    assert names["POST /v1/events"] == 1
    assert names["StartWorkflow:RelayRun"] == 1
    assert names["RunWorkflow:RelayRun"] == 1
    assert names["RunActivity:http_request"] == 2  # lookup and notify
    assert names["RunActivity:relay.record_run"] == 2  # the run's start and end
    services = {observed.services[s.span_id] for s in trace}
    assert services == {"relay-api", "relay-worker"}


def test_the_trace_is_one_tree_rooted_at_the_request(observed: Observed) -> None:
    trace = _intake_trace(observed)
    by_id = {s.span_id: s for s in trace}
    [root] = [s for s in trace if not s.parent_span_id]

    assert root.name == "POST /v1/events"
    for span in trace:
        while span.parent_span_id:
            span = by_id[span.parent_span_id]  # a KeyError: a parent outside the trace
        assert span.span_id == root.span_id


def test_the_workflow_span_names_the_run(observed: Observed) -> None:
    [workflow] = [s for s in _intake_trace(observed) if s.name == "RunWorkflow:RelayRun"]
    assert _attributes(workflow)["temporalWorkflowID"] == observed.run["temporal_workflow_id"]


def test_no_span_holds_the_secret_or_the_api_key(observed: Observed) -> None:
    assert observed.otlp_bodies
    for body in observed.otlp_bodies:
        assert SECRET.encode() not in body
        assert observed.api_key.encode() not in body
