"""phonograph's OpenAPI document (``/phonograph/openapi.json``) says what the server does: which
routes need credentials, and the bodies and query parameters of phonograph's own routes
(``/phonograph/v1``), which their handlers parse themselves. Each claim is checked against the
running server, so the document cannot drift from it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from phonograph.testing.kit import fresh_number
from phonograph.testing.server import ServerProcess
from tests.conftest import TestAccount
from tests.support.api import assert_invalid

SCHEME = "accountSid_authToken"
PUBLIC = {"/healthz"}
OWN = "/phonograph/v1"

on_sqlite = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


def document(server: ServerProcess) -> dict[str, Any]:
    answer = httpx.get(f"{server.base_url}/phonograph/openapi.json")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, methods in doc["paths"].items() for method, op in methods.items()]


def own_operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["paths"][f"{OWN}{path}"][method]
    return found


@on_sqlite
def test_every_route_that_needs_credentials_says_so_and_the_others_do_not(
    server: ServerProcess, account: TestAccount
) -> None:
    doc = document(server)
    assert doc["components"]["securitySchemes"][SCHEME] == {
        "type": "http",
        "scheme": "basic",
        "description": doc["components"]["securitySchemes"][SCHEME]["description"],
    }
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    checked = 0
    for path, method, op in operations(doc):
        # Path parameters get a value that passes no lookup: the credential check comes first.
        url = re.sub(r"\{account_sid\}", account.sid, path)
        url = re.sub(r"\{[^}]+\}", "X", url)
        answer = httpx.request(method.upper(), f"{server.base_url}{url}", timeout=10)
        security = op.get("security")
        if security == [{SCHEME: []}]:
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["code"] == 20003, (method, path)
            checked += 1
        elif security == [{SCHEME: []}, {}]:  # optional: media of an account that allows it
            assert "/Recordings/{name}" in path, path
        else:
            assert security is None, (method, path, security)
            assert path in PUBLIC, (method, path)
            assert answer.status_code == 200, (method, path)
    assert checked > 70


@on_sqlite
def test_the_phones_body_is_the_one_the_server_parses(server: ServerProcess, account: TestAccount) -> None:
    op = own_operation(document(server), "post", "/Phones")
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert op["requestBody"]["required"] is True
    assert (schema["required"], schema["additionalProperties"]) == (["phone_number"], False)
    assert set(schema["properties"]) == {"phone_number", "answer", "answer_after_s", "twiml"}
    answer_after = schema["properties"]["answer_after_s"]
    assert (answer_after["minimum"], answer_after["maximum"]) == (0, 600)
    answers = schema["properties"]["answer"]["enum"]
    pattern = re.compile(schema["properties"]["phone_number"]["pattern"])

    # What the schema allows is created; what it refuses is a 400 naming the field.
    for answer in answers:
        number = fresh_number()
        assert pattern.match(number)
        made = account.http.post(f"{OWN}/Phones", json={"phone_number": number, "answer": answer})
        assert made.status_code == 201, made.text
    for number in ("+0123", "15550001111", "+1555000111122223"):
        assert pattern.match(number) is None
        assert_invalid(account.http.post(f"{OWN}/Phones", json={"phone_number": number}), "phone_number")
    assert_invalid(
        account.http.post(f"{OWN}/Phones", json={"phone_number": fresh_number(), "answer": "x"}), "answer"
    )
    refused = account.http.post(f"{OWN}/Phones", json={"phone_number": fresh_number(), "color": "red"})
    assert_invalid(refused, "color")


@on_sqlite
def test_the_media_settings_body_names_every_setting(server: ServerProcess, account: TestAccount) -> None:
    op = own_operation(document(server), "post", "/Accounts/{account_sid}/MediaSettings")
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    settings = account.http.get(f"{OWN}/Accounts/{account.sid}/MediaSettings").json()
    flags = {name for name, value in settings.items() if isinstance(value, bool)}
    assert set(schema["properties"]) == flags
    assert schema["additionalProperties"] is False
    for name in flags:
        assert {"type": "boolean"} in schema["properties"][name]["anyOf"], name


@on_sqlite
def test_the_query_parameters_of_events_and_media_are_the_ones_the_server_reads(
    server: ServerProcess, account: TestAccount
) -> None:
    doc = document(server)
    events = {p["name"]: p for p in own_operation(doc, "get", "/Accounts/{account_sid}/Events")["parameters"]}
    assert set(events) == {"account_sid", "Kind", "CallSid", "PageSize", "Page", "PageToken"}
    assert all(events[name]["in"] == "query" for name in set(events) - {"account_sid"})
    path = f"{OWN}/Accounts/{account.sid}/Events"
    for kind in events["Kind"]["schema"]["enum"]:
        listed = account.http.get(path, params={"Kind": kind, "CallSid": "CA" + "0" * 32})
        assert listed.status_code == 200, listed.text
    assert_invalid(account.http.get(path, params={"Kind": "sms"}), "Kind")
    largest = events["PageSize"]["schema"]["maximum"]
    assert account.http.get(path, params={"PageSize": largest}).status_code == 200
    assert account.http.get(path, params={"PageSize": largest + 1}).status_code == 400
    assert account.http.get(path, params={"PageToken": "nonsense"}).status_code == 400

    [reset] = own_operation(doc, "get", "/Media")["parameters"]
    assert (reset["name"], reset["in"], reset["schema"]) == ("Reset", "query", {"type": "boolean"})
