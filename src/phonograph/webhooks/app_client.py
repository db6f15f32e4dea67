"""Signed HTTP requests to apps, made the way Twilio makes them, with failures as Twilio codes.

What Twilio's requests look like (twilio.com/docs/usage/webhooks/webhooks-security;
twilio.com/docs/api/errors/11205; twilio.com/docs/api/errors/11216):
- POST sends the parameters form-encoded; GET appends them to the URL's query string.
- Every request carries ``X-Twilio-Signature`` over the URL actually requested (and, for a POST,
  its parameters), ``User-Agent: TwilioProxy/1.1`` and ``I-Twilio-Idempotency-Token``.
- Twilio waits 15 s in all for a response, connecting included twilio.com/docs/api/errors/11205.
- Redirects 301, 302, 303 and 307 are followed, each hop signed over its own URL; any other 3xx
  is an invalid redirect twilio.com/docs/api/errors/11216. Twilio does not document how many it follows; we
  follow 5. A 303 turns into a GET without parameters (RFC 9110 §15.4.4); 301, 302 and 307 keep the method
  and parameters (RFC 9110 allows either for 301/302; keeping them keeps a status callback's data
  across the common http→https redirect).
- ``user:password@`` in a URL becomes HTTP Basic auth, sent at once. Twilio first waits for a
  401 challenge and also speaks Digest (twilio.com/docs/usage/security); we differ on purpose,
  for docs/compatibility.md. The signed URL has no userinfo, since the app never sees it.
- The connection overrides in the URL's fragment (``#ct=…&rt=…&tt=…&rc=…&rp=…``) set this
  request's timeouts and retries (``overrides.py``); the fragment is neither sent nor signed. By
  default a request that could not connect is tried once more, at once, within the same total
  time, with the same ``I-Twilio-Idempotency-Token``; nothing else is retried.
- The body is read as it streams and kept up to a cap: 64 kB of TwiML twilio.com/docs/api/errors/11750, or
  ``AUDIO_MAX_BYTES`` when the app answers with an audio file; a longer body is cut there and
  marked ``truncated`` (a status callback's body is never read by Twilio, so only TwiML fails).
- Connections go through the outbound policy (``outbound.py``); a refused address fails as an
  unreachable one does (11205), and nothing is sent.
"""

from __future__ import annotations

import asyncio
import re
import socket
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

import httpx

from phonograph.webhooks.event_log import EventLog
from phonograph.webhooks.outbound import cause_of, refusal
from phonograph.webhooks.overrides import ConnectionOverrides, Failure, parse_overrides
from phonograph.webhooks.signing import signature
from phonograph.webhooks.types import (
    HTTP_BAD_HOST_NAME,
    HTTP_CONNECTION_FAILURE,
    HTTP_INVALID_REDIRECT,
    HTTP_RETRIEVAL_FAILURE,
    HTTP_TOO_MANY_REDIRECTS,
    INVALID_URL,
    AppRequest,
    AppResponse,
    Method,
    WebhookError,
    form_encode,
)

DEFAULT_TIMEOUT_S = 15.0
CONNECT_TIMEOUT_S = 10.0  # Twilio: two 5-second TCP attempts twilio.com/docs/api/errors/11205
MAX_REDIRECTS = 5
FOLLOWED_REDIRECTS = frozenset({301, 302, 303, 307})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TWIML_MAX_BYTES = 64 * 1024  # twilio.com/docs/api/errors/11750 "the response body is larger than 64 kB"
AUDIO_MAX_BYTES = 16 * 1024 * 1024
"""An audio file answered in place of TwiML, or fetched by ``<Play>``: about 17 minutes of 8 kHz
16-bit WAV, or over an hour of MP3 (docs/security.md)."""
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_BAD_HOST_CHARS = re.compile(r"[^\w.\-\[\]:%]")


def _fail(
    message: str,
    code: int,
    request: AppRequest,
    url: str,
    method: Method,
    response: AppResponse | None = None,
    failure: Failure | None = None,
) -> WebhookError:
    return WebhookError(
        message, code=code, request=request, url=url, method=method, response=response, failure=failure
    )


def _checked_url(url: str) -> SplitResult | None:
    """``url`` split, when it is an absolute http(s) URL with a usable host, else None."""
    if _BAD_URL_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
        httpx.URL(url)  # refuses what httpx cannot send, such as an invalid IDNA host name
    except (ValueError, httpx.InvalidURL):
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host or _BAD_HOST_CHARS.search(host):
        return None
    return parts


