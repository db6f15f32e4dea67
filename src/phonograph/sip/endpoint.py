"""The SIP port on UDP and TCP (RFC 3261 §18): requests in, answers out the way they came.

Every request goes through its transaction (sip/transactions.py), so a lost answer is sent again
and a retransmitted request is answered, not handled twice. Until calls arrive over SIP (issue 15
of the tracker), phonograph answers OPTIONS and refuses what it cannot route: an INVITE for no SIP
Domain gets 404; one for a domain goes through its admission (sip/admission.py: 403, or a 407
challenge) and, let in, gets 480, as phonograph places no SIP call yet; none becomes a call.
REGISTER is not taken yet (405). A request it cannot read gets 400 (or 513), without a
transaction, when enough of it was read to answer (a start line and a Via), and is dropped
otherwise. Responses go to the client transaction they answer, if any.

Answers go to the address the request came from (RFC 3581 §4), never to a host that a Via names: a
forged Via must not turn the port into a reflector aimed at someone else. The top Via of the answer
says what was seen (``received``, and ``rport`` when the request asked for it).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sipmessage import Response

from phonograph.core import TaskOwner
from phonograph.sip.admission import Admission, Outcome
from phonograph.sip.dialogs import CallSetup, Dialogs, arrival_of
from phonograph.sip.framing import StreamFramer
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, parse, response_to, seen
from phonograph.sip.ratelimit import RateLimiter
from phonograph.sip.registrar import Registrar
from phonograph.sip.transactions import Handle, LoopTimers, ServerTransaction, Timers, TransactionLayer

log = logging.getLogger(__name__)

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
LIMITED_METHODS = frozenset({"INVITE", "REGISTER"})
"""New requests of these methods count against their source address's rate (sip/ratelimit.py)."""
MAX_CONNECTIONS = 1000
"""TCP connections open at once; more are closed as they come."""
IDLE_S = 300.0
"""A TCP connection that sends nothing this long is closed (one left open costs a file), unless a
call phonograph placed holds it."""
CONNECT_TIMEOUT_S = 10.0
"""How long opening a TCP connection to a call's target may take."""
UNSUPPORTED_METHODS = frozenset(
    {"REGISTER", "PRACK", "UPDATE", "INFO", "MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "PUBLISH"}
)
"""Methods of other RFCs that phonograph knows but does not take yet: 405 with ``Allow``
(RFC 3261 §8.2.1); a method nobody defined is 501."""


@dataclass
class EndpointStats:
    received: int = 0
    malformed: int = 0
    answered: int = 0


Address = tuple[str, int]


@dataclass(frozen=True)
class SipSockets:
    """The sockets SIP answers on, bound before the server made anything (cli/server.py): UDP, and
    a listening TCP socket on the same port (RFC 3261 §18: both are required)."""

    udp: socket.socket
    tcp: socket.socket


class SipEndpoint:
    """The UDP and TCP sockets on ``PHONOGRAPH_SIP_PORT`` and what answers on them."""

    def __init__(
        self,
        admission: Admission | None = None,
        registrar: Registrar | None = None,
        calls: CallSetup | None = None,
        *,
        timers: Timers | None = None,
        limiter: RateLimiter | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        """``admission``: who may call in through a SIP Domain; without it every INVITE is 404.
        ``registrar``: REGISTER for domain users; without it REGISTER is 405. ``calls``: who takes
        an admitted INVITE as a call, and its RTP ports; without it such an INVITE gets 480.
        ``limiter``: how many new INVITEs and REGISTERs a source address may send
        (sip/ratelimit.py)."""
        self.stats = EndpointStats()
        self._transport: asyncio.DatagramTransport | None = None
        self._server: asyncio.Server | None = None
        self._streams: dict[Address, asyncio.Transport] = {}
        self._held: Counter[Address] = Counter()
        """Connections calls phonograph placed use, and how many calls each."""
        self._max_connections = max_connections
        self._tasks = TaskOwner()
        self.timers = timers or LoopTimers()
        self.limiter = limiter or RateLimiter(time.monotonic)
        self._user = _Answers(admission, registrar, None, self._tasks)
        self.transactions = TransactionLayer(self._send, self.timers, self._user, admit=self._within_rate)
        self._calls = calls

    async def start(self, sockets: SipSockets) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sockets.udp)
        self._server = await loop.create_server(lambda: _StreamProtocol(self), sock=sockets.tcp)
        if self._calls is not None:
            dialogs = Dialogs(self.transactions, self._calls, self.address[1], self)
            self.transactions.strays = dialogs.stray_response
            self._user.dialogs = dialogs
        log.info("sip listening udp+tcp=%s:%s", *self.address)

    @property
    def address(self) -> Address:
        assert self._transport is not None, "the endpoint is started"
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    @property
    def dialogs(self) -> Dialogs | None:
        """The calls on this port, once it is started with calls to take."""
        return self._user.dialogs

    async def stop(self) -> None:
        if self._user.dialogs is not None:
            self._user.dialogs.close()
        if self._server is not None:
            self._server.close()
            self._server = None
        for stream in list(self._streams.values()):
            stream.close()
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        await self._tasks.close()

    def connected(self, peer: Address, stream: asyncio.Transport) -> bool:
        """Take a new TCP connection, unless ``max_connections`` are open already."""
        if len(self._streams) >= self._max_connections:
            return False
        self._streams[peer] = stream
        return True

    def disconnected(self, peer: Address) -> None:
        self._streams.pop(peer, None)

    async def hold(self, destination: Address) -> None:
        """A TCP connection to a target of a call phonograph places (RFC 3261 §18.1.1), opened
        unless one is (either way), kept open until ``release``: an idle one is closed only when
        no call holds it."""
        if destination not in self._streams:
            loop = asyncio.get_running_loop()
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await loop.create_connection(lambda: _StreamProtocol(self), *destination)
            if destination not in self._streams:
                raise ConnectionRefusedError(f"more than {self._max_connections} TCP connections")
        self._held[destination] += 1

    def release(self, destination: Address) -> None:
        self._held[destination] -= 1
        if self._held[destination] <= 0:
            del self._held[destination]

    def held(self, peer: Address) -> bool:
        return peer in self._held

    def received(self, data: bytes, source: Address) -> None:
        self.stats.received += 1
        try:
            parsed = parse(data)
        except BadMessage as error:
            self.stats.malformed += 1
            log.debug("sip malformed from=%s:%s error=%s", *source, error.message)
            broken = error.request
            # An answer needs the request's Via to be a response at all (RFC 3261 §8.2.6.2).
            if broken is not None and broken.method != "ACK" and broken.headers.get("Via") is not None:
                self._send(encode(seen(response_to(broken, error.sip_status), source)), source)
            return
        if isinstance(parsed, SipResponse):
            self.transactions.received_response(parsed)
        else:
            self.transactions.received_request(parsed, source)

    def _within_rate(self, request: SipRequest, source: Address) -> bool:
        # INVITE and REGISTER: what scanners flood, and what a password guesser repeats.
        return request.method not in LIMITED_METHODS or self.limiter.allow(source[0])

    def _send(self, data: bytes, destination: Address) -> None:
        """To ``destination`` over its TCP connection when it has one (a response goes back the way
        its request came, RFC 3261 §18.2.2), else in a datagram."""
        stream = self._streams.get(destination)
        if stream is not None:
            self.stats.answered += 1
            stream.write(data)
        elif self._transport is not None:
            self.stats.answered += 1
            self._transport.sendto(data, destination)


class _Answers:
    """The transaction user: an INVITE is told whether its domain lets the caller in, and one let
    in becomes a call (sip/dialogs.py) when calls are taken; a request inside a call's dialog goes
    to it; a REGISTER goes to the registrar; every other request is answered at once."""

    def __init__(
        self,
        admission: Admission | None,
        registrar: Registrar | None,
        dialogs: Dialogs | None,
        tasks: TaskOwner,
    ) -> None:
        self._admission = admission
        self._registrar = registrar
        self.dialogs = dialogs
        self._tasks = tasks
        self._allow = ALLOW + (", REGISTER" if registrar is not None else "")

    def request(self, transaction: ServerTransaction) -> None:
        request, source = transaction.request, transaction.source
        method, dialogs = request.method, self.dialogs
        in_dialog = "tag" in request.checked.to.parameters
        if dialogs is not None and in_dialog and method in ("INVITE", "BYE"):
            if not dialogs.in_dialog(transaction):
                log.info("sip no dialog method=%s from=%s:%s", method, *source)
                transaction.respond(seen(response_to(request, 481), source))
        elif dialogs is not None and method == "INVITE" and dialogs.retransmitted_invite(request):
            transaction.drop()
        elif dialogs is not None and method == "CANCEL":
            dialogs.cancel(transaction)
        elif method == "INVITE" and self._admission is not None:
            transaction.respond(seen(response_to(request, 100), source))
            self._tasks.spawn(self._invite(transaction, self._admission), name="sip invite")
        elif method == "REGISTER" and self._registrar is not None:
            self._tasks.spawn(self._register(transaction, self._registrar), name="sip register")
        else:
            transaction.respond(seen(_answer(request, self._allow), source))

    async def _invite(self, transaction: ServerTransaction, admission: Admission) -> None:
        request, source = transaction.request, transaction.source
        try:
            decision = await admission.decide(request, source[0])
            if decision.outcome is Outcome.ADMITTED and self.dialogs is not None:
                await self.dialogs.invite(transaction, arrival_of(request, source, decision))
                return
            response = admission.refusal(request, decision, secrets.token_hex(8))
        except Exception:
            log.exception("sip INVITE failed from=%s:%s", *source)
            response = response_to(request, 500, to_tag=secrets.token_hex(8))
        # A final answer that went already (a CANCEL's 487, a refusal) makes this one a no-op.
        transaction.respond(seen(response, source))

    async def _register(self, transaction: ServerTransaction, registrar: Registrar) -> None:
        request, source = transaction.request, transaction.source
        try:
            response = await registrar.register(request, source, secrets.token_hex(8))
        except Exception:
            # The transaction waits for a final answer that nothing else would give.
            log.exception("sip REGISTER failed from=%s:%s", *source)
            response = response_to(request, 500, to_tag=secrets.token_hex(8))
        transaction.respond(seen(response, source))

    def ack(self, request: SipRequest, source: Address) -> None:
        if self.dialogs is not None:
            self.dialogs.ack(request)  # the ACK of a 200, which belongs to its dialog


def _answer(request: SipRequest, allow: str) -> Response:
    method = request.method
    tag = secrets.token_hex(8)
    if method == "OPTIONS":
        response = response_to(request, 200, to_tag=tag)
        response.headers.set("Allow", allow)
        response.headers.set("Accept", "application/sdp")
        return response
    if method == "INVITE":
        return response_to(request, 404, to_tag=tag)
    if method in ("BYE", "CANCEL"):
        return response_to(request, 481, to_tag=tag)
    response = response_to(request, 405 if method in UNSUPPORTED_METHODS else 501, to_tag=tag)
    response.headers.set("Allow", allow)
    return response


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, endpoint: SipEndpoint) -> None:
        self._endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._endpoint.received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        # An ICMP error for something sent earlier: UDP has no one to tell.
        log.debug("sip udp error=%s", exc)


