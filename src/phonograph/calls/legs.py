"""A new call leg's record: what every leg starts with, written once for API calls, ``<Dial>``
children and inbound legs to the server's own numbers; and the ``initiated`` callback it owes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.calls.params import status_callback_params
from phonograph.calls.state import CallbackEvent, CallStatus, Direction
from phonograph.core import new_sid
from phonograph.store import Call, CallRepo, OutboxRepo

# Twilio's defaults for ``Timeout`` and ``TimeLimit`` (OpenAPI CreateCall).
DEFAULT_TIMEOUT_S = 60
DEFAULT_TIME_LIMIT_S = 14_400


def new_leg(
    *,
    account_sid: str,
    to: str,
    from_: str,
    direction: Direction,
    now: datetime,
    owner_node: str,
    status: CallStatus = CallStatus.QUEUED,
    **fields: Any,
) -> Call:
    """A leg not yet stored, run by ``owner_node`` (this process's node); ``fields`` (names of
    ``Call``) replace the starting values."""
    starting: dict[str, Any] = {
        "sid": new_sid("CA"),
        "parent_call_sid": None,
        "phone_number_sid": None,
        "answered_by": None,
        "forwarded_from": None,
        "caller_name": None,
        "start_time": None,
        "end_time": None,
        "duration_s": None,
        "url": None,
        "method": "POST",
        "twiml": None,
        "fallback_url": None,
        "fallback_method": "POST",
        "status_callback": None,
        "status_callback_method": "POST",
        "status_callback_events": [CallbackEvent.COMPLETED.value],
        "timeout_s": DEFAULT_TIMEOUT_S,
        "time_limit_s": DEFAULT_TIME_LIMIT_S,
        "send_digits": None,
        "recording": {},
        "callback_sequence": 0,
    }
    return Call(
        **(starting | fields),
        account_sid=account_sid,
        to=to,
        from_=from_,
        status=status.value,
        direction=direction.value,
        date_created=now,
        date_updated=now,
        owner_node=owner_node,
    )


async def enqueue_initiated(session: AsyncSession, call: Call, now: datetime) -> None:
    """The ``initiated`` callback, written in the transaction that creates the call."""
    if not call.status_callback or CallbackEvent.INITIATED.value not in call.status_callback_events:
        return
    sequence = await CallRepo(session).take_sequence_number(call.sid)
    await OutboxRepo(session).enqueue(
        account_sid=call.account_sid,
        ordering_key=call.sid,
        url=call.status_callback,
        method=call.status_callback_method,
        params=status_callback_params(call, "initiated", sequence, now),
        now=now,
    )
