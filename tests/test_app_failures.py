"""When the app behind a call fails: the fallback, the application-error message, the notification.

Twilio fetches the ``Url``; when that fails — no connection or no answer in time (11205), an HTTP
error (11200), a body that is not TwiML (12300) or TwiML it cannot run (12100 or the verb's 13xxx
code) — it records a Notification and requests the ``FallbackUrl`` with ``ErrorCode`` and
``ErrorUrl``. Without a fallback, or when that fails too, the caller hears an application-error
message and the call ends (https://www.twilio.com/docs/usage/security/availability-reliability).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from phonograph.calls.session import MAX_IDLE_DOCUMENTS
from phonograph.testing.audio import has_speech
from phonograph.testing.kit import fresh_number, wait_for_call
from phonograph.testing.server import free_port
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TestAccount
from tests.support.callflow import assert_standard_request, outbound_of, place
from tests.support.notifications import ERROR, call_notifications, codes

RATE_HZ = 8000
FALLBACK_TWIML = "<Response><Say>Our main line is down; this is the backup.</Say></Response>"
GOOD_TWIML = "<Response><Say>All is well.</Say></Response>"
SLOW_APP_S = 5.0
"""Longer than the read timeout the slow case asks for with Twilio's ``#rt=`` connection override
(the default wait is 15 s), shorter than a test should take."""

# Each way the Url can fail, set up on the webapp (returning the Url), with the code Twilio records.
FAILURES: dict[str, tuple[Callable[[WebApp], str], int]] = {
    "http-500": (lambda app: app.fail("/voice", 500), 11200),
    "http-404": (lambda app: app.url("/nowhere"), 11200),
    "closed-port": (lambda _app: f"http://127.0.0.1:{free_port()}/voice", 11205),
    "slow-app": (lambda app: app.twiml("/voice", GOOD_TWIML, delay_s=SLOW_APP_S) + "#rt=500", 11205),
    "malformed-xml": (lambda app: app.twiml("/voice", "<Response><Say>oops</Response>"), 12100),
    "text-plain": (lambda app: app.twiml("/voice", GOOD_TWIML, content_type="text/plain"), 12300),
}

# Documents that parse as XML but are not TwiML phonograph can run, with the code each gets.
BAD_DOCUMENTS: dict[str, tuple[str, int]] = {
    "malformed-xml": ("<Response><Say>unclosed</Response>", 12100),
    "wrong-root": ("<Reply><Say>Hello</Say></Reply>", 12100),
    "unknown-verb": ("<Response><Dance/></Response>", 12100),
    "bad-pause-length": ("<Response><Say>Wait.</Say><Pause length='soon'/></Response>", 13910),
    "bad-gather-timeout": ("<Response><Gather timeout='never'/></Response>", 13313),
    "bad-redirect-method": ("<Response><Redirect method='PUT'>/next</Redirect></Response>", 13710),
}


def without_fragment(url: str) -> str:
    return url.partition("#")[0]


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_url_falls_back_and_the_fallback_runs(
    account: TestAccount, webapp: WebApp, failure: str
) -> None:
    setup, code = FAILURES[failure]
    url = setup(webapp)
    fallback = webapp.twiml("/fallback", FALLBACK_TWIML)
    to = fresh_number()
    sid = place(account, url=url, fallback_url=fallback, to=to)
    [hit] = webapp.wait_for("/fallback")
    assert hit.method == "POST"
    assert_standard_request(hit, account, sid, to)
    # The fragment holds connection overrides: it is never part of a URL that is requested.
    assert (hit.param("ErrorCode"), hit.param("ErrorUrl")) == (str(code), without_fragment(url))
    assert has_speech(outbound_of(account, sid), RATE_HZ)
    [notice] = call_notifications(account.client, sid)
    assert (notice.error_code, notice.log, notice.request_method) == (code, ERROR, "POST")
    assert without_fragment(notice.request_url) == without_fragment(url)


def test_the_slow_app_was_asked_once_without_the_fragment_and_signed(
    account: TestAccount, webapp: WebApp
) -> None:
    url = webapp.twiml("/voice", GOOD_TWIML, delay_s=SLOW_APP_S)
    fallback = webapp.twiml("/fallback", FALLBACK_TWIML)
    to = fresh_number()
    sid = place(account, url=url + "#ct=1000&rt=500", fallback_url=fallback, to=to)
    webapp.wait_for("/fallback")
    [slow] = webapp.hits("/voice")
    assert slow.url == url
    assert_standard_request(slow, account, sid, to)


def test_without_a_fallback_the_caller_hears_the_application_error(
    account: TestAccount, webapp: WebApp
) -> None:
    url = webapp.fail("/voice", 500)
    sid = place(account, url=url)
    assert has_speech(outbound_of(account, sid), RATE_HZ, min_duration_s=1.0)
    assert webapp.count("/voice") == 1
    [notice] = call_notifications(account.client, sid)
    assert (notice.error_code, notice.request_url) == (11200, url)


def test_when_the_fallback_fails_too_both_failures_are_recorded(account: TestAccount, webapp: WebApp) -> None:
    url = webapp.fail("/voice", 503)
    fallback = webapp.twiml("/fallback", "<Response><Dance/></Response>")
    sid = place(account, url=url, fallback_url=fallback)
    assert has_speech(outbound_of(account, sid), RATE_HZ, min_duration_s=1.0)
    notices = call_notifications(account.client, sid)
    assert sorted((notice.error_code, notice.request_url) for notice in notices) == [
        (11200, url),
        (12100, fallback),
    ]


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_document_that_cannot_run_ends_the_call_with_its_code(
    account: TestAccount, webapp: WebApp, case: str
) -> None:
    document, code = BAD_DOCUMENTS[case]
    url = webapp.twiml("/voice", document)
    sid = place(account, url=url)
    # The caller hears the application-error message, and the call ends.
    assert has_speech(outbound_of(account, sid), RATE_HZ, min_duration_s=1.0)
    [notice] = call_notifications(account.client, sid)
    assert (notice.error_code, notice.log, notice.request_url) == (code, ERROR, url)


def test_a_redirect_loop_that_plays_nothing_ends_the_call_with_14106(
    account: TestAccount, webapp: WebApp
) -> None:
    loop = webapp.url("/loop")
    webapp.twiml("/loop", f"<Response><Redirect>{loop}</Redirect></Response>")
    sid = place(account, url=loop)
    assert wait_for_call(account.client, sid).status == "completed"
    assert webapp.count("/loop") == MAX_IDLE_DOCUMENTS
    assert codes(call_notifications(account.client, sid)) == [14106]


def test_a_loop_that_plays_media_each_time_is_not_cut(account: TestAccount, webapp: WebApp) -> None:
    rounds = MAX_IDLE_DOCUMENTS + 5

    def document(hit: Hit) -> str:
        if webapp.count("/round") > rounds:
            return "<Response><Hangup/></Response>"
        return f"<Response><Pause length='1'/><Redirect>{webapp.url('/round')}</Redirect></Response>"

    sid = place(account, url=webapp.twiml("/round", document))
    assert wait_for_call(account.client, sid, timeout_s=60).status == "completed"
    assert webapp.count("/round") > rounds  # every round ran; the last one hung up
    assert call_notifications(account.client, sid) == []
