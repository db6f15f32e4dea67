"""A call that a phone placed over SIP to one of the account's SIP Domains (sip/dialogs.py): its leg
(direction ``inbound``) runs the domain's VoiceUrl, and the phone is its far end.

The phone hears nothing until the app answers (Twilio: "If the instructions are <Say>, <Play>,
<Record>, <Dial>, or <Gather>, Twilio sends a 200 OK SIP response", and a ``<Redirect>`` stays in
180 Ringing, https://www.twilio.com/docs/voice/api/sip-twiml); a leg that ends before answering
refuses the INVITE: 486 for ``<Reject reason="busy">``, 603 for ``<Reject>``, 487 otherwise.
"""

from __future__ import annotations

import asyncio

from phonograph.calls.contracts import CallLeg
from phonograph.calls.far_ends import Answer
from phonograph.calls.legs import new_leg
from phonograph.calls.params import Params
from phonograph.calls.source import ProgramSource
from phonograph.calls.state import CallStatus, Direction
from phonograph.core import Clock, InvalidParameter
from phonograph.media import MediaClock, connect
from phonograph.sip import EndReason, InboundCall
from phonograph.store import PHONE_ADDRESS_MAX_CHARS, Call

REFUSAL_CODE = {Answer.BUSY: 486, Answer.NO_ANSWER: 603}
"""The SIP answer to a ``<Reject>`` (reason ``busy`` / ``rejected``) as the first verb."""
ENDED_BEFORE_ANSWER_CODE = 487


class SipCallerLine:
    """The phone that called, as its leg sees it: it is calling, so it has answered already; the
    leg's answer is the phone's 200."""

    def __init__(self, call: InboundCall, media: MediaClock) -> None:
        self.call = call
        self.leg = call.stream.leg
        self._media = media
        self._answer: asyncio.Future[Answer] | None = None

    def attach(self, session: CallLeg) -> None:
        """Be ``session``'s far end from now on: the phone is heard on it at once (it sends no
        audio before its 200), and gets its 200 when the app answers."""
        self._answer = session.answer
        session.answer.add_done_callback(self._answered)
        self.call.on_end = lambda reason: self._phone_left(session, reason)
        connect(session.leg, self.leg)
        self._media.add(self.leg)

    def _answered(self, answer: asyncio.Future[Answer]) -> None:
        if answer.result() is Answer.ANSWER:
            self.call.answer()

    def _phone_left(self, session: CallLeg, reason: EndReason) -> None:
        """The phone's BYE ends the call like a hang-up; its CANCEL cancels a ringing leg."""
        self._media.remove(self.leg)
        session.far_end = None
        session.end(CallStatus.CANCELED if reason is EndReason.CANCELED else CallStatus.COMPLETED)

    async def ring(self, since_frame: int) -> Answer:
        return Answer.ANSWER

    def answered(self) -> None:
        pass

    async def hang_up(self) -> None:
        """The leg ended: BYE when the phone was answered; else the INVITE is refused."""
        self._media.remove(self.leg)
        answer = self._answer
        outcome = answer.result() if answer is not None and answer.done() else None
        if outcome is Answer.ANSWER:
            # A leg that ends as it answers gets here before ``_answered`` runs: the 200 first.
            self.call.answer()
            self.call.hang_up()
        elif outcome is not None and outcome in REFUSAL_CODE:
            self.call.reject(REFUSAL_CODE[outcome])
        else:
            self.call.reject(ENDED_BEFORE_ANSWER_CODE)


def sip_leg(call: InboundCall, clock: Clock, node_id: str) -> Call:
    """The row of the leg a SIP call runs: ``To`` is the INVITE's Request-URI and ``From`` its From
    URI, as Twilio gives them for SIP (https://www.twilio.com/docs/voice/api/sip-twiml)."""
    arrival, domain = call.arrival, call.arrival.domain
    if not domain.voice_url:
        # Nothing can take the call: the INVITE gets 480 (sip/dialogs.py).
        raise InvalidParameter(f"SIP Domain {domain.sid} has no VoiceUrl")
    if max(len(arrival.request_uri), len(arrival.from_uri)) > PHONE_ADDRESS_MAX_CHARS:
        raise InvalidParameter(f"a SIP URI longer than {PHONE_ADDRESS_MAX_CHARS} characters")
    now = clock.now()
    return new_leg(
        account_sid=domain.account_sid,
        to=arrival.request_uri,
        from_=arrival.from_uri,
        direction=Direction.INBOUND,
        now=now,
        owner_node=node_id,
        status=CallStatus.RINGING,
        start_time=now,
        url=domain.voice_url,
        method=domain.voice_method,
        fallback_url=domain.voice_fallback_url,
        fallback_method=domain.voice_fallback_method,
        status_callback=domain.voice_status_callback_url,
        status_callback_method=domain.voice_status_callback_method,
    )


def sip_program(call: InboundCall) -> ProgramSource:
    domain = call.arrival.domain
    return ProgramSource(
        url=domain.voice_url,
        method=domain.voice_method,
        fallback_url=domain.voice_fallback_url,
        fallback_method=domain.voice_fallback_method,
    )


def sip_params(call: InboundCall) -> Params:
    """What Twilio adds for a call from a SIP Domain to every request about it."""
    arrival = call.arrival
    params: Params = [
        ("SipDomain", arrival.domain.domain_name),
        ("SipDomainSid", arrival.domain.sid),
        ("SipCallId", arrival.call_id),
        ("SipSourceIp", arrival.source[0]),
    ]
    if arrival.username is not None:
        params.append(("SipUsername", arrival.username))
    params += [(f"SipHeader_{name}", value) for name, value in arrival.x_headers]
    return params
