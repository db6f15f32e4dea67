"""v3 Batch Transcription of media at a URL (``inputSource: MEDIA_URL``;
twilio.com/docs/configurations/batch-transcription-quickstart) end to end.

The media is made here: espeak-ng speech at 8 kHz (the server's own ``<Say>`` voice), written as
dual 16-bit WAV, μ-law or 24-bit WAV, or MP3 (lameenc), and served by the test WebApp; every other
WAV encoding the design lists is checked on silence, which costs the engine nothing. The server
fetches the media when the job runs and transcribes it with the Whisper model the test wheels ship;
the transcript is judged by its word error rate against what was said (the two sentences of
tests/support/transcriptions.py, which score about 0 through Whisper base). Media that cannot be fetched or
read ends the job FAILED with the design's error code, on the job resource and in the signed
status callback. Every wait is on a condition, bounded only to turn a hang into a failure.
"""

from __future__ import annotations

import math
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lameenc
import numpy as np
import numpy.typing as npt
import pytest
from twilio.rest.voice.v3.transcription import TranscriptionList

from phonograph.media import EspeakEngine, Pcm, alaw_encode, ulaw_encode
from phonograph.testing.server import free_port
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.api import ok_json
from tests.support.recordings import completed_recording
from tests.support.transcriptions import (
    AGENT_SAYS,
    BATCH_CALLBACK_KEYS,
    BATCH_ID_RE,
    CUSTOMER_SAYS,
    JOBS,
    MAX_WER,
    TIME_SLACK_S,
    TRANSCRIBE_WAIT_S,
    TRANSCRIPTION_FIELDS,
    V3,
    assert_dual_transcript,
    assert_problem,
    assert_sentences,
    channel_text,
    finished_job,
    new_configuration,
    post_v3,
    sdk_problem,
    set_media_setting,
    signed_callback,
)
from tests.support.wer import wer

SPEECH_RATE_HZ = 8000  # espeak through phonograph's TTS: 16-bit PCM at 8 kHz
MP3_RATE_HZ = 16000
MP3_BIT_RATE_KBPS = 64
LEAD_S = 0.25  # silence before the customer speaks
GAP_S = 0.75  # silence between the customer's sentence and the agent's
STATUS_PATH = "/transcription-status"
MEDIA_PATH = "/media/call.wav"
AUDIO_STARTED_AT = "2026-11-21T12:00:00+02:00"
AUDIO_STARTED_AT_UTC = "2026-11-21T10:00:00Z"
MAX_URL_CHARS = 2048
MAX_MEDIA_BYTES = 100 * 1024 * 1024
CALLBACK_KEYS = BATCH_CALLBACK_KEYS | {"MediaUrl"}  # ErrorMessage is added when it failed
UNREACHABLE, HTTP_ERROR, NOT_AUDIO, TOO_SHORT = 11205, 11200, 12300, 17554
MISSING_SOURCE, INVALID, REFUSED, UNKNOWN_CONFIGURATION = 17500, 20001, 17531, 17501

Frames = npt.NDArray[np.int16]
"""Interleaved 16-bit samples, shape (frames, channels)."""


# --- media ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speech:
    """The two sentences as espeak said them once for this module (espeak varies between calls)."""

    customer: Pcm
    agent: Pcm

    def dual(self) -> tuple[Frames, float]:
        """Channel 1 the customer, channel 2 the agent after them; and when the agent starts (s).
        Half a second past a whole second long, so that its duration rounds up unambiguously."""
        customer_at = round(LEAD_S * SPEECH_RATE_HZ)
        agent_at = customer_at + len(self.customer) + round(GAP_S * SPEECH_RATE_HZ)
        frames = _half_past(agent_at + len(self.agent) + customer_at, SPEECH_RATE_HZ)
        out = np.zeros((frames, 2), dtype=np.int16)
        out[customer_at : customer_at + len(self.customer), 0] = self.customer
        out[agent_at : agent_at + len(self.agent), 1] = self.agent
        return out, agent_at / SPEECH_RATE_HZ

    def mono(self, rate_hz: int = SPEECH_RATE_HZ) -> Frames:
        """The customer's sentence alone at ``rate_hz`` (linear interpolation: the speech has nothing
        above 4 kHz to alias), half a second past a whole second long."""
        spoken = np.concatenate([np.zeros(round(LEAD_S * SPEECH_RATE_HZ), np.int16), self.customer])
        count = round(len(spoken) * rate_hz / SPEECH_RATE_HZ)
        times = np.arange(count) * (SPEECH_RATE_HZ / rate_hz)
        resampled = np.rint(np.interp(times, np.arange(len(spoken)), spoken)).astype(np.int16)
        out = np.zeros((_half_past(count, rate_hz), 1), dtype=np.int16)
        out[:count, 0] = resampled
        return out


