"""One call's RTP (sip/rtp_stream.py) over real loopback UDP, on a media clock the test steps: the
phone's packets become the leg's frames (decoded, in order, a lost one concealed, keys as DTMF
events), the call's frames go out one packet per tick to where the phone's packets come from, and a
held stream neither sends nor is heard. Packets are checked by decoding them here, with the test's
own µ-law encoder."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np
import pytest

from phonograph.core import ServiceUnavailable
from phonograph.media import (
    Clip,
    DtmfEvent,
    MediaClock,
    MediaLeg,
    alaw_decode,
    connect,
    ulaw_decode,
)
from phonograph.sip import RtpIo, RtpPorts, RtpStream, RtpStreams
from phonograph.sip.sdp import Codec, Direction, Negotiated
from tests.support.rtp_pcap import PCMU, TELEPHONE_EVENT, RtpStreamWriter, tone
from tests.unit.webhooks.app_server import eventually

WAIT_S = 10.0
"""Only a bound for a test that fails: a datagram on loopback arrives at once."""


def agreed(port: int, direction: Direction = Direction.SENDRECV) -> Negotiated:
    return Negotiated(Codec.PCMU, PCMU, TELEPHONE_EVENT, "127.0.0.1", port, direction)


Check = Callable[[RtpStream, MediaClock, "Phone"], Awaitable[None]]


def run(check: Check, direction: Direction = Direction.SENDRECV) -> None:
    async def main() -> None:
        phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        phone.bind(("127.0.0.1", 0))
        phone.setblocking(False)
        streams = RtpStreams(RtpIo())
        io = streams.io
        sock = RtpPorts("127.0.0.1", 30_000, 40_000).bind()
        stream = RtpStream(agreed(phone.getsockname()[1], direction), "sip test", sock, streams)
        phone.connect(("127.0.0.1", stream.port))
        media = MediaClock()
        media.add(stream.leg)
        media.before_frame.append(streams.before_frame)  # as app.py wires it
        media.after_frame.append(streams.after_frame)
        try:
            await check(stream, media, Phone(phone, stream, io))
        finally:
            stream.close()
            io.close()
            phone.close()

    asyncio.run(main())


@dataclass
class Phone:
    """The phone's end of the stream: its socket, and how it sends."""

    sock: socket.socket
    stream: RtpStream
    io: RtpIo

    async def send(self, packets: list[bytes], sock: socket.socket | None = None) -> None:
        """Send ``packets`` (from ``sock``, by default the phone's); back once the stream has taken
        them all, as its next tick would (the test waits for the datagrams; the stream never does)."""
        stream = self.stream
        taken = stream.stats.received + stream.stats.dropped + len(packets)
        for packet in packets:
            (sock or self.sock).send(packet)

        def all_taken() -> bool:
            self.io.flush()  # as after a frame
            stream.take_arrivals()
            return stream.stats.received + stream.stats.dropped >= taken

        await eventually(all_taken)


def frames_of(media: MediaClock, leg: MediaLeg, count: int) -> list[tuple[np.ndarray, DtmfEvent | None]]:
    heard = []
    for _ in range(count):
        media.run_frames(1)
        heard.append((leg.outbound.samples.copy(), leg.outbound.dtmf))
    return heard


def test_the_phones_packets_are_the_legs_frames_in_order_once_the_buffer_has_filled() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        writer = RtpStreamWriter()
        writer.audio(tone(1000, 0.2))  # ten packets
        packets = [packet for _, packet in writer.packets]
        # Out of order on the way: the buffer puts them back.
        await phone.send(packets[1:2] + packets[:1] + packets[2:])
        heard = frames_of(media, stream.leg, 10)
        sent = np.concatenate([ulaw_decode(packet[12:]) for packet in packets])
        assert np.array_equal(np.concatenate([samples for samples, _ in heard]), sent)
        assert stream.lost == 0

    run(check)


