"""The official SDK pointed at a phonograph server (README: "Point the twilio SDK at phonograph").

Every success answer the SDK gets on a path Twilio defines is checked against Twilio's schema
(tests/support/twilio_schema.py), so every SDK call in the tests checks it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from phonograph.testing.kit import twilio_client
from tests.support.twilio_schema import assert_twilio_shape


def check_twilio_schema(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    if response.ok:
        path = urlsplit(response.request.url or "").path
        content_type = response.headers.get("content-type", "")
        assert_twilio_shape(response.request.method or "GET", path, content_type, response.json)


def schema_checked_http() -> TwilioHttpClient:
    """The SDK's transport, checking every answer against Twilio's schema."""
    http = TwilioHttpClient()
    assert http.session is not None
    http.session.hooks["response"].append(check_twilio_schema)
    return http


def sdk_client(base_url: str, username: str, password: str, account_sid: str | None = None) -> Client:
    return twilio_client(base_url, username, password, account_sid, schema_checked_http())
