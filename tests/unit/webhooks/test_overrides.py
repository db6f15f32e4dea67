"""Connection overrides in a webhook URL's fragment (``#ct=…&rt=…&tt=…``): parsed, and obeyed."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from phonograph.webhooks import HTTP_CONNECTION_FAILURE, AppClient, AppRequest, WebhookError
from phonograph.webhooks.overrides import ConnectionOverrides, Failure, parse_overrides
from tests.unit.webhooks.app_server import Received, Reply, app_server

TOKEN = "f" * 32
PARAMS = (("CallSid", "CA" + "0" * 32),)
ALL = frozenset(Failure)
READ = Failure.READ
SLOW_APP_S = 5.0
"""How long the slow app takes: less than Twilio's 15 s, so only an override can time it out."""


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("", ConnectionOverrides()),
        ("ct=1000", ConnectionOverrides(connect_timeout_s=1.0)),
        ("rt=2500&tt=4000", ConnectionOverrides(read_timeout_s=2.5, total_timeout_s=4.0)),
        ("ct=200&rt=300&tt=400&rc=3&rp=all&e=dublin&sni=y", ConnectionOverrides(0.2, 0.3, 0.4, 3, ALL)),
        # Twilio's defaults: one retry, on connection failures only.
        ("", ConnectionOverrides(retries=1, retry_on=frozenset({Failure.CONNECT}))),
        ("rc=0", ConnectionOverrides(retries=0)),
        (
            "rc=9&rp=5xx,rt",
            ConnectionOverrides(retries=5, retry_on=frozenset({Failure.SERVER_ERROR, Failure.READ})),
        ),
        ("rp=4xx,bogus", ConnectionOverrides(retry_on=frozenset({Failure.CLIENT_ERROR}))),
        ("rp=", ConnectionOverrides(retry_on=frozenset())),
        # Out of range: clamped into Twilio's ranges.
        ("ct=5&rt=99999&tt=0", ConnectionOverrides(0.1, 15.0, 0.1)),
        ("ct=20000", ConnectionOverrides(connect_timeout_s=10.0)),
        # Not a whole number of milliseconds, or an unknown or empty key: ignored.
        ("rt=fast&ct=1.5&tt=-100&tt2=300&=4", ConnectionOverrides()),
        ("rt=&ct", ConnectionOverrides()),
        ("rt=٣٠٠", ConnectionOverrides()),  # Arabic-Indic digits are digits, but not ASCII ones
    ],
)
def test_parse_overrides(fragment: str, expected: ConnectionOverrides) -> None:
    assert parse_overrides(fragment) == expected


def _slow_send(url_suffix: str, *, timeout_s: float = 15.0) -> tuple[WebhookError, list[Received]]:
    """Send to an app that answers 200 after SLOW_APP_S; the error that must come first, and what
    the app saw."""
    release = threading.Event()

    def slow(seen: Received) -> Reply:
        release.wait(SLOW_APP_S)
        return 200, {"Content-Type": "text/xml"}, b"<Response/>"

    async def send(url: str) -> None:
        async with httpx.AsyncClient() as http:
            await AppClient(http, timeout_s=timeout_s).send(AppRequest(url, "POST", PARAMS), TOKEN)

    with app_server() as app:
        app.handler = slow
        try:
            with pytest.raises(WebhookError) as caught:
                asyncio.run(send(app.url("/slow") + url_suffix))
        finally:
            release.set()
        received = list(app.received)
    return caught.value, received


@pytest.mark.parametrize("fragment", ["#rt=200", "#tt=200", "#rt=10000&tt=200"])
def test_a_short_read_or_total_timeout_fails_over_sooner(fragment: str) -> None:
    error, received = _slow_send(fragment)
    assert error.code == HTTP_CONNECTION_FAILURE
    assert error.response is None
    [seen] = received
    assert "#" not in seen.url
    assert seen.signed_by(TOKEN)  # signed over the URL without its fragment


def test_without_overrides_the_client_timeout_holds() -> None:
    error, _ = _slow_send("#rc=2", timeout_s=0.3)
    assert error.code == HTTP_CONNECTION_FAILURE
    assert "0.3 s" in error.message


def test_the_total_time_is_named_in_the_error() -> None:
    error, _ = _slow_send("#tt=250")
    assert "0.25 s" in error.message


def test_a_fast_app_is_unaffected_by_its_overrides() -> None:
    async def send(url: str) -> int:
        async with httpx.AsyncClient() as http:
            response = await AppClient(http).send(AppRequest(url, "GET", PARAMS), TOKEN)
            return response.status_code

    with app_server() as app:
        status = asyncio.run(send(app.url("/fast?x=1#ct=500&rt=2000&tt=3000")))
        [seen] = app.received
    assert status == 200
    assert seen.url == app.url("/fast?x=1&CallSid=CA" + "0" * 32)
    assert seen.signed_by(TOKEN)


@pytest.mark.parametrize(
    ("fragment", "connect_s", "read_s"),
    [("", 10.0, 15.0), ("#ct=500&rt=2000", 0.5, 2.0), ("#rt=700", 10.0, 0.7), ("#tt=900", 10.0, 15.0)],
)
def test_ct_and_rt_become_the_requests_timeouts(fragment: str, connect_s: float, read_s: float) -> None:
    seen: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, headers={"Content-Type": "text/xml"}, content=b"<Response/>")

    async def send() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            await AppClient(http).send(
                AppRequest("https://app.example/voice" + fragment, "POST", PARAMS), TOKEN
            )

    asyncio.run(send())
    [timeout] = seen
    assert (timeout["connect"], timeout["read"]) == (connect_s, read_s)


def _attempts(fragment: str, outcome: httpx.Response | Exception) -> tuple[int, set[str]]:
    """How many times a failing request was sent with ``fragment``, and its idempotency tokens."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def send() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            request = AppRequest("https://app.example.com/cb" + fragment, "POST", PARAMS)
            await AppClient(http).send(request, TOKEN)

    with pytest.raises(WebhookError):
        asyncio.run(send())
    return len(seen), {request.headers["I-Twilio-Idempotency-Token"] for request in seen}


REFUSED = httpx.ConnectError("Connection refused")
ANSWERED_500 = httpx.Response(500)


@pytest.mark.parametrize(
    ("fragment", "outcome", "sent"),
    [
        # Twilio's default: one retry, and only when the connection failed.
        ("", REFUSED, 2),
        ("", ANSWERED_500, 1),
        ("", httpx.ReadTimeout("no answer"), 1),
        ("#rc=0", REFUSED, 1),
        ("#rc=3", REFUSED, 4),
        ("#rc=2&rp=5xx", ANSWERED_500, 3),
        ("#rc=2&rp=5xx", REFUSED, 1),
        ("#rc=1&rp=4xx", httpx.Response(404), 2),
        ("#rc=5&rp=all", httpx.ReadTimeout("no answer"), 6),
        ("#rc=9&rp=all", ANSWERED_500, 6),  # rc is at most 5
    ],
)
def test_rc_and_rp_retry_the_failures_they_name(
    fragment: str, outcome: httpx.Response | Exception, sent: int
) -> None:
    count, tokens = _attempts(fragment, outcome)
    assert count == sent
    assert len(tokens) == 1  # a retry is the same request to the app
