"""The text a slack step gets when, like the seed example, it names only a channel."""

from activities.registry import load_actions
from interpreter.expressions import render


def default_text(context: dict) -> str:
    return render(load_actions([])["slack"].defaults["text"], context)


def test_names_the_event_and_shows_its_data():
    event = {"name": "crm/lead_status.changed", "data": {"status": "proposal_created"}}

    text = default_text({"event": event, "input": {}})

    assert text.startswith("*crm/lead_status.changed*\n```")
    assert '"status": "proposal_created"' in text


def test_without_an_event_shows_the_run_input():
    assert default_text({"event": None, "input": {"lead": 7}}) == 'Relay workflow message: {"lead":7}'
