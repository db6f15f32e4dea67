"""What the ``?…`` part of a ``<Sip>`` URI puts in the INVITE (calls/sip_line.py ``uri_headers``):
``X-`` headers and the four Twilio names; other names are warned about (13252), values with control
characters too (21229: a CR or LF would write headers of its own), and a part of 1,024 characters
or more is dropped whole (21227)."""

from __future__ import annotations

from phonograph.calls.sip_line import uri_headers


def test_x_headers_and_the_four_named_ones_go_into_the_invite() -> None:
    headers, problems = uri_headers(
        "X-Ticket=7&x-lower=a%20b&User-to-User=56a390f3&P-Called-Party-ID=sip:x@y"
    )
    assert headers == (
        ("X-Ticket", "7"),
        ("x-lower", "a b"),
        ("User-to-User", "56a390f3"),
        ("P-Called-Party-ID", "sip:x@y"),
    )
    assert problems == []


def test_other_names_and_injected_lines_are_left_out_with_a_warning() -> None:
    headers, problems = uri_headers("Via=evil&X-Ok=1&X-Evil=a%0D%0AVia%3A%20x&Bad%20Name=1")
    assert headers == (("X-Ok", "1"),)
    assert [code for code, _ in problems] == [13252, 21229, 13252]


def test_a_headers_part_of_1024_characters_or_more_is_dropped_whole() -> None:
    assert uri_headers("X-Long=" + "a" * 1017) == (
        (),
        [(21227, uri_headers("X-Long=" + "a" * 1017)[1][0][1])],
    )
    assert uri_headers("X-Long=" + "a" * 1016)[0] == (("X-Long", "a" * 1016),)
