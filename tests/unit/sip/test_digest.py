"""Digest authentication (sip/digest.py): RFC 7616's own example answered value for value; a
challenge answered and checked; wrong passwords, replays, forged and expired nonces refused or
sent back stale; headers that cannot be read raise nothing but ``BadCredentials``."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonograph.core import DigestAlgorithm as Algorithm
from phonograph.core import ha1
from phonograph.sip.digest import (
    NONCE_TTL_S,
    BadCredentials,
    Challenge,
    Challenger,
    DigestAnswer,
    Verdict,
    authorization,
)

# RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
RFC_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
RFC_RESPONSES = {
    Algorithm.MD5: "8ca523f5e9506fed4657c9700eebdbec",
    Algorithm.SHA256: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
}
URI = "sip:+15550100001@phonograph.example"


class SteppedClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_rfc_7616s_example_is_answered_as_the_rfc_says(algorithm: Algorithm) -> None:
    challenge = Challenge.parse(RFC_CHALLENGE.format(algorithm=algorithm.value))
    assert challenge.qop == ("auth", "auth-int")  # a comma inside quotes does not split the list
    value = authorization(
        challenge,
        username="Mufasa",
        password="Circle of Life",
        method="GET",
        uri="/dir/index.html",
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    answer = DigestAnswer.parse(value)
    assert answer.response == RFC_RESPONSES[algorithm]
    assert (answer.qop, answer.nc, answer.algorithm) == ("auth", "00000001", algorithm)
    assert 'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"' in value


def answered(
    challenger: Challenger, algorithm: Algorithm, password: str, *, nc: int = 1, uri: str = URI
) -> DigestAnswer:
    challenge = Challenge.parse(challenger.challenge(algorithm))
    return DigestAnswer.parse(
        authorization(
            challenge, username="alice", password=password, method="INVITE", uri=uri, cnonce="c1", nc=nc
        )
    )


def verdict(challenger: Challenger, answer: DigestAnswer, algorithm: Algorithm) -> Verdict:
    stored = ha1("alice", challenger.realm, "correct horse", algorithm)
    return challenger.verify(answer, method="INVITE", request_uri=URI, stored_ha1=stored)


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_the_right_password_is_accepted_once_per_count_and_a_wrong_one_never(algorithm: Algorithm) -> None:
    challenger = Challenger(SteppedClock())
    answer = answered(challenger, algorithm, "correct horse")
    assert verdict(challenger, answer, algorithm) is Verdict.ACCEPTED
    assert verdict(challenger, answer, algorithm) is Verdict.REFUSED  # the same answer again: a replay
    challenge = Challenge(challenger.realm, answer.nonce, algorithm, ("auth",), None)
    again = DigestAnswer.parse(
        authorization(
            challenge, username="alice", password="correct horse", method="INVITE", uri=URI, cnonce="c2", nc=2
        )
    )
    assert verdict(challenger, again, algorithm) is Verdict.ACCEPTED
    assert verdict(challenger, answered(challenger, algorithm, "wrong horse"), algorithm) is Verdict.REFUSED


def test_an_expired_nonce_is_stale_and_a_forged_or_foreign_one_refused() -> None:
    clock = SteppedClock()
    challenger = Challenger(clock)
    old = answered(challenger, Algorithm.SHA256, "correct horse")
    clock.at += timedelta(seconds=NONCE_TTL_S + 1)
    assert verdict(challenger, old, Algorithm.SHA256) is Verdict.STALE
    assert "stale=true" in challenger.challenge(Algorithm.SHA256, stale=True)

    foreign = answered(Challenger(clock), Algorithm.SHA256, "correct horse")  # another secret
    assert verdict(challenger, foreign, Algorithm.SHA256) is Verdict.REFUSED
    for nonce in ("", "not base64 at all!", "AAAA", "é"):
        forged = DigestAnswer(
            **{**answered(challenger, Algorithm.SHA256, "correct horse").__dict__, "nonce": nonce}
        )
        assert verdict(challenger, forged, Algorithm.SHA256) is Verdict.REFUSED


def test_an_answer_for_another_uri_or_realm_or_without_qop_is_refused() -> None:
    challenger = Challenger(SteppedClock())
    assert (
        verdict(
            challenger, answered(challenger, Algorithm.MD5, "correct horse", uri="sip:other@x"), Algorithm.MD5
        )
        is Verdict.REFUSED
    )
    good = answered(challenger, Algorithm.MD5, "correct horse")
    for change in ({"realm": "elsewhere"}, {"qop": None}, {"nc": "zz"}, {"cnonce": None}):
        assert (
            verdict(challenger, DigestAnswer(**{**good.__dict__, **change}), Algorithm.MD5) is Verdict.REFUSED
        )


def test_a_nonces_first_use_must_count_one_and_forgotten_counts_mean_stale() -> None:
    challenger = Challenger(SteppedClock(), max_tracked=1)
    first = answered(challenger, Algorithm.MD5, "correct horse")
    assert verdict(challenger, first, Algorithm.MD5) is Verdict.ACCEPTED
    assert (
        verdict(challenger, answered(challenger, Algorithm.MD5, "correct horse"), Algorithm.MD5)
        is Verdict.ACCEPTED
    )
    challenge = Challenge(challenger.realm, first.nonce, Algorithm.MD5, ("auth",), None)
    later = DigestAnswer.parse(
        authorization(
            challenge, username="alice", password="correct horse", method="INVITE", uri=URI, cnonce="c", nc=2
        )
    )
    assert verdict(challenger, later, Algorithm.MD5) is Verdict.STALE  # its counts were pushed out


@pytest.mark.parametrize(
    "value",
    [
        "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        'Digest username="alice", realm="phonograph"',  # no nonce, uri or response
        'Digest username="alice, realm=phonograph',  # an unterminated quote
        'Digest username="a", realm="r", nonce="n", uri="u", response="r", algorithm=SHA-512',
        "Digest " + "x=y, " * 2000,
    ],
)
def test_headers_that_cannot_be_read_are_refused(value: str) -> None:
    with pytest.raises(BadCredentials):
        DigestAnswer.parse(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text_raises_nothing_but_bad_credentials(text: str) -> None:
    for parse in (DigestAnswer.parse, Challenge.parse):
        with contextlib.suppress(BadCredentials):
            parse("Digest " + text)
