"""Calls that arrive over SIP, from the admitted INVITE to the end of their dialog (RFC 3261 §12,
§13.3, §15), with phonograph as the UAS.

An admitted INVITE with an offer phonograph can take gets an RTP port and 180 Ringing, and is
handed to the ``CallHandler`` (the calls room: it runs the domain's VoiceUrl). Its call then says
``answer`` (200 with the SDP answer, sent again until the ACK comes, §13.3.1.4), ``reject`` or
``hang_up`` (BYE); the phone's BYE, its CANCEL while ringing, and a 200 that never got its ACK end
the call through ``on_end``. A re-INVITE (hold, resume) is answered on the same port.

In-dialog requests phonograph sends go back along the flow the INVITE came on — to its source
address, as answers do — with the remote target as Request-URI and the route set as Route: a
forged Contact must not aim phonograph's requests at someone else (sip/endpoint.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sipmessage import URI, Address, CSeq, MediaType, Parameters, Request, Response, Via

from phonograph.core import PhonographError, ServiceUnavailable
from phonograph.sip.admission import Decision
from phonograph.sip.answering import Answering, offer_of
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, response_to, seen, x_headers
from phonograph.sip.outbound import OutboundCall, SipTarget
from phonograph.sip.rtp_stream import RtpPorts, RtpStream, RtpStreams
from phonograph.sip.sdp import Negotiated, Session, answer, negotiate
from phonograph.sip.transactions import (
    MAGIC_COOKIE,
    ServerState,
    ServerTransaction,
    TransactionLayer,
)
from phonograph.store import SipDomain

log = logging.getLogger(__name__)

SipAddress = tuple[str, int]
DialogKey = tuple[str, str, str]
"""Call-ID, phonograph's tag, the phone's tag (RFC 3261 §12)."""
SDP = MediaType("application/sdp")
REJECT_AFTER_HANDLER_FAILED = 480
"""The app could not take the call now (no VoiceUrl, a node draining: 503)."""


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERING = "answering"
    """The 200 went out; its ACK has not come."""
    CONFIRMED = "confirmed"
    ENDED = "ended"


CALL_MOVES: dict[CallState, frozenset[CallState]] = {
    CallState.RINGING: frozenset({CallState.ANSWERING, CallState.ENDED}),
    CallState.ANSWERING: frozenset({CallState.CONFIRMED, CallState.ENDED}),
    CallState.CONFIRMED: frozenset({CallState.ENDED}),
    CallState.ENDED: frozenset(),
}


class EndReason(StrEnum):
    HUNG_UP = "hung-up"
    """The phone's BYE."""
    CANCELED = "canceled"
    """The phone's CANCEL, while it rang."""
    NO_ACK = "no-ack"
    """The 200 was never acknowledged (64·T1): the phone is gone."""


@dataclass(frozen=True)
class Arrival:
    """What the INVITE said, for the app's webhook (https://www.twilio.com/docs/voice/api/sip-twiml)."""

    domain: SipDomain
    username: str | None
    source: SipAddress
    call_id: str
    request_uri: str
    from_uri: str
    x_headers: tuple[tuple[str, str], ...]


def arrival_of(request: SipRequest, source: SipAddress, decision: Decision) -> Arrival:
    assert decision.domain is not None, "an admitted INVITE has its domain"
    return Arrival(
        domain=decision.domain,
        username=decision.username,
        source=source,
        call_id=request.checked.call_id,
        request_uri=str(request.message.uri),
        from_uri=str(request.checked.from_.uri),
        x_headers=x_headers(request.message),
    )


class CallHandler(Protocol):
    async def call_arrived(self, call: InboundCall) -> None:
        """Take ``call`` (run its app); raise ``PhonographError`` to refuse it (480, or 503)."""


@dataclass(frozen=True)
class CallSetup:
    """What an endpoint needs to take calls: who runs them, their RTP ports, and the address
    phonograph gives in Via, Contact and SDP (``PHONOGRAPH_SIP_ADVERTISE``)."""

    handler: CallHandler
    ports: RtpPorts
    advertise: str
    rtp: RtpStreams
    """Every call's RTP, which the media clock moves before and after each frame (app.py)."""