def _with_query(parts: SplitResult, params: tuple[tuple[str, str], ...]) -> SplitResult:
    if not params:
        return parts
    extra = form_encode(params)
    return parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra)


def _first_hop(request: AppRequest) -> tuple[SplitResult, tuple[tuple[str, str], ...]] | None:
    """Where a request goes first and its form: a GET's parameters join its query, a POST's are
    its form. None for a URL that is never sent."""
    parts = _checked_url(request.url)
    if parts is None:
        return None
    if request.method == "GET":
        return _with_query(parts, request.params), ()
    return parts, request.params


def request_signature(request: AppRequest, auth_token: str) -> str | None:
    """The ``X-Twilio-Signature`` ``request`` is sent with (its first hop: a redirect is signed
    for where it leads), or None for a URL that is never sent."""
    hop = _first_hop(request)
    if hop is None:
        return None
    parts, form = hop
    return signature(auth_token, _wire_url(parts)[0], form)


def _wire_url(parts: SplitResult) -> tuple[str, httpx.BasicAuth | None]:
    """The URL as sent (no userinfo, no fragment) and the Basic auth its userinfo asks for."""
    auth = None
    if parts.username is not None or parts.password is not None:
        auth = httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))
    netloc = parts.netloc.rpartition("@")[2]
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    # httpx normalizes (percent-encodes, lowercases the host): sign what goes on the wire.
    return str(httpx.URL(bare)), auth


def _is_dns_failure(exc: BaseException) -> bool:
    return cause_of(exc, socket.gaierror) is not None


def _body_cap(raw: httpx.Response) -> int:
    content_type = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    return AUDIO_MAX_BYTES if content_type.startswith("audio/") else TWIML_MAX_BYTES


