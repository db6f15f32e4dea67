"""Calls between two of the account's own numbers: two TwiML apps talk with real audio.

A call to an IncomingPhoneNumber on this server starts a second call leg (direction ``inbound``)
that runs the number's VoiceUrl, as Twilio does for a call arriving at the number; each leg is
the other's far end (https://www.twilio.com/docs/voice/api/call-resource#call-direction-values).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from phonograph.testing.audio import dominant_frequency_hz
from phonograph.testing.kit import wait_for_call
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.calls import TRACKS_RATE_HZ, tone_wav, tracks

CALLER_HZ = 500  # what the API call's Url plays
CALLEE_HZ = 700  # what number B's VoiceUrl plays
TONE_TOLERANCE_HZ = 5
STANDARD_PARAMS = {
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "CallStatus",
    "Called",
    "Caller",
    "Direction",
    "From",
    "To",
}


def _unique_numbers() -> tuple[str, str]:
    # Numbers are unique on the whole server, which every test shares: draw a pair per test.
    first = 2 * secrets.randbelow(50_000)
    return f"+155504{first:05d}", f"+155504{first + 1:05d}"


@dataclass(frozen=True)
class Numbers:
    a: Any
    b: Any


def _numbers(account: TestAccount, webapp: WebApp, callee_twiml: str) -> Numbers:
    """Number A (the caller ID) and number B, whose VoiceUrl answers with ``callee_twiml``."""
    webapp.twiml("/b-voice", callee_twiml)
    webapp.respond("/b-status", b"")
    create = account.client.incoming_phone_numbers.create
    number_a, number_b = _unique_numbers()
    a = create(phone_number=number_a, voice_url=webapp.url("/a-voice"))
    b = create(
        phone_number=number_b,
        voice_url=webapp.url("/b-voice"),
        status_callback=webapp.url("/b-status"),
    )
    return Numbers(a, b)


def _tone(webapp: WebApp, frequency_hz: int, duration_s: float) -> str:
    return webapp.respond(
        f"/tone-{frequency_hz}.wav", tone_wav(frequency_hz, duration_s), content_type="audio/wav"
    )


def _call_b(account: TestAccount, webapp: WebApp, numbers: Numbers, caller_twiml: str) -> tuple[str, Any]:
    """Call B from A with a Url answering ``caller_twiml``; (the API call's sid, B's inbound leg)."""
    url = webapp.twiml("/caller", caller_twiml)
    sid: str = account.client.calls.create(
        to=numbers.b.phone_number, from_=numbers.a.phone_number, url=url
    ).sid
    [voice] = webapp.wait_for("/b-voice")
    inbound_sid = voice.param("CallSid")
    assert inbound_sid is not None
    assert inbound_sid != sid
    return sid, account.client.calls(inbound_sid).fetch()


def _assert_tone(samples: Any, frequency_hz: int) -> None:
    assert abs(dominant_frequency_hz(samples, TRACKS_RATE_HZ) - frequency_hz) < TONE_TOLERANCE_HZ


def test_two_apps_on_two_numbers_hear_each_other(account: TestAccount, webapp: WebApp) -> None:
    callee_tone = _tone(webapp, CALLEE_HZ, 2)
    numbers = _numbers(account, webapp, f"<Response><Play loop='0'>{callee_tone}</Play></Response>")
    caller_tone = _tone(webapp, CALLER_HZ, 3)
    sid, inbound = _call_b(
        account, webapp, numbers, f"<Response><Play>{caller_tone}</Play><Hangup/></Response>"
    )
    a, b = numbers.a.phone_number, numbers.b.phone_number

    assert (inbound.direction, inbound.phone_number_sid) == ("inbound", numbers.b.sid)
    assert (inbound.to, inbound._from, inbound.parent_call_sid) == (b, a, None)
    [voice] = webapp.hits("/b-voice")
    assert webapp.valid_signature(voice, account.auth_token)
    params = voice.params()
    assert {name: params.get(name) for name in STANDARD_PARAMS} == {
        "AccountSid": account.sid,
        "ApiVersion": "2010-04-01",
        "CallSid": inbound.sid,
        "CallStatus": "ringing",
        "Called": b,
        "Caller": a,
        "Direction": "inbound",
        "From": a,
        "To": b,
    }
    assert "ParentCallSid" not in params

    # The caller's app hangs up after its tone: both legs end.
    outbound = wait_for_call(account.client, sid)
    assert (outbound.status, outbound.direction) == ("completed", "outbound-api")
    ended = wait_for_call(account.client, inbound.sid)
    assert ended.status == "completed"
    assert ended.end_time is not None

    caller_inbound, caller_outbound = tracks(account.http, sid)
    callee_inbound, callee_outbound = tracks(account.http, inbound.sid)
    _assert_tone(caller_outbound, CALLER_HZ)
    _assert_tone(callee_inbound, CALLER_HZ)
    _assert_tone(callee_outbound, CALLEE_HZ)
    _assert_tone(caller_inbound, CALLEE_HZ)

    [status] = webapp.wait_for("/b-status")
    assert webapp.valid_signature(status, account.auth_token)
    assert (status.param("CallSid"), status.param("CallStatus"), status.param("Direction")) == (
        inbound.sid,
        "completed",
        "inbound",
    )
    assert (status.param("From"), status.param("To")) == (a, b)
    assert webapp.count("/a-voice") == 0


def test_the_called_app_hanging_up_completes_both_legs(account: TestAccount, webapp: WebApp) -> None:
    callee_tone = _tone(webapp, CALLEE_HZ, 1)
    numbers = _numbers(account, webapp, f"<Response><Play>{callee_tone}</Play><Hangup/></Response>")
    caller_tone = _tone(webapp, CALLER_HZ, 2)
    sid, inbound = _call_b(
        account, webapp, numbers, f"<Response><Play loop='0'>{caller_tone}</Play></Response>"
    )
    assert wait_for_call(account.client, inbound.sid).status == "completed"
    assert wait_for_call(account.client, sid).status == "completed"
    [status] = webapp.wait_for("/b-status")
    assert (status.param("CallSid"), status.param("CallStatus")) == (inbound.sid, "completed")
