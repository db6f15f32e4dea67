"""A small local web app that end-to-end call tests point Twilio-style webhooks at.

The server under test fetches TwiML from it, sends it status callbacks and action requests, and
downloads ``<Play>`` audio from it, just as it would from a user's app. Each request is recorded as a
frozen :class:`Hit`; tests wait for hits with :meth:`WebApp.wait_for` and check their
``X-Twilio-Signature`` with :meth:`WebApp.valid_signature`, which uses the SDK's own validator as a
Twilio user's app would.

    with WebApp() as app:
        app.twiml("/voice", "<Response><Say>hi</Say></Response>")
        ...  # create a call with url=app.url("/voice")
        [hit] = app.wait_for("/voice")
        assert app.valid_signature(hit, account.auth_token)
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
DEFAULT_WAIT_S = 20.0
SHUTDOWN_POLL_S = 0.01


class Headers(Mapping[str, str]):
    """Request headers with case-insensitive lookup; a repeated header's values are joined by ", "."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in items:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class Hit:
    """One request the app received, and the status it answered with.

    ``url`` is the URL as requested (scheme, Host header, raw path and query), which is what Twilio
    signs. ``status`` is 0 while a route's callable is still building the reply for this hit.
    ``signature_valid`` is None unless the app knows an auth token and the request carries
    ``X-Twilio-Signature`` (``<Play>`` audio fetches carry none).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: Headers
    url: str
    body: bytes
    received_at: float
    status: int = 0
    signature_valid: bool | None = None

    def param(self, name: str) -> str | None:
        """The first value of ``name``: from the form body for POST, from the query string otherwise."""
        values = self._source().get(name)
        return values[0] if values else None

    def params(self) -> dict[str, str]:
        """Every parameter (form for POST, query otherwise) with its first value."""
        return {name: values[0] for name, values in self._source().items() if values}

    def _source(self) -> dict[str, list[str]]:
        return self.form if self.method == "POST" else self.query

    def summary(self) -> str:
        return f"{self.method} {self.url} -> {self.status} {self.params()}"


Document = str | Callable[[Hit], str]
Body = bytes | Callable[[Hit], bytes]
Predicate = Callable[[Hit], bool]


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _Route:
    body: Callable[[Hit], bytes]
    status: int
    content_type: str | None
    headers: dict[str, str]
    delay_s: float
    etag: str | None
    last_modified: datetime | None

    def validators(self) -> dict[str, str]:
        """The ETag / Last-Modified headers that conditional GETs are checked against."""
        out: dict[str, str] = {}
        if self.etag is not None:
            out["ETag"] = self.etag
        if self.last_modified is not None:
            out["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return out

    def not_modified(self, headers: Headers) -> bool:
        """RFC 9110 §13.1.2–13.1.3: If-None-Match (weak comparison) wins; If-Modified-Since otherwise."""
        if_none_match = headers.get("If-None-Match")
        if if_none_match is not None:
            if self.etag is None:
                return False
            tags = {_weak(tag) for tag in if_none_match.split(",")}
            return "*" in tags or _weak(self.etag) in tags
        if_modified_since = headers.get("If-Modified-Since")
        if if_modified_since is None or self.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False  # an invalid date is ignored (RFC 9110 §13.1.3)
        return since.tzinfo is not None and self.last_modified.replace(microsecond=0) <= since


def _weak(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _entity_tag(etag: str) -> str:
    return etag if etag.startswith(('"', "W/")) else f'"{etag}"'


class WebApp:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS) that serves routes and records hits.

    Routes match the path exactly, for any method; registering a path again replaces its route.
    Unknown paths answer 404 and are recorded too. A route callable that raises answers 500, and the
    traceback is kept in :attr:`errors` (the ``webapp`` fixture fails the test if any are left).
    """

    def __init__(self, host: str = "127.0.0.1", *, auth_token: str | None = None) -> None:
        """``host``: the loopback address to listen on (another one, such as 127.0.0.2, stands for
        an internal service in outbound-policy tests). ``auth_token``: check every signed request
        against it as it arrives (:attr:`Hit.signature_valid`, :meth:`bad_signatures`)."""
        self._auth_token = auth_token
        self._routes: dict[str, _Route] = {}
        self._hits: list[Hit] = []
        self._errors: list[str] = []
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._server = _Server(self, host)
        bound_host, port = self._server.server_address[:2]
        self.base_url = f"http://{bound_host!s}:{port}"
        self._thread = threading.Thread(target=self._serve_forever, name="webapp", daemon=True)

    def start(self) -> WebApp:
        self._thread.start()
        return self

    def _serve_forever(self) -> None:
        # shutdown() waits for the loop to notice it; the default 0.5 s poll would make every
        # test's teardown take half a second.
        self._server.serve_forever(poll_interval=SHUTDOWN_POLL_S)

    def close(self) -> None:
        """Stop serving; replies still being delayed are sent at once."""
        self._closing.set()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> WebApp:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (which may carry a query string) on this app."""
        assert path.startswith("/"), f"path must start with '/': {path!r}"
        return self.base_url + path

    # -- routes --------------------------------------------------------------------------------

    def twiml(
        self,
        path: str,
        document: Document,
        *,
        status: int = 200,
        content_type: str | None = "text/xml",
        delay_s: float = 0.0,
    ) -> str:
        """Answer ``path`` with a TwiML document, or with ``document(hit)`` built per request.

        Returns the route's absolute URL.
        """
        build = document if callable(document) else _constant(document)
        body = _encoded(build)
        return self.respond(path, body, status=status, content_type=content_type, delay_s=delay_s)

    def respond(
        self,
        path: str,
        body: Body,
        *,
        status: int = 200,
        content_type: str | None = "application/octet-stream",
        headers: Mapping[str, str] | None = None,
        delay_s: float = 0.0,
        etag: str | None = None,
        last_modified: datetime | None = None,
    ) -> str:
        """Answer ``path`` with any content (audio, HTML, an error page, an empty body).

        ``content_type=None`` sends no Content-Type. With ``etag`` (quoted if given bare) or
        ``last_modified`` (an aware datetime), GET and HEAD requests carrying a matching
        If-None-Match / If-Modified-Since get 304 Not Modified. Returns the route's absolute URL.
        """
        if last_modified is not None:
            assert last_modified.tzinfo is not None, "last_modified must be timezone-aware"
            last_modified = last_modified.astimezone(UTC)
        route = _Route(
            body=body if callable(body) else _constant(body),
            status=status,
            content_type=content_type,
            headers=dict(headers or {}),
            delay_s=delay_s,
            etag=None if etag is None else _entity_tag(etag),
            last_modified=last_modified,
        )
        with self._changed:
            self._routes[urlsplit(path).path] = route
        return self.url(path)

    def fail(self, path: str, status: int) -> str:
        """Answer ``path`` with ``status`` and a short plain-text body. Returns the route's URL."""
        body = f"failing on purpose with {status}\n".encode()
        return self.respond(path, body, status=status, content_type="text/plain")

    # -- recorded hits -------------------------------------------------------------------------

    @property
    def errors(self) -> list[str]:
        """Tracebacks of route callables that raised (each answered 500)."""
        with self._changed:
            return list(self._errors)

    def hits(self, path: str | None = None) -> list[Hit]:
        """Hits so far, oldest first; only those to ``path`` if given."""
        with self._changed:
            return [hit for hit in self._hits if path is None or hit.path == path]

    def count(self, path: str, *, status: int | None = None) -> int:
        """How many hits ``path`` got, or how many it answered with ``status`` (e.g. 304)."""
        return sum(status is None or hit.status == status for hit in self.hits(path))

    def wait_for(
        self,
        path: str | None,
        predicate: Predicate | None = None,
        *,
        count: int = 1,
        timeout_s: float = DEFAULT_WAIT_S,
    ) -> list[Hit]:
        """Block until ``count`` hits to ``path`` (any path if None) satisfy ``predicate``.

        Returns the first ``count`` such hits, oldest first, so ``[hit] = app.wait_for(...)``
        works even if more arrive later. Raises AssertionError listing every hit on timeout.
        """

        def matching() -> list[Hit]:
            return [
                hit
                for hit in self._hits
                if (path is None or hit.path == path) and (predicate is None or predicate(hit))
            ]

        with self._changed:
            if self._changed.wait_for(lambda: len(matching()) >= count, timeout=timeout_s):
                return matching()[:count]
            found, everything = len(matching()), list(self._hits)
        arrived = "\n".join(f"  {hit.summary()}" for hit in everything) or "  (none)"
        raise AssertionError(
            f"waited {timeout_s}s for {count} hit(s) to {path or 'any path'}"
            f"{' matching ' + _name(predicate) if predicate else ''}; {found} matched. "
            f"Hits received:\n{arrived}"
        )

    def bad_signatures(self) -> list[Hit]:
        """Hits whose ``X-Twilio-Signature`` did not validate against the app's auth token."""
        return [hit for hit in self.hits() if hit.signature_valid is False]

    def valid_signature(self, hit: Hit, auth_token: str) -> bool:
        """Whether ``hit`` carries a valid ``X-Twilio-Signature`` for ``auth_token``."""
        return valid_signature(hit, auth_token)

    # -- serving (called on the server's handler threads) -------------------------------------

    def _serve(self, handler: _Handler) -> None:
        hit = _read_hit(handler, self.base_url)
        if self._auth_token is not None and SIGNATURE_HEADER in hit.headers:
            hit = replace(hit, signature_valid=valid_signature(hit, self._auth_token))
        with self._changed:
            route = self._routes.get(hit.path)
        reply = self._reply(route, hit)
        with self._changed:
            self._hits.append(replace(hit, status=reply.status))
            self._changed.notify_all()
        if route is not None and route.delay_s > 0:
            self._closing.wait(route.delay_s)
        _send(handler, reply, with_body=hit.method != "HEAD")

    def _reply(self, route: _Route | None, hit: Hit) -> _Reply:
        if route is None:
            return _Reply(404, {"Content-Type": "text/plain"}, f"no route for {hit.path}\n".encode())
        if hit.method in ("GET", "HEAD") and route.not_modified(hit.headers):
            return _Reply(304, route.validators(), b"")
        try:
            body = route.body(hit)
        except Exception:
            error = traceback.format_exc()
            with self._changed:
                self._errors.append(error)
            return _Reply(500, {"Content-Type": "text/plain"}, error.encode())
        content_type = {} if route.content_type is None else {"Content-Type": route.content_type}
        return _Reply(route.status, {**content_type, **route.validators(), **route.headers}, body)


