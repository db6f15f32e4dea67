"""Call status callbacks: the events a call reports, their parameters, retries, and durability.

https://www.twilio.com/docs/voice/api/call-resource#statuscallback and #statuscallbackevent.
Callbacks go through an outbox written with the status change (docs/architecture.md): the tests at the
end SIGKILL a server and check that a new one on the same data directory delivers what was owed.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from phonograph.testing.audio import read_wav
from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import Hit, WebApp
from tests.conftest import TEST_SPEED, TestAccount
from tests.support.api import RFC2822_RE
from tests.support.notifications import WARNING, call_notifications
from tests.support.recordings import finished_recordings, recording_path
from tests.support.server import Servers

PHONE = "+15550300001"
APP_NUMBER = "+15550309999"
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
SHORT_CALL = "<Response><Pause length='2'/></Response>"
LONG_CALL = "<Response><Pause length='600'/></Response>"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
# Long enough for a callback whose delivery was cut off by the kill: its claim must lapse first
# (the client's timeout plus the lease margin of webhooks/outbox.py).
AFTER_RESTART_WAIT_S = 60.0


def _call(account: TestAccount, webapp: WebApp, twiml: str = SHORT_CALL, **options: Any) -> str:
    add_phone(account.http, PHONE, None, answer_after_s=1)
    sid: str = account.client.calls.create(
        to=PHONE, from_=APP_NUMBER, twiml=twiml, status_callback=webapp.url("/status"), **options
    ).sid
    return sid


def _assert_timestamp(hit: Hit) -> datetime:
    stamp = hit.param("Timestamp")
    assert stamp is not None
    assert RFC2822_RE.fullmatch(stamp), stamp
    moment = parsedate_to_datetime(stamp)
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=5)
    return moment


def test_each_subscribed_event_is_one_signed_request_in_order(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/status", b"")
    sid = _call(account, webapp, status_callback_event=ALL_EVENTS)
    hits = webapp.wait_for("/status", count=4)
    call = wait_for_call(account.client, sid)
    assert [hit.param("CallStatus") for hit in hits] == ["initiated", "ringing", "in-progress", "completed"]
    assert [hit.param("SequenceNumber") for hit in hits] == ["0", "1", "2", "3"]
    moments = [_assert_timestamp(hit) for hit in hits]
    assert moments == sorted(moments)
    for hit in hits:
        assert hit.method == "POST"
        assert webapp.valid_signature(hit, account.auth_token)
        assert (hit.param("CallSid"), hit.param("AccountSid")) == (sid, account.sid)
        assert (hit.param("From"), hit.param("To"), hit.param("Direction")) == (
            APP_NUMBER,
            PHONE,
            "outbound-api",
        )
        assert hit.param("CallbackSource") == "call-progress-events"
    for hit in hits[:3]:
        assert (hit.param("CallDuration"), hit.param("Duration")) == (None, None)
    completed = hits[3]
    assert call.duration is not None
    assert int(call.duration) >= 2
    assert completed.param("CallDuration") == call.duration
    assert completed.param("Duration") == "1"  # billed minutes, rounded up
    assert len({hit.headers[IDEMPOTENCY_HEADER] for hit in hits}) == 4


def test_by_default_only_completed_is_reported(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/status", b"")
    sid = _call(account, webapp)
    [hit] = webapp.wait_for("/status")
    wait_for_call(account.client, sid)
    assert (hit.param("CallStatus"), hit.param("SequenceNumber")) == ("completed", "0")
    assert webapp.count("/status") == 1
    assert (hit.param("RecordingSid"), hit.param("RecordingUrl")) == (None, None)  # nothing recorded


def test_a_recorded_calls_completed_callback_carries_its_recording(
    account: TestAccount, webapp: WebApp
) -> None:
    # Twilio's CreateCall: with Record=true, "the recording_url is sent to the status_callback URL".
    webapp.respond("/status", b"")
    sid = _call(
        account,
        webapp,
        twiml="<Response><Play digits='1234567890' loop='2'/></Response>",
        record=True,
        trim="do-not-trim",
    )
    [completed] = webapp.wait_for("/status")
    [recording] = finished_recordings(account, sid)
    assert completed.param("RecordingSid") == recording.sid
    url = completed.param("RecordingUrl")
    assert url == str(account.http.base_url).rstrip("/") + recording_path(account.sid, recording.sid, "")
    samples, rate = read_wav(account.http.get(f"{url}.wav").content)
    assert abs(int(completed.param("RecordingDuration") or "-1") - samples.shape[1] / rate) < 1


def test_get_puts_the_parameters_in_the_query_string(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/status", b"")
    sid = _call(
        account, webapp, status_callback_method="GET", status_callback_event=["initiated", "completed"]
    )
    hits = webapp.wait_for("/status", count=2)
    for hit in hits:
        assert (hit.method, hit.form, hit.body) == ("GET", {}, b"")
        assert hit.query["CallSid"] == [sid]
        assert webapp.valid_signature(hit, account.auth_token)
    assert [hit.param("CallStatus") for hit in hits] == ["initiated", "completed"]
    assert hits[1].param("CallDuration") is not None


@pytest.mark.parametrize(("answer", "status"), [("busy", "busy"), ("no-answer", "no-answer")])
def test_an_unanswered_call_reports_completed_with_its_status(
    account: TestAccount, webapp: WebApp, answer: str, status: str
) -> None:
    webapp.respond("/status", b"")
    add_phone(account.http, PHONE, None, answer=answer, answer_after_s=0)
    sid = account.client.calls.create(
        to=PHONE,
        from_=APP_NUMBER,
        twiml=SHORT_CALL,
        timeout=2,
        status_callback=webapp.url("/status"),
        status_callback_event=ALL_EVENTS,
    ).sid
    hits = webapp.wait_for("/status", count=3)
    assert [hit.param("CallStatus") for hit in hits] == ["initiated", "ringing", status]
    assert hits[2].param("CallDuration") == "0"
    assert wait_for_call(account.client, sid).status == status
    assert webapp.count("/status") == 3


def durable_callbacks(http: httpx.Client, account_sid: str) -> None:
    """The account asks for phonograph's durable delivery: a callback the app refused (Twilio
    would give up) is retried with backoff until it is taken."""
    settings = f"/phonograph/v1/Accounts/{account_sid}/MediaSettings"
    assert http.post(settings, json={"durable_callbacks": True}).json()["durable_callbacks"] is True


def _call_whose_first_callback_fails(account: TestAccount, webapp: WebApp) -> str:
    """A call whose app answers its ``initiated`` callback 500, then recovers; the call is ended
    only after that, so its ``completed`` callback never meets the failing app."""
    webapp.fail("/status", 500)
    sid = _call(account, webapp, LONG_CALL, status_callback_event=["initiated", "completed"])
    [failed] = webapp.wait_for("/status")
    assert failed.status == 500
    webapp.respond("/status", b"")
    wait_for_call(account.client, sid, ("in-progress",))
    account.client.calls(sid).update(status="completed")
    return sid


def test_a_callback_answered_500_is_not_retried_by_default(account: TestAccount, webapp: WebApp) -> None:
    """Twilio retries a webhook once, and only when it could not connect (connection overrides'
    defaults, https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides)."""
    sid = _call_whose_first_callback_fails(account, webapp)
    hits = webapp.wait_for("/status", count=2)
    assert [(hit.param("CallStatus"), hit.status) for hit in hits] == [("initiated", 500), ("completed", 200)]
    wait_for_call(account.client, sid)
    assert [(n.error_code, n.log) for n in call_notifications(account.client, sid)] == [(11200, WARNING)]


def test_with_durable_callbacks_a_failed_callback_is_retried_until_the_app_takes_it_once(
    account: TestAccount, webapp: WebApp
) -> None:
    durable_callbacks(account.http, account.sid)
    sid = _call_whose_first_callback_fails(account, webapp)
    # A call's callbacks go out in order, so once `completed` arrives the retried `initiated`
    # has been taken, and was not sent again.
    hits = webapp.wait_for("/status", count=3)
    wait_for_call(account.client, sid)
    assert [(hit.param("CallStatus"), hit.status) for hit in hits] == [
        ("initiated", 500),
        ("initiated", 200),
        ("completed", 200),
    ]
    assert hits[0].params() == hits[1].params()
    assert hits[0].headers[IDEMPOTENCY_HEADER] == hits[1].headers[IDEMPOTENCY_HEADER]
    assert webapp.valid_signature(hits[1], account.auth_token)
    assert webapp.count("/status") == 3


# -- durability: SIGKILL a server (SQLite) and start a new one on its data directory ----------------


class SqliteServers(Servers):
    """Servers on one SQLite data directory, whose outbox the tests read directly."""

    def pending_callbacks(self) -> list[tuple[int, list[list[str]]]]:
        """(attempts, params) of each message still to be delivered, oldest first, read from the database."""
        uri = f"file:{self.data_dir / 'phonograph.db'}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            rows = connection.execute(
                "SELECT attempts, params FROM outbox_messages WHERE state = 'pending' ORDER BY id"
            ).fetchall()
        return [(attempts, json.loads(params)) for attempts, params in rows]


@pytest.fixture
def servers(data_dir: Path) -> Iterator[SqliteServers]:
    made = SqliteServers(data_dir, {"PHONOGRAPH_SPEED": str(TEST_SPEED)})
    yield made
    if made.current is not None:
        made.current.stop()


def _wait_until_retrying(servers: SqliteServers, call_sid: str, timeout_s: float = 20) -> None:
    """Until the call's callback failed once and waits in the outbox for its next attempt."""
    deadline = time.monotonic() + timeout_s
    while True:
        pending = [
            attempts for attempts, params in servers.pending_callbacks() if ["CallSid", call_sid] in params
        ]
        if pending and pending[0] >= 1:
            return
        assert time.monotonic() < deadline, f"no failed callback of {call_sid} in the outbox: {pending}"
        time.sleep(0.02)


