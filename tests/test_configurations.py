"""Named v2 configurations (Recording, Transcription) and the per-type Default pointer, end to end.

Creates go over plain JSON: the SDK's ``recording.create``/``transcription.create`` raise
AttributeError once the server has answered (README.md). Fetch, update, delete and the Default
pointer go through the official SDK; bad input goes over raw HTTP. Every refused request is
followed by a check that nothing was written.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.voice.v2.configuration import ConfigurationList
from twilio.rest.voice.v2.configuration.default import DefaultList
from twilio.rest.voice.v2.recording import RecordingList
from twilio.rest.voice.v2.transcription import TranscriptionList
from twilio.rest.voice.v2.type import TypeList

from phonograph.core import typeid_uuid
from tests.conftest import TestAccount
from tests.support.twilio_schema import set_fields

RECORDING = "Recording"
TRANSCRIPTION = "Transcription"
TYPES = (RECORDING, TRANSCRIPTION)
ID_PREFIXES = {RECORDING: "voice_recordingconfiguration", TRANSCRIPTION: "voice_transcriptionconfiguration"}
ID_SUFFIX = "[0-7][0-9a-hjkmnp-tv-z]{25}"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
RESPONSE_KEYS = {
    "id",
    "account_sid",
    "unique_name",
    "description",
    "date_created",
    "date_updated",
    "configuration",
}
ERROR_KEYS = {"code", "message", "more_info", "status"}
MAX_BODY_BYTES = 64 * 1024
# The id's UUIDv7 timestamp is taken on the same machine between our "before" and "after".
CLOCK_SLACK_MS = 2000

MISSING: Any = object()
"""An override value that removes the key instead of setting it."""

CALLBACK_URL = "https://example.com/recording-status"
TRANSCRIPT_URL = "https://example.com/transcripts"


# --- parameters ---------------------------------------------------------------------------------------

UNKNOWN = "is not a known field"
CALL_CALLBACK = "callRecordingStatusCallback"


def cases(table: dict[str, tuple[Any, ...]]) -> list[Any]:
    """``pytest.param``s named by the table's keys."""
    return [pytest.param(*values, id=name) for name, values in table.items()]


def at(path: str) -> str:
    """The start of a 400 message naming ``configuration.<path>`` (or ``configuration`` itself)."""
    return f"Invalid 'configuration{'.' + path if path else ''}': "


# --- bodies -------------------------------------------------------------------------------------------


