"""A local HTTP sink that records when each call arrives and leaves, and takes ``delay`` seconds
to answer: the action of the flow-control tests, so overlaps and start times can be measured."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    body: dict[str, Any]
    arrived: float
    left: float = 0.0


class Sink:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(body=json.loads(self.rfile.read(length) or b"{}"), arrived=time.monotonic())
                with outer._lock:
                    outer.calls.append(call)
                time.sleep(outer.delay)
                call.left = time.monotonic()
                payload = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hit"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def finished(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.left]


def max_overlap(calls: list[Call]) -> int:
    """The most calls in progress at one moment."""
    edges = sorted(
        [(c.arrived, 1) for c in calls] + [(c.left, -1) for c in calls], key=lambda e: (e[0], e[1])
    )
    most = current = 0
    for _moment, step in edges:
        current += step
        most = max(most, current)
    return most


def windows(starts: list[float], width: float) -> Iterator[int]:
    """How many starts each window of ``width`` seconds beginning at a start holds."""
    ordered = sorted(starts)
    for index, first in enumerate(ordered):
        yield sum(1 for moment in ordered[index:] if moment < first + width)
