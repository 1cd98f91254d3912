"""The API's metrics endpoint and, when an OTLP endpoint is set, its request spans."""

from fastapi import FastAPI

from api.routes import metrics
from relay.core.tracing import configure_tracing

# Scrapes and probes would make a trace each.
UNTRACED = "/healthz,/metrics"
# Should an operator capture request headers (OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_*),
# these never reach a span in clear.
SENSITIVE_HEADERS = ["authorization", "cookie", "set-cookie", "x-api-key"]


def install_telemetry(app: FastAPI) -> None:
    """``GET /metrics`` (its registry is set in the lifespan), and tracing if configured.

    Tracing starts here, before the lifespan connects to Temporal, so the client gets the
    tracing interceptor too (``relay.core.temporal.connect``)."""
    app.include_router(metrics.router)
    if configure_tracing("relay-api"):
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # only when tracing

        FastAPIInstrumentor.instrument_app(
            app,
            excluded_urls=UNTRACED,
            http_capture_headers_sanitize_fields=SENSITIVE_HEADERS,
            # One span per request, not one more per ASGI message.
            exclude_spans=["receive", "send"],
        )
