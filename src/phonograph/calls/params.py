"""The parameters Twilio sends with every voice webhook, and the extra ones of status callbacks.

https://www.twilio.com/docs/voice/twiml#request-parameters and
https://www.twilio.com/docs/voice/api/call-resource#statuscallback
"""

from __future__ import annotations

from datetime import datetime

from phonograph.calls.state import TERMINAL, CallStatus
from phonograph.core import rfc2822
from phonograph.store import Call

API_VERSION = "2010-04-01"
Params = list[tuple[str, str]]

# The SIP final response Twilio reports for each way a call can end.
SIP_RESPONSE_CODE: dict[CallStatus, str] = {
    CallStatus.COMPLETED: "200",
    CallStatus.BUSY: "486",
    CallStatus.NO_ANSWER: "487",
    CallStatus.CANCELED: "487",
    CallStatus.FAILED: "500",
}


def call_params(call: Call, status: str | None = None) -> Params:
    """What every request about ``call`` carries; ``status`` overrides the stored one."""
    params: Params = [
        ("AccountSid", call.account_sid),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.sid),
        ("CallStatus", status or call.status),
        ("Called", call.to),
        ("Caller", call.from_),
        ("Direction", call.direction),
        ("From", call.from_),
        ("To", call.to),
    ]
    if call.parent_call_sid:
        params.append(("ParentCallSid", call.parent_call_sid))
    if call.forwarded_from:
        params.append(("ForwardedFrom", call.forwarded_from))
    if call.caller_name:
        params.append(("CallerName", call.caller_name))
    return params


def status_callback_params(call: Call, status: str, sequence_number: int, now: datetime) -> Params:
    params = call_params(call, status)
    params += [
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(sequence_number)),
        ("Timestamp", rfc2822(now)),
    ]
    if status in TERMINAL:
        terminal = CallStatus(status)
        duration_s = call.duration_s or 0
        params += [
            ("CallDuration", str(duration_s)),
            # Duration is billed minutes, rounded up.
            ("Duration", str(-(-duration_s // 60))),
            ("SipResponseCode", SIP_RESPONSE_CODE[terminal]),
        ]
    return params
