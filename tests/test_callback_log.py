"""The callback log and replay (``GET /phonograph/v1/Callbacks``, ``POST …/{id}/Replay``): every
status callback stays after delivery with each attempt's outcome, and one can be sent again,
signed afresh with a new idempotency token (docs/compatibility.md, "Callback log and replay")."""

from __future__ import annotations

import time
from typing import Any

from phonograph.testing.kit import add_phone, wait_for_call
from phonograph.testing.webapp import WebApp
from tests.conftest import TestAccount

PHONE = "+15550310001"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


def _called(account: TestAccount, status_callback: str) -> str:
    sid: str = account.client.calls.create(
        to=PHONE,
        from_="+15550319999",
        twiml="<Response><Pause length='1'/></Response>",
        status_callback=status_callback,
    ).sid
    wait_for_call(account.client, sid)
    return sid


def _finished(account: TestAccount, call_sid: str, count: int = 1) -> list[dict[str, Any]]:
    """The call's callbacks, newest first, once ``count`` of them are finished (the app's answer
    is stored just after the app has it)."""
    deadline = time.monotonic() + 30
    while True:
        callbacks: list[dict[str, Any]] = _log(account, CallSid=call_sid)["callbacks"]
        if sum(c["status"] != "pending" for c in callbacks) >= count:
            return callbacks
        assert time.monotonic() < deadline, f"the callbacks of {call_sid} are not finished: {callbacks}"
        time.sleep(0.05)


def _log(account: TestAccount, **query: Any) -> dict[str, Any]:
    response = account.http.get("/phonograph/v1/Callbacks", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_delivered_callback_is_listed_with_its_attempt_and_can_be_replayed(
    account: TestAccount, other_account: TestAccount, webapp: WebApp
) -> None:
    webapp.respond("/status", b"noted", status=202)
    add_phone(account.http, PHONE, None, answer_after_s=1)
    # A connection override in the fragment: never sent, so never signed.
    url = webapp.url("/status") + "#rc=2"
    sid = _called(account, url)
    [first] = webapp.wait_for("/status")
    [logged] = _finished(account, sid)
    assert (logged["url"], logged["method"], logged["status"]) == (url, "POST", "delivered")
    assert logged["parameters"]["CallSid"] == sid
    assert logged["parameters"]["CallStatus"] == "completed"
    [attempt] = logged["attempts"]
    assert (attempt["status_code"], attempt["response_body"], attempt["error_code"]) == (202, "noted", None)
    assert logged["signature"] == first.headers["X-Twilio-Signature"]
    assert logged["idempotency_token"] == first.headers[IDEMPOTENCY_HEADER]

    # Another account neither sees it nor replays it.
    assert _log(other_account, CallSid=sid)["callbacks"] == []
    refused = other_account.http.post(f"/phonograph/v1/Callbacks/{logged['id']}/Replay")
    assert refused.status_code == 404, refused.text

    replayed = account.http.post(f"/phonograph/v1/Callbacks/{logged['id']}/Replay")
    assert replayed.status_code == 201, replayed.text
    assert replayed.json()["replay_of"] == logged["id"]
    again = webapp.wait_for("/status", count=2)[1]
    assert again.params() == first.params()
    assert webapp.valid_signature(again, account.auth_token)
    assert again.headers[IDEMPOTENCY_HEADER] != first.headers[IDEMPOTENCY_HEADER]
    newest = _finished(account, sid, count=2)
    assert [c["replay_of"] for c in newest] == [logged["id"], None]


def test_the_log_pages_newest_first_and_refuses_a_foreign_token(account: TestAccount, webapp: WebApp) -> None:
    webapp.respond("/status", b"")
    add_phone(account.http, PHONE, None, answer_after_s=1)
    sids = [_called(account, webapp.url("/status")) for _ in range(3)]
    webapp.wait_for("/status", count=3)
    first = _log(account, PageSize=2)
    assert [c["call_sid"] for c in first["callbacks"]] == sids[:0:-1]
    next_uri = first["meta"]["next_page_uri"]
    rest = account.http.get(next_uri).json()
    assert [c["call_sid"] for c in rest["callbacks"]] == sids[:1]
    assert rest["meta"]["next_page_uri"] is None
    bad = account.http.get("/phonograph/v1/Callbacks", params={"PageToken": "PA123"})
    assert (bad.status_code, bad.json()["code"]) == (400, 20001)
    assert account.http.post("/phonograph/v1/Callbacks/nope/Replay").status_code == 404