async def read_capped(raw: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of a streamed body, and whether there was more (left unread)."""
    body = bytearray()
    async for chunk in raw.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            return bytes(body[:max_bytes]), True
    return bytes(body), False


async def _response(raw: httpx.Response, url: str) -> AppResponse:
    headers = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in raw.headers.raw)
    body, truncated = await read_capped(raw, _body_cap(raw))
    return AppResponse(status_code=raw.status_code, headers=headers, body=body, url=url, truncated=truncated)


class AppClient:
    """Sends ``AppRequest``s over an injected ``httpx.AsyncClient`` (docs/style.md rule 9)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        user_agent: str = "TwilioProxy/1.1",
        events: EventLog | None = None,
    ) -> None:
        """``events``: where each request and its outcome is kept (the call Events list)."""
        self._http = http
        self._events = events
        self.timeout_s = timeout_s
        self._user_agent = user_agent
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S))

    async def send(self, request: AppRequest, auth_token: str) -> AppResponse:
        """The app's 2xx response; anything else raises ``WebhookError`` with Twilio's code."""
        events = self._events
        if events is None:
            return await self._send(request, auth_token)
        started = events.clock.now()
        try:
            response = await self._send(request, auth_token)
        except WebhookError as error:
            events.record(request, error.url, started, error=error)
            raise
        events.record(request, response.url, started, response=response)
        return response

    async def _send(self, request: AppRequest, auth_token: str) -> AppResponse:
        hop = _first_hop(request)
        if hop is None:
            raise _fail(
                f"Invalid URL format: {request.url!r}", INVALID_URL, request, request.url, request.method
            )
        parts, form = hop
        method = request.method
        overrides = parse_overrides(parts.fragment)
        total_s = overrides.total_timeout_s or self.timeout_s
        http_timeouts = self._timeout_for(overrides)
        try:
            # ``tt`` bounds every attempt together, as Twilio's "total time ... including retries".
            async with asyncio.timeout(total_s):
                retried = 0
                while True:
                    try:
                        return await self._follow(request, parts, method, form, auth_token, http_timeouts)
                    except WebhookError as error:
                        if retried == overrides.retries or not overrides.retries_after(error.failure):
                            raise
                        retried += 1
        except TimeoutError:
            raise _fail(
                f"HTTP connection failure: no response within {total_s:g} s",
                HTTP_CONNECTION_FAILURE,
                request,
                request.url,
                method,
            ) from None

    async def _follow(
        self,
        request: AppRequest,
        parts: SplitResult,
        method: Method,
        form: tuple[tuple[str, str], ...],
        auth_token: str,
        http_timeouts: httpx.Timeout,
    ) -> AppResponse:
        """One attempt: the request and the redirects it is answered with."""
        for _hop in range(MAX_REDIRECTS + 1):
            url, auth = _wire_url(parts)
            response = await self._exchange(request, method, url, form, auth, auth_token, http_timeouts)
            if response.status_code not in range(300, 400):
                return self._checked_response(request, method, response)
            parts, method, form = self._redirect(request, method, form, response)
        raise _fail(
            f"HTTP too many redirects: more than {MAX_REDIRECTS}",
            HTTP_TOO_MANY_REDIRECTS,
            request,
            url,
            method,
            response,
        )

    def _timeout_for(self, overrides: ConnectionOverrides) -> httpx.Timeout:
        """httpx's per-operation timeouts with the URL's ``ct`` and ``rt``; ``tt`` bounds the whole
        exchange in ``send``."""
        if overrides.connect_timeout_s is None and overrides.read_timeout_s is None:
            return self._timeout
        return httpx.Timeout(
            self.timeout_s,
            connect=overrides.connect_timeout_s or min(self.timeout_s, CONNECT_TIMEOUT_S),
            read=overrides.read_timeout_s or self.timeout_s,
        )

    async def _exchange(
        self,
        request: AppRequest,
        method: Method,
        url: str,
        form: tuple[tuple[str, str], ...],
        auth: httpx.BasicAuth | None,
        auth_token: str,
        http_timeouts: httpx.Timeout,
    ) -> AppResponse:
        headers = {
            "User-Agent": self._user_agent,
            "Accept": "*/*",
            "X-Twilio-Signature": signature(auth_token, url, form),
            "I-Twilio-Idempotency-Token": request.idempotency_token,
        }
        body = None
        if method == "POST":
            headers["Content-Type"] = FORM_CONTENT_TYPE
            body = form_encode(form).encode("ascii")
        try:
            async with self._http.stream(
                method,
                url,
                content=body,
                headers=headers,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                follow_redirects=False,
                timeout=http_timeouts,
            ) as raw:
                return await _response(raw, url)
        except httpx.TimeoutException as exc:
            failure = Failure.CONNECT if isinstance(exc, httpx.ConnectTimeout) else Failure.READ
            raise _fail(
                f"HTTP connection failure: timed out ({exc})",
                HTTP_CONNECTION_FAILURE,
                request,
                url,
                method,
                failure=failure,
            ) from exc
        except httpx.ConnectError as exc:
            refused = refusal(exc)
            if refused is not None:  # not retried: the policy would refuse it again
                raise _fail(
                    f"HTTP connection failure: {refused}", HTTP_CONNECTION_FAILURE, request, url, method
                ) from exc
            code = HTTP_BAD_HOST_NAME if _is_dns_failure(exc) else HTTP_CONNECTION_FAILURE
            message = "HTTP bad host name" if code == HTTP_BAD_HOST_NAME else "HTTP connection failure"
            raise _fail(f"{message}: {exc}", code, request, url, method, failure=Failure.CONNECT) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise _fail(f"Invalid URL format: {exc}", INVALID_URL, request, url, method) from exc
        except httpx.TransportError as exc:  # the connection broke while the answer was awaited
            raise _fail(
                f"HTTP connection failure: {exc}",
                HTTP_CONNECTION_FAILURE,
                request,
                url,
                method,
                failure=Failure.READ,
            ) from exc
        except httpx.RequestError as exc:
            raise _fail(
                f"HTTP retrieval failure: {exc}", HTTP_RETRIEVAL_FAILURE, request, url, method
            ) from exc

    def _checked_response(self, request: AppRequest, method: Method, response: AppResponse) -> AppResponse:
        if not response.ok:
            raise _fail(
                f"HTTP retrieval failure: the app answered {response.status_code}",
                HTTP_RETRIEVAL_FAILURE,
                request,
                response.url,
                method,
                response,
                failure=Failure.CLIENT_ERROR if response.status_code < 500 else Failure.SERVER_ERROR,
            )
        return response

    def _redirect(
        self,
        request: AppRequest,
        method: Method,
        form: tuple[tuple[str, str], ...],
        response: AppResponse,
    ) -> tuple[SplitResult, Method, tuple[tuple[str, str], ...]]:
        """Where a 3xx leads: the next URL, method and form parameters."""
        location = response.header("location")
        target = None
        if response.status_code in FOLLOWED_REDIRECTS and location:
            try:
                target = _checked_url(str(httpx.URL(response.url).join(location)))
            except httpx.InvalidURL:
                target = None
        if target is None:
            raise _fail(
                f"HTTP invalid redirect: {response.status_code} with Location {location!r}",
                HTTP_INVALID_REDIRECT,
                request,
                response.url,
                method,
                response,
            )
        if response.status_code == 303:
            return target, "GET", ()
        return target, method, form
