"""A robot of our own: an HTTP server on a free local port that records each post and answers as told."""

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: dict


@dataclass
class Robot:
    url: str
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)  # taken in order; then 200 {"errcode": 0}
    hold: threading.Event | None = None  # when set up, each answer waits for it
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def robot():
    state = Robot(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            parts = urllib.parse.urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.received.append(
                Received(parts.path, dict(urllib.parse.parse_qsl(parts.query)), dict(self.headers), body)
            )
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(timeout=30)
            status, answer = state.answers.pop(0) if state.answers else (200, {"errcode": 0, "errmsg": "ok"})
            content = json.dumps({**answer, "path": self.path}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()
