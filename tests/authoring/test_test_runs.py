"""``POST /v1/workflows/{id}/test``: the real interpreter, every action mocked, nothing recorded.

Each test runs on SQLite and PostgreSQL (``db``), against the API with its real services.
"""

import time
from typing import Any

import httpx

from tests.support.api_calls import publish

SIGNUP = "user/signed_up"


async def create(api: httpx.AsyncClient, definition: dict[str, Any]) -> str:
    created = await api.post("/v1/workflows", json=definition)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def dry(api: httpx.AsyncClient, workflow_id: str, **body: Any) -> dict[str, Any]:
    answer = await api.post(f"/v1/workflows/{workflow_id}/test", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in result["steps"]}


ROUTES = {
    "name": "Routes",
    "trigger": {"event": SIGNUP},
    "nodes": [
        {
            "id": "lookup",
            "type": "http_request",
            "data": {"method": "GET", "url": "https://crm.test/{{ event.data.id }}"},
        },
        {"id": "vip", "type": "log", "data": {"message": "VIP {{ steps.lookup.output.body.name }}"}},
        {"id": "regular", "type": "log", "data": {"message": "regular"}},
        {
            "id": "check",
            "type": "branch",
            "data": {
                "if": "steps.lookup.output.body.score > 10",
                "then": [{"id": "hot", "type": "log", "data": {"message": "hot"}}],
                "else": [{"id": "cold", "type": "log", "data": {"message": "cold"}}],
            },
        },
    ],
    "edges": [
        {"source": "lookup", "target": "vip", "if": "steps.lookup.output.body.plan = 'vip'"},
        {"source": "lookup", "target": "regular", "if": "steps.lookup.output.body.plan != 'vip'"},
        {"source": "lookup", "target": "check"},
    ],
}


async def test_mocked_outputs_decide_branches_and_edges(api: httpx.AsyncClient) -> None:
    workflow_id = await create(api, ROUTES)
    event = {"name": SIGNUP, "data": {"id": 42}}

    vip = await dry(
        api, workflow_id, event=event,
        mocks={"lookup": {"output": {"status": 200, "body": {"plan": "vip", "name": "Ada", "score": 50}}}},
    )  # fmt: skip
    steps = by_id(vip)
    assert vip["status"] == "completed"
    assert steps["lookup"]["data"]["url"] == "https://crm.test/42"
    assert (steps["vip"]["status"], steps["vip"]["data"]) == ("completed", {"message": "VIP Ada"})
    assert steps["regular"]["status"] == "skipped"
    assert (steps["hot"]["status"], steps["cold"]["status"]) == ("completed", "skipped")

    regular = await dry(
        api, workflow_id, event=event,
        mocks={"lookup": {"output": {"status": 200, "body": {"plan": "free", "score": 1}}}},
    )  # fmt: skip
    steps = by_id(regular)
    assert (steps["vip"]["status"], steps["regular"]["status"]) == ("skipped", "completed")
    assert (steps["hot"]["status"], steps["cold"]["status"]) == ("skipped", "completed")
    # The order of the answer is the definition's.
    assert [s["id"] for s in regular["steps"]] == ["lookup", "vip", "regular", "check", "hot", "cold"]


async def test_mocked_error_takes_on_error_path_after_the_retries(api: httpx.AsyncClient) -> None:
    definition = {
        "name": "Charge",
        "nodes": [
            {
                "id": "charge", "type": "http_request", "on_error": "refund",
                "retry": {"max_attempts": 4, "initial_interval": "1s"},
                "data": {"method": "POST", "url": "https://pay.test/charge"},
            },
            {"id": "receipt", "type": "log", "data": {"message": "paid"}},
            {"id": "refund", "type": "log", "data": {"message": "refund: {{ input.order }}"}},
        ],
        "edges": [{"source": "charge", "target": "receipt"}],
    }  # fmt: skip
    workflow_id = await create(api, definition)
    failing = {"charge": {"error": {"type": "HttpServerError", "message": "503 from pay.test"}}}

    result = await dry(api, workflow_id, input={"order": "o-1"}, mocks=failing)
    steps = by_id(result)
    assert result["status"] == "completed"
    assert steps["charge"]["status"] == "failed"
    assert steps["charge"]["error"] == "HttpServerError: 503 from pay.test"
    assert steps["charge"]["attempts"] == 4  # what the retry policy would make
    assert steps["receipt"]["status"] == "skipped"
    assert (steps["refund"]["status"], steps["refund"]["data"]) == ("completed", {"message": "refund: o-1"})

    # A non-retryable error is one attempt; without on_error the run fails with its message.
    refused = {"charge": {"error": {"type": "HttpClientError", "message": "402", "non_retryable": True}}}
    once = by_id(await dry(api, workflow_id, input={"order": "o-2"}, mocks=refused))
    assert once["charge"]["attempts"] == 1
    strict = await create(api, {**definition, "name": "Strict", "nodes": [
        {**definition["nodes"][0], "on_error": "fail"}, definition["nodes"][1]]})  # fmt: skip
    failed = await dry(api, strict, mocks=failing)
    assert failed["status"] == "failed"
    assert "503 from pay.test" in failed["error"]


