"""Twilio's connection overrides: per-URL timeouts written in the webhook URL's fragment.

``https://app.example.com/voice#ct=1000&rt=2000`` asks Twilio to give up connecting after 1 s and
waiting for the response after 2 s, so that a dead app fails over to the fallback sooner
(https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides). The fragment is never
sent, so it is no part of the signed URL either. Honoured, in milliseconds:

- ``ct`` connect timeout, 100–10000;
- ``rt`` read timeout, 100–15000: for the response's first byte, and between its packets;
- ``tt`` total time, 100–15000, for the whole exchange (redirects and retries included);
- ``rc`` retry count, 0–5, default 1: how many times a failed request is tried again at once;
- ``rp`` retry policy, which failures are retried: any of ``ct`` (no connection), ``rt`` (no
  answer in time), ``4xx``, ``5xx``, or ``all``, comma-separated; default ``ct``. So by default
  Twilio (and phonograph) retries a request once, and only when it could not connect.

Ignored, as is any other key: ``e`` (edge) and ``sni``. Twilio documents neither what it does with
a value out of range nor with one that is not a whole number; we clamp the first into range and
ignore the second. Unknown ``rp`` members are ignored (Twilio reports 11243).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

MS_PER_S = 1000
# Each override's name and the range Twilio allows for it, in milliseconds.
RANGES_MS = {"ct": (100, 10_000), "rt": (100, 15_000), "tt": (100, 15_000)}
MAX_RETRIES = 5
DEFAULT_RETRIES = 1


class Failure(StrEnum):
    """The kinds of failure a retry policy (``rp``) names."""

    CONNECT = "ct"
    READ = "rt"
    CLIENT_ERROR = "4xx"
    SERVER_ERROR = "5xx"


DEFAULT_RETRY_ON = frozenset({Failure.CONNECT})


@dataclass(frozen=True, slots=True)
class ConnectionOverrides:
    """The timeouts a URL's fragment sets; None where it sets none."""

    connect_timeout_s: float | None = None
    read_timeout_s: float | None = None
    total_timeout_s: float | None = None
    retries: int = DEFAULT_RETRIES
    retry_on: frozenset[Failure] = DEFAULT_RETRY_ON

    def retries_after(self, failure: Failure | None) -> bool:
        """Whether a request that failed this way is tried again (while ``retries`` last)."""
        return failure is not None and failure in self.retry_on


def parse_overrides(fragment: str) -> ConnectionOverrides:
    """The overrides in ``fragment`` (a URL's part after ``#``: ``key=value`` pairs joined by ``&``)."""
    found: dict[str, float] = {}
    retries, retry_on = DEFAULT_RETRIES, DEFAULT_RETRY_ON
    for key, value in parse_qsl(fragment, keep_blank_values=True):
        if key == "rp":
            retry_on = _retry_policy(value)
        if not value.isascii() or not value.isdigit():
            continue
        if key == "rc":
            retries = min(int(value), MAX_RETRIES)
        elif key in RANGES_MS:
            low_ms, high_ms = RANGES_MS[key]
            found[key] = min(max(int(value), low_ms), high_ms) / MS_PER_S
    return ConnectionOverrides(found.get("ct"), found.get("rt"), found.get("tt"), retries, retry_on)


def _retry_policy(value: str) -> frozenset[Failure]:
    members = {member.strip().lower() for member in value.split(",")}
    if "all" in members:
        return frozenset(Failure)
    return frozenset(failure for failure in Failure if failure.value in members)
