"""Calls phonograph places over SIP (RFC 3261 §13.2, §12.1.2, §9.1), as the UAC: ``<Dial><Sip>``.

The INVITE carries phonograph's offer (its RTP port is bound first); a 401/407 is answered once
with the target's credentials (digest, RFC 7616: the transaction acknowledged the challenge
itself); the final answer resolves ``final`` with its code (408 when none came). A 2xx makes the
dialog: its remote target is the 200's Contact, its route set the 200's Record-Route reversed; the
ACK (a request of its own, §13.2.2.4) and every later request go to the remote target through the
route set, and on the wire to the address the INVITE went to (resolved and checked against the
outbound policy by the caller). Each 200 that comes again gets the ACK again. ``cancel`` while it
rings (after a provisional answer, §9.1), ``hang_up`` once answered; the callee's BYE ends it
through ``on_end``.

The callee's re-INVITE (hold, resume) is answered as a phone's is on calls that came in
(sip/answering.py). UDP or TCP (no retransmissions on TCP, RFC 3261 §17.1.1.2); a target asking
for TLS is refused before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sipmessage import URI, Address, CSeq, MediaType, Parameters, Request, Via

from phonograph.sip.answering import Answering
from phonograph.sip.digest import BadCredentials, Challenge, authorization
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, response_to, seen, x_headers
from phonograph.sip.rtp_stream import RtpStream, RtpStreams
from phonograph.sip.sdp import Negotiated, Session, answer, negotiate, offer, parse_sdp
from phonograph.sip.transactions import MAGIC_COOKIE, ServerTransaction, TransactionLayer

log = logging.getLogger(__name__)

SipAddress = tuple[str, int]
SDP = MediaType("application/sdp")
TIMED_OUT = 408
NOT_ACCEPTABLE = 488


class OutboundState(StrEnum):
    CALLING = "calling"
    RINGING = "ringing"
    CONFIRMED = "confirmed"
    ENDED = "ended"


OUTBOUND_MOVES: dict[OutboundState, frozenset[OutboundState]] = {
    OutboundState.CALLING: frozenset({OutboundState.RINGING, OutboundState.CONFIRMED, OutboundState.ENDED}),
    OutboundState.RINGING: frozenset({OutboundState.CONFIRMED, OutboundState.ENDED}),
    OutboundState.CONFIRMED: frozenset({OutboundState.ENDED}),
    OutboundState.ENDED: frozenset(),
}


@dataclass(frozen=True)
class SipTarget:
    """Whom to call: ``uri`` (without its headers), reached at ``destination``, an address the
    caller resolved and the outbound policy allows."""

    uri: URI
    destination: SipAddress
    caller: str
    """The From user (the caller ID)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers the URI carried (``?X-Foo=bar``), sent with the INVITE."""
    username: str | None = None
    password: str | None = None
    from_host: str | None = None
    """The From URI's host (a BYOC trunk's From domain); phonograph's advertised address if None."""
    transport: str = "udp"
    """``udp`` or ``tcp`` (the URI's ``;transport=``): a TCP target is reached over a connection
    phonograph opens, kept open while the call lasts (sip/endpoint.py)."""