async def test_foreach_over_a_mocked_list(api: httpx.AsyncClient) -> None:
    definition = {
        "name": "Invite team",
        "actions": [
            {"id": "team", "type": "http_request", "data": {"method": "GET", "url": "https://crm.test/team"}},
            {
                "id": "each",
                "type": "foreach",
                "data": {
                    "items": "steps.team.output.body.members",
                    "do": [
                        {"id": "greet", "type": "log", "data": {"message": "hi {{ item.name }} #{{ index }}"}}
                    ],
                },
            },
            {"type": "return", "data": {"output": "{{ $count(steps.each.output) }}"}},
        ],
    }
    workflow_id = await create(api, definition)
    members = [{"name": "Ada"}, {"name": "Grace"}, {"name": "Linus"}]
    mocks = {"team": {"output": {"status": 200, "body": {"members": members}}}, "greet": {"output": "sent"}}

    result = await dry(api, workflow_id, mocks=mocks)
    assert result["status"] == "completed"
    assert result["output"] == 3
    assert by_id(result)["each"]["output"] == ["sent", "sent", "sent"]


async def test_wait_for_event_answered_from_events_or_timing_out_at_once(api: httpx.AsyncClient) -> None:
    definition = {
        "name": "Upload",
        "trigger": {"event": "upload/started"},
        "actions": [
            {"id": "done", "type": "wait_for_event",
             "data": {"event": "upload/finished", "match": "data.upload_id", "timeout": "3 days"}},
            {"type": "return", "data": {"output": "{{ steps.done.output ? steps.done.output.data.size : 'gave up' }}"}},
        ],
    }  # fmt: skip
    workflow_id = await create(api, definition)
    started = {"name": "upload/started", "data": {"upload_id": "u1"}}
    events = [
        {"name": "upload/finished", "data": {"upload_id": "other", "size": 1}},
        {"name": "upload/finished", "data": {"upload_id": "u1", "size": 99}},
    ]

    answered = await dry(api, workflow_id, event=started, events=events)
    assert answered["output"] == 99
    assert by_id(answered)["done"]["output"]["data"] == {"upload_id": "u1", "size": 99}

    begun = time.monotonic()
    timed_out = await dry(api, workflow_id, event=started, events=events[:1])
    assert time.monotonic() - begun < 5  # a three-day wait: generous bound for a busy machine
    assert timed_out["output"] == "gave up"
    assert by_id(timed_out)["done"]["output"] is None


async def test_two_day_sleep_takes_no_time(api: httpx.AsyncClient) -> None:
    definition = {
        "name": "Follow up",
        "actions": [
            {"id": "nap", "type": "sleep", "data": {"duration": "2 days"}},
            {"id": "after", "type": "log", "data": {"message": "{{ $now() }}"}},
        ],
    }
    workflow_id = await create(api, definition)

    begun = time.monotonic()
    result = await dry(api, workflow_id)
    assert time.monotonic() - begun < 1
    steps = by_id(result)
    assert steps["nap"]["status"] == "completed"
    # The run's clock moved two days on: what follows sees the time it would see.
    assert steps["after"]["data"]["message"][:19] == steps["nap"]["output"]["until"][:19]


