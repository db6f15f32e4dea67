"""RTP (sip/rtp.py): packets read as RFC 3550 lays them out, telephone-events as RFC 4733 does,
a sender's numbering, and a jitter buffer that puts reordered packets back in order, conceals
nothing itself, drops what is late, and starts over for a new stream."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.sip import BadPacket, JitterBuffer, RtpPacket, RtpSender, TelephoneEvent
from phonograph.sip.rtp import JITTER_FRAMES, MAX_BUFFERED, SEQUENCE_MODULO

PCMU = 0
EVENTS = 101


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 127),
    st.integers(0, SEQUENCE_MODULO - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.binary(max_size=320),
    st.booleans(),
)
def test_a_packet_reads_back_as_written(
    payload_type: int, sequence: int, timestamp: int, ssrc: int, payload: bytes, marker: bool
) -> None:
    packet = RtpPacket(payload_type, sequence, timestamp, ssrc, payload, marker)
    assert RtpPacket.parse(packet.encode()) == packet


def test_csrcs_a_header_extension_and_padding_are_not_payload() -> None:
    # V=2, P=1, X=1, CC=2; M=1, PT=0.
    header = struct.pack("!BBHII", 0x80 | 0x20 | 0x10 | 2, 0x80, 7, 160, 0xABCD)
    csrcs = struct.pack("!II", 1, 2)
    extension = struct.pack("!HH", 0xBEDE, 1) + b"\x00\x00\x00\x00"
    payload = b"\xff" * 160
    padding = b"\x00\x00\x03"
    packet = RtpPacket.parse(header + csrcs + extension + payload + padding)
    assert (packet.payload, packet.marker, packet.sequence, packet.ssrc) == (payload, True, 7, 0xABCD)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80\x00\x00",  # shorter than a header
        struct.pack("!BBHII", 0x40, 0, 1, 1, 1) + b"\xff",  # version 1
        struct.pack("!BBHII", 0x80 | 0x0F, 0, 1, 1, 1),  # 15 CSRCs that are not there
        struct.pack("!BBHII", 0x90, 0, 1, 1, 1) + b"\x00\x00",  # truncated extension
        struct.pack("!BBHII", 0xA0, 0, 1, 1, 1) + b"\xff",  # padding longer than the packet
        struct.pack("!BBHII", 0x80, 0, 1, 1, 1) + b"\x00" * 1500,  # larger than any packet of ours
    ],
)
def test_what_is_not_an_rtp_packet_is_refused(data: bytes) -> None:
    with pytest.raises(BadPacket):
        RtpPacket.parse(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_nothing_but_bad_packet(data: bytes) -> None:
    with contextlib.suppress(BadPacket):
        RtpPacket.parse(data)


def test_a_sender_numbers_audio_frame_by_frame() -> None:
    sender = RtpSender(PCMU, EVENTS)
    first, second = (RtpPacket.parse(sender.audio(b"\xff" * 160)) for _ in range(2))
    assert first.marker
    assert not second.marker
    assert second.sequence == (first.sequence + 1) % SEQUENCE_MODULO
    assert second.timestamp == (first.timestamp + 160) % 2**32
    assert first.ssrc == second.ssrc == sender.ssrc


def test_a_key_goes_out_as_rfc_4733_events_on_its_start_timestamp_with_three_ends() -> None:
    sender = RtpSender(PCMU, EVENTS)
    before = RtpPacket.parse(sender.audio(b"\xff" * 160))
    held = [RtpPacket.parse(data) for end in (False, False, True) for data in sender.event("#", end=end)]
    after = RtpPacket.parse(sender.audio(b"\xff" * 160))
    events = [TelephoneEvent.parse(packet.payload) for packet in held]
    assert [packet.payload_type for packet in held] == [EVENTS] * 5
    assert {packet.timestamp for packet in held} == {(before.timestamp + 160) % 2**32}
    assert [packet.marker for packet in held] == [True, False, False, False, False]
    assert [(event.digit, event.end, event.duration) for event in events] == [
        ("#", False, 160),
        ("#", False, 320),
        ("#", True, 480),
        ("#", True, 480),
        ("#", True, 480),
    ]
    assert after.timestamp == (before.timestamp + 4 * 160) % 2**32
    assert len({packet.sequence for packet in held}) == 5


def test_without_telephone_events_a_key_sends_no_event_packets() -> None:
    assert RtpSender(PCMU, None).event("1", end=True) == []


def packets(ssrc: int, first: int, count: int) -> list[RtpPacket]:
    return [
        RtpPacket(PCMU, (first + n) % SEQUENCE_MODULO, n * 160, ssrc, bytes([n % 256]) * 160)
        for n in range(count)
    ]


def played(buffer: JitterBuffer, frames: int) -> list[int | None]:
    return [None if (payload := buffer.pop()) is None else payload[0] for _ in range(frames)]


def test_reordered_packets_play_in_order_across_the_sequence_wrap() -> None:
    buffer = JitterBuffer(PCMU)
    stream = packets(ssrc=9, first=SEQUENCE_MODULO - 2, count=6)
    for index in (1, 0, 2, 4, 3, 5):
        buffer.push(stream[index])
    assert played(buffer, 7) == [0, 1, 2, 3, 4, 5, None]
    assert (buffer.lost, buffer.late, buffer.waited) == (0, 0, 1)  # the 7th has not come yet


def test_it_waits_for_its_depth_then_a_missing_packet_is_a_gap_and_a_late_one_is_dropped() -> None:
    buffer = JitterBuffer(PCMU)
    stream = packets(ssrc=9, first=100, count=6)
    for packet in stream[: JITTER_FRAMES - 1]:
        buffer.push(packet)
    assert played(buffer, 1) == [None]  # not started: no frame is lost yet
    buffer.push(stream[JITTER_FRAMES - 1])
    buffer.push(stream[4])
    assert played(buffer, 5) == [0, 1, 2, None, 4]
    buffer.push(stream[3])  # after its frame went by
    assert (buffer.lost, buffer.late) == (1, 1)


def test_with_nothing_buffered_it_waits_for_a_late_sender_instead_of_losing_its_packets() -> None:
    buffer = JitterBuffer(PCMU)
    stream = packets(ssrc=9, first=100, count=8)
    for packet in stream[:JITTER_FRAMES]:
        buffer.push(packet)
    # The sender stalls for three frames after its third packet: the buffer runs dry and waits.
    assert played(buffer, 6) == [0, 1, 2, None, None, None]
    for packet in stream[JITTER_FRAMES:]:
        buffer.push(packet)  # the stall's packets come in a burst, then the sender goes on
    assert played(buffer, 5) == [3, 4, 5, 6, 7]
    assert (buffer.lost, buffer.late, buffer.waited) == (0, 0, 3)


def test_a_new_ssrc_or_a_jump_starts_over() -> None:
    buffer = JitterBuffer(PCMU)
    for packet in packets(ssrc=1, first=0, count=4):
        buffer.push(packet)
    assert played(buffer, 4) == [0, 1, 2, 3]
    for packet in packets(ssrc=2, first=5000, count=3):  # the peer restarted its stream
        buffer.push(packet)
    assert played(buffer, 3) == [0, 1, 2]
    for packet in packets(ssrc=2, first=5003 + 10 * MAX_BUFFERED, count=3):  # back from a hold
        buffer.push(packet)
    assert played(buffer, 3) == [0, 1, 2]
    assert buffer.discarded == 0  # nothing was waiting when it started over
    for packet in packets(ssrc=3, first=0, count=2):
        buffer.push(packet)
    buffer.push(packets(ssrc=4, first=0, count=1)[0])
    assert buffer.discarded == 2  # the unplayed packets of the stream that was given up


def test_other_payload_types_and_a_flood_stay_out() -> None:
    buffer = JitterBuffer(PCMU, depth_frames=1)
    buffer.push(RtpPacket(EVENTS, 1, 0, 9, b"\x01\x80\x00\xa0"))
    assert played(buffer, 1) == [None]
    for packet in packets(ssrc=9, first=0, count=3 * MAX_BUFFERED):
        buffer.push(packet)
    assert sum(payload is not None for payload in played(buffer, 3 * MAX_BUFFERED)) == MAX_BUFFERED
    assert buffer.discarded == 2 * MAX_BUFFERED