@dataclass(eq=False)
class InboundCall:
    arrival: Arrival
    stream: RtpStream
    _dialogs: Dialogs
    invite: ServerTransaction
    _local_tag: str
    _answer_sdp: bytes
    state: CallState = CallState.RINGING
    on_end: Callable[[EndReason], None] = lambda reason: None
    """Told once when the phone ends the call (not when phonograph does)."""
    _local_cseq: int = field(default_factory=lambda: secrets.randbelow(1 << 16))
    _answering: Answering = field(init=False)

    def __post_init__(self) -> None:
        self._answering = Answering(
            self._dialogs.layer,
            self.arrival.source,
            self.arrival.call_id,
            lambda offer, version: self._dialogs.answer_sdp(offer, self.stream.port, version),
            self._not_acked,
            # The phone's requests in the dialog come after its INVITE (RFC 3261 §12.2.2).
            remote_cseq=self.invite.request.checked.cseq.sequence,
        )

    @property
    def key(self) -> DialogKey:
        checked = self.invite.request.checked
        return (checked.call_id, self._local_tag, checked.from_.parameters.get("tag") or "")

    # -- what the call's leg says ----------------------------------------------------------------

    def answer(self) -> None:
        if self.state is not CallState.RINGING or self.invite.state is not ServerState.PROCEEDING:
            return
        self._move(CallState.ANSWERING)
        self.stream.sending = True
        response = self.response(self.invite.request, 200)
        response.content_type = SDP
        response.body = self._answer_sdp
        self.invite.respond(response)
        self._answering.send_2xx(self.invite.request.checked.cseq.sequence, encode(response))

    def reject(self, code: int) -> None:
        """Refuse the ringing call with ``code`` (486 busy, 603 declined, 487 ended first)."""
        if self.state is CallState.RINGING:
            self.invite.respond(self.response(self.invite.request, code))
            self._end()

    def hang_up(self) -> None:
        """phonograph ends the answered call: BYE (RFC 3261 §15.1.1)."""
        if self.state in (CallState.ANSWERING, CallState.CONFIRMED):
            self._dialogs.layer.send_request(self._request("BYE"), self.arrival.source, lambda response: None)
            self._end()

    # -- what the phone says ---------------------------------------------------------------------

    def acked(self, request: SipRequest) -> None:
        if self._answering.acked(request) and self.state is CallState.ANSWERING:
            self._move(CallState.CONFIRMED)

    def in_dialog(self, transaction: ServerTransaction) -> None:
        request = transaction.request
        if not self._answering.in_order(transaction):
            return
        if request.method == "BYE":
            transaction.respond(seen(response_to(request, 200), transaction.source))
            log.info("sip bye call_id=%s", self.arrival.call_id)
            self._end_by_phone(EndReason.HUNG_UP)
        else:
            self._answering.reinvite(transaction, self.stream, self.response(request, 200))

    def canceled(self) -> None:
        if self.state is CallState.RINGING:
            self.invite.respond(self.response(self.invite.request, 487))
            self._end_by_phone(EndReason.CANCELED)

    # -- the dialog's machinery ------------------------------------------------------------------

    def response(self, request: SipRequest, code: int) -> Response:
        response = seen(response_to(request, code, to_tag=self._local_tag), self.arrival.source)
        if 100 < code < 300:
            response.contact = [Address(self._dialogs.contact_uri(request))]
            if routes := request.message.headers.getlist("Record-Route"):
                response.headers.setlist("Record-Route", list(routes))  # §12.1.1
        return response

    def _request(self, method: str) -> Request:
        """A request inside the dialog (RFC 3261 §12.2.1.1)."""
        invite = self.invite.request
        contact = invite.message.contact
        target = contact[0].uri if contact else invite.checked.from_.uri
        request = Request(method, target)
        host, port = self._dialogs.advertised
        transport = invite.checked.via[0].transport
        branch = MAGIC_COOKIE + secrets.token_hex(8)
        request.via = [Via(transport, host, port, Parameters(branch=branch, rport=None))]
        to = invite.checked.to
        request.from_address = Address(to.uri, to.name, to.parameters.replace(tag=self._local_tag))
        request.to_address = invite.checked.from_
        request.call_id = invite.checked.call_id
        self._local_cseq += 1
        request.cseq = CSeq(self._local_cseq, method)
        request.max_forwards = 70
        if routes := invite.message.headers.getlist("Record-Route"):
            request.headers.setlist("Route", list(routes))
        return request

    def _not_acked(self) -> None:
        """A 200 the phone never acknowledged: the call ends with a BYE."""
        if self.state is not CallState.ENDED:
            self.hang_up()
            self.on_end(EndReason.NO_ACK)

    def _end_by_phone(self, reason: EndReason) -> None:
        if self.state is not CallState.ENDED:
            self._end()
            self.on_end(reason)

    def _end(self) -> None:
        self._move(CallState.ENDED)
        self._answering.stop()
        self.stream.close()
        self._dialogs.forget(self)

    def _move(self, state: CallState) -> None:
        assert state in CALL_MOVES[self.state], f"sip call {self.state} -> {state}"
        self.state = state


