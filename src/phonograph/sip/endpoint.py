"""The SIP port on UDP (RFC 3261 §18): datagrams in, answers out.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sipmessage import Response, Via

from phonograph.core import TaskOwner
from phonograph.sip.admission import Admission
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, parse, response_to
from phonograph.sip.ratelimit import RateLimiter
from phonograph.sip.registrar import Registrar
from phonograph.sip.transactions import LoopTimers, ServerTransaction, Timers, TransactionLayer

log = logging.getLogger(__name__)

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
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


class SipEndpoint:
    """The UDP socket on ``PHONOGRAPH_SIP_PORT`` and what answers on it."""

    def __init__(
        self,
        admission: Admission | None = None,
        registrar: Registrar | None = None,
        *,
        timers: Timers | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        """``admission``: who may call in through a SIP Domain; without it every INVITE is 404.
        ``registrar``: REGISTER for domain users; without it REGISTER is 405. ``limiter``: how many
        new INVITEs a source address may send (sip/ratelimit.py)."""
        self.stats = EndpointStats()
        self._transport: asyncio.DatagramTransport | None = None
        self._tasks = TaskOwner()
        self.limiter = limiter or RateLimiter(time.monotonic)
        user = _Answers(admission, registrar, self._tasks)
        self.transactions = TransactionLayer(
            self._send, timers or LoopTimers(), user, admit=self._within_rate
        )

    async def start(self, bound: socket.socket) -> None:
        """Answer on ``bound``, a UDP socket bound before the server made anything (cli/server.py)."""
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=bound)
        log.info("sip listening udp=%s:%s", *self.address)

    @property
    def address(self) -> Address:
        assert self._transport is not None, "the endpoint is started"
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    async def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        await self._tasks.close()

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
                self._send(encode(_seen(response_to(broken, error.sip_status), source)), source)
            return
        if isinstance(parsed, SipResponse):
            self.transactions.received_response(parsed)
        else:
            self.transactions.received_request(parsed, source)

    def _within_rate(self, request: SipRequest, source: Address) -> bool:
        return request.method != "INVITE" or self.limiter.allow(source[0])

    def _send(self, data: bytes, destination: Address) -> None:
        if self._transport is None:
            return
        self.stats.answered += 1
        self._transport.sendto(data, destination)


class _Answers:
    """The transaction user while no SIP call is placed: an INVITE is told whether its domain lets
    the caller in (and, when it does, that calls are not served yet: 480); a REGISTER goes to the
    registrar; every other request is answered at once."""

    def __init__(self, admission: Admission | None, registrar: Registrar | None, tasks: TaskOwner) -> None:
        self._admission = admission
        self._registrar = registrar
        self._tasks = tasks
        self._allow = ALLOW + (", REGISTER" if registrar is not None else "")

    def request(self, transaction: ServerTransaction) -> None:
        method = transaction.request.method
        if method == "INVITE" and self._admission is not None:
            transaction.respond(_seen(response_to(transaction.request, 100), transaction.source))
            self._tasks.spawn(self._answer_later(transaction, self._admission.invite), name="sip invite")
        elif method == "REGISTER" and self._registrar is not None:
            self._tasks.spawn(self._answer_later(transaction, self._registrar.register), name="sip register")
        else:
            transaction.respond(_seen(_answer(transaction.request, self._allow), transaction.source))

    async def _answer_later(
        self,
        transaction: ServerTransaction,
        answer: Callable[[SipRequest, Address, str], Awaitable[Response]],
    ) -> None:
        request, source = transaction.request, transaction.source
        try:
            response = await answer(request, source, secrets.token_hex(8))
        except Exception:
            # The transaction waits for a final answer that nothing else would give.
            log.exception("sip %s failed from=%s:%s", request.method, *source)
            response = response_to(request, 500, to_tag=secrets.token_hex(8))
        transaction.respond(_seen(response, source))

    def ack(self, request: SipRequest, source: Address) -> None:
        pass  # the ACK of a 2xx: phonograph sends none yet


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


def _seen(response: Response, source: Address) -> Response:
    """``response`` with its top Via saying where the request came from (RFC 3581 §4)."""
    try:
        top, *rest = response.via
    except ValueError:
        return response  # a Via that could not be read is sent back as it was written
    parameters = top.parameters.replace(received=source[0])
    if "rport" in top.parameters:
        parameters = parameters.replace(rport=str(source[1]))
    response.via = [Via(top.transport, top.host, top.port, parameters), *rest]
    return response


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, endpoint: SipEndpoint) -> None:
        self._endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._endpoint.received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        # An ICMP error for something sent earlier: UDP has no one to tell.
        log.debug("sip udp error=%s", exc)
