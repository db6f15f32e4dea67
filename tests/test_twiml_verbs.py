"""What each TwiML verb does on a live call, checked on the captured audio and on the webhooks.

Behaviour is Twilio's, verb by verb: https://www.twilio.com/docs/voice/twiml/{say,play,pause,
redirect,hangup,reject}. ``<Gather>`` has its own file (``test_twiml_gather.py``); an app that
fails has ``test_app_failures.py``.
"""

from __future__ import annotations

import itertools
import uuid

import lameenc
import numpy as np
import numpy.typing as npt
import pytest

from phonograph.testing.audio import active_spans, detect_dtmf, dominant_frequency_hz, has_speech
from phonograph.testing.kit import fresh_number, wait_for_call
from phonograph.testing.webapp import WebApp, valid_signature
from tests.conftest import TestAccount
from tests.support.callflow import CALLER, assert_standard_request, outbound_of, place
from tests.support.calls import pcm_wav, tone_wav, tracks
from tests.support.notifications import WARNING, call_notifications

RATE_HZ = 8000
SENTENCE = "Your appointment is confirmed for Tuesday at three."


def active_s(samples: npt.NDArray[np.int16]) -> float:
    """Seconds of the track above the activity threshold."""
    return sum(end - start for start, end in active_spans(samples, RATE_HZ))


def sine(frequency_hz: float, duration_s: float, rate_hz: int) -> npt.NDArray[np.int16]:
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    return (0.5 * 32767 * np.sin(2 * np.pi * frequency_hz * t)).astype("<i2")


def tone_mp3(frequency_hz: float, duration_s: float, rate_hz: int) -> bytes:
    """A mono MP3 of a sine tone, encoded here with LAME (independently of the server's decoder)."""
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(rate_hz)
    encoder.set_channels(1)
    encoder.set_bit_rate(64)
    encoder.set_quality(2)
    return bytes(encoder.encode(sine(frequency_hz, duration_s, rate_hz).tobytes()) + encoder.flush())


def burst_wav(frequency_hz: float, tone_s: float, silence_s: float, rate_hz: int = 16_000) -> bytes:
    """A WAV holding a tone and then silence, so that each loop of it is a burst of its own."""
    samples = np.concatenate([sine(frequency_hz, tone_s, rate_hz), np.zeros(int(silence_s * rate_hz), "<i2")])
    return pcm_wav(samples, rate_hz)


def unique(path: str) -> str:
    """``path`` made unique: the server caches Play audio by URL, and webapp ports get reused."""
    stem, dot, extension = path.rpartition(".")
    return f"{stem}-{uuid.uuid4().hex}{dot}{extension}"


# -- <Say> ---------------------------------------------------------------------------------------


def test_say_speaks_on_the_outbound_track_and_the_call_completes_at_the_end(account: TestAccount) -> None:
    sid = place(account, f"<Response><Say>{SENTENCE}</Say></Response>")
    done = wait_for_call(account.client, sid)
    assert done.status == "completed"
    inbound, outbound = tracks(account.http, sid)
    assert has_speech(outbound, RATE_HZ)
    assert not has_speech(inbound, RATE_HZ)  # the silent line said nothing


def test_say_accepts_twilio_voices_and_languages(account: TestAccount) -> None:
    twiml = (
        "<Response>"
        "<Say voice='woman' language='fr-FR'>Bonjour et bienvenue chez nous.</Say>"
        "<Say voice='Polly.Joanna'>Hello from a Polly voice.</Say>"
        "<Say voice='Google.de-DE-Standard-A' language='de-DE'>Guten Tag und auf Wiedersehen.</Say>"
        "<Say voice='alice' language='en-GB'>Good afternoon.</Say>"
        "</Response>"
    )
    sid = place(account, twiml)
    outbound = outbound_of(account, sid)
    # has_speech counts only the frames that look like speech (about half of espeak's, and how many
    # depends on where the 32 ms frames fall); the active seconds show all four sentences were said.
    assert has_speech(outbound, RATE_HZ, min_duration_s=1.0)
    assert active_s(outbound) >= 3.5
    assert call_notifications(account.client, sid) == []