class Connections(Protocol):
    """TCP connections phonograph opens to the targets of calls it places (sip/endpoint.py)."""

    async def hold(self, destination: SipAddress) -> None:
        """Open a connection to ``destination`` (or share the open one) and keep it open until
        ``release``; ``OSError`` when it cannot be opened."""

    def release(self, destination: SipAddress) -> None: ...


class Dialogs:
    """The calls on one SIP port, by dialog, and by the INVITE transaction that started each."""

    def __init__(
        self, layer: TransactionLayer, setup: CallSetup, sip_port: int, connections: Connections
    ) -> None:
        self.layer = layer
        self._connections = connections
        self.advertised = (setup.advertise, sip_port)
        """The address put in Via, Contact and SDP (``PHONOGRAPH_SIP_ADVERTISE`` and the SIP port)."""
        self._handler = setup.handler
        self._ports = setup.ports
        self._rtp = setup.rtp
        self._calls: dict[DialogKey, InboundCall] = {}
        self._by_invite: dict[int, InboundCall] = {}
        self._placed: dict[tuple[str, str], OutboundCall] = {}
        """Calls phonograph placed, by Call-ID and phonograph's tag."""

    def contact_uri(self, request: SipRequest) -> URI:
        host, port = self.advertised
        transport = request.checked.via[0].transport.lower()
        parameters = Parameters() if transport == "udp" else Parameters(transport=transport)
        return URI("sip", host, user="phonograph", port=port, parameters=parameters)

    def answer_sdp(self, offer: Session, port: int, version: int) -> tuple[Negotiated, bytes]:
        """What phonograph agrees to for ``offer``, RTP on ``port``; ``NotAcceptable`` (488)."""
        return answer(offer, address=self.advertised[0], port=port, session_id=port, version=version)

    async def invite(self, transaction: ServerTransaction, arrival: Arrival) -> None:
        """An admitted INVITE: a port, 180, and the handler; every way out answers it."""
        request = transaction.request
        try:
            offer = offer_of(request)
            negotiate(offer)  # refused before a port is taken
            sock = self._ports.bind()
        except BadMessage as error:
            refused = response_to(request, error.sip_status, to_tag="refused")
            transaction.respond(seen(refused, arrival.source))
            return
        except ServiceUnavailable:
            transaction.respond(seen(response_to(request, 503, to_tag="busy"), arrival.source))
            return
        agreed, body = self.answer_sdp(offer, sock.getsockname()[1], 0)
        stream = RtpStream(agreed, f"sip {arrival.call_id}", sock, self._rtp)
        if transaction.state not in (ServerState.TRYING, ServerState.PROCEEDING):
            stream.close()  # canceled while it was being admitted
            return
        call = InboundCall(arrival, stream, self, transaction, secrets.token_hex(8), body)
        self._calls[call.key] = call
        self._by_invite[id(transaction)] = call
        transaction.respond(call.response(request, 180))
        try:
            await self._handler.call_arrived(call)
        except PhonographError as error:
            log.info("sip call refused call_id=%s code=%s", arrival.call_id, error.code)
            call.reject(503 if isinstance(error, ServiceUnavailable) else REJECT_AFTER_HANDLER_FAILED)
        except Exception:
            log.exception("sip call failed call_id=%s", arrival.call_id)
            call.reject(500)

    async def place(self, target: SipTarget) -> OutboundCall:
        """Call ``target`` (sip/outbound.py); ``ServiceUnavailable`` when no RTP port is free or a
        TCP target's connection cannot be opened."""
        tcp = target.transport == "tcp"
        if tcp:
            try:
                await self._connections.hold(target.destination)
            except OSError as error:
                raise ServiceUnavailable(f"no TCP connection to {target.destination[0]}: {error}") from None
        try:
            sock = self._ports.bind()
        except ServiceUnavailable:
            if tcp:
                self._connections.release(target.destination)
            raise
        call = OutboundCall(target, self.layer, self.advertised, sock, self._rtp, self._forget_placed)
        self._placed[(call.call_id, call.local_tag)] = call
        call.start()
        log.info("sip call placed call_id=%s to=%s:%s", call.call_id, *target.destination)
        return call

    def _forget_placed(self, call: OutboundCall) -> None:
        if (
            self._placed.pop((call.call_id, call.local_tag), None) is not None
            and call.target.transport == "tcp"
        ):
            self._connections.release(call.target.destination)

    def stray_response(self, response: SipResponse) -> None:
        """A response no transaction waits for: a 200 to a placed call's INVITE that came again."""
        checked = response.checked
        call = self._placed.get((checked.call_id, checked.from_.parameters.get("tag") or ""))
        if call is not None and checked.cseq.method == "INVITE" and 200 <= response.code < 300:
            call.answered_again()

    def retransmitted_invite(self, request: SipRequest) -> bool:
        """Whether ``request`` is an INVITE already answered with a 200 (its transaction ended with
        it, RFC 3261 §17.2.1): the 200 is sent again until the ACK, so the copy is dropped."""
        checked = request.checked
        from_tag = checked.from_.parameters.get("tag") or ""
        return any(
            call.key[0] == checked.call_id and call.key[2] == from_tag and call.state is not CallState.RINGING
            for call in self._calls.values()
        )

    def in_dialog(self, transaction: ServerTransaction) -> bool:
        """Hand a BYE or re-INVITE to its dialog; False when there is none (481)."""
        key = _key_of(transaction.request)
        call = self._calls.get(key)
        if call is not None:
            call.in_dialog(transaction)
            return True
        placed = self._placed.get(key[:2])
        if placed is None or placed.remote_tag != key[2]:
            return False
        placed.in_dialog(transaction)
        return True

    def ack(self, request: SipRequest) -> None:
        key = _key_of(request)
        call = self._calls.get(key)
        if call is not None:
            call.acked(request)
            return
        placed = self._placed.get(key[:2])
        if placed is not None and placed.remote_tag == key[2]:
            placed.acked(request)

    def cancel(self, transaction: ServerTransaction) -> None:
        """RFC 3261 §9.2: 200 to the CANCEL, and 487 to its INVITE if that still rings."""
        cancel, source = transaction.request, transaction.source
        invite = self.layer.matching_invite(cancel, source)
        if invite is None:
            transaction.respond(seen(response_to(cancel, 481, to_tag="unknown"), source))
            return
        transaction.respond(seen(response_to(cancel, 200, to_tag="canceled"), source))
        call = self._by_invite.get(id(invite))
        if call is not None:
            call.canceled()
        elif invite.state in (ServerState.TRYING, ServerState.PROCEEDING):
            invite.respond(seen(response_to(invite.request, 487, to_tag="canceled"), source))

    def forget(self, call: InboundCall) -> None:
        self._calls.pop(call.key, None)
        self._by_invite.pop(id(call.invite), None)

    def close(self) -> None:
        for call in list(self._calls.values()):
            call.hang_up()
            call.reject(503)
        for placed in list(self._placed.values()):
            placed.hang_up()
        self._rtp.io.close()


def _key_of(request: SipRequest) -> DialogKey:
    """The dialog a request from the phone belongs to: its To tag is phonograph's (RFC 3261 §12.2.2)."""
    checked = request.checked
    return (
        checked.call_id,
        checked.to.parameters.get("tag") or "",
        checked.from_.parameters.get("tag") or "",
    )
