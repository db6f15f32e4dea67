"""Calls phonograph places (sip/outbound.py through sip/dialogs.py), over real loopback UDP with
stepped timers; the test is the callee. The INVITE's offer and headers; CANCEL only after a
provisional answer; no answer at all is 408; the 2xx is acknowledged to its Contact through its
route set, and again when it comes again; a 2xx without usable SDP is acknowledged and hung up;
the callee's BYE and phonograph's."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

from sipmessage import URI

from phonograph.sip import (
    CallSetup,
    OutboundCall,
    RtpIo,
    RtpPorts,
    RtpStreams,
    SipEndpoint,
    SipRequest,
    SipTarget,
    encode,
    parse,
    parse_sdp,
    response_to,
)
from phonograph.sip.transactions import TIMEOUT_S
from tests.unit.sip.test_dialogs import OFFER, Handler
from tests.unit.sip.test_endpoint import bound_sockets
from tests.unit.sip.test_transactions import SteppedTimers
from tests.unit.webhooks.app_server import eventually

Check = Callable[[SipEndpoint, SteppedTimers, socket.socket], Awaitable[None]]
BOB = "sip:bob@127.0.0.1:5099"
CALLEE_CONTACT = f"<{BOB}>"
ROUTES = ["<sip:edge1.example;lr>", "<sip:edge2.example;lr>"]


def run(check: Check) -> None:
    async def main() -> None:
        timers = SteppedTimers()
        setup = CallSetup(Handler(), RtpPorts("127.0.0.1", 30_000, 40_000), "127.0.0.1", RtpStreams(RtpIo()))
        endpoint = SipEndpoint(None, None, setup, timers=timers)
        await endpoint.start(bound_sockets())
        callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        callee.setblocking(False)
        callee.bind(("127.0.0.1", 0))
        try:
            await check(endpoint, timers, callee)
        finally:
            callee.close()
            await endpoint.stop()

    asyncio.run(main())


async def place(endpoint: SipEndpoint, callee: socket.socket, **extra: str) -> OutboundCall:
    dialogs = endpoint.dialogs
    assert dialogs is not None
    host, port = callee.getsockname()
    target = SipTarget(
        URI.parse(f"sip:bob@{host}:{port}"), (host, port), "+15550001234", (("X-Ticket", "7"),), **extra
    )
    return await dialogs.place(target)


async def received(callee: socket.socket) -> SipRequest:
    data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(callee, 65_535), 10)
    parsed = parse(data)
    assert isinstance(parsed, SipRequest)
    return parsed


def answer(
    callee: socket.socket, request: SipRequest, code: int, *, body: bytes = b"", to: str = ""
) -> bytes:
    """Send the callee's ``code`` answer to ``request`` (to phonograph's port) and return it."""
    response = response_to(request, code, to_tag="bobtag")
    if 200 <= code < 300:
        response.headers.set("Contact", CALLEE_CONTACT)
        response.headers.setlist("Record-Route", ROUTES)
        response.headers.set("Content-Type", "application/sdp")
        response.body = body
    data = encode(response)
    via = request.checked.via[0]
    callee.sendto(data, (via.host, via.port or 5060))
    return data


def challenge(callee: socket.socket, invite: SipRequest) -> None:
    response = response_to(invite, 407, to_tag="bobtag")
    response.headers.set("Proxy-Authenticate", 'Digest realm="edge", nonce="abc", qop="auth"')
    via = invite.checked.via[0]
    callee.sendto(encode(response), (via.host, via.port or 5060))


def test_the_invite_offers_rtp_and_carries_the_uris_headers_and_the_200_is_acknowledged_to_its_contact() -> (
    None
):
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        invite = await received(callee)
        assert (invite.method, invite.message.headers.get("X-Ticket")) == ("INVITE", "7")
        assert invite.checked.from_.uri.user == "+15550001234"
        [audio] = parse_sdp(invite.message.body).media
        assert audio.formats == ("0", "8", "101")
        answer(callee, invite, 180)
        ok = answer(callee, invite, 200, body=OFFER.encode())
        ack = await received(callee)
        assert (ack.method, str(ack.message.uri), ack.checked.cseq.sequence) == (
            "ACK",
            "sip:bob@127.0.0.1:5099",
            1,
        )
        assert ack.message.headers.getlist("Route") == list(reversed(ROUTES))
        assert ack.checked.to.parameters["tag"] == "bobtag"
        assert (await call.final, call.stream is not None) == (200, True)
        callee.sendto(ok, endpoint.address)  # our ACK was lost: the 200 comes again
        assert (await received(callee)).method == "ACK"
        call.hang_up()
        bye = await received(callee)
        assert (bye.method, bye.checked.cseq.sequence, str(bye.message.uri)) == (
            "BYE",
            2,
            "sip:bob@127.0.0.1:5099",
        )

    run(check)


def test_cancel_waits_for_a_provisional_answer_and_the_invite_then_ends_487() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        invite = await received(callee)
        call.cancel()  # nothing came back yet: RFC 3261 §9.1 holds the CANCEL
        answer(callee, invite, 180)
        cancel = await received(callee)
        assert (cancel.method, cancel.checked.via[0].parameters["branch"]) == (
            "CANCEL",
            invite.checked.via[0].parameters["branch"],
        )
        answer(callee, cancel, 200)
        answer(callee, invite, 487)
        assert (await received(callee)).method == "ACK"  # the 487's, inside its transaction
        assert await call.final == 487

    run(check)


def test_a_200_that_crosses_the_cancel_is_acknowledged_and_hung_up() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        invite = await received(callee)
        answer(callee, invite, 180)
        await eventually(lambda: call.state == "ringing")
        call.cancel()
        assert (await received(callee)).method == "CANCEL"
        answer(callee, invite, 200, body=OFFER.encode())  # the callee answered before the CANCEL came
        assert [(await received(callee)).method for _ in range(2)] == ["ACK", "BYE"]
        assert (await call.final, call.stream, call.state) == (200, None, "ended")

    run(check)


def test_no_answer_at_all_is_408() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        await received(callee)
        timers.advance(TIMEOUT_S)
        assert await call.final == 408

    run(check)


def test_a_200_without_usable_sdp_is_acknowledged_and_hung_up() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        invite = await received(callee)
        answer(callee, invite, 200, body=OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 18").encode())
        assert [(await received(callee)).method for _ in range(2)] == ["ACK", "BYE"]
        assert (await call.final, call.stream) == (488, None)

    run(check)


def test_the_callees_bye_ends_the_call() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee)
        ended: list[bool] = []
        call.on_end = lambda: ended.append(True)
        invite = await received(callee)
        answer(callee, invite, 200, body=OFFER.encode())
        await received(callee)  # the ACK
        await call.final
        bye = (
            f"BYE sip:phonograph@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{callee.getsockname()[1]};branch=z9hG4bK-bye\r\n"
            f"From: <sip:bob@127.0.0.1>;tag=bobtag\r\n"
            f"To: {invite.message.headers['From']}\r\n"
            f"Call-ID: {invite.checked.call_id}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"
        )
        callee.sendto(bye.encode(), endpoint.address)
        ok = parse(await asyncio.wait_for(asyncio.get_running_loop().sock_recv(callee, 65_535), 10))
        assert (getattr(ok, "code", None), ended) == (200, [True])
        await eventually(lambda: call.state == "ended")

    run(check)


def test_a_challenge_is_answered_once_with_the_targets_credentials() -> None:
    async def check(endpoint: SipEndpoint, timers: SteppedTimers, callee: socket.socket) -> None:
        call = await place(endpoint, callee, username="bob", password="Secret-1234")
        invite = await received(callee)
        challenge(callee, invite)
        assert (await received(callee)).method == "ACK"
        again = await received(callee)
        assert (again.method, again.checked.cseq.sequence) == ("INVITE", 2)
        assert 'username="bob"' in (again.message.headers.get("Proxy-Authorization") or "")
        challenge(callee, again)
        assert (await received(callee)).method == "ACK"
        assert await call.final == 407  # challenged again: the password was wrong; no third try

    run(check)
