"""The webhooks room's shared types: a request to an app, its response, and the error a failed
request becomes, with the Twilio code that Twilio's debugger would record for it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

from phonograph.core import PhonographError
from phonograph.webhooks.overrides import Failure

Method = Literal["GET", "POST"]
# A document fetched for a call (the first one, actions, redirects) or a status callback.
RequestKind = Literal["twiml", "callback"]

# Twilio's codes for failed requests to an app; each code's page is
# https://www.twilio.com/docs/api/errors/<code>.
INVALID_URL = 11100  # "Invalid URL format"
HTTP_RETRIEVAL_FAILURE = 11200  # catch-all; its causes include a 4xx or 5xx response
HTTP_CONNECTION_FAILURE = 11205  # network failure: no connection, or no response in time
HTTP_BAD_HOST_NAME = 11210  # "The DNS entry for the URL's host cannot be resolved"
HTTP_TOO_MANY_REDIRECTS = 11215
HTTP_INVALID_REDIRECT = 11216  # a 3xx that is not 301/302/303/307, or has no Location


def form_encode(pairs: tuple[tuple[str, str], ...]) -> str:
    """``a=1&b=2``, form-encoded: the body of a POST, and how notifications show variables."""
    return urlencode(pairs)


def _new_token() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class AppRequest:
    """One logical request to an app: TwiML fetch, action, or status callback.

    ``idempotency_token`` is sent as ``I-Twilio-Idempotency-Token``; reuse the same request
    (or pass the same token) when retrying, so the app can tell a retry from a new request.
    """

    url: str
    method: Method
    params: tuple[tuple[str, str], ...] = ()
    idempotency_token: str = field(default_factory=_new_token)
    kind: RequestKind = "twiml"

    @property
    def variables(self) -> str:
        return form_encode(self.params)


@dataclass(frozen=True)
class AppResponse:
    """What the app answered: status, headers in order received (names as sent), body, final URL.
    ``truncated``: the body went on past the cap it was read to (``app_client.py``)."""

    status_code: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    url: str
    truncated: bool = False

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        """The body as text: UTF-8 unless the Content-Type names another charset; bad bytes replaced."""
        charset = "utf-8"
        for part in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class WebhookError(PhonographError):
    """A request to an app failed. Keeps what a Notification records: the request, the URL that
    failed (a redirect's target, when one was followed), and the response when there was one."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        request: AppRequest,
        url: str,
        method: Method,
        response: AppResponse | None = None,
        failure: Failure | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.request = request
        self.url = url
        self.method = method
        self.response = response
        # Which retry policy (``rp``) names this failure; None: never worth sending again (an
        # invalid URL or redirect, a refused address).
        self.failure = failure

    @property
    def request_variables(self) -> str:
        return self.request.variables

    @property
    def response_body(self) -> str:
        return "" if self.response is None else self.response.text

    @property
    def response_headers(self) -> str:
        return "" if self.response is None else form_encode(self.response.headers)
