"""RTP for one G.711 stream: packets (RFC 3550 §5.1), telephone-events (RFC 4733 §2.3), what a
sender numbers, and the jitter buffer that hands the media clock one 20 ms frame per tick.

Packets come from anyone who can reach the port, so reading one never raises anything but
``BadPacket`` (the packet is then dropped, RFC 3550 §A.1), and the buffer holds a bounded number of
packets however they arrive.
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass
from typing import NamedTuple

from phonograph.media import SAMPLES_PER_FRAME

RTP_VERSION = 2
HEADER_BYTES = 12
MAX_PACKET_BYTES = 1500
"""One Ethernet frame: a 20 ms G.711 packet is 172 bytes; anything past this is not ours."""
SEQUENCE_MODULO = 1 << 16
TIMESTAMP_MODULO = 1 << 32
EVENT_END_REPEATS = 3
"""RFC 4733 §2.5.1.4: the end of an event is sent three times."""
JITTER_FRAMES = 3
"""Frames the buffer waits for before playing (60 ms): enough for ordinary reordering on a LAN or
a carrier's network, little enough to keep a conversation natural."""
MAX_BUFFERED = 50
"""One second of packets: more are dropped (a burst after a stall is old audio)."""


class BadPacket(ValueError):
    """A datagram that is not an RTP packet phonograph can take; it is dropped."""


class RtpPacket(NamedTuple):
    """A named tuple rather than a frozen dataclass: made 50 times a second for every call, and a
    third as costly to make."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < HEADER_BYTES or len(data) > MAX_PACKET_BYTES:
            raise BadPacket(f"{len(data)} bytes is not an RTP packet size")
        first, second, sequence, timestamp, ssrc = struct.unpack_from("!BBHII", data)
        if first >> 6 != RTP_VERSION:
            raise BadPacket(f"RTP version {first >> 6}")
        start = HEADER_BYTES + 4 * (first & 0x0F)  # CSRCs, which a mixer adds
        if first & 0x10:  # a header extension (RFC 3550 §5.3.1): skipped
            if len(data) < start + 4:
                raise BadPacket("truncated header extension")
            (words,) = struct.unpack_from("!H", data, start + 2)
            start += 4 + 4 * words
        end = len(data)
        if first & 0x20:  # padding: its count is the last byte
            end -= data[-1]
        if start > end:
            raise BadPacket("header, extension and padding are longer than the packet")
        return cls(second & 0x7F, sequence, timestamp, ssrc, bytes(data[start:end]), bool(second & 0x80))

    def encode(self) -> bytes:
        header = struct.pack(
            "!BBHII",
            RTP_VERSION << 6,
            (0x80 if self.marker else 0) | self.payload_type,
            self.sequence,
            self.timestamp,
            self.ssrc,
        )
        return header + self.payload


@dataclass(frozen=True)
class TelephoneEvent:
    """One RFC 4733 event payload: ``event`` 0–9 are the keys, 10 ``*``, 11 ``#``, 12–15 A–D."""

    event: int
    end: bool
    volume: int
    duration: int
    """In timestamp units (8 kHz samples) since the event began."""

    @classmethod
    def parse(cls, payload: bytes) -> TelephoneEvent:
        if len(payload) < 4:
            raise BadPacket("a telephone-event payload is 4 bytes")
        event, flags, duration = struct.unpack_from("!BBH", payload)
        return cls(event, bool(flags & 0x80), flags & 0x3F, duration)

    def encode(self) -> bytes:
        return struct.pack("!BBH", self.event, (0x80 if self.end else 0) | self.volume, self.duration)

    @property
    def digit(self) -> str | None:
        return DIGITS[self.event] if self.event < len(DIGITS) else None


DIGITS = "0123456789*#ABCD"
EVENT_OF = {digit: event for event, digit in enumerate(DIGITS)}


