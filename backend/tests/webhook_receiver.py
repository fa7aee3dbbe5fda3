"""A real HTTP receiver for webhook tests: http.server in a thread on a free port, answering each
request as told (ok, an error status, too slowly, by closing the connection, or a redirect)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[str] = []  # answers for the next requests, in order
        self.default = "ok"
        self.slow_seconds = 1.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                mode = receiver.script.pop(0) if receiver.script else receiver.default
                if mode == "close":  # no answer at all: the connection just ends
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if mode == "slow":
                    time.sleep(receiver.slow_seconds)
                    mode = "ok"
                if mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", f"{receiver.url}/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 200 if mode == "ok" else int(mode)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