def test_say_loop_2_speaks_twice_as_long_as_loop_1(account: TestAccount) -> None:
    once = place(account, f"<Response><Say>{SENTENCE}</Say></Response>")
    twice = place(account, f"<Response><Say loop='2'>{SENTENCE}</Say></Response>")
    ratio = active_s(outbound_of(account, twice)) / active_s(outbound_of(account, once))
    assert 1.9 <= ratio <= 2.1


def test_a_long_say_is_heard_whole_as_if_said_in_parts(account: TestAccount) -> None:
    """Text longer than one synthesis piece is spoken piece by piece: nothing lost, nothing twice."""
    clauses = [f"Clause {n} of the terms you agreed to applies to this call." for n in range(10)]
    whole = place(account, f"<Response><Say>{' '.join(clauses)}</Say></Response>")
    parts = place(
        account,
        "<Response>"
        + "".join(f"<Say>{' '.join(clauses[n : n + 2])}</Say>" for n in range(0, 10, 2))
        + "</Response>",
    )
    ratio = active_s(outbound_of(account, whole)) / active_s(outbound_of(account, parts))
    assert 0.95 <= ratio <= 1.05


# -- <Play> --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "frequency_hz"),
    [("tone.wav", "audio/wav", 700.0), ("tone.mp3", "audio/mpeg", 1100.0)],
)
def test_play_decodes_wav_and_mp3_at_other_sample_rates(
    account: TestAccount, webapp: WebApp, name: str, content_type: str, frequency_hz: float
) -> None:
    audio = (
        tone_wav(frequency_hz, 1.0, rate_hz=22_050)
        if name.endswith(".wav")
        else tone_mp3(frequency_hz, 1.0, 44_100)
    )
    url = webapp.respond(unique(f"/{name}"), audio, content_type=content_type)
    outbound = outbound_of(account, place(account, f"<Response><Play>{url}</Play></Response>"))
    assert abs(dominant_frequency_hz(outbound, RATE_HZ) - frequency_hz) < 5
    assert 0.9 <= active_s(outbound) <= 1.1


