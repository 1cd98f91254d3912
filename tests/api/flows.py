"""Definitions the API tests share (publishing and waiting: ``tests.support.api_calls``)."""

from typing import Any

SIGNUP = "user/signed_up"

GREETER: dict[str, Any] = {
    "name": "Greeter",
    "trigger": {"event": SIGNUP},
    "actions": [
        {"type": "filter", "data": {"field": "plan", "value": "pro"}},
        {"id": "greet", "type": "log", "data": {"message": "welcome {{ event.data.name }}"}},
    ],
}

MANUAL: dict[str, Any] = {
    "name": "Manual",
    "actions": [
        {"type": "filter", "data": {"if": "input.go = true"}},
        {"id": "say", "type": "log", "data": {"message": "hello {{ input.who }}"}},
    ],
}


def greeter(**changes: Any) -> dict[str, Any]:
    return {**GREETER, **changes}