def _half_past(frames: int, rate_hz: int) -> int:
    """The smallest length of at least ``frames`` that is a whole number of seconds plus a half."""
    return (math.ceil(frames / rate_hz) + 1) * rate_hz - rate_hz // 2


def whole_seconds(frames: Frames, rate_hz: int) -> int:
    """The duration the design gives a job: the media's length in seconds, rounded half up (as a
    recording's ``duration`` is)."""
    return math.floor(len(frames) / rate_hz + 0.5)


# WAVE format tags (RFC 2361 Appendix A).
_PCM, _FLOAT, _ALAW, _MULAW = 0x0001, 0x0003, 0x0006, 0x0007


def _encoded(frames: Frames, encoding: str) -> tuple[int, int, bytes]:
    """(format tag, bits per sample, the data chunk) of ``frames`` in ``encoding``."""
    samples = frames.reshape(-1)
    if encoding == "pcm8":
        return _PCM, 8, ((samples.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
    if encoding == "pcm16":
        return _PCM, 16, samples.astype("<i2").tobytes()
    if encoding == "pcm24":
        widened = (samples.astype("<i4") << 8).view(np.uint8).reshape(-1, 4)
        return _PCM, 24, widened[:, :3].tobytes()
    if encoding == "pcm32":
        return _PCM, 32, (samples.astype("<i4") << 16).tobytes()
    if encoding == "float32":
        return _FLOAT, 32, (samples.astype("<f4") / np.float32(32768)).tobytes()
    if encoding == "mulaw":
        return _MULAW, 8, ulaw_encode(samples).tobytes()
    if encoding == "alaw":
        return _ALAW, 8, alaw_encode(samples).tobytes()
    raise ValueError(encoding)


def wav(frames: Frames, rate_hz: int = SPEECH_RATE_HZ, encoding: str = "pcm16") -> bytes:
    """A WAV file of ``frames``. Non-PCM formats get the 18-byte fmt chunk and the fact chunk their
    format requires (Microsoft's RIFF multimedia spec)."""
    tag, bits, data = _encoded(frames, encoding)
    channels = frames.shape[1]
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate_hz, rate_hz * block, block, bits)
    fact = b""
    if tag != _PCM:
        fmt += struct.pack("<H", 0)  # cbSize: no extra format bytes
        fact = b"fact" + struct.pack("<II", 4, len(frames))
    chunks = [b"fmt " + struct.pack("<I", len(fmt)) + fmt, fact]
    chunks.append(b"data" + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2))
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp3(frames: Frames, rate_hz: int) -> bytes:
    """A mono MP3 of ``frames`` (LAME, constant bit rate)."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BIT_RATE_KBPS)
    encoder.set_in_sample_rate(rate_hz)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode(frames.astype("<i2").tobytes()) + encoder.flush())


@pytest.fixture(scope="module")
def speech() -> Speech:
    engine = EspeakEngine()

    def say(text: str) -> Pcm:
        return np.asarray(engine.synthesize(text, "man", "en-US"), dtype=np.int16)

    return Speech(say(CUSTOMER_SAYS), say(AGENT_SAYS))


# --- the API -------------------------------------------------------------------------------------------


def media_body(configuration_id: str, media_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "transcriptionConfigurationId": configuration_id,
        "inputSource": "MEDIA_URL",
        "mediaUrl": media_url,
        **extra,
    }


def create(account: TestAccount, payload: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """The transcription in the 202 body of a v3 create."""
    made: dict[str, Any] = ok_json(post_v3(account, payload, key), 202)["transcription"]
    return made


def assert_fetched_plainly(hits: list[Hit]) -> None:
    """The worker fetched the media once, with a plain GET and no credentials (the design)."""
    assert [hit.method for hit in hits] == ["GET"], [hit.summary() for hit in hits]
    assert "Authorization" not in hits[0].headers, hits[0].headers


# === transcribing media =================================================================================


def test_dual_wav_media_is_transcribed_per_channel_and_calls_back(
    account: TestAccount, webapp: WebApp, speech: Speech
) -> None:
    frames, agent_starts_s = speech.dual()
    media_url = webapp.respond(MEDIA_PATH, wav(frames), content_type="audio/wav")
    webapp.respond(STATUS_PATH, b"")
    configuration_id = new_configuration(account, callback_url=webapp.url(STATUS_PATH))
    key = str(uuid.uuid4())
    request = TranscriptionList.CreateV3TranscriptionsRequest(
        {
            "transcriptionConfigurationId": configuration_id,
            "inputSource": "MEDIA_URL",
            "mediaUrl": media_url,
            "audioStartedAt": AUDIO_STARTED_AT,
        }
    )
    answer = account.client.voice.v3.transcriptions.create_with_http_info(request, idempotency_key=key)
    assert answer.status_code == 202
    made = answer.data.transcription
    assert set(made) == TRANSCRIPTION_FIELDS, made
    transcription_id = made["id"]
    assert BATCH_ID_RE.fullmatch(transcription_id), made
    headers = {name.lower(): value for name, value in answer.headers.items()}
    assert (headers["operation-id"], headers["idempotency-key"]) == (transcription_id, key)
    assert urlsplit(headers["location"]).path == f"{V3}/{transcription_id}"
    assert (made["status"], made["accountId"], made["transcriptionConfigurationId"]) == (
        "PENDING",
        account.sid,
        configuration_id,
    )
    assert (made["mediaUrl"], made["sourceId"], made["audioStartedAt"], made["duration"]) == (
        media_url,
        None,
        AUDIO_STARTED_AT_UTC,
        None,
    )
    assert [(p["audioChannelIndex"], p["type"]) for p in made["participants"]] == [
        (1, "CUSTOMER"),
        (2, "HUMAN_AGENT"),
    ]
    assert urlsplit(made["links"]["transcript"]).path == f"{JOBS}/{transcription_id}"

    duration_s = whole_seconds(frames, SPEECH_RATE_HZ)
    job = finished_job(account, made["id"])
    assert (job["id"], job["kind"], job["origin"], job["status"]) == (
        transcription_id,
        "batch",
        "api",
        "COMPLETED",
    )
    assert (job["accountSid"], job["recordingSid"], job["language"]) == (account.sid, None, "en-US")
    assert (job["progress"], job["errorCode"], job["errorMessage"], job["duration"]) == (
        1.0,
        None,
        None,
        duration_s,
    )
    assert_dual_transcript(job)
    # The channels keep their place in time: the customer speaks first, the agent after the gap.
    first_start = {s["channel"]: s["startTime"] for s in reversed(job["sentences"])}
    assert first_start[1] < agent_starts_s <= first_start[2] + TIME_SLACK_S, job["sentences"]
    assert_fetched_plainly(webapp.hits(MEDIA_PATH))

    fetched = account.client.voice.v3.transcriptions(transcription_id).fetch().transcription
    assert (fetched["status"], fetched["duration"], fetched["mediaUrl"], fetched["sourceId"]) == (
        "COMPLETED",
        duration_s,
        media_url,
        None,
    )
    assert fetched["audioStartedAt"] == AUDIO_STARTED_AT_UTC
    assert ok_json(account.http.get(fetched["links"]["transcript"]))["text"] == job["text"]

    params = signed_callback(webapp, STATUS_PATH, account.auth_token)
    assert set(params) == CALLBACK_KEYS, params
    assert (params["AccountSid"], params["TranscriptionId"], params["TranscriptionStatus"]) == (
        account.sid,
        transcription_id,
        "COMPLETED",
    )
    assert (params["SourceId"], params["MediaUrl"], params["ErrorCode"]) == ("", media_url, "0")
    assert (params["TranscriptionConfigurationId"], params["Duration"]) == (configuration_id, str(duration_s))
    # Absolute URLs from the server's base URL, the same as the resource's.
    assert (params["TranscriptionUrl"], params["TranscriptUrl"]) == (made["url"], made["links"]["transcript"])
    assert urlsplit(params["TranscriptionUrl"]).scheme == "http"


def test_mono_mp3_media_is_transcribed_on_channel_1(
    account: TestAccount, webapp: WebApp, speech: Speech
) -> None:
    """Mono media is accepted for MEDIA_URL (unlike mono recordings), here as a 16 kHz MP3; the
    request's participant for channel 1 replaces the configuration's default, channel 2 keeps its."""
    frames = speech.mono(MP3_RATE_HZ)
    media_url = webapp.respond("/media/call.mp3", mp3(frames, MP3_RATE_HZ), content_type="audio/mpeg")
    robin = {"audioChannelIndex": 1, "type": "AI_AGENT", "name": "Robin"}
    made = create(account, media_body(new_configuration(account), media_url, participants=[robin]))
    assert (made["mediaUrl"], made["sourceId"], made["audioStartedAt"]) == (media_url, None, None)
    assert [(p["audioChannelIndex"], p["type"], p.get("name")) for p in made["participants"]] == [
        (1, "AI_AGENT", "Robin"),
        (2, "HUMAN_AGENT", None),
    ]
    job = finished_job(account, made["id"])
    assert (job["status"], job["errorCode"]) == ("COMPLETED", None), job
    assert job["duration"] == whole_seconds(frames, MP3_RATE_HZ)
    assert_sentences(job, {1: "AI_AGENT"})
    assert wer(CUSTOMER_SAYS, channel_text(job, 1)) <= MAX_WER, job["sentences"]


# Speech in two WAV encodings at rates other than 16-bit PCM at 8 kHz: Twilio's own μ-law, and
# 24-bit PCM at 22.05 kHz.
SPEECH_FORMATS = {"mulaw": ("mulaw", 8000), "pcm24 at 22.05 kHz": ("pcm24", 22050)}


@pytest.mark.parametrize("wav_format", list(SPEECH_FORMATS.values()), ids=list(SPEECH_FORMATS))
def test_speech_in_other_wav_encodings_is_transcribed(
    account: TestAccount, webapp: WebApp, speech: Speech, wav_format: tuple[str, int]
) -> None:
    encoding, rate_hz = wav_format
    frames = speech.mono(rate_hz)
    media_url = webapp.respond(MEDIA_PATH, wav(frames, rate_hz, encoding), content_type="audio/wav")
    job = finished_job(account, create(account, media_body(new_configuration(account), media_url))["id"])
    assert (job["status"], job["errorCode"], job["errorMessage"]) == ("COMPLETED", None, None), job
    assert job["duration"] == whole_seconds(frames, rate_hz)
    assert_sentences(job, {1: "CUSTOMER"})
    assert wer(CUSTOMER_SAYS, channel_text(job, 1)) <= MAX_WER, job["sentences"]


# Every WAV encoding the design lists, as 2.5 s of dual silence. Whether each decodes to the right
# samples is tests/unit/media/test_decode.py's; here the job accepts it, reads its length and hears
# nothing in it (the engine is skipped where no speech is found, so these cost little).
WAV_ENCODINGS = {
    "pcm8": ("pcm8", 8000),
    "pcm16 at 44.1 kHz": ("pcm16", 44100),
    "pcm24": ("pcm24", 16000),
    "pcm32": ("pcm32", 8000),
    "float32": ("float32", 16000),
    "mulaw": ("mulaw", 8000),
    "alaw": ("alaw", 8000),
}
SILENCE_S = 2.5


@pytest.mark.parametrize("wav_format", list(WAV_ENCODINGS.values()), ids=list(WAV_ENCODINGS))
def test_every_wav_encoding_is_read(
    account: TestAccount, webapp: WebApp, wav_format: tuple[str, int]
) -> None:
    encoding, rate_hz = wav_format
    frames = np.zeros((round(SILENCE_S * rate_hz), 2), dtype=np.int16)
    media_url = webapp.respond(MEDIA_PATH, wav(frames, rate_hz, encoding), content_type="audio/wav")
    job = finished_job(account, create(account, media_body(new_configuration(account), media_url))["id"])
    assert (job["status"], job["errorCode"], job["duration"]) == ("COMPLETED", None, math.ceil(SILENCE_S)), (
        job
    )
    assert (job["sentences"] or [], job["text"] or "") == ([], ""), job


# === media that cannot be transcribed ===================================================================


def _silence(seconds: float, channels: int = 1) -> bytes:
    return wav(np.zeros((round(seconds * SPEECH_RATE_HZ), channels), dtype=np.int16))


def _served(body: bytes, content_type: str, status: int = 200) -> Callable[[WebApp], str]:
    return lambda webapp: webapp.respond(MEDIA_PATH, body, status=status, content_type=content_type)


def _redirected_to_short_media(webapp: WebApp) -> str:
    # The redirect is followed: the job fails on the media's length (17554), not on the 302 (11200).
    target = webapp.respond("/media/short.wav", _silence(1.5), content_type="audio/wav")
    return webapp.respond(MEDIA_PATH, b"", status=302, content_type=None, headers={"Location": target})


# What each case's media URL is, given the test's WebApp; and the job's error code.
BAD_MEDIA: dict[str, tuple[Callable[[WebApp], str], int]] = {
    "connection refused": (lambda _: f"http://127.0.0.1:{free_port()}/call.wav", UNREACHABLE),
    "unknown host": (lambda _: "http://media.invalid/call.wav", UNREACHABLE),  # RFC 6761 §6.4
    "404": (lambda webapp: webapp.fail(MEDIA_PATH, 404), HTTP_ERROR),
    "500": (lambda webapp: webapp.fail(MEDIA_PATH, 500), HTTP_ERROR),
    "html": (_served(b"<!doctype html><html><body>Not here</body></html>", "text/html"), NOT_AUDIO),
    "json": (_served(b'{"media": "elsewhere"}', "application/json"), NOT_AUDIO),
    "wav with three channels": (_served(_silence(3.0, channels=3), "audio/wav"), NOT_AUDIO),
    "shorter than 2 s": (_served(_silence(1.5), "audio/wav"), TOO_SHORT),
    "redirect to short media": (_redirected_to_short_media, TOO_SHORT),
    # Not audio either: were the size not checked first, this would be 12300.
    "over 100 MiB": (lambda webapp: _served(bytes(MAX_MEDIA_BYTES + 1), "audio/wav")(webapp), HTTP_ERROR),
}


@pytest.mark.parametrize("bad_media", list(BAD_MEDIA.values()), ids=list(BAD_MEDIA))
def test_media_that_cannot_be_transcribed_fails_the_job_with_its_code(
    account: TestAccount, webapp: WebApp, bad_media: tuple[Callable[[WebApp], str], int]
) -> None:
    serve, code = bad_media
    media_url = serve(webapp)
    webapp.respond(STATUS_PATH, b"")
    configuration_id = new_configuration(account, callback_url=webapp.url(STATUS_PATH))
    made = create(account, media_body(configuration_id, media_url))
    assert made["status"] == "PENDING"  # fetched when the job runs, so a bad URL is no 400
    job = finished_job(account, made["id"])
    assert (job["status"], job["errorCode"], job["sentences"] or [], job["text"] or "") == (
        "FAILED",
        code,
        [],
        "",
    )
    assert job["errorMessage"], job
    fetched = account.client.voice.v3.transcriptions(made["id"]).fetch().transcription
    assert (fetched["status"], fetched["mediaUrl"]) == ("FAILED", media_url)

    params = signed_callback(webapp, STATUS_PATH, account.auth_token)
    assert set(params) == CALLBACK_KEYS | {"ErrorMessage"}, params
    assert (params["TranscriptionId"], params["TranscriptionStatus"], params["ErrorCode"]) == (
        made["id"],
        "FAILED",
        str(code),
    )
    assert (params["SourceId"], params["MediaUrl"]) == ("", media_url)
    assert params["ErrorMessage"] == job["errorMessage"]
    if urlsplit(media_url).netloc == urlsplit(webapp.base_url).netloc:
        assert_fetched_plainly(webapp.hits(MEDIA_PATH))


# === validation =========================================================================================

EXAMPLE_URL = "https://example.com/call.wav"
_TOO_LONG_URL = "https://example.com/call.wav?pad=" + "a" * MAX_URL_CHARS

# A body change, the code it is refused with, and a word the problem's detail must hold (if any).
BAD_BODIES: dict[str, tuple[dict[str, Any], int, str | None]] = {
    "neither source nor media": ({"inputSource": None, "mediaUrl": None}, MISSING_SOURCE, None),
    "media url input without media": ({"mediaUrl": None}, MISSING_SOURCE, None),
    "source id input without source": ({"inputSource": "SOURCE_ID", "mediaUrl": None}, MISSING_SOURCE, None),
    "relative media url": ({"mediaUrl": "/call.wav"}, INVALID, "mediaUrl"),
    "ftp media url": ({"mediaUrl": "ftp://example.com/call.wav"}, INVALID, "mediaUrl"),
    "media url without a host": ({"mediaUrl": "https://"}, INVALID, "mediaUrl"),  # RFC 9110 §4.2.1
    "media url over 2048 characters": ({"mediaUrl": _TOO_LONG_URL}, INVALID, "mediaUrl"),
    "media url not a string": ({"mediaUrl": 42}, INVALID, "mediaUrl"),
    "audio start not a date": ({"audioStartedAt": "yesterday"}, INVALID, "audioStartedAt"),
    "audio start month 13": ({"audioStartedAt": "2026-13-01T00:00:00Z"}, INVALID, "audioStartedAt"),
    "audio start a number": ({"audioStartedAt": 1790000000}, INVALID, "audioStartedAt"),
    "source and media": ({"sourceId": "RE" + "0" * 32}, INVALID, None),
    "source and media without input": ({"inputSource": None, "sourceId": "RE" + "0" * 32}, INVALID, None),
    "media input with a source": ({"mediaUrl": None, "sourceId": "RE" + "0" * 32}, INVALID, None),
    "source id input with media": ({"inputSource": "SOURCE_ID"}, INVALID, None),
    "participant channel 3": ({"participants": [{"audioChannelIndex": 3}]}, INVALID, "audioChannelIndex"),
    "unknown key": ({"recordingSid": "RE" + "0" * 32}, INVALID, "recordingSid"),
}


@pytest.mark.parametrize("bad_body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_a_bad_media_url_body_is_refused_and_makes_nothing(
    account: TestAccount, bad_body: tuple[dict[str, Any], int, str | None]
) -> None:
    change, code, mentions = bad_body
    payload = {
        name: value
        for name, value in (media_body(new_configuration(account), EXAMPLE_URL) | change).items()
        if value is not None
    }
    assert_problem(post_v3(account, payload), 400, code, mentions=mentions)
    assert account.client.voice.v3.transcriptions.list() == []


def test_the_sdk_s_nulls_for_both_sources_are_17500(account: TestAccount) -> None:
    """The SDK sends null for every key left out: a request with neither source is 17500."""
    request = TranscriptionList.CreateV3TranscriptionsRequest(
        {"transcriptionConfigurationId": new_configuration(account), "inputSource": "MEDIA_URL"}
    )
    sdk_problem(lambda: account.client.voice.v3.transcriptions.create(request), 400, MISSING_SOURCE)


def test_a_media_url_of_2048_characters_is_accepted(account: TestAccount, webapp: WebApp) -> None:
    base = webapp.url("/media/absent.wav?pad=")
    media_url = base + "a" * (MAX_URL_CHARS - len(base))
    made = create(account, media_body(new_configuration(account), media_url))
    assert made["mediaUrl"] == media_url
    assert finished_job(account, made["id"])["errorCode"] == HTTP_ERROR  # the WebApp has no such path


def test_an_unknown_configuration_is_17501(account: TestAccount) -> None:
    unknown = "voice_transcriptionconfiguration_" + "0" * 26
    assert_problem(post_v3(account, media_body(unknown, EXAMPLE_URL)), 400, UNKNOWN_CONFIGURATION)


@pytest.mark.parametrize("setting", ["pci_mode", "hipaa"])
def test_a_pci_or_hipaa_account_is_refused_media_url_transcription(
    account: TestAccount, webapp: WebApp, setting: str
) -> None:
    media_url = webapp.respond(MEDIA_PATH, _silence(3.0), content_type="audio/wav")
    configuration_id = new_configuration(account)
    set_media_setting(account, setting, True)
    assert_problem(post_v3(account, media_body(configuration_id, media_url)), 403, REFUSED)
    request = TranscriptionList.CreateV3TranscriptionsRequest(media_body(configuration_id, media_url))
    sdk_problem(lambda: account.client.voice.v3.transcriptions.create(request), 403, REFUSED)
    assert account.client.voice.v3.transcriptions.list() == []
    if setting == "hipaa":  # PCI mode is one-way; HIPAA can be turned off by the owner
        set_media_setting(account, setting, False)
        assert post_v3(account, media_body(configuration_id, media_url)).status_code == 202
        # Nothing was fetched for the refused requests: one GET, by the job the last create made.
        webapp.wait_for(MEDIA_PATH, timeout_s=TRANSCRIBE_WAIT_S)
        assert webapp.count(MEDIA_PATH) == 1
    else:
        assert webapp.count(MEDIA_PATH) == 0


# === idempotency, list and fetch ========================================================================


def test_an_idempotency_key_replays_a_media_url_create(account: TestAccount, webapp: WebApp) -> None:
    configuration_id = new_configuration(account)
    media_url = webapp.url("/media/absent.wav")
    key = str(uuid.uuid4())
    # inputSource left out is MEDIA_URL when mediaUrl is given and sourceId is not.
    first = create(account, {"transcriptionConfigurationId": configuration_id, "mediaUrl": media_url}, key)
    assert first["mediaUrl"] == media_url
    replay = post_v3(account, media_body(configuration_id, media_url), key)
    assert replay.status_code == 202, replay.text
    assert (replay.json()["transcription"]["id"], replay.headers["Idempotency-Key"]) == (first["id"], key)
    request = TranscriptionList.CreateV3TranscriptionsRequest(media_body(configuration_id, media_url))
    again = account.client.voice.v3.transcriptions.create(request, idempotency_key=key)
    assert again.transcription["id"] == first["id"]
    # The same key with another body is refused.
    other = media_body(configuration_id, webapp.url("/media/other.wav"))
    assert_problem(post_v3(account, other, key), 422, INVALID)
    assert [item.id for item in account.client.voice.v3.transcriptions.list()] == [first["id"]]


def test_the_v3_list_and_fetch_show_media_url_jobs_and_the_source_filter_does_not(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    configuration_id = new_configuration(account)
    recording_sid = completed_recording(account, webapp, 3.0, RecordingChannels="dual")[1]
    by_source = create(account, {"transcriptionConfigurationId": configuration_id, "sourceId": recording_sid})
    media_url = webapp.url("/media/absent.wav")
    by_media = create(account, media_body(configuration_id, media_url))
    finished_job(account, by_media["id"])

    transcriptions = account.client.voice.v3.transcriptions
    listed = transcriptions.list()
    assert [item.id for item in listed] == [by_media["id"], by_source["id"]]
    assert (listed[0].media_url, listed[0].source_id) == (media_url, None)
    assert (listed[1].media_url, listed[1].source_id) == (None, recording_sid)
    assert [item.id for item in transcriptions.list(source_id=recording_sid)] == [by_source["id"]]
    assert by_media["id"] in [item.id for item in transcriptions.list(status="FAILED")]
    page = ok_json(account.http.get(V3, params={"pageSize": 1}))
    assert [item["id"] for item in page["transcriptions"]] == [by_media["id"]]
    assert set(page["transcriptions"][0]) == TRANSCRIPTION_FIELDS

    fetched = transcriptions(by_media["id"]).fetch()
    assert (fetched.operation_id, fetched.status) == (by_media["id"], "FAILED")
    assert (fetched.transcription["mediaUrl"], fetched.transcription["sourceId"]) == (media_url, None)
    assert [(p["audioChannelIndex"], p["type"]) for p in fetched.transcription["participants"]] == [
        (1, "CUSTOMER"),
        (2, "HUMAN_AGENT"),
    ]
    # Another account neither fetches nor lists it.
    assert_problem(other_account.http.get(f"{V3}/{by_media['id']}"), 404, 20404)
    assert other_account.client.voice.v3.transcriptions.list() == []
