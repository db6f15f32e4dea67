"""One call's RTP: a UDP port from ``PHONOGRAPH_RTP_PORTS``, and the media leg it feeds.

The leg is the phone as the platform sees it (a far end, like a virtual phone's leg): each tick of
the media clock it *sends* the phone's audio, taken from the jitter buffer (``next_frame``), and
what the call sends it (the leg's inbound) goes out as one RTP packet (``_on_frame``). So a SIP
phone is heard and recorded on the same frames as any other far end, and never paces anything.
Every stream moves together (``RtpStreams``): before each frame the media clock has every
stream's packet decoded, after it every stream's frame encoded, in one numpy call per codec, and
then sip/rtp_io.py makes the socket calls: a frame takes the datagrams that came before it and
hands its packet over.

Symmetric RTP (RFC 4961): phonograph sends to where the phone's packets come from, latched on the
first packet that is this stream's, because a phone behind NAT cannot know its public address;
until then, to the address its SDP gave. Once latched, packets from anywhere else are dropped.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from phonograph.core import ServiceUnavailable
from phonograph.media import (
    SAMPLES_PER_FRAME,
    SILENT_FRAME,
    DtmfEvent,
    Frame,
    MediaLeg,
    Pcm,
    alaw_decode,
    alaw_encode,
    ulaw_decode,
    ulaw_encode,
)
from phonograph.sip.rtp import (
    BadPacket,
    JitterBuffer,
    RtpPacket,
    RtpSender,
    TelephoneEvent,
)
from phonograph.sip.rtp_io import RtpIo
from phonograph.sip.sdp import Codec, Direction, Negotiated

log = logging.getLogger(__name__)

Address = tuple[str, int]

CONCEALED_GAIN = 0.5
"""A lost packet's frame is the one before at half volume (then silence): a click-free gap that a
listener hears as a dip, not a cut (the simplest of RFC 3550's repair options)."""
UNSPECIFIED = frozenset({"0.0.0.0", "::"})
"""An SDP address that says "send nothing" (RFC 3264 §8.4, the old way of putting a call on hold)."""

NOT_SENDING = frozenset({Direction.RECVONLY, Direction.INACTIVE})
NOT_HEARD = frozenset({Direction.SENDONLY, Direction.INACTIVE})

_DECODE: dict[Codec, Callable[[bytes], Any]] = {Codec.PCMU: ulaw_decode, Codec.PCMA: alaw_decode}
_ENCODE: dict[Codec, Callable[[Any], Any]] = {Codec.PCMU: ulaw_encode, Codec.PCMA: alaw_encode}


class RtpPorts:
    """The even ports of ``first``–``last`` on ``host`` (RTP takes even ports, RFC 3550 §11), bound
    one per call, tried in turn. Their number bounds how many calls carry audio at once."""

    def __init__(self, host: str, first: int, last: int) -> None:
        self._host = host
        self._ports = list(range(first + first % 2, last + 1, 2))
        self._next = 0

    def bind(self) -> socket.socket:
        """A UDP socket on a free port; ``ServiceUnavailable`` when every port is taken."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        for _ in range(len(self._ports)):
            port = self._ports[self._next]
            self._next = (self._next + 1) % len(self._ports)
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                sock.bind((self._host, port))
            except OSError:
                sock.close()
                continue
            sock.setblocking(False)
            return sock
        raise ServiceUnavailable("no RTP port is free (PHONOGRAPH_RTP_PORTS)")


@dataclass
class StreamStats:
    received: int = 0
    """Packets of this stream taken in (audio and events)."""
    sent: int = 0
    dropped: int = 0
    """Datagrams that were not this stream's: unreadable, another payload type, another source."""


class RtpStreams:
    """Every call's ``RtpStream``, whose G.711 is decoded and encoded together each frame: numpy's
    cost is per call, not per sample (a 160-sample frame alone 2.2 µs, in a batch of 500 0.4 µs).
    The media clock calls ``before_frame`` and ``after_frame`` (app.py)."""

    def __init__(self, io: RtpIo) -> None:
        self.io = io
        self._streams: dict[RtpStream, None] = {}  # a set that keeps insertion order
        self._outgoing: list[tuple[RtpStream, Pcm, Address]] = []

    def add(self, stream: RtpStream) -> None:
        self._streams[stream] = None

    def remove(self, stream: RtpStream) -> None:
        self._streams.pop(stream, None)

    def send(self, stream: RtpStream, samples: Pcm, destination: Address) -> None:
        """``samples`` go to ``destination`` as ``stream``'s packet after this frame."""
        self._outgoing.append((stream, samples, destination))

    def before_frame(self) -> None:
        """Every stream's audio for the frame about to run: its next packet's, decoded."""
        due: dict[Codec, list[tuple[RtpStream, bytes]]] = {}
        for stream in self._streams:
            payload = stream.take_payload()
            if payload is not None and len(payload) == SAMPLES_PER_FRAME:
                due.setdefault(stream.codec, []).append((stream, payload))
            else:
                stream.play(None if payload is None else _fit(_DECODE[stream.codec](payload)))
        for codec, batch in due.items():
            decoded = _DECODE[codec](b"".join(payload for _, payload in batch))
            for (stream, _), samples in zip(batch, decoded.reshape(-1, SAMPLES_PER_FRAME), strict=True):
                stream.play(samples)

    def after_frame(self) -> None:
        """Every stream's packet of the frame that ran, encoded and sent; then what came is read."""
        outgoing, self._outgoing = self._outgoing, []
        by_codec: dict[Codec, list[tuple[RtpStream, Pcm, Address]]] = {}
        for item in outgoing:
            by_codec.setdefault(item[0].codec, []).append(item)
        for codec, batch in by_codec.items():
            codes = _ENCODE[codec](np.stack([samples for _, samples, _ in batch]))
            for (stream, _, destination), frame_codes in zip(batch, codes, strict=True):
                stream.send_audio(frame_codes.tobytes(), destination)
        self.io.flush()


class RtpStream:
    """The RTP of one call on its own socket, and ``leg``, its far end on the media clock."""

    def __init__(self, agreed: Negotiated, name: str, sock: socket.socket, streams: RtpStreams) -> None:
        """``sock``: the call's port (``RtpPorts.bind``), served by ``streams`` until ``close``."""
        self.leg = MediaLeg(name)
        self.leg.player = self
        self.leg.listeners.append(self._on_frame)
        self.stats = StreamStats()
        self.sending = False
        """Whether frames go out: from the answer on (no early media)."""
        self._sock: socket.socket | None = sock
        self._streams = streams
        self._io = streams.io
        self._inbox = self._io.register(sock)
        self.port: int = sock.getsockname()[1]
        self._latched: Address | None = None
        self._agreed = agreed
        self._jitter = JitterBuffer(agreed.payload_type)
        self._sender = RtpSender(agreed.payload_type, agreed.dtmf_payload_type)
        self._last: Frame = SILENT_FRAME
        self._frame: Frame = SILENT_FRAME
        self._concealed = False
        self._pressing: DtmfEvent | None = None
        self._event_timestamp: int | None = None
        self._ended_timestamp: int | None = None
        streams.add(self)

    @property
    def codec(self) -> Codec:
        return self._agreed.codec

    @property
    def lost(self) -> int:
        return self._jitter.lost

    def update(self, agreed: Negotiated) -> None:
        """A new offer in the dialog (a re-INVITE: hold, resume, a new address) that kept the codec."""
        self._agreed = agreed

    def close(self) -> None:
        self.sending = False
        self._streams.remove(self)
        if self._sock is not None:
            self._io.unregister(self._sock)
            self._sock.close()
            self._sock = None
            log.info(
                "rtp closed leg=%s received=%d sent=%d dropped=%d lost=%d late=%d waited=%d discarded=%d",
                self.leg.name,
                self.stats.received,
                self.stats.sent,
                self.stats.dropped,
                self._jitter.lost,
                self._jitter.late,
                self._jitter.waited,
                self._jitter.discarded,
            )

    # -- in: the phone's packets -----------------------------------------------------------------

    def take_arrivals(self) -> None:
        """The datagrams that came before this frame."""
        inbox = self._inbox
        while inbox:
            self._arrived(*inbox.popleft())

    def _arrived(self, data: bytes, source: Address) -> None:
        if self._latched is not None and source != self._latched:
            self.stats.dropped += 1
            return
        try:
            packet = RtpPacket.parse(data)
        except BadPacket:
            self.stats.dropped += 1
            return
        agreed = self._agreed
        if packet.payload_type not in (agreed.payload_type, agreed.dtmf_payload_type):
            self.stats.dropped += 1
            return
        self._latched = source
        self.stats.received += 1
        if agreed.direction in NOT_HEARD:
            return  # on hold: the phone is not heard (RFC 3264 §5.1)
        if packet.payload_type == agreed.payload_type:
            self._jitter.push(packet)
        else:
            self._event(packet)

    def _event(self, packet: RtpPacket) -> None:
        """A key pressed (RFC 4733 §2.5.2): held from its first packet, released once on its end,
        whose three copies (and any lost start) share the event's timestamp."""
        try:
            event = TelephoneEvent.parse(packet.payload)
        except BadPacket:
            return
        digit = event.digit
        if digit is None or packet.timestamp == self._ended_timestamp:
            return
        if event.end:
            self._ended_timestamp = packet.timestamp
            self._pressing = DtmfEvent(digit, end=True)
        elif packet.timestamp != self._event_timestamp:
            self._event_timestamp = packet.timestamp
            self._pressing = DtmfEvent(digit, end=False)

    # -- the leg's frames --------------------------------------------------------------------------

    def take_payload(self) -> bytes | None:
        """The payload of the next frame's packet (``RtpStreams`` decodes it): None when there is
        none to play."""
        self.take_arrivals()
        return self._jitter.pop()

    def play(self, samples: Pcm | None) -> None:
        """The phone's audio for the next frame: ``samples``, or the last frame concealed (None)."""
        if samples is None:
            if self._concealed or self._last is SILENT_FRAME:
                self._last = SILENT_FRAME
            else:
                self._last = Frame((self._last.samples * CONCEALED_GAIN).astype(np.int16))
                self._concealed = True
        else:
            self._last = Frame(samples)
            self._concealed = False
        pressing = self._pressing
        if pressing is None:
            self._frame = self._last
            return
        if pressing.end:
            self._pressing = None
        self._frame = Frame(self._last.samples, pressing)

    def next_frame(self) -> Frame:
        """The phone's audio for this frame (``play``)."""
        return self._frame

    def finish(self) -> None:
        pass  # the phone's audio ends with the call, not when a player is replaced

    def _on_frame(self, inbound: Frame, _outbound: Frame) -> None:
        """What the call sends the phone this frame (the leg's inbound), as one RTP packet: a key's
        event now, audio once ``RtpStreams`` has encoded every stream's."""
        agreed, sock = self._agreed, self._sock
        if not self.sending or sock is None or agreed.direction in NOT_SENDING:
            return
        destination = self._latched or (agreed.remote_address, agreed.remote_port)
        if destination[0] in UNSPECIFIED:
            return
        event = inbound.dtmf
        packets = self._sender.event(event.digit, end=event.end) if event is not None else []
        if not packets:
            self._streams.send(self, inbound.samples, destination)
            return
        for packet in packets:
            self._io.send(sock, packet, destination)
        self.stats.sent += len(packets)

    def send_audio(self, codes: bytes, destination: Address) -> None:
        """This frame's G.711 ``codes`` to ``destination``, as one packet."""
        if self._sock is not None:
            self._io.send(self._sock, self._sender.audio(codes), destination)
            self.stats.sent += 1


def _fit(samples: Any) -> Any:
    """One frame's samples: a packet of another size (a peer ignoring ``ptime``) is cut or padded."""
    if len(samples) == SAMPLES_PER_FRAME:
        return samples
    fitted = np.zeros(SAMPLES_PER_FRAME, dtype=np.int16)
    fitted[: min(len(samples), SAMPLES_PER_FRAME)] = samples[:SAMPLES_PER_FRAME]
    return fitted
