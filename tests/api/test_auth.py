"""Every /v1 route needs a valid key, and a key sees its own account only."""

import httpx

from tests.api.flows import GREETER


async def test_missing_key_is_401(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/workflows", headers={"Authorization": ""})
    assert answer.status_code == 401
    assert "Authorization: Bearer" in answer.json()["detail"]
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_wrong_key_is_401(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/workflows", headers={"Authorization": "Bearer rk_not-a-key"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "invalid API key"


async def test_another_accounts_workflow_is_404(api: httpx.AsyncClient, other_api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=GREETER)).json()["id"]

    for method, path in [
        ("GET", f"/v1/workflows/{workflow_id}"),
        ("PUT", f"/v1/workflows/{workflow_id}"),
        ("DELETE", f"/v1/workflows/{workflow_id}"),
        ("POST", f"/v1/workflows/{workflow_id}/versions"),
        ("GET", f"/v1/workflows/{workflow_id}/versions"),
        ("POST", f"/v1/workflows/{workflow_id}/runs"),
    ]:
        body = GREETER if method == "PUT" else None
        answer = await other_api.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert workflow_id in answer.json()["detail"]

    assert (await other_api.get("/v1/workflows")).json()["items"] == []
    assert (await api.get(f"/v1/workflows/{workflow_id}")).status_code == 200