@dataclass(eq=False)
class OutboundCall:
    target: SipTarget
    _layer: TransactionLayer
    _advertised: SipAddress
    _sock: socket.socket
    """The call's RTP port, bound before the offer names it; the stream's once answered."""
    _rtp: RtpStreams
    _forget: Callable[[OutboundCall], None]
    state: OutboundState = OutboundState.CALLING
    final: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    """The final answer's code: 2xx once answered, 408 when nothing answered."""
    stream: RtpStream | None = None
    on_end: Callable[[], None] = lambda: None
    """Told once when the callee ends the answered call (its BYE)."""
    call_id: str = field(default_factory=lambda: f"{secrets.token_hex(12)}@phonograph")
    local_tag: str = field(default_factory=lambda: secrets.token_hex(8))
    remote_tag: str = ""
    _cseq: int = 1
    _invite: Request | None = None
    _authenticated: bool = False
    _given_up: bool = False
    """``cancel`` was asked: a CANCEL goes once a provisional answer came, and a 2xx that crosses it
    is acknowledged and hung up at once (RFC 3261 §9.1)."""
    _remote_target: URI | None = None
    _routes: tuple[str, ...] = ()
    _ack: bytes | None = None
    final_headers: tuple[tuple[str, str], ...] = ()
    """The ``X-`` headers of the final answer (``DialSipHeader_X-…`` of the dial's action)."""
    _answering: Answering = field(init=False)

    def __post_init__(self) -> None:
        self._answering = Answering(
            self._layer, self.target.destination, self.call_id, self._answer_sdp, self._not_acked
        )

    # -- sending ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._send_invite(None)

    def _send_invite(self, credentials: tuple[str, str] | None) -> None:
        target = self.target
        invite = Request("INVITE", target.uri)
        self._common(invite, "INVITE")
        invite.to_address = Address(target.uri)
        invite.contact = [Address(self._contact)]
        for name, value in target.headers:
            invite.headers.add(name, value)
        if credentials is not None:
            invite.headers.set(*credentials)
        invite.content_type = SDP
        rtp_port = self._sock.getsockname()[1]
        invite.body = offer(address=self._advertised[0], port=rtp_port, session_id=rtp_port, version=0)
        self._invite = invite
        self._layer.send_request(invite, target.destination, self._answered)

    def _common(self, request: Request, method: str) -> None:
        host, port = self._advertised
        branch = MAGIC_COOKIE + secrets.token_hex(8)
        request.via = [Via(self.target.transport.upper(), host, port, Parameters(branch=branch, rport=None))]
        caller = URI("sip", self.target.from_host or host, user=self.target.caller)
        request.from_address = Address(caller, parameters=Parameters(tag=self.local_tag))
        request.call_id = self.call_id
        request.cseq = CSeq(self._cseq, method)
        request.max_forwards = 70

    def cancel(self) -> None:
        """Give up ringing (the caller's timeout, or it hung up): CANCEL once a provisional answer
        came, or as soon as one comes (RFC 3261 §9.1); the INVITE then gets 487."""
        if self.final.done() or self.state is OutboundState.ENDED:
            return
        self._given_up = True
        if self.state is not OutboundState.RINGING:
            return
        invite = self._invite
        assert invite is not None
        cancel = Request("CANCEL", invite.uri)
        cancel.via = [invite.via[0]]
        cancel.from_address = invite.from_address
        cancel.to_address = invite.to_address
        cancel.call_id = self.call_id
        cancel.cseq = CSeq(invite.cseq.sequence, "CANCEL")
        cancel.max_forwards = 70
        self._layer.send_request(cancel, self.target.destination, lambda response: None)

    def hang_up(self) -> None:
        """phonograph ends the answered call: BYE in the dialog."""
        if self.state is OutboundState.CONFIRMED:
            self._layer.send_request(self._in_dialog("BYE"), self.target.destination, lambda response: None)
            self._end()
        elif not self.final.done():
            self.cancel()

    def _in_dialog(self, method: str) -> Request:
        assert self._remote_target is not None
        request = Request(method, self._remote_target)
        if method != "ACK":
            self._cseq += 1
        self._common(request, method)
        invite = self._invite
        assert invite is not None
        request.to_address = Address(invite.to_address.uri, parameters=Parameters(tag=self.remote_tag))
        if self._routes:
            request.headers.setlist("Route", list(self._routes))
        return request

    # -- what comes back -------------------------------------------------------------------------

    def _answered(self, response: SipResponse | None) -> None:
        if response is None:
            self._finish(TIMED_OUT)
            return
        code = response.code
        if code >= 200:
            self.final_headers = x_headers(response.message)
        if code < 200:
            if self.state is OutboundState.CALLING:
                self._move(OutboundState.RINGING)
                if self._given_up:
                    self.cancel()
            return
        if code in (401, 407) and not self._authenticated and self._answer_challenge(response):
            return
        if code < 300:
            self._confirm(response)
            return
        self._finish(code)

    def _answer_challenge(self, response: SipResponse) -> bool:
        """Send the INVITE again with the target's digest answer; False when there is none to give."""
        target, invite = self.target, self._invite
        if target.username is None or target.password is None or invite is None:
            return False
        name = "WWW-Authenticate" if response.code == 401 else "Proxy-Authenticate"
        header = response.message.headers.get(name)
        try:
            challenge = Challenge.parse(header or "")
        except BadCredentials:
            return False
        self._authenticated = True
        self._cseq += 1
        value = authorization(
            challenge,
            username=target.username,
            password=target.password,
            method="INVITE",
            uri=str(invite.uri),
            cnonce=secrets.token_hex(8),
        )
        self._send_invite(("Authorization" if response.code == 401 else "Proxy-Authorization", value))
        return True

    def _confirm(self, response: SipResponse) -> None:
        """A 2xx: the dialog, its ACK, and the RTP the answer agreed to."""
        if self.state is OutboundState.CONFIRMED:
            return
        self.remote_tag = response.checked.to.parameters.get("tag") or ""
        contact = response.message.contact
        self._remote_target = contact[0].uri if contact else self.target.uri
        self._routes = tuple(reversed(response.message.headers.getlist("Record-Route")))
        self._ack = encode(self._in_dialog("ACK"))
        self._layer.send(self._ack, self.target.destination)
        self._move(OutboundState.CONFIRMED)
        if self._given_up:
            log.info("sip answer after cancel call_id=%s", self.call_id)
            self.hang_up()
            self._finish(response.code)
            return
        try:
            _, agreed = negotiate(parse_sdp(response.message.body))
        except BadMessage:
            log.info("sip answer without usable SDP call_id=%s", self.call_id)
            self.hang_up()
            self._finish(NOT_ACCEPTABLE)
            return
        self.stream = RtpStream(agreed, f"sip {self.call_id}", self._sock, self._rtp)
        self.stream.sending = True
        if not self.final.done():
            self.final.set_result(response.code)

    def answered_again(self) -> None:
        """A 200 that came again (our ACK was lost): the same ACK again."""
        if self._ack is not None and self.state is OutboundState.CONFIRMED:
            self._layer.send(self._ack, self.target.destination)

    def in_dialog(self, transaction: ServerTransaction) -> None:
        """The callee's BYE ends the call; its re-INVITE (hold, resume) is answered on the call's
        port (sip/answering.py)."""
        request = transaction.request
        if not self._answering.in_order(transaction):
            return
        if request.method == "BYE":
            transaction.respond(seen(response_to(request, 200), transaction.source))
            if self.state is OutboundState.CONFIRMED:
                self._end()
                self.on_end()
        elif self.stream is not None and self.state is OutboundState.CONFIRMED:
            ok = seen(response_to(request, 200), transaction.source)
            ok.contact = [Address(self._contact)]
            self._answering.reinvite(transaction, self.stream, ok)
        else:
            transaction.respond(seen(response_to(request, NOT_ACCEPTABLE), transaction.source))

    def acked(self, request: SipRequest) -> None:
        """The ACK of phonograph's 200 to a re-INVITE."""
        self._answering.acked(request)

    @property
    def _contact(self) -> URI:
        host, port = self._advertised
        transport = self.target.transport
        parameters = Parameters() if transport == "udp" else Parameters(transport=transport)
        return URI("sip", host, user="phonograph", port=port, parameters=parameters)

    def _answer_sdp(self, session: Session, version: int) -> tuple[Negotiated, bytes]:
        port = self._sock.getsockname()[1]
        return answer(session, address=self._advertised[0], port=port, session_id=port, version=version)

    def _not_acked(self) -> None:
        self.hang_up()
        self.on_end()

    def _finish(self, code: int) -> None:
        if not self.final.done():
            self.final.set_result(code)
        if self.state is not OutboundState.ENDED:
            self._end()

    def _end(self) -> None:
        self._move(OutboundState.ENDED)
        self._answering.stop()
        if self.stream is not None:
            self.stream.close()
        else:
            self._sock.close()
        self._forget(self)

    def _move(self, state: OutboundState) -> None:
        assert state in OUTBOUND_MOVES[self.state], f"sip outbound call {self.state} -> {state}"
        self.state = state
