"""Calls arriving over SIP, at the port (sip/dialogs.py through sip/endpoint.py), over real loopback
UDP with stepped timers: an admitted INVITE rings and reaches the handler; the call's answer is a
200 with the SDP answer, sent again until its ACK (and a BYE when none comes); the phone's CANCEL,
BYE and re-INVITE; refusals; bad offers. The handler here is the test's: the calls room's own one
runs in tests/test_sip_calls.py."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from phonograph.core import InvalidParameter, PhonographError, ServiceUnavailable
from phonograph.sip import (
    Admission,
    CallSetup,
    EndReason,
    InboundCall,
    RtpIo,
    RtpPorts,
    RtpStreams,
    SipEndpoint,
    SipRequest,
    SipResponse,
    parse,
    parse_sdp,
)
from phonograph.sip.admission import Decision, Outcome
from phonograph.sip.transactions import TIMEOUT_S
from phonograph.store import SipDomain
from tests.unit.sip.test_endpoint import ANSWER_WAIT_S, bound_sockets, next_response
from tests.unit.sip.test_message import CRLF, INVITE_HEADERS, invite, message
from tests.unit.sip.test_transactions import SteppedTimers
from tests.unit.webhooks.app_server import eventually

OFFER = (
    CRLF.join(
        [
            "v=0",
            "o=alice 1 1 IN IP4 192.0.2.10",
            "s=-",
            "c=IN IP4 127.0.0.1",
            "t=0 0",
            "m=audio 49170 RTP/AVP 8 0 101",
            "a=rtpmap:101 telephone-event/8000",
            "a=SENDRECV",
        ]
    ).replace("a=SENDRECV", "a=sendrecv")
    + CRLF
)
WITH_OFFER = ("Content-Type: application/sdp", "Record-Route: <sip:proxy.example;lr>")
TO_TAG_HEADER = "To: <sip:+15550100001@phonograph.example>"


def domain() -> SipDomain:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    return SipDomain(
        sid="SD" + "0" * 32,
        account_sid="AC" + "0" * 32,
        domain_name="phonograph.example",
        friendly_name=None,
        voice_fallback_url=None,
        voice_status_callback_url=None,
        voice_url="https://app.example/voice",
        voice_method="POST",
        voice_fallback_method="POST",
        voice_status_callback_method="POST",
        sip_registration=False,
        secure=False,
        byoc_trunk_sid=None,
        date_created=now,
        date_updated=now,
    )


class AdmitEveryone(Admission):
    """Every INVITE let in (who is let in is tests/unit/sip and tests/test_sip_edge.py's matter)."""

    def __init__(self) -> None:
        pass

    async def decide(self, request: SipRequest, source_ip: str) -> Decision:
        return Decision(Outcome.ADMITTED, domain(), username="alice")


class Handler:
    def __init__(self, refuse: PhonographError | None = None) -> None:
        self.calls: list[InboundCall] = []
        self.ended: list[EndReason] = []
        self._refuse = refuse

    async def call_arrived(self, call: InboundCall) -> None:
        if self._refuse is not None:
            raise self._refuse
        call.on_end = self.ended.append
        self.calls.append(call)


Check = Callable[[Handler, SteppedTimers, socket.socket], Awaitable[None]]


def run(check: Check, handler: Handler | None = None) -> None:
    async def main() -> None:
        timers = SteppedTimers()
        called = handler or Handler()
        setup = CallSetup(called, RtpPorts("127.0.0.1", 30_000, 40_000), "127.0.0.1", RtpStreams(RtpIo()))
        endpoint = SipEndpoint(AdmitEveryone(), None, setup, timers=timers)
        await endpoint.start(bound_sockets())
        phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        phone.setblocking(False)
        phone.bind(("127.0.0.1", 0))
        phone.connect(endpoint.address)
        try:
            await check(called, timers, phone)
        finally:
            phone.close()
            await endpoint.stop()

    asyncio.run(main())


async def request_from_phone(phone: socket.socket) -> SipRequest:
    data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(phone, 65_535), ANSWER_WAIT_S)
    parsed = parse(data)
    assert isinstance(parsed, SipRequest)
    return parsed


async def ringing(phone: socket.socket, body: str = OFFER) -> SipResponse:
    """Send the INVITE; the 180 that follows its 100."""
    phone.send(invite(*WITH_OFFER, body=body))
    assert (await next_response(phone)).code == 100
    ring = await next_response(phone)
    assert ring.code == 180
    return ring


