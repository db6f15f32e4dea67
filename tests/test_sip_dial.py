"""``<Dial><Sip>`` over real SIP (issue 15): sipp is the callee on loopback. An answered SIP call is
bridged and recorded — the caller's tone on channel 1, sipp's RTP (from a pcap the test made) on
channel 2 — the URI's ``?X-…`` parts reach the callee as headers, phonograph ends it with a BYE at
the dial's ``timeLimit``, and the ``action`` gets ``DialSipCallId``, ``DialSipResponseCode`` and the
answer's ``X-`` headers; a refusal is the dial's status (486 busy, 404 failed, 480 no-answer)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phonograph.testing.audio import dominant_frequency_hz
from phonograph.testing.kit import wait_for_call
from phonograph.testing.server import ServerProcess
from phonograph.testing.webapp import WebApp
from tests.support.notifications import call_notifications
from tests.support.rtp_pcap import RtpStreamWriter, tone
from tests.support.twilio_client import sdk_client
from tests.test_sip_calls import RATE_HZ, recording_audio, serving_sip, sip_app_server
from tests.test_sip_edge import (
    SIPP_TIMEOUT_S,
    free_sip_port,
    free_udp_port,
    main_client,
    passed,
    register_options,
    registration_domain,
    sipp,
    sipp_command,
)
from tests.test_twiml_record_verb import tone_url

__all__ = ["sip_app_server"]

CALLER_HZ = 620
CALLEE_HZ = 1000
CALLER = "+15550001234"


def callee(
    scenario: str, tmp_path: Path, fill: dict[str, str], port: int | None = None, *options: str
) -> tuple[subprocess.Popen[str], int]:
    """sipp waiting as the callee (one call) on ``port`` (a free one by default), with sipp's
    ``options``; the process and its port."""
    port = port or free_sip_port()
    command = sipp_command(scenario, tmp_path, port, fill)
    process = subprocess.Popen(
        [*command, "-mi", "127.0.0.1", "-mp", str(free_udp_port()), *options],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, port


def finished(process: subprocess.Popen[str]) -> None:
    out, err = process.communicate(timeout=SIPP_TIMEOUT_S + 30)
    assert process.returncode == 0, out[-2000:] + err[-2000:]


@pytest.fixture
def caller_phone(sip_app_server: tuple[ServerProcess, int, WebApp]) -> str:
    """A virtual phone that calls out: it answers at once and plays CALLER_HZ until hung up on."""
    server, _, app = sip_app_server
    credentials = server.credentials
    twiml = f"<Response><Play loop='0'>{tone_url(app, CALLER_HZ, 2)}</Play></Response>"
    httpx.post(
        f"{server.base_url}/phonograph/v1/Phones",
        json={"phone_number": CALLER, "answer_after_s": 0, "twiml": twiml},
        auth=(credentials.account_sid, credentials.auth_token),
    ).raise_for_status()
    return CALLER


def test_dial_sip_bridges_and_records_the_callee_and_reports_its_sip_call(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path
) -> None:
    server, _, app = sip_app_server
    process, port = callee("callee_answers.xml", tmp_path, {"PCAP": str(callee_pcap(tmp_path))})
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='4' record='record-from-answer-dual'>"
        f"<Sip>sip:bob@127.0.0.1:{port}?X-Ticket=7&amp;X-Evil=a%0D%0AVia:%20x&amp;Evil=1</Sip></Dial></Response>"
    )
    main_client(server).calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(process)  # it checked the header, answered, sent its tone, and took the BYE
    [hit] = app.wait_for("/dialed")
    assert hit.signature_valid
    assert (hit.param("DialCallStatus"), hit.param("DialSipResponseCode")) == ("completed", "200")
    assert hit.param("DialSipCallId")
    # The headers Twilio does not take are left out of the INVITE, each with its warning.
    notices = call_notifications(main_client(server), str(hit.param("DialCallSid")))
    assert sorted(notice.error_code for notice in notices) == [13252, 21229]
    audio = recording_audio(server, str(hit.param("RecordingSid")))
    assert audio.channels == 2
    assert abs(dominant_frequency_hz(audio.between(0.5, 2.5).channel(1), RATE_HZ) - CALLER_HZ) < 5
    assert abs(dominant_frequency_hz(audio.between(0.5, 2.5).channel(2), RATE_HZ) - CALLEE_HZ) < 5


@pytest.mark.parametrize(("final", "status"), [("486", "busy"), ("404", "failed"), ("480", "no-answer")])
def test_a_refused_dial_sip_has_the_refusals_status_and_code(
    sip_app_server: tuple[ServerProcess, int, WebApp],
    caller_phone: str,
    tmp_path: Path,
    final: str,
    status: str,
) -> None:
    server, _, app = sip_app_server
    process, port = callee("callee_refuses.xml", tmp_path, {"FINAL": final})
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = f"<Response><Dial action='{dialed}'><Sip>sip:bob@127.0.0.1:{port}</Sip></Dial></Response>"
    main_client(server).calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(process)
    [hit] = app.wait_for("/dialed")
    assert (hit.param("DialCallStatus"), hit.param("DialSipResponseCode")) == (status, final)
    assert hit.param("DialSipHeader_X-Reason") == "closed for lunch"


def test_dial_sip_answers_the_callees_digest_challenge_with_its_username_and_password(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path
) -> None:
    server, _, app = sip_app_server
    process, port = callee("callee_challenges.xml", tmp_path, {})
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='2'>"
        f"<Sip username='bob' password='Secret-1234'>sip:bob@127.0.0.1:{port}</Sip></Dial></Response>"
    )
    main_client(server).calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(process)
    [hit] = app.wait_for("/dialed")
    # sipp answers 200 only to a digest answer that proves bob's password (403 otherwise).
    assert (hit.param("DialCallStatus"), hit.param("DialSipResponseCode")) == ("completed", "200")


def callee_pcap(tmp_path: Path) -> Path:
    stream = RtpStreamWriter()
    stream.audio(tone(CALLEE_HZ, 3.0))
    return stream.write_pcap(tmp_path / "callee.pcap")


def test_calls_create_to_a_sip_uri_calls_it_over_sip(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, _, app = sip_app_server
    process, port = callee("callee_answers.xml", tmp_path, {"PCAP": str(callee_pcap(tmp_path))})
    twiml = f"<Response><Play>{tone_url(app, CALLER_HZ, 1)}</Play><Hangup/></Response>"
    client = main_client(server)
    call = client.calls.create(to=f"sip:bob@127.0.0.1:{port}?X-Ticket=7", from_="+15550009999", twiml=twiml)
    finished(process)  # the INVITE carried X-Ticket; it answered; the Hangup was its BYE
    done = wait_for_call(client, str(call.sid))
    assert (done.status, done.to) == ("completed", f"sip:bob@127.0.0.1:{port}?X-Ticket=7")


def test_calls_create_to_a_sip_uri_answers_its_challenge_with_sip_auth_username_and_password(
    sip_app_server: tuple[ServerProcess, int, WebApp], tmp_path: Path
) -> None:
    server, _, _ = sip_app_server
    process, port = callee("callee_challenges.xml", tmp_path, {})
    client = main_client(server)
    call = client.calls.create(
        to=f"sip:bob@127.0.0.1:{port}",
        from_="+15550009999",
        twiml="<Response><Pause length='1'/><Hangup/></Response>",
        sip_auth_username="bob",
        sip_auth_password="Secret-1234",
    )
    finished(process)  # sipp answered 200 only to bob's password, and took the Hangup's BYE
    assert wait_for_call(client, str(call.sid)).status == "completed"


def test_dial_sip_reaches_a_registered_user_at_the_contact_it_registered(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path
) -> None:
    server, sip_port, app = sip_app_server
    client = main_client(server)
    domain = registration_domain(client, "phones.sip.twilio.com")
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='2'>"
        f"<Sip>sip:alice@{domain}?X-Ticket=7</Sip></Dial></Response>"
    )
    # Not registered yet: nobody to ring.
    client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    [unreachable] = app.wait_for("/dialed")
    assert unreachable.param("DialCallStatus") == "no-answer"
    # alice registers from a port, and then answers there.
    port = free_udp_port()
    registered = sipp(
        "register_digest.xml", sip_port, tmp_path, *register_options(domain), final="200", local_port=port
    )
    passed(registered)
    process, _ = callee("callee_answers.xml", tmp_path, {"PCAP": str(callee_pcap(tmp_path))}, port)
    client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(process)
    hits = app.wait_for("/dialed", lambda hit: hit.param("DialCallStatus") == "completed")
    assert hits[-1].param("DialSipResponseCode") == "200"


def test_dial_sip_to_another_accounts_domain_fails_with_32214(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str
) -> None:
    server, _, app = sip_app_server
    client = main_client(server)
    tenant = client.api.accounts.create(friendly_name="another tenant")
    other = sdk_client(server.base_url, str(tenant.sid), str(tenant.auth_token))
    other.sip.domains.create(domain_name="theirs.sip.twilio.com", sip_registration=True)
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = f"<Response><Dial action='{dialed}'><Sip>sip:alice@theirs.sip.twilio.com</Sip></Dial></Response>"
    client.calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    [hit] = app.wait_for("/dialed")
    assert hit.param("DialCallStatus") == "failed"
    notices = call_notifications(client, str(hit.param("DialCallSid")))
    assert [notice.error_code for notice in notices] == [32214]


FORBIDDEN_HOST = "127.0.0.2"


@pytest.fixture
def guarded_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int, WebApp]]:
    """A SIP server whose outbound policy denies FORBIDDEN_HOST (the app stays reachable)."""
    yield from serving_sip(tmp_path, {"PHONOGRAPH_OUTBOUND_DENY": f"{FORBIDDEN_HOST}/32"})


def test_dial_sip_to_an_address_the_outbound_policy_denies_sends_nothing_and_fails(
    guarded_server: tuple[ServerProcess, int, WebApp],
) -> None:
    server, _, app = guarded_server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as watched:
        watched.bind((FORBIDDEN_HOST, 0))
        watched.setblocking(False)
        target = f"sip:bob@{FORBIDDEN_HOST}:{watched.getsockname()[1]}"
        dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
        twiml = f"<Response><Dial action='{dialed}'><Sip>{target}</Sip></Dial></Response>"
        main_client(server).calls.create(to="+15550004321", from_="+15550009999", twiml=twiml)
        [hit] = app.wait_for("/dialed")
        assert hit.param("DialCallStatus") == "failed"
        with pytest.raises(BlockingIOError):
            watched.recv(65_535)  # no INVITE came: the leg failed before sending anything
    notices = call_notifications(main_client(server), str(hit.param("DialCallSid")))
    assert [notice.error_code for notice in notices] == [13224]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_the_callee_puts_the_call_on_hold_with_a_reinvite_and_phonograph_answers_recvonly(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, tmp_path: Path, transport: str
) -> None:
    server, _, app = sip_app_server
    # Over TCP sipp listens on its port, and phonograph connects to it (;transport=tcp).
    process, port = callee(
        "callee_holds.xml", tmp_path, {}, None, *(("-t", "t1") if transport == "tcp" else ())
    )
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    twiml = (
        f"<Response><Dial action='{dialed}' timeLimit='3'>"
        f"<Sip>sip:bob@127.0.0.1:{port};transport={transport}</Sip></Dial></Response>"
    )
    main_client(server).calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    finished(process)  # its re-INVITE got a 200 whose answer is recvonly; then the BYE came
    [hit] = app.wait_for("/dialed")
    assert (hit.param("DialCallStatus"), hit.param("DialSipResponseCode")) == ("completed", "200")


@pytest.mark.parametrize(
    ("uri", "warning"),
    [
        ("sip:bob@127.0.0.1:{port};transport=tls", 13224),  # TLS is not served
        ("sips:bob@127.0.0.1:{port}", 13224),
        ("sip:bob@127.0.0.1:{port};transport=tcp", 20503),  # nothing listens: as a 503 (RFC 3261 §8.1.3.1)
    ],
)
def test_a_sip_target_phonograph_cannot_reach_fails_the_leg_with_a_warning(
    sip_app_server: tuple[ServerProcess, int, WebApp], caller_phone: str, uri: str, warning: int
) -> None:
    server, _, app = sip_app_server
    dialed = app.twiml("/dialed", "<Response><Hangup/></Response>")
    target = uri.format(port=free_sip_port())
    twiml = f"<Response><Dial action='{dialed}'><Sip>{target}</Sip></Dial></Response>"
    main_client(server).calls.create(to=caller_phone, from_="+15550009999", twiml=twiml)
    [hit] = app.wait_for("/dialed")
    assert hit.param("DialCallStatus") == "failed"
    notices = call_notifications(main_client(server), str(hit.param("DialCallSid")))
    assert [notice.error_code for notice in notices] == [warning]
