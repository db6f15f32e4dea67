"""``<Record>`` on a live call, end to end (https://www.twilio.com/docs/voice/twiml/record;
twilio.com/docs/voice/twiml/record; twilio.com/docs/voice/twiml/record, /dial, /conference, /recording).

A virtual phone plays a 440 Hz tone and may press a key or hang up; the app's ``<Record>`` beeps,
records the caller on one channel, and asks its ``action`` what next. Each recording is checked
by analysing its WAV (length, content), and the action request by its parameters and signature.
The helpers here serve ``test_twiml_recording.py`` too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from phonograph.testing.audio import active_spans, dominant_frequency_hz, has_speech, read_wav
from phonograph.testing.kit import add_phone, fresh_number, wait_for_call
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.callflow import (
    STANDARD_PARAMS,
    assert_standard_request,
    outbound_of,
    place,
    standard_params,
)
from tests.support.calls import tone_wav, tracks
from tests.support.notifications import call_notifications
from tests.support.recordings import CALLBACK_KEYS, finished_recordings, recording_path

RATE_HZ = 8000
CALLER_HZ = 440
CALLEE_HZ = 1000
TONE_TOLERANCE_HZ = 5
# Media time from the end of a verb to the next one's taking effect: a few database round trips,
# times PHONOGRAPH_SPEED.
STOP_LATENCY_S = 0.3
BEEP_HZ = 1000
TONE_S = 2.0
THANKS = "<Response><Say>Thank you.</Say></Response>"

Samples = npt.NDArray[np.int16]


# --- helpers (shared with test_twiml_recording.py) ------------------------------------------------


def tone_url(webapp: WebApp, frequency_hz: int, duration_s: float) -> str:
    """The URL of a WAV of ``frequency_hz`` lasting ``duration_s``, served by the web app."""
    path = f"/tone-{frequency_hz}-{duration_s:g}.wav"
    return webapp.respond(path, tone_wav(frequency_hz, duration_s), content_type="audio/wav")


def phone(account: TestAccount, twiml: str | None, **fields: Any) -> str:
    """A fresh number whose virtual phone answers (at once unless told) and runs ``twiml``."""
    number = fresh_number()
    add_phone(account.http, number, twiml, **{"answer_after_s": 0, **fields})
    return number


def looping_phone(account: TestAccount, webapp: WebApp, frequency_hz: int, **fields: Any) -> str:
    """A phone that plays ``frequency_hz`` until the call ends."""
    return phone(
        account, f"<Response><Play loop='0'>{tone_url(webapp, frequency_hz, 1)}</Play></Response>", **fields
    )


def media(account: TestAccount, sid: str) -> Samples:
    """The recording's WAV as an int16 array shaped (channels, samples) at 8 kHz."""
    response = account.http.get(recording_path(account.sid, sid, ".wav"))
    assert response.status_code == 200, response.text
    channels, rate = read_wav(response.content)
    assert rate == RATE_HZ
    return channels


def seconds(samples: Samples) -> float:
    return float(samples.shape[-1]) / RATE_HZ


