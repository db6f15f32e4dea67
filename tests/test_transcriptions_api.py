"""The transcription APIs without listening to what they transcribe: v3 Batch Transcriptions
(twilio.com/docs/configurations/batch-transcription-quickstart), the v2010 legacy Transcriptions
(twilio.com/docs/voice/api/recording-transcription) and phonograph's own jobs
(``/phonograph/v1/Transcriptions``), their validation, errors, idempotency, filters and paging.

What a transcript says is tested elsewhere; here a job may finish or not while a test looks at it,
so no assertion depends on how far the worker got, unless the test waits for the job to end.
Recordings are of a 440 Hz tone (tests/support/recordings.py); ``RecordingChannels=dual`` makes
the two-channel ones Batch Transcription needs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.voice.v3.transcription import TranscriptionList

from phonograph.testing.kit import fresh_number, wait_for_call, wait_for_recording
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.api import (
    RFC2822_RE,
    assert_error,
    assert_invalid,
    assert_not_found,
    ok_json,
    sid_pattern,
)
from tests.support.calls import tone_wav
from tests.support.recordings import (
    completed_recording,
    control,
    live_call,
    start_recording,
    wait_media_s,
)
from tests.support.transcriptions import (
    BATCH_ID_RE,
    JOB_FIELDS,
    JOBS,
    LEGACY_FIELDS,
    PROBLEM_TYPE,
    TRANSCRIPTION_FIELDS,
    V3,
    assert_problem,
    finished_job,
    legacy_path,
    new_configuration,
    post_v3,
    sdk_problem,
    set_media_setting,
    start_job,
)

DUAL = {"RecordingChannels": "dual"}
# Long enough for Batch Transcription (2 s at least, 17554).
RECORDING_MEDIA_S = 3.0
FINISHED = ("COMPLETED", "FAILED")
TONE_JOB_WAIT_S = 60.0
"""The bound this file has always put on waiting for a job of a tone, tighter than TRANSCRIBE_WAIT_S:
a tone holds no speech for the engine to decode, so a job that waits longer means a backed-up queue."""


# --- helpers -----------------------------------------------------------------------------------------


def recording(account: TestAccount, webapp: WebApp, *, dual: bool = True) -> str:
    params = DUAL if dual else {}
    return completed_recording(account, webapp, RECORDING_MEDIA_S, **params)[1]


def fake_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def fake_configuration_id() -> str:
    return "voice_transcriptionconfiguration_" + "0" * 26


def body(configuration_id: str, source_id: str, **extra: Any) -> dict[str, Any]:
    return {"transcriptionConfigurationId": configuration_id, "sourceId": source_id, **extra}


def created(account: TestAccount, payload: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """The 202 body of a v3 create."""
    return ok_json(post_v3(account, payload, key), 202)


def sdk_request(payload: dict[str, Any]) -> TranscriptionList.CreateV3TranscriptionsRequest:
    return TranscriptionList.CreateV3TranscriptionsRequest(payload)


# --- v3 create ---------------------------------------------------------------------------------------


def test_create_answers_202_with_the_operation_and_its_headers(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    key = str(uuid.uuid4())
    request = sdk_request({"transcriptionConfigurationId": configuration_id, "sourceId": recording_sid})
    answer = account.client.voice.v3.transcriptions.create_with_http_info(request, idempotency_key=key)
    assert answer.status_code == 202
    operation = answer.data
    transcription = operation.transcription
    assert isinstance(transcription, dict)
    assert set(transcription) == TRANSCRIPTION_FIELDS
    transcription_id = transcription["id"]
    assert BATCH_ID_RE.fullmatch(transcription_id)
    headers = {name.lower(): value for name, value in answer.headers.items()}
    assert headers["operation-id"] == transcription_id
    assert headers["location"] == operation.status_url == transcription["url"]
    assert transcription["url"].endswith(f"{V3}/{transcription_id}")
    assert headers["retry-after"].isdigit()
    assert headers["idempotency-key"] == key
    assert operation.status == transcription["status"] == "PENDING"
    assert (transcription["errorCode"], transcription["errorMessage"]) == (None, None)

    assert transcription["accountId"] == account.sid
    assert transcription["transcriptionConfigurationId"] == configuration_id
    assert (transcription["sourceId"], transcription["mediaUrl"], transcription["conversationId"]) == (
        recording_sid,
        None,
        None,
    )
    started = account.client.recordings(recording_sid).fetch().start_time
    assert transcription["audioStartedAt"] == started.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [(p["audioChannelIndex"], p["type"]) for p in transcription["participants"]] == [
        (1, "CUSTOMER"),
        (2, "HUMAN_AGENT"),
    ]
    resolved = transcription["resolvedConfiguration"]
    assert (resolved["language"], resolved["transcriptionEngine"]) == ("en-US", "deepgram")
    assert transcription["links"]["transcript"].endswith(f"{JOBS}/{transcription_id}")

    fetched = account.client.voice.v3.transcriptions(transcription_id).fetch()
    assert fetched.operation_id == transcription_id
    assert fetched.status_url == transcription["url"]
    assert fetched.transcription["id"] == transcription_id


def test_participants_given_replace_the_configuration_defaults(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    agent = {"audioChannelIndex": 2, "type": "AI_AGENT", "name": "Bot", "address": "+15550001111"}
    made = created(account, body(configuration_id, recording_sid, participants=[agent]))
    participants = made["transcription"]["participants"]
    by_channel = {participant["audioChannelIndex"]: participant for participant in participants}
    assert by_channel[2] == agent
    assert by_channel[1]["type"] == "CUSTOMER"


def test_an_idempotency_key_replays_the_first_transcription(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    key = "k" * 128  # the longest key allowed
    first = created(account, body(configuration_id, recording_sid), key)
    # The SDK sends null for every key left out: the same request.
    request = sdk_request({"transcriptionConfigurationId": configuration_id, "sourceId": recording_sid})
    again = account.client.voice.v3.transcriptions.create(request, idempotency_key=key)
    assert again.transcription["id"] == first["transcription"]["id"]
    replay = post_v3(account, body(configuration_id, recording_sid, inputSource="SOURCE_ID"), key)
    assert replay.status_code == 202
    assert replay.json()["transcription"]["id"] == first["transcription"]["id"]
    assert replay.headers["Idempotency-Key"] == key
    # Another key is another transcription; the same key with another body is refused.
    other = created(account, body(configuration_id, recording_sid), "other-key")
    assert other["transcription"]["id"] != first["transcription"]["id"]
    changed = body(
        configuration_id, recording_sid, participants=[{"audioChannelIndex": 1, "type": "AI_AGENT"}]
    )
    assert_problem(post_v3(account, changed, key), 422, 20001)
    listed = account.client.voice.v3.transcriptions.list(source_id=recording_sid)
    assert sorted(item.id for item in listed) == sorted(
        [first["transcription"]["id"], other["transcription"]["id"]]
    )


def test_an_idempotency_key_is_one_account_s(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    mine = created(account, body(new_configuration(account), recording(account, webapp)), "shared-key")
    theirs = created(
        other_account,
        body(new_configuration(other_account), recording(other_account, webapp)),
        "shared-key",
    )
    assert mine["transcription"]["id"] != theirs["transcription"]["id"]


def test_an_idempotency_key_longer_than_128_characters_is_a_400(account: TestAccount) -> None:
    payload = body(fake_configuration_id(), fake_sid("RE"))
    assert_problem(post_v3(account, payload, "k" * 129), 400, 20001, mentions="Idempotency-Key")


BAD_BODIES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown key": ({"language": "en-US"}, "language"),
    "unknown input source": ({"inputSource": "RECORDING"}, "inputSource"),
    "input source not a string": ({"inputSource": 1}, "inputSource"),
    "media url input with a source": (
        {"inputSource": "MEDIA_URL", "mediaUrl": "https://example.com/a.wav"},
        "sourceId",
    ),
    "media url with a source": ({"mediaUrl": "https://example.com/a.wav"}, "mediaUrl"),
    "audio start with a source": ({"audioStartedAt": "2026-01-01T00:00:00Z"}, "audioStartedAt"),
    "source not a recording": ({"sourceId": fake_sid("CA")}, "sourceId"),
    "source too long": ({"sourceId": "RE" + "0" * 63}, "sourceId"),
    "source not a string": ({"sourceId": 12}, "sourceId"),
    "three participants": (
        {"participants": [{"audioChannelIndex": 1}, {"audioChannelIndex": 2}, {"audioChannelIndex": 1}]},
        "participants",
    ),
    "participant channel 3": ({"participants": [{"audioChannelIndex": 3}]}, "audioChannelIndex"),
    "participant channel missing": ({"participants": [{"type": "CUSTOMER"}]}, "audioChannelIndex"),
    "participant channel a string": ({"participants": [{"audioChannelIndex": "1"}]}, "audioChannelIndex"),
    "participant type unknown": ({"participants": [{"audioChannelIndex": 1, "type": "ROBOT"}]}, "type"),
    "participant unknown key": ({"participants": [{"audioChannelIndex": 1, "role": "x"}]}, "role"),
    "participant channel twice": (
        {"participants": [{"audioChannelIndex": 1}, {"audioChannelIndex": 1}]},
        "audioChannelIndex",
    ),
    "participants not a list": ({"participants": {"audioChannelIndex": 1}}, "participants"),
    "no configuration": ({"transcriptionConfigurationId": None}, "transcriptionConfigurationId"),
}


@pytest.mark.parametrize("change", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_a_bad_body_is_a_400_naming_the_field(
    account: TestAccount, change: tuple[dict[str, Any], str]
) -> None:
    overrides, mentions = change
    payload = body(fake_configuration_id(), fake_sid("RE")) | overrides
    assert_problem(post_v3(account, payload), 400, 20001, mentions=mentions)


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[]", b'"text"', b'{"transcriptionConfigurationId": '],
    ids=["text", "array", "string", "truncated"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(account: TestAccount, payload: bytes) -> None:
    response = account.http.post(V3, content=payload, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, 20001)


@pytest.mark.parametrize(
    "configuration_id",
    [
        "voice_transcriptionconfiguration_short",
        "voice_recordingconfiguration_" + "0" * 26,
        "",
        "JV" + "0" * 32,
    ],
)
def test_a_malformed_configuration_id_is_17501(account: TestAccount, configuration_id: str) -> None:
    response = post_v3(account, body(configuration_id, fake_sid("RE")))
    assert_problem(response, 400, 17501, mentions="transcriptionConfigurationId")


def test_an_unknown_or_foreign_configuration_is_17501(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    recording_sid = recording(account, webapp)
    assert_problem(post_v3(account, body(fake_configuration_id(), recording_sid)), 400, 17501)
    theirs = new_configuration(other_account)
    assert_problem(post_v3(account, body(theirs, recording_sid)), 400, 17501)
    sdk_problem(
        lambda: account.client.voice.v3.transcriptions.create(
            sdk_request({"transcriptionConfigurationId": fake_configuration_id(), "sourceId": recording_sid})
        ),
        400,
        17501,
    )


def test_an_unknown_or_foreign_source_is_a_404(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    configuration_id = new_configuration(account)
    assert_problem(post_v3(account, body(configuration_id, fake_sid("RE"))), 404, 20404)
    theirs = recording(other_account, webapp)
    assert_problem(post_v3(account, body(configuration_id, theirs)), 404, 20404)


def test_a_mono_recording_is_17533(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    mono = recording(account, webapp, dual=False)
    response = post_v3(account, body(configuration_id, mono))
    assert_problem(response, 400, 17533, mentions="dual")


def test_a_pci_account_transcribes_nothing(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    set_media_setting(account, "pci_mode", True)
    assert_problem(post_v3(account, body(configuration_id, recording_sid)), 403, 17531)
    sdk_problem(
        lambda: account.client.voice.v3.transcriptions.create(
            sdk_request({"transcriptionConfigurationId": configuration_id, "sourceId": recording_sid})
        ),
        403,
        17531,
    )
    # phonograph's own create (the CLI's) is refused too, in the v2010 error shape.
    assert_error(start_job(account, recording_sid), 403, 17531)


def test_a_recording_that_pci_mode_was_turned_on_for_before_it_ended_is_untranscribable(
    account: TestAccount, webapp: WebApp
) -> None:
    # a third-party live test (twilio.com/docs/voice/pci-workflows): recordings made while PCI mode was on
    # were never transcribable again; PCI mode is one-way (https://www.twilio.com/docs/voice/pci-workflows),
    # so that stays true.
    configuration_id = new_configuration(account)
    call_sid = live_call(account, webapp)
    ended_in_pci = start_recording(account, call_sid, **DUAL)["sid"]
    set_media_setting(account, "pci_mode", True)
    wait_media_s(account.owner, RECORDING_MEDIA_S)
    control(account, call_sid, ended_in_pci, "stopped")
    assert wait_for_recording(account.client, ended_in_pci).status == "completed"
    assert_problem(post_v3(account, body(configuration_id, ended_in_pci)), 403, 17531)
    assert_error(start_job(account, ended_in_pci), 403, 17531)
    path = f"/phonograph/v1/Accounts/{account.sid}/MediaSettings"
    assert_error(account.owner.post(path, json={"pci_mode": False}), 400, 20001)


def test_a_hipaa_account_has_no_batch_transcription(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    set_media_setting(account, "hipaa", True)
    assert_problem(post_v3(account, body(configuration_id, recording_sid)), 403, 17531, mentions="HIPAA")
    # phonograph's own (legacy) transcription is not batch transcription.
    assert ok_json(start_job(account, recording_sid), 201)["kind"] == "legacy"


def test_a_recording_still_recording_is_17533(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    call_sid = live_call(account, webapp)
    recording_sid = start_recording(account, call_sid, **DUAL)["sid"]
    try:
        assert_problem(post_v3(account, body(configuration_id, recording_sid)), 400, 17533)
        assert_error(start_job(account, recording_sid), 400, 17533)
    finally:
        account.client.calls(call_sid).update(status="completed")


def test_a_short_or_deleted_recording_is_refused(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    # A dual Record=true recording of a call that plays one second of tone: its length does not
    # depend on how late a REST stop would arrive on a busy machine.
    one_second = webapp.respond("/one-second.wav", tone_wav(440, 1.0), content_type="audio/wav")
    call = account.client.calls.create(
        to=fresh_number(),
        from_=fresh_number(),
        twiml=f"<Response><Play>{one_second}</Play></Response>",
        record=True,
        recording_channels="dual",
    )
    wait_for_call(account.client, call.sid)
    [listed] = account.client.recordings.list(call_sid=call.sid)
    short = listed.sid
    assert wait_for_recording(account.client, short).status == "completed"
    assert int(account.client.recordings(short).fetch().duration) < 2
    assert_problem(post_v3(account, body(configuration_id, short)), 400, 17554)
    account.client.recordings(short).delete()
    assert_problem(post_v3(account, body(configuration_id, short)), 400, 17533)
    # phonograph's own create finds no deleted recording, as the v2010 Recordings resource does not.
    assert_not_found(start_job(account, short))


# --- v3 fetch ----------------------------------------------------------------------------------------


def test_fetching_an_unknown_transcription_is_a_404_problem(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    transcriptions = account.client.voice.v3.transcriptions
    error = sdk_problem(lambda: transcriptions("voice_transcription_" + "0" * 26).fetch(), 404, 20404)
    assert error.type == f"{PROBLEM_TYPE}20404"
    assert_problem(account.http.get(f"{V3}/not-an-id"), 404, 20404)
    theirs = created(other_account, body(new_configuration(other_account), recording(other_account, webapp)))
    sdk_problem(lambda: transcriptions(theirs["transcription"]["id"]).fetch(), 404, 20404)
    # A legacy TR… transcription is not a v3 one.
    legacy = ok_json(start_job(other_account, theirs["transcription"]["sourceId"]), 201)
    assert_problem(other_account.http.get(f"{V3}/{legacy['id']}"), 404, 20404)


def test_fetch_says_when_to_poll_again_until_the_job_ends(account: TestAccount, webapp: WebApp) -> None:
    recording_sid = recording(account, webapp)
    made = created(account, body(new_configuration(account), recording_sid))
    transcription_id = made["transcription"]["id"]
    finished_job(account, transcription_id, TONE_JOB_WAIT_S)
    response = account.http.get(f"{V3}/{transcription_id}")
    envelope = ok_json(response)
    assert set(envelope) == {"operationId", "status", "statusUrl", "transcription"}
    assert envelope["status"] in FINISHED
    assert envelope["status"] == envelope["transcription"]["status"]
    assert "Retry-After" not in response.headers
    if envelope["status"] == "COMPLETED":
        # The recording's own length: its stop arrives a little after RECORDING_MEDIA_S of media,
        # by as much as the machine's load delays a request (media runs ten times real time).
        assert envelope["transcription"]["duration"] == int(
            account.client.recordings(recording_sid).fetch().duration
        )


def test_without_credentials_v3_is_a_401_problem(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}{V3}", timeout=10)
    assert_problem(response, 401, 20003)


# --- v3 list -----------------------------------------------------------------------------------------


def test_the_list_pages_with_tokens_and_filters(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    french = new_configuration(account, language="fr-FR")
    recording_sid = recording(account, webapp)
    before = datetime.now(UTC) - timedelta(seconds=5)
    ids = [created(account, body(configuration_id, recording_sid))["transcription"]["id"] for _ in range(3)]
    french_id = created(account, body(french, recording_sid))["transcription"]["id"]
    newest_first = [french_id, *reversed(ids)]

    first = ok_json(account.http.get(V3, params={"pageSize": 3}))
    assert [item["id"] for item in first["transcriptions"]] == newest_first[:3]
    meta = first["meta"]
    assert (meta["key"], meta["pageSize"], meta["previousToken"]) == ("transcriptions", 3, None)
    assert meta["nextToken"]
    second = ok_json(account.http.get(V3, params={"pageSize": 3, "pageToken": meta["nextToken"]}))
    assert [item["id"] for item in second["transcriptions"]] == newest_first[3:]
    assert second["meta"]["nextToken"] is None
    back = ok_json(account.http.get(V3, params={"pageSize": 3, "pageToken": second["meta"]["previousToken"]}))
    assert [item["id"] for item in back["transcriptions"]] == newest_first[:3]
    for item in first["transcriptions"]:
        assert set(item) == TRANSCRIPTION_FIELDS

    # The SDK follows nextToken by itself.
    transcriptions = account.client.voice.v3.transcriptions
    assert [item.id for item in transcriptions.list(page_size=2)] == newest_first
    # A limit over the cap of 100 asks for pageSize=limit: capped, not refused.
    assert [item.id for item in transcriptions.list(limit=150)] == newest_first
    assert [item.id for item in transcriptions.list(language_code="fr-fr")] == []
    assert [item.id for item in transcriptions.list(source_id=recording_sid)] == newest_first
    assert list(transcriptions.list(source_id=fake_sid("RE"))) == []
    assert [item.id for item in transcriptions.list(language_code="fr-FR")] == [french_id]
    assert [item.id for item in transcriptions.list(language_code="en-US")] == list(reversed(ids))
    assert [item.id for item in transcriptions.list(created_after=before)] == newest_first
    assert list(transcriptions.list(created_before=before)) == []
    assert list(transcriptions.list(created_after=datetime.now(UTC) + timedelta(hours=1))) == []
    for status in ("PENDING", "RUNNING", "COMPLETED", "FAILED"):
        assert all(item.status == status for item in transcriptions.list(status=status))


def test_a_page_token_is_only_good_for_the_filters_that_made_it(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    recording_sid = recording(account, webapp)
    for _ in range(2):
        created(account, body(configuration_id, recording_sid))
    first = ok_json(account.http.get(V3, params={"pageSize": 1, "sourceId": recording_sid}))
    token = first["meta"]["nextToken"]
    assert token
    same = account.http.get(V3, params={"pageSize": 1, "sourceId": recording_sid, "pageToken": token})
    assert len(ok_json(same)["transcriptions"]) == 1
    assert_problem(
        account.http.get(V3, params={"pageSize": 1, "pageToken": token}), 400, 20001, mentions="pageToken"
    )


def test_the_list_holds_only_the_account_s_batch_transcriptions(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    recording_sid = recording(account, webapp)
    mine = created(account, body(new_configuration(account), recording_sid))["transcription"]["id"]
    ok_json(start_job(account, recording_sid), 201)  # a legacy one
    created(other_account, body(new_configuration(other_account), recording(other_account, webapp)))
    assert [item.id for item in account.client.voice.v3.transcriptions.list()] == [mine]


BAD_FILTERS: dict[str, tuple[dict[str, Any], str]] = {
    "source uppercase hex": ({"sourceId": "RE" + "A" * 32}, "sourceId"),
    "source a call": ({"sourceId": fake_sid("CA")}, "sourceId"),
    "source short": ({"sourceId": "RE123"}, "sourceId"),
    "status lowercase": ({"status": "completed"}, "status"),
    "status unknown": ({"status": "DONE"}, "status"),
    "page size 0": ({"pageSize": 0}, "pageSize"),
    "page size a word": ({"pageSize": "many"}, "pageSize"),
    "created after a word": ({"createdAfter": "yesterday"}, "createdAfter"),
    "created before a bad date": ({"createdBefore": "2026-13-01T00:00:00Z"}, "createdBefore"),
    "token not ours": ({"pageToken": "bm90IGEgdG9rZW4"}, "pageToken"),
    "token not base64": ({"pageToken": "***"}, "pageToken"),
}


@pytest.mark.parametrize("params", list(BAD_FILTERS.values()), ids=list(BAD_FILTERS))
def test_a_bad_list_parameter_is_a_400(account: TestAccount, params: tuple[dict[str, Any], str]) -> None:
    query, mentions = params
    assert_problem(account.http.get(V3, params=query), 400, 20001, mentions=mentions)


@pytest.mark.parametrize("page_size", [1, 100])
def test_page_sizes_1_to_100_are_allowed(account: TestAccount, page_size: int) -> None:
    listed = ok_json(account.http.get(V3, params={"pageSize": page_size}))
    assert listed == {
        "transcriptions": [],
        "meta": {"key": "transcriptions", "pageSize": 0, "nextToken": None, "previousToken": None},
    }


# --- phonograph's own jobs and the v2010 legacy resource ---------------------------------------------


def test_a_job_of_the_cli_is_a_legacy_transcription(account: TestAccount, webapp: WebApp) -> None:
    mono = recording(account, webapp, dual=False)  # the CLI's jobs take any channel count
    job = ok_json(start_job(account, mono), 201)
    assert set(job) == JOB_FIELDS
    assert sid_pattern("TR").fullmatch(job["id"])
    assert (job["kind"], job["origin"], job["accountSid"], job["recordingSid"]) == (
        "legacy",
        "cli",
        account.sid,
        mono,
    )
    assert job["status"] in ("PENDING", "RUNNING", *FINISHED)
    assert 0.0 <= job["progress"] <= 1.0
    done = finished_job(account, job["id"], TONE_JOB_WAIT_S)
    # A tone holds no speech (Whisper alone heard "I'm sorry, I'm sorry, …" in it).
    assert (done["status"], done["progress"], done["text"]) == ("COMPLETED", 1.0, "")

    sid = job["id"]
    fetched = ok_json(account.http.get(legacy_path(account.sid, sid)))
    assert set(fetched) == LEGACY_FIELDS
    assert (fetched["sid"], fetched["account_sid"], fetched["recording_sid"]) == (sid, account.sid, mono)
    assert (fetched["api_version"], fetched["type"], fetched["price"], fetched["price_unit"]) == (
        "2010-04-01",
        "fast",
        None,
        "USD",
    )
    assert fetched["status"] == "completed"
    assert fetched["uri"] == legacy_path(account.sid, sid)
    for field in ("date_created", "date_updated"):
        assert RFC2822_RE.fullmatch(fetched[field]), fetched[field]
    assert fetched["duration"].isdigit()
    assert fetched["transcription_text"] == ""

    # The SDK reads it, at both paths.
    instance = account.client.transcriptions(sid).fetch()
    assert (instance.sid, instance.recording_sid, instance.type) == (sid, mono, "fast")
    under = account.client.recordings(mono).transcriptions(sid).fetch()
    assert under.sid == sid
    assert [item.sid for item in account.client.transcriptions.list()] == [sid]
    assert [item.sid for item in account.client.recordings(mono).transcriptions.list()] == [sid]

    text = account.http.get(legacy_path(account.sid, sid, ext=".txt"))
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == (done["text"] or "")
    text_under = account.http.get(legacy_path(account.sid, sid, recording_sid=mono, ext=".txt"))
    assert text_under.text == text.text

    account.client.recordings(mono).transcriptions(sid).delete()
    assert_not_found(account.http.get(legacy_path(account.sid, sid)))
    assert_not_found(account.http.get(f"{JOBS}/{sid}"))
    assert account.client.transcriptions.list() == []


def test_a_job_is_reached_by_its_account_only(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    theirs = recording(other_account, webapp, dual=False)
    # Another account's recording cannot be transcribed, under either account's path.
    assert_not_found(start_job(account, theirs))
    assert_not_found(start_job(account, theirs, account_sid=other_account.sid))
    assert_not_found(start_job(account, fake_sid("RE")))
    job = ok_json(start_job(other_account, theirs), 201)
    sid = job["id"]
    assert_not_found(account.http.get(f"{JOBS}/{sid}"))
    assert_not_found(account.http.get(f"{JOBS}/{fake_sid('TR')}"))
    for path in (
        legacy_path(account.sid, sid),
        legacy_path(account.sid, sid, ext=".txt"),
        legacy_path(account.sid, sid, recording_sid=theirs),
        legacy_path(other_account.sid, sid),
        legacy_path(other_account.sid, sid, recording_sid=theirs),
        legacy_path(account.sid, recording_sid=theirs),
        legacy_path(other_account.sid),
    ):
        assert_not_found(account.http.get(path))
    assert_not_found(account.http.delete(legacy_path(account.sid, sid)))
    assert_not_found(account.http.delete(legacy_path(account.sid, sid, recording_sid=theirs)))
    # Still there for its own account.
    assert ok_json(other_account.http.get(legacy_path(other_account.sid, sid)))["sid"] == sid


def test_unknown_legacy_transcriptions_are_404s(account: TestAccount, webapp: WebApp) -> None:
    unknown = fake_sid("TR")
    with pytest.raises(TwilioRestException) as info:
        account.client.transcriptions(unknown).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as deleting:
        account.client.transcriptions(unknown).delete()
    assert (deleting.value.status, deleting.value.code) == (404, 20404)
    assert_not_found(account.http.get(legacy_path(account.sid, unknown, ext=".txt")))
    assert_not_found(account.http.get(legacy_path(account.sid, recording_sid=fake_sid("RE"))))
    # A v3 transcription is not a legacy one, and a transcription of one recording is not another's.
    recording_sid = recording(account, webapp)
    batch = created(account, body(new_configuration(account), recording_sid))["transcription"]["id"]
    assert_not_found(account.http.get(legacy_path(account.sid, batch)))
    assert_not_found(account.http.delete(legacy_path(account.sid, batch)))
    legacy = ok_json(start_job(account, recording_sid), 201)["id"]
    assert_not_found(account.http.get(legacy_path(account.sid, legacy, recording_sid=fake_sid("RE"))))
    listed = ok_json(account.http.get(legacy_path(account.sid)))
    assert [item["sid"] for item in listed["transcriptions"]] == [legacy]
    assert listed["page_size"] == 50
    assert listed["uri"].startswith(legacy_path(account.sid))


def test_the_legacy_list_pages(account: TestAccount, webapp: WebApp) -> None:
    recording_sid = recording(account, webapp, dual=False)
    sids = [ok_json(start_job(account, recording_sid), 201)["id"] for _ in range(3)]
    listed = account.client.transcriptions.list(page_size=2)
    assert [item.sid for item in listed] == list(reversed(sids))
    first = ok_json(account.http.get(legacy_path(account.sid), params={"PageSize": 2}))
    assert len(first["transcriptions"]) == 2
    assert first["next_page_uri"]
    second = ok_json(account.http.get(first["next_page_uri"]))
    assert [item["sid"] for item in second["transcriptions"]] == [sids[0]]
    assert_invalid(account.http.get(legacy_path(account.sid), params={"PageSize": 0}), "PageSize")