def with_overrides(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with top-level keys replaced by ``overrides`` (``MISSING`` deletes the key)."""
    result = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is MISSING:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


def participants(first: str = "CUSTOMER", second: str = "HUMAN_AGENT") -> list[dict[str, Any]]:
    return [{"audioChannelIndex": 1, "type": first}, {"audioChannelIndex": 2, "type": second}]


def recording_configuration(**overrides: Any) -> dict[str, Any]:
    """A valid Recording configuration with no null fields (so it echoes back unchanged)."""
    base = {
        "configurationType": RECORDING,
        "compositionPolicy": {"channels": "dual", "trim": "do-not-trim", "track": "both"},
        "callRecordingStatusCallback": {"url": CALLBACK_URL, "method": "POST", "events": ["completed"]},
    }
    return with_overrides(base, overrides)


def transcription_configuration(**overrides: Any) -> dict[str, Any]:
    """A valid Transcription configuration with no null fields (so it echoes back unchanged)."""
    base = {
        "configurationType": TRANSCRIPTION,
        "transcriptionEngine": "deepgram",
        "speechModel": "nova-3",
        "language": "en-US",
        "transcriptionStatusCallback": {"url": TRANSCRIPT_URL, "method": "POST"},
        "participantDefaults": participants(),
    }
    return with_overrides(base, overrides)


def configuration_for(type_name: str, **overrides: Any) -> dict[str, Any]:
    if type_name == RECORDING:
        return recording_configuration(**overrides)
    return transcription_configuration(**overrides)


def other_type(type_name: str) -> str:
    return TRANSCRIPTION if type_name == RECORDING else RECORDING


def feature(feature_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "transcriptionConfiguration", "featureId": feature_id, **fields}


# --- raw HTTP ------------------------------------------------------------------------------------------


def collection(type_name: str) -> str:
    return f"/v2/Configurations/{type_name}"


def post_configuration(account: TestAccount, type_name: str, body: dict[str, Any]) -> httpx.Response:
    return account.http.post(collection(type_name), json=body)


def create(
    account: TestAccount,
    type_name: str,
    configuration: dict[str, Any] | None = None,
    *,
    unique_name: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Create over plain JSON (README.md) and return the 201 body."""
    body: dict[str, Any] = {"configuration": configuration or configuration_for(type_name)}
    if unique_name is not None:
        body["unique_name"] = unique_name
    if description is not None:
        body["description"] = description
    response = post_configuration(account, type_name, body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def create_transcription(account: TestAccount, unique_name: str | None = None) -> str:
    created_id: str = create(account, TRANSCRIPTION, unique_name=unique_name)["id"]
    return created_id


def assert_error(response: httpx.Response, status: int, code: int, message_start: str = "") -> str:
    """The response is a v2 error body with this status and code; returns its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    message: str = body["message"]
    assert message.startswith(message_start), message
    return message


# --- SDK ----------------------------------------------------------------------------------------------


def sdk_configuration(client: Client, type_name: str, key: str) -> Any:
    """The SDK's context for one configuration, through its type-specific resource."""
    v2 = client.voice.v2
    return v2.recording(key) if type_name == RECORDING else v2.transcription(key)


def sdk_request(type_name: str, payload: dict[str, Any]) -> Any:
    """The SDK's typed request object; its ``to_dict`` sends null for every field left out."""
    if type_name == RECORDING:
        return RecordingList.VoiceV2ConfigurationRecordingRequest(payload)
    return TranscriptionList.VoiceV2ConfigurationTranscriptionRequest(payload)


def as_dict(instance: Any) -> dict[str, Any]:
    return {
        "id": instance.id,
        "account_sid": instance.account_sid,
        "unique_name": instance.unique_name,
        "description": instance.description,
        "date_created": instance.date_created,
        "date_updated": instance.date_updated,
        "configuration": instance.configuration,
    }


def fetch(account: TestAccount, type_name: str, key: str) -> dict[str, Any]:
    """The configuration as the SDK reads it back."""
    return as_dict(sdk_configuration(account.client, type_name, key).fetch())


def update(account: TestAccount, type_name: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
    context = sdk_configuration(account.client, type_name, key)
    response = context.update_with_http_info(sdk_request(type_name, payload))
    assert response.status_code == 200
    return as_dict(response.data)


def delete(account: TestAccount, type_name: str, key: str) -> None:
    response = sdk_configuration(account.client, type_name, key).delete_with_http_info()
    assert (response.data, response.status_code) == (True, 204)


def sdk_error(call: Callable[[], object], status: int, code: int) -> None:
    with pytest.raises(TwilioRestException) as caught:
        call()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.msg


def assert_absent(account: TestAccount, type_name: str, key: str) -> None:
    sdk_error(lambda: sdk_configuration(account.client, type_name, key).fetch(), 404, 20404)


def set_default(account: TestAccount, type_name: str, key: str) -> None:
    request = DefaultList.DefaultConfigurationRequest({"configuration_id": key})
    response = account.client.voice.v2.configurations(type_name).default.create_with_http_info(request)
    assert response.status_code == 204


def default_id(account: TestAccount, type_name: str) -> str | None:
    """The id of the type's Default configuration, or None when the server answers 404."""
    try:
        found: str = account.client.voice.v2.configurations(type_name).default.fetch().id
    except TwilioRestException as exc:
        if (exc.status, exc.code) != (404, 20404):
            raise
        return None
    return found


def parse_date(text: str) -> datetime:
    assert DATE_RE.fullmatch(text), text
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC)


# --- refusals leave no trace --------------------------------------------------------------------------

PROBE_NAME = "probe"


def refused_create(
    account: TestAccount, type_name: str, body: dict[str, Any], status: int, code: int, message_start: str
) -> None:
    """A create is refused, and no configuration appears under its unique_name."""
    body = {"unique_name": PROBE_NAME, **body}
    assert_error(post_configuration(account, type_name, body), status, code, message_start)
    if isinstance(body["unique_name"], str) and body["unique_name"]:
        assert_absent(account, type_name, body["unique_name"])


def refused_update(
    account: TestAccount, type_name: str, body: dict[str, Any], status: int, code: int, message_start: str
) -> None:
    """A PUT to an existing configuration is refused, and the configuration reads back unchanged."""
    existing = create(account, type_name, unique_name="existing", description="kept")
    before = fetch(account, type_name, existing["id"])
    response = account.http.put(f"{collection(type_name)}/{existing['id']}", json=body)
    assert_error(response, status, code, message_start)
    assert fetch(account, type_name, existing["id"]) == before


def refused(
    operation: str,
    account: TestAccount,
    type_name: str,
    body: dict[str, Any],
    message_start: str,
    status: int = 400,
    code: int = 20001,
) -> None:
    check = refused_create if operation == "create" else refused_update
    check(account, type_name, body, status, code, message_start)


OPERATIONS = pytest.mark.parametrize("operation", ["create", "update"])
BOTH_TYPES = pytest.mark.parametrize("type_name", TYPES)


# === create and read ==================================================================================


@BOTH_TYPES
def test_create_answers_201_with_a_fresh_typeid_and_the_body(account: TestAccount, type_name: str) -> None:
    configuration = configuration_for(type_name)
    before_ms, before = time.time_ns() // 1_000_000, datetime.now(UTC).replace(microsecond=0)
    created = create(account, type_name, configuration, unique_name="main-line", description="Main line")
    after_ms, after = time.time_ns() // 1_000_000, datetime.now(UTC)

    assert set(created) == RESPONSE_KEYS
    prefix = ID_PREFIXES[type_name]
    assert re.fullmatch(f"{prefix}_{ID_SUFFIX}", created["id"]), created["id"]
    decoded = typeid_uuid(created["id"], prefix)
    assert decoded is not None
    assert decoded.version == 7
    assert before_ms - CLOCK_SLACK_MS <= decoded.int >> 80 <= after_ms + CLOCK_SLACK_MS
    assert created["account_sid"] == account.sid
    assert (created["unique_name"], created["description"]) == ("main-line", "Main line")
    assert set_fields(created["configuration"]) == set_fields(configuration)
    assert created["date_created"] == created["date_updated"]
    assert before <= parse_date(created["date_created"]) <= after

    # The SDK reads it back by id and by unique_name, parsing the dates into datetimes.
    expected = {**created, "date_created": parse_date(created["date_created"])}
    expected["date_updated"] = expected["date_created"]
    assert fetch(account, type_name, created["id"]) == expected
    assert fetch(account, type_name, "main-line") == expected


@BOTH_TYPES
def test_each_create_gets_its_own_id(account: TestAccount, type_name: str) -> None:
    first, second = create(account, type_name), create(account, type_name)
    assert first["id"] != second["id"]
    assert fetch(account, type_name, first["id"])["id"] == first["id"]
    assert fetch(account, type_name, second["id"])["id"] == second["id"]


NULL_BODIES = {
    RECORDING: (
        {
            "configurationType": RECORDING,
            "compositionPolicy": {"channels": "dual", "trim": None, "track": None},
            "callRecordingStatusCallback": {"url": CALLBACK_URL, "method": None, "events": None},
            "conferenceRecordingStatusCallback": None,
            "features": None,
        },
        {
            "configurationType": RECORDING,
            "compositionPolicy": {"channels": "dual"},
            "callRecordingStatusCallback": {"url": CALLBACK_URL},
        },
    ),
    TRANSCRIPTION: (
        transcription_configuration(
            speechModel=None,
            conversationConfigurationId=None,
            transcriptionStatusCallback={"url": TRANSCRIPT_URL, "method": None},
        ),
        transcription_configuration(speechModel=MISSING, transcriptionStatusCallback={"url": TRANSCRIPT_URL}),
    ),
}


@BOTH_TYPES
def test_null_fields_are_absent_and_dropped_from_the_echo(account: TestAccount, type_name: str) -> None:
    sent, stored = NULL_BODIES[type_name]
    body = {"unique_name": None, "description": None, "configuration": sent}
    response = post_configuration(account, type_name, body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert set_fields(created["configuration"]) == set_fields(stored)
    assert (created["unique_name"], created["description"]) == (None, None)
    assert set_fields(fetch(account, type_name, created["id"])["configuration"]) == set_fields(stored)


def test_no_defaults_are_filled_into_a_minimal_recording_configuration(account: TestAccount) -> None:
    created = create(account, RECORDING, {"configurationType": RECORDING})
    assert set_fields(created["configuration"]) == set_fields({"configurationType": RECORDING})
    assert set_fields(fetch(account, RECORDING, created["id"])["configuration"]) == set_fields(
        {"configurationType": RECORDING}
    )


ALL_EVENTS = ["in-progress", "completed", "absent", "failed"]
RECORDING_ACCEPTED = cases(
    {
        "mono": ({"compositionPolicy": {"channels": "mono", "trim": "trim-silence", "track": "inbound"}},),
        "outbound-only": ({"compositionPolicy": {"track": "outbound"}},),
        "empty-policy": ({"compositionPolicy": {}},),
        "get-all-events": (
            {CALL_CALLBACK: {"url": "http://example.com/cb?x=1", "method": "GET", "events": ALL_EVENTS}},
        ),
        "events-only": ({CALL_CALLBACK: {"events": ["failed"]}},),
        "conference-callback": (
            {
                "conferenceRecordingStatusCallback": {
                    "url": CALLBACK_URL,
                    "method": "POST",
                    "events": ["absent"],
                }
            },
        ),
        "no-features": ({"features": []},),
    }
)


@pytest.mark.parametrize("overrides", RECORDING_ACCEPTED)
def test_valid_recording_configurations_echo_back(account: TestAccount, overrides: dict[str, Any]) -> None:
    configuration = recording_configuration(**overrides)
    created = create(account, RECORDING, configuration)
    assert set_fields(created["configuration"]) == set_fields(configuration)
    assert set_fields(fetch(account, RECORDING, created["id"])["configuration"]) == set_fields(configuration)


TRANSCRIPTION_ACCEPTED = cases(
    {
        "google-chirp_2": ({"transcriptionEngine": "google", "speechModel": "chirp_2"},),
        "google-no-model": ({"transcriptionEngine": "google", "speechModel": MISSING},),
        "deepgram-nova-2": ({"speechModel": "nova-2"},),
        "deepgram-multi": ({"speechModel": MISSING, "language": "multi"},),
        "managed-model": ({"transcriptionEngine": "twilio_managed", "speechModel": "twilio_managed"},),
        "managed-no-model": ({"transcriptionEngine": "twilio_managed", "speechModel": MISSING},),
        "conversation-only": (
            {"transcriptionStatusCallback": MISSING, "conversationConfigurationId": "conv_1"},
        ),
        "callback-and-conversation": ({"conversationConfigurationId": "conv_configuration_1"},),
        "callback-without-method": ({"transcriptionStatusCallback": {"url": TRANSCRIPT_URL}},),
        "language-with-script": ({"language": "zh-Hant-TW"},),
        "language-only": ({"language": "fr"},),
        "channels-reversed": ({"participantDefaults": participants("AI_AGENT", "CUSTOMER")[::-1]},),
    }
)


@pytest.mark.parametrize("overrides", TRANSCRIPTION_ACCEPTED)
def test_valid_transcription_configurations_echo_back(
    account: TestAccount, overrides: dict[str, Any]
) -> None:
    configuration = transcription_configuration(**overrides)
    created = create(account, TRANSCRIPTION, configuration)
    assert set_fields(created["configuration"]) == set_fields(configuration)
    assert set_fields(fetch(account, TRANSCRIPTION, created["id"])["configuration"]) == set_fields(
        configuration
    )


@BOTH_TYPES
def test_fetch_finds_only_configurations_of_the_path_type(account: TestAccount, type_name: str) -> None:
    created = create(account, type_name, unique_name="typed")
    assert_absent(account, other_type(type_name), created["id"])
    assert_absent(account, other_type(type_name), "typed")
    response = account.http.get(f"{collection(other_type(type_name))}/{created['id']}")
    assert_error(response, 404, 20404)


@BOTH_TYPES
@pytest.mark.parametrize(
    "key",
    [
        "no-such-name",
        "voice_recordingconfiguration_01k1etx3jbfx88476ccja0889c",
        "voice_transcriptionconfiguration_01k1etx3jbfx88476ccja0889c",
    ],
)
def test_fetch_of_an_unknown_key_is_404(account: TestAccount, type_name: str, key: str) -> None:
    assert_absent(account, type_name, key)


# === the SDK ===========================================================================================


@BOTH_TYPES
def test_sdk_create_reaches_the_server_before_its_attribute_error(
    account: TestAccount, type_name: str
) -> None:
    """README.md, the SDK quirks: the request is well formed; only the SDK's reading of the answer fails."""
    v2 = account.client.voice.v2
    resource = v2.recording if type_name == RECORDING else v2.transcription
    configuration, stored = NULL_BODIES[type_name]
    with pytest.raises(AttributeError):
        resource.create(sdk_request(type_name, {"unique_name": "via-sdk", "configuration": configuration}))
    found = fetch(account, type_name, "via-sdk")
    assert set_fields(found["configuration"]) == set_fields(stored)
    assert found["description"] is None
    assert found["id"].startswith(ID_PREFIXES[type_name] + "_")


@BOTH_TYPES
def test_generic_sdk_resources_create_fetch_update_delete(account: TestAccount, type_name: str) -> None:
    """``configurations(Type).create`` and ``type(Type, key)`` work through the SDK as they are."""
    v2 = account.client.voice.v2
    request = ConfigurationList.VoiceV2ConfigurationRequest(
        {"unique_name": "generic", "description": None, "configuration": configuration_for(type_name)}
    )
    created = v2.configurations(type_name).create(request)
    assert created.id.startswith(ID_PREFIXES[type_name] + "_")
    assert as_dict(v2.type(type_name, "generic").fetch()) == as_dict(created)

    replacement = smaller_configuration(type_name)[1]
    updated = v2.type(type_name, created.id).update(
        TypeList.VoiceV2ConfigurationRequest(
            {"unique_name": None, "description": "d", "configuration": replacement}
        )
    )
    assert (updated.id, updated.unique_name, updated.description) == (created.id, "generic", "d")
    assert set_fields(fetch(account, type_name, created.id)["configuration"]) == set_fields(replacement)

    assert v2.type(type_name, "generic").delete() is True
    assert_absent(account, type_name, created.id)


# === update ============================================================================================


def smaller_configuration(type_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A replacement body as the SDK sends it (nulls included) and as it is stored."""
    if type_name == RECORDING:
        return (
            {"configurationType": RECORDING, "compositionPolicy": {"channels": "mono"}},
            {"configurationType": RECORDING, "compositionPolicy": {"channels": "mono"}},
        )
    body = transcription_configuration(transcriptionEngine="google", speechModel=None, language="es-MX")
    return body, transcription_configuration(
        transcriptionEngine="google", speechModel=MISSING, language="es-MX"
    )


@BOTH_TYPES
@pytest.mark.parametrize("key_kind", ["id", "unique_name"])
def test_update_replaces_the_configuration_whole_and_keeps_names_left_out(
    account: TestAccount, type_name: str, key_kind: str
) -> None:
    created = create(account, type_name, unique_name="before", description="first")
    before = fetch(account, type_name, created["id"])
    sent, stored = smaller_configuration(type_name)
    key = created["id"] if key_kind == "id" else "before"

    updated = update(account, type_name, key, {"configuration": sent})

    assert updated["id"] == created["id"]
    assert (updated["unique_name"], updated["description"]) == ("before", "first")
    assert set_fields(updated["configuration"]) == set_fields(stored)
    assert updated["date_created"] == before["date_created"]
    assert updated["date_updated"] >= before["date_updated"]
    assert fetch(account, type_name, created["id"]) == updated


@BOTH_TYPES
def test_update_renames_and_frees_the_old_unique_name(account: TestAccount, type_name: str) -> None:
    created = create(account, type_name, unique_name="old-name", description="first")
    updated = update(
        account,
        type_name,
        "old-name",
        {"unique_name": "new-name", "description": "second", "configuration": configuration_for(type_name)},
    )
    assert (updated["id"], updated["unique_name"], updated["description"]) == (
        created["id"],
        "new-name",
        "second",
    )
    assert fetch(account, type_name, "new-name") == updated
    assert_absent(account, type_name, "old-name")
    assert create(account, type_name, unique_name="old-name")["id"] != created["id"]


@BOTH_TYPES
def test_update_may_repeat_its_own_unique_name(account: TestAccount, type_name: str) -> None:
    created = create(account, type_name, unique_name="same")
    updated = update(
        account, type_name, "same", {"unique_name": "same", "configuration": configuration_for(type_name)}
    )
    assert (updated["id"], updated["unique_name"]) == (created["id"], "same")


@BOTH_TYPES
def test_update_of_an_unknown_configuration_is_404_and_creates_nothing(
    account: TestAccount, type_name: str
) -> None:
    payload = {"unique_name": "ghost", "configuration": configuration_for(type_name)}
    sdk_error(lambda: update(account, type_name, "ghost", payload), 404, 20404)
    assert_absent(account, type_name, "ghost")


# === delete ============================================================================================


@BOTH_TYPES
@pytest.mark.parametrize("key_kind", ["id", "unique_name"])
def test_delete_removes_and_frees_the_unique_name(
    account: TestAccount, type_name: str, key_kind: str
) -> None:
    created = create(account, type_name, unique_name="doomed")
    kept = create(account, type_name, unique_name="kept")
    key = created["id"] if key_kind == "id" else "doomed"

    delete(account, type_name, key)

    assert_absent(account, type_name, created["id"])
    assert_absent(account, type_name, "doomed")
    sdk_error(lambda: sdk_configuration(account.client, type_name, key).delete(), 404, 20404)
    assert fetch(account, type_name, "kept")["id"] == kept["id"]
    assert create(account, type_name, unique_name="doomed")["id"] != created["id"]


@pytest.mark.parametrize("release", ["update-recording", "delete-recording"])
@pytest.mark.parametrize("key_kind", ["id", "unique_name"])
def test_a_transcription_used_as_a_feature_cannot_be_deleted(
    account: TestAccount, release: str, key_kind: str
) -> None:
    transcription_id = create_transcription(account, unique_name="in-use")
    recording = create(account, RECORDING, recording_configuration(features=[feature(transcription_id)]))
    before = fetch(account, TRANSCRIPTION, transcription_id)
    key = transcription_id if key_kind == "id" else "in-use"

    sdk_error(lambda: sdk_configuration(account.client, TRANSCRIPTION, key).delete(), 409, 20409)
    response = account.http.delete(f"{collection(TRANSCRIPTION)}/{key}")
    assert transcription_id in assert_error(response, 409, 20409)
    assert fetch(account, TRANSCRIPTION, transcription_id) == before

    if release == "update-recording":
        update(account, RECORDING, recording["id"], {"configuration": {"configurationType": RECORDING}})
    else:
        delete(account, RECORDING, recording["id"])
    delete(account, TRANSCRIPTION, key)
    assert_absent(account, TRANSCRIPTION, transcription_id)


def test_a_recording_with_features_can_be_deleted(account: TestAccount) -> None:
    transcription_id = create_transcription(account)
    recording = create(account, RECORDING, recording_configuration(features=[feature(transcription_id)]))
    delete(account, RECORDING, recording["id"])
    assert_absent(account, RECORDING, recording["id"])
    assert fetch(account, TRANSCRIPTION, transcription_id)["id"] == transcription_id


# === features ==========================================================================================


def test_up_to_three_features_naming_transcription_ids_are_kept_in_order(account: TestAccount) -> None:
    ids = [create_transcription(account) for _ in range(3)]
    features = [feature(ids[2], description="summary"), feature(ids[0]), feature(ids[1], description=None)]
    created = create(account, RECORDING, recording_configuration(features=features))
    expected = [feature(ids[2], description="summary"), feature(ids[0]), feature(ids[1])]
    assert set_fields(created["configuration"]["features"]) == set_fields(expected)
    assert set_fields(fetch(account, RECORDING, created["id"])["configuration"]["features"]) == set_fields(
        expected
    )


@pytest.fixture
def feature_ids(account: TestAccount, other_account: TestAccount) -> dict[str, str]:
    """Values for ``featureId`` placeholders: the account's own transcriptions and things that are not."""
    return {
        "$own": create_transcription(account, unique_name="own-transcription"),
        "$own2": create_transcription(account),
        "$own_name": "own-transcription",
        "$recording": create(account, RECORDING)["id"],
        "$foreign": create_transcription(other_account),
        "$unknown": "voice_transcriptionconfiguration_01k1etx3jbfx88476ccja0889c",
    }


FEATURES_REFUSED = cases(
    {
        "unknown-id": (["$unknown"], at("features[0].featureId") + "no Transcription configuration"),
        "second-unknown": (["$own", "$unknown"], at("features[1].featureId")),
        "unique-name-not-id": (["$own_name"], at("features[0].featureId")),
        "recording-id": (["$recording"], at("features[0].featureId")),
        "other-account": (["$foreign"], at("features[0].featureId")),
        "duplicate": (["$own", "$own2", "$own"], at("features") + "a featureId appears twice"),
        "four": (["$own", "$own2", "$own", "$own2"], at("features")),
    }
)


@OPERATIONS
@pytest.mark.parametrize(("placeholders", "message_start"), FEATURES_REFUSED)
def test_features_must_name_distinct_transcription_ids_of_the_account(
    account: TestAccount,
    feature_ids: dict[str, str],
    operation: str,
    placeholders: list[str],
    message_start: str,
) -> None:
    features = [feature(feature_ids[name]) for name in placeholders]
    body = {"configuration": recording_configuration(features=features)}
    refused(operation, account, RECORDING, body, message_start)


# === validation ========================================================================================

RECORDING_REFUSED = cases(
    {
        "type-missing": ({"configurationType": MISSING}, at("configurationType") + "is required"),
        "type-null": ({"configurationType": None}, at("configurationType")),
        "type-other": ({"configurationType": TRANSCRIPTION}, at("configurationType") + "must be 'Recording'"),
        "type-lowercase": ({"configurationType": "recording"}, at("configurationType")),
        "policy-string": ({"compositionPolicy": "dual"}, at("compositionPolicy")),
        "channels": ({"compositionPolicy": {"channels": "stereo"}}, at("compositionPolicy.channels")),
        "trim": ({"compositionPolicy": {"trim": "trim"}}, at("compositionPolicy.trim")),
        "track": ({"compositionPolicy": {"track": "all"}}, at("compositionPolicy.track")),
        "policy-typo": (
            {"compositionPolicy": {"chanels": "dual"}},
            at("compositionPolicy.chanels") + UNKNOWN,
        ),
        "url-text": ({CALL_CALLBACK: {"url": "not a url"}}, at(CALL_CALLBACK + ".url")),
        "url-ftp": (
            {CALL_CALLBACK: {"url": "ftp://example.com/cb"}},
            at(CALL_CALLBACK + ".url"),
        ),
        "url-relative": (
            {CALL_CALLBACK: {"url": "/relative/cb"}},
            at(CALL_CALLBACK + ".url"),
        ),
        "url-no-host": ({CALL_CALLBACK: {"url": "https://"}}, at(CALL_CALLBACK + ".url")),
        "method": ({CALL_CALLBACK: {"method": "PUT"}}, at(CALL_CALLBACK + ".method")),
        "events-empty": ({CALL_CALLBACK: {"events": []}}, at(CALL_CALLBACK + ".events")),
        "events-repeated": (
            {CALL_CALLBACK: {"events": ["completed", "completed"]}},
            at(CALL_CALLBACK + ".events"),
        ),
        "events-unknown": (
            {CALL_CALLBACK: {"events": ["completed", "done"]}},
            at(CALL_CALLBACK + ".events[1]"),
        ),
        "events-string": (
            {CALL_CALLBACK: {"events": "completed"}},
            at(CALL_CALLBACK + ".events"),
        ),
        "callback-unknown-field": (
            {CALL_CALLBACK: {"url": CALLBACK_URL, "timeout": 5}},
            at(CALL_CALLBACK + ".timeout") + UNKNOWN,
        ),
        "conference-url": (
            {"conferenceRecordingStatusCallback": {"url": "mailto:ops@example.com"}},
            at("conferenceRecordingStatusCallback.url"),
        ),
        "conference-events": (
            {"conferenceRecordingStatusCallback": {"events": ["in-progress", "stopped"]}},
            at("conferenceRecordingStatusCallback.events[1]"),
        ),
        "features-string": ({"features": "transcription"}, at("features")),
        "feature-id-missing": (
            {"features": [{"type": "transcriptionConfiguration"}]},
            at("features[0].featureId") + "is required",
        ),
        "feature-id-empty": ({"features": [feature("")]}, at("features[0].featureId")),
        "feature-type-missing": ({"features": [{"featureId": "x"}]}, at("features[0].type") + "is required"),
        "feature-type-other": (
            {"features": [{"type": "recordingConfiguration", "featureId": "x"}]},
            at("features[0].type"),
        ),
        "feature-unknown-field": ({"features": [feature("x", label="y")]}, at("features[0].label") + UNKNOWN),
        "unknown-field": ({"languge": "en-US"}, at("languge") + UNKNOWN),
    }
)


@OPERATIONS
@pytest.mark.parametrize(("overrides", "message_start"), RECORDING_REFUSED)
def test_invalid_recording_configurations_are_refused(
    account: TestAccount, operation: str, overrides: dict[str, Any], message_start: str
) -> None:
    body = {"configuration": recording_configuration(**overrides)}
    refused(operation, account, RECORDING, body, message_start)


SUITS = at("") + "speechModel"
BOTH_CHANNELS = at("") + "participantDefaults must have exactly 2 entries, for audioChannelIndex 1 and 2"
CALLBACK_OR_CONVERSATION = at("") + "give transcriptionStatusCallback.url or conversationConfigurationId"
MULTI = at("") + "language 'multi' is only available with transcriptionEngine 'deepgram'"
ONE, TWO = participants()
STATUS_CALLBACK = "transcriptionStatusCallback"

TRANSCRIPTION_REFUSED = cases(
    {
        "type-missing": ({"configurationType": MISSING}, at("configurationType") + "is required"),
        "type-other": ({"configurationType": RECORDING}, at("configurationType") + "must be 'Transcription'"),
        "engine-missing": ({"transcriptionEngine": MISSING}, at("transcriptionEngine") + "is required"),
        "engine-null": ({"transcriptionEngine": None}, at("transcriptionEngine")),
        "engine": ({"transcriptionEngine": "aws"}, at("transcriptionEngine")),
        "deepgram-chirp_2": ({"speechModel": "chirp_2"}, SUITS),
        "deepgram-twilio_managed": ({"speechModel": "twilio_managed"}, SUITS),
        "deepgram-nova-4": ({"speechModel": "nova-4"}, SUITS),
        "google-nova-3": ({"transcriptionEngine": "google"}, SUITS),
        "managed-nova-2": ({"transcriptionEngine": "twilio_managed", "speechModel": "nova-2"}, SUITS),
        "language-missing": ({"language": MISSING}, at("language") + "is required"),
        "language-word": ({"language": "english"}, at("") + "language 'english'"),
        "language-underscore": ({"language": "en_US"}, at("") + "language 'en_US'"),
        "language-empty": ({"language": ""}, at("") + "language ''"),
        "multi-google": (
            {"transcriptionEngine": "google", "speechModel": MISSING, "language": "multi"},
            MULTI,
        ),
        "multi-managed": (
            {"transcriptionEngine": "twilio_managed", "speechModel": None, "language": "multi"},
            MULTI,
        ),
        "participants-missing": ({"participantDefaults": MISSING}, at("participantDefaults") + "is required"),
        "participants-none": ({"participantDefaults": []}, BOTH_CHANNELS),
        "participants-one": ({"participantDefaults": [ONE]}, BOTH_CHANNELS),
        "participants-three": (
            {"participantDefaults": [ONE, TWO, {**TWO, "type": "AI_AGENT"}]},
            BOTH_CHANNELS,
        ),
        "participants-channel-1-twice": ({"participantDefaults": [ONE, ONE]}, BOTH_CHANNELS),
        "channel-3": (
            {"participantDefaults": [{**ONE, "audioChannelIndex": 3}, TWO]},
            at("participantDefaults[0].audioChannelIndex"),
        ),
        "participant-type": (
            {"participantDefaults": [ONE, {**TWO, "type": "BOT"}]},
            at("participantDefaults[1].type"),
        ),
        "channel-missing": (
            {"participantDefaults": [{"type": "CUSTOMER"}, TWO]},
            at("participantDefaults[0].audioChannelIndex") + "is required",
        ),
        "participant-unknown-field": (
            {"participantDefaults": [{**ONE, "name": "Ann"}, TWO]},
            at("participantDefaults[0].name") + UNKNOWN,
        ),
        "no-callback": ({STATUS_CALLBACK: MISSING}, CALLBACK_OR_CONVERSATION),
        "callback-without-url": (
            {STATUS_CALLBACK: {"url": None, "method": "POST"}},
            CALLBACK_OR_CONVERSATION,
        ),
        "callback-get": (
            {STATUS_CALLBACK: {"url": TRANSCRIPT_URL, "method": "GET"}},
            at(STATUS_CALLBACK + ".method"),
        ),
        "callback-relative": (
            {STATUS_CALLBACK: {"url": "example.com/transcripts"}},
            at(STATUS_CALLBACK + ".url"),
        ),
        "callback-unknown-field": (
            {STATUS_CALLBACK: {"url": TRANSCRIPT_URL, "events": ["completed"]}},
            at(STATUS_CALLBACK + ".events") + UNKNOWN,
        ),
        "conversation-empty": (
            {STATUS_CALLBACK: MISSING, "conversationConfigurationId": ""},
            at("conversationConfigurationId"),
        ),
        "recording-field": ({"features": []}, at("features") + UNKNOWN),
    }
)


@OPERATIONS
@pytest.mark.parametrize(("overrides", "message_start"), TRANSCRIPTION_REFUSED)
def test_invalid_transcription_configurations_are_refused(
    account: TestAccount, operation: str, overrides: dict[str, Any], message_start: str
) -> None:
    body = {"configuration": transcription_configuration(**overrides)}
    refused(operation, account, TRANSCRIPTION, body, message_start)


ENVELOPE_REFUSED = cases(
    {
        "configuration-missing": ({"configuration": MISSING}, at("") + "is required"),
        "configuration-null": ({"configuration": None}, at("") + "is required"),
        "configuration-list": ({"configuration": [1]}, at("")),
        "unknown-field": ({"friendly_name": "x"}, "Invalid 'friendly_name': " + UNKNOWN),
        "description-number": ({"description": 5}, "Invalid 'description': "),
        "description-1025-chars": ({"description": "d" * 1025}, "Invalid 'description': "),
        "unique-name-number": ({"unique_name": 5}, "Invalid 'unique_name': "),
    }
)


@BOTH_TYPES
@OPERATIONS
@pytest.mark.parametrize(("overrides", "message_start"), ENVELOPE_REFUSED)
def test_invalid_envelopes_are_refused(
    account: TestAccount, type_name: str, operation: str, overrides: dict[str, Any], message_start: str
) -> None:
    body = with_overrides({"configuration": configuration_for(type_name)}, overrides)
    refused(operation, account, type_name, body, message_start)


RESERVED_IDS = {
    RECORDING: "voice_recordingconfiguration_01k1etx3jbfx88476ccja0889c",
    TRANSCRIPTION: "voice_transcriptionconfiguration_7n7hnd7sf68yfv5re42nvvz7aa",
}
LENGTH = "Invalid 'unique_name': must be 1 to 255 characters"
SPACES = "Invalid 'unique_name': must not contain spaces"
DELIMITERS = "Invalid 'unique_name': must not contain '/', '?' or '#'"
ID_OF_THIS_TYPE = "<an id of the path's type>"


@BOTH_TYPES
@OPERATIONS
@pytest.mark.parametrize(
    ("unique_name", "message_start"),
    [
        pytest.param("", LENGTH, id="empty"),
        pytest.param("n" * 256, LENGTH, id="256-chars"),
        pytest.param("two words", SPACES, id="space"),
        pytest.param(" leading", SPACES, id="leading-space"),
        pytest.param("tab\tname", SPACES, id="tab"),
        pytest.param("line\nbreak", SPACES, id="newline"),
        pytest.param("no\u00a0break", SPACES, id="nbsp"),
        pytest.param("Default", "Invalid 'unique_name': 'Default' is reserved", id="Default"),
        pytest.param("a/b", DELIMITERS, id="slash"),
        pytest.param("a?b", DELIMITERS, id="question-mark"),
        pytest.param("a#b", DELIMITERS, id="hash"),
        pytest.param(ID_OF_THIS_TYPE, "", id="id-shaped"),
    ],
)
def test_invalid_unique_names_are_refused(
    account: TestAccount, type_name: str, operation: str, unique_name: str, message_start: str
) -> None:
    if unique_name == ID_OF_THIS_TYPE:
        unique_name = RESERVED_IDS[type_name]
        message_start = f"Invalid 'unique_name': {unique_name!r} is reserved"
    body = {"unique_name": unique_name, "configuration": configuration_for(type_name)}
    refused(operation, account, type_name, body, message_start)
    # A refused "Default" must not have become the Default either.
    assert default_id(account, type_name) is None


@BOTH_TYPES
@pytest.mark.parametrize(
    "unique_name",
    ["x", "n" * 255, "default", "Default2", "café-ü", "a.b_c-d:e"],
)
def test_valid_unique_names_are_accepted_and_resolve(
    account: TestAccount, type_name: str, unique_name: str
) -> None:
    created = create(account, type_name, unique_name=unique_name)
    assert created["unique_name"] == unique_name
    assert fetch(account, type_name, unique_name)["id"] == created["id"]


@BOTH_TYPES
def test_a_description_of_1024_characters_is_kept(account: TestAccount, type_name: str) -> None:
    created = create(account, type_name, description="d" * 1024)
    assert fetch(account, type_name, created["id"])["description"] == "d" * 1024
    updated = update(
        account,
        type_name,
        created["id"],
        {"description": "e" * 1024, "configuration": created["configuration"]},
    )
    assert updated["description"] == fetch(account, type_name, created["id"])["description"] == "e" * 1024


@BOTH_TYPES
def test_a_unique_name_shaped_like_an_id_of_the_other_type_is_allowed(
    account: TestAccount, type_name: str
) -> None:
    name = RESERVED_IDS[other_type(type_name)]
    created = create(account, type_name, unique_name=name)
    assert fetch(account, type_name, name)["id"] == created["id"]


@BOTH_TYPES
def test_unique_name_is_unique_per_account_and_type(
    account: TestAccount, other_account: TestAccount, type_name: str
) -> None:
    original = create(account, type_name, unique_name="shared", description="original")
    before = fetch(account, type_name, "shared")

    response = post_configuration(
        account,
        type_name,
        {"unique_name": "shared", "description": "copy", "configuration": configuration_for(type_name)},
    )
    assert "shared" in assert_error(response, 409, 20409)
    assert fetch(account, type_name, "shared") == before

    other_kind = create(account, other_type(type_name), unique_name="shared")
    elsewhere = create(other_account, type_name, unique_name="shared")
    assert fetch(account, type_name, "shared")["id"] == original["id"]
    assert fetch(account, other_type(type_name), "shared")["id"] == other_kind["id"]
    assert fetch(other_account, type_name, "shared")["id"] == elsewhere["id"]


@BOTH_TYPES
def test_renaming_to_a_taken_unique_name_is_409_and_changes_nothing(
    account: TestAccount, type_name: str
) -> None:
    taken = create(account, type_name, unique_name="taken")
    mover = create(account, type_name, unique_name="mover", description="mine")
    before = fetch(account, type_name, mover["id"])
    payload = {
        "unique_name": "taken",
        "description": "changed",
        "configuration": configuration_for(type_name),
    }

    sdk_error(lambda: update(account, type_name, "mover", payload), 409, 20409)

    assert fetch(account, type_name, mover["id"]) == before
    assert fetch(account, type_name, "taken")["id"] == taken["id"]


# === malformed, oversized, unauthenticated, unknown type ==============================================

MALFORMED = [
    pytest.param(b"", id="empty"),
    pytest.param(b"{", id="truncated"),
    pytest.param(b'{"configuration": }', id="syntax"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'"text"', id="string"),
    pytest.param(b"null", id="null"),
    pytest.param(b"42", id="number"),
]


@pytest.fixture
def existing(account: TestAccount) -> Iterator[dict[str, Any]]:
    """A Recording configuration that is also the Recording Default, to check refusals change neither."""
    created = create(account, RECORDING, unique_name="existing", description="kept")
    set_default(account, RECORDING, created["id"])
    before = fetch(account, RECORDING, created["id"])
    yield created
    assert fetch(account, RECORDING, created["id"]) == before
    assert default_id(account, RECORDING) == created["id"]


def request_paths(existing_id: str) -> list[tuple[str, str]]:
    return [
        ("POST", collection(RECORDING)),
        ("PUT", f"{collection(RECORDING)}/{existing_id}"),
        ("POST", f"{collection(RECORDING)}/Default"),
    ]


@pytest.mark.parametrize("content", MALFORMED)
def test_malformed_json_bodies_are_refused(
    account: TestAccount, existing: dict[str, Any], content: bytes
) -> None:
    for method, path in request_paths(existing["id"]):
        response = account.http.request(
            method, path, content=content, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, 20001)


def sized_body(size: int) -> bytes:
    """A valid create body of exactly ``size`` bytes: JSON padded with trailing whitespace."""
    encoded = json.dumps({"unique_name": "sized", "configuration": recording_configuration()}).encode()
    return encoded + b" " * (size - len(encoded))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_64_kib_is_accepted_and_one_byte_more_is_413(
    account: TestAccount, existing: dict[str, Any], chunked: bool
) -> None:
    def send(method: str, path: str, content: bytes) -> httpx.Response:
        payload: bytes | Iterator[bytes] = iter([content]) if chunked else content
        return account.http.request(
            method, path, content=payload, headers={"Content-Type": "application/json"}
        )

    for method, path in request_paths(existing["id"]):
        assert_error(send(method, path, sized_body(MAX_BODY_BYTES + 1)), 413, 20413)
    assert_absent(account, RECORDING, "sized")

    response = send("POST", collection(RECORDING), sized_body(MAX_BODY_BYTES))
    assert response.status_code == 201, response.text
    assert set_fields(fetch(account, RECORDING, "sized")["configuration"]) == set_fields(
        recording_configuration()
    )


AUTH_CASES = [
    pytest.param("none", id="no-credentials"),
    pytest.param("wrong-token", id="wrong-token"),
    pytest.param("unknown-sid", id="unknown-account"),
    pytest.param("other-account-token", id="other-accounts-token"),
]


def bad_credentials(case: str, account: TestAccount, other_account: TestAccount) -> tuple[str, str] | None:
    """The Basic credentials of one of ``AUTH_CASES`` (None: no Authorization header at all)."""
    return {
        "none": None,
        "wrong-token": (account.sid, "0" * 32),
        "unknown-sid": ("AC" + "0" * 32, account.auth_token),
        "other-account-token": (account.sid, other_account.auth_token),
    }[case]


@pytest.mark.parametrize("credentials", AUTH_CASES)
def test_requests_without_valid_credentials_are_401(
    account: TestAccount, other_account: TestAccount, existing: dict[str, Any], credentials: str
) -> None:
    auth = bad_credentials(credentials, account, other_account)
    item = f"{collection(RECORDING)}/{existing['id']}"
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        (
            "POST",
            collection(RECORDING),
            {"unique_name": PROBE_NAME, "configuration": recording_configuration()},
        ),
        ("GET", item, None),
        ("PUT", item, {"description": "changed", "configuration": {"configurationType": RECORDING}}),
        ("DELETE", item, None),
        ("GET", f"{collection(RECORDING)}/Default", None),
        ("POST", f"{collection(RECORDING)}/Default", {"configuration_id": existing["id"]}),
    ]
    for method, path, body in attempts:
        response = account.http.request(method, path, json=body, auth=auth)
        assert_error(response, 401, 20003)
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert_absent(account, RECORDING, PROBE_NAME)


@pytest.mark.parametrize("type_name", ["Foo", "Recordings", "AccountDefault"])
def test_an_unknown_type_is_404(account: TestAccount, existing: dict[str, Any], type_name: str) -> None:
    body = {"unique_name": PROBE_NAME, "configuration": recording_configuration()}
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", collection(type_name), body),
        ("GET", f"{collection(type_name)}/{existing['id']}", None),
        ("PUT", f"{collection(type_name)}/{existing['id']}", body),
        ("DELETE", f"{collection(type_name)}/{existing['id']}", None),
        ("GET", f"{collection(type_name)}/Default", None),
        ("POST", f"{collection(type_name)}/Default", {"configuration_id": existing["id"]}),
    ]
    for method, path, payload in attempts:
        assert_error(account.http.request(method, path, json=payload), 404, 20404)
    assert_absent(account, RECORDING, PROBE_NAME)


# === the Default pointer ===============================================================================


@BOTH_TYPES
def test_there_is_no_default_until_one_is_set(account: TestAccount, type_name: str) -> None:
    create(account, type_name, unique_name="not-default")
    sdk_error(lambda: account.client.voice.v2.configurations(type_name).default.fetch(), 404, 20404)
    assert_error(account.http.get(f"{collection(type_name)}/Default"), 404, 20404)


@BOTH_TYPES
def test_set_default_by_id_or_unique_name(account: TestAccount, type_name: str) -> None:
    first = create(account, type_name, unique_name="first")
    second = create(account, type_name, unique_name="second")

    set_default(account, type_name, first["id"])
    default = account.client.voice.v2.configurations(type_name).default.fetch()
    assert {key: getattr(default, key) for key in RESPONSE_KEYS} == fetch(account, type_name, first["id"])

    set_default(account, type_name, "second")
    assert default_id(account, type_name) == second["id"]

    # The pointer follows the configuration, not its name.
    update(
        account,
        type_name,
        "second",
        {"unique_name": "renamed", "configuration": configuration_for(type_name)},
    )
    assert default_id(account, type_name) == second["id"]
    assert fetch(account, type_name, first["id"])["id"] == first["id"]


def test_each_type_has_its_own_default(account: TestAccount) -> None:
    recording = create(account, RECORDING)
    set_default(account, RECORDING, recording["id"])
    assert default_id(account, TRANSCRIPTION) is None
    transcription = create(account, TRANSCRIPTION)
    set_default(account, TRANSCRIPTION, transcription["id"])
    assert (default_id(account, RECORDING), default_id(account, TRANSCRIPTION)) == (
        recording["id"],
        transcription["id"],
    )


@BOTH_TYPES
def test_deleting_the_default_configuration_clears_the_default(account: TestAccount, type_name: str) -> None:
    chosen = create(account, type_name, unique_name="chosen")
    other = create(account, type_name, unique_name="other")
    set_default(account, type_name, "chosen")

    delete(account, type_name, other["id"])
    assert default_id(account, type_name) == chosen["id"]

    delete(account, type_name, "chosen")
    assert default_id(account, type_name) is None
    create(account, type_name, unique_name="chosen")
    assert default_id(account, type_name) is None


SET_DEFAULT_REFUSED = [
    pytest.param({"configuration_id": "no-such"}, "Invalid 'configuration_id': ", id="unknown-name"),
    pytest.param({"configuration_id": "$unknown-id"}, "Invalid 'configuration_id': ", id="unknown-id"),
    pytest.param({"configuration_id": "$other-type"}, "Invalid 'configuration_id': ", id="other-type"),
    pytest.param({"configuration_id": "$deleted"}, "Invalid 'configuration_id': ", id="deleted"),
    pytest.param({"configuration_id": "Default"}, "Invalid 'configuration_id': ", id="Default"),
    pytest.param({}, "Invalid 'configuration_id': is required", id="missing"),
    pytest.param({"configuration_id": None}, "Invalid 'configuration_id': is required", id="null"),
    pytest.param({"configuration_id": 7}, "Invalid 'configuration_id': ", id="number"),
    pytest.param(
        {"configuration_id": "$current", "type": "x"},
        "Invalid 'type': is not a known field",
        id="unknown-field",
    ),
]


@BOTH_TYPES
@pytest.mark.parametrize(("body", "message_start"), SET_DEFAULT_REFUSED)
def test_invalid_set_default_requests_keep_the_current_default(
    account: TestAccount, type_name: str, body: dict[str, Any], message_start: str
) -> None:
    current = create(account, type_name)
    set_default(account, type_name, current["id"])
    deleted = create(account, type_name)
    delete(account, type_name, deleted["id"])
    placeholders = {
        "$current": current["id"],
        "$unknown-id": RESERVED_IDS[type_name],
        "$other-type": create(account, other_type(type_name))["id"],
        "$deleted": deleted["id"],
    }
    body = {
        key: placeholders.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }

    assert_error(account.http.post(f"{collection(type_name)}/Default", json=body), 400, 20001, message_start)
    assert default_id(account, type_name) == current["id"]


def test_put_and_delete_on_the_default_path_do_not_touch_the_default(account: TestAccount) -> None:
    current = create(account, RECORDING)
    set_default(account, RECORDING, current["id"])
    before = fetch(account, RECORDING, current["id"])
    put = account.http.put(
        f"{collection(RECORDING)}/Default", json={"configuration": {"configurationType": RECORDING}}
    )
    assert_error(put, 404, 20404)
    assert_error(account.http.delete(f"{collection(RECORDING)}/Default"), 404, 20404)
    assert default_id(account, RECORDING) == current["id"]
    assert fetch(account, RECORDING, current["id"]) == before


# === other accounts ====================================================================================


@BOTH_TYPES
@pytest.mark.parametrize("key_kind", ["id", "unique_name"])
def test_another_account_cannot_reach_a_configuration(
    account: TestAccount, other_account: TestAccount, type_name: str, key_kind: str
) -> None:
    mine = create(account, type_name, unique_name="mine", description="private")
    set_default(account, type_name, mine["id"])
    before = fetch(account, type_name, mine["id"])
    key = mine["id"] if key_kind == "id" else "mine"
    theirs = sdk_configuration(other_account.client, type_name, key)
    payload = {"unique_name": "stolen", "description": "x", "configuration": configuration_for(type_name)}

    sdk_error(theirs.fetch, 404, 20404)
    sdk_error(lambda: theirs.update(sdk_request(type_name, payload)), 404, 20404)
    sdk_error(theirs.delete, 404, 20404)
    sdk_error(lambda: set_default(other_account, type_name, key), 400, 20001)
    assert default_id(other_account, type_name) is None
    assert_absent(other_account, type_name, "stolen")

    assert fetch(account, type_name, mine["id"]) == before
    assert default_id(account, type_name) == mine["id"]


@BOTH_TYPES
def test_the_parent_account_cannot_reach_a_subaccount_configuration(
    account: TestAccount, main_client: Client, type_name: str
) -> None:
    """v2 configurations have no account in their path: each account sees only its own."""
    mine = create(account, type_name, unique_name="mine")
    before = fetch(account, type_name, mine["id"])
    theirs = sdk_configuration(main_client, type_name, mine["id"])
    payload = {"configuration": configuration_for(type_name)}

    sdk_error(theirs.fetch, 404, 20404)
    sdk_error(lambda: theirs.update(sdk_request(type_name, payload)), 404, 20404)
    sdk_error(theirs.delete, 404, 20404)
    assert fetch(account, type_name, mine["id"]) == before


def test_another_account_cannot_use_a_transcription_as_a_feature(
    account: TestAccount, other_account: TestAccount
) -> None:
    transcription_id = create_transcription(account)
    body = {"configuration": recording_configuration(features=[feature(transcription_id)])}
    refused_create(
        other_account, RECORDING, body, 400, 20001, "Invalid 'configuration.features[0].featureId': "
    )
    refused_update(
        other_account, RECORDING, body, 400, 20001, "Invalid 'configuration.features[0].featureId': "
    )
    # Nothing now refers to it, so its owner can still delete it.
    delete(account, TRANSCRIPTION, transcription_id)
