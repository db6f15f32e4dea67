"""The account default Recording configuration, ``/v2/AccountDefaultConfiguration/Recording``, end to end.

One per account: a second create is 409; ``ETag`` carries its version and a PUT whose ``If-Match``
names another version is 412. Good requests go through the official SDK; bad input over raw HTTP.
Every refused request is followed by a check that nothing was written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from twilio.rest.voice.v2.account_default_configuration import AccountDefaultConfigurationList
from twilio.rest.voice.v2.recording_account_default_configuration import (
    RecordingAccountDefaultConfigurationList,
)

from tests.conftest import TestAccount
from tests.support.twilio_schema import set_fields
from tests.test_configurations import (
    AUTH_CASES,
    MALFORMED,
    MAX_BODY_BYTES,
    MISSING,
    NULL_BODIES,
    RECORDING,
    RECORDING_REFUSED,
    TRANSCRIPTION,
    assert_error,
    bad_credentials,
    collection,
    create,
    create_transcription,
    default_id,
    delete,
    feature,
    parse_date,
    recording_configuration,
    sdk_configuration,
    sdk_error,
    set_default,
    transcription_configuration,
    with_overrides,
)

PATH = "/v2/AccountDefaultConfiguration/Recording"
RESPONSE_KEYS = {"account_sid", "description", "date_created", "date_updated", "configuration"}


# --- SDK ----------------------------------------------------------------------------------------------


def sdk_default(account: TestAccount) -> Any:
    """The SDK's generic ``account_default_configuration(Type)`` context, which takes the body as a dict.

    (The typed ``recording_account_default_configuration`` request object raises NameError on the
    client as soon as its configuration has a nested object, so it only serves minimal bodies below.)
    """
    return account.client.voice.v2.account_default_configuration(RECORDING)


def sdk_request(configuration: dict[str, Any], description: str | None = None) -> Any:
    payload = {"description": description, "configuration": configuration}
    return AccountDefaultConfigurationList.VoiceV2AccountDefaultConfigurationRequest(payload)


def etag_of(headers: Mapping[str, str]) -> str:
    values = [value for name, value in headers.items() if name.lower() == "etag"]
    assert len(values) == 1, headers
    return values[0]


def with_etag(response: Any) -> dict[str, Any]:
    """An SDK ``*_with_http_info`` answer as the fields the SDK parsed, plus the ETag header."""
    instance = response.data
    return {
        "account_sid": instance.account_sid,
        "description": instance.description,
        "date_created": instance.date_created,
        "date_updated": instance.date_updated,
        "configuration": instance.configuration,
        "etag": etag_of(response.headers),
    }


def create_default(
    account: TestAccount, configuration: dict[str, Any] | None = None, description: str | None = None
) -> dict[str, Any]:
    request = sdk_request(configuration or recording_configuration(), description)
    response = sdk_default(account).create_with_http_info(request)
    assert response.status_code == 201
    return with_etag(response)


def replace_default(
    account: TestAccount, configuration: dict[str, Any], description: str | None = None
) -> dict[str, Any]:
    response = sdk_default(account).update_with_http_info(sdk_request(configuration, description))
    assert response.status_code == 200
    return with_etag(response)


def current(account: TestAccount) -> dict[str, Any]:
    """The account default as the SDK reads it back, with its ETag."""
    response = sdk_default(account).fetch_with_http_info()
    assert response.status_code == 200
    return with_etag(response)


def delete_default(account: TestAccount) -> None:
    response = sdk_default(account).delete_with_http_info()
    assert (response.data, response.status_code) == (True, 204)


def assert_no_default(account: TestAccount) -> None:
    sdk_error(sdk_default(account).fetch, 404, 20404)


def at_version_2(account: TestAccount) -> dict[str, Any]:
    create_default(account, recording_configuration(), "house rules")
    replace_default(account, recording_configuration(compositionPolicy={"channels": "mono"}))
    state = current(account)
    assert state["etag"] == '"2"'
    return state


@pytest.fixture
def existing(account: TestAccount) -> Iterator[dict[str, Any]]:
    """An account default at version 2, checked unchanged after the test (for refusals)."""
    before = at_version_2(account)
    yield before
    assert current(account) == before


# === lifecycle =========================================================================================


def test_there_is_none_until_one_is_created(account: TestAccount) -> None:
    assert_no_default(account)
    sdk_error(account.client.voice.v2.recording_account_default_configuration().fetch, 404, 20404)
    sdk_error(lambda: sdk_default(account).update(sdk_request(recording_configuration())), 404, 20404)
    sdk_error(sdk_default(account).delete, 404, 20404)
    assert_no_default(account)


def test_create_answers_201_with_etag_1_and_the_body_without_nulls(account: TestAccount) -> None:
    sent, stored = NULL_BODIES[RECORDING]
    before = datetime.now(UTC).replace(microsecond=0)
    created = create_default(account, sent, "house rules")
    after = datetime.now(UTC)

    assert created["etag"] == '"1"'
    assert (created["account_sid"], created["description"]) == (account.sid, "house rules")
    assert set_fields(created["configuration"]) == set_fields(stored)
    assert created["date_created"] == created["date_updated"]
    assert before <= created["date_created"] <= after
    assert current(account) == created

    # On the wire: no id, no unique_name, ISO-8601 dates, the ETag on GET too.
    response = account.http.get(PATH)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert parse_date(body["date_created"]) == created["date_created"]
    assert response.headers["ETag"] == '"1"'


def test_the_typed_sdk_resource_reads_updates_and_deletes(account: TestAccount) -> None:
    typed = account.client.voice.v2.recording_account_default_configuration()
    minimal = {"configurationType": RECORDING}
    request_class = (
        RecordingAccountDefaultConfigurationList.VoiceV2AccountDefaultConfigurationRecordingRequest
    )

    created = typed.create(request_class({"description": "typed", "configuration": minimal}))
    assert (created.account_sid, created.description, set_fields(created.configuration)) == (
        account.sid,
        "typed",
        minimal,
    )
    fetched = typed.fetch()
    assert (fetched.description, set_fields(fetched.configuration), fetched.date_created) == (
        "typed",
        minimal,
        created.date_created,
    )

    updated = typed.update(request_class({"description": None, "configuration": minimal}))
    assert (updated.description, set_fields(updated.configuration)) == ("typed", minimal)
    assert current(account)["etag"] == '"2"'

    assert typed.delete() is True
    assert_no_default(account)


def test_update_replaces_the_configuration_whole_and_bumps_the_etag(account: TestAccount) -> None:
    created = create_default(account, recording_configuration(), "house rules")
    smaller = {"configurationType": RECORDING, "compositionPolicy": {"trim": "trim-silence"}}

    updated = replace_default(account, smaller)
    assert updated["etag"] == '"2"'
    assert (updated["description"], set_fields(updated["configuration"])) == ("house rules", smaller)
    assert updated["date_created"] == created["date_created"]
    assert updated["date_updated"] >= created["date_updated"]
    assert current(account) == updated

    renamed = replace_default(account, smaller, "new rules")
    assert (renamed["etag"], renamed["description"]) == ('"3"', "new rules")
    assert current(account) == renamed


def test_a_second_create_is_409_and_changes_nothing(account: TestAccount) -> None:
    create_default(account, recording_configuration(), "first")
    before = current(account)
    other = recording_configuration(compositionPolicy={"channels": "mono"})
    sdk_error(lambda: sdk_default(account).create(sdk_request(other, "second")), 409, 20409)
    assert_error(account.http.post(PATH, json={"configuration": other}), 409, 20409)
    assert current(account) == before


def test_delete_removes_it_and_it_can_be_created_again(account: TestAccount) -> None:
    create_default(account, description="first")
    delete_default(account)
    assert_no_default(account)
    sdk_error(sdk_default(account).delete, 404, 20404)
    again = create_default(account, {"configurationType": RECORDING}, "second")
    assert (again["description"], set_fields(again["configuration"])) == (
        "second",
        {"configurationType": RECORDING},
    )
    assert current(account) == again


# === ETag / If-Match ==================================================================================


@pytest.mark.parametrize("if_match", ["*", '"2"', 'W/"2"', "2"])
def test_a_put_whose_if_match_names_the_current_version_applies(account: TestAccount, if_match: str) -> None:
    at_version_2(account)
    replacement = {"configurationType": RECORDING, "compositionPolicy": {"track": "inbound"}}
    response = account.http.put(PATH, json={"configuration": replacement}, headers={"If-Match": if_match})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"3"'
    assert set_fields(response.json()["configuration"]) == set_fields(replacement)
    state = current(account)
    assert (state["etag"], set_fields(state["configuration"]), state["description"]) == (
        '"3"',
        replacement,
        "house rules",
    )


@pytest.mark.parametrize("if_match", ['"1"', '"3"', '"0"', 'W/"1"', "abc", '""'])
def test_a_put_whose_if_match_names_another_version_is_412(
    account: TestAccount, existing: dict[str, Any], if_match: str
) -> None:
    body = {"description": "changed", "configuration": {"configurationType": RECORDING}}
    assert_error(account.http.put(PATH, json=body, headers={"If-Match": if_match}), 412, 20412)
    assert current(account) == existing


# === other types ======================================================================================


@pytest.mark.parametrize("type_name", [TRANSCRIPTION, "Foo"])
def test_only_recording_has_an_account_default(account: TestAccount, type_name: str) -> None:
    path = f"/v2/AccountDefaultConfiguration/{type_name}"
    body = {"configuration": transcription_configuration()}
    for method in ("POST", "GET", "PUT", "DELETE"):
        assert_error(account.http.request(method, path, json=body), 404, 20404)
    sdk_error(account.client.voice.v2.account_default_configuration(type_name).fetch, 404, 20404)
    assert_no_default(account)


# === validation ========================================================================================

ENVELOPE_REFUSED = [
    pytest.param({"unique_name": "x"}, "Invalid 'unique_name': is not a known field", id="unique-name"),
    pytest.param({"id": "x"}, "Invalid 'id': is not a known field", id="id"),
    pytest.param(
        {"configuration": MISSING}, "Invalid 'configuration': is required", id="configuration-missing"
    ),
    pytest.param({"configuration": None}, "Invalid 'configuration': is required", id="configuration-null"),
    pytest.param({"configuration": "Recording"}, "Invalid 'configuration': ", id="configuration-string"),
    pytest.param(
        {"configuration": transcription_configuration()},
        "Invalid 'configuration.configurationType': must be 'Recording'",
        id="transcription-body",
    ),
    pytest.param({"description": ["x"]}, "Invalid 'description': ", id="description-list"),
    pytest.param({"description": "d" * 1025}, "Invalid 'description': ", id="description-1025-chars"),
]


def refuse(account: TestAccount, method: str, body: dict[str, Any], message_start: str) -> None:
    assert_error(account.http.request(method, PATH, json=body), 400, 20001, message_start)


@pytest.mark.parametrize(("overrides", "message_start"), ENVELOPE_REFUSED)
def test_a_create_with_an_invalid_envelope_is_refused(
    account: TestAccount, overrides: dict[str, Any], message_start: str
) -> None:
    refuse(
        account,
        "POST",
        with_overrides({"configuration": recording_configuration()}, overrides),
        message_start,
    )
    assert_no_default(account)


@pytest.mark.parametrize(("overrides", "message_start"), ENVELOPE_REFUSED)
def test_a_put_with_an_invalid_envelope_changes_nothing(
    account: TestAccount, existing: dict[str, Any], overrides: dict[str, Any], message_start: str
) -> None:
    refuse(
        account, "PUT", with_overrides({"configuration": recording_configuration()}, overrides), message_start
    )


@pytest.mark.parametrize(("overrides", "message_start"), RECORDING_REFUSED)
def test_a_create_with_an_invalid_configuration_is_refused(
    account: TestAccount, overrides: dict[str, Any], message_start: str
) -> None:
    refuse(account, "POST", {"configuration": recording_configuration(**overrides)}, message_start)
    assert_no_default(account)


@pytest.mark.parametrize(("overrides", "message_start"), RECORDING_REFUSED)
def test_a_put_with_an_invalid_configuration_changes_nothing(
    account: TestAccount, existing: dict[str, Any], overrides: dict[str, Any], message_start: str
) -> None:
    refuse(account, "PUT", {"configuration": recording_configuration(**overrides)}, message_start)


def test_a_description_of_1024_characters_is_kept(account: TestAccount) -> None:
    assert create_default(account, description="d" * 1024)["description"] == "d" * 1024
    assert replace_default(account, recording_configuration(), "e" * 1024)["description"] == "e" * 1024
    assert current(account)["description"] == "e" * 1024


# === features ==========================================================================================


def test_features_naming_transcription_ids_are_kept(account: TestAccount) -> None:
    first, second = create_transcription(account), create_transcription(account)
    features = [feature(first, description="summary"), feature(second, description=None)]
    created = create_default(account, recording_configuration(features=features))
    expected = [feature(first, description="summary"), feature(second)]
    assert set_fields(created["configuration"]["features"]) == set_fields(expected)
    assert set_fields(current(account)["configuration"]["features"]) == set_fields(expected)


@pytest.fixture
def feature_ids(account: TestAccount, other_account: TestAccount) -> dict[str, str]:
    return {
        "$own": create_transcription(account, unique_name="own-transcription"),
        "$own_name": "own-transcription",
        "$recording": create(account, RECORDING)["id"],
        "$foreign": create_transcription(other_account),
        "$unknown": "voice_transcriptionconfiguration_01k1etx3jbfx88476ccja0889c",
    }


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(
    ("placeholders", "message_start"),
    [
        pytest.param(
            ["$unknown"], "Invalid 'configuration.features[0].featureId': no Transcription", id="unknown"
        ),
        pytest.param(
            ["$own", "$own_name"], "Invalid 'configuration.features[1].featureId': ", id="unique-name"
        ),
        pytest.param(["$recording"], "Invalid 'configuration.features[0].featureId': ", id="recording-id"),
        pytest.param(["$foreign"], "Invalid 'configuration.features[0].featureId': ", id="other-account"),
        pytest.param(
            ["$own", "$own"], "Invalid 'configuration.features': a featureId appears twice", id="twice"
        ),
    ],
)
def test_features_must_name_distinct_transcription_ids_of_the_account(
    account: TestAccount,
    feature_ids: dict[str, str],
    method: str,
    placeholders: list[str],
    message_start: str,
) -> None:
    if method == "PUT":
        create_default(account, description="kept")
    before = current(account) if method == "PUT" else None
    features = [feature(feature_ids[name]) for name in placeholders]
    refuse(account, method, {"configuration": recording_configuration(features=features)}, message_start)
    if before is None:
        assert_no_default(account)
    else:
        assert current(account) == before


@pytest.mark.parametrize("release", ["replace", "delete"])
def test_a_transcription_used_by_the_account_default_cannot_be_deleted(
    account: TestAccount, release: str
) -> None:
    transcription_id = create_transcription(account, unique_name="in-use")
    create_default(account, recording_configuration(features=[feature(transcription_id)]))
    transcription = sdk_configuration(account.client, TRANSCRIPTION, transcription_id)
    before = transcription.fetch().date_updated

    sdk_error(transcription.delete, 409, 20409)
    message = assert_error(account.http.delete(f"{collection(TRANSCRIPTION)}/in-use"), 409, 20409)
    assert "account default" in message
    assert transcription.fetch().date_updated == before

    if release == "replace":
        replace_default(account, recording_configuration())
    else:
        delete_default(account)
    assert transcription.delete() is True
    sdk_error(transcription.fetch, 404, 20404)


# === malformed, oversized, unauthenticated ============================================================


@pytest.mark.parametrize("content", MALFORMED)
def test_malformed_json_bodies_are_refused(
    account: TestAccount, existing: dict[str, Any], content: bytes
) -> None:
    for method in ("POST", "PUT"):
        response = account.http.request(
            method, PATH, content=content, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, 20001)


def padded(body: dict[str, Any], size: int) -> bytes:
    encoded = json.dumps(body).encode()
    return encoded + b" " * (size - len(encoded))


def test_a_body_over_64_kib_is_413(account: TestAccount) -> None:
    body = {"description": "big", "configuration": recording_configuration()}
    headers = {"Content-Type": "application/json"}
    too_big = padded(body, MAX_BODY_BYTES + 1)

    assert_error(account.http.post(PATH, content=too_big, headers=headers), 413, 20413)
    assert_no_default(account)

    created = account.http.post(PATH, content=padded(body, MAX_BODY_BYTES), headers=headers)
    assert created.status_code == 201, created.text
    before = current(account)
    assert_error(account.http.put(PATH, content=too_big, headers=headers), 413, 20413)
    assert current(account) == before


@pytest.mark.parametrize("credentials", AUTH_CASES)
def test_requests_without_valid_credentials_are_401(
    account: TestAccount, other_account: TestAccount, existing: dict[str, Any], credentials: str
) -> None:
    auth = bad_credentials(credentials, account, other_account)
    body = {"configuration": {"configurationType": RECORDING}}
    for method in ("POST", "GET", "PUT", "DELETE"):
        response = account.http.request(
            method, PATH, json=body if method in ("POST", "PUT") else None, auth=auth
        )
        assert_error(response, 401, 20003)


# === other accounts and the named Default ============================================================


def test_each_account_has_its_own_account_default(account: TestAccount, other_account: TestAccount) -> None:
    create_default(account, recording_configuration(), "mine")
    before = current(account)

    assert_no_default(other_account)
    sdk_error(
        lambda: sdk_default(other_account).update(sdk_request({"configurationType": RECORDING})), 404, 20404
    )
    sdk_error(sdk_default(other_account).delete, 404, 20404)
    assert current(account) == before

    theirs = create_default(other_account, {"configurationType": RECORDING}, "theirs")
    assert (theirs["account_sid"], theirs["etag"]) == (other_account.sid, '"1"')
    delete_default(other_account)
    assert current(account) == before


def test_the_account_default_and_the_named_default_are_independent(account: TestAccount) -> None:
    create_default(account, description="inline")
    assert default_id(account, RECORDING) is None

    named = create(account, RECORDING)
    set_default(account, RECORDING, named["id"])
    before = current(account)
    delete(account, RECORDING, named["id"])
    assert default_id(account, RECORDING) is None
    assert current(account) == before

    delete_default(account)
    assert_error(account.http.get(f"{collection(RECORDING)}/Default"), 404, 20404)
