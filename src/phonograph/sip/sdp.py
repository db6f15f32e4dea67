"""SDP for one audio stream: reading an offer or an answer (RFC 4566), answering an offer and making
one (RFC 3264), for PCMU and PCMA at 8 kHz with RFC 4733 telephone-events and 20 ms packets.

A peer's SDP is untrusted input: it is bounded by the SIP message around it, read line by line, and
anything that is not understood is ignored the way RFC 4566 §5 allows (unknown attributes) or
refused (a broken ``m=``/``c=`` line: 400; nothing acceptable offered: 488, RFC 3264 §6).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType

from phonograph.sip.message import BadMessage

PTIME_MS = 20
TELEPHONE_EVENT = "telephone-event/8000"
TELEPHONE_EVENT_PAYLOAD = 101
"""The dynamic payload type phonograph offers telephone-events on (the one most peers use)."""
DTMF_EVENTS = "0-16"
"""RFC 4733 §3.2: the sixteen DTMF keys and flash."""
MAX_MEDIA = 8
"""More ``m=`` lines than a call has a use for; past it the offer is refused (400)."""


class Codec(Enum):
    """The audio phonograph sends and takes: G.711 at 8 kHz on its static payload type (RFC 3551)."""

    PCMU = 0
    PCMA = 8

    @property
    def payload_type(self) -> int:
        return self.value

    @property
    def rtpmap(self) -> str:
        return f"{self.name}/8000"


class Direction(StrEnum):
    """RFC 4566 §6 (and RFC 3264 §5.1): who sends on the stream; a held call is sendonly/inactive."""

    SENDRECV = "sendrecv"
    SENDONLY = "sendonly"
    RECVONLY = "recvonly"
    INACTIVE = "inactive"

    def reversed(self) -> Direction:
        """The direction an answer gives to an offer's (RFC 3264 §6.1)."""
        return _REVERSED[self]


_DIRECTIONS = frozenset(direction.value for direction in Direction)
_REVERSED = {
    Direction.SENDRECV: Direction.SENDRECV,
    Direction.SENDONLY: Direction.RECVONLY,
    Direction.RECVONLY: Direction.SENDONLY,
    Direction.INACTIVE: Direction.INACTIVE,
}


class NotAcceptable(BadMessage):
    """An offer with no stream phonograph can take: answered 488 (RFC 3264 §6)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 488)


@dataclass(frozen=True)
class MediaOffer:
    """One ``m=`` line with what applies to it."""

    kind: str
    port: int
    protocol: str
    formats: tuple[str, ...]
    address: str | None
    direction: Direction
    rtpmap: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    ptime_ms: int | None = None

    def payload_type_of(self, encoding: str) -> int | None:
        """The payload type the offer names ``encoding`` (``"PCMU/8000"``) by, static or mapped."""
        for format_ in self.formats:
            if not format_.isdigit():
                continue
            payload_type = int(format_)
            mapped = self.rtpmap.get(payload_type)
            if mapped is not None and mapped.lower() == encoding.lower():
                return payload_type
            if mapped is None and _STATIC.get(encoding) == payload_type:
                return payload_type
        return None


_STATIC = {codec.rtpmap: codec.payload_type for codec in Codec}


@dataclass(frozen=True)
class Session:
    """A session description: its origin line and its media."""

    origin: str
    address: str | None
    media: tuple[MediaOffer, ...]


@dataclass(frozen=True)
class Negotiated:
    """What both sides agreed on for the call's audio, and where to send it."""

    codec: Codec
    payload_type: int
    """The payload type the offer named the codec by (an answer keeps the offer's, RFC 3264 §6.1)."""
    dtmf_payload_type: int | None
    remote_address: str
    remote_port: int
    direction: Direction
    """The direction from phonograph's side."""


