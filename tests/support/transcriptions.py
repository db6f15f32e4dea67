"""What the transcription tests share (test_transcription.py, test_transcriptions_api.py,
test_transcription_media_url.py): the resources' paths and field sets, the problem documents v3
answers with, the waits on a job and on its callback, what the speech tests say and how a transcript
of it is judged, and the account settings and Transcription configurations the jobs are made under.
Each was written out again in each file; one copy keeps them from drifting apart."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioServiceException

from phonograph.testing.webapp import WebApp, valid_signature
from tests.conftest import TestAccount
from tests.support.api import API, ok_json
from tests.support.wer import wer

# --- resources -----------------------------------------------------------------------------------------

V3 = "/v3/Transcriptions"
"""The v3 Batch Transcriptions resource (twilio.com/docs/configurations/batch-transcription-quickstart):
create, list, and ``{V3}/{id}`` to fetch."""
JOBS = "/phonograph/v1/Transcriptions"
"""phonograph's own transcription resource: ``{JOBS}/{id}`` (the target of ``links.transcript``)."""
BATCH_ID_RE = re.compile(r"voice_transcription_[0-7][0-9a-hjkmnp-tv-z]{25}")
TRANSCRIPTION_FIELDS = {
    "id",
    "accountId",
    "status",
    "transcriptionConfigurationId",
    "mediaUrl",
    "sourceId",
    "audioStartedAt",
    "conversationId",
    "participants",
    "duration",
    "resolvedConfiguration",
    "createdAt",
    "updatedAt",
    "url",
    "links",
    "errorCode",
    "errorMessage",
}
"""A v3 transcription's keys, whatever its input source (a key it has no value for is null); the
last two are phonograph's, set when the job FAILED."""
JOB_FIELDS = {
    "id",
    "kind",
    "origin",
    "accountSid",
    "recordingSid",
    "status",
    "progress",
    "duration",
    "language",
    "participants",
    "sentences",
    "text",
    "errorCode",
    "errorMessage",
}
SENTENCE_KEYS = {"index", "channel", "participant", "text", "startTime", "endTime", "confidence"}
"""A sentence of phonograph's job resource."""
LEGACY_FIELDS = {
    "sid",
    "account_sid",
    "api_version",
    "date_created",
    "date_updated",
    "duration",
    "price",
    "price_unit",
    "recording_sid",
    "status",
    "transcription_text",
    "type",
    "uri",
}
"""A v2010 Transcription's keys (OAI api.v2010.account.transcription)."""
BATCH_CALLBACK_KEYS = {
    "AccountSid",
    "TranscriptionId",
    "TranscriptionStatus",
    "TranscriptionUrl",
    "TranscriptUrl",
    "SourceId",
    "TranscriptionConfigurationId",
    "Duration",
    "ErrorCode",
}
"""A v3 job's status callback parameters (a MEDIA_URL job adds MediaUrl, a failed one ErrorMessage)."""
PROBLEM_TYPE = "https://www.twilio.com/docs/api/errors/"
"""The ``type`` of v3's RFC 9457 problem documents, before the Twilio error code."""


def legacy_path(
    account_sid: str, sid: str = "", *, recording_sid: str | None = None, ext: str = ".json"
) -> str:
    """The v2010 Transcriptions list (no ``sid``) or one Transcription, per account or per recording."""
    base = f"{API}/Accounts/{account_sid}"
    if recording_sid is not None:
        base += f"/Recordings/{recording_sid}"
    return f"{base}/Transcriptions{'/' + sid if sid else ''}{ext}"


# --- requests and their errors ---------------------------------------------------------------------------


def post_v3(account: TestAccount, payload: Any, key: str | None = None) -> httpx.Response:
    """A v3 create over plain JSON (any body, to test validation), with an Idempotency-Key if given."""
    headers = {} if key is None else {"Idempotency-Key": key}
    return account.http.post(V3, json=payload, headers=headers)


def start_job(account: TestAccount, recording_sid: str, account_sid: str | None = None) -> httpx.Response:
    """phonograph's own create (what ``phonograph transcribe`` calls; a legacy ``TR…`` job), under
    ``account_sid``'s path if given, else the account's own."""
    path = f"/phonograph/v1/Accounts/{account_sid or account.sid}/Recordings/{recording_sid}/Transcriptions"
    return account.http.post(path)


def assert_problem(response: httpx.Response, status: int, code: int, *, mentions: str | None = None) -> None:
    """An RFC 9457 problem document with this status and Twilio code
    (twilio.com/docs/configurations/batch-transcription-quickstart)."""
    assert response.status_code == status, response.text
    problem = response.json()
    assert {"type", "title", "status", "code"} <= set(problem), problem
    assert (problem["type"], problem["status"], problem["code"]) == (f"{PROBLEM_TYPE}{code}", status, code)
    if mentions is not None:
        assert mentions in problem["detail"], problem


def sdk_problem(call: Callable[[], object], status: int, code: int) -> TwilioServiceException:
    """The problem ``call`` (a v3 request through the SDK) raises, with this status and code."""
    with pytest.raises(TwilioServiceException) as info:
        call()
    assert (info.value.status, info.value.code) == (status, code)
    return info.value


# --- waiting on a job ------------------------------------------------------------------------------------

TRANSCRIBE_WAIT_S = 120.0
"""A bound on waiting for a job (a hang guard, not a speed claim): the first job loads the model."""
POLL_S = 0.1


