"""Virtual phones (``/phonograph/v1/Phones``): phonograph's own JSON API, per authenticated account.

The tests that send TwiML depend on ``phonograph.calls.check_twiml`` (the calls room's validator).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import (
    assert_error,
    assert_invalid,
    assert_not_found,
    assert_unauthorized,
    http_client,
    keys_path,
    ok_json,
    sid_pattern,
)

PHONES = "/phonograph/v1/Phones"
PHONE_FIELDS = {
    "sid",
    "account_sid",
    "phone_number",
    "answer",
    "answer_after_s",
    "twiml",
    "date_created",
    "date_updated",
    "url",
}
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello from the far end</Say></Response>'
# The contract is 64 KiB; a literal, so that the limit in src cannot drift with the test.
MAX_BODY_BYTES = 64 * 1024
NUMBER = "+15550001111"


def phone_path(number: str) -> str:
    return f"{PHONES}/{quote(number, safe='')}"


def create(account: TestAccount, **body: Any) -> dict[str, Any]:
    return ok_json(account.http.post(PHONES, json={"phone_number": NUMBER, **body}), 201)


def listed(account: TestAccount) -> list[dict[str, Any]]:
    body = ok_json(account.http.get(PHONES))
    assert set(body) == {"phones"}
    phones: list[dict[str, Any]] = body["phones"]
    return phones


def post_raw(account: TestAccount, content: bytes | str) -> httpx.Response:
    return account.http.post(PHONES, content=content, headers={"Content-Type": "application/json"})


# --- create and read -------------------------------------------------------------------------------


def test_create_with_defaults(account: TestAccount) -> None:
    created = ok_json(account.http.post(PHONES, json={"phone_number": NUMBER}), 201)
    assert set(created) == PHONE_FIELDS
    assert sid_pattern("PV").fullmatch(created["sid"])
    assert created["account_sid"] == account.sid
    assert created["phone_number"] == NUMBER
    assert (created["answer"], created["answer_after_s"], created["twiml"]) == ("answer", 1, None)
    assert created["url"] == "/phonograph/v1/Phones/%2B15550001111"
    for field in ("date_created", "date_updated"):
        assert ISO_RE.fullmatch(created[field]), created[field]
    assert ok_json(account.http.get(created["url"])) == created
    assert listed(account) == [created]


def test_create_with_every_field(account: TestAccount) -> None:
    created = create(account, answer="answer", answer_after_s=2.5, twiml=TWIML)
    assert (created["answer"], created["answer_after_s"], created["twiml"]) == ("answer", 2.5, TWIML)
    assert ok_json(account.http.get(phone_path(NUMBER))) == created


@pytest.mark.parametrize("answer", ["answer", "busy", "no-answer", "failed"])
def test_every_answer(account: TestAccount, answer: str) -> None:
    assert create(account, answer=answer)["answer"] == answer


@pytest.mark.parametrize("seconds", [0, 0.02, 1, 599.99, 600])
def test_answer_after_s_from_0_to_600(account: TestAccount, seconds: float) -> None:
    assert create(account, answer_after_s=seconds)["answer_after_s"] == seconds


def test_null_twiml_is_no_twiml(account: TestAccount) -> None:
    assert create(account, twiml=None)["twiml"] is None


def test_plus_may_be_sent_unencoded(account: TestAccount) -> None:
    created = create(account)
    assert ok_json(account.http.get(f"{PHONES}/{NUMBER}")) == created


def test_list_is_newest_first(account: TestAccount) -> None:
    numbers = ["+15550000001", "+15550000002", "+442071838750"]
    made = [ok_json(account.http.post(PHONES, json={"phone_number": n}), 201) for n in numbers]
    assert listed(account) == made[::-1]


def test_phones_belong_to_their_account(account: TestAccount, other_account: TestAccount) -> None:
    mine = create(account, answer="busy")
    assert listed(other_account) == []
    assert_not_found(other_account.http.get(phone_path(NUMBER)))
    assert_not_found(other_account.http.delete(phone_path(NUMBER)))
    # The same number is free in another account: phones are per account.
    theirs = create(other_account, answer="failed")
    assert theirs["sid"] != mine["sid"]
    assert listed(account) == [mine]
    assert listed(other_account) == [theirs]


def test_api_key_reaches_its_accounts_phones(server: ServerProcess, account: TestAccount) -> None:
    key = ok_json(account.http.post(keys_path(account.sid)), 201)
    created = create(account)
    with http_client(server.base_url, key["sid"], key["secret"]) as as_key:
        assert ok_json(as_key.get(PHONES)) == {"phones": [created]}


# --- delete --------------------------------------------------------------------------------------------


def test_delete(account: TestAccount) -> None:
    kept = ok_json(account.http.post(PHONES, json={"phone_number": "+15550002222"}), 201)
    create(account)
    response = account.http.delete(phone_path(NUMBER))
    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(account.http.get(phone_path(NUMBER)))
    assert_not_found(account.http.delete(phone_path(NUMBER)))
    assert listed(account) == [kept]
    # The number can be used again.
    assert create(account)["phone_number"] == NUMBER


@pytest.mark.parametrize("number", [NUMBER, "+15559999999", "nothing", "PV" + "0" * 32])
def test_unknown_phone_is_not_found(account: TestAccount, number: str) -> None:
    assert_not_found(account.http.get(phone_path(number)))
    assert_not_found(account.http.delete(phone_path(number)))


# --- refused requests ----------------------------------------------------------------------------------


def test_duplicate_number_is_a_conflict(account: TestAccount) -> None:
    created = create(account, answer="busy")
    response = account.http.post(PHONES, json={"phone_number": NUMBER, "answer": "answer"})
    assert_error(response, 409, 20409, mentions=NUMBER)
    assert listed(account) == [created]


def _bad_bodies() -> Iterator[Any]:
    yield pytest.param({}, "phone_number", id="missing-number")
    for bad in ["5550001111", "+", "+1", "+0555", "+1234567890123456", "+1 555 000", "", "tel:+1555"]:
        yield pytest.param({"phone_number": bad}, "phone_number", id=f"number={bad!r}")
    wrong_types: list[object] = [15550001111, None, ["+15550001111"]]
    for bad_value in wrong_types:
        yield pytest.param({"phone_number": bad_value}, "phone_number", id=f"number={bad_value!r}")
    bad_answers: list[object] = ["maybe", "ANSWER", "", 1, None, True]
    for bad_value in bad_answers:
        yield pytest.param(
            {"phone_number": NUMBER, "answer": bad_value}, "answer", id=f"answer={bad_value!r}"
        )
    bad_delays: list[object] = [-0.01, 600.01, 10_000, "1", True, None, [1]]
    for bad_value in bad_delays:
        yield pytest.param(
            {"phone_number": NUMBER, "answer_after_s": bad_value}, "answer_after_s", id=f"after={bad_value!r}"
        )
    bad_documents: list[object] = [5, True, ["<Response/>"], {"Response": None}]
    for bad_value in bad_documents:
        yield pytest.param({"phone_number": NUMBER, "twiml": bad_value}, "twiml", id=f"twiml={bad_value!r}")
    yield pytest.param({"phone_number": NUMBER, "answered": "answer"}, "answered", id="unknown-field")


@pytest.mark.parametrize(("body", "field"), list(_bad_bodies()))
def test_bad_fields_are_refused(account: TestAccount, body: dict[str, Any], field: str) -> None:
    assert_invalid(account.http.post(PHONES, json=body), f"'{field}'")
    assert listed(account) == []


@pytest.mark.parametrize(
    "twiml",
    ["not xml at all", "<Response><Say>unclosed</Response>", "<Reply><Say>hi</Say></Reply>"],
    ids=["text", "unclosed", "wrong-root"],
)
def test_invalid_twiml_is_refused(account: TestAccount, twiml: str) -> None:
    """Depends on phonograph.calls.check_twiml."""
    assert_invalid(account.http.post(PHONES, json={"phone_number": NUMBER, "twiml": twiml}), "'twiml'")
    assert listed(account) == []


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"nope", b"[]", b'"+15550001111"', b"null", b"\xff\xfe"],
    ids=["empty", "truncated", "text", "array", "string", "null", "not-utf8"],
)
def test_malformed_json_is_refused(account: TestAccount, content: bytes) -> None:
    assert_error(post_raw(account, content), 400, 20001)
    assert listed(account) == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_answer_after_s_is_refused(account: TestAccount, literal: str) -> None:
    content = f'{{"phone_number": "{NUMBER}", "answer_after_s": {literal}}}'
    assert_invalid(post_raw(account, content), "answer_after_s")
    assert listed(account) == []


def padded(body: dict[str, Any], size: int) -> bytes:
    encoded = json.dumps(body).encode()
    return encoded + b" " * (size - len(encoded))


def test_a_body_of_64_kib_is_accepted_and_one_byte_more_is_413(account: TestAccount) -> None:
    body = {"phone_number": NUMBER}
    assert_error(post_raw(account, padded(body, MAX_BODY_BYTES + 1)), 413, 20413)
    assert listed(account) == []
    assert post_raw(account, padded(body, MAX_BODY_BYTES)).status_code == 201


def test_oversized_twiml_is_413(account: TestAccount) -> None:
    twiml = "<Response>" + "<Pause/>" * 9000 + "</Response>"
    assert_error(account.http.post(PHONES, json={"phone_number": NUMBER, "twiml": twiml}), 413, 20413)
    assert listed(account) == []


# --- credentials, paths and methods --------------------------------------------------------------------


def _list(http: httpx.Client) -> httpx.Response:
    return http.get(PHONES)


def _create(http: httpx.Client) -> httpx.Response:
    return http.post(PHONES, json={"phone_number": NUMBER})


def _fetch(http: httpx.Client) -> httpx.Response:
    return http.get(phone_path(NUMBER))


def _delete(http: httpx.Client) -> httpx.Response:
    return http.delete(phone_path(NUMBER))


def _no_credentials(_account: TestAccount) -> tuple[str, str] | None:
    return None


def _unknown_account(_account: TestAccount) -> tuple[str, str] | None:
    return ("AC" + "0" * 32, "0" * 32)


def _wrong_token(account: TestAccount) -> tuple[str, str] | None:
    return (account.sid, "0" * 32)


@pytest.mark.parametrize("send", [_list, _create, _fetch, _delete], ids=["list", "create", "fetch", "delete"])
@pytest.mark.parametrize("credentials", [_no_credentials, _unknown_account, _wrong_token])
def test_credentials_are_required(
    server: ServerProcess,
    account: TestAccount,
    send: Callable[[httpx.Client], httpx.Response],
    credentials: Callable[[TestAccount], tuple[str, str] | None],
) -> None:
    created = create(account)
    with httpx.Client(base_url=server.base_url, auth=credentials(account), timeout=10) as http:
        assert_unauthorized(send(http))
    assert listed(account) == [created]


def test_unknown_path_and_method(account: TestAccount) -> None:
    assert_not_found(account.http.get("/phonograph/v1/Nothing"))
    assert_not_found(account.http.get(f"{phone_path(NUMBER)}/More"))
    assert_error(account.http.put(PHONES, json={}), 405, 20004)
    assert_error(account.http.post(phone_path(NUMBER), json={}), 405, 20004)
