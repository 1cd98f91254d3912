"""Workflow drafts: create, read, list page by page, replace, archive."""

import httpx

from tests.api.flows import GREETER, greeter


async def test_create_read_replace_archive(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/workflows", json=GREETER)
    assert created.status_code == 201, created.text
    workflow = created.json()
    assert workflow["id"].startswith("greeter-")
    assert workflow["name"] == "Greeter"
    assert workflow["definition"] == GREETER
    assert (workflow["latest_version"], workflow["live_version"]) == (0, None)
    assert workflow["created_at"].endswith("Z")

    path = f"/v1/workflows/{workflow['id']}"
    # A save also answers its warnings (none here); a read does not.
    assert workflow.pop("warnings") == []
    assert (await api.get(path)).json() == workflow

    renamed = greeter(name="Greeter v2")
    replaced = await api.put(path, json={"definition": renamed})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["name"] == "Greeter v2"
    assert (await api.get(path)).json()["definition"] == renamed

    assert (await api.delete(path)).status_code == 204
    assert (await api.get(path)).json()["archived"] is True
    assert (await api.get("/v1/workflows")).json()["items"] == []
    archived = (await api.get("/v1/workflows", params={"archived": True})).json()["items"]
    assert [w["id"] for w in archived] == [workflow["id"]]
    assert (await api.put(path, json=renamed)).status_code == 409


async def test_list_is_paginated_newest_first(api: httpx.AsyncClient) -> None:
    ids = [(await api.post("/v1/workflows", json=greeter(name=f"W{i}"))).json()["id"] for i in range(5)]

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/workflows", params=params)).json()
        assert len(page["items"]) <= 2
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == ids[::-1]


async def test_bad_cursor_and_limit_name_the_parameter(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/workflows", params={"cursor": "nonsense"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "cursor"

    answer = await api.get("/v1/workflows", params={"limit": 0})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_unknown_workflow_is_404(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/workflows/nope-00000000")
    assert answer.status_code == 404
    assert "nope-00000000" in answer.json()["detail"]