async def confirmed(handler: Handler, phone: socket.socket) -> tuple[InboundCall, str]:
    """An INVITE rung, answered and acknowledged: the call, and phonograph's tag on it."""
    await ringing(phone)
    await eventually(lambda: bool(handler.calls))
    [call] = handler.calls
    call.answer()
    tag = (await next_response(phone)).checked.to.parameters["tag"] or ""
    phone.send(in_dialog("ACK", tag, 1))
    await eventually(lambda: call.state == "confirmed")
    return call, tag


def in_dialog(method: str, tag: str, cseq: int, *extra: str, body: str = "") -> bytes:
    """A request from the phone inside the dialog whose phonograph tag is ``tag``."""
    headers = [
        f"{TO_TAG_HEADER};tag={tag}" if line.startswith("To:") else line
        for line in INVITE_HEADERS
        if not line.startswith("CSeq")
    ]
    via = f"Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-{method.lower()}{cseq};rport"
    return message(
        f"{method} sip:phonograph@127.0.0.1 SIP/2.0",
        via,
        *headers[1:],
        f"CSeq: {cseq} {method}",
        *extra,
        body=body,
    )


def test_an_admitted_call_rings_and_its_answer_is_sent_again_until_the_ack() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        ring = await ringing(phone)
        await eventually(lambda: bool(handler.calls))
        [call] = handler.calls
        assert (call.arrival.username, call.arrival.call_id) == (
            "alice",
            "3848276298220188511@atlanta.example",
        )
        assert [str(contact.uri) for contact in ring.message.contact] == [
            f"sip:phonograph@127.0.0.1:{phone.getpeername()[1]}"
        ]
        call.answer()
        ok = await next_response(phone)
        assert ok.code == 200
        assert ok.checked.to.parameters["tag"] == ring.checked.to.parameters["tag"]
        assert ok.message.headers.getlist("Record-Route") == ["<sip:proxy.example;lr>"]
        [audio] = parse_sdp(ok.message.body).media
        # The offer's first G.711 (PCMA) on phonograph's port, with the offer's telephone-event.
        assert (audio.port, audio.formats, parse_sdp(ok.message.body).address) == (
            call.stream.port,
            ("8", "101"),
            "127.0.0.1",
        )
        timers.advance(0.5)
        assert (await next_response(phone)).code == 200  # no ACK yet: sent again
        tag = ok.checked.to.parameters["tag"] or ""
        phone.send(in_dialog("ACK", tag, 1))
        await eventually(lambda: call.state == "confirmed")
        timers.advance(TIMEOUT_S)
        phone.send(in_dialog("OPTIONS", tag, 2))
        assert (await next_response(phone)).checked.cseq.method == "OPTIONS"  # nothing came between

    run(check)


def test_a_200_never_acknowledged_ends_the_call_with_a_bye() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        await ringing(phone)
        await eventually(lambda: bool(handler.calls))
        handler.calls[0].answer()
        assert (await next_response(phone)).code == 200
        for _ in range(10):
            timers.advance(4)
            if handler.ended:
                break
        assert handler.ended == [EndReason.NO_ACK]
        while (
            bye := await asyncio.wait_for(asyncio.get_running_loop().sock_recv(phone, 65_535), ANSWER_WAIT_S)
        ).startswith(b"SIP/2.0"):
            pass
        parsed = parse(bye)
        assert isinstance(parsed, SipRequest)
        # To the phone's Contact, through the route set; along the flow the INVITE came on.
        assert (parsed.method, str(parsed.message.uri)) == ("BYE", "sip:alice@192.0.2.10:5062")
        assert parsed.message.headers.getlist("Route") == ["<sip:proxy.example;lr>"]

    run(check)


def test_a_cancel_while_ringing_gets_200_the_invite_487_and_ends_the_call() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        await ringing(phone)
        await eventually(lambda: bool(handler.calls))
        phone.send(
            invite(start="CANCEL sip:+15550100001@phonograph.example SIP/2.0").replace(
                b"1 INVITE", b"1 CANCEL"
            )
        )
        answers = {
            (r.checked.cseq.method, r.code) for r in [await next_response(phone), await next_response(phone)]
        }
        assert answers == {("CANCEL", 200), ("INVITE", 487)}
        assert handler.ended == [EndReason.CANCELED]
        # A CANCEL for nothing ringing: 481 (RFC 3261 §9.2).
        stray = invite(start="CANCEL sip:+15550100001@phonograph.example SIP/2.0").replace(
            b"1 INVITE", b"1 CANCEL"
        )
        phone.send(stray.replace(b"z9hG4bK-first", b"z9hG4bK-other"))
        assert (await next_response(phone)).code == 481

    run(check)


