"""Wire timestamps: RFC 2822 for v2010 and ISO-8601 for v2/v3, as the SDK parses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.base import deserialize

from phonograph.core import as_utc, iso8601, parse_rfc2822, rfc2822

aware = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]),
)


def whole_seconds_utc(moment: datetime) -> datetime:
    return as_utc(moment).replace(microsecond=0)


def test_rfc2822_example() -> None:
    moment = datetime(2016, 10, 14, 21, 56, 34, 987654, tzinfo=UTC)
    assert rfc2822(moment) == "Fri, 14 Oct 2016 21:56:34 +0000"


def test_iso8601_example() -> None:
    moment = datetime(2016, 10, 14, 21, 56, 34, 987654, tzinfo=UTC)
    assert iso8601(moment) == "2016-10-14T21:56:34Z"


@pytest.mark.parametrize("format_", [rfc2822, iso8601])
def test_other_zones_are_shown_in_utc(format_: Callable[[datetime], str]) -> None:
    east = datetime(2016, 10, 15, 3, 26, 34, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert format_(east) == format_(datetime(2016, 10, 14, 21, 56, 34, tzinfo=UTC))


def test_naive_values_are_taken_as_utc() -> None:
    naive = datetime(2026, 11, 21, 14, 34, 31)
    assert as_utc(naive) == datetime(2026, 11, 21, 14, 34, 31, tzinfo=UTC)
    assert rfc2822(naive) == "Sat, 21 Nov 2026 14:34:31 +0000"


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_rfc2822_writes_what_the_standard_library_does(moment: datetime) -> None:
    assert rfc2822(moment) == format_datetime(moment.replace(microsecond=0))


@given(aware)
def test_rfc2822_round_trips_to_the_second(moment: datetime) -> None:
    text = rfc2822(moment)
    assert text.endswith(" +0000")
    assert parse_rfc2822(text) == whole_seconds_utc(moment)
    assert deserialize.rfc2822_datetime(text) == whole_seconds_utc(moment)


@given(aware)
def test_iso8601_is_what_the_sdk_parses(moment: datetime) -> None:
    text = iso8601(moment)
    assert deserialize.iso8601_datetime(text) == whole_seconds_utc(moment)


def test_parse_rfc2822_returns_utc() -> None:
    parsed = parse_rfc2822("Sat, 21 Nov 2026 09:34:31 -0500")
    assert parsed == datetime(2026, 11, 21, 14, 34, 31, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)
