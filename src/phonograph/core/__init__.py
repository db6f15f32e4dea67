"""Room ``core``: identifiers, the error hierarchy, clocks, time formats, task ownership, and the
recording, transcription and SIP vocabularies.

Stdlib only.
"""

from phonograph.core.clock import Clock, SystemClock
from phonograph.core.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InternalError,
    InvalidParameter,
    MalformedBody,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PhonographError,
    PreconditionFailed,
    ServiceUnavailable,
    TooManyRequests,
)
from phonograph.core.ids import is_sid, new_secret, new_sid, new_typeid, typeid_uuid
from phonograph.core.lru import ByteLru
from phonograph.core.recording_terms import CallbackMethod, Channels, RecordingEvent, Track, Trim
from phonograph.core.server_terms import DEFAULT_HOST, DEFAULT_PORT
from phonograph.core.sip_terms import DIGEST_REALM, DigestAlgorithm, ha1
from phonograph.core.tasks import TaskOwner, finish_even_if_cancelled
from phonograph.core.timefmt import as_utc, end_of, iso8601, parse_day_or_time, parse_rfc2822, rfc2822
from phonograph.core.wire import redact_userinfo, storable_text

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DIGEST_REALM",
    "AuthenticationFailed",
    "ByteLru",
    "CallbackMethod",
    "Channels",
    "Clock",
    "Conflict",
    "DigestAlgorithm",
    "Forbidden",
    "InternalError",
    "InvalidParameter",
    "MalformedBody",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "PhonographError",
    "PreconditionFailed",
    "RecordingEvent",
    "ServiceUnavailable",
    "SystemClock",
    "TaskOwner",
    "TooManyRequests",
    "Track",
    "Trim",
    "as_utc",
    "end_of",
    "finish_even_if_cancelled",
    "ha1",
    "is_sid",
    "iso8601",
    "new_secret",
    "new_sid",
    "new_typeid",
    "parse_day_or_time",
    "parse_rfc2822",
    "redact_userinfo",
    "rfc2822",
    "storable_text",
    "typeid_uuid",
]
