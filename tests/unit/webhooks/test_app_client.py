"""AppClient against a real local app (and httpx.MockTransport for failures we cannot stage)."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest

from phonograph.testing.server import free_port
from phonograph.webhooks import (
    HTTP_BAD_HOST_NAME,
    HTTP_CONNECTION_FAILURE,
    HTTP_INVALID_REDIRECT,
    HTTP_RETRIEVAL_FAILURE,
    HTTP_TOO_MANY_REDIRECTS,
    INVALID_URL,
    AppClient,
    AppRequest,
    AppResponse,
    WebhookError,
)
from tests.unit.webhooks.app_server import AppServer, Received, Reply, app_server

TOKEN = "f" * 32
T = TypeVar("T")
PARAMS = (("CallSid", "CA" + "0" * 32), ("Digits", "1"), ("Digits", "#"), ("SpeechResult", "café ☎ & more"))


def _run(
    work: Callable[[AppClient], Awaitable[T]],
    *,
    timeout_s: float = 5.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> T:
    async def main() -> T:
        async with httpx.AsyncClient(transport=transport) as http:
            return await work(AppClient(http, timeout_s=timeout_s))

    return asyncio.run(main())


def _send(request: AppRequest) -> AppResponse:
    return _run(lambda client: client.send(request, TOKEN))


def _error(
    request: AppRequest, *, timeout_s: float = 5.0, transport: httpx.AsyncBaseTransport | None = None
) -> WebhookError:
    with pytest.raises(WebhookError) as caught:
        _run(lambda client: client.send(request, TOKEN), timeout_s=timeout_s, transport=transport)
    return caught.value


def test_post_sends_signed_form_params() -> None:
    with app_server() as app:
        request = AppRequest(app.url("/status?kept=yes"), "POST", PARAMS)
        response = _send(request)
        (seen,) = app.received
    assert seen.method == "POST"
    assert seen.path == "/status"
    assert seen.query == (("kept", "yes"),)
    assert seen.form == PARAMS
    assert seen.signed_by(TOKEN)
    assert not seen.signed_by("0" * 32)
    assert seen.header("Content-Type") == "application/x-www-form-urlencoded"
    assert seen.header("User-Agent") == "TwilioProxy/1.1"
    assert seen.header("I-Twilio-Idempotency-Token") == request.idempotency_token
    assert uuid.UUID(request.idempotency_token).version == 4
    assert response.status_code == 200
    assert response.body == b"<Response/>"
    assert response.header("content-type") == "application/xml"
    assert response.url == app.url("/status?kept=yes")


def test_get_appends_params_to_the_query_and_signs_the_whole_url() -> None:
    with app_server() as app:
        _send(AppRequest(app.url("/twiml?kept=yes"), "GET", PARAMS))
        (seen,) = app.received
    assert seen.method == "GET"
    assert seen.query == (("kept", "yes"), *PARAMS)
    assert seen.form == ()
    assert seen.header("Content-Type") is None
    assert seen.signed_by(TOKEN)


def test_get_without_a_query_string() -> None:
    with app_server() as app:
        _send(AppRequest(app.url("/twiml"), "GET", (("A", "1"),)))
        (seen,) = app.received
    assert seen.url == app.url("/twiml?A=1")
    assert seen.signed_by(TOKEN)


def test_each_request_gets_its_own_token_and_a_retry_keeps_it() -> None:
    with app_server() as app:
        first = AppRequest(app.url("/cb"), "POST", PARAMS)

        async def twice(client: AppClient) -> None:
            await client.send(first, TOKEN)
            await client.send(first, TOKEN)
            await client.send(AppRequest(app.url("/cb"), "POST", PARAMS), TOKEN)

        _run(twice)
        tokens = [seen.header("I-Twilio-Idempotency-Token") for seen in app.received]
    assert tokens[0] == tokens[1] == first.idempotency_token
    assert tokens[2] != tokens[0]


def _redirecting(app: AppServer, status: int, location: str | None) -> Callable[[Received], Reply]:
    def handler(seen: Received) -> Reply:
        if seen.path == "/start":
            headers = {} if location is None else {"Location": location}
            return status, headers, b""
        return 200, {"Content-Type": "text/plain"}, b"done"

    return handler


@pytest.mark.parametrize("status", [301, 302, 307])
def test_redirect_keeps_method_and_params_and_each_hop_is_signed(status: int) -> None:
    with app_server() as app:
        app.handler = _redirecting(app, status, "/final?hop=2")
        request = AppRequest(app.url("/start"), "POST", PARAMS)
        response = _send(request)
        first, second = app.received
    assert (second.method, second.path, second.query, second.form) == (
        "POST",
        "/final",
        (("hop", "2"),),
        PARAMS,
    )
    assert first.signed_by(TOKEN)
    assert second.signed_by(TOKEN)
    assert second.header("I-Twilio-Idempotency-Token") == request.idempotency_token
    assert response.url == app.url("/final?hop=2")
    assert response.body == b"done"


def test_303_turns_into_a_get_without_params() -> None:
    with app_server() as app:
        app.handler = _redirecting(app, 303, app.url("/final"))
        _send(AppRequest(app.url("/start"), "POST", PARAMS))
        _, second = app.received
    assert (second.method, second.form, second.query) == ("GET", (), ())
    assert second.signed_by(TOKEN)


def test_too_many_redirects() -> None:
    with app_server() as app:
        app.handler = lambda seen: (302, {"Location": "/loop"}, b"")
        error = _error(AppRequest(app.url("/loop"), "POST", PARAMS))
        assert len(app.received) == 6  # the request and 5 redirects
    assert error.code == HTTP_TOO_MANY_REDIRECTS


@pytest.mark.parametrize(("status", "location"), [(302, None), (308, "/final"), (300, "/final")])
def test_invalid_redirect(status: int, location: str | None) -> None:
    with app_server() as app:
        app.handler = _redirecting(app, status, location)
        error = _error(AppRequest(app.url("/start"), "POST", PARAMS))
    assert error.code == HTTP_INVALID_REDIRECT
    assert error.response is not None
    assert error.response.status_code == status


@pytest.mark.parametrize("status", [500, 404, 403])
def test_an_error_status_is_a_retrieval_failure_with_the_response(status: int) -> None:
    with app_server() as app:
        app.handler = lambda seen: (
            status,
            {"Content-Type": "text/html; charset=utf-8", "X-App": "v1"},
            "büg".encode(),
        )
        request = AppRequest(app.url("/cb"), "POST", PARAMS)
        error = _error(request)
        url = app.url("/cb")
    assert error.code == HTTP_RETRIEVAL_FAILURE
    assert error.request == request
    assert (error.url, error.method) == (url, "POST")
    assert error.response is not None
    assert error.response.status_code == status
    assert error.response_body == "büg"
    assert "X-App=v1" in error.response_headers
    assert (
        error.request_variables
        == "CallSid=CA" + "0" * 32 + "&Digits=1&Digits=%23&SpeechResult=caf%C3%A9+%E2%98%8E+%26+more"
    )


def test_a_slow_app_times_out_as_a_connection_failure() -> None:
    release = threading.Event()
    with app_server() as app:

        def slow(seen: Received) -> Reply:
            release.wait(5)
            return 200, {}, b""

        app.handler = slow
        try:
            error = _error(AppRequest(app.url("/slow"), "POST", PARAMS), timeout_s=0.2)
        finally:
            release.set()
    assert error.code == HTTP_CONNECTION_FAILURE
    assert error.response is None


def test_a_refused_connection_is_a_connection_failure() -> None:
    error = _error(AppRequest(f"http://127.0.0.1:{free_port()}/cb", "POST", PARAMS))
    assert error.code == HTTP_CONNECTION_FAILURE
    assert error.response is None


def test_an_unresolvable_host_is_a_bad_host_name() -> None:
    # RFC 6761: .invalid never resolves.
    assert _error(AppRequest("http://phonograph-test.invalid/cb", "POST", PARAMS)).code == HTTP_BAD_HOST_NAME


def _raising(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


def _dns_failure() -> httpx.ConnectError:
    try:
        raise socket.gaierror(-2, "Name or service not known")
    except socket.gaierror as cause:
        try:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from cause
        except httpx.ConnectError as exc:
            return exc


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read timed out"), HTTP_CONNECTION_FAILURE),
        (httpx.ConnectTimeout("connect timed out"), HTTP_CONNECTION_FAILURE),
        (httpx.ConnectError("All connection attempts failed"), HTTP_CONNECTION_FAILURE),
        (httpx.ReadError("Connection reset by peer"), HTTP_CONNECTION_FAILURE),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            HTTP_CONNECTION_FAILURE,
        ),
        (_dns_failure(), HTTP_BAD_HOST_NAME),
        (httpx.DecodingError("bad gzip"), HTTP_RETRIEVAL_FAILURE),
    ],
)
def test_transport_errors_become_twilio_codes(exc: Exception, code: int) -> None:
    error = _error(AppRequest("https://app.example/cb", "POST", PARAMS), transport=_raising(exc))
    assert error.code == code
    assert error.url == "https://app.example/cb"
    assert isinstance(error.__cause__, httpx.HTTPError)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://example.com/x",
        "/relative/path",
        "http://exa mple.com/x",
        "http://example.com:99999/",
        "https:///nohost",
        "http://ex<am>ple.com/",
        "http://☃.net/",
        "http://[::1/",
    ],
)
def test_an_invalid_url_is_refused_before_any_request(url: str) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    error = _error(AppRequest(url, "POST", PARAMS), transport=httpx.MockTransport(handler))
    assert error.code == INVALID_URL
    assert error.more_info == "https://www.twilio.com/docs/errors/11100"
    assert calls == []


def test_userinfo_becomes_basic_auth_and_is_not_signed() -> None:
    with app_server() as app:
        _send(AppRequest(f"http://user:pa%3Ass@127.0.0.1:{app.port}/private", "POST", PARAMS))
        (seen,) = app.received
    assert seen.header("Authorization") == "Basic " + base64.b64encode(b"user:pa:ss").decode()
    assert seen.url == app.url("/private")
    assert seen.signed_by(TOKEN)


def test_the_fragment_is_neither_sent_nor_signed() -> None:
    with app_server() as app:
        _send(AppRequest(app.url("/cb?x=1#rc=2&rp=all"), "POST", PARAMS))
        (seen,) = app.received
    assert seen.url == app.url("/cb?x=1")
    assert seen.signed_by(TOKEN)
