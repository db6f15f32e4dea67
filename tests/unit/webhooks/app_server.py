"""A real app for webhook tests: a stdlib HTTP server on 127.0.0.1 (port 0) in a thread.

It records every request as the app saw it and answers with ``handler`` (200 ``<Response/>`` by
default). Handlers run in the server's threads, so they may block on a ``threading.Event``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from twilio.request_validator import RequestValidator

WAIT_S = 5.0


class MultiDict(dict[str, list[str]]):
    """Repeated form fields, in the shape the SDK's validator reads (Flask's ``getall``)."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getall(self, name: str) -> list[str]:
        return self[name]


@dataclass(frozen=True)
class Received:
    method: str
    url: str
    path: str
    query: tuple[tuple[str, str], ...]
    form: tuple[tuple[str, str], ...]
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.query + self.form if key == name), None)

    def signed_by(self, auth_token: str) -> bool:
        """Whether the official SDK accepts ``X-Twilio-Signature`` for this token."""
        params = MultiDict(self.form) if self.method == "POST" else {}
        valid: bool = RequestValidator(auth_token).validate(
            self.url, params, self.header("X-Twilio-Signature")
        )
        return valid


Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[Received], Reply]


def ok(_: Received) -> Reply:
    return 200, {"Content-Type": "application/xml"}, b"<Response/>"


class AppServer:
    def __init__(self) -> None:
        self.handler: Handler = ok
        self.received: list[Received] = []
        self.succeeded: list[Received] = []  # those answered 2xx, the response written in full
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> AppServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(WAIT_S)

    def _enter(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self, request: Received, succeeded: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            if succeeded:
                self.succeeded.append(request)

    def snapshot(self) -> tuple[list[Received], list[Received]]:
        with self._lock:
            return list(self.received), list(self.succeeded)


def _make_handler(app: AppServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            target = urlsplit(self.path)
            request = Received(
                method=self.command,
                url=app.base_url + self.path,
                path=target.path,
                query=tuple(parse_qsl(target.query, keep_blank_values=True)),
                form=tuple(parse_qsl(body, keep_blank_values=True)),
                headers={name.lower(): value for name, value in self.headers.items()},
            )
            app._enter(request)
            succeeded = False
            try:
                status, headers, content = app.handler(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                self.wfile.flush()
                succeeded = 200 <= status < 300
            except OSError:
                self.close_connection = True  # the client gave up (timeout, stopped worker)
            finally:
                app._leave(request, succeeded)

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

    return Handler


@contextmanager
def app_server() -> Iterator[AppServer]:
    server = AppServer().start()
    try:
        yield server
    finally:
        server.stop()


async def eventually(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    """Wait, polling briefly, until ``condition()`` holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
