"""A new call leg's record: what every leg starts with, written once for API calls, ``<Dial>``
children and inbound legs to the server's own numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from phonograph.calls.state import CallbackEvent, CallStatus, Direction
from phonograph.core import new_sid
from phonograph.store import Call

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
