"""The action catalog, the health check and the OpenAPI document."""

import httpx


async def test_actions_catalog_has_json_schemas(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/actions")

    assert answer.status_code == 200
    actions = {a["name"]: a for a in answer.json()["items"]}
    assert {"http_request", "email", "slack", "log", "emit_event"} <= set(actions)
    log = actions["log"]
    assert log["input_schema"]["properties"]["message"]["type"] == "string"
    assert "message" in log["output_schema"]["properties"]
    assert log["timeout_seconds"] > 0 and log["retry"]["max_attempts"] >= 1


async def test_healthz_and_openapi(api: httpx.AsyncClient) -> None:
    health = await api.get("/healthz", headers={"Authorization": ""})
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "temporal": "ok"}

    spec = (await api.get("/openapi.json")).json()
    assert {"/v1/events", "/v1/workflows/{workflow_id}/publish", "/v1/runs/{run_id}"} <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert (await api.get("/docs")).status_code == 200
