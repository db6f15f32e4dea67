"""The far end's requests inside a dialog phonograph is in, whichever side placed the call: their
order (RFC 3261 §12.2.2: a CSeq not above the last one is 500), a re-INVITE's new offer (RFC 3264
§8: hold with ``sendonly``/``inactive``, resume, a new address) answered on the call's own RTP port,
and each 200 to an INVITE sent again, T1 doubling up to T2, until its ACK (§13.3.1.4); a 200 not
acknowledged for 64·T1 ends the call ("the session SHOULD be terminated", with a BYE)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sipmessage import MediaType, Response

from phonograph.sip.message import BadMessage, SipRequest, encode, response_to, seen
from phonograph.sip.rtp_stream import RtpStream
from phonograph.sip.sdp import Negotiated, NotAcceptable, Session, parse_sdp
from phonograph.sip.transactions import T1_S, T2_S, TIMEOUT_S, Handle, ServerTransaction, TransactionLayer

log = logging.getLogger(__name__)

SipAddress = tuple[str, int]
SDP = MediaType("application/sdp")
OUT_OF_ORDER = 500
NOT_ACCEPTABLE = 488


def offer_of(request: SipRequest) -> Session:
    """The SDP offer of an INVITE; ``BadMessage`` (400) for one that cannot be read, and 488 for an
    INVITE without one: phonograph does not offer first in a 200 (RFC 3261 §13.2.1's "late offer")."""
    if not request.message.body:
        raise NotAcceptable("an INVITE without an SDP offer is not taken")
    return parse_sdp(request.message.body)


@dataclass(eq=False)
class Answering:
    layer: TransactionLayer
    peer: SipAddress
    """Where a 200 is sent again: the address the far end's requests come from."""
    call_id: str
    answer_sdp: Callable[[Session, int], tuple[Negotiated, bytes]]
    """phonograph's answer to an offer, given the answer's SDP version; ``NotAcceptable`` (488)."""
    on_no_ack: Callable[[], None]
    remote_cseq: int = 0
    _sdp_version: int = 0
    _pending_2xx: tuple[int, bytes] | None = None
    """The CSeq of a 200 to an INVITE sent again until its ACK comes, and its bytes."""
    _retransmit: Handle | None = None

    def in_order(self, transaction: ServerTransaction) -> bool:
        """Whether the request comes after the last one; a late one is answered 500 here."""
        request = transaction.request
        sequence = request.checked.cseq.sequence
        if sequence <= self.remote_cseq:
            transaction.respond(seen(response_to(request, OUT_OF_ORDER), transaction.source))
            return False
        self.remote_cseq = sequence
        return True

    def _answer(self, offer: Session) -> tuple[Negotiated, bytes]:
        self._sdp_version += 1
        return self.answer_sdp(offer, self._sdp_version)

    def reinvite(self, transaction: ServerTransaction, stream: RtpStream, ok: Response) -> None:
        """Take the re-INVITE's offer on ``stream`` and send ``ok`` (its 200, made by the caller)
        with the answer; 488 for a new codec, 400 for an offer that cannot be read."""
        request = transaction.request
        try:
            agreed, body = self._answer(offer_of(request))
        except BadMessage as error:
            transaction.respond(seen(response_to(request, error.sip_status), transaction.source))
            return
        if agreed.codec is not stream.codec:
            transaction.respond(seen(response_to(request, NOT_ACCEPTABLE), transaction.source))
            return
        stream.update(agreed)
        ok.content_type = SDP
        ok.body = body
        transaction.respond(ok)
        self.send_2xx(request.checked.cseq.sequence, encode(ok))
        log.info("sip reinvite call_id=%s direction=%s", self.call_id, agreed.direction.value)

    def send_2xx(self, sequence: int, data: bytes) -> None:
        """Send a 200 to an INVITE again until its ACK."""
        self.stop()
        self._pending_2xx = (sequence, data)
        self._schedule(T1_S, T1_S)

    def acked(self, request: SipRequest) -> bool:
        """Whether ``request`` is the ACK of the 200 being sent again (which then stops)."""
        pending = self._pending_2xx
        if pending is None or request.checked.cseq.sequence != pending[0]:
            return False
        self.stop()
        return True

    def _schedule(self, interval_s: float, waited_s: float) -> None:
        def again() -> None:
            pending = self._pending_2xx
            if pending is None:
                return
            if waited_s >= TIMEOUT_S:
                log.info("sip no ack call_id=%s", self.call_id)
                self.stop()
                self.on_no_ack()
                return
            self.layer.send(pending[1], self.peer)
            next_s = min(2 * interval_s, T2_S)
            self._schedule(next_s, waited_s + next_s)

        self._retransmit = self.layer.timers.call_later(interval_s, again)

    def stop(self) -> None:
        self._pending_2xx = None
        if self._retransmit is not None:
            self._retransmit.cancel()
            self._retransmit = None
