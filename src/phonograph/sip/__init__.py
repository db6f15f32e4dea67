"""Room ``sip``: the SIP and RTP edge through which real phones, PBXs and carriers call in and are
called (issue 15 of the tracker). So far: SIP messages on the wire (``message``), their framing on
stream transports (``framing``), SDP offer/answer for PCMU, PCMA and telephone-event (``sdp``),
RTP packets, telephone-events and the jitter buffer (``rtp``), one call's RTP port and the media leg
it feeds (``rtp_stream``), digest authentication both ways (``digest``), transactions with their
timers (``transactions``), who may call in (``admission``), REGISTER (``registrar``), calls that
arrive as dialogs (``dialogs``), and the UDP and TCP port (``endpoint``). It knows nothing of
calls: the calls room takes what arrives through ``CallHandler``."""

from phonograph.sip.admission import Admission, Decision, Outcome
from phonograph.sip.dialogs import Arrival, CallHandler, CallSetup, Dialogs, EndReason, InboundCall
from phonograph.sip.digest import Challenge, Challenger, DigestAnswer, Verdict, authorization
from phonograph.sip.endpoint import SipEndpoint, SipSockets
from phonograph.sip.framing import StreamFramer
from phonograph.sip.message import BadMessage, SipRequest, SipResponse, encode, parse, response_to
from phonograph.sip.outbound import OutboundCall, SipTarget
from phonograph.sip.ratelimit import RateLimiter
from phonograph.sip.registrar import Registrar
from phonograph.sip.rtp import BadPacket, JitterBuffer, RtpPacket, RtpSender, TelephoneEvent
from phonograph.sip.rtp_io import RtpIo
from phonograph.sip.rtp_stream import RtpPorts, RtpStream, RtpStreams
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
    "Arrival",
    "BadMessage",
    "BadPacket",
    "CallHandler",
    "CallSetup",
    "Challenge",
    "Challenger",
    "Codec",
    "Decision",
    "Dialogs",
    "DigestAnswer",
    "Direction",
    "EndReason",
    "InboundCall",
    "JitterBuffer",
    "MediaOffer",
    "Negotiated",
    "NotAcceptable",
    "OutboundCall",
    "Outcome",
    "RateLimiter",
    "Registrar",
    "RtpIo",
    "RtpPacket",
    "RtpPorts",
    "RtpSender",
    "RtpStream",
    "RtpStreams",
    "Session",
    "SipEndpoint",
    "SipRequest",
    "SipResponse",
    "SipSockets",
    "SipTarget",
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
