"""The SIP port as a stateless UAS (sip/endpoint.py), over real loopback UDP: OPTIONS answered,
calls and registrations refused (nothing is routed yet), unknown methods and broken requests
answered as RFC 3261 says, garbage and responses dropped; every answer goes back to the sender."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from phonograph.sip import SipEndpoint, SipResponse, SipSockets, StreamFramer, parse
from phonograph.sip.endpoint import IDLE_S
from phonograph.sip.ratelimit import RateLimiter
from tests.unit.sip.test_message import INVITE_HEADERS, invite, message
from tests.unit.sip.test_transactions import SteppedTimers

ANSWER_WAIT_S = 10.0
"""Only a bound for a test that fails: an answer on loopback comes at once."""


def bound_sockets() -> SipSockets:
    """A UDP socket and a listening TCP socket on one free loopback port, as cli/server.py binds."""
    while True:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:  # the UDP port's number is taken on TCP: another pair
            udp.close()
            tcp.close()
            continue
        tcp.listen()
        return SipSockets(udp=udp, tcp=tcp)


def run(
    check: Callable[[SipEndpoint, socket.socket], Awaitable[None]],
    timers: SteppedTimers | None = None,
    limiter: RateLimiter | None = None,
    max_connections: int = 100,
) -> None:
    async def main() -> None:
        bound = bound_sockets()
        # No retransmission unless a test moves time on.
        endpoint = SipEndpoint(
            timers=timers or SteppedTimers(), limiter=limiter, max_connections=max_connections
        )
        await endpoint.start(bound)
        peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        peer.setblocking(False)
        peer.bind(("127.0.0.1", 0))
        peer.connect(endpoint.address)
        try:
            await check(endpoint, peer)
        finally:
            peer.close()
            await endpoint.stop()

    asyncio.run(main())


async def answer(peer: socket.socket, data: bytes) -> SipResponse:
    peer.send(data)
    return await next_response(peer)


async def next_response(peer: socket.socket) -> SipResponse:
    reply = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(peer, 65_535), ANSWER_WAIT_S)
    parsed = parse(reply)
    assert isinstance(parsed, SipResponse)
    return parsed


def request(method: str) -> bytes:
    return invite(start=f"{method} sip:+15550100001@phonograph.example SIP/2.0").replace(
        b"CSeq: 1 INVITE", f"CSeq: 1 {method}".encode()
    )


def test_options_is_answered_to_the_sender_with_what_phonograph_allows() -> None:
    async def check(_endpoint: SipEndpoint, peer: socket.socket) -> None:
        ok = await answer(peer, request("OPTIONS"))
        assert ok.code == 200
        assert ok.message.headers.get("Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS"
        assert ok.checked.to.parameters["tag"]
        [via] = ok.checked.via
        # The request asked for rport (RFC 3581): the answer says where it came from.
        assert (via.parameters["received"], via.parameters["rport"]) == (
            "127.0.0.1",
            str(peer.getsockname()[1]),
        )

    run(check)


def test_an_invite_for_nothing_phonograph_knows_is_refused_and_never_routed() -> None:
    async def check(endpoint: SipEndpoint, peer: socket.socket) -> None:
        refused = await answer(peer, invite())
        assert (refused.code, refused.checked.cseq.method) == (404, "INVITE")
        peer.send(request("ACK"))  # its ACK is taken without an answer
        assert (await answer(peer, request("BYE"))).code == 481
        assert endpoint.stats.answered == 2

    run(check)


def test_a_refusal_is_sent_again_until_its_ack_and_a_repeated_invite_is_answered_not_handled() -> None:
    timers = SteppedTimers()

    async def check(endpoint: SipEndpoint, peer: socket.socket) -> None:
        first = await answer(peer, invite())
        again = await answer(peer, invite())  # the peer did not hear the first one
        assert (first.code, again.code, first.checked.to.parameters["tag"]) == (
            404,
            404,
            again.checked.to.parameters["tag"],
        )
        timers.advance(0.5)  # timer G
        assert (await next_response(peer)).code == 404
        peer.send(request("ACK"))
        assert (await answer(peer, request("OPTIONS"))).code == 200
        timers.advance(10)  # acknowledged: nothing more is sent
        assert endpoint.stats.answered == 4

    run(check, timers)


def test_methods_phonograph_does_not_take_get_405_or_501() -> None:
    async def check(_endpoint: SipEndpoint, peer: socket.socket) -> None:
        not_allowed = await answer(peer, request("MESSAGE"))
        assert (not_allowed.code, not_allowed.message.headers.get("Allow")) == (
            405,
            "INVITE, ACK, CANCEL, BYE, OPTIONS",
        )
        assert (await answer(peer, request("REGISTER"))).code == 405
        assert (await answer(peer, request("FROBNICATE"))).code == 501

    run(check)


def test_a_broken_request_is_answered_400_with_the_headers_it_has() -> None:
    # The answer itself lacks a Call-ID, so it cannot be read as a whole message: read it raw.
    async def raw(_endpoint: SipEndpoint, peer: socket.socket) -> None:
        headers = [line for line in INVITE_HEADERS if not line.startswith("Call-ID")]
        peer.send(message("INVITE sip:a@phonograph.example SIP/2.0", *headers))
        reply = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(peer, 65_535), ANSWER_WAIT_S)
        assert reply.startswith(b"SIP/2.0 400 Bad Request\r\n")
        assert b"\r\nCSeq: 1 INVITE\r\n" in reply
        assert b"received=127.0.0.1" in reply

    run(raw)


def test_garbage_responses_and_oversized_datagrams_are_dropped_and_the_port_goes_on() -> None:
    async def check(endpoint: SipEndpoint, peer: socket.socket) -> None:
        for junk in (
            b"\x00\xff" * 100,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            message("SIP/2.0 200 OK", *INVITE_HEADERS),  # a response nobody waits for
            b"INVITE sip:a@b SIP/2.0\r\n" + b"X: " + b"y" * 60_000 + b"\r\n\r\n",
        ):
            peer.send(junk)
        # Loopback keeps the order: the first answer is the OPTIONS one, so nothing answered the rest.
        assert (await answer(peer, request("OPTIONS"))).code == 200
        assert (endpoint.stats.received, endpoint.stats.malformed, endpoint.stats.answered) == (5, 3, 1)

    run(check)


@pytest.mark.parametrize(("method", "refusal"), [("INVITE", 404), ("REGISTER", 405)])
def test_a_flood_from_one_address_is_dropped_past_its_burst(method: str, refusal: int) -> None:
    limiter = RateLimiter(lambda: 0.0, rate_per_s=1, burst=3)

    async def check(endpoint: SipEndpoint, peer: socket.socket) -> None:
        for index in range(10):
            peer.send(request(method).replace(b"z9hG4bK-first", f"z9hG4bK-flood{index}".encode()))
        # Loopback keeps the order: three refusals, then the OPTIONS answer: the rest got nothing.
        assert [(await next_response(peer)).code for _ in range(3)] == [refusal] * 3
        assert (await answer(peer, request("OPTIONS"))).code == 200
        assert (endpoint.stats.answered, limiter.dropped) == (4, 7)

    run(check, limiter=limiter)


# -- TCP (RFC 3261 §18.3) -----------------------------------------------------------------------------


async def over_tcp(endpoint: SipEndpoint) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(*endpoint.address)


async def tcp_responses(reader: asyncio.StreamReader, count: int) -> list[SipResponse]:
    framer, found = StreamFramer(), list[SipResponse]()
    while len(found) < count:
        data = await asyncio.wait_for(reader.read(65_535), ANSWER_WAIT_S)
        assert data, "the connection was closed"
        for whole in framer.feed(data):
            parsed = parse(whole)
            assert isinstance(parsed, SipResponse)
            found.append(parsed)
    return found


def framed(data: bytes) -> bytes:
    return data.replace(b"\r\n\r\n", b"\r\nContent-Length: 0\r\n\r\n", 1)


def test_requests_over_tcp_are_framed_and_answered_on_their_connection() -> None:
    async def check(endpoint: SipEndpoint, _peer: socket.socket) -> None:
        reader, writer = await over_tcp(endpoint)
        options, refused = (
            framed(request("OPTIONS")),
            framed(invite().replace(b"z9hG4bK-first", b"z9hG4bK-tcp")),
        )
        writer.write(options + refused[:40])  # a whole message and the start of the next
        await writer.drain()
        writer.write(refused[40:])
        answers = await tcp_responses(reader, 2)
        assert [answer.code for answer in answers] == [200, 404]
        writer.close()

    run(check)


def test_a_stream_that_cannot_be_framed_or_one_connection_too_many_is_closed() -> None:
    async def check(endpoint: SipEndpoint, _peer: socket.socket) -> None:
        reader, writer = await over_tcp(endpoint)
        writer.write(request("OPTIONS"))  # no Content-Length: the stream cannot be cut
        assert await asyncio.wait_for(reader.read(), ANSWER_WAIT_S) == b""
        first_reader, first = await over_tcp(endpoint)
        second_reader, second = await over_tcp(endpoint)
        assert await asyncio.wait_for(second_reader.read(), ANSWER_WAIT_S) == b""  # past max_connections
        first.write(framed(request("OPTIONS")))
        assert [answer.code for answer in await tcp_responses(first_reader, 1)] == [200]
        first.close()
        second.close()

    run(check, max_connections=1)


def test_an_idle_connection_is_closed() -> None:
    timers = SteppedTimers()

    async def check(endpoint: SipEndpoint, _peer: socket.socket) -> None:
        reader, writer = await over_tcp(endpoint)
        writer.write(framed(request("OPTIONS")))
        await tcp_responses(reader, 1)
        timers.advance(IDLE_S)
        assert await asyncio.wait_for(reader.read(), ANSWER_WAIT_S) == b""

    run(check, timers)
