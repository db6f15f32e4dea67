"""Self-tests of the webhook app that end-to-end call tests point the server at (tests/support/webapp.py).

Requests here come from httpx, standing in for the server under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from phonograph.testing.webapp import Hit, WebApp

TOKEN = "12345678901234567890123456789012"
TWIML = "<Response><Say>hello</Say></Response>"
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt "


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


def twilio_signature(url: str, params: list[tuple[str, str]], token: str) -> str:
    """How Twilio signs a webhook: HMAC-SHA1 of the URL followed by each name+value sorted by name,
    base64-encoded (twilio.com/docs/usage/security#validating-requests)."""
    data = url + "".join(name + value for name, value in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_serves_twiml_and_records_a_get_with_its_query(webapp: WebApp, http: httpx.Client) -> None:
    url = webapp.twiml("/voice", TWIML)

    response = http.get(url, params={"CallSid": "CA1", "Digits": ""}, headers={"X-Custom": "yes"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml"
    assert response.text == TWIML
    [hit] = webapp.hits("/voice")
    assert (hit.method, hit.path, hit.status) == ("GET", "/voice", 200)
    assert hit.url == f"{webapp.base_url}/voice?CallSid=CA1&Digits="
    assert hit.query == {"CallSid": ["CA1"], "Digits": [""]}
    assert hit.form == {}
    assert hit.param("CallSid") == "CA1"
    assert hit.param("Digits") == ""
    assert hit.param("Missing") is None
    assert hit.headers["x-custom"] == hit.headers["X-CUSTOM"] == "yes"
    assert "x-Custom" in hit.headers


def test_records_a_post_form_and_builds_twiml_per_request(webapp: WebApp, http: httpx.Client) -> None:
    def by_digits(hit: Hit) -> str:
        return f"<Response><Say>you pressed {hit.param('Digits')}</Say></Response>"

    url = webapp.twiml("/gather", by_digits)

    first = http.post(url, data={"Digits": "1", "CallSid": "CA1"})
    second = http.post(url + "?step=2", data={"Digits": "2", "Tag": ["a", "b"]})

    assert "you pressed 1" in first.text
    assert "you pressed 2" in second.text
    one, two = webapp.hits("/gather")
    assert one.method == "POST"
    assert one.params() == {"Digits": "1", "CallSid": "CA1"}
    assert two.form == {"Digits": ["2"], "Tag": ["a", "b"]}
    assert two.query == {"step": ["2"]}
    assert two.param("step") is None  # POST params come from the form only
    assert two.params() == {"Digits": "2", "Tag": "a"}
    assert two.body == b"Digits=2&Tag=a&Tag=b"
    assert one.received_at <= two.received_at


def test_unknown_paths_answer_404_and_are_recorded(webapp: WebApp, http: httpx.Client) -> None:
    assert http.post(webapp.url("/nowhere"), data={"a": "1"}).status_code == 404

    [hit] = webapp.hits()
    assert (hit.path, hit.status, hit.params()) == ("/nowhere", 404, {"a": "1"})


def test_fail_and_respond_set_status_content_and_headers(webapp: WebApp, http: httpx.Client) -> None:
    webapp.fail("/broken", 500)
    webapp.respond("/page", b"<html></html>", content_type="text/html", headers={"X-Extra": "1"})
    webapp.respond("/empty", b"", status=204, content_type=None)

    broken = http.get(webapp.url("/broken"))
    page = http.get(webapp.url("/page"))
    empty = http.get(webapp.url("/empty"))

    assert broken.status_code == 500
    assert (page.status_code, page.text) == (200, "<html></html>")
    assert page.headers["content-type"] == "text/html"
    assert page.headers["x-extra"] == "1"
    assert (empty.status_code, empty.content, "content-type" in empty.headers) == (204, b"", False)
    assert [hit.status for hit in webapp.hits()] == [500, 200, 204]


def test_registering_a_path_again_replaces_its_route(webapp: WebApp, http: httpx.Client) -> None:
    webapp.twiml("/voice", "<Response/>")
    webapp.fail("/voice", 503)

    assert http.get(webapp.url("/voice")).status_code == 503


def test_delay_holds_the_reply_but_records_the_hit_on_arrival(webapp: WebApp, http: httpx.Client) -> None:
    webapp.twiml("/slow", TWIML, delay_s=0.3)

    started = time.monotonic()
    response = http.get(webapp.url("/slow"))

    assert response.text == TWIML
    assert time.monotonic() - started >= 0.3
    [hit] = webapp.hits("/slow")
    assert hit.received_at - started < 0.3


def test_close_cuts_a_delayed_reply_short() -> None:
    app = WebApp().start()
    app.twiml("/slow", TWIML, delay_s=60.0)
    replies: list[httpx.Response] = []
    client = threading.Thread(target=lambda: replies.append(httpx.get(app.url("/slow"), timeout=10.0)))
    client.start()
    app.wait_for("/slow", timeout_s=5.0)

    app.close()

    client.join(timeout=5.0)
    assert not client.is_alive()
    assert replies[0].text == TWIML


def test_etag_answers_conditional_gets_with_304(webapp: WebApp, http: httpx.Client) -> None:
    url = webapp.respond("/tone.wav", AUDIO, content_type="audio/wav", etag="v1")

    fresh = http.get(url)
    cached = http.get(url, headers={"If-None-Match": fresh.headers["etag"]})
    weak_in_list = http.get(url, headers={"If-None-Match": '"v0", W/"v1"'})
    stale = http.get(url, headers={"If-None-Match": '"v0"'})
    head = http.head(url, headers={"If-None-Match": '"v1"'})

    assert (fresh.status_code, fresh.content, fresh.headers["etag"]) == (200, AUDIO, '"v1"')
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", '"v1"')
    assert weak_in_list.status_code == 304
    assert (stale.status_code, stale.content) == (200, AUDIO)
    assert head.status_code == 304
    assert webapp.count("/tone.wav") == 5
    assert webapp.count("/tone.wav", status=304) == 3
    assert webapp.count("/tone.wav", status=200) == 2


def test_last_modified_answers_if_modified_since_with_304(webapp: WebApp, http: httpx.Client) -> None:
    changed = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    url = webapp.respond("/tone.wav", AUDIO, content_type="audio/wav", last_modified=changed)

    fresh = http.get(url)
    same = http.get(url, headers={"If-Modified-Since": fresh.headers["last-modified"]})
    older = format_datetime(changed - timedelta(seconds=1), usegmt=True)
    before = http.get(url, headers={"If-Modified-Since": older})
    garbage = http.get(url, headers={"If-Modified-Since": "yesterday"})

    assert fresh.headers["last-modified"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert [r.status_code for r in (fresh, same, before, garbage)] == [200, 304, 200, 200]
    assert webapp.count("/tone.wav", status=304) == 1


def test_wait_for_returns_matching_hits_in_arrival_order(webapp: WebApp) -> None:
    webapp.twiml("/status", "")

    def post_three() -> None:
        for seq in ("1", "2", "3"):
            httpx.post(webapp.url("/status"), data={"seq": seq}, timeout=5.0)

    sender = threading.Thread(target=post_three)
    sender.start()
    hits = webapp.wait_for("/status", count=3, timeout_s=5.0)
    [second] = webapp.wait_for("/status", lambda hit: hit.param("seq") == "2", timeout_s=5.0)
    sender.join()

    assert [hit.param("seq") for hit in hits] == ["1", "2", "3"]
    assert second is hits[1]
    assert [hit.param("seq") for hit in webapp.wait_for(None, count=2)] == ["1", "2"]


def test_wait_for_times_out_listing_what_did_arrive(webapp: WebApp, http: httpx.Client) -> None:
    webapp.twiml("/voice", TWIML)
    http.post(webapp.url("/voice"), data={"CallStatus": "ringing"})

    def completed(hit: Hit) -> bool:
        return hit.param("CallStatus") == "completed"

    with pytest.raises(AssertionError) as raised:
        webapp.wait_for("/voice", completed, timeout_s=0.2)

    message = str(raised.value)
    assert "1 hit(s) to /voice matching" in message
    assert "completed" in message
    assert "0 matched" in message
    assert f"POST {webapp.base_url}/voice -> 200 {{'CallStatus': 'ringing'}}" in message


def test_a_route_callable_that_raises_answers_500_and_is_kept_in_errors(http: httpx.Client) -> None:
    def broken(hit: Hit) -> str:
        raise RuntimeError("bug in the test's TwiML builder")

    with WebApp() as app:
        app.twiml("/voice", broken)
        assert http.get(app.url("/voice")).status_code == 500

    [error] = app.errors
    assert "bug in the test's TwiML builder" in error


def test_records_a_chunked_request_body(webapp: WebApp, http: httpx.Client) -> None:
    webapp.twiml("/voice", TWIML)

    http.post(
        webapp.url("/voice"),
        content=iter([b"CallSid=CA1", b"&From=%2B15550001111"]),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )

    [hit] = webapp.hits("/voice")
    assert hit.headers["transfer-encoding"] == "chunked"
    assert hit.params() == {"CallSid": "CA1", "From": "+15550001111"}


def test_valid_signature_accepts_a_post_signed_like_twilio(webapp: WebApp, http: httpx.Client) -> None:
    url = webapp.twiml("/voice?attempt=1", TWIML)
    form = [("CallSid", "CA1"), ("From", "+15550001111"), ("Digits", ""), ("Tag", "b"), ("Tag", "a")]
    signature = twilio_signature(url, form, TOKEN)

    http.post(url, data=dict_of_lists(form), headers={"X-Twilio-Signature": signature})
    tampered = [*form[:1], ("From", "+15559999999"), *form[2:]]
    http.post(url, data=dict_of_lists(tampered), headers={"X-Twilio-Signature": signature})
    http.post(url, data=dict_of_lists(form))

    signed, changed, unsigned = webapp.hits("/voice")
    assert webapp.valid_signature(signed, TOKEN)
    assert not webapp.valid_signature(signed, TOKEN[::-1])
    assert not webapp.valid_signature(changed, TOKEN)
    assert not webapp.valid_signature(unsigned, TOKEN)


def test_valid_signature_checks_a_get_by_its_full_url(webapp: WebApp, http: httpx.Client) -> None:
    url = webapp.twiml("/voice", TWIML) + "?CallSid=CA1&From=%2B15550001111"

    http.get(url, headers={"X-Twilio-Signature": twilio_signature(url, [], TOKEN)})
    http.get(url.replace("CA1", "CA2"), headers={"X-Twilio-Signature": twilio_signature(url, [], TOKEN)})

    signed, changed = webapp.hits("/voice")
    assert webapp.valid_signature(signed, TOKEN)
    assert not webapp.valid_signature(changed, TOKEN)


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out