def test_play_loop_3_plays_the_file_three_times(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.respond(unique("/burst.wav"), burst_wav(600, 0.4, 0.3), content_type="audio/wav")
    outbound = outbound_of(account, place(account, f"<Response><Play loop='3'>{url}</Play></Response>"))
    spans = active_spans(outbound, RATE_HZ)
    assert len(spans) == 3, spans
    assert all(abs((end - start) - 0.4) <= 0.05 for start, end in spans), spans
    starts = [start for start, _ in spans]
    assert all(abs((later - earlier) - 0.7) <= 0.05 for earlier, later in itertools.pairwise(starts)), spans


def test_play_digits_sends_dtmf(account: TestAccount) -> None:
    outbound = outbound_of(account, place(account, "<Response><Play digits='12#'/></Response>"))
    assert detect_dtmf(outbound, RATE_HZ) == "12#"


def test_an_audio_file_in_place_of_twiml_is_played(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.respond(unique("/answer.wav"), tone_wav(900, 1.0), content_type="audio/wav")
    outbound = outbound_of(account, place(account, url=url))
    assert abs(dominant_frequency_hz(outbound, RATE_HZ) - 900) < 5


def test_audio_with_max_age_is_fetched_once_for_two_calls(account: TestAccount, webapp: WebApp) -> None:
    path = unique("/hold.wav")
    url = webapp.respond(
        path, tone_wav(500, 0.5), content_type="audio/wav", headers={"Cache-Control": "max-age=600"}
    )
    for _ in range(2):
        outbound = outbound_of(account, place(account, f"<Response><Play>{url}</Play></Response>"))
        assert abs(dominant_frequency_hz(outbound, RATE_HZ) - 500) < 5
    assert webapp.count(path) == 1


def test_audio_with_an_etag_and_no_max_age_is_revalidated(account: TestAccount, webapp: WebApp) -> None:
    path = unique("/hold.wav")
    url = webapp.respond(path, tone_wav(500, 0.5), content_type="audio/wav", etag="v1")
    for _ in range(2):
        outbound = outbound_of(account, place(account, f"<Response><Play>{url}</Play></Response>"))
        assert abs(dominant_frequency_hz(outbound, RATE_HZ) - 500) < 5
    first, second = webapp.hits(path)
    assert (first.status, second.status) == (200, 304)
    assert second.headers.get("If-None-Match") == '"v1"'


def test_audio_that_cannot_be_fetched_is_skipped_with_a_notification(
    account: TestAccount, webapp: WebApp
) -> None:
    missing = webapp.url(unique("/missing.wav"))
    after = webapp.twiml("/after", "<Response><Say>Still here.</Say></Response>")
    sid = place(account, f"<Response><Play>{missing}</Play><Redirect>{after}</Redirect></Response>")
    webapp.wait_for("/after")
    assert has_speech(outbound_of(account, sid), RATE_HZ)
    [notice] = call_notifications(account.client, sid)
    assert (notice.error_code, notice.log, notice.request_url) == (11200, WARNING, missing)


# -- <Pause> -------------------------------------------------------------------------------------


def test_pause_is_silence_of_its_length_between_two_sounds(account: TestAccount) -> None:
    twiml = "<Response><Play digits='1'/><Pause length='2'/><Play digits='2'/></Response>"
    outbound = outbound_of(account, place(account, twiml))
    [(_, first_end), (second_start, _)] = active_spans(outbound, RATE_HZ)
    assert abs((second_start - first_end) - 2.0) <= 0.1


# -- <Redirect> ----------------------------------------------------------------------------------


def test_redirect_to_an_absolute_url_posts_and_runs_its_twiml(account: TestAccount, webapp: WebApp) -> None:
    target = webapp.twiml("/next", f"<Response><Say>{SENTENCE}</Say></Response>")
    to = fresh_number()
    sid = place(account, f"<Response><Redirect>{target}</Redirect><Hangup/></Response>", to=to)
    [hit] = webapp.wait_for("/next")
    assert hit.method == "POST"
    assert_standard_request(hit, account, sid, to)
    assert has_speech(outbound_of(account, sid), RATE_HZ)


def test_redirect_to_relative_urls_with_get_and_post(account: TestAccount, webapp: WebApp) -> None:
    start = webapp.twiml("/ivr/start", "<Response><Redirect method='GET'>next?step=2</Redirect></Response>")
    webapp.twiml("/ivr/next", "<Response><Redirect method='POST'>../done</Redirect></Response>")
    webapp.twiml("/done", f"<Response><Say>{SENTENCE}</Say></Response>")
    to = fresh_number()
    sid = place(account, url=start, to=to)
    [following] = webapp.wait_for("/ivr/next")
    assert following.method == "GET"
    assert following.form == {}
    assert following.query["step"] == ["2"]
    assert_standard_request(following, account, sid, to)
    [done] = webapp.wait_for("/done")
    assert done.method == "POST"
    assert_standard_request(done, account, sid, to)
    assert has_speech(outbound_of(account, sid), RATE_HZ)


# -- <Hangup>, <Reject> and the end of the document ----------------------------------------------


def test_hangup_completes_the_call_and_nothing_after_it_runs(account: TestAccount, webapp: WebApp) -> None:
    after = webapp.twiml("/after", "<Response/>")
    sid = place(account, f"<Response><Say>{SENTENCE}</Say><Hangup/><Redirect>{after}</Redirect></Response>")
    outbound = outbound_of(account, sid)
    assert has_speech(outbound, RATE_HZ)
    assert webapp.count("/after") == 0


def test_reject_busy_ends_the_callers_call_busy(account: TestAccount, webapp: WebApp) -> None:
    number = fresh_number()
    voice_url = webapp.twiml(
        "/incoming", "<Response><Reject reason='busy'/><Say>Never said.</Say></Response>"
    )
    account.client.incoming_phone_numbers.create(phone_number=number, voice_url=voice_url)
    sid = place(account, f"<Response><Say>{SENTENCE}</Say></Response>", to=number)
    done = wait_for_call(account.client, sid)
    assert done.status == "busy"
    [hit] = webapp.wait_for("/incoming")
    params = hit.params()
    assert (params["To"], params["From"], params["Direction"], params["CallStatus"]) == (
        number,
        CALLER,
        "inbound",
        "ringing",
    )
    assert params["CallSid"] != sid
    assert valid_signature(hit, account.auth_token)
    inbound, outbound = tracks(account.http, sid)
    assert not has_speech(outbound, RATE_HZ)  # the caller's TwiML never ran
    assert not has_speech(inbound, RATE_HZ)
