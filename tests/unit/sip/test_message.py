"""SIP messages on the wire (sip/message.py): a corpus of valid messages in the shapes RFC 4475's
torture tests exercise (folding, compact forms, odd whitespace, escapes, several Vias), each read
value for value; invalid ones, each refused with the status RFC 3261 asks for; responses built as
§8.2.6.2 says; and random bytes, which never raise anything but ``BadMessage``."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.sip import BadMessage, SipRequest, SipResponse, encode, parse, response_to
from phonograph.sip.message import MAX_HEADERS, MAX_MESSAGE_BYTES

CRLF = "\r\n"


def message(*lines: str, body: str = "") -> bytes:
    return (CRLF.join(lines) + CRLF + CRLF + body).encode()


INVITE_HEADERS = (
    "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-first;rport",
    "Max-Forwards: 70",
    "To: <sip:+15550100001@phonograph.example>",
    'From: "Alice Example" <sip:alice@atlanta.example>;tag=a73kszlfl',
    "Call-ID: 3848276298220188511@atlanta.example",
    "CSeq: 1 INVITE",
    "Contact: <sip:alice@192.0.2.10:5062>",
)


def invite(
    *extra: str, body: str = "", start: str = "INVITE sip:+15550100001@phonograph.example SIP/2.0"
) -> bytes:
    return message(start, *INVITE_HEADERS, *extra, body=body)


def request(data: bytes) -> SipRequest:
    parsed = parse(data)
    assert isinstance(parsed, SipRequest)
    return parsed


# -- valid messages, read value for value ------------------------------------------------------


def test_a_plain_invite_is_read_with_its_transaction_headers() -> None:
    parsed = request(invite())
    assert parsed.method == "INVITE"
    assert str(parsed.message.uri) == "sip:+15550100001@phonograph.example"
    [via] = parsed.checked.via
    assert (via.transport, via.host, via.port, via.parameters["branch"]) == (
        "UDP",
        "192.0.2.10",
        5062,
        "z9hG4bK-first",
    )
    assert "rport" in via.parameters
    assert via.parameters["rport"] is None
    assert parsed.checked.from_.name == "Alice Example"
    assert parsed.checked.from_.parameters["tag"] == "a73kszlfl"
    assert "tag" not in parsed.checked.to.parameters
    assert (parsed.checked.call_id, parsed.checked.cseq.sequence, parsed.checked.cseq.method) == (
        "3848276298220188511@atlanta.example",
        1,
        "INVITE",
    )


def test_folded_headers_compact_forms_and_odd_whitespace_are_read_as_written() -> None:
    # RFC 3261 §7.3.1: a line starting with whitespace continues the header before it; §7.3.3
    # compact forms; whitespace around the colon is allowed.
    data = message(
        "OPTIONS sip:phonograph.example SIP/2.0",
        "v: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-c",
        "f: <sip:probe@atlanta.example>;tag=x",
        "t : <sip:phonograph.example>",
        "i:compact-1@atlanta.example",
        "CSeq:   7",
        "\t OPTIONS",
        "Subject: a subject",
        "  that goes on",
        "\tand on",
        "l: 0",
    )
    parsed = request(data)
    assert parsed.checked.cseq.sequence == 7
    assert parsed.checked.call_id == "compact-1@atlanta.example"
    assert parsed.message.headers.get("Subject") == "a subject that goes on and on"
    assert parsed.message.headers.get("Content-Length") == "0"


def test_several_vias_in_one_header_and_in_several_keep_their_order() -> None:
    data = message(
        "BYE sip:alice@192.0.2.10:5062 SIP/2.0",
        "Via: SIP/2.0/UDP proxy-b.example;branch=z9hG4bK-b, "
        "SIP/2.0/TCP proxy-a.example:5070;branch=z9hG4bK-a",
        "Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bK-origin;received=198.51.100.7",
        "To: <sip:alice@atlanta.example>;tag=a73kszlfl",
        "From: <sip:+15550100001@phonograph.example>;tag=pg1",
        "Call-ID: 3848276298220188511@atlanta.example",
        "CSeq: 2 BYE",
    )
    parsed = request(data)
    assert [via.host for via in parsed.checked.via] == ["proxy-b.example", "proxy-a.example", "192.0.2.99"]
    assert parsed.checked.via[1].transport == "TCP"
    assert parsed.checked.via[2].parameters["received"] == "198.51.100.7"


def test_escaped_characters_in_the_request_uri_are_kept() -> None:
    parsed = request(invite(start="INVITE sip:alice%20smith@phonograph.example;transport=udp SIP/2.0"))
    assert parsed.message.uri.parameters["transport"] == "udp"
    assert parsed.message.uri.host == "phonograph.example"


def test_the_body_is_what_content_length_says_and_unknown_headers_are_kept() -> None:
    sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\n"
    parsed = request(invite("X-Customer: 42", f"Content-Length: {len(sdp)}", body=sdp + "trailing garbage"))
    assert parsed.message.body == sdp.encode()
    assert parsed.message.headers.get("x-customer") == "42"


def test_a_response_is_read() -> None:
    data = message(
        "SIP/2.0 486 Busy Here",
        "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-ours",
        "To: <sip:bob@biloxi.example>;tag=b1",
        "From: <sip:+15550100001@phonograph.example>;tag=pg1",
        "Call-ID: out-1@phonograph.example",
        "CSeq: 1 INVITE",
        "Content-Length: 0",
    )
    parsed = parse(data)
    assert isinstance(parsed, SipResponse)
    assert (parsed.code, parsed.message.phrase, parsed.checked.cseq.method) == (486, "Busy Here", "INVITE")


def test_what_is_encoded_reads_back_the_same() -> None:
    original = request(invite("Content-Type: application/sdp", "Content-Length: 3", body="v=0"))
    again = request(encode(original.message))
    assert again.checked == original.checked
    assert again.message.body == b"v=0"
    assert again.message.headers.get("Content-Length") == "3"


# -- invalid messages, each with its answer ----------------------------------------------------

INVALID = {
    "no empty line after the headers": (
        CRLF.join(["INVITE sip:a@b SIP/2.0", *INVITE_HEADERS]).encode(),
        400,
    ),
    "headers not UTF-8": (invite("Subject: caf\xe9").replace("caf\xe9".encode(), b"caf\xe9"), 400),
    "unknown protocol version": (invite(start="INVITE sip:a@phonograph.example SIP/7.0"), 400),
    "status code out of range": (message("SIP/2.0 99 Odd", *INVITE_HEADERS), 400),
    "request URI that is not a URI": (invite(start="INVITE <sip:a@b> SIP/2.0"), 400),
    "method with a space": (invite(start="IN VITE sip:a@phonograph.example SIP/2.0"), 400),
    "header line without a colon": (invite("Just some text"), 400),
    "header name with a space": (invite("Bad Name: value"), 400),
    "missing Call-ID, From and To (RFC 4475 insuf)": (
        message(
            "INVITE sip:a@phonograph.example SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-x",
            "CSeq: 1 INVITE",
            "Max-Forwards: 70",
        ),
        400,
    ),
    "CSeq method not the request's": (
        message("BYE sip:a@phonograph.example SIP/2.0", *INVITE_HEADERS),
        400,
    ),
    "CSeq without a method": (invite().replace(b"CSeq: 1 INVITE", b"CSeq: 1"), 400),
    "Via that is not a Via": (invite().replace(b"SIP/2.0/UDP 192.0.2.10:5062", b"SIP/2.0 nowhere"), 400),
    "Content-Length not a number (RFC 4475 ncl)": (invite("Content-Length: -5"), 400),
    "Content-Length past the body (RFC 4475 clerr)": (invite("Content-Length: 9999", body="v=0"), 400),
    "Call-ID with a space": (invite().replace(b"Call-ID: 38", b"Call-ID: 3 8"), 400),
    "too many header lines": (invite(*[f"X-Filler: {n}" for n in range(MAX_HEADERS)]), 400),
    "larger than any datagram": (invite(body="x" * MAX_MESSAGE_BYTES), 513),
}


@pytest.mark.parametrize("case", INVALID)
def test_an_invalid_message_is_refused_with_its_status(case: str) -> None:
    data, status = INVALID[case]
    with pytest.raises(BadMessage) as refused:
        parse(data)
    assert refused.value.sip_status == status


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_nothing_but_bad_message(data: bytes) -> None:
    with contextlib.suppress(BadMessage):
        parse(data)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=600), st.binary(min_size=1, max_size=12))
def test_a_damaged_invite_raises_nothing_but_bad_message(position: int, damage: bytes) -> None:
    data = bytearray(invite(body="v=0"))
    position = min(position, len(data))
    data[position : position + len(damage)] = damage
    with contextlib.suppress(BadMessage):
        parse(bytes(data))


# -- responses (RFC 3261 §8.2.6.2) ------------------------------------------------------------


def test_a_response_copies_the_transaction_headers_and_tags_the_to() -> None:
    parsed = request(
        message(
            "INVITE sip:+15550100001@phonograph.example SIP/2.0",
            "Via: SIP/2.0/UDP proxy.example;branch=z9hG4bK-p, SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-u",
            *INVITE_HEADERS[1:],
        )
    )
    response = response_to(parsed, 180, to_tag="pg-7")
    again = parse(encode(response))
    assert isinstance(again, SipResponse)
    assert (response.code, response.phrase) == (180, "Ringing")
    assert [via.host for via in again.checked.via] == ["proxy.example", "192.0.2.10"]
    assert again.checked.from_ == parsed.checked.from_
    assert (again.checked.call_id, again.checked.cseq) == (parsed.checked.call_id, parsed.checked.cseq)
    assert again.checked.to.parameters["tag"] == "pg-7"
    assert again.checked.to.uri == parsed.checked.to.uri


def test_a_100_and_a_request_inside_a_dialog_keep_their_to() -> None:
    trying = parse(encode(response_to(request(invite()), 100, to_tag="pg-7")))
    assert "tag" not in trying.checked.to.parameters
    in_dialog = request(
        invite().replace(
            b"To: <sip:+15550100001@phonograph.example>", b"To: <sip:x@phonograph.example>;tag=old"
        )
    )
    ok = parse(encode(response_to(in_dialog, 200, to_tag="new")))
    assert ok.checked.to.parameters["tag"] == "old"
