"""Room ``sip``: the SIP and RTP edge through which real phones, PBXs and carriers call in and are
called (issue 15 of the tracker). So far: SIP messages on the wire (``message``), their framing on
stream transports (``framing``), SDP offer/answer for PCMU, PCMA and telephone-event (``sdp``), and
RTP packets, telephone-events and the jitter buffer (``rtp``), digest authentication both ways
(``digest``), transactions with their timers (``transactions``), and the UDP port answering as a
stateless UAS (``endpoint``)."""

from phonograph.sip.admission import Admission, Decision, Outcome
from phonograph.sip.digest import Challenge, Challenger, DigestAnswer, Verdict, authorization
from phonograph.sip.endpoint import SipEndpoint, SipSockets
from phonograph.sip.framing import StreamFramer
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, parse, response_to
from phonograph.sip.registrar import Registrar
from phonograph.sip.rtp import BadPacket, JitterBuffer, RtpPacket, RtpSender, TelephoneEvent
from phonograph.sip.sdp import (
    Codec,
    Direction,
    MediaOffer,
    Negotiated,
    NotAcceptable,
    Session,
    answer,
    negotiate,
    offer,
    parse_sdp,
)

__all__ = [
    "Admission",
    "BadMessage",
    "BadPacket",
    "Challenge",
    "Challenger",
    "Codec",
    "Decision",
    "DigestAnswer",
    "Direction",
    "JitterBuffer",
    "MediaOffer",
    "Negotiated",
    "NotAcceptable",
    "Outcome",
    "Registrar",
    "RtpPacket",
    "RtpSender",
    "Session",
    "SipEndpoint",
    "SipRequest",
    "SipResponse",
    "SipSockets",
    "StreamFramer",
    "TelephoneEvent",
    "Verdict",
    "answer",
    "authorization",
    "encode",
    "negotiate",
    "offer",
    "parse",
    "parse_sdp",
    "response_to",
]