class _StreamProtocol(asyncio.Protocol):
    """One TCP connection: messages framed by Content-Length (RFC 3261 §18.3), each handled as a
    datagram would be. A stream that cannot be framed, or idle for ``IDLE_S``, is closed."""

    def __init__(self, endpoint: SipEndpoint) -> None:
        self._endpoint = endpoint
        self._framer = StreamFramer()
        self._stream: asyncio.Transport | None = None
        self._peer: Address = ("", 0)
        self._idle: Handle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        host, port = transport.get_extra_info("peername")[:2]
        self._stream, self._peer = transport, (str(host), int(port))
        if not self._endpoint.connected(self._peer, transport):
            transport.close()
            return
        self._rearm()

    def data_received(self, data: bytes) -> None:
        self._rearm()
        try:
            messages = self._framer.feed(data)
        except BadMessage as error:
            log.debug("sip stream closed from=%s:%s error=%s", *self._peer, error.message)
            assert self._stream is not None
            self._stream.close()
            return
        for message in messages:
            self._endpoint.received(message, self._peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._endpoint.disconnected(self._peer)

    def _rearm(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = self._endpoint.timers.call_later(IDLE_S, self._idle_for_long)

    def _idle_for_long(self) -> None:
        stream = self._stream
        assert stream is not None
        if self._endpoint.held(self._peer):
            self._rearm()
        else:
            stream.close()
