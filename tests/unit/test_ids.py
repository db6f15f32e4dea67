"""SIDs and TypeIDs (twilio.com/docs/glossary/what-is-a-sid)."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phonograph.core import is_sid, new_secret, new_sid, new_typeid, typeid_uuid

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
MAX_MS = (1 << 48) - 1
PREFIX = "voice_recordingconfiguration"

sid_prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
typeid_prefixes = st.from_regex(r"[a-z]([a-z_]{0,30}[a-z])?", fullmatch=True)
suffixes = st.text(alphabet=CROCKFORD, min_size=26, max_size=26).filter(lambda s: s[0] <= "7")


@given(sid_prefixes)
def test_new_sid_is_prefix_and_32_lowercase_hex(prefix: str) -> None:
    sid = new_sid(prefix)
    assert re.fullmatch(rf"{prefix}[0-9a-f]{{32}}", sid)
    assert is_sid(sid, prefix)
    assert is_sid(prefix + sid[2:].upper(), prefix)


@pytest.mark.parametrize("prefix", ["ac", "A", "ACX", "", "A1", "1A", "ÀB"])
def test_new_sid_refuses_bad_prefixes(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        new_sid(prefix)


@pytest.mark.parametrize(
    "value", ["AC" + "0" * 31, "AC" + "0" * 33, "SK" + "0" * 32, "AC" + "g" * 32, "ac" + "0" * 32]
)
def test_is_sid_refuses(value: str) -> None:
    assert not is_sid(value, "AC")


def test_new_sids_and_secrets_differ() -> None:
    assert len({new_sid("AC") for _ in range(100)}) == 100
    assert len({new_secret() for _ in range(100)}) == 100
    assert re.fullmatch(r"[0-9a-f]{32}", new_secret())


@given(typeid_prefixes, st.integers(min_value=0, max_value=MAX_MS))
def test_typeid_round_trip_is_a_uuid7_of_the_given_millisecond(prefix: str, ms: int) -> None:
    typeid = new_typeid(prefix, ms)
    head, _, suffix = typeid.rpartition("_")
    assert head == prefix
    assert re.fullmatch(r"[0-7][0-9a-hjkmnp-tv-z]{25}", suffix)
    value = typeid_uuid(typeid, prefix)
    assert value is not None
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == ms


def test_typeids_sort_by_time() -> None:
    ids = [new_typeid(PREFIX, ms) for ms in (1, 2, 1_000, 1_700_000_000_000, MAX_MS)]
    assert ids == sorted(ids)


@given(suffixes)
def test_any_suffix_in_range_is_accepted(suffix: str) -> None:
    value = typeid_uuid(f"{PREFIX}_{suffix}", PREFIX)
    assert value is not None
    number = 0
    for char in suffix:
        number = number * 32 + CROCKFORD.index(char)
    assert value.int == number


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        # twilio.com/docs/glossary/what-is-a-sid: a real id (a UUIDv7 of 2025-07-30) and one that decodes to a
        # UUIDv4.
        ("01k1etx3jbfx88476ccja0889c", "01985dae-8e4b-7f50-"),
        ("7n7hnd7sf68yfv5re42nvvz7aa", None),
    ],
)
def test_spec_examples(suffix: str, expected: str | None) -> None:
    value = typeid_uuid(f"voice_transcriptionconfiguration_{suffix}", "voice_transcriptionconfiguration")
    assert value is not None
    if expected is None:
        assert value.version == 4
    else:
        assert str(value).startswith(expected)
        assert value.version == 7


VALID = "01k1etx3jbfx88476ccja0889c"


@pytest.mark.parametrize(
    "value",
    [
        f"voice_transcriptionconfiguration_{VALID}",  # another prefix
        f"recordingconfiguration_{VALID}",  # a shorter prefix
        f"x{PREFIX}_{VALID}",  # a longer prefix
        VALID,  # no prefix
        f"{PREFIX}{VALID}",  # no separator
        f"{PREFIX}_{VALID.upper()}",  # uppercase
        f"{PREFIX}_01k1etx3jbfx88476ccja0889C",  # one uppercase character
        f"{PREFIX}_{VALID[:-1]}i",  # i, l, o, u are not Crockford digits
        f"{PREFIX}_{VALID[:-1]}l",
        f"{PREFIX}_{VALID[:-1]}o",
        f"{PREFIX}_{VALID[:-1]}u",
        f"{PREFIX}_8{VALID[1:]}",  # first character above 7: more than 128 bits
        f"{PREFIX}_z{VALID[1:]}",
        f"{PREFIX}_{VALID[:-1]}",  # 25 characters
        f"{PREFIX}_{VALID}0",  # 27 characters
        f"{PREFIX}_",
        f"{PREFIX}_{VALID[:-1]}-",
    ],
)
def test_typeid_uuid_refuses(value: str) -> None:
    assert typeid_uuid(value, PREFIX) is None
