"""Messages cut out of a stream (sip/framing.py, RFC 3261 §18.3): whatever the pieces the stream
arrives in, the same messages come out, in order; a stream that cannot be framed is refused."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.sip import BadMessage, StreamFramer, parse
from tests.unit.sip.test_message import invite

BODY = "v=0\r\n\r\ns=body with an empty line\r\n"
FIRST = invite("Content-Length: 0")
SECOND = invite("Content-Type: application/sdp", f"Content-Length: {len(BODY)}", body=BODY)
STREAM = b"\r\n\r\n" + FIRST + SECOND + b"\r\n" + FIRST


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(STREAM)), max_size=12))
def test_the_same_messages_come_out_whatever_the_pieces(cuts: list[int]) -> None:
    framer = StreamFramer()
    bounds = [0, *sorted(set(cuts)), len(STREAM)]
    out: list[bytes] = []
    for start, end in itertools.pairwise(bounds):
        out += framer.feed(STREAM[start:end])
    assert out == [FIRST, SECOND, FIRST]
    assert parse(out[1]).message.body == BODY.encode()


def test_a_message_without_content_length_cannot_be_framed() -> None:
    with pytest.raises(BadMessage, match="Content-Length"):
        StreamFramer().feed(invite())


def test_a_stream_that_never_completes_a_message_is_cut_off() -> None:
    framer = StreamFramer(max_message_bytes=1024)
    framer.feed(b"INVITE sip:a@b SIP/2.0\r\n")
    with pytest.raises(BadMessage) as refused:
        framer.feed(b"X-Filler: " + b"x" * 1024)
    assert refused.value.sip_status == 513


def test_a_declared_body_past_the_bound_is_refused_before_it_arrives() -> None:
    with pytest.raises(BadMessage) as refused:
        StreamFramer(max_message_bytes=1024).feed(invite("Content-Length: 5000"))
    assert refused.value.sip_status == 513