def _wait_until_delivered(servers: SqliteServers, call_sid: str, timeout_s: float = 20) -> None:
    """Until no callback of the call is left in the outbox."""
    deadline = time.monotonic() + timeout_s
    while any(["CallSid", call_sid] in params for _, params in servers.pending_callbacks()):
        assert time.monotonic() < deadline, f"a callback of {call_sid} is still in the outbox"
        time.sleep(0.02)


def _assert_delivered_once(webapp: WebApp, token: str, call_sid: str) -> Hit:
    """After a first attempt while the app was down, the app comes up and gets the callback."""
    [down] = webapp.wait_for("/status", timeout_s=AFTER_RESTART_WAIT_S)
    assert down.status == 503
    webapp.respond("/status", b"")
    [hit] = webapp.wait_for("/status", lambda hit: hit.status == 200, timeout_s=AFTER_RESTART_WAIT_S)
    assert webapp.valid_signature(hit, token)
    assert (hit.param("CallSid"), hit.param("CallStatus")) == (call_sid, "completed")
    return hit


def test_a_call_live_when_the_server_is_killed_is_settled_and_reported_after_restart(
    servers: SqliteServers, webapp: WebApp
) -> None:
    webapp.fail("/status", 503)
    credentials = servers.start().credentials
    token = credentials.auth_token
    with servers.http() as http:
        add_phone(http, PHONE, None, answer_after_s=0)
        durable_callbacks(http, credentials.account_sid)
    client = servers.client()
    sid = client.calls.create(
        to=PHONE, from_=APP_NUMBER, twiml=LONG_CALL, status_callback=webapp.url("/status")
    ).sid
    wait_for_call(client, sid, ("in-progress",))
    servers.kill()
    assert webapp.count("/status") == 0

    servers.start()
    call = servers.client().calls(sid).fetch()
    assert call.status == "completed"
    assert call.end_time is not None
    hit = _assert_delivered_once(webapp, token, sid)
    assert hit.param("SequenceNumber") == "0"
    assert hit.param("CallDuration") is not None
    assert webapp.count("/status", status=200) == 1


def test_a_callback_pending_when_the_server_is_killed_is_delivered_after_restart(
    servers: SqliteServers, webapp: WebApp
) -> None:
    credentials = servers.start().credentials
    token = credentials.auth_token
    with servers.http() as http:
        add_phone(http, PHONE, None, answer_after_s=0)
        durable_callbacks(http, credentials.account_sid)
    webapp.fail("/status", 503)
    client = servers.client()
    sid = client.calls.create(
        to=PHONE, from_=APP_NUMBER, twiml=SHORT_CALL, status_callback=webapp.url("/status")
    ).sid
    assert wait_for_call(client, sid).status == "completed"
    _wait_until_retrying(servers, sid)
    servers.kill()

    webapp.respond("/status", b"")
    servers.start()
    [delivered] = webapp.wait_for("/status", lambda hit: hit.status == 200, timeout_s=AFTER_RESTART_WAIT_S)
    assert webapp.valid_signature(delivered, token)
    assert (delivered.param("CallSid"), delivered.param("CallStatus")) == (sid, "completed")
    _wait_until_delivered(servers, sid)
    assert [hit.status for hit in webapp.hits("/status")][-1] == 200
    assert webapp.count("/status", status=200) == 1
