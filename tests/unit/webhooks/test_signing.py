"""``X-Twilio-Signature`` as the official SDK's ``RequestValidator`` checks it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from phonograph.webhooks import signature
from tests.unit.webhooks.app_server import MultiDict

TOKEN = "12345"
# Twilio's published example: TwilioDevEd/api-snippets security/signature_validation/
# signature_validation.3.x.js gives this URL, these parameters and this signature.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = (
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675310"),
    ("Digits", "1234"),
    ("From", "+14158675310"),
    ("To", "+18005551212"),
)
DOC_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc="


def _valid(url: str, params: tuple[tuple[str, str], ...], sig: str, token: str = TOKEN) -> bool:
    result: bool = RequestValidator(token).validate(url, MultiDict(params), sig)
    return result


def test_twilios_documented_example() -> None:
    sig = signature(TOKEN, DOC_URL, DOC_PARAMS)
    assert sig == DOC_SIGNATURE
    assert sig == RequestValidator(TOKEN).compute_signature(DOC_URL, dict(DOC_PARAMS))
    assert _valid(DOC_URL, DOC_PARAMS, sig)


def test_parameter_order_does_not_matter() -> None:
    assert signature(TOKEN, DOC_URL, DOC_PARAMS) == signature(TOKEN, DOC_URL, tuple(reversed(DOC_PARAMS)))


def test_repeated_names_are_sorted_by_value() -> None:
    params = (("Digits", "9"), ("B", "x"), ("Digits", "1"), ("Digits", "5"))
    sig = signature(TOKEN, "https://example.com/cb", params)
    assert _valid("https://example.com/cb", params, sig)
    assert sig == signature(
        TOKEN, "https://example.com/cb", (("B", "x"), ("Digits", "1"), ("Digits", "5"), ("Digits", "9"))
    )


def test_unicode_names_and_values() -> None:
    params = (("Ünïcode", "日本語 ☎"), ("SpeechResult", "café crème"), ("Emoji", "🎙️"))
    url = "https://example.com/ünï?q=ä"
    assert _valid(url, params, signature(TOKEN, url, params))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:8443/cb?x=1&y=two",
        "http://127.0.0.1:8080/status?CallSid=CA1",
        "https://example.com/path/with%20space?a=b%26c",
        "https://example.com:443/default-port",
    ],
)
def test_urls_with_query_strings_and_ports(url: str) -> None:
    assert _valid(url, DOC_PARAMS, signature(TOKEN, url, DOC_PARAMS))


def test_a_get_is_signed_over_the_url_alone() -> None:
    url = "https://example.com/twiml?CallSid=CA1&From=%2B1555"
    sig = signature(TOKEN, url)
    assert RequestValidator(TOKEN).validate(url, {}, sig)


def test_token_url_and_params_all_count() -> None:
    sig = signature(TOKEN, DOC_URL, DOC_PARAMS)
    assert not _valid(DOC_URL, DOC_PARAMS, sig, token="54321")
    assert not _valid(DOC_URL + "&z=1", DOC_PARAMS, sig)
    assert not _valid(DOC_URL, (*DOC_PARAMS, ("Extra", "1")), sig)


names = st.text(min_size=1, max_size=12)
values = st.text(max_size=20)


@given(
    st.lists(st.tuples(names, values), max_size=8),
    st.sampled_from(["http://a.test:8080/x?y=1", "https://b.test/"]),
)
def test_any_params_validate(pairs: list[tuple[str, str]], url: str) -> None:
    params = tuple(pairs)
    assert _valid(url, params, signature("token-ß", url, params), token="token-ß")
