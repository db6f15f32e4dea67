"""A call leg's status: the enum, its transition table, and the status-callback event each move emits.

Statuses and events are those of the Call resource and ``StatusCallbackEvent``
(https://www.twilio.com/docs/voice/api/call-resource#call-status-values).
"""

from __future__ import annotations

from enum import StrEnum

from phonograph.core import PhonographError
from phonograph.twiml import CallProgressEvent


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND_API = "outbound-api"
    OUTBOUND_DIAL = "outbound-dial"


# ``StatusCallbackEvent`` of a call is the ``statusCallbackEvent`` of ``<Number>``: one vocabulary.
# Twilio's default subscription is ``completed`` alone.
CallbackEvent = CallProgressEvent


TERMINAL = frozenset(
    {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.FAILED, CallStatus.NO_ANSWER, CallStatus.CANCELED}
)

TRANSITIONS: dict[CallStatus, frozenset[CallStatus]] = {
    CallStatus.QUEUED: frozenset({CallStatus.RINGING, CallStatus.CANCELED, CallStatus.FAILED}),
    CallStatus.RINGING: frozenset(
        {
            CallStatus.IN_PROGRESS,
            CallStatus.BUSY,
            CallStatus.NO_ANSWER,
            CallStatus.FAILED,
            CallStatus.CANCELED,
        }
    ),
    CallStatus.IN_PROGRESS: frozenset({CallStatus.COMPLETED, CallStatus.FAILED}),
    **{status: frozenset() for status in TERMINAL},
}

# The event a move into each status reports. Every terminal status reports ``completed``.
EVENT_OF: dict[CallStatus, CallbackEvent] = {
    CallStatus.RINGING: CallbackEvent.RINGING,
    CallStatus.IN_PROGRESS: CallbackEvent.ANSWERED,
    **{status: CallbackEvent.COMPLETED for status in TERMINAL},
}


class IllegalTransition(PhonographError):
    """A move the table forbids: a bug in the engine, never a user's mistake."""


def check_transition(current: CallStatus, target: CallStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"call status cannot go from {current} to {target}")
