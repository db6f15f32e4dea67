"""Every ``subresource_uris`` entry that Twilio's OpenAPI lets a client GET answers with Twilio's
list envelope, its shape checked against that schema; another account's parent is a 404."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import TestAccount
from tests.support.api import account_path, assert_not_found, ok_json
from tests.support.recordings import completed_recording, recording_path
from tests.support.webapp import WebApp

OAI_V2010 = Path(__file__).parent / "data" / "twilio-oai" / "twilio_api_v2010.json"


@cache
def list_schemas() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """(path pattern, 200 schema) of every GET list in Twilio's api v2010 OpenAPI."""
    spec = json.loads(OAI_V2010.read_text())
    found = []
    for template, operations in spec["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200")
        if answer is None or "{Sid}" in template.rsplit("/", 1)[-1]:
            continue
        pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"\{[A-Za-z]+\}", "[^/]+", pattern)
        schema = answer["content"]["application/json"]["schema"]
        found.append((re.compile(pattern + r"(\?.*)?"), schema))
    return found


def schema_of(uri: str) -> dict[str, Any] | None:
    for pattern, schema in list_schemas():
        if pattern.fullmatch(uri):
            return schema
    return None


def gettable(parent: dict[str, Any]) -> dict[str, str]:
    """The parent's subresource URIs that Twilio's OpenAPI defines a GET list for."""
    return {name: uri for name, uri in parent["subresource_uris"].items() if schema_of(uri) is not None}


def assert_lists(account: TestAccount, parent: dict[str, Any], names: set[str]) -> None:
    uris = gettable(parent)
    assert set(uris) >= names
    for name, uri in uris.items():
        page = ok_json(account.http.get(uri))
        schema = schema_of(uri)
        assert schema is not None
        assert set(page) == set(schema["properties"]), name
        assert isinstance(page[name], list)
        assert page["page"] == 0


def test_a_calls_recordings_and_numbers_subresources_all_answer(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    call_sid, recording_sid = completed_recording(account, webapp)
    call = ok_json(
        account.http.get(f"{account_path(account.sid).removesuffix('.json')}/Calls/{call_sid}.json")
    )
    recording = ok_json(account.http.get(recording_path(account.sid, recording_sid)))
    number = ok_json(
        account.http.post(
            f"{account_path(account.sid).removesuffix('.json')}/IncomingPhoneNumbers.json",
            data={"PhoneNumber": "+15550401234"},
        ),
        201,
    )
    assert_lists(account, call, {"notifications", "recordings", "events"})
    assert_lists(account, recording, {"transcriptions", "add_on_results"})
    assert_lists(account, number, {"assigned_add_ons"})
    for parent in (call, recording, number):
        for uri in gettable(parent).values():
            assert_not_found(other_account.http.get(uri.replace(account.sid, other_account.sid)))
