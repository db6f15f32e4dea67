"""Typed commands the API hands to the engine (never Request objects or ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass

from phonograph.calls.state import CallbackEvent, CallStatus
from phonograph.recording import RecordingRequest


@dataclass(frozen=True)
class NewCall:
    """``POST /Calls.json`` after validation (OpenAPI CreateCall)."""

    to: str
    from_: str
    url: str | None
    method: str
    twiml: str | None
    fallback_url: str | None
    fallback_method: str
    status_callback: str | None
    status_callback_method: str
    status_callback_events: tuple[CallbackEvent, ...]
    timeout_s: int
    time_limit_s: int
    send_digits: str | None
    caller_name: str | None = None
    recording: RecordingRequest | None = None
    """What ``Record=true`` came with; None when the call is not recorded."""


@dataclass(frozen=True)
class CallUpdate:
    """``POST /Calls/{Sid}.json`` after validation (OpenAPI UpdateCall); None = unchanged."""

    status: CallStatus | None = None
    url: str | None = None
    method: str | None = None
    twiml: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    time_limit_s: int | None = None

    @property
    def redirects(self) -> bool:
        return self.url is not None or self.twiml is not None