def test_the_phones_bye_ends_the_call_and_a_second_bye_finds_no_dialog() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        _, tag = await confirmed(handler, phone)
        phone.send(in_dialog("BYE", tag, 1))
        assert (await next_response(phone)).code == 500  # the INVITE's own CSeq: out of order
        phone.send(in_dialog("BYE", tag, 2))
        assert (await next_response(phone)).code == 200
        assert handler.ended == [EndReason.HUNG_UP]
        phone.send(in_dialog("BYE", tag, 3))
        assert (await next_response(phone)).code == 481

    run(check)


def test_phonograph_hangs_up_with_a_bye_in_the_dialog() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        call, tag = await confirmed(handler, phone)
        call.hang_up()
        bye = await request_from_phone(phone)
        assert bye.method == "BYE"
        assert bye.checked.from_.parameters["tag"] == tag
        assert bye.checked.to.parameters["tag"] == "a73kszlfl"
        assert handler.ended == []  # phonograph ended it: nobody is told

    run(check)


def test_a_reinvite_puts_the_call_on_hold_on_the_same_port_and_a_new_codec_is_refused() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        call, tag = await confirmed(handler, phone)
        held = in_dialog(
            "INVITE", tag, 2, "Content-Type: application/sdp", body=OFFER.replace("sendrecv", "sendonly")
        )
        phone.send(held)
        ok = await next_response(phone)
        [audio] = parse_sdp(ok.message.body).media
        assert (ok.code, audio.port, audio.direction) == (200, call.stream.port, "recvonly")
        phone.send(in_dialog("ACK", tag, 2))
        other = OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 0 101")
        phone.send(in_dialog("INVITE", tag, 3, "Content-Type: application/sdp", body=other))
        assert (await next_response(phone)).code == 488
        phone.send(in_dialog("INVITE", tag, 2, "Content-Type: application/sdp", body=OFFER))
        assert (await next_response(phone)).code == 500  # an old CSeq: out of order

    run(check)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", 488),  # no offer: phonograph does not offer first
        (OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 18"), 488),  # no G.711
        ("v=0\r\nnonsense\r\n", 400),
    ],
)
def test_an_offer_phonograph_cannot_take_is_refused_before_anything_rings(body: str, code: int) -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        phone.send(invite(*WITH_OFFER, body=body))
        assert (await next_response(phone)).code == 100
        assert (await next_response(phone)).code == code
        assert handler.calls == []

    run(check)


@pytest.mark.parametrize(
    ("refusal", "code"),
    [(InvalidParameter("no VoiceUrl"), 480), (ServiceUnavailable("draining"), 503)],
)
def test_a_call_the_app_side_cannot_take_is_refused_after_ringing(
    refusal: PhonographError, code: int
) -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        await ringing(phone)
        assert (await next_response(phone)).code == code

    run(check, Handler(refusal))


def test_a_rejected_call_gets_its_code_and_a_copy_of_the_answered_invite_is_no_new_call() -> None:
    async def check(handler: Handler, timers: SteppedTimers, phone: socket.socket) -> None:
        await ringing(phone)
        await eventually(lambda: bool(handler.calls))
        handler.calls[0].answer()
        assert (await next_response(phone)).code == 200
        phone.send(invite(*WITH_OFFER, body=OFFER))  # the phone did not hear the 200
        timers.advance(0.5)
        assert (await next_response(phone)).code == 200  # the dialog's own retransmission
        assert len(handler.calls) == 1
        # Another call, refused busy.
        phone.send(
            invite(*WITH_OFFER, body=OFFER)
            .replace(b"3848276298220188511", b"second-call")
            .replace(b"z9hG4bK-first", b"z9hG4bK-second")
        )
        assert [(await next_response(phone)).code for _ in range(2)] == [100, 180]
        await eventually(lambda: len(handler.calls) == 2)
        handler.calls[1].reject(486)
        assert (await next_response(phone)).code == 486

    run(check)
