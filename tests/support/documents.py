"""Definition documents more than one test folder uses."""

from typing import Any

# SPEC §2's Approval example, verbatim.
APPROVAL: dict[str, Any] = {
    "name": "Approval",
    "trigger": {"event": "crm/lead_status.changed"},
    "actions": [
        {"type": "filter", "data": {"field": "status", "value": "proposal_created"}},
        {"type": "email", "data": {"template": "proposal", "to": "leadEmail"}},
        {"type": "slack", "data": {"channel": "C12345"}},
        {"type": "sleep", "data": {"duration": "2 days"}},
        {"type": "email", "data": {"template": "proposal_follow_up", "to": "salespersonEmail"}},
    ],
}
