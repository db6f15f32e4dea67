"""Caller ID across tenants (docs/security.md): an account may call from any number except one that
another account owns on the server, so a signed webhook never claims another tenant's number."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from phonograph.testing.kit import add_phone, fresh_number, wait_for_call
from tests.conftest import TestAccount
from tests.support.notifications import call_notifications


def _own(account: TestAccount) -> str:
    number = fresh_number()
    account.client.incoming_phone_numbers.create(phone_number=number)
    return number


def test_calling_from_another_accounts_number_is_21210(
    account: TestAccount, other_account: TestAccount
) -> None:
    theirs = _own(other_account)
    with pytest.raises(TwilioRestException) as refused:
        account.client.calls.create(to=fresh_number(), from_=theirs, twiml="<Response/>")
    assert (refused.value.status, refused.value.code) == (400, 21210)
    assert account.client.calls.list() == []
    # One's own number, and a number nobody owns, are fine.
    for caller in (_own(account), fresh_number()):
        call = account.client.calls.create(to=fresh_number(), from_=caller, twiml="<Response/>")
        assert wait_for_call(account.client, call.sid)._from == caller


def test_a_dial_caller_id_of_another_account_is_13214_and_the_dial_uses_the_callers_from(
    account: TestAccount, other_account: TestAccount
) -> None:
    theirs = _own(other_account)
    callee = fresh_number()
    add_phone(account.http, callee, "<Response><Hangup/></Response>", answer_after_s=0)
    caller = fresh_number()
    twiml = f"<Response><Dial callerId='{theirs}'><Number>{callee}</Number></Dial></Response>"
    parent = account.client.calls.create(to=fresh_number(), from_=caller, twiml=twiml)
    wait_for_call(account.client, parent.sid)
    [child] = account.client.calls.list(parent_call_sid=parent.sid)
    assert child._from == caller
    assert 13214 in [notice.error_code for notice in call_notifications(account.client, parent.sid)]