def whole_seconds(samples: Samples) -> int:
    """The length in whole seconds, a half rounded up as phonograph's durations are (Python's
    ``round`` takes 2.5 s down to 2, the even number: a recording stopped on a half second under
    load failed that way)."""
    return (int(samples.shape[-1]) + RATE_HZ // 2) // RATE_HZ


def assert_tone(samples: Samples, frequency_hz: int) -> None:
    found = dominant_frequency_hz(samples, RATE_HZ)
    assert abs(found - frequency_hz) < TONE_TOLERANCE_HZ, f"dominant {found:.1f} Hz, wanted {frequency_hz}"


def tone_share(samples: Samples, frequency_hz: float, width_hz: float = 20.0) -> float:
    """The share of the audio's energy within ``width_hz`` of ``frequency_hz``. No window: a window
    would weigh the middle of the audio over its ends, and tones here start and stop anywhere."""
    values = np.asarray(samples, dtype=np.float64).reshape(-1)
    power = np.abs(np.fft.rfft(values)) ** 2
    frequencies = np.fft.rfftfreq(len(values), 1 / RATE_HZ)
    total = float(power.sum())
    return float(power[np.abs(frequencies - frequency_hz) <= width_hz].sum()) / total if total else 0.0


def onset_s(samples: Samples, frequency_hz: float, block_s: float = 0.1) -> float:
    """When ``frequency_hz`` first carries most of a block's energy, in seconds from the start."""
    size = int(block_s * RATE_HZ)
    for start in range(0, samples.shape[-1] - size + 1, size):
        if tone_share(samples[start : start + size], frequency_hz, width_hz=40) > 0.3:
            return start / RATE_HZ
    raise AssertionError(f"no {frequency_hz} Hz in the audio")


def played_s(samples: Samples) -> float:
    """From the first sound to the last."""
    spans = active_spans(samples, RATE_HZ)
    assert spans, "silent"
    return spans[-1][1] - spans[0][0]


def after_s(samples: Samples) -> float:
    """How long the audio goes on after its last sound."""
    spans = active_spans(samples, RATE_HZ)
    assert spans, "silent"
    return seconds(samples) - spans[-1][1]


def speech_heard(account: TestAccount, call_sid: str) -> bool:
    """Whether the call's outbound track (what its far end heard) holds speech."""
    return has_speech(outbound_of(account, call_sid), RATE_HZ)


def notification_codes(account: TestAccount, call_sid: str, log: int) -> list[int]:
    return sorted(n.error_code for n in call_notifications(account.client, call_sid) if n.log == log)


def recording_url_path(url: str | None) -> str:
    """The path of a ``RecordingUrl``, which is absolute and has no extension
    (twilio.com/docs/voice/api/recording)."""
    assert url is not None, "no RecordingUrl"
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    assert parts.netloc, url
    return parts.path


# --- <Record> ---------------------------------------------------------------------------------


def caller(account: TestAccount, webapp: WebApp, then: str = "<Play digits='#'/>", pause: bool = True) -> str:
    """A phone that answers, stays silent two seconds (with ``pause``: so the tone starts after
    the beep, however long the call takes to start its TwiML), plays CALLER_HZ for TONE_S, then
    ``then``."""
    tone = tone_url(webapp, CALLER_HZ, TONE_S)
    wait = "<Pause length='2'/>" if pause else ""
    return phone(account, f"<Response>{wait}<Play>{tone}</Play>{then}</Response>")


def record(account: TestAccount, webapp: WebApp, number: str, attributes: str = "") -> tuple[str, Hit]:
    """Call ``number`` with ``<Record action=… {attributes}>``; (CallSid, the action request)."""
    action = webapp.twiml("/recorded", THANKS)
    sid = place(account, f"<Response><Record action='{action}' {attributes}/></Response>", to=number)
    [hit] = webapp.wait_for("/recorded")
    return sid, hit


def the_recording(account: TestAccount, sid: str, hit: Hit) -> tuple[Any, Any]:
    """(the call's one recording, its single channel), checked against the action request."""
    [recording] = finished_recordings(account, sid)
    assert (recording.status, recording.source, recording.channels) == ("completed", "RecordVerb", 1)
    assert hit.param("RecordingSid") == recording.sid
    [channel] = media(account, recording.sid)
    return recording, channel


def test_finish_on_key_ends_the_record_and_the_action_gets_the_recording(
    account: TestAccount, webapp: WebApp
) -> None:
    number = caller(account, webapp)
    sid, hit = record(account, webapp, number, "finishOnKey='#' timeout='5'")
    assert_standard_request(hit, account, sid, number)
    assert hit.method == "POST"
    assert hit.param("Digits") == "#"
    duration = hit.param("RecordingDuration")
    assert duration is not None
    assert duration.isdigit()
    recording, channel = the_recording(account, sid, hit)
    url = hit.param("RecordingUrl")
    # The RecordingUrl has no extension and serves the WAV once the recording has completed.
    assert recording_url_path(url) == recording_path(account.sid, recording.sid, "")
    fetched = account.http.get(str(url))
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["Content-Type"].startswith("audio/")
    assert_tone(channel, CALLER_HZ)
    # Trimmed of silence (the default): about the tone (plus the key's 0.1 s), not the pause before.
    assert abs(seconds(channel) - TONE_S) < 0.25
    assert recording.duration == str(whole_seconds(channel))
    # RecordingDuration is the length before trimming: the second or so of silence is in it.
    assert int(duration) >= whole_seconds(channel) + 1
    assert wait_for_call(account.client, sid).status == "completed"


def test_the_beep_goes_to_the_caller_before_the_recording_and_do_not_trim_keeps_the_silence(
    account: TestAccount, webapp: WebApp
) -> None:
    number = caller(account, webapp)
    sid, hit = record(account, webapp, number, "finishOnKey='#' trim='do-not-trim'")
    _, channel = the_recording(account, sid, hit)
    assert wait_for_call(account.client, sid).status == "completed"
    inbound, outbound = tracks(account.http, sid)
    [(beep_start_s, beep_end_s), *_] = active_spans(outbound, RATE_HZ)
    assert_tone(outbound[int(beep_start_s * RATE_HZ) : int(beep_end_s * RATE_HZ)], BEEP_HZ)
    assert 0.3 < beep_end_s - beep_start_s < 0.7
    caller_spans = active_spans(inbound, RATE_HZ)
    assert caller_spans[0][0] > beep_end_s, "the caller's tone began during the beep"
    # The recording ends with the key (the last frame of its tone) and starts once the beep has
    # ended: after it, not in it.
    assert after_s(channel) < 0.03
    started_s = caller_spans[-1][1] - seconds(channel)
    assert beep_end_s - 0.03 < started_s < beep_end_s + STOP_LATENCY_S
    assert tone_share(channel, BEEP_HZ) < 0.01
    # Not trimmed: the caller's silence before the tone is kept.
    [(tone_start_s, _), *_] = active_spans(channel, RATE_HZ)
    assert abs(tone_start_s - (caller_spans[0][0] - started_s)) < 0.03
    assert tone_start_s > 0.5


def test_play_beep_false_sends_no_beep(account: TestAccount, webapp: WebApp) -> None:
    number = caller(account, webapp)
    sid, _ = record(account, webapp, number, "finishOnKey='#' playBeep='false'")
    assert wait_for_call(account.client, sid).status == "completed"
    inbound, outbound = tracks(account.http, sid)
    key_end_s = active_spans(inbound, RATE_HZ)[-1][1]
    # The caller hears nothing until the action's "Thank you." after the key.
    assert active_spans(outbound, RATE_HZ)[0][0] >= key_end_s


def test_max_length_cuts_the_recording(account: TestAccount, webapp: WebApp) -> None:
    number = phone(account, f"<Response><Play loop='0'>{tone_url(webapp, CALLER_HZ, 1)}</Play></Response>")
    sid, hit = record(account, webapp, number, "maxLength='2'")
    assert hit.param("Digits") is None
    _, channel = the_recording(account, sid, hit)
    # Never longer than maxLength; shorter by the frames the recording took to start, if any.
    assert 2 - STOP_LATENCY_S < seconds(channel) <= 2
    assert_tone(channel, CALLER_HZ)


def test_timeout_ends_the_record_after_that_much_silence(account: TestAccount, webapp: WebApp) -> None:
    number = caller(account, webapp, then="", pause=False)
    sid, hit = record(account, webapp, number, "timeout='1' trim='do-not-trim'")
    assert hit.param("Digits") is None
    _, channel = the_recording(account, sid, hit)
    [*_, (_, tone_end_s)] = active_spans(channel, RATE_HZ)
    assert abs((seconds(channel) - tone_end_s) - 1.0) < 0.1


def test_a_silent_caller_gets_no_action_request_and_an_absent_recording(
    account: TestAccount, webapp: WebApp
) -> None:
    action = webapp.twiml("/recorded", THANKS)
    after = webapp.twiml("/after", THANKS)
    events = webapp.respond("/recording-events", b"")
    to = fresh_number()  # a silent line
    record = (
        f"<Record action='{action}' timeout='1' recordingStatusCallback='{events}' "
        "recordingStatusCallbackEvent='completed absent'/>"
    )
    twiml = f"<Response>{record}<Redirect>{after}</Redirect></Response>"
    sid = place(account, twiml, to=to)
    [hit] = webapp.wait_for("/after")
    assert_standard_request(hit, account, sid, to)
    assert wait_for_call(account.client, sid).status == "completed"
    assert webapp.count("/recorded") == 0
    [recording] = finished_recordings(account, sid)
    assert (recording.status, recording.source) == ("absent", "RecordVerb")
    assert recording.error_code in (16101, 16102)
    _, outbound = tracks(account.http, sid)
    assert has_speech(outbound, RATE_HZ)  # the redirected document's <Say>
    [absent] = webapp.wait_for("/recording-events")
    assert set(absent.params()) == CALLBACK_KEYS  # no RecordingDuration: there is no media
    assert webapp.valid_signature(absent, account.auth_token)
    assert {name: absent.param(name) for name in ("RecordingSid", "RecordingStatus", "ErrorCode")} == {
        "RecordingSid": recording.sid,
        "RecordingStatus": "absent",
        "ErrorCode": str(recording.error_code),
    }
    assert (absent.param("RecordingSource"), absent.param("RecordingChannels")) == ("RecordVerb", "1")


def test_without_an_action_the_current_document_gets_the_recording(
    account: TestAccount, webapp: WebApp
) -> None:
    number = caller(account, webapp)

    def voice(hit: Hit) -> str:
        return THANKS if hit.param("RecordingSid") else "<Response><Record finishOnKey='#'/></Response>"

    url = webapp.twiml("/voice", voice)
    sid = place(account, url=url, to=number)
    first, second = webapp.wait_for("/voice", count=2)
    assert first.param("RecordingSid") is None
    assert second.method == "POST"
    assert second.param("Digits") == "#"
    assert_standard_request(second, account, sid, number)
    the_recording(account, sid, second)


def test_a_hang_up_during_record_still_requests_the_action_with_digits_hangup(
    account: TestAccount, webapp: WebApp
) -> None:
    number = caller(account, webapp, then="<Hangup/>")
    action = webapp.twiml("/recorded", THANKS)
    sid = place(account, f"<Response><Record action='{action}'/></Response>", to=number)
    [hit] = webapp.wait_for("/recorded")
    assert hit.param("Digits") == "hangup"
    assert webapp.valid_signature(hit, account.auth_token)
    expected = {**standard_params(account, sid, number), "CallStatus": "completed"}
    assert {name: hit.param(name) for name in STANDARD_PARAMS} == expected
    _, channel = the_recording(account, sid, hit)
    assert recording_url_path(hit.param("RecordingUrl")) == recording_path(
        account.sid, hit.param("RecordingSid") or "", ""
    )
    assert_tone(channel, CALLER_HZ)
    assert abs(seconds(channel) - TONE_S) < 0.25