def parse_sdp(body: bytes) -> Session:
    """An SDP body. Raises ``BadMessage`` (400) for one that cannot be read."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("SDP is not UTF-8") from None
    origin = ""
    session_address: str | None = None
    session_direction = Direction.SENDRECV
    media: list[_MediaBuilder] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        kind, equals, value = line.partition("=")
        if not equals or len(kind) != 1:
            raise BadMessage(f"malformed SDP line {line[:40]!r}")
        current = media[-1] if media else None
        if kind == "o":
            origin = value
        elif kind == "c":
            address = _connection_address(value)
            if current is None:
                session_address = address
            else:
                current.address = address
        elif kind == "m":
            if len(media) == MAX_MEDIA:
                raise BadMessage(f"more than {MAX_MEDIA} media in the SDP")
            media.append(_media_line(value))
        elif kind == "a":
            name, _, attribute = value.partition(":")
            if name in _DIRECTIONS and current is None:
                session_direction = Direction(name)
            elif current is not None:
                current.attribute(name, attribute)
    if not media:
        raise BadMessage("SDP has no media")
    return Session(origin, session_address, tuple(m.build(session_direction) for m in media))


@dataclass
class _MediaBuilder:
    kind: str
    port: int
    protocol: str
    formats: tuple[str, ...]
    address: str | None = None
    direction: Direction | None = None
    rtpmap: dict[int, str] = field(default_factory=dict)
    ptime_ms: int | None = None

    def attribute(self, name: str, value: str) -> None:
        if name in _DIRECTIONS:
            self.direction = Direction(name)
        elif name == "rtpmap":
            payload, _, encoding = value.partition(" ")
            if payload.isdigit() and encoding and len(self.rtpmap) < len(self.formats):
                self.rtpmap[int(payload)] = encoding.strip()
        elif name == "ptime" and value.strip().isdigit():
            self.ptime_ms = int(value.strip())

    def build(self, session_direction: Direction) -> MediaOffer:
        return MediaOffer(
            kind=self.kind,
            port=self.port,
            protocol=self.protocol,
            formats=self.formats,
            address=self.address,
            direction=self.direction or session_direction,
            rtpmap=MappingProxyType(dict(self.rtpmap)),
            ptime_ms=self.ptime_ms,
        )


def _media_line(value: str) -> _MediaBuilder:
    # m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 4566 §5.14)
    parts = value.split()
    if len(parts) < 4 or not parts[1].split("/")[0].isdigit():
        raise BadMessage(f"malformed m= line {value[:60]!r}")
    port = int(parts[1].split("/")[0])
    if port > 65_535:
        raise BadMessage(f"m= port {port} is out of range")
    return _MediaBuilder(kind=parts[0], port=port, protocol=parts[2], formats=tuple(parts[3:]))


def _connection_address(value: str) -> str:
    # c=IN IP4 <address>[/ttl] (RFC 4566 §5.7)
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN" or parts[1] not in ("IP4", "IP6"):
        raise BadMessage(f"malformed c= line {value[:60]!r}")
    address = parts[2].split("/")[0]
    try:
        ipaddress.ip_address(address)
    except ValueError:
        # A host name is valid SDP, but phonograph sends RTP only to an address it was given.
        raise BadMessage(f"c= address {address[:60]!r} is not an IP address") from None
    return address


def negotiate(offer: Session) -> tuple[int, Negotiated]:
    """The first audio stream of ``offer`` that phonograph can take, by its index, and what it
    agrees to: the first G.711 codec in the offer's order, telephone-events if offered. Raises
    ``NotAcceptable`` when there is none."""
    for index, media in enumerate(offer.media):
        if media.kind != "audio" or media.port == 0 or media.protocol != "RTP/AVP":
            continue
        address = media.address or offer.address
        if address is None:
            raise BadMessage("SDP gives no connection address for its audio")
        offered = {
            codec: payload_type
            for codec in Codec
            if (payload_type := media.payload_type_of(codec.rtpmap)) is not None
        }
        if offered:
            codec = min(offered, key=lambda codec: media.formats.index(str(offered[codec])))
            return index, Negotiated(
                codec=codec,
                payload_type=offered[codec],
                dtmf_payload_type=media.payload_type_of(TELEPHONE_EVENT),
                remote_address=address,
                remote_port=media.port,
                direction=media.direction.reversed(),
            )
    raise NotAcceptable("the offer has no RTP/AVP audio stream in PCMU or PCMA")


def answer(
    offer: Session, *, address: str, port: int, session_id: int, version: int
) -> tuple[Negotiated, bytes]:
    """What phonograph agrees to for ``offer``, and the SDP answer saying so: RTP to ``address``
    ``port``; every other ``m=`` line of the offer refused with port 0, in its place (RFC 3264 §6)."""
    chosen, agreed = negotiate(offer)
    lines = _session_lines(address, session_id, version)
    for index, media in enumerate(offer.media):
        if index != chosen:
            lines.append(f"m={media.kind} 0 {media.protocol} {' '.join(media.formats)}")
            continue
        lines += _audio_lines(
            port, [(agreed.payload_type, agreed.codec)], agreed.dtmf_payload_type, agreed.direction
        )
    return agreed, _body(lines)


def offer(
    *, address: str, port: int, session_id: int, version: int, direction: Direction = Direction.SENDRECV
) -> bytes:
    """phonograph's offer: PCMU, then PCMA, and telephone-events, in 20 ms packets."""
    lines = _session_lines(address, session_id, version)
    lines += _audio_lines(
        port, [(codec.payload_type, codec) for codec in Codec], TELEPHONE_EVENT_PAYLOAD, direction
    )
    return _body(lines)


def _session_lines(address: str, session_id: int, version: int) -> list[str]:
    family = "IP6" if ipaddress.ip_address(address).version == 6 else "IP4"
    return [
        "v=0",
        f"o=phonograph {session_id} {version} IN {family} {address}",
        "s=phonograph",
        f"c=IN {family} {address}",
        "t=0 0",
    ]


def _audio_lines(
    port: int, codecs: list[tuple[int, Codec]], dtmf_payload_type: int | None, direction: Direction
) -> list[str]:
    """One audio stream with ``codecs`` (payload type, codec): every one in an offer, the agreed
    one in an answer."""
    formats = [str(payload_type) for payload_type, _ in codecs]
    if dtmf_payload_type is not None:
        formats.append(str(dtmf_payload_type))
    lines = [f"m=audio {port} RTP/AVP {' '.join(formats)}"]
    lines += [f"a=rtpmap:{payload_type} {codec.rtpmap}" for payload_type, codec in codecs]
    if dtmf_payload_type is not None:
        lines += [
            f"a=rtpmap:{dtmf_payload_type} {TELEPHONE_EVENT}",
            f"a=fmtp:{dtmf_payload_type} {DTMF_EVENTS}",
        ]
    lines += [f"a=ptime:{PTIME_MS}", f"a={direction.value}"]
    return lines


def _body(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