class RtpSender:
    """Numbers one outgoing stream: a random SSRC, sequence and timestamp start (RFC 3550 §5.1),
    one packet per 20 ms frame."""

    def __init__(self, payload_type: int, dtmf_payload_type: int | None) -> None:
        self.ssrc = secrets.randbits(32)
        self._payload_type = payload_type
        self._dtmf_payload_type = dtmf_payload_type
        self._sequence = secrets.randbits(16)
        self._timestamp = secrets.randbits(32)
        self._marker = True  # the first packet of a talkspurt (RFC 3551 §4.1)
        self._event_start: int | None = None

    def audio(self, payload: bytes) -> bytes:
        """The packet for one frame of G.711 codes; the timestamp moves on by the frame."""
        packet = self._packet(self._payload_type, payload, self._timestamp, marker=self._marker)
        self._marker = False
        self._timestamp = (self._timestamp + SAMPLES_PER_FRAME) % TIMESTAMP_MODULO
        return packet

    def event(self, digit: str, *, end: bool) -> list[bytes]:
        """The packets for one frame of a key being held (``end``: its last frame) on the event's
        own timestamp, its start, with the duration so far; the end goes out three times. None when
        the peer took no telephone-events: the key is then heard in the audio only."""
        if self._dtmf_payload_type is None:
            return []
        first = self._event_start is None
        if self._event_start is None:
            self._event_start = self._timestamp
        self._timestamp = (self._timestamp + SAMPLES_PER_FRAME) % TIMESTAMP_MODULO
        duration = (self._timestamp - self._event_start) % TIMESTAMP_MODULO
        payload = TelephoneEvent(EVENT_OF[digit], end, 10, duration).encode()
        packets = [
            self._packet(self._dtmf_payload_type, payload, self._event_start, marker=first)
            for _ in range(EVENT_END_REPEATS if end else 1)
        ]
        if end:
            self._event_start = None
        return packets

    def _packet(self, payload_type: int, payload: bytes, timestamp: int, *, marker: bool) -> bytes:
        packet = RtpPacket(payload_type, self._sequence, timestamp, self.ssrc, payload, marker)
        self._sequence = (self._sequence + 1) % SEQUENCE_MODULO
        return packet.encode()


class JitterBuffer:
    """Audio packets of one stream in order, one per media frame. It starts playing once
    ``JITTER_FRAMES`` are in; a packet that arrives after its frame was played is dropped; a frame
    whose packet never came is ``None`` (the caller conceals it); an empty buffer waits for the
    sender (``pop``). A new SSRC (the peer restarted its stream) starts it over."""

    def __init__(self, payload_type: int, depth_frames: int = JITTER_FRAMES) -> None:
        self._payload_type = payload_type
        self._depth = depth_frames
        self._packets: dict[int, bytes] = {}
        self._ssrc: int | None = None
        self._next: int | None = None  # the sequence number of the next frame to play
        self.lost = 0
        self.late = 0
        self.waited = 0
        self.discarded = 0
        """Packets thrown away unplayed: buffered when the stream started over, or past a full buffer."""

    def push(self, packet: RtpPacket) -> None:
        if packet.payload_type != self._payload_type:
            return
        # How far the packet is ahead of the next frame to play, across wrap-around (RFC 3550
        # §A.1): within MAX_BUFFERED ahead it is to come, within MAX_BUFFERED behind it is late.
        ahead = 0 if self._next is None else (packet.sequence - self._next) % SEQUENCE_MODULO
        if packet.ssrc != self._ssrc or MAX_BUFFERED < ahead < SEQUENCE_MODULO - MAX_BUFFERED:
            # Another stream, or this one far from where playing is (after a hold, or a sender
            # that jumped): start over from it.
            self._ssrc, self._next, ahead = packet.ssrc, None, 0
            self.discarded += len(self._packets)
            self._packets.clear()
        if ahead > MAX_BUFFERED:
            self.late += 1
            return
        if len(self._packets) < MAX_BUFFERED:
            self._packets[packet.sequence] = packet.payload
        else:
            self.discarded += 1

    def pop(self) -> bytes | None:
        """The payload of this frame; None before the buffer has started, for a lost packet, and
        while nothing is buffered at all. A packet is lost when later ones came before it; with none
        buffered, the sender is late (a stall on its side or the network's) or silent, and playing
        on would throw its packets away as late when they come, for the rest of the call, as both
        sides then run at the same rate: the buffer waits for it instead, a frame later each tick
        it waits (at most ``MAX_BUFFERED`` frames: past that a new packet starts it over)."""
        if self._next is None:
            if len(self._packets) < self._depth:
                return None
            self._next = _oldest(self._packets)
        if not self._packets:
            self.waited += 1
            return None
        payload = self._packets.pop(self._next, None)
        if payload is None:
            self.lost += 1
        self._next = (self._next + 1) % SEQUENCE_MODULO
        return payload


def _before(sequence: int, other: int) -> bool:
    """Whether ``sequence`` comes before ``other``, across wrap-around (RFC 3550 §A.1)."""
    return sequence != other and (other - sequence) % SEQUENCE_MODULO < SEQUENCE_MODULO // 2


def _oldest(packets: dict[int, bytes]) -> int:
    oldest = next(iter(packets))
    for sequence in packets:
        if _before(sequence, oldest):
            oldest = sequence
    return oldest
