"""A local stand-in for Slack's Web API, to follow the README's walkthrough without a Slack
workspace: ``chat.postMessage`` answers ``ok`` and prints the message.

    .venv/bin/python -m examples.slack_standin            # serves http://127.0.0.1:8025/api
    RELAY_SLACK_API_URL=http://127.0.0.1:8025/api make dev

Any bearer token is accepted; a request without one gets Slack's own ``not_authed``.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

ADDRESS = ("127.0.0.1", 8025)
_stamps = count(1)


class SlackStandIn(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.rstrip("/") != "/api/chat.postMessage":
            return self._answer(404, {"ok": False, "error": "unknown_method"})
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return self._answer(200, {"ok": False, "error": "not_authed"})
        message = json.loads(body or b"{}")
        sys.stdout.write(f"slack #{message.get('channel')}: {message.get('text') or message.get('blocks')}\n")
        sys.stdout.flush()
        self._answer(200, {"ok": True, "channel": message.get("channel"), "ts": f"{next(_stamps)}.000100"})

    def _answer(self, status: int, answer: dict[str, object]) -> None:
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass  # the messages are the output


if __name__ == "__main__":
    sys.stdout.write(f"Slack stand-in on http://{ADDRESS[0]}:{ADDRESS[1]}/api\n")
    ThreadingHTTPServer(ADDRESS, SlackStandIn).serve_forever()
