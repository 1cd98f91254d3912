"""Warnings on create, update and version answers; none for a correct definition; the
expression error for ``==`` suggests ``=``."""

from typing import Any

import httpx

NEEDS_ACCOUNT_THINGS: dict[str, Any] = {
    "name": "Onboarding",
    "trigger": {"event": "user/signed_up"},
    "actions": [
        {"id": "welcome", "type": "email", "data": {"template": "welcome", "to": "email"}},
        {"id": "ping", "type": "slack", "data": {"channel": "C1", "text": "new user"}},
        {"id": "crm", "type": "http_request",
         "data": {"method": "POST", "url": "https://crm.test", "headers": {"X-Key": "{{ secrets.CRM_KEY }}"}}},
        {"id": "verify", "type": "wait_for_event", "data": {"event": "user/verified", "match": "data.user"}},
    ],
}  # fmt: skip


def warned(answer: httpx.Response) -> set[tuple[str, str | None]]:
    return {(w["loc"], w["node"]) for w in answer.json()["warnings"]}


async def test_warnings_for_what_the_account_lacks_and_none_once_it_has_it(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/workflows", json=NEEDS_ACCOUNT_THINGS)
    assert created.status_code == 201, created.text  # warnings never stop a save
    expected = {
        ("actions[0].data.template", "welcome"),
        ("actions[1]", "ping"),
        ("actions[2].data.headers.X-Key", "crm"),
        ("actions[3].data.timeout", "verify"),
    }
    assert warned(created) == expected
    messages = " ".join(w["message"] for w in created.json()["warnings"])
    for said in ("'welcome' does not exist", "SLACK_TOKEN", "'CRM_KEY' is not set", "waits forever"):
        assert said in messages
    workflow_id = created.json()["id"]

    version = await api.post(f"/v1/workflows/{workflow_id}/versions")
    assert version.status_code == 201 and version.json()["version"] == 1
    assert warned(version) == expected

    # Give the account what the definition needs, and the wait a timeout: no warnings left.
    await api.put("/v1/email-templates/welcome", json={"subject": "Hi", "text": "Welcome"})
    await api.put("/v1/secrets/SLACK_TOKEN", json={"value": "xoxb"})
    await api.put("/v1/secrets/CRM_KEY", json={"value": "k"})
    fixed = {**NEEDS_ACCOUNT_THINGS, "actions": [*NEEDS_ACCOUNT_THINGS["actions"][:3], {
        "id": "verify", "type": "wait_for_event", "data": {"event": "user/verified", "timeout": "7 days"}}]}  # fmt: skip
    updated = await api.put(f"/v1/workflows/{workflow_id}", json=fixed)
    assert updated.status_code == 200, updated.text
    assert updated.json()["warnings"] == []
    assert (await api.post(f"/v1/workflows/{workflow_id}/versions")).json()["warnings"] == []


async def test_invoke_of_an_unpublished_workflow_warns(api: httpx.AsyncClient) -> None:
    await api.post(
        "/v1/workflows", json={"name": "Child", "actions": [{"type": "log", "data": {"message": "x"}}]}
    )
    parent = {"name": "Parent", "actions": [{"id": "call", "type": "invoke", "data": {"workflow": "Child"}}]}
    answer = await api.post("/v1/workflows", json=parent)
    assert [(w["loc"], w["message"]) for w in answer.json()["warnings"]] == [
        ("actions[0].data.workflow", "workflow 'Child' has no published version yet")
    ]


async def test_double_equals_suggests_single(api: httpx.AsyncClient) -> None:
    bad = {"name": "Eq", "actions": [{"type": "filter", "data": {"if": "event.data.plan == 'pro'"}}]}
    answer = await api.post("/v1/workflows", json=bad)
    assert answer.status_code == 422
    assert "JSONata compares with '=', not '=='" in answer.json()["detail"][0]["message"]
