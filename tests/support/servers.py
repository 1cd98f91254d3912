"""Real local servers standing in for the outside world: SMTP (aiosmtpd) and HTTP."""

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: Message


class _MailSink:
    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            ReceivedMail(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on a free loopback port that keeps every message it receives."""

    def __init__(self) -> None:
        self._sink = _MailSink()
        # aiosmtpd's Controller cannot start on port 0 (it probes the port it was given).
        self._controller = Controller(self._sink, hostname="127.0.0.1", port=free_port())

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def messages(self) -> list[ReceivedMail]:
        return self._sink.messages

    def clear(self) -> None:
        self._sink.messages.clear()


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[ReceivedRequest], Reply]


class HttpServer:
    """A threaded stdlib HTTP server on a free loopback port (of ``host``, any 127.x address);
    ``responder`` decides each answer."""

    def __init__(self, responder: Responder | None = None, *, host: str = "127.0.0.1") -> None:
        self.requests: list[ReceivedRequest] = []
        self.responder: Responder = responder or (lambda _req: Reply(200, {"ok": True}))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                req = ReceivedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                outer.requests.append(req)
                reply = outer.responder(req)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *_args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "HttpServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
