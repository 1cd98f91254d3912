"""OpenTelemetry traces, exported over OTLP/HTTP when the standard environment asks for it.

``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) turns tracing on;
the exporter reads the rest of the standard ``OTEL_*`` variables itself (headers, timeout).
The API's request spans (FastAPI instrumentation) and the Temporal interceptor on every
client Relay connects (``relay.core.temporal.connect``) carry one trace from an event's
intake request to the run's workflow and each step's activity. Span attributes are the
libraries' own (method, route, status, Temporal ids): no payload, header or secret.
"""

import os
from typing import TYPE_CHECKING

import temporalio.client

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

_provider: "TracerProvider | None" = None


def requested() -> bool:
    """Whether the environment names an OTLP endpoint."""
    return any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def configure_tracing(service_name: str) -> bool:
    """Install the process's tracer provider (once) when an endpoint is set; True if tracing.

    ``OTEL_SERVICE_NAME`` wins over ``service_name`` (``relay-api``, ``relay-worker``).
    """
    global _provider
    if _provider is not None:
        return True
    if not requested():
        return False
    # Imported only when tracing is on: every ``relay`` command connects through this module.
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    # Batched, off the request path; flushed when the process exits (the provider's atexit hook).
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider = provider
    return True


def enabled() -> bool:
    return _provider is not None


def client_interceptors() -> list[temporalio.client.Interceptor]:
    """The Temporal interceptors for a client (and the workers built on it): tracing when on."""
    if not enabled():
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]
