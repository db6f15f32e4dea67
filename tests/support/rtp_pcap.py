"""RTP streams written as pcap files for sipp's ``play_pcap_audio``: a PCMU tone, and RFC 4733 key
presses, made here so that what a test sends is known sample for sample (sipp sends each packet's
UDP payload, at the pcap's own pace, to the media address of the answer it got).

The G.711 µ-law encoder is written out again (ITU-T G.711's segment table), not taken from
phonograph: the test's audio must not depend on the code it checks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE_HZ = 8000
FRAME_SAMPLES = 160
FRAME_S = FRAME_SAMPLES / RATE_HZ
PCMU = 0
TELEPHONE_EVENT = 101
"""The payload type the scenarios' offers give telephone-event."""
EVENTS = "0123456789*#"
SSRC = 0x5EED1234
_BIAS = 0x84


def ulaw(samples: npt.NDArray[np.int16]) -> bytes:
    """G.711 µ-law codes of 16-bit samples."""
    pcm = samples.astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(pcm), 32635) + _BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def tone(frequency_hz: float, duration_s: float, amplitude: int = 8000) -> npt.NDArray[np.int16]:
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.int16)


def noise(duration_s: float, seed: int = 7, low: int = 2000, high: int = 8000) -> npt.NDArray[np.int16]:
    """Random samples of either sign, ``low`` to ``high`` in size: no two 20 ms frames alike, so
    each packet can be found again in a recording, and none near zero (µ-law keeps them exact)."""
    rng = np.random.default_rng(seed)
    count = int(duration_s * RATE_HZ)
    samples: npt.NDArray[np.int16] = (rng.integers(low, high, count) * rng.choice([-1, 1], count)).astype(
        np.int16
    )
    return samples


@dataclass
class RtpStreamWriter:
    """One RTP stream's packets with their send times: audio a frame at a time, key presses as
    RFC 4733 events (their packets share the stream's sequence numbers and suppress its audio)."""

    packets: list[tuple[float, bytes]] = field(default_factory=list)
    _sequence: int = 1000
    _timestamp: int = 160_000
    _at_s: float = 0.0

    def audio(self, samples: npt.NDArray[np.int16]) -> None:
        for start in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            self._packet(PCMU, ulaw(samples[start : start + FRAME_SAMPLES]), self._timestamp)
            self._timestamp += FRAME_SAMPLES
            self._at_s += FRAME_S

    def key(self, digit: str, frames: int = 5) -> None:
        """``digit`` held for ``frames`` frames; its end sent three times (RFC 4733 §2.5.1.4)."""
        event, start = EVENTS.index(digit), self._timestamp
        for frame in range(1, frames + 1):
            payload = struct.pack("!BBH", event, 10, frame * FRAME_SAMPLES)
            self._packet(TELEPHONE_EVENT, payload, start, marker=frame == 1)
            self._at_s += FRAME_S
        end = struct.pack("!BBH", event, 0x80 | 10, frames * FRAME_SAMPLES)
        for _ in range(3):
            self._packet(TELEPHONE_EVENT, end, start)
        self._timestamp += frames * FRAME_SAMPLES

    def _packet(self, payload_type: int, payload: bytes, timestamp: int, *, marker: bool = False) -> None:
        header = struct.pack(
            "!BBHII", 0x80, (0x80 if marker else 0) | payload_type, self._sequence & 0xFFFF, timestamp, SSRC
        )
        self.packets.append((self._at_s, header + payload))
        self._sequence += 1

    def write_pcap(self, path: Path, source_port: int = 6000, destination_port: int = 7000) -> Path:
        """A pcap (Ethernet, IPv4, UDP) of the packets; sipp takes only their UDP payloads and times."""
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
        for at_s, payload in self.packets:
            udp = struct.pack("!HHHH", source_port, destination_port, 8 + len(payload), 0) + payload
            loopback = bytes([127, 0, 0, 1])
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, loopback, loopback)
            frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
            seconds, micros = int(at_s), round((at_s % 1) * 1_000_000)
            out.append(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)
        path.write_bytes(b"".join(out))
        return path
