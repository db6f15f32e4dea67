"""The audit's never-a-500 reproducers: each bad input is a 4xx with a Twilio code, on SQLite and
PostgreSQL, and the server logs no traceback for any of them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount

HUGE_PAGE = "1000000000000000000"
UNKNOWN = "0" * 32
ACCOUNT_LISTS = (
    "Calls.json",
    "Recordings.json",
    "Conferences.json",
    "Notifications.json",
    "Transcriptions.json",
    "IncomingPhoneNumbers.json",
    "Keys.json",
)
NESTED_LISTS = (
    f"Calls/CA{UNKNOWN}/Recordings.json",
    f"Calls/CA{UNKNOWN}/Notifications.json",
    f"Conferences/CF{UNKNOWN}/Recordings.json",
    f"Conferences/CF{UNKNOWN}/Participants.json",
    f"Recordings/RE{UNKNOWN}/Transcriptions.json",
)
JSON_ROUTES = ("/v2/Configurations/Recording", "/v3/Transcriptions", "/phonograph/v1/Phones")


def _base(account: TestAccount) -> str:
    return f"/2010-04-01/Accounts/{account.sid}"


def _assert_twilio_4xx(response: httpx.Response, status: int = 400, code: int = 20001) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body.get("code") == code, body


@pytest.fixture(autouse=True)
def _no_traceback(server: ServerProcess) -> Iterator[None]:
    """The server logged no traceback while the test ran."""
    start = server.log_path.stat().st_size
    yield
    with server.log_path.open("rb") as log:
        log.seek(start)
        assert b"Traceback" not in log.read()


@pytest.mark.parametrize("path", ACCOUNT_LISTS)
def test_a_page_number_past_any_row_is_a_400(account: TestAccount, server: ServerProcess, path: str) -> None:
    _assert_twilio_4xx(account.http.get(f"{_base(account)}/{path}", params={"Page": HUGE_PAGE}))
    assert account.http.get(f"{_base(account)}/{path}", params={"Page": "1000000"}).status_code == 200


@pytest.mark.parametrize("path", NESTED_LISTS)
def test_a_huge_page_on_a_nested_list_is_never_a_500(account: TestAccount, path: str) -> None:
    response = account.http.get(f"{_base(account)}/{path}", params={"Page": HUGE_PAGE})
    assert response.status_code in (400, 404), response.text


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Calls.json", "StartTime"),
        ("Calls.json", "EndTime"),
        ("Recordings.json", "DateCreated"),
        ("Conferences.json", "DateCreated"),
        ("Conferences.json", "DateUpdated"),
    ],
)
def test_the_last_day_there_is_filters_without_overflow(
    account: TestAccount, server: ServerProcess, path: str, name: str
) -> None:
    for value in ("9999-12-31", "9999-12-31T23:59:59Z"):
        response = account.http.get(f"{_base(account)}/{path}", params={name: value})
        assert response.status_code == 200, response.text
    # An offset that moves the first or last instant out of range is a bad value, not a crash.
    for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        _assert_twilio_4xx(account.http.get(f"{_base(account)}/{path}", params={name: value}))


def test_notifications_filter_on_the_first_and_last_day(account: TestAccount) -> None:
    for name in ("MessageDate", "MessageDate<", "MessageDate>"):
        for day in ("0001-01-01", "9999-12-31"):
            response = account.http.get(f"{_base(account)}/Notifications.json", params={name: day})
            assert response.status_code == 200, response.text


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_deeply_nested_json_is_a_400(account: TestAccount, server: ServerProcess, route: str) -> None:
    for body in ("[" * 30_000, '{"a":' * 40 + "1" + "}" * 40):
        response = account.http.post(route, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text


@pytest.mark.parametrize("text", ["\ud800", "bad\u0000name"])
def test_text_no_store_can_hold_is_a_400(account: TestAccount, server: ServerProcess, text: str) -> None:
    # json.dumps writes both as escapes (\\ud800, \\u0000), as a client's JSON library would.
    body = json.dumps({"unique_name": text, "configuration": {"configurationType": "Recording"}})
    response = account.http.post(
        "/v2/Configurations/Recording", content=body, headers={"Content-Type": "application/json"}
    )
    _assert_twilio_4xx(response)
    v3 = account.http.post(
        "/v3/Transcriptions",
        content=body.replace("unique_name", "configuration_id"),
        headers={"Content-Type": "application/json"},
    )
    assert v3.status_code == 400, v3.text


def test_a_nul_in_a_form_a_filter_or_a_path_is_a_400(account: TestAccount, server: ServerProcess) -> None:
    created = account.http.post(
        f"{_base(account)}/Calls.json",
        data={"To": "+1555\x000001", "From": "+15550002", "Twiml": "<Response/>"},
    )
    _assert_twilio_4xx(created)
    _assert_twilio_4xx(account.http.get(f"{_base(account)}/Calls.json", params={"To": "\x00"}))
    for path in (f"Calls/CA{UNKNOWN}%00.json", f"Recordings/RE%00{UNKNOWN}.json", "Keys/%00.json"):
        _assert_twilio_4xx(account.http.get(f"{_base(account)}/{path}"))


@pytest.mark.parametrize(
    "credentials",
    [
        lambda sid: f"{sid}:pässwörd",
        lambda sid: f"{sid}:\u2603",
        lambda sid: "AC\x00:x",
        lambda sid: "SK" + "g" * 32 + ":x",
        lambda sid: "not-a-sid:x",
    ],
)
def test_odd_credentials_are_a_401(account: TestAccount, server: ServerProcess, credentials: object) -> None:
    assert callable(credentials)
    token = base64.b64encode(str(credentials(account.sid)).encode()).decode()
    response = httpx.get(
        f"{server.base_url}{_base(account)}/Calls.json", headers={"Authorization": f"Basic {token}"}
    )
    _assert_twilio_4xx(response, status=401, code=20003)


def test_a_document_in_an_unknown_encoding_is_12100_and_the_fallback_runs(
    account: TestAccount, webapp: WebApp, server: ServerProcess
) -> None:
    document = b'<?xml version="1.0" encoding="klingon"?><Response><Say>hi</Say></Response>'
    url = webapp.respond("/voice", document, content_type="text/xml")
    fallback = webapp.twiml("/fallback", "<Response><Say>Backup.</Say></Response>")
    account.client.calls.create(to="+15550100001", from_="+15550100002", url=url, fallback_url=fallback)
    [hit] = webapp.wait_for("/fallback")
    assert hit.param("ErrorCode") == "12100"
