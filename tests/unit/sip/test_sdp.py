"""SDP offer/answer for one audio stream (sip/sdp.py, RFC 4566 and RFC 3264)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.sip import BadMessage, Codec, Direction, NotAcceptable, answer, negotiate, offer, parse_sdp

SESSION = "v=0\r\no=peer 4711 1 IN IP4 198.51.100.7\r\ns=-\r\n{c}t=0 0\r\n"


def sdp(*media: str, c: str = "c=IN IP4 198.51.100.7\r\n", session_attributes: str = "") -> bytes:
    return (SESSION.format(c=c) + session_attributes + "".join(media)).encode()


def test_the_first_g711_codec_in_the_offers_order_is_taken_with_its_telephone_events() -> None:
    offered = parse_sdp(
        sdp(
            "m=audio 40000 RTP/AVP 9 8 0 101\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n"
        )
    )
    agreed, body = answer(offered, address="203.0.113.5", port=20002, session_id=9, version=1)
    assert (agreed.codec, agreed.payload_type, agreed.dtmf_payload_type) == (Codec.PCMA, 8, 101)
    assert (agreed.remote_address, agreed.remote_port, agreed.direction) == (
        "198.51.100.7",
        40000,
        Direction.SENDRECV,
    )
    answered = parse_sdp(body)
    [audio] = answered.media
    assert (answered.address, audio.port, audio.formats) == ("203.0.113.5", 20002, ("8", "101"))
    assert (audio.rtpmap[8], audio.rtpmap[101], audio.ptime_ms) == ("PCMA/8000", "telephone-event/8000", 20)


def test_a_codec_on_a_dynamic_payload_type_keeps_the_offers_number() -> None:
    offered = parse_sdp(sdp("m=audio 40000 RTP/AVP 96\r\na=rtpmap:96 pcmu/8000\r\n"))
    _, agreed = negotiate(offered)
    assert (agreed.codec, agreed.payload_type, agreed.dtmf_payload_type) == (Codec.PCMU, 96, None)
    _, body = answer(offered, address="203.0.113.5", port=20002, session_id=9, version=1)
    assert "m=audio 20002 RTP/AVP 96\r\na=rtpmap:96 PCMU/8000" in body.decode()


@pytest.mark.parametrize(
    ("offered", "answered"),
    [
        (Direction.SENDRECV, Direction.SENDRECV),
        (Direction.SENDONLY, Direction.RECVONLY),
        (Direction.RECVONLY, Direction.SENDONLY),
        (Direction.INACTIVE, Direction.INACTIVE),
    ],
)
def test_an_answer_mirrors_the_offers_direction_a_hold_included(
    offered: Direction, answered: Direction
) -> None:
    media_level = parse_sdp(sdp(f"m=audio 40000 RTP/AVP 0\r\na={offered.value}\r\n"))
    session_level = parse_sdp(sdp("m=audio 40000 RTP/AVP 0\r\n", session_attributes=f"a={offered.value}\r\n"))
    for offer_ in (media_level, session_level):
        agreed, body = answer(offer_, address="203.0.113.5", port=20002, session_id=9, version=2)
        assert agreed.direction is answered
        assert f"a={answered.value}\r\n" in body.decode()


def test_other_media_are_refused_in_place_with_port_zero() -> None:
    offered = parse_sdp(
        sdp(
            "m=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
            "m=audio 40000 RTP/AVP 0\r\nc=IN IP4 198.51.100.8\r\n",
        )
    )
    agreed, body = answer(offered, address="203.0.113.5", port=20002, session_id=9, version=1)
    assert agreed.remote_address == "198.51.100.8"  # the media-level c= wins
    video, audio = parse_sdp(body).media
    assert (video.kind, video.port, audio.kind, audio.port) == ("video", 0, "audio", 20002)


@pytest.mark.parametrize(
    "offered",
    [
        sdp("m=audio 40000 RTP/AVP 9 18\r\n"),  # G.722 and G.729 only
        sdp("m=audio 40000 RTP/SAVP 0\r\n"),  # SRTP
        sdp("m=audio 0 RTP/AVP 0\r\n"),  # a stream already refused
        sdp("m=video 40000 RTP/AVP 0\r\n"),
    ],
)
def test_an_offer_with_nothing_acceptable_is_answered_488(offered: bytes) -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate(parse_sdp(offered))
    assert refused.value.sip_status == 488


@pytest.mark.parametrize(
    "broken",
    [
        b"v=0\r\nthis is not sdp\r\n",
        sdp(),  # no media
        sdp("m=audio forty RTP/AVP 0\r\n"),
        sdp("m=audio 70000 RTP/AVP 0\r\n"),
        sdp("m=audio 40000 RTP/AVP 0\r\n", c="c=IN IP4 media.example\r\n"),  # a name, not an address
        sdp("m=audio 40000 RTP/AVP 0\r\n", c="c=IN IPX 1.2.3.4\r\n"),
        sdp(*["m=audio 40000 RTP/AVP 0\r\n"] * 9),
        b"v=0\r\nm=audio 40000 RTP/AVP 0\r\n\xff\r\n",
    ],
)
def test_sdp_that_cannot_be_read_is_answered_400(broken: bytes) -> None:
    with pytest.raises(BadMessage) as refused:
        negotiate(parse_sdp(broken))
    assert refused.value.sip_status == 400


def test_an_audio_stream_without_an_address_is_refused() -> None:
    with pytest.raises(BadMessage, match="no connection address"):
        negotiate(parse_sdp(sdp("m=audio 40000 RTP/AVP 0\r\n", c="")))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["127.0.0.1", "203.0.113.5", "2001:db8::7"]),
    st.integers(min_value=1, max_value=65_535),
    st.sampled_from(list(Direction)),
)
def test_phonographs_offer_is_read_back_and_agreed_as_made(
    address: str, port: int, direction: Direction
) -> None:
    made = parse_sdp(offer(address=address, port=port, session_id=1, version=1, direction=direction))
    _, agreed = negotiate(made)
    assert (agreed.codec, agreed.payload_type, agreed.dtmf_payload_type) == (Codec.PCMU, 0, 101)
    assert (agreed.remote_address, agreed.remote_port) == (address, port)
    assert agreed.direction is direction.reversed()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_random_text_raises_nothing_but_bad_message(text: str) -> None:
    with contextlib.suppress(BadMessage):
        negotiate(parse_sdp(text.encode()))