async def test_secrets_named_not_resolved_and_emit_event_shows_what_it_would_emit(
    api: httpx.AsyncClient,
) -> None:
    assert (await api.put("/v1/secrets/CRM_TOKEN", json={"value": "s3cr3t-value"})).status_code in (
        200,
        201,
        204,
    )
    definition = {
        "name": "Sync",
        "actions": [
            {"id": "push", "type": "http_request", "data": {
                "method": "POST", "url": "https://crm.test/push",
                "headers": {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"}, "json": {"who": "{{ input.who }}"}}},
            {"id": "tell", "type": "emit_event", "data": {"name": "crm/pushed", "data": {"who": "{{ input.who }}"}}},
        ],
    }  # fmt: skip
    workflow_id = await create(api, definition)

    answer = await api.post(f"/v1/workflows/{workflow_id}/test", json={"input": {"who": "ada"}})
    assert "s3cr3t-value" not in answer.text
    steps = by_id(answer.json())
    assert steps["push"]["data"]["headers"] == {"Authorization": "Bearer [secret CRM_TOKEN]"}
    assert steps["push"]["data"]["json"] == {"who": "ada"}
    assert steps["tell"]["data"]["name"] == "crm/pushed"
    assert steps["tell"]["data"]["data"] == {"who": "ada"}
    # Nothing was emitted.
    assert (await api.get("/v1/events")).json()["items"] == []


async def test_version_inline_definition_and_invoke_of_a_live_version(api: httpx.AsyncClient) -> None:
    child = {
        "name": "Scorer",
        "actions": [
            {
                "id": "score",
                "type": "http_request",
                "data": {"method": "GET", "url": "https://s.test/{{ input.n }}"},
            },
            {"type": "return", "data": {"output": "{{ steps.score.output * 2 }}"}},
        ],
    }
    await publish(api, child)
    parent = {
        "name": "Parent",
        "actions": [
            {"id": "call", "type": "invoke", "data": {"workflow": "Scorer", "input": {"n": 7}}},
            {"type": "return", "data": {"output": "{{ steps.call.output.output }}"}},
        ],
    }
    workflow_id = await create(api, parent)

    result = await dry(api, workflow_id, mocks={"call.score": {"output": 21}})
    assert result["status"] == "completed", result
    assert result["output"] == 42
    steps = by_id(result)
    assert steps["call.score"]["data"]["url"] == "https://s.test/7"
    assert steps["call"]["output"]["status"] == "completed"

    # A frozen version, or a definition given inline, instead of the draft.
    assert (await api.post(f"/v1/workflows/{workflow_id}/versions")).status_code == 201
    await api.put(
        f"/v1/workflows/{workflow_id}",
        json={**parent, "actions": [{"type": "return", "data": {"output": 1}}]},
    )
    assert (await dry(api, workflow_id))["output"] == 1
    assert (await dry(api, workflow_id, version=1, mocks={"call.score": {"output": 5}}))["output"] == 10
    inline = {"name": "Inline", "actions": [{"type": "return", "data": {"output": "{{ input.x + 1 }}"}}]}
    assert (await dry(api, workflow_id, definition=inline, input={"x": 1}))["output"] == 2


async def test_bad_requests_name_the_field(api: httpx.AsyncClient, other_api: httpx.AsyncClient) -> None:
    workflow_id = await create(api, ROUTES)
    base = f"/v1/workflows/{workflow_id}/test"

    unknown = await api.post(base, json={"mocks": {"nope": {"output": 1}}})
    assert unknown.status_code == 422 and unknown.json()["field"] == "mocks.nope"
    flow = await api.post(base, json={"mocks": {"check": {"output": 1}}})
    assert flow.status_code == 422 and "only actions are mocked" in flow.json()["detail"]
    both = await api.post(base, json={"version": 1, "definition": ROUTES})
    assert both.status_code == 422
    missing = await api.post(base, json={"version": 9})
    assert missing.status_code == 404
    invalid = await api.post(base, json={"definition": {"name": "x", "actions": [{"type": "nope"}]}})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == "actions[0].type"
    assert (await other_api.post(base, json={})).status_code == 404


async def test_a_misspelt_field_is_refused_not_ignored(api: httpx.AsyncClient) -> None:
    workflow_id = await create(api, ROUTES)
    base = f"/v1/workflows/{workflow_id}/test"
    typo = await api.post(base, json={"mock": {"lookup": {"output": 1}}})
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"] == ["body", "mock"]
    inner = await api.post(base, json={"mocks": {"lookup": {"outptu": 1}}})
    assert inner.status_code == 422 and inner.json()["detail"][0]["loc"][-1] == "outptu"
