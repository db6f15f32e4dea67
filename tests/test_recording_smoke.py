"""Record=true end to end: the recording's two channels hold the two parties (checked by FFT)."""

from __future__ import annotations

from phonograph.testing.audio import dominant_frequency_hz, read_wav
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount
from tests.support.calls import tone_wav
from tests.support.recordings import finished_recordings


def test_record_true_dual_puts_the_far_end_on_channel_1(account: TestAccount, webapp: WebApp) -> None:
    phone_tone = webapp.respond("/phone.wav", tone_wav(440, 3.0), content_type="audio/wav")
    app_tone = webapp.respond("/app.wav", tone_wav(1000, 3.0), content_type="audio/wav")
    add_phone(
        account.http, "+15550101001", f"<Response><Play>{phone_tone}</Play></Response>", answer_after_s=0
    )
    call = account.client.calls.create(
        to="+15550101001",
        from_="+15550109999",
        twiml=f"<Response><Play>{app_tone}</Play></Response>",
        record=True,
        recording_channels="dual",
    )
    wait_for_call(account.client, call.sid)
    [recording] = finished_recordings(account, call.sid)
    assert recording.status == "completed"
    assert recording.channels == 2
    assert recording.source == "OutboundAPI"
    media = account.http.get(f"/2010-04-01/Accounts/{account.sid}/Recordings/{recording.sid}.wav")
    assert media.status_code == 200, media.text
    channels, rate = read_wav(media.content)
    assert (rate, len(channels)) == (8000, 2)
    assert abs(dominant_frequency_hz(channels[0], 8000) - 440) < 5
    assert abs(dominant_frequency_hz(channels[1], 8000) - 1000) < 5
