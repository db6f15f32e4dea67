"""Helpers for tests of what TwiML does on a call: placing calls, fresh numbers, request checks.

The server routes a call by its ``To`` number across all accounts (one of its IncomingPhoneNumbers
wins over a virtual phone), so tests draw a fresh random number (``fresh_number``) rather than
sharing a literal. A call to a number nobody scripted reaches a silent line that answers after 1 s.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from phonograph.testing.kit import fresh_number, wait_for_call
from phonograph.testing.webapp import Hit, valid_signature
from tests.conftest import TestAccount
from tests.support.calls import tracks

CALLER = "+15550109999"
"""The ``From`` of the calls tests place; nothing routes to it."""

STANDARD_PARAMS = ("CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "ApiVersion")
"""What every request about a call carries (https://www.twilio.com/docs/voice/twiml#request-parameters)."""


def place(
    account: TestAccount,
    twiml: str | None = None,
    *,
    to: str | None = None,
    url: str | None = None,
    fallback_url: str | None = None,
) -> str:
    """Start a call to ``to`` (a fresh silent line by default) running ``twiml`` or fetching ``url``."""
    calls = account.client.calls
    if twiml is not None:
        return str(calls.create(to=to or fresh_number(), from_=CALLER, twiml=twiml).sid)
    assert url is not None, "give twiml or url"
    if fallback_url is not None:
        return str(
            calls.create(to=to or fresh_number(), from_=CALLER, url=url, fallback_url=fallback_url).sid
        )
    return str(calls.create(to=to or fresh_number(), from_=CALLER, url=url).sid)


def outbound_of(account: TestAccount, sid: str) -> npt.NDArray[np.int16]:
    """Once the call has completed, its outbound track: what it sent the far end."""
    assert wait_for_call(account.client, sid).status == "completed"
    return tracks(account.http, sid)[1]


def standard_params(account: TestAccount, sid: str, to: str) -> dict[str, str]:
    """The standard parameters of a request about an answered call this account placed to ``to``."""
    return {
        "CallSid": sid,
        "AccountSid": account.sid,
        "From": CALLER,
        "To": to,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        "ApiVersion": "2010-04-01",
    }


def assert_standard_request(hit: Hit, account: TestAccount, sid: str, to: str) -> None:
    """``hit`` carries the standard parameters of the call and a valid ``X-Twilio-Signature``."""
    params = hit.params()
    assert {name: params.get(name) for name in STANDARD_PARAMS} == standard_params(account, sid, to)
    assert valid_signature(hit, account.auth_token), hit.summary()