def transcript(http: httpx.Client, url_or_id: str) -> dict[str, Any]:
    """phonograph's job resource (``{JOBS}/{id}``), by its URL or id; it has exactly JOB_FIELDS.
    Takes a client rather than a TestAccount for the tests that start a server of their own."""
    url = url_or_id if "/" in url_or_id else f"{JOBS}/{url_or_id}"
    body = ok_json(http.get(url))
    assert set(body) == JOB_FIELDS, body
    return body


def finished_job(account: TestAccount, job_id: str, timeout_s: float = TRANSCRIBE_WAIT_S) -> dict[str, Any]:
    """phonograph's job resource once the job is COMPLETED or FAILED."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = transcript(account.http, job_id)
        if job["status"] in ("COMPLETED", "FAILED"):
            return job
        assert time.monotonic() < deadline, f"waited {timeout_s}s for {job_id}, still {job['status']}: {job}"
        time.sleep(POLL_S)


def signed_callback(webapp: WebApp, path: str, auth_token: str) -> dict[str, str]:
    """The parameters of the one request to ``path`` (waited for as long as a job may take): a POST
    whose signature the SDK's RequestValidator accepts."""
    [hit] = webapp.wait_for(path, timeout_s=TRANSCRIBE_WAIT_S)
    assert hit.method == "POST", hit.summary()
    assert valid_signature(hit, auth_token), hit.summary()
    return hit.params()


# --- what the speech says, and how its transcript is judged ----------------------------------------------

CUSTOMER_SAYS = "Good morning, I would like to book a table for dinner."
AGENT_SAYS = "Your package will be delivered on Friday afternoon."
MAX_WER = 0.35
"""The word error rate a transcript may have: espeak at 8 kHz through Whisper base scores about 0.2
on ordinary sentences, and the two above score about 0 (test_transcription.py)."""
TIME_SLACK_S = 1.0
"""How far Whisper's sentence times may stray from where the speech is."""


def channel_text(job: Mapping[str, Any], channel: int) -> str:
    """The text of one channel's sentences, in order."""
    return " ".join(s["text"] for s in job["sentences"] if s["channel"] == channel)


def assert_sentences(job: Mapping[str, Any], participants: Mapping[int, str | None]) -> None:
    """The job's sentences: the documented shape, renumbered in time order, each on one of the
    channels in ``participants`` and labelled with that channel's participant type (None: no
    participant), times within the audio; and ``text`` is them joined."""
    sentences = job["sentences"]
    assert sentences, job
    assert [s["index"] for s in sentences] == list(range(len(sentences))), sentences
    starts = [s["startTime"] for s in sentences]
    assert starts == sorted(starts), sentences
    for sentence in sentences:
        assert set(sentence) == SENTENCE_KEYS, sentence
        assert sentence["channel"] in participants, sentence
        expected = participants[sentence["channel"]]
        if expected is None:
            assert sentence["participant"] is None, sentence
        else:
            assert sentence["participant"]["type"] == expected, sentence
            assert sentence["participant"]["audioChannelIndex"] == sentence["channel"], sentence
        assert 0.0 <= sentence["startTime"] <= sentence["endTime"] <= job["duration"] + TIME_SLACK_S, sentence
    assert job["text"] == " ".join(s["text"] for s in sentences), job


def assert_dual_transcript(
    job: Mapping[str, Any], customer: str = "CUSTOMER", agent: str = "HUMAN_AGENT"
) -> None:
    """A COMPLETED job of dual speech: channel 1 (participant type ``customer``) says CUSTOMER_SAYS,
    channel 2 (``agent``) says AGENT_SAYS, each within MAX_WER."""
    assert job["status"] == "COMPLETED", job
    assert_sentences(job, {1: customer, 2: agent})
    assert wer(CUSTOMER_SAYS, channel_text(job, 1)) <= MAX_WER, job["sentences"]
    assert wer(AGENT_SAYS, channel_text(job, 2)) <= MAX_WER, job["sentences"]


# --- configurations and settings --------------------------------------------------------------------------

CONVERSATION_CONFIGURATION_ID = "conv_configuration_01k1etx3jbfx88476ccja0889c"


def new_configuration(
    account: TestAccount, *, language: str = "en-US", callback_url: str | None = None
) -> str:
    """A Transcription configuration (ch1 CUSTOMER, ch2 HUMAN_AGENT) calling back ``callback_url``,
    or without one a conversation configuration stands in (the schema wants one of the two); its id.
    Created over plain JSON: the SDK's create raises after success."""
    configuration: dict[str, Any] = {
        "configurationType": "Transcription",
        "transcriptionEngine": "deepgram",
        "speechModel": "nova-3",
        "language": language,
        "participantDefaults": [
            {"audioChannelIndex": 1, "type": "CUSTOMER"},
            {"audioChannelIndex": 2, "type": "HUMAN_AGENT"},
        ],
    }
    if callback_url is None:
        configuration["conversationConfigurationId"] = CONVERSATION_CONFIGURATION_ID
    else:
        configuration["transcriptionStatusCallback"] = {"url": callback_url, "method": "POST"}
    body = {"configuration": configuration}
    created: str = ok_json(account.http.post("/v2/Configurations/Transcription", json=body), 201)["id"]
    return created


def set_media_setting(account: TestAccount, name: str, on: bool) -> None:
    """Turn one of the account's MediaSettings (``pci_mode``, ``hipaa``, …) on or off, as its owner
    (only the parent account may change a subaccount's ``hipaa`` and ``pci_mode``)."""
    path = f"/phonograph/v1/Accounts/{account.sid}/MediaSettings"
    assert ok_json(account.owner.post(path, json={name: on}))[name] is on
