"""The OpenAPI document, made exact by one pass over every operation (SPEC §10).

Routes declare what is particular to them (their success model, an error status with a
specific description); this pass adds what follows from how the app is built, so a route
added later is covered without listing anything:

- every operation: 400 (a JSON body nested too deep), 413 (a body over the limit), 422 (a
  control character in the URL, a parameter or body field out of its constraints), all
  answered by ``api.limits`` or FastAPI's validation before the route runs;
- every operation: 503 (the database or Temporal is unavailable, ``api.errors``);
- an operation that needs an API key: 401 (no or a bad key);
- an operation with path parameters: 404 (no such resource in the caller's account);
- an operation that writes: 409 (the resource's state does not allow it);
- every error status: the one error body of ``api.errors`` (``ErrorBody``);
- every string path or query parameter: the characters it may hold, which ``api.limits``
  enforces (no control character; no "/" in a path segment);
- links from an operation that answers an id (``id``, ``run_id``, ``event_id``, ...) to the
  operations that take it in their path, so a client (and schemathesis' stateful phase) can
  follow a created resource to its reads and writes.

Some input is checked beyond what a JSON Schema can say (a definition's graph and
expressions, a cron spec, a template's syntax, a version that must exist, a page cursor):
such an operation declares it with ``responses=checked_beyond_schema("...")``, which marks
its 422 with ``x-relay-checked-beyond-schema``; the contract test (schemathesis) accepts a 422
from those operations for schema-valid input, and from no other.
"""

import re
from typing import Any

from fastapi import FastAPI

from api.errors import ErrorBody
from api.models.common import NO_CONTROL, PATH_SAFE

ERROR_REF = "#/components/schemas/ErrorBody"
BEYOND_SCHEMA = "x-relay-checked-beyond-schema"
WRITES = frozenset({"post", "put", "patch", "delete"})

GENERIC = {
    "400": "Bad request: the JSON body is nested more than 64 levels deep, or the request is "
    "malformed in a way the schema cannot say",
    "401": "No API key, or an invalid one: send `Authorization: Bearer <api key>`",
    "404": "No such resource in your account",
    "409": "The resource's state does not allow this now",
    "413": "The request body is over the limit (`RELAY_MAX_BODY_BYTES`, 1 MiB; "
    "`RELAY_MAX_DEFINITION_BYTES`, 8 MiB, for definitions and codec payloads); the answer "
    "names the limit",
    "422": "Invalid input: the answer names the field (`detail`, `field`, or FastAPI's list of `{loc, msg}`)",
    "503": "The database or Temporal is unavailable; try again",
}


def checked_beyond_schema(why: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for an operation that also refuses schema-valid input (422), and why."""
    return {422: {"description": f"Invalid input: the answer names the field. Beyond the schema: {why}",
                  BEYOND_SCHEMA: True}}  # fmt: skip


def install(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first request, so
    routes included after this call are covered too)."""
    # `/x/` for `/x` would answer a 307 the document cannot list; it answers 404 instead.
    app.router.redirect_slashes = False
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the statuses, error bodies and parameter constraints every operation has."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head", "options"):
                _complete_operation(path, method, operation)
    _link(document)
    return document


def _complete_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # Every operation reads the database (or Temporal): 503 when it is down.
    codes = {"400", "413", "422", "503"}
    if operation.get("security"):
        codes.add("401")
    if "{" in path:
        codes.add("404")
    if method in WRITES and path.startswith("/v1/"):
        codes.add("409")
    for code in codes:
        responses.setdefault(code, {"description": GENERIC[code]})
    if responses["422"].get("description") == "Validation Error":  # FastAPI's default
        responses["422"]["description"] = GENERIC["422"]
    for code, response in responses.items():
        if code[0] in "45" and not _has_schema(response):
            response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == "cursor":
            responses["422"][BEYOND_SCHEMA] = True
            responses["422"]["description"] += "; a `cursor` that is not a `next_cursor` of this list"
        where = parameter.get("in")
        if where in ("path", "query"):
            _constrain(parameter.setdefault("schema", {}), PATH_SAFE if where == "path" else NO_CONTROL)


def _has_schema(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    # FastAPI gives a status declared without a model an empty schema: not a description.
    return bool(schema) and schema.get("$ref") != "#/components/schemas/HTTPValidationError"


def _constrain(schema: dict[str, Any], pattern: str) -> None:
    """Give the string form of a parameter the pattern the middleware enforces."""
    if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema:
        if schema.get("format") not in ("date-time", "date", "uuid"):
            schema["pattern"] = pattern
    for branch in schema.get("anyOf", []):
        _constrain(branch, pattern)


def _link(document: dict[str, Any]) -> None:
    """Add a link from each writing operation's success answer to every operation whose path
    parameters it can fill: from a property of the answer with the parameter's name (``id``
    for the resource right below the writer's path), or from the writer's own path."""
    schemas = document["components"]["schemas"]
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    ]
    for path, method, operation in operations:
        if method not in WRITES:
            continue
        own = set(re.findall(r"{(\w+)}", path))
        for code, response in operation["responses"].items():
            if not code.startswith("2"):
                continue
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            fields = set(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            links: dict[str, Any] = {}
            for target, _, consumer in operations:
                wanted = re.findall(r"{(\w+)}", target)
                if not wanted or consumer is operation:
                    continue
                source = {p: _source(p, path, target, own, fields) for p in wanted}
                if all(source.values()) and any(v.startswith("$response") for v in source.values()):
                    links[consumer["operationId"]] = {
                        "operationId": consumer["operationId"],
                        "parameters": source,
                    }
            if links:
                response["links"] = links


def _source(param: str, writer: str, target: str, own: set[str], fields: set[str]) -> str:
    # A `name` belongs to its own collection (a workflow's name is no secret's); an `x_id` is
    # unambiguous wherever it appears.
    same_collection = writer.split("/")[:3] == target.split("/")[:3]
    if param in fields and (param.endswith("_id") or same_collection):
        return f"$response.body#/{param}"
    if "id" in fields and target.startswith(f"{writer.rstrip('/')}/{{{param}}}"):
        return "$response.body#/id"
    if param in own:
        return f"$request.path.{param}"
    return ""
