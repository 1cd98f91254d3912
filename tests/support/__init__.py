"""Real local stand-ins the tests talk to: SMTP and HTTP servers, Temporal environments."""
