"""Calls from real SIP user agents (issue 15): sipp calls a SIP Domain over loopback with RTP it
plays from a pcap this test made (a PCMU tone, then an RFC 4733 key press); the domain's VoiceUrl
runs with Twilio's SIP parameters, records the call and gathers the key; the recording is analysed:
sipp's tone on the caller's channel, the app's ``<Play>`` on the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from twilio.rest import Client

from phonograph.testing.audio import Audio, dominant_frequency_hz
from phonograph.testing.kit import wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import Hit, WebApp
from tests.support.rtp_pcap import RtpStreamWriter, tone
from tests.test_sip_edge import (
    PASSWORD,
    domain_options,
    free_sip_port,
    free_udp_port,
    main_client,
    passed,
    sipp,
)
from tests.test_twiml_record_verb import tone_url

PHONE_HZ = 1000
APP_HZ = 440
RATE_HZ = 8000


@pytest.fixture
def sip_app_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int, WebApp]]:
    """A server with SIP on, at real time (RTP comes at real time), and the app it calls."""
    yield from serving_sip(tmp_path, {})


def serving_sip(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[ServerProcess, int, WebApp]]:
    """A server with SIP on (and ``env``), its SIP port, and the app it calls."""
    port = free_sip_port()
    server = ServerProcess(tmp_path / "data", {"PHONOGRAPH_SIP_PORT": str(port), **env}).start()
    try:
        with WebApp(auth_token=server.credentials.auth_token) as app:
            yield server, port, app
            assert not app.errors, "\n".join(app.errors)
    finally:
        server.stop()


def phone_pcap(tmp_path: Path) -> Path:
    """What the sipp phone sends: 2 s of its tone, the key 5, then 1 s more of its tone."""
    stream = RtpStreamWriter()
    stream.audio(tone(PHONE_HZ, 2.0))
    stream.key("5")
    stream.audio(tone(PHONE_HZ, 1.0))
    return stream.write_pcap(tmp_path / "phone.pcap")


def open_domain(client: Client, name: str, voice_url: str, status_callback: str | None = None) -> Any:
    """A domain running ``voice_url`` that lets calls from loopback in (an IP access control list)."""
    domain = client.sip.domains.create(
        domain_name=name, voice_url=voice_url, voice_status_callback_url=status_callback
    )
    addresses = client.sip.ip_access_control_lists.create(friendly_name="loopback")
    client.sip.ip_access_control_lists(addresses.sid).ip_addresses.create(
        friendly_name="here", ip_address="127.0.0.1"
    )
    client.sip.domains(domain.sid).auth.calls.ip_access_control_list_mappings.create(
        ip_access_control_list_sid=addresses.sid
    )
    return domain


def recording_audio(server: ServerProcess, sid: str) -> Audio:
    credentials = server.credentials
    wav = httpx.get(
        f"{server.base_url}/2010-04-01/Accounts/{credentials.account_sid}/Recordings/{sid}.wav",
        auth=(credentials.account_sid, credentials.auth_token),
    )
    return Audio.from_wav(wav.content)


def call_options(domain: str) -> tuple[str, ...]:
    # sipp's RTP port: a free one, not its default 6000, since tests run side by side.
    return (*domain_options(domain), "-mp", str(free_udp_port()), "-mi", "127.0.0.1")


def test_a_sip_phone_calls_a_domain_and_its_call_is_recorded_with_each_party_on_its_channel(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    recorded = app.respond("/recorded", b"")
    app.twiml("/pressed", "<Response><Pause length='30'/></Response>")
    voice = app.twiml(
        "/voice",
        "<Response>"
        f"<Start><Recording recordingChannels='dual' recordingStatusCallback='{recorded}'/></Start>"
        f"<Play>{tone_url(app, APP_HZ, 1.5)}</Play>"
        f"<Gather numDigits='1' timeout='20' action='{app.url('/pressed')}'/>"
        "</Response>",
    )
    domain = open_domain(client, "desk.sip.twilio.com", voice)

    pcap = phone_pcap(tmp_path)
    done = sipp(
        "call_domain.xml",
        port,
        tmp_path,
        *call_options(domain.domain_name),
        fill={"PCAP": str(pcap), "PAUSE_MS": "4500"},
    )
    passed(done)

    [hit] = app.hits("/voice")
    params = hit.params()
    assert hit.signature_valid
    assert params["To"] == "sip:alice@desk.sip.twilio.com"
    assert params["From"].startswith("sip:caller@127.0.0.1:")
    assert params["Direction"] == "inbound"
    assert (params["SipDomain"], params["SipDomainSid"]) == ("desk.sip.twilio.com", domain.sid)
    assert params["SipSourceIp"] == "127.0.0.1"
    assert params["SipHeader_X-Ticket"] == "T-1234"
    assert params["SipCallId"]
    [pressed] = app.wait_for("/pressed")
    assert pressed.param("Digits") == "5"

    call = wait_for_call(client, params["CallSid"])
    assert (call.status, call.direction, call.to, call._from) == (
        "completed",
        "inbound",
        "sip:alice@desk.sip.twilio.com",
        params["From"],
    )
    [finished] = app.wait_for("/recorded", lambda hit: hit.param("RecordingStatus") == "completed")
    audio = recording_audio(server, str(finished.param("RecordingSid")))
    assert audio.channels == 2
    # Nothing of the call is left on the media clock (the phone's leg went with its BYE).
    credentials = server.credentials
    media = httpx.get(
        f"{server.base_url}/phonograph/v1/Media", auth=(credentials.account_sid, credentials.auth_token)
    )
    assert media.json()["legs"] == 0
    # The phone's tone on the caller's channel (1), from its first seconds; the app's on the other.
    assert abs(dominant_frequency_hz(audio.between(0.2, 1.8).channel(1), RATE_HZ) - PHONE_HZ) < 5
    assert abs(dominant_frequency_hz(audio.between(0.2, 1.4).channel(2), RATE_HZ) - APP_HZ) < 5
    assert float(np.abs(audio.between(0.2, 1.4).channel(1)).mean()) > 1000


GOODBYE = "<Response><Say>Goodbye.</Say><Hangup/></Response>"


def slow_app(_hit: Hit) -> str:
    time.sleep(3)
    return "<Response><Say>Too late.</Say></Response>"


@pytest.mark.parametrize(
    ("twiml", "scenario", "final", "status", "sip_code"),
    [
        (GOODBYE, "call_domain_ended.xml", None, "completed", "200"),
        ("<Response><Hangup/></Response>", "call_domain_ended.xml", None, "completed", "200"),
        ("<Response><Reject reason='busy'/></Response>", "invite_domain.xml", "486", "busy", "486"),
        ("<Response><Reject/></Response>", "invite_domain.xml", "603", "no-answer", "487"),
        (None, "call_domain_canceled.xml", None, "canceled", "487"),
    ],
    ids=["app-hangs-up", "app-hangs-up-at-once", "reject-busy", "reject", "phone-cancels"],
)
def test_each_way_a_sip_call_ends_has_its_sip_answer_and_its_twilio_status(
    sip_app_server: tuple[ServerProcess, int, WebApp],
    tmp_path: Path,
    twiml: str | None,
    scenario: str,
    final: str | None,
    status: str,
    sip_code: str,
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    events = app.respond("/status", b"")
    # None: an app that answers only after the phone gave up (sipp cancels 0.5 s into ringing).
    voice = app.twiml("/voice", twiml if twiml is not None else slow_app)
    domain = open_domain(client, "ends.sip.twilio.com", voice, status_callback=events)
    passed(sipp(scenario, port, tmp_path, *call_options(domain.domain_name), final=final))
    [ended] = app.wait_for("/status", lambda hit: hit.param("CallStatus") == status)
    assert ended.signature_valid
    assert (ended.param("SipResponseCode"), ended.param("To")) == (sip_code, "sip:alice@ends.sip.twilio.com")
    assert wait_for_call(client, str(ended.param("CallSid"))).status == status


@pytest.mark.parametrize(
    ("scenario", "transport", "alice"),
    [
        ("call_domain_digest.xml", (), True),  # a credential list: 407, then the call
        ("call_domain.xml", ("-t", "t1"), False),  # SIP over TCP (RTP stays UDP)
        ("call_domain_hold.xml", (), False),  # re-INVITEs: hold, then resume
    ],
    ids=["digest", "tcp", "hold"],
)
def test_a_sip_call_with_digest_over_tcp_or_put_on_hold_runs_its_app_and_is_recorded(
    sip_app_server: tuple[ServerProcess, int, WebApp],
    tmp_path: Path,
    scenario: str,
    transport: tuple[str, ...],
    alice: bool,
) -> None:
    server, port, app = sip_app_server
    client = main_client(server)
    recorded = app.respond("/recorded", b"")
    voice = app.twiml(
        "/voice",
        f"<Response><Start><Recording recordingStatusCallback='{recorded}'/></Start>"
        "<Pause length='30'/></Response>",
    )
    if alice:
        domain = client.sip.domains.create(domain_name="agents.sip.twilio.com", voice_url=voice)
        credentials = client.sip.credential_lists.create(friendly_name="agents")
        client.sip.credential_lists(credentials.sid).credentials.create(username="alice", password=PASSWORD)
        client.sip.domains(domain.sid).auth.calls.credential_list_mappings.create(
            credential_list_sid=credentials.sid
        )
    else:
        domain = open_domain(client, "desk.sip.twilio.com", voice)
    stream = RtpStreamWriter()
    stream.audio(tone(PHONE_HZ, 1.0))
    pcap = stream.write_pcap(tmp_path / "phone.pcap")
    options = (*transport, *call_options(domain.domain_name))
    passed(sipp(scenario, port, tmp_path, *options, fill={"PCAP": str(pcap), "PAUSE_MS": "1500"}))
    [hit] = app.hits("/voice")
    if alice:
        assert hit.param("SipUsername") == "alice"
    [finished] = app.wait_for("/recorded", lambda hit: hit.param("RecordingStatus") == "completed")
    audio = recording_audio(server, str(finished.param("RecordingSid")))
    # The phone's second of tone, in the recording's mono mix.
    loud = np.flatnonzero(np.abs(audio.channel(1)) > 1000)
    start = int(loud[0])
    assert 0.95 * RATE_HZ < loud[-1] - start < 1.1 * RATE_HZ
    assert abs(dominant_frequency_hz(audio.channel(1)[start : start + 4000], RATE_HZ) - PHONE_HZ) < 5
    assert wait_for_call(client, str(hit.param("CallSid"))).status == "completed"
