"""A real user agent on phonograph's SIP port (issue 15): baresip registers to a SIP Domain with a
credential list's password and is called by ``<Dial><Sip>sip:alice@…</Sip>``; it calls a domain
in, answering the digest challenge. Each way, both directions carry audio, checked by analysis: the
recording has each party's tone on its channel, and what baresip heard has phonograph's."""

from __future__ import annotations

from pathlib import Path

from phonograph.testing.audio import dominant_frequency_hz
from phonograph.testing.kit import wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.support.baresip import CALL_ENDED, REGISTERED, Baresip
from tests.test_sip_calls import RATE_HZ, recording_audio, sip_app_server
from tests.test_sip_dial import CALLER_HZ, caller_phone
from tests.test_sip_edge import PASSWORD, main_client, registration_domain
from tests.test_twiml_record_verb import tone_url

__all__ = ["caller_phone", "sip_app_server"]

PHONE_HZ = 880
APP_HZ = 1000


def assert_tone(audio_hz: float, expected_hz: int) -> None:
    assert abs(audio_hz - expected_hz) < 5, (audio_hz, expected_hz)


def test_baresip_registers_and_is_called_by_dial_sip_and_each_side_hears_the_other(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    domain = registration_domain(client, "phones.sip.twilio.com")
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    phone = Baresip(
        tmp_path / "baresip",
        f"sip:alice@{domain}",
        port,
        PHONE_HZ,
        f"auth_pass={PASSWORD};regint=600;answermode=auto;audio_codecs=PCMU",
    )
    with phone:
        phone.wait_for(REGISTERED)
        twiml = (
            f"<Response><Dial action='{dialed}' timeLimit='3' record='record-from-answer-dual'>"
            f"<Sip>sip:alice@{domain}</Sip></Dial></Response>"
        )
        call = client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
        phone.wait_for(CALL_ENDED)
    assert wait_for_call(client, call.sid).status == "completed"
    [hit] = app.wait_for("/dialed")
    assert (hit.param("DialCallStatus"), hit.param("DialSipResponseCode")) == ("completed", "200")
    recording = recording_audio(server, str(hit.param("RecordingSid")))
    assert_tone(dominant_frequency_hz(recording.between(0.5, 2.5).channel(1), RATE_HZ), CALLER_HZ)
    assert_tone(dominant_frequency_hz(recording.between(0.5, 2.5).channel(2), RATE_HZ), PHONE_HZ)
    heard = phone.dump("dec")
    assert_tone(dominant_frequency_hz(heard.between(0.5, 2.5).channel(1), RATE_HZ), CALLER_HZ)


def test_baresip_calls_a_domain_in_with_its_password_and_each_side_hears_the_other(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    recorded = app.respond("/recorded", b"")
    voice = app.twiml(
        "/voice",
        "<Response>"
        f"<Start><Recording recordingChannels='dual' recordingStatusCallback='{recorded}'/></Start>"
        f"<Play>{tone_url(app, APP_HZ, 3)}</Play><Hangup/>"
        "</Response>",
    )
    domain = client.sip.domains.create(domain_name="desk.sip.twilio.com", voice_url=voice)
    users = client.sip.credential_lists.create(friendly_name="desk phones")
    client.sip.credential_lists(users.sid).credentials.create(username="alice", password=PASSWORD)
    client.sip.domains(domain.sid).auth.calls.credential_list_mappings.create(credential_list_sid=users.sid)
    phone = Baresip(
        tmp_path / "baresip",
        f"sip:alice@{domain.domain_name}",
        port,
        PHONE_HZ,
        f"auth_pass={PASSWORD};regint=0;audio_codecs=PCMU",
        commands=(f"/dial sip:+15550102030@{domain.domain_name}",),
    )
    with phone:
        phone.wait_for(CALL_ENDED)
    [hit] = app.wait_for("/voice")
    assert (hit.param("SipUsername"), hit.param("To")) == ("alice", "sip:+15550102030@desk.sip.twilio.com")
    assert wait_for_call(client, str(hit.param("CallSid"))).status == "completed"
    [done] = app.wait_for("/recorded", lambda hit: hit.param("RecordingStatus") == "completed")
    recording = recording_audio(server, str(done.param("RecordingSid")))
    assert_tone(dominant_frequency_hz(recording.between(0.5, 2.5).channel(1), RATE_HZ), PHONE_HZ)
    assert_tone(dominant_frequency_hz(recording.between(0.5, 2.5).channel(2), RATE_HZ), APP_HZ)
    heard = phone.dump("dec")
    assert_tone(dominant_frequency_hz(heard.between(0.5, 2.5).channel(1), RATE_HZ), APP_HZ)