class _SdkParams(dict[str, list[str]]):
    """Repeated parameters the way RequestValidator reads them: through ``getlist`` (as Django's
    QueryDict); a plain dict would hand it the whole list as one value."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def valid_signature(hit: Hit, auth_token: str) -> bool:
    """Check ``hit`` with the SDK's RequestValidator, as a Twilio user's app does: the full URL plus
    the form parameters for POST, the full URL alone otherwise (twilio.com/docs/usage/security)."""
    signature = hit.headers.get(SIGNATURE_HEADER)
    if signature is None:
        return False
    params = _SdkParams(hit.form) if hit.method == "POST" else {}
    return bool(RequestValidator(auth_token).validate(hit.url, params, signature))


def _constant(value: Any) -> Callable[[Hit], Any]:
    return lambda _hit: value


def _encoded(build: Callable[[Hit], str]) -> Callable[[Hit], bytes]:
    return lambda hit: build(hit).encode("utf-8")


def _name(predicate: Predicate) -> str:
    return getattr(predicate, "__qualname__", repr(predicate))


def _read_hit(handler: BaseHTTPRequestHandler, base_url: str) -> Hit:
    split = urlsplit(handler.path)
    headers = Headers(handler.headers.items())
    body = _read_body(handler, headers)
    media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
    is_form = media_type == FORM_CONTENT_TYPE
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if is_form else {}
    host = headers.get("Host") or urlsplit(base_url).netloc
    return Hit(
        method=handler.command,
        path=split.path,
        query=parse_qs(split.query, keep_blank_values=True),
        form=form,
        headers=headers,
        url=f"http://{host}{handler.path}",
        body=body,
        received_at=time.monotonic(),
    )


def _read_body(handler: BaseHTTPRequestHandler, headers: Headers) -> bytes:
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while size := int(handler.rfile.readline().split(b";")[0], 16):
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailer fields
        return b"".join(chunks)
    length = int(headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _send(handler: BaseHTTPRequestHandler, reply: _Reply, *, with_body: bool) -> None:
    # One request per connection: a keep-alive connection would outlive close() and keep answering.
    try:
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.status != 304:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if with_body and reply.status != 304:
            handler.wfile.write(reply.body)
    except OSError:
        pass  # the client gave up (e.g. the server under test timed out on a slow route)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.app._serve(self)

    def do_POST(self) -> None:
        self.server.app._serve(self)

    def do_HEAD(self) -> None:
        self.server.app._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the hits are the log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: WebApp, host: str) -> None:
        self.app = app
        super().__init__((host, 0), _Handler)