def test_a_lost_packet_is_the_frame_before_at_half_volume_and_then_silence() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        writer = RtpStreamWriter()
        writer.audio(tone(1000, 0.2))
        packets = [packet for _, packet in writer.packets]
        await phone.send(packets[:4] + packets[6:])  # the 5th and 6th never come
        heard = [samples for samples, _ in frames_of(media, stream.leg, 10)]
        before = ulaw_decode(packets[3][12:])
        assert np.array_equal(heard[4], (before * 0.5).astype(np.int16))
        assert not heard[5].any()
        assert np.array_equal(heard[6], ulaw_decode(packets[6][12:]))
        assert stream.lost == 2

    run(check)


def test_a_key_press_is_one_held_event_and_one_release_however_often_its_end_is_sent() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        writer = RtpStreamWriter()
        writer.key("7")  # five progress packets and three copies of the end
        await phone.send([packet for _, packet in writer.packets])
        events = [event for _, event in frames_of(media, stream.leg, 4) if event is not None]
        assert events == [DtmfEvent("7", end=True)]  # all arrived before the first tick
        # Pressed across ticks: held on each frame until its end comes, released once.
        second = RtpStreamWriter(_timestamp=200_000)  # a new event, a new timestamp
        second.key("#", frames=2)
        start, *rest = [packet for _, packet in second.packets]
        await phone.send([start])
        assert [event for _, event in frames_of(media, stream.leg, 2)] == [DtmfEvent("#", end=False)] * 2
        await phone.send(rest)
        assert [event for _, event in frames_of(media, stream.leg, 3)] == [
            DtmfEvent("#", end=True),
            None,
            None,
        ]

    run(check)


def test_the_calls_frames_go_out_one_packet_a_tick_to_where_the_phone_sends_from() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        app = MediaLeg("app")
        connect(app, stream.leg)
        media.add(app)
        sound = tone(440, 0.1)
        app.start_clip(Clip(sound))
        media.run_frames(5)
        assert stream.stats.sent == 0  # not answered: no early media
        stream.sending = True
        app.start_clip(Clip(sound))
        media.run_frames(5)
        packets = [
            await asyncio.wait_for(asyncio.get_running_loop().sock_recv(phone.sock, 2048), WAIT_S)
            for _ in range(5)
        ]
        first, second = struct.unpack_from("!BBHII", packets[0]), struct.unpack_from("!BBHII", packets[1])
        assert (first[1], second[1] & 0x7F) == (0x80 | PCMU, PCMU)  # a marker on the first
        assert (second[2] - first[2], second[3] - first[3]) == (1, 160)
        # A frame's delay through the leg: what the app played reaches the phone one tick later.
        received = np.concatenate([ulaw_decode(packet[12:]) for packet in packets])
        assert abs(np.abs(received[160:]).mean() - np.abs(sound[: 4 * 160]).mean()) < 200

    run(check)


