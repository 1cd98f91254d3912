"""Email templates: put, read, list, replace, delete; Jinja syntax checked on save."""

import httpx

PROPOSAL = {
    "subject": "A proposal for {{ company }}",
    "text": "Hi {{ name }}",
    "html": "<p>Hi {{ name }}</p>",
}


async def test_template_crud(api: httpx.AsyncClient, other_api: httpx.AsyncClient) -> None:
    created = await api.put("/v1/email-templates/proposal", json=PROPOSAL)
    assert created.status_code == 200, created.text
    assert {k: created.json()[k] for k in PROPOSAL} == PROPOSAL
    assert created.json()["name"] == "proposal"

    replaced = await api.put("/v1/email-templates/proposal", json={"subject": "New", "text": "Body"})
    assert (replaced.json()["subject"], replaced.json()["html"]) == ("New", None)
    await api.put("/v1/email-templates/follow_up", json=PROPOSAL)

    listed = (await api.get("/v1/email-templates")).json()["items"]
    assert [t["name"] for t in listed] == ["follow_up", "proposal"]
    assert (await api.get("/v1/email-templates/proposal")).json()["text"] == "Body"
    assert (await other_api.get("/v1/email-templates/proposal")).status_code == 404

    assert (await api.delete("/v1/email-templates/proposal")).status_code == 204
    assert (await api.get("/v1/email-templates/proposal")).status_code == 404


async def test_bad_templates_name_the_field(api: httpx.AsyncClient) -> None:
    broken = await api.put("/v1/email-templates/x", json={**PROPOSAL, "html": "<p>{{ name </p>"})
    assert broken.status_code == 422
    assert broken.json()["field"] == "html"

    missing = await api.put("/v1/email-templates/x", json={"subject": "Hi"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "text"]
    assert (await api.get("/v1/email-templates/x")).status_code == 404
