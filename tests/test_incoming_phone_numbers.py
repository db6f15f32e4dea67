"""Incoming phone numbers (``/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers``).

Numbers are unique on the whole server and the servers are shared by the session's tests, so each
test takes numbers nobody else uses: random ones outside the 555 exchange, and area codes drawn
once each from a shuffled pool for the ``AreaCode`` (555) allocations.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from phonograph.store.repos.incoming_phone_numbers import first_free_555_number
from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    RFC2822_RE,
    assert_error,
    assert_invalid,
    assert_not_found,
    assert_unauthorized,
    http_client,
    keys_path,
    ok_json,
    rest_error,
    sid_pattern,
)

# Every property of the OpenAPI schema api.v2010.account.incoming_phone_number, and Twilio's
# subresource_uris (which the schema leaves out but real answers carry).
NUMBER_FIELDS = {
    "account_sid",
    "address_requirements",
    "address_sid",
    "api_version",
    "beta",
    "bundle_sid",
    "capabilities",
    "date_created",
    "date_updated",
    "emergency_address_sid",
    "emergency_address_status",
    "emergency_status",
    "friendly_name",
    "identity_sid",
    "origin",
    "phone_number",
    "sid",
    "sms_application_sid",
    "sms_fallback_method",
    "sms_fallback_url",
    "sms_method",
    "sms_url",
    "status",
    "status_callback",
    "status_callback_method",
    "subresource_uris",
    "trunk_sid",
    "type",
    "uri",
    "voice_application_sid",
    "voice_caller_id_lookup",
    "voice_fallback_method",
    "voice_fallback_url",
    "voice_method",
    "voice_receive_mode",
    "voice_url",
}
FIXED_VALUES = {
    "address_requirements": "none",
    "address_sid": None,
    "api_version": "2010-04-01",
    "beta": False,
    "bundle_sid": None,
    "capabilities": {"voice": True, "sms": False, "mms": False, "fax": False},
    "emergency_address_sid": None,
    "emergency_address_status": "unregistered",
    "emergency_status": "Inactive",
    "identity_sid": None,
    "origin": "phonograph",
    "sms_application_sid": None,
    "sms_fallback_method": "POST",
    "sms_fallback_url": None,
    "sms_method": "POST",
    "sms_url": None,
    "status": "in-use",
    "trunk_sid": None,
    "type": "local",
    "voice_application_sid": None,
    "voice_caller_id_lookup": False,
    "voice_receive_mode": "voice",
}
VOICE_SETTINGS = {
    "FriendlyName": "front desk",
    "VoiceUrl": "https://app.example.com/voice?x=1",
    "VoiceMethod": "GET",
    "VoiceFallbackUrl": "http://app.example.com/fallback",
    "VoiceFallbackMethod": "GET",
    "StatusCallback": "https://app.example.com/status",
    "StatusCallbackMethod": "GET",
}
_AREA_CODES = iter(random.sample(range(200, 1000), 800))


def fresh_number() -> str:
    """A +1 number no other test uses (never in the 555 exchange that AreaCode allocates from)."""
    exchange = random.choice([n for n in range(200, 1000) if n != 555])
    return f"+1{random.randint(200, 999)}{exchange}{random.randint(0, 9999):04d}"


def fresh_area_code() -> str:
    return str(next(_AREA_CODES))


def numbers_path(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"


def number_path(account_sid: str, sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json"


def create(account: TestAccount, **params: str) -> dict[str, Any]:
    return ok_json(account.http.post(numbers_path(account.sid), data=params), 201)


def fetch(account: TestAccount, sid: str) -> dict[str, Any]:
    return ok_json(account.http.get(number_path(account.sid, sid)))


def listed(account: TestAccount, **filters: str) -> list[dict[str, Any]]:
    page = ok_json(account.http.get(numbers_path(account.sid), params={"PageSize": 1000, **filters}))
    items: list[dict[str, Any]] = page["incoming_phone_numbers"]
    return items


@pytest.fixture
def main_http(server: ServerProcess) -> Iterator[httpx.Client]:
    creds = server.credentials
    with http_client(server.base_url, creds.account_sid, creds.auth_token) as http:
        yield http


# --- create and read -------------------------------------------------------------------------------


def test_create_answers_every_field(account: TestAccount) -> None:
    number = fresh_number()
    created = create(account, PhoneNumber=number, **VOICE_SETTINGS)
    assert set(created) == NUMBER_FIELDS
    assert sid_pattern("PN").fullmatch(created["sid"])
    path = number_path(account.sid, created["sid"])
    assert {field: created[field] for field in FIXED_VALUES} == FIXED_VALUES
    assert created["account_sid"] == account.sid
    assert created["phone_number"] == number
    assert created["friendly_name"] == "front desk"
    assert created["voice_url"] == "https://app.example.com/voice?x=1"
    assert created["voice_method"] == "GET"
    assert created["voice_fallback_url"] == "http://app.example.com/fallback"
    assert created["voice_fallback_method"] == "GET"
    assert created["status_callback"] == "https://app.example.com/status"
    assert created["status_callback_method"] == "GET"
    assert created["uri"] == path
    assert created["subresource_uris"] == {"assigned_add_ons": path.replace(".json", "/AssignedAddOns.json")}
    for field in ("date_created", "date_updated"):
        assert RFC2822_RE.fullmatch(created[field]), created[field]
    assert fetch(account, created["sid"]) == created
    assert listed(account) == [created]


def test_create_defaults(account: TestAccount) -> None:
    number = fresh_number()
    created = create(account, PhoneNumber=number)
    assert created["friendly_name"] == f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    assert (created["voice_url"], created["voice_fallback_url"], created["status_callback"]) == (
        None,
        None,
        None,
    )
    methods = ("voice_method", "voice_fallback_method", "status_callback_method")
    assert [created[field] for field in methods] == ["POST", "POST", "POST"]
    assert created["date_created"] == created["date_updated"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: f"+44{random.randint(10**9, 10**10 - 1)}",
        lambda: f"+{random.randint(20, 99)}",
        lambda: f"+9{random.randint(10**13, 10**14 - 1)}",
        lambda: f"+1{random.randint(10**8, 10**9 - 1)}",
    ],
    ids=["uk", "shortest", "longest", "plus-one-short"],
)
def test_friendly_name_of_a_number_outside_nanp_is_the_number(
    account: TestAccount, make: Callable[[], str]
) -> None:
    number = make()
    created = create(account, PhoneNumber=number)
    assert (created["phone_number"], created["friendly_name"]) == (number, number)


def test_empty_friendly_name_is_the_formatted_number(account: TestAccount) -> None:
    number = fresh_number()
    created = create(account, PhoneNumber=number, FriendlyName="")
    assert created["friendly_name"] == f"({number[2:5]}) {number[5:8]}-{number[8:]}"


def test_sdk_round_trip(account: TestAccount) -> None:
    numbers = account.client.incoming_phone_numbers
    number = fresh_number()
    created = numbers.create(phone_number=number, voice_url="https://app.example.com/voice")
    assert sid_pattern("PN").fullmatch(created.sid)
    assert (created.phone_number, created.voice_url, created.voice_method) == (
        number,
        "https://app.example.com/voice",
        "POST",
    )
    assert created.capabilities == FIXED_VALUES["capabilities"]
    assert (created.status, created.origin, created.beta) == ("in-use", "phonograph", False)
    assert created.voice_receive_mode == "voice"
    fetched = numbers(created.sid).fetch()
    assert (fetched.sid, fetched.phone_number, fetched.date_created) == (
        created.sid,
        number,
        created.date_created,
    )
    assert [item.sid for item in numbers.list()] == [created.sid]
    assert [item.sid for item in numbers.list(phone_number=number)] == [created.sid]
    updated = numbers(created.sid).update(
        friendly_name="sdk", voice_url="https://app.example.com/other", voice_method="GET"
    )
    assert (updated.friendly_name, updated.voice_url, updated.voice_method) == (
        "sdk",
        "https://app.example.com/other",
        "GET",
    )
    assert numbers(created.sid).delete() is True
    assert numbers.list() == []


def test_api_key_reaches_its_accounts_numbers(server: ServerProcess, account: TestAccount) -> None:
    key = ok_json(account.http.post(keys_path(account.sid)), 201)
    created = create(account, PhoneNumber=fresh_number())
    with http_client(server.base_url, key["sid"], key["secret"]) as as_key:
        page = ok_json(as_key.get(numbers_path(account.sid)))
    assert page["incoming_phone_numbers"] == [created]


def test_credentials_are_required(server: ServerProcess, account: TestAccount) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert_unauthorized(anonymous.get(numbers_path(account.sid)))
        assert_unauthorized(anonymous.post(numbers_path(account.sid), data={"PhoneNumber": fresh_number()}))
    assert listed(account) == []


# --- AreaCode ----------------------------------------------------------------------------------------


def test_area_code_allocates_unused_555_numbers(account: TestAccount, other_account: TestAccount) -> None:
    area = fresh_area_code()
    first = create(account, AreaCode=area, VoiceUrl="https://app.example.com/voice")
    assert first["phone_number"] == f"+1{area}5550100"
    assert first["friendly_name"] == f"({area}) 555-0100"
    assert first["voice_url"] == "https://app.example.com/voice"
    assert create(account, AreaCode=area)["phone_number"] == f"+1{area}5550101"
    # Numbers that any account owns are skipped.
    create(other_account, PhoneNumber=f"+1{area}5550102")
    assert create(account, AreaCode=area)["phone_number"] == f"+1{area}5550103"
    assert create(other_account, AreaCode=area)["phone_number"] == f"+1{area}5550104"


def test_first_free_555_number() -> None:
    assert first_free_555_number("415", set()) == "+14155550100"
    fictional = {f"+14155550{n}" for n in range(100, 200)}
    assert first_free_555_number("415", fictional) == "+14155550200"
    all_but_low = {f"+1415555{n:04d}" for n in range(100, 10_000)}
    assert first_free_555_number("415", all_but_low) == "+14155550000"
    assert first_free_555_number("415", all_but_low | {"+14155550000"}) == "+14155550001"
    assert first_free_555_number("415", {f"+1415555{n:04d}" for n in range(10_000)}) is None


# --- refused input -----------------------------------------------------------------------------------


def _bad_create_cases() -> Iterator[Any]:
    """``(params, code, mentions)``; ``{number}`` stands for a free number."""
    yield pytest.param({}, 20001, "PhoneNumber", id="neither")
    yield pytest.param({"FriendlyName": "x"}, 20001, "AreaCode", id="neither-with-name")
    yield pytest.param({"PhoneNumber": "{number}", "AreaCode": "415"}, 20001, "AreaCode", id="both")
    for bad in ["", "4155550100", "+", "+1", "+0123456", "+1234567890123456", "+1 415 555 0100", "+1415a"]:
        yield pytest.param({"PhoneNumber": bad}, 21421, "PhoneNumber", id=f"PhoneNumber={bad!r}")
    for bad in ["", "41", "4155", "015", "123", "abc", "+41"]:
        yield pytest.param({"AreaCode": bad}, 21451, "AreaCode", id=f"AreaCode={bad!r}")
    for name in ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod"):
        for bad in ["PUT", "get", ""]:
            yield pytest.param({"PhoneNumber": "{number}", name: bad}, 20001, name, id=f"{name}={bad!r}")
    for name in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback"):
        for bad in ["ftp://app.example.com/x", "/voice", "app.example.com/voice", "http://", "https://a b"]:
            yield pytest.param({"PhoneNumber": "{number}", name: bad}, 20001, name, id=f"{name}={bad!r}")
        too_long = "https://a.example/" + "x" * 2048
        yield pytest.param({"PhoneNumber": "{number}", name: too_long}, 20001, name, id=f"{name}-long")
    yield pytest.param(
        {"PhoneNumber": "{number}", "FriendlyName": "x" * 65}, 20001, "FriendlyName", id="name-long"
    )


@pytest.mark.parametrize(("params", "code", "mentions"), list(_bad_create_cases()))
def test_create_refuses_bad_input(
    account: TestAccount, params: dict[str, str], code: int, mentions: str
) -> None:
    number = fresh_number()
    body = {name: value.replace("{number}", number) for name, value in params.items()}
    assert_error(account.http.post(numbers_path(account.sid), data=body), 400, code, mentions=mentions)
    assert listed(account) == []
    # The number stays free.
    assert create(account, PhoneNumber=number)["phone_number"] == number


def test_sdk_sees_twilio_codes(account: TestAccount) -> None:
    numbers = account.client.incoming_phone_numbers
    error = rest_error(lambda: numbers.create(phone_number="4155550100"))
    assert (error.status, error.code) == (400, 21421)
    error = rest_error(lambda: numbers.create(area_code="12"))
    assert (error.status, error.code) == (400, 21451)


# --- one owner per number on the whole server -------------------------------------------------------


def test_a_number_has_one_owner_on_the_server(
    main_http: httpx.Client, server: ServerProcess, account: TestAccount, other_account: TestAccount
) -> None:
    number = fresh_number()
    created = create(account, PhoneNumber=number)
    attempts = [
        account.http.post(numbers_path(account.sid), data={"PhoneNumber": number}),
        other_account.http.post(numbers_path(other_account.sid), data={"PhoneNumber": number}),
        main_http.post(numbers_path(server.credentials.account_sid), data={"PhoneNumber": number}),
    ]
    for response in attempts:
        assert_error(response, 400, 21422, mentions=number)
        assert "not available" in response.json()["message"]
    assert listed(account) == [created]
    assert listed(other_account) == []
    main_numbers = numbers_path(server.credentials.account_sid)
    assert (
        ok_json(main_http.get(main_numbers, params={"PhoneNumber": number}))["incoming_phone_numbers"] == []
    )
    # Once released, the number can be taken again.
    assert account.http.delete(number_path(account.sid, created["sid"])).status_code == 204
    assert create(other_account, PhoneNumber=number)["phone_number"] == number


def test_sdk_duplicate_is_21422(account: TestAccount, other_account: TestAccount) -> None:
    number = fresh_number()
    account.client.incoming_phone_numbers.create(phone_number=number)
    error = rest_error(lambda: other_account.client.incoming_phone_numbers.create(phone_number=number))
    assert (error.status, error.code) == (400, 21422)
    assert number in error.msg


# --- update --------------------------------------------------------------------------------------------


def test_update_changes_what_is_given_and_keeps_the_rest(account: TestAccount) -> None:
    created = create(account, PhoneNumber=fresh_number(), **VOICE_SETTINGS)
    path = number_path(account.sid, created["sid"])
    updated = ok_json(
        account.http.post(path, data={"VoiceUrl": "https://new.example.com/v", "VoiceMethod": "POST"})
    )
    assert updated["voice_url"] == "https://new.example.com/v"
    assert updated["voice_method"] == "POST"
    unchanged = {k: v for k, v in created.items() if k not in ("voice_url", "voice_method", "date_updated")}
    assert {k: v for k, v in updated.items() if k in unchanged} == unchanged
    assert fetch(account, created["sid"]) == updated
    # An update that gives nothing changes nothing but date_updated.
    again = ok_json(account.http.post(path))
    assert {**again, "date_updated": None} == {**updated, "date_updated": None}


@pytest.mark.parametrize(
    ("param", "value", "field", "expected"),
    [
        ("FriendlyName", "renamed", "friendly_name", "renamed"),
        ("VoiceUrl", "https://x.example/a", "voice_url", "https://x.example/a"),
        ("VoiceUrl", "", "voice_url", None),
        ("VoiceMethod", "POST", "voice_method", "POST"),
        ("VoiceFallbackUrl", "https://x.example/f", "voice_fallback_url", "https://x.example/f"),
        ("VoiceFallbackUrl", "", "voice_fallback_url", None),
        ("VoiceFallbackMethod", "POST", "voice_fallback_method", "POST"),
        ("StatusCallback", "https://x.example/s", "status_callback", "https://x.example/s"),
        ("StatusCallback", "", "status_callback", None),
        ("StatusCallbackMethod", "POST", "status_callback_method", "POST"),
    ],
)
def test_update_each_setting(account: TestAccount, param: str, value: str, field: str, expected: Any) -> None:
    created = create(account, PhoneNumber=fresh_number(), **VOICE_SETTINGS)
    updated = ok_json(account.http.post(number_path(account.sid, created["sid"]), data={param: value}))
    assert updated[field] == expected
    assert fetch(account, created["sid"]) == updated
    others = {k: v for k, v in created.items() if k not in (field, "date_updated")}
    assert {k: v for k, v in updated.items() if k in others} == others


def test_update_with_empty_friendly_name_restores_the_default(account: TestAccount) -> None:
    number = fresh_number()
    created = create(account, PhoneNumber=number, FriendlyName="named")
    updated = ok_json(account.http.post(number_path(account.sid, created["sid"]), data={"FriendlyName": ""}))
    assert updated["friendly_name"] == f"({number[2:5]}) {number[5:8]}-{number[8:]}"


def _bad_update_cases() -> Iterator[Any]:
    for name in ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod"):
        yield pytest.param({name: "DELETE"}, name, id=f"{name}")
    for name in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback"):
        yield pytest.param({name: "not a url"}, name, id=f"{name}")
    yield pytest.param({"FriendlyName": "x" * 65}, "FriendlyName", id="FriendlyName")
    yield pytest.param({"FriendlyName": "ok", "VoiceUrl": "mailto:x@y"}, "VoiceUrl", id="partly-good")


@pytest.mark.parametrize(("params", "mentions"), list(_bad_update_cases()))
def test_update_refuses_bad_input_and_changes_nothing(
    account: TestAccount, params: dict[str, str], mentions: str
) -> None:
    created = create(account, PhoneNumber=fresh_number(), **VOICE_SETTINGS)
    assert_invalid(account.http.post(number_path(account.sid, created["sid"]), data=params), mentions)
    assert fetch(account, created["sid"]) == created


def test_owner_moves_a_number_between_its_subaccounts(
    main_http: httpx.Client, account: TestAccount, other_account: TestAccount
) -> None:
    created = create(account, PhoneNumber=fresh_number())
    moved = ok_json(
        main_http.post(number_path(account.sid, created["sid"]), data={"AccountSid": other_account.sid})
    )
    assert moved["account_sid"] == other_account.sid
    assert moved["uri"] == number_path(other_account.sid, created["sid"])
    assert listed(account) == []
    assert listed(other_account) == [moved]
    assert_not_found(account.http.get(number_path(account.sid, created["sid"])))


def test_subaccount_cannot_move_a_number_out_of_its_reach(
    account: TestAccount, other_account: TestAccount
) -> None:
    created = create(account, PhoneNumber=fresh_number())
    response = account.http.post(
        number_path(account.sid, created["sid"]), data={"AccountSid": other_account.sid}
    )
    assert_invalid(response, "AccountSid")
    assert fetch(account, created["sid"]) == created
    assert listed(other_account) == []


# --- delete --------------------------------------------------------------------------------------------


def test_delete(account: TestAccount) -> None:
    kept = create(account, PhoneNumber=fresh_number())
    gone = create(account, PhoneNumber=fresh_number())
    response = account.http.delete(number_path(account.sid, gone["sid"]))
    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(account.http.get(number_path(account.sid, gone["sid"])))
    assert_not_found(account.http.post(number_path(account.sid, gone["sid"]), data={"FriendlyName": "x"}))
    assert_not_found(account.http.delete(number_path(account.sid, gone["sid"])))
    assert listed(account) == [kept]


# --- other accounts ------------------------------------------------------------------------------------


def _fetch(http: httpx.Client, path: str) -> httpx.Response:
    return http.get(path)


def _update(http: httpx.Client, path: str) -> httpx.Response:
    return http.post(path, data={"FriendlyName": "hijacked", "VoiceUrl": "https://evil.example/"})


def _delete(http: httpx.Client, path: str) -> httpx.Response:
    return http.delete(path)


NUMBER_REQUESTS = pytest.mark.parametrize(
    "send", [_fetch, _update, _delete], ids=["fetch", "update", "delete"]
)


@NUMBER_REQUESTS
@pytest.mark.parametrize("under", ["own-path", "owner-path"])
def test_number_of_one_account_is_not_found_for_another(
    account: TestAccount,
    other_account: TestAccount,
    send: Callable[[httpx.Client, str], httpx.Response],
    under: str,
) -> None:
    created = create(account, PhoneNumber=fresh_number())
    path_account = other_account.sid if under == "own-path" else account.sid
    assert_not_found(send(other_account.http, number_path(path_account, created["sid"])))
    assert fetch(account, created["sid"]) == created


@NUMBER_REQUESTS
@pytest.mark.parametrize("sid", ["PN" + "0" * 32, "PNnope", "AC" + "0" * 32])
def test_unknown_number_is_not_found(
    account: TestAccount, send: Callable[[httpx.Client, str], httpx.Response], sid: str
) -> None:
    assert_not_found(send(account.http, number_path(account.sid, sid)))


def test_other_accounts_list_and_create_are_not_found(
    account: TestAccount, other_account: TestAccount
) -> None:
    create(account, PhoneNumber=fresh_number())
    assert_not_found(other_account.http.get(numbers_path(account.sid)))
    number = fresh_number()
    assert_not_found(other_account.http.post(numbers_path(account.sid), data={"PhoneNumber": number}))
    assert len(listed(account)) == 1
    assert listed(other_account) == []


def test_owner_account_manages_its_subaccounts_numbers(main_http: httpx.Client, account: TestAccount) -> None:
    created = ok_json(main_http.post(numbers_path(account.sid), data={"PhoneNumber": fresh_number()}), 201)
    assert created["account_sid"] == account.sid
    assert listed(account) == [created]
    assert ok_json(main_http.get(number_path(account.sid, created["sid"]))) == created


# --- list filters and paging ---------------------------------------------------------------------------


def test_list_filters(account: TestAccount) -> None:
    first = create(account, PhoneNumber=fresh_number(), FriendlyName="alpha")
    second = create(account, PhoneNumber=fresh_number(), FriendlyName="beta")
    number = first["phone_number"]
    assert listed(account, PhoneNumber=number) == [first]
    assert listed(account, PhoneNumber=number[-7:]) == [first]
    assert listed(account, PhoneNumber=number[:-2] + "**") == [first]
    assert listed(account, PhoneNumber="+1") == [second, first]
    assert listed(account, PhoneNumber="%") == []
    assert listed(account, PhoneNumber="_") == []
    assert listed(account, FriendlyName="beta") == [second]
    assert listed(account, FriendlyName="bet") == []
    assert listed(account, FriendlyName="alpha", PhoneNumber=second["phone_number"]) == []
    page = ok_json(
        account.http.get(numbers_path(account.sid), params={"PhoneNumber": number, "FriendlyName": "alpha"})
    )
    assert "PhoneNumber=%2B" in page["uri"]
    assert "FriendlyName=alpha" in page["first_page_uri"]


def test_unencoded_plus_in_the_filter_still_matches(account: TestAccount) -> None:
    created = create(account, PhoneNumber=fresh_number())
    raw = f"{numbers_path(account.sid)}?PhoneNumber={created['phone_number']}"
    assert ok_json(account.http.get(raw))["incoming_phone_numbers"] == [created]


@pytest.mark.parametrize("page_size", [1, 2, 5, 6])
def test_sdk_lists_every_number_once_newest_first(account: TestAccount, page_size: int) -> None:
    made = [create(account, PhoneNumber=fresh_number())["sid"] for _ in range(5)][::-1]
    numbers = account.client.incoming_phone_numbers
    assert [item.sid for item in numbers.list(page_size=page_size)] == made
    assert [item.sid for item in numbers.stream(page_size=page_size)] == made


def test_page_envelope(account: TestAccount) -> None:
    made = [create(account, PhoneNumber=fresh_number())["sid"] for _ in range(3)][::-1]
    first = ok_json(account.http.get(numbers_path(account.sid), params={"PageSize": 2}))
    assert [item["sid"] for item in first["incoming_phone_numbers"]] == made[:2]
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
    assert first["previous_page_uri"] is None
    assert first["next_page_uri"].startswith(numbers_path(account.sid) + "?")
    second = ok_json(account.http.get(first["next_page_uri"]))
    assert [item["sid"] for item in second["incoming_phone_numbers"]] == made[2:]
    assert (second["page"], second["start"], second["end"], second["next_page_uri"]) == (1, 2, 2, None)
    assert_invalid(account.http.get(numbers_path(account.sid), params={"PageSize": 0}), "PageSize")
