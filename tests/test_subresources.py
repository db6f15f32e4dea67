"""Every ``subresource_uris`` entry that Twilio's OpenAPI lets a client GET answers with Twilio's
list envelope, its shape checked against that schema; another account's parent is a 404."""

from __future__ import annotations

from typing import Any

from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import account_path, assert_not_found, ok_json
from tests.support.recordings import completed_recording, recording_path
from tests.support.twilio_schema import operation_for


def schema_of(uri: str) -> dict[str, Any] | None:
    """The 200 schema of the GET list Twilio's OpenAPI defines at ``uri``, if it defines one."""
    operation = operation_for("GET", uri)
    if operation is None or "{Sid}" in operation.template.rsplit("/", 1)[-1]:
        return None  # not a list
    return operation.schema


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
