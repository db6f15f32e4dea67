"""The call engine end to end: the SDK creates calls, virtual phones answer, audio is analysed."""

from __future__ import annotations

from phonograph.testing.audio import detect_dtmf, dominant_frequency_hz, has_speech
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.calls import tone_wav, tracks


def test_a_phone_playing_a_tone_is_heard_on_the_inbound_track(account: TestAccount, webapp: WebApp) -> None:
    tone_url = webapp.respond("/tone.wav", tone_wav(440, 2.0), content_type="audio/wav")
    add_phone(account.http, "+15550100001", f"<Response><Play>{tone_url}</Play></Response>", answer_after_s=0)
    call = account.client.calls.create(
        to="+15550100001",
        from_="+15550109999",
        twiml="<Response><Say>Hello there, how are you today?</Say><Pause length='2'/></Response>",
    )
    done = wait_for_call(account.client, call.sid)
    assert done.status == "completed"
    inbound, outbound = tracks(account.http, call.sid)
    assert abs(dominant_frequency_hz(inbound, 8000) - 440) < 5
    assert has_speech(outbound, 8000)


def test_gather_receives_the_digits_a_phone_plays(account: TestAccount, webapp: WebApp) -> None:
    add_phone(
        account.http,
        "+15550100002",
        "<Response><Pause length='1'/><Play digits='4271#'/></Response>",
        answer_after_s=0,
    )
    action = webapp.twiml("/gathered", "<Response><Say>Thanks</Say></Response>")
    call = account.client.calls.create(
        to="+15550100002",
        from_="+15550109999",
        twiml=f"<Response><Gather action='{action}' timeout='5'>"
        "<Say>Enter your code then press pound</Say></Gather></Response>",
    )
    [hit] = webapp.wait_for("/gathered")
    assert hit.param("Digits") == "4271"
    assert hit.param("CallSid") == call.sid
    assert webapp.valid_signature(hit, account.auth_token)
    wait_for_call(account.client, call.sid)
    inbound, _ = tracks(account.http, call.sid)
    assert detect_dtmf(inbound, 8000) == "4271#"
