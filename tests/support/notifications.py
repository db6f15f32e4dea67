"""A call's Notifications (Twilio's debugger log), read through the SDK as a user's tooling would.

A list leaves out the request and response details (OpenAPI ``…call.call_notification``), so a
:class:`Notice` holds only what a list gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.rest import Client

ERROR = 0
WARNING = 1
"""Twilio's ``log`` levels for a notification."""


@dataclass(frozen=True)
class Notice:
    """The fields of a listed Notification that tests look at."""

    error_code: int
    log: int
    message_text: str
    request_url: str
    request_method: str


def call_notifications(client: Client, call_sid: str) -> list[Notice]:
    """The notifications about ``call_sid``, in the order the API lists them (tests must not rely on
    it: several notifications can share a ``date_created`` second)."""
    return [
        Notice(
            error_code=int(item.error_code or 0),
            log=int(item.log or 0),
            message_text=item.message_text or "",
            request_url=item.request_url or "",
            request_method=item.request_method or "",
        )
        for item in client.calls(call_sid).notifications.list()
    ]


def codes(notices: list[Notice]) -> list[int]:
    """The notices' error codes, sorted."""
    return sorted(notice.error_code for notice in notices)
