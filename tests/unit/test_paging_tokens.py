"""PageToken: the opaque keyset cursor in v2010 page links (``PA…`` after, ``PB…`` before)."""

from __future__ import annotations

import base64
import contextlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phonograph.api.paging import decode_token, encode_token
from phonograph.core import InvalidParameter
from phonograph.store import Cursor, Direction

# Tokens carry the date_created of a row; any instant a datetime can hold round-trips exactly.
moments = st.datetimes(timezones=st.just(UTC))
cursors = st.builds(Cursor, st.sampled_from(Direction), moments, st.text())


@contextmanager
def local_timezone(name: str) -> Iterator[None]:
    """Run with the process's local time zone set to ``name`` (tokens must not depend on it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def raw_token(raw: bytes, prefix: str = "PA") -> str:
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@given(cursors)
def test_round_trip(cursor: Cursor) -> None:
    token = encode_token(cursor)
    assert token[:2] == ("PA" if cursor.direction is Direction.AFTER else "PB")
    assert decode_token(token) == cursor


@given(cursors)
def test_tokens_are_url_safe(cursor: Cursor) -> None:
    token = encode_token(cursor)
    assert token.isascii()
    assert all(char.isalnum() or char in "-_" for char in token)


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "UTC"])
def test_round_trip_does_not_depend_on_the_local_time_zone(zone: str) -> None:
    cursor = Cursor(Direction.BEFORE, datetime(2026, 11, 21, 14, 34, 31, 123456, tzinfo=UTC), "AC" + "0" * 32)
    with local_timezone(zone):
        assert decode_token(encode_token(cursor)) == cursor


garbage = st.one_of(
    st.text(),
    st.builds(str.__add__, st.sampled_from(["PA", "PB"]), st.text()),
    st.builds(raw_token, st.binary()),
    st.builds(
        raw_token,
        st.builds(lambda a, b: f"{a}|{b}".encode(), st.one_of(st.floats().map(repr), st.text()), st.text()),
    ),
)


@given(garbage)
def test_garbage_is_refused_or_read_never_crashes(token: str) -> None:
    if token[:2] not in ("PA", "PB"):
        with pytest.raises(InvalidParameter, match="PageToken"):
            decode_token(token)
        return
    with contextlib.suppress(InvalidParameter):
        assert isinstance(decode_token(token), Cursor)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "P",
        "PA",
        "PB",
        "garbage",
        "PA!!!",
        "PAé",
        "PA=",
        raw_token(b"1700000000.0|AC00", prefix="PC"),
        raw_token(b"1700000000.0|AC00", prefix="pa"),
        raw_token(b"no separator"),
        raw_token(b"|AC00"),
        raw_token(b"soon|AC00"),
        raw_token(b"nan|AC00"),
        raw_token(b"inf|AC00"),
        raw_token(b"-inf|AC00"),
        raw_token(b"1e300|AC00"),
        raw_token(b"-1e300|AC00"),
        raw_token(b"999999999999999999999|AC00"),
        raw_token(b"1.5|AC00"),
        raw_token(b"\xff\xfe|AC00"),
    ],
)
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(InvalidParameter, match="PageToken"):
        decode_token(token)