def test_once_latched_packets_from_another_address_are_dropped() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        writer = RtpStreamWriter()
        writer.audio(tone(1000, 0.1))
        packets = [packet for _, packet in writer.packets]
        await phone.send(packets[:1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as intruder:
            intruder.connect(("127.0.0.1", stream.port))
            await phone.send([packets[1], b"\x00" * 40], intruder)
        assert (stream.stats.received, stream.stats.dropped) == (1, 2)
        await phone.send([b"garbage", packets[1][:5], packets[1]])
        assert (stream.stats.received, stream.stats.dropped) == (2, 4)

    run(check)


def test_a_stream_on_hold_sends_nothing_and_an_inactive_one_is_not_heard() -> None:
    async def check(stream: RtpStream, media: MediaClock, phone: Phone) -> None:
        port = phone.sock.getsockname()[1]
        stream.sending = True
        media.run_frames(3)
        assert stream.stats.sent == 3
        stream.update(agreed(port, Direction.RECVONLY))  # the phone put the call on hold (sendonly)
        media.run_frames(3)
        assert stream.stats.sent == 3
        stream.update(agreed(port, Direction.INACTIVE))
        writer = RtpStreamWriter()
        writer.audio(tone(1000, 0.1))
        await phone.send([packet for _, packet in writer.packets])
        assert not any(samples.any() for samples, _ in frames_of(media, stream.leg, 5))
        assert stream.stats.sent == 3

    run(check)


def test_when_every_port_is_taken_a_new_call_gets_none() -> None:
    first = RtpPorts("127.0.0.1", 42_000, 50_000).bind()
    port = first.getsockname()[1]
    first.close()
    ports = RtpPorts("127.0.0.1", port, port + 1)  # one even port
    held = ports.bind()
    try:
        with pytest.raises(ServiceUnavailable):
            ports.bind()
    finally:
        held.close()


def test_every_stream_moves_together_whatever_its_codec_and_packet_size() -> None:
    """One clock, three phones: PCMU, PCMA, and PCMU in 10 ms packets (a peer ignoring ptime, its
    frame padded). Each leg plays its own phone's packets and each phone gets its own call's audio,
    encoded in its codec, however the frame's streams were batched."""

    async def main() -> None:
        streams = RtpStreams(RtpIo())
        media = MediaClock()
        media.before_frame.append(streams.before_frame)
        media.after_frame.append(streams.after_frame)
        laws = [(Codec.PCMU, PCMU, 160), (Codec.PCMA, 8, 160), (Codec.PCMU, PCMU, 80)]
        phones, calls, rtp = [], [], []
        rng = np.random.default_rng(7)
        for index, (codec, payload_type, size) in enumerate(laws):
            phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            phone.bind(("127.0.0.1", 0))
            phone.setblocking(False)
            port = phone.getsockname()[1]
            negotiated = Negotiated(
                codec, payload_type, TELEPHONE_EVENT, "127.0.0.1", port, Direction.SENDRECV
            )
            stream = RtpStream(
                negotiated, f"phone {index}", RtpPorts("127.0.0.1", 30_000, 40_000).bind(), streams
            )
            phone.connect(("127.0.0.1", stream.port))
            app = MediaLeg(f"app {index}")
            connect(app, stream.leg)
            media.add(stream.leg)
            media.add(app)
            stream.sending = True
            sound = tone(300 + 200 * index, 0.2)
            app.start_clip(Clip(sound))
            payloads = [bytes(rng.integers(0, 256, size, dtype=np.uint8)) for _ in range(3)]
            for sequence, payload in enumerate(payloads):
                phone.send(struct.pack("!BBHII", 0x80, payload_type, sequence, 160 * sequence, 99) + payload)
            phones.append(phone)
            calls.append((sound, codec, payloads))
            rtp.append(stream)

        def all_arrived() -> bool:
            streams.io.flush()
            for stream in rtp:
                stream.take_arrivals()
            return all(stream.stats.received == 3 for stream in rtp)

        await eventually(all_arrived)
        heard = []
        for _ in range(3):
            media.run_frames(1)
            heard.append([stream.leg.outbound.samples.copy() for stream in rtp])
        for index, (sound, codec, payloads) in enumerate(calls):
            decode = alaw_decode if codec is Codec.PCMA else ulaw_decode
            played = np.concatenate([frames[index] for frames in heard])
            expected = np.concatenate(
                [np.pad(decode(payload), (0, 160 - len(payload))) for payload in payloads]
            )
            assert np.array_equal(played, expected), f"phone {index}"
            packets = [
                await asyncio.wait_for(asyncio.get_running_loop().sock_recv(phones[index], 2048), WAIT_S)
                for _ in range(3)
            ]
            # A frame's delay through the leg: what the app played reaches the phone a frame later.
            received = np.concatenate([decode(packet[12:]) for packet in packets[1:]])
            error = np.abs(received.astype(np.int32) - sound[: 2 * 160]).max()
            assert error < 1100, f"phone {index}: {error}"  # G.711's step at the tone's loudest
        for stream in rtp:
            stream.close()
        streams.io.close()
        for phone in phones:
            phone.close()

    asyncio.run(main())
